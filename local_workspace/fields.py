"""Partial responses: the `fields` query parameter of Google's APIs."""

from __future__ import annotations

from .errors import InvalidArgument

Mask = dict  # name -> Mask, or None for "the whole value"


def parse(fields: str) -> Mask:
    fields = fields.replace(".", "/")  # Sheets' documented form: sheets.properties.title
    mask, rest = _parse_list(fields.replace(" ", ""), 0)
    if rest != len(fields.replace(" ", "")):
        raise InvalidArgument(f"Invalid field selection {fields}", reason="invalidParameter")
    return mask


def _parse_list(text: str, pos: int) -> tuple[Mask, int]:
    mask: Mask = {}
    while pos < len(text) and text[pos] != ")":
        start = pos
        while pos < len(text) and text[pos] not in ",()/":
            pos += 1
        name = text[start:pos]
        if not name:
            raise InvalidArgument(f"Invalid field selection {text}", reason="invalidParameter")
        sub = None
        if pos < len(text) and text[pos] == "(":
            sub, pos = _parse_list(text, pos + 1)
            if pos >= len(text) or text[pos] != ")":
                raise InvalidArgument(f"Invalid field selection {text}", reason="invalidParameter")
            pos += 1
        elif pos < len(text) and text[pos] == "/":
            inner, pos = _parse_path(text, pos + 1)
            sub = inner
        mask[name] = _merge(mask.get(name, {}), sub) if name in mask else sub
        if pos < len(text) and text[pos] == ",":
            pos += 1
    return mask, pos


def _parse_path(text: str, pos: int) -> tuple[Mask, int]:
    start = pos
    while pos < len(text) and text[pos] not in ",()/":
        pos += 1
    name = text[start:pos]
    if pos < len(text) and text[pos] == "/":
        sub, pos = _parse_path(text, pos + 1)
        return {name: sub}, pos
    if pos < len(text) and text[pos] == "(":
        sub, pos = _parse_list(text, pos + 1)
        return {name: sub}, pos + 1
    return {name: None}, pos


def _merge(a: Mask | None, b: Mask | None) -> Mask | None:
    if a is None or b is None:
        return None
    return {**a, **b}


def apply(value, mask: Mask | None):
    if mask is None:
        return value
    if isinstance(value, list):
        return [apply(item, mask) for item in value]
    if not isinstance(value, dict):
        return value
    if "*" in mask:
        return {key: apply(item, mask.get(key)) for key, item in value.items()}
    return {key: apply(value[key], sub) for key, sub in mask.items() if key in value}


def select(value, fields: str | None, default: str | None = None):
    """`value` cut to `fields`, else to the API's default fields when it has some."""
    chosen = fields or default
    return value if not chosen else apply(value, parse(chosen))
