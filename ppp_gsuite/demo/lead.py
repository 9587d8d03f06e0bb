"""Staff in the spreadsheets: a lead or an approver typing in their own columns, through the Sheets API.

Like a person, they find the row by what they see (the person's name) and the column by its
header, and type only in the columns that are theirs (status, interview, notes, claim status).
"""

from __future__ import annotations

from ..errors import PppError
from ..google.sheets_api import SheetsApi
from ..sheets.a1 import cell_range


class RowNotFound(PppError):
    pass


def type_in_row(sheets: SheetsApi, spreadsheet_id: str, tab: str, find: tuple[str, str], cells: dict[str, str]) -> None:
    """In the row whose `find[0]` column shows `find[1]`, type each of `cells` (header -> text)."""
    header, wanted = find
    values = sheets.read_tabs(spreadsheet_id, [tab])[tab][1]
    headers = values[0] if values else []
    column = headers.index(header) if header in headers else None
    row = next(
        (
            n
            for n, line in enumerate(values[1:], start=2)
            if column is not None and len(line) > column and line[column] == wanted
        ),
        None,
    )
    if row is None:
        raise RowNotFound(f"no row to update in the tab {tab} (looked in its {header} column)")
    missing = [h for h in cells if h not in headers]
    if missing:
        raise RowNotFound(f"the tab {tab} has no column {', '.join(missing)}")
    sheets.write(
        spreadsheet_id,
        [(cell_range(tab, row, headers.index(h), headers.index(h)), [[text]]) for h, text in cells.items()],
    )
