"""Sheets v4 calls through gspread's HTTP client: one request per call, values always RAW."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from ..sheets.a1 import cell_range, quoted, runs
from ..sheets.unread import UNREAD
from .compact import compact_rows
from .errors import GoogleApiError, retry_after_seconds, transport_failures_translated
from .payload import chunked
from .retry import RetryPolicy, default_policy

RAW = "RAW"  # never USER_ENTERED: applicant text stays text (docs/decisions.md §7)
# batchUpdate requests whose second application leaves what the first did: repeated after a lost answer.
# Any other (addSheet, appendDimension, addProtectedRange...) is repeated only once `applied` says it was not.
IDEMPOTENT_REQUESTS = {
    "updateSheetProperties",
    "updateSpreadsheetProperties",
    "repeatCell",
    "updateCells",
    "updateDimensionProperties",
    "setDataValidation",
}


def _wrapped(method: str, call, *args):
    with transport_failures_translated(method):
        try:
            return call(*args)
        except APIError as error:
            body = error.error if isinstance(error.error, dict) else {}
            response = getattr(error, "response", None)
            asked = retry_after_seconds(response.headers.get("Retry-After")) if response is not None else None
            raise GoogleApiError(
                error.code, body.get("status", ""), body.get("message", str(error)), method, retry_after=asked
            ) from None


# Cells in one values.batchGet of a column read: each answer a few MB at most (a whole 100,000-row log in
# one answer is a 50 MB body, decoded at once, which is most of a run's peak memory).
BLOCK_CELLS = 200_000
BATCH_GET = "sheets.spreadsheets.values.batchGet"
MOST_RANGES = 100  # rows scattered past this many runs are read as the span they cover
HEADERS_AND_GRID = (
    "sheets(properties(title,gridProperties(rowCount,columnCount)),data(rowData(values(formattedValue))))"
)


def _requests(pieces: list) -> list[list]:
    """Blocks of rows gathered into values.batchGet requests of about BLOCK_CELLS cells each."""
    requests: list[list] = []
    size = BLOCK_CELLS
    for piece in pieces:
        _, first, last, columns, _ = piece
        cells = (last - first + 1) * sum(b - a + 1 for a, b in columns)
        if not requests or size + cells > BLOCK_CELLS:
            requests.append([])
            size = 0
        requests[-1].append(piece)
        size += cells
    return requests


def _trim(values: list[list[str]]) -> None:
    """As values.batchGet answers a whole tab: no trailing empty cells, no trailing empty rows (the columns
    left out were read under the last row holding anything: _read_tails)."""
    for line in values[1:]:
        while line and line[-1] == "":
            line.pop()
    while len(values) > 1 and all(cell == "" or cell is UNREAD for cell in values[-1]):
        values.pop()
    if values == [[]]:
        values.clear()  # an empty tab, as Google answers it: no rows at all


def idempotent(requests: list[dict]) -> bool:
    return all(set(request) <= IDEMPOTENT_REQUESTS for request in requests)


class SheetsApi:
    def __init__(self, http: HTTPClient, retry: RetryPolicy | None = None):
        self._http = http
        self.retry = retry or default_policy()

    def read_tabs(self, spreadsheet_id: str, titles: list[str]) -> dict[str, tuple[str, list[list[str]]]]:
        """values.batchGet of whole tabs: title -> (the answered range, which tells the grid size, rows)."""
        ranges = ["'" + t.replace("'", "''") + "'" for t in titles]
        method = "sheets.spreadsheets.values.batchGet"
        answer = self.retry.read(
            method,
            lambda: _wrapped(method, self._http.values_batch_get, spreadsheet_id, ranges, {"majorDimension": "ROWS"}),
        )
        return {
            title: (value_range.get("range", ""), compact_rows(value_range.get("values", [])))
            for title, value_range in zip(titles, answer.get("valueRanges", []))
        }

    def read_columns(
        self, spreadsheet_id: str, titles: list[str], unread: dict[str, frozenset[str]]
    ) -> dict[str, tuple[tuple[int, int], list[list[str]]]]:
        """Tabs without the columns under the headers in `unread` (title -> headers): title -> (its grid as
        (rows, columns), its rows, the header row whole and each cell left out as UNREAD). One spreadsheets.get
        for the header rows and grid sizes (a column is found by its header, wherever a lead moved it), then
        values.batchGet of the other columns in blocks of rows, each answer a few MB (BLOCK_CELLS)."""
        method = "sheets.spreadsheets.get"
        params = {"ranges": [f"{quoted(t)}!1:1" for t in titles], "includeGridData": "true", "fields": HEADERS_AND_GRID}
        answer = self.retry.read(method, lambda: _wrapped(method, self._http.spreadsheets_get, spreadsheet_id, params))
        asked = {title.lower(): title for title in titles}  # Google matches a tab's name in any case
        found: dict[str, tuple[tuple[int, int], list[list[str]]]] = {}
        pieces: list[tuple[str, int, int, list[tuple[int, int]], int]] = []  # title, rows, column runs, width
        tails: dict[str, list[tuple[int, int]]] = {}  # title -> the runs of its columns left out
        for sheet in answer.get("sheets", []):
            properties = sheet.get("properties", {})
            name, grid = properties.get("title", ""), properties.get("gridProperties", {})
            title = asked.get(name.lower(), name)  # keyed as asked, as read_tabs answers
            rows, columns = grid.get("rowCount", 0), grid.get("columnCount", 0)
            data = (sheet.get("data") or [{}])[0].get("rowData") or [{}]
            header = [cell.get("formattedValue", "") for cell in data[0].get("values", [])]
            while header and header[-1] == "":
                header.pop()
            skipped = {i for i, text in enumerate(header) if text in unread.get(title, frozenset())}
            found[title] = ((rows, columns), [header])  # row 1 kept in its place even when blank
            # the columns under a header (the tool finds none by anything else), or all when row 1 is blank
            width = len(header) if any(header) else columns
            read = runs([i for i in range(width) if i not in skipped])
            if skipped:
                tails[title] = runs(sorted(skipped))
            height = max(1, BLOCK_CELLS // max(1, width - len(skipped)))
            pieces += [
                (title, first, min(rows, first + height - 1), read, width) for first in range(2, rows + 1, height)
            ]
        seen: dict[str, str] = {}  # short cells shared across the blocks of this read
        for request in _requests(pieces):
            ranges = [
                cell_range(title, first, a, b, last) for title, first, last, columns, _ in request for a, b in columns
            ]
            parts: Iterator[dict] = iter(
                self._batch_get(spreadsheet_id, ranges).get("valueRanges", []) if ranges else []
            )
            for title, first, last, columns, width in request:
                lines = [[UNREAD] * width for _ in range(last - first + 1)]
                for a, b in columns:
                    answered: list[list[str]] = compact_rows(next(parts, {}).get("values", []), seen)
                    for line, cells in zip(lines, answered + [[]] * (len(lines) - len(answered))):
                        line[a : b + 1] = cells + [""] * (b + 1 - a - len(cells))
                found[title][1].extend(lines)
        self._read_tails(spreadsheet_id, found, tails)
        for _, values in found.values():
            _trim(values)
        return found

    def _read_tails(
        self, spreadsheet_id: str, found: dict[str, tuple[tuple[int, int], list[list[str]]]], tails: dict
    ) -> None:
        """The columns left out, under the last row holding anything read: a lead may have typed there alone,
        and new rows go after the last row holding anything (one values.batchGet for every tab's tail)."""
        asks = []
        for title, left_out in tails.items():
            values = found[title][1]
            last = max([i for i, line in enumerate(values) if any(c and c is not UNREAD for c in line)] + [0])
            if last + 1 < len(values):
                asks += [(title, last + 2, len(values), a, b) for a, b in left_out]  # 1-based rows after `last`
        if not asks:
            return
        ranges = [cell_range(title, first, a, b, end) for title, first, end, a, b in asks]
        for (title, first, _, a, b), value_range in zip(
            asks, self._batch_get(spreadsheet_id, ranges).get("valueRanges", [])
        ):
            values = found[title][1]
            answered = value_range.get("values", [])
            for number in range(first, len(values) + 1):  # known now: empty, or what is there
                cells = answered[number - first] if number - first < len(answered) else []
                values[number - 1][a : b + 1] = cells + [""] * (b + 1 - a - len(cells))

    def read_cells(
        self, spreadsheet_id: str, title: str, rows: list[int], columns: list[int]
    ) -> dict[tuple[int, int], str]:
        """(row, column) -> its value ("" when empty), for these rows (1-based) and columns (0-based): one
        values.batchGet of each run of adjacent rows by each run of adjacent columns, or of the span of the
        rows when they are scattered (a rescan: every row)."""
        row_runs = runs(rows)
        if len(row_runs) > MOST_RANGES:
            row_runs = [(rows[0], rows[-1])]
        found: dict[tuple[int, int], str] = {}
        for first, last in row_runs:
            for step in range(first, last + 1, BLOCK_CELLS // max(1, len(columns))):
                block_last = min(last, step + BLOCK_CELLS // max(1, len(columns)) - 1)
                column_runs = runs(columns)
                ranges = [cell_range(title, step, a, b, block_last) for a, b in column_runs]
                for (a, _), value_range in zip(
                    column_runs, self._batch_get(spreadsheet_id, ranges).get("valueRanges", [])
                ):
                    for offset, cells in enumerate(value_range.get("values", [])):
                        for i, cell in enumerate(cells):
                            found[(step + offset, a + i)] = cell
        return found

    def _batch_get(self, spreadsheet_id: str, ranges: list[str]) -> dict:
        return self.retry.read(
            BATCH_GET,
            lambda: _wrapped(
                BATCH_GET, self._http.values_batch_get, spreadsheet_id, ranges, {"majorDimension": "ROWS"}
            ),
        )

    def metadata(self, spreadsheet_id: str) -> dict:
        """spreadsheets.get, sheet properties only: needed when tabs must be added."""
        params = {"fields": "spreadsheetId,properties.title,sheets.properties"}
        method = "sheets.spreadsheets.get"
        return self.retry.read(method, lambda: _wrapped(method, self._http.spreadsheets_get, spreadsheet_id, params))

    def batch_update(
        self, spreadsheet_id: str, requests: list[dict], applied: Callable[[], dict | None] | None = None
    ) -> dict:
        """spreadsheets.batchUpdate (atomic: all its requests or none). Repeated after a lost answer when
        every request is idempotent, or when `applied()` (a look at the spreadsheet) finds it was not
        applied: it returns a non-None value when it was."""
        method = "sheets.spreadsheets.batchUpdate"
        return self.retry.write(
            method,
            lambda: _wrapped(method, self._http.batch_update, spreadsheet_id, {"requests": requests}),
            safe=idempotent(requests),
            applied=applied,
        )

    def write(self, spreadsheet_id: str, ranges: list[tuple[str, list[list[str]]]]) -> dict:
        """values.batchUpdate, RAW: every changed cell of a spreadsheet, in as few requests as fit under
        Google's recommended 2 MB each (payload.chunked), in order. Returns the last answer."""
        method = "sheets.spreadsheets.values.batchUpdate"
        answer: dict = {}
        for part in chunked(ranges) or [[]]:  # nothing to write is still one request, as before
            body = {
                "valueInputOption": RAW,
                "data": [{"range": r, "majorDimension": "ROWS", "values": v} for r, v in part],
            }
            # Whole rows (or cells) at ranges fixed by response id, RAW: writing them twice leaves the same cells.
            answer = self.retry.write(
                method,
                partial(_wrapped, method, self._http.values_batch_update, spreadsheet_id, body),
                safe=True,
            )
        return answer
