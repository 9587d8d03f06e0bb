"""Tab values as read, kept small: at 100,000 responses a run holds every lead sheet's rows and the logs.

Most cells repeat (an empty note, a status, Yes or No, a consent's name and hash, a reference on its
log rows): each short value is kept once (sys.intern; unreferenced ones are freed), where the JSON
decoder makes a new string for every cell. Long free text is left as it is: it rarely repeats.
"""

from __future__ import annotations

import sys

SHORT = 64  # characters: statuses, answers to choice questions, references, hashes, times


def compact_rows(values: list[list[str]]) -> list[list[str]]:
    """The same rows, in place, their short cells shared: equal values, less memory."""
    intern = sys.intern
    for line in values:
        for i, cell in enumerate(line):
            if type(cell) is str and len(cell) <= SHORT:
                line[i] = intern(cell)
    return values
