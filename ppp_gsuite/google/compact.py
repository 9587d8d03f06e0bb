"""Tab values as read, kept small: at 100,000 responses a run holds every lead sheet's rows and the logs.

Most cells repeat (an empty note, a status, Yes or No, a consent's name and hash, a reference on its
log rows): each short value is kept once, where the JSON decoder makes a new string for every cell.
The values are shared through a table of one tab's read only, not sys.intern's: that table
lives as long as the process and, at 100,000 rows of mostly unique ids and times, weighs 15 MB.
Long free text is left as it is: it rarely repeats.
"""

from __future__ import annotations

SHORT = 64  # characters: statuses, answers to choice questions, references, hashes, times


def compact_rows(values: list[list[str]], seen: dict[str, str] | None = None) -> list[list[str]]:
    """The same rows, in place, their short cells shared: equal values, less memory. `seen`: the table of a
    read made of several requests (SheetsApi.read_columns), shared by all its blocks."""
    seen = {} if seen is None else seen
    for line in values:
        for i, cell in enumerate(line):
            if type(cell) is str and len(cell) <= SHORT:
                line[i] = seen.setdefault(cell, cell)
    return values
