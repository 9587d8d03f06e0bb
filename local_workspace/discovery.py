"""Check request bodies and query parameters against Google's discovery documents.

The documents ship inside google-api-python-client, so the local workspace and the
planner's tests reject exactly what Google's schema rejects: unknown fields, wrong JSON
types and values outside an enum.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import googleapiclient

VERSIONS = {"forms": "v1", "drive": "v3", "sheets": "v4", "gmail": "v1", "pubsub": "v1"}

_DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
_INT_STRING = re.compile(r"-?\d+\Z")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})\Z")


@cache
def load_document(api: str) -> dict:
    version = VERSIONS[api]
    return json.loads((_DOCUMENTS / f"{api}.{version}.json").read_text(encoding="utf-8"))


@cache
def _methods(api: str) -> dict[str, dict]:
    found: dict[str, dict] = {}

    def walk(resources: dict) -> None:
        for resource in resources.values():
            for method in resource.get("methods", {}).values():
                found[method["id"]] = method
            walk(resource.get("resources", {}))

    walk(load_document(api).get("resources", {}))
    return found


def method(api: str, method_id: str) -> dict:
    try:
        return _methods(api)[method_id]
    except KeyError:
        raise ValueError(f"{api} has no method {method_id!r}") from None


def check_body(api: str, method_id: str, body) -> list[str]:
    """Problems with `body` as the request of `method_id`; [] when it fits the schema."""
    request = method(api, method_id).get("request")
    if request is None:
        return [] if body in (None, {}) else [f"(body): {method_id} takes no request body"]
    if body is None:
        return []
    problems: list[str] = []
    _check_value(load_document(api)["schemas"], request, body, "", problems)
    return problems


def check_params(api: str, method_id: str, params: dict) -> list[str]:
    """Problems with query parameters: unknown names, wrong types, bad enum values."""
    known = dict(load_document(api).get("parameters", {}))
    known.update(method(api, method_id).get("parameters", {}))
    problems = []
    for name, value in params.items():
        spec = known.get(name)
        if spec is None:
            problems.append(f"{name}: unknown parameter")
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        if len(values) > 1 and not spec.get("repeated"):
            problems.append(f"{name}: given more than once")
        for one in values:
            problem = _param_problem(spec, one)
            if problem:
                problems.append(f"{name}: {problem}")
    for name, spec in known.items():
        if spec.get("required") and spec.get("location") == "query" and name not in params:
            problems.append(f"{name}: required parameter missing")
    return problems


def _param_problem(spec: dict, value) -> str | None:
    kind = spec.get("type", "string")
    if kind == "boolean":
        if isinstance(value, bool) or str(value).lower() in ("true", "false"):
            return None
        return f"{value!r} is not a boolean"
    if kind == "integer":
        if isinstance(value, bool) or not _INT_STRING.match(str(value)):
            return f"{value!r} is not an integer"
        number = int(value)
        if "minimum" in spec and number < int(spec["minimum"]):
            return f"{number} is below the minimum {spec['minimum']}"
        return None
    if "enum" in spec and str(value) not in spec["enum"]:
        return _enum_problem(value, spec["enum"])
    return None


def _enum_problem(value, allowed: list[str]) -> str:
    shown = [v for v in allowed if not v.endswith("_UNSPECIFIED")] or allowed
    return f"{value!r} is not one of {', '.join(shown)}"


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _check_value(schemas: dict, schema: dict, value, path: str, problems: list[str]) -> None:
    where = path or "(body)"
    if "$ref" in schema:
        schema = schemas[schema["$ref"]]
    if value is None:
        return  # JSON null means "unset" to Google's parsers
    kind = schema.get("type")
    actual = _json_type(value)
    if kind == "any" or kind is None:
        return
    if kind == "object":
        if actual != "object":
            problems.append(f"{where}: expected an object, got {actual}")
            return
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            if properties and key in properties:
                _check_value(schemas, properties[key], item, child, problems)
            elif isinstance(extra, dict):
                _check_value(schemas, extra, item, child, problems)
            elif properties is not None or extra is not None:
                known = ", ".join(sorted(properties or {}))
                problems.append(f"{child}: unknown field (known: {known})")
        return
    if kind == "array":
        if actual != "array":
            problems.append(f"{where}: expected an array, got {actual}")
            return
        for index, item in enumerate(value):
            _check_value(schemas, schema.get("items", {}), item, f"{path}[{index}]", problems)
        return
    problem = _scalar_problem(kind, schema.get("format"), value, actual)
    if problem is None and "enum" in schema and value not in schema["enum"]:
        problem = _enum_problem(value, schema["enum"])
    if problem:
        problems.append(f"{where}: {problem}")


def _scalar_problem(kind: str, fmt: str | None, value, actual: str) -> str | None:
    if kind == "boolean":
        return None if actual == "boolean" else f"expected a boolean, got {actual} {value!r}"
    if kind == "integer":
        if actual == "integer" or (actual == "string" and _INT_STRING.match(value)):
            return None
        return f"expected an integer, got {actual} {value!r}"
    if kind == "number":
        return None if actual in ("integer", "number") else f"expected a number, got {actual} {value!r}"
    if kind == "string":
        if fmt in ("int64", "uint64") and actual == "integer":
            return None
        if actual != "string":
            return f"expected a string, got {actual} {value!r}"
        if fmt in ("int64", "uint64") and not _INT_STRING.match(value):
            return f"expected an integer string, got {value!r}"
        if fmt in ("google-datetime", "date-time") and not _DATETIME.match(value):
            return f"expected an RFC 3339 timestamp, got {value!r}"
        return None
    return None


def check_schema(api: str, schema_id: str, value, path: str = "") -> list[str]:
    """Problems with `value` as an instance of the named schema (e.g. forms "FormResponse")."""
    problems: list[str] = []
    _check_value(load_document(api)["schemas"], {"$ref": schema_id}, value, path, problems)
    return problems
