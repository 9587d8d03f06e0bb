"""Sheets v4 REST handlers: parse, call the state, serialise."""

from __future__ import annotations

from ..routing import ApiCall


def spreadsheet_url(base_url: str, spreadsheet_id: str) -> str:
    """Where a person opens the spreadsheet: the lead's page of the local workspace."""
    return f"{base_url}/spreadsheets/d/{spreadsheet_id}/edit"


def _with_url(spreadsheet: dict, call: ApiCall) -> dict:
    spreadsheet["spreadsheetUrl"] = spreadsheet_url(call.base_url, spreadsheet["spreadsheetId"])
    return spreadsheet


def create(ws, call: ApiCall) -> dict:
    return _with_url(ws.sheets.create(call.body or {}), call)


def get(ws, call: ApiCall, spreadsheet_id: str) -> dict:
    return _with_url(
        ws.sheets.get(spreadsheet_id, call.request.args.getlist("ranges"), call.flag("includeGridData")), call
    )


def batch_update(ws, call: ApiCall, spreadsheet_id: str) -> dict:
    reply = ws.sheets.batch_update(spreadsheet_id, call.body or {})
    if "updatedSpreadsheet" in reply:
        _with_url(reply["updatedSpreadsheet"], call)
    return reply


def developer_metadata_search(ws, call: ApiCall, spreadsheet_id: str) -> dict:
    return ws.sheets.search_developer_metadata(spreadsheet_id, call.body or {})


def values_get(ws, call: ApiCall, spreadsheet_id: str, value_range: str) -> dict:
    return ws.sheets.values_get(
        spreadsheet_id, value_range, call.params.get("majorDimension"), call.params.get("valueRenderOption")
    )


def values_batch_get(ws, call: ApiCall, spreadsheet_id: str) -> dict:
    return ws.sheets.values_batch_get(
        spreadsheet_id,
        call.request.args.getlist("ranges"),
        call.params.get("majorDimension"),
        call.params.get("valueRenderOption"),
    )


def values_update(ws, call: ApiCall, spreadsheet_id: str, value_range: str) -> dict:
    return ws.sheets.values_update(spreadsheet_id, value_range, call.body or {}, call.params)


def values_batch_update(ws, call: ApiCall, spreadsheet_id: str) -> dict:
    return ws.sheets.values_batch_update(spreadsheet_id, call.body or {})


def values_append(ws, call: ApiCall, spreadsheet_id: str, value_range: str) -> dict:
    return ws.sheets.values_append(spreadsheet_id, value_range, call.body or {}, call.params)


def values_clear(ws, call: ApiCall, spreadsheet_id: str, value_range: str) -> dict:
    return ws.sheets.values_clear(spreadsheet_id, value_range)


def values_batch_clear(ws, call: ApiCall, spreadsheet_id: str) -> dict:
    return ws.sheets.values_batch_clear(spreadsheet_id, call.body or {})
