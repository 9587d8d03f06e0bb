"""YAML that keeps line numbers and never turns `yes`, `no` or `012` into booleans or numbers.

Every plain scalar stays text (docs/decisions.md §8); typed fields are converted by the pydantic models,
which can then say "write it in quotes" for a label that YAML 1.1 tools would read as a boolean.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, ValidationFailed

# Words YAML 1.1 reads as booleans: a plain one in a label or choice is almost always a mistake.
BOOLEAN_WORDS = {"yes", "no", "true", "false", "on", "off", "y", "n"}


class Text(str):
    line: int = 0
    plain: bool = False

    @property
    def looks_boolean(self) -> bool:
        return self.plain and self.lower() in BOOLEAN_WORDS


class Mapping(dict[Any, Any]):
    line: int = 0
    key_lines: dict[Any, int]


class Sequence(list[Any]):
    line: int = 0


class _Loader(yaml.SafeLoader):
    pass


# Keep only the null resolver: everything else a plain scalar could mean stays text.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _scalar(loader: _Loader, node: yaml.ScalarNode) -> Text:
    text = Text(loader.construct_scalar(node))
    text.line = node.start_mark.line + 1
    text.plain = node.style is None
    return text


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    result = Mapping()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears twice in one mapping", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> Sequence:
    result = Sequence(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


_Loader.add_constructor("tag:yaml.org,2002:str", _scalar)
_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _sequence)


def shown(path: Path) -> str:
    """A path as a person would type it: relative to the current folder when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load(path: Path, display: str | None = None) -> Any:
    """Load one YAML file; a syntax error becomes a ValidationFailed with file and line."""
    display = display or shown(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationFailed([Problem(display, None, f"cannot read the file: {exc.strerror}")]) from None
    try:
        loader = _Loader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or "unreadable YAML"
        if exc.context:
            what = f"{exc.context}, {what}"
        return_hint = "check the indentation and quote text that contains ': ' or starts with a symbol"
        raise ValidationFailed([Problem(display, line, f"invalid YAML: {what}; {return_hint}")]) from None


def line_of(data: Any, loc: tuple[str | int, ...]) -> int | None:
    """The line of the deepest node reached by following `loc` (a pydantic error location)."""
    line = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, Mapping) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, Sequence) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            break
        line = getattr(node, "line", None) or line
    return line
