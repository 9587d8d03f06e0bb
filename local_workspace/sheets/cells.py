"""Cell values: what RAW and USER_ENTERED input store, and how each render option reads it back.

A stored cell is None (empty), a string, a number, a boolean, or {"f": "=..."} for a formula.
Formulas are kept, never evaluated.
"""

from __future__ import annotations

import re

from ..errors import InvalidArgument

MAX_CELL_CHARS = 50000
_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?\Z")

Missing = object()  # a JSON null in the input: leave the cell as it is


def from_input(value, option: str):
    """The stored form of one input value; Missing for null (Google skips null cells)."""
    if value is None:
        return Missing
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        raise InvalidArgument(
            f"Your input contains more than the maximum of {MAX_CELL_CHARS} characters in a single cell."
        )
    if isinstance(value, (dict, list)):
        raise InvalidArgument(f"Invalid values: {value!r} is not a string, number or boolean.")
    if value == "":
        return None
    if option == "RAW" or not isinstance(value, str):
        return value
    return _user_entered(value)


def _user_entered(text: str):
    if text.startswith("=") and len(text) > 1:
        return {"f": text}
    if text.startswith("'"):
        return text[1:] or None
    if text.strip().upper() in ("TRUE", "FALSE"):
        return text.strip().upper() == "TRUE"
    stripped = text.strip()
    percent = stripped.endswith("%")
    if percent:
        stripped = stripped[:-1]
    if stripped and any(c.isdigit() for c in stripped) and _NUMBER.match(stripped):
        number = float(stripped.replace(",", ""))
        if percent:
            number /= 100
        return int(number) if number.is_integer() and abs(number) < 1e15 else number
    return text


def render(value, option: str = "FORMATTED_VALUE"):
    """A stored value as values.get answers it; "" for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return value["f"]
    if option == "FORMATTED_VALUE":
        return formatted(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def formatted(value) -> str:
    """The text a person sees in the cell (Google's General number format, roughly)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return value["f"]
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return format_number(value)
    return str(value)


def format_number(number) -> str:
    if float(number).is_integer() and abs(number) < 1e15:
        return str(int(number))
    text = format(float(number), ".15g")
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}E{'+' if int(exponent) >= 0 else '-'}{abs(int(exponent)):02d}"
    return text
