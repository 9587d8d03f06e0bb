"""A1 notation: 'Sheet name'!A1:C3, A:C, 2:2, A1:1, a bare sheet name; and Google's way of
writing a range back (the sheet name quoted only when it needs it, a single cell as A1)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InvalidArgument

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: bijective base 26. Written here, apart from the tool's own A1 code,
    so that a mistake in one is caught by the other rather than mirrored."""
    if index < 0:
        raise ValueError(f"column index {index} is negative")
    digits: list[str] = []
    number = index + 1
    while number > 0:
        number, digit = divmod(number - 1, len(_ALPHABET))
        digits.append(_ALPHABET[digit])
    return "".join(reversed(digits))


def column_index(letters: str) -> int:
    """A -> 0, Z -> 25, AA -> 26 (case as typed: Sheets reads a1 as A1)."""
    total = 0
    for letter in letters.upper():
        position = _ALPHABET.find(letter)
        if position < 0:
            raise ValueError(f"{letters!r} is not a column")
        total = total * len(_ALPHABET) + position + 1
    return total - 1


_REF = re.compile(r"\$?([A-Za-z]{0,3})\$?(\d{0,7})\Z")
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LOOKS_LIKE_REF = re.compile(r"([A-Za-z]{1,3}\d+|[Rr]\d*[Cc]\d*)\Z")


@dataclass(frozen=True)
class Cells:
    """Zero-based, end-exclusive bounds; None where the notation leaves a side open."""

    row0: int | None = None
    row1: int | None = None
    col0: int | None = None
    col1: int | None = None
    anchor: bool = False  # one cell ("A1"): where a write starts, not a bound on it


@dataclass(frozen=True)
class A1:
    sheet: str | None  # None: the first sheet
    cells: Cells | None  # None: the whole sheet
    text: str  # as given, for error messages


def parse(text: str) -> A1:
    """Split `text` into a sheet name and cell bounds; a bare word may be either (see `split`)."""
    text = text.strip()
    if not text:
        raise unparsable(text)
    if text.startswith("'"):
        name, rest = _quoted_name(text)
        if rest == "":
            return A1(name, None, text)
        if not rest.startswith("!"):
            raise unparsable(text)
        return A1(name, parse_cells(rest[1:], text), text)
    if "!" in text:
        name, _, ref = text.rpartition("!")
        return A1(name, parse_cells(ref, text), text)
    cells = _try_cells(text)
    return A1(text if cells is None else None, cells, text)


def parse_cells(text: str, whole: str) -> Cells:
    cells = _try_cells(text)
    if cells is None:
        raise unparsable(whole)
    return cells


def _quoted_name(text: str) -> tuple[str, str]:
    name, pos = [], 1
    while pos < len(text):
        char = text[pos]
        if char == "'":
            if text[pos + 1 : pos + 2] == "'":
                name.append("'")
                pos += 2
                continue
            return "".join(name), text[pos + 1 :]
        name.append(char)
        pos += 1
    raise unparsable(text)


def _try_cells(text: str) -> Cells | None:
    start, sep, end = text.partition(":")
    first = _ref(start)
    if first is None:
        return None
    if not sep:
        col, row = first
        if col is None or row is None:
            return None  # "A" or "1" alone is not a range
        return Cells(row, row + 1, col, col + 1, anchor=True)
    last = _ref(end)
    if last is None:
        return None
    (col0, row0), (col1, row1) = first, last
    row0, row1 = _ordered(row0, row1)
    col0, col1 = _ordered(col0, col1)
    if row0 is None and row1 is None and (col0 is None or col1 is None):
        return None
    if col0 is None and col1 is None and (row0 is None or row1 is None):
        return None
    return Cells(row0, None if row1 is None else row1 + 1, col0, None if col1 is None else col1 + 1)


def _ordered(a, b):
    if a is not None and b is not None and a > b:
        return b, a
    return a, b


def _ref(text: str) -> tuple[int | None, int | None] | None:
    match = _REF.match(text)
    if not match or not (match.group(1) or match.group(2)):
        return None
    letters, digits = match.groups()
    if digits and int(digits) == 0:
        return None
    return (column_index(letters) if letters else None), (int(digits) - 1 if digits else None)


def quote_name(name: str) -> str:
    if _PLAIN_NAME.match(name) and not _LOOKS_LIKE_REF.match(name):
        return name
    return "'" + name.replace("'", "''") + "'"


def cell_name(row: int, col: int) -> str:
    return f"{column_letters(col)}{row + 1}"


def format_box(sheet: str, row0: int, row1: int, col0: int, col1: int) -> str:
    """Google's answer for a bounded box: Sheet1!A1:D4, or Sheet1!A1 for one cell."""
    start = cell_name(row0, col0)
    if row1 - row0 == 1 and col1 - col0 == 1:
        return f"{quote_name(sheet)}!{start}"
    return f"{quote_name(sheet)}!{start}:{cell_name(row1 - 1, col1 - 1)}"


def unparsable(text: str) -> InvalidArgument:
    return InvalidArgument(f"Unable to parse range: {text}")
