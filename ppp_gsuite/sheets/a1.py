"""A1 notation for the ranges the tool writes."""

from collections.abc import Iterable


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 0, Z -> 25, AA -> 26."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number - 1


def quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def cell_range(title: str, row: int, first_col: int, last_col: int, last_row: int | None = None) -> str:
    """Rows are 1-based as in Sheets; columns 0-based."""
    return f"{quoted(title)}!{column_letters(first_col)}{row}:{column_letters(last_col)}{last_row or row}"


def runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """[0, 1, 2, 5, 6] -> [(0, 2), (5, 6)]: adjacent columns (or rows) as (first, last), for one range each."""
    found: list[tuple[int, int]] = []
    for number in sorted(numbers):
        if found and number == found[-1][1] + 1:
            found[-1] = (found[-1][0], number)
        else:
            found.append((number, number))
    return found
