"""Sheets v4 calls through gspread's HTTP client: one request per call, values always RAW."""

from __future__ import annotations

from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from .errors import GoogleApiError, transport_failures_translated
from .payload import chunked

RAW = "RAW"  # never USER_ENTERED: applicant text stays text (docs/decisions.md §7)


def _wrapped(method: str, call, *args):
    with transport_failures_translated(method):
        try:
            return call(*args)
        except APIError as error:
            body = error.error if isinstance(error.error, dict) else {}
            raise GoogleApiError(error.code, body.get("status", ""), body.get("message", str(error)), method) from None


class SheetsApi:
    def __init__(self, http: HTTPClient):
        self._http = http

    def read_tabs(self, spreadsheet_id: str, titles: list[str]) -> dict[str, tuple[str, list[list[str]]]]:
        """values.batchGet of whole tabs: title -> (the answered range, which tells the grid size, rows)."""
        ranges = ["'" + t.replace("'", "''") + "'" for t in titles]
        answer = _wrapped(
            "sheets.spreadsheets.values.batchGet",
            self._http.values_batch_get,
            spreadsheet_id,
            ranges,
            {"majorDimension": "ROWS"},
        )
        return {
            title: (value_range.get("range", ""), value_range.get("values", []))
            for title, value_range in zip(titles, answer.get("valueRanges", []))
        }

    def metadata(self, spreadsheet_id: str) -> dict:
        """spreadsheets.get, sheet properties only: needed when tabs must be added."""
        params = {"fields": "spreadsheetId,properties.title,sheets.properties"}
        return _wrapped("sheets.spreadsheets.get", self._http.spreadsheets_get, spreadsheet_id, params)

    def batch_update(self, spreadsheet_id: str, requests: list[dict]) -> dict:
        return _wrapped(
            "sheets.spreadsheets.batchUpdate", self._http.batch_update, spreadsheet_id, {"requests": requests}
        )

    def write(self, spreadsheet_id: str, ranges: list[tuple[str, list[list[str]]]]) -> dict:
        """values.batchUpdate, RAW: every changed cell of a spreadsheet, in as few requests as fit under
        Google's recommended 2 MB each (payload.chunked), in order. Returns the last answer."""
        answer: dict = {}
        for part in chunked(ranges) or [[]]:  # nothing to write is still one request, as before
            body = {
                "valueInputOption": RAW,
                "data": [{"range": r, "majorDimension": "ROWS", "values": v} for r, v in part],
            }
            answer = _wrapped(
                "sheets.spreadsheets.values.batchUpdate", self._http.values_batch_update, spreadsheet_id, body
            )
        return answer
