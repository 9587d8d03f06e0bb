"""A tab's look, as spreadsheets.batchUpdate requests: frozen header, dropdowns, widths, protection, colours."""

from __future__ import annotations

from typing import Any

from ..vocabulary import (
    AGREEMENT_MADE,
    APPOINTED,
    APPROVED,
    CLOSED,
    INVITED,
    MATCHED,
    NEW,
    NOT_APPOINTED,
    PAID,
    QUERIED,
    REJECTED,
    SHORTLISTED,
    TERM_ENDED,
    WITHDRAWN,
)
from .layout import TabLayout

ROWS = 1000  # a new sheet's grid, as Google makes it
STATUS_COLOURS = {
    NEW: (0.87, 0.92, 0.98),
    SHORTLISTED: (1.0, 0.95, 0.8),
    INVITED: (0.99, 0.9, 0.8),
    APPOINTED: (0.85, 0.94, 0.83),
    NOT_APPOINTED: (0.93, 0.93, 0.93),
    WITHDRAWN: (0.93, 0.93, 0.93),
    TERM_ENDED: (0.93, 0.93, 0.93),
    MATCHED: (1.0, 0.95, 0.8),
    AGREEMENT_MADE: (0.85, 0.94, 0.83),
    CLOSED: (0.93, 0.93, 0.93),
    QUERIED: (1.0, 0.95, 0.8),
    APPROVED: (0.85, 0.94, 0.83),
    REJECTED: (0.96, 0.8, 0.8),
    PAID: (0.8, 0.9, 0.8),
}
PROTECTED_NOTE = "Filled in by ppp-gsuite from the form: changes here are overwritten. Use the lead columns."


def _colour(rgb: tuple[float, float, float]) -> dict[str, float]:
    red, green, blue = rgb
    return {"red": red, "green": green, "blue": blue}


def grid_columns(layout: TabLayout) -> int:
    """A new tab's width: Google's 26 columns, or more when the layout needs them."""
    return max(26, len(layout.columns))


def _columns(sheet_id: int, first: int, last: int, start_row: int = 0) -> dict[str, Any]:
    return {"sheetId": sheet_id, "startRowIndex": start_row, "startColumnIndex": first, "endColumnIndex": last + 1}


def tab_requests(layout: TabLayout, sheet_id: int, add: bool) -> list[dict[str, Any]]:
    """Requests that create (or rename sheet 0 into) this tab and lay it out; columns in layout order."""
    grid = {"frozenRowCount": 1, "rowCount": ROWS, "columnCount": grid_columns(layout)}
    properties = {"sheetId": sheet_id, "title": layout.tab, "gridProperties": grid}
    requests: list[dict[str, Any]]
    if add:
        requests = [{"addSheet": {"properties": properties}}]
    else:
        requests = [{"updateSheetProperties": {"properties": properties, "fields": "title,gridProperties"}}]
    requests.append(
        {
            "repeatCell": {
                "range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1},
                "cell": {
                    "userEnteredFormat": {
                        "textFormat": {"bold": True},
                        "wrapStrategy": "WRAP",
                        "backgroundColor": _colour((0.9, 0.9, 0.9)),
                    }
                },
                "fields": "userEnteredFormat(textFormat,wrapStrategy,backgroundColor)",
            }
        }
    )
    for position, column in enumerate(layout.columns):
        requests.append(
            {
                "updateDimensionProperties": {
                    "range": {
                        "sheetId": sheet_id,
                        "dimension": "COLUMNS",
                        "startIndex": position,
                        "endIndex": position + 1,
                    },
                    "properties": {"pixelSize": column.width},
                    "fields": "pixelSize",
                }
            }
        )
        if column.plain_text:  # Sheets turns a typed date into a number shown in the sheet's locale; text stays
            requests.append(
                {
                    "repeatCell": {
                        "range": _columns(sheet_id, position, position, start_row=1),
                        "cell": {"userEnteredFormat": {"numberFormat": {"type": "TEXT"}}},
                        "fields": "userEnteredFormat.numberFormat",
                    }
                }
            )
        if column.choices:
            requests.append(
                {
                    "setDataValidation": {
                        "range": _columns(sheet_id, position, position, start_row=1),
                        "rule": {
                            "condition": {
                                "type": "ONE_OF_LIST",
                                "values": [{"userEnteredValue": c} for c in column.choices],
                            },
                            "showCustomUi": True,
                            "strict": True,
                        },
                    }
                }
            )
            requests.extend(_status_colours(sheet_id, position, column.choices))
    for first, last in _tool_runs(layout):
        requests.append(
            {
                "addProtectedRange": {
                    "protectedRange": {
                        "range": _columns(sheet_id, first, last),
                        "description": PROTECTED_NOTE,
                        "warningOnly": True,
                    }
                }
            }
        )
    return requests


def _tool_runs(layout: TabLayout) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for position, column in enumerate(layout.columns):
        if column.kind == "lead":
            continue
        if runs and runs[-1][1] == position - 1:
            runs[-1] = (runs[-1][0], position)
        else:
            runs.append((position, position))
    return runs


def _status_colours(sheet_id: int, position: int, choices: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {
            "addConditionalFormatRule": {
                "index": 0,
                "rule": {
                    "ranges": [_columns(sheet_id, position, position, start_row=1)],
                    "booleanRule": {
                        "condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": choice}]},
                        "format": {"backgroundColor": _colour(STATUS_COLOURS[choice])},
                    },
                },
            }
        }
        for choice in choices
        if choice in STATUS_COLOURS
    ]
