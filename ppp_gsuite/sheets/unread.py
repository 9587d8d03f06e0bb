"""A cell the run did not read: what a tab's values hold where a column was left out of the read.

The sync reads back only the columns it uses (SheetsApi.read_columns): an applicant's long answers
are written once and not downloaded again every run. Their cells stand as UNREAD, one shared object
that is not a string, so code that wrongly relies on one fails loudly (joining, comparing as text,
writing it) instead of taking it for an empty cell.
"""

from __future__ import annotations

from typing import cast


class _Unread:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNREAD"

    def __bool__(self) -> bool:
        return True  # a row with a cell not read may hold text there: never taken for an empty row


UNREAD = cast(str, _Unread())  # sits in list[list[str]] values; never equal to any text


def is_unread(cell: object) -> bool:
    return cell is UNREAD
