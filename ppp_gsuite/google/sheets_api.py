"""Sheets v4 calls through gspread's HTTP client: one request per call, values always RAW."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

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
