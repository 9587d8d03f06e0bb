"""Pydantic base for config and spec models: strict about unknown fields, and aware of YAML lines."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PrivateAttr,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)

from .errors import Problem, ValidationFailed
from .yamlload import Text, line_of


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    _line: int | None = PrivateAttr(default=None)
    _key_lines: dict[Any, int] | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_line(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        model = handler(data)
        if isinstance(model, Model) and model._line is None:
            model._line = getattr(data, "line", None)
            model._key_lines = getattr(data, "key_lines", None)
        return model

    @property
    def line(self) -> int | None:
        return self._line

    def line_of(self, field: str) -> int | None:
        """The line of one field (`title:`), else of the whole mapping."""
        return (self._key_lines or {}).get(field) or self._line


M = TypeVar("M", bound=Model)


def _not_boolean_looking(value: Any) -> Any:
    if isinstance(value, Text) and value.looks_boolean:
        raise ValueError(f'{value} is unquoted, so YAML tools read it as true/false; write it in quotes: "{value}"')
    return value


def _single_line(value: str) -> str:
    return " ".join(value.split())


Label = Annotated[str, BeforeValidator(_not_boolean_looking), AfterValidator(_single_line)]
"""Text shown as a title or a choice: never a boolean in disguise, one line."""

Prose = Annotated[str, BeforeValidator(_not_boolean_looking)]


def all_field_names(*models: type[BaseModel]) -> set[str]:
    names: set[str] = set()
    seen: set[type] = set()

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, field in model.model_fields.items():
            names.add(field.alias or name)
            for arg in _model_args(field.annotation):
                visit(arg)

    for model in models:
        visit(model)
    return names


def _model_args(annotation: object) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_model_args(arg))
    return found


def _describe(error: Mapping[str, Any], known_fields: set[str]) -> str:
    kind = error["type"]
    loc = [p for p in error["loc"] if not (isinstance(p, str) and ("[" in p or p.startswith("function-")))]
    name = str(loc[-1]) if loc else "value"
    value = error.get("input")
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(name, sorted(known_fields), n=1)
        hint = f"did you mean {close[0]}:?" if close else "remove it or check the spelling"
        return f"unknown field {name}; {hint}"
    if kind == "missing":
        return f"{name} is missing; add {name}: {MISSING_HINTS.get(name, '...')}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{name}: {value!r} is not allowed; write one of {expected}"
    if kind in {"date_from_datetime_parsing", "date_parsing", "date_type"}:
        return f"{name}: {value!r} is not a date I can read; write it as YYYY-MM-DD, for example 2027-01-31"
    if kind in {"int_parsing", "int_type"}:
        return f"{name}: {value!r} is not a whole number; write a number such as 2"
    if kind in {"bool_parsing", "bool_type"}:
        return f"{name}: {value!r} is not true or false; write true or false"
    if kind in {"decimal_parsing", "decimal_type", "float_parsing"}:
        return f"{name}: {value!r} is not a number; write it like 0.45"
    if kind in {"list_type"}:
        return f"{name} should be a list; write each entry on its own line starting with '- '"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"{name} should be a mapping of fields (name: value), not {value!r}"
    if kind in {"string_type"}:
        return f"{name} should be text; put it in quotes"
    if kind == "too_short":
        return f"{name} is empty; add at least one entry"
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return f"{name}: {message}" if not message.startswith(name) else message


MISSING_HINTS = {
    "lead_contact": "with name, role and email of the person who coordinates this role",
    "key": "a short stable name in snake_case, such as full_name",
    "type": "one of short_text, paragraph, single_choice, multiple_choice, dropdown, scale, date, time, text, reference",
    "title": "the text people see",
    "closing_date": "the last day to apply, as YYYY-MM-DD",
    "choices": 'a list of quoted options, such as ["Yes", "No"]',
}


def parse(model: type[M], data: Any, file: str, loc_prefix: tuple[str | int, ...] = ()) -> M:
    """Validate `data` (from yamlload) into `model`, or raise ValidationFailed with file:line problems."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        known = all_field_names(model)
        problems = [Problem(file, line_of(data, tuple(err["loc"])), _describe(err, known)) for err in exc.errors()]
        raise ValidationFailed(problems) from None
