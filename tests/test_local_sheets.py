"""The local Sheets v4 API through gspread and google-api-python-client, and the lead's page."""

from __future__ import annotations

import json
import re
import time

import gspread
import pytest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from ppp_gsuite.google.local_session import LocalSession

SHEET_MIME = "application/vnd.google-apps.spreadsheet"


@pytest.fixture
def gc(local) -> gspread.Client:
    return gspread.Client(auth=None, session=LocalSession(local.url, local.token()))


@pytest.fixture
def sheets_api(local):
    return build(
        "sheets",
        "v4",
        credentials=local.credentials(),
        static_discovery=True,
        client_options={"api_endpoint": local.url},
    )


def error_of(call) -> dict:
    with pytest.raises(HttpError) as raised:
        call.execute()
    return json.loads(raised.value.content)["error"]


def api_error(call, *args, **kwargs) -> dict:
    with pytest.raises(gspread.exceptions.APIError) as raised:
        call(*args, **kwargs)
    return raised.value.error


# creating


def test_gspread_create_makes_a_drive_file_with_one_default_sheet(gc, drive_api, local):
    spreadsheet = gc.create("Expressions of interest")
    metadata = spreadsheet.fetch_sheet_metadata()
    assert metadata["properties"]["title"] == "Expressions of interest"
    assert metadata["sheets"] == [
        {
            "properties": {
                "sheetId": 0,
                "title": "Sheet1",
                "index": 0,
                "sheetType": "GRID",
                "gridProperties": {"rowCount": 1000, "columnCount": 26},
            }
        }
    ]
    assert metadata["spreadsheetUrl"] == f"{local.url}/spreadsheets/d/{spreadsheet.id}/edit"
    assert drive_api.files().get(fileId=spreadsheet.id).execute()["mimeType"] == SHEET_MIME


def test_drive_create_with_app_properties_then_sheets_opens_it(drive_api, sheets_api):
    file = (
        drive_api.files()
        .create(
            body={
                "name": "EOI: Urgent care board",
                "mimeType": SHEET_MIME,
                "writersCanShare": False,
                "appProperties": {"pppGsuite": "responses", "pppKey": "eoi"},
            },
            fields="id,writersCanShare",
        )
        .execute()
    )
    assert file["writersCanShare"] is False
    got = sheets_api.spreadsheets().get(spreadsheetId=file["id"], fields="properties.title,sheets.properties").execute()
    assert got == {
        "properties": {"title": "EOI: Urgent care board"},
        "sheets": [
            {
                "properties": {
                    "sheetId": 0,
                    "title": "Sheet1",
                    "index": 0,
                    "sheetType": "GRID",
                    "gridProperties": {"rowCount": 1000, "columnCount": 26},
                }
            }
        ],
    }


def test_sheets_create_is_also_a_drive_file(sheets_api, drive_api):
    made = (
        sheets_api.spreadsheets()
        .create(
            body={
                "properties": {"title": "Expense claims", "locale": "en_GB"},
                "sheets": [{"properties": {"title": "Claims"}}, {"properties": {"title": "Log"}}],
            }
        )
        .execute()
    )
    assert [s["properties"]["title"] for s in made["sheets"]] == ["Claims", "Log"]
    assert made["sheets"][0]["properties"]["sheetId"] == 0
    assert made["properties"]["locale"] == "en_GB"
    assert drive_api.files().get(fileId=made["spreadsheetId"]).execute()["name"] == "Expense claims"


def test_unknown_spreadsheet_is_404(sheets_api):
    assert error_of(sheets_api.spreadsheets().get(spreadsheetId="nope"))["status"] == "NOT_FOUND"


# values


def test_raw_keeps_formulas_as_text_and_user_entered_parses(gc):
    worksheet = gc.create("Values").sheet1
    worksheet.update([["=1+1", "+44 7700 900000", "0012", "@here"]], "A1", raw=True)
    worksheet.update([["=1+1", "12", "TRUE", "'007"]], "A2", raw=False)
    assert worksheet.get("A1:D1") == [["=1+1", "+44 7700 900000", "0012", "@here"]]
    unformatted = worksheet.get("A1:D2", value_render_option="UNFORMATTED_VALUE")
    assert unformatted == [["=1+1", "+44 7700 900000", "0012", "@here"], ["=1+1", 12, True, "007"]]
    assert worksheet.get("A2:C2", value_render_option="FORMULA") == [["=1+1", 12, True]]


def test_numbers_read_back_formatted(sheets_api):
    sid = sheets_api.spreadsheets().create(body={}).execute()["spreadsheetId"]
    values = sheets_api.spreadsheets().values()
    values.update(
        spreadsheetId=sid, range="A1", valueInputOption="RAW", body={"values": [[1, 1.45, 0.4, 2.0, True]]}
    ).execute()
    assert values.get(spreadsheetId=sid, range="A1:E1").execute()["values"] == [["1", "1.45", "0.4", "2", "TRUE"]]


def test_get_trims_trailing_empties_and_keeps_inner_empty_rows(sheets_api):
    sid = sheets_api.spreadsheets().create(body={}).execute()["spreadsheetId"]
    values = sheets_api.spreadsheets().values()
    answer = values.update(
        spreadsheetId=sid,
        range="Sheet1!A1:D4",
        valueInputOption="RAW",
        body={"values": [["a", "", "", ""], ["", "b", "", ""], ["", "", "", ""], ["c", None, "", "d"]]},
    ).execute()
    assert answer["updatedRange"] == "Sheet1!A1:D4" and answer["updatedCells"] == 15
    assert values.get(spreadsheetId=sid, range="Sheet1").execute() == {
        "range": "Sheet1!A1:Z1000",
        "majorDimension": "ROWS",
        "values": [["a"], ["", "b"], [], ["c", "", "", "d"]],
    }
    columns = values.get(spreadsheetId=sid, range="A1:D4", majorDimension="COLUMNS").execute()
    assert columns["values"] == [["a", "", "", "c"], ["", "b"], [], ["", "", "", "d"]]


@pytest.mark.parametrize(
    "asked, answered",
    [
        ("'Sheet1'!A1:1", "Sheet1!A1:Z1"),
        ("Sheet1!A:C", "Sheet1!A1:C1000"),
        ("Sheet1!2:2", "Sheet1!A2:Z2"),
        ("Sheet1!B2:C", "Sheet1!B2:C1000"),
        ("Sheet1!C3:A1", "Sheet1!A1:C3"),
        ("Sheet1!A1:A1", "Sheet1!A1"),
        ("A1:B2", "Sheet1!A1:B2"),
        ("Sheet1", "Sheet1!A1:Z1000"),
        ("sheet1!A1:Z5000", "Sheet1!A1:Z1000"),
        ("'Lead''s notes'!A1:B2", "'Lead''s notes'!A1:B2"),
        ("Lead's notes", "'Lead''s notes'!A1:Z1000"),
        ("'EOI / Board 2'!A:A", "'EOI / Board 2'!A1:A1000"),
    ],
)
def test_a1_ranges_answered_as_google_does(sheets_api, asked, answered):
    made = (
        sheets_api.spreadsheets()
        .create(
            body={
                "sheets": [
                    {"properties": {"title": "Sheet1"}},
                    {"properties": {"title": "Lead's notes"}},
                    {"properties": {"title": "EOI / Board 2"}},
                ]
            }
        )
        .execute()
    )
    got = sheets_api.spreadsheets().values().get(spreadsheetId=made["spreadsheetId"], range=asked).execute()
    assert got["range"] == answered


def test_ranges_outside_the_grid_or_unknown_sheets_are_400(gc):
    spreadsheet = gc.create("Edges")
    error = api_error(spreadsheet.values_get, "Sheet1!A1001")
    assert error["message"] == "Range (Sheet1!A1001) exceeds grid limits. Max rows: 1000, max columns: 26"
    assert api_error(spreadsheet.values_get, "Nowhere!A1")["message"] == "Unable to parse range: Nowhere!A1"
    update = api_error(spreadsheet.sheet1.update, [["x"]] * 3, "A999", raw=True)
    assert update["code"] == 400 and "exceeds grid limits" in update["message"]
    narrow = api_error(spreadsheet.sheet1.update, [["a", "b", "c"]], "A1:B1", raw=True)
    assert narrow["message"] == "Requested writing within range ['Sheet1'!A1:B1], but tried writing to column [C]"


def test_append_finds_the_table_end_and_grows_the_grid(gc):
    spreadsheet = gc.create("Append")
    worksheet = spreadsheet.sheet1
    worksheet.resize(rows=3, cols=4)
    worksheet.update([["Reference", "Name"], ["r1", "Ada"]], "A1", raw=True)
    answer = worksheet.append_rows([["r2", "Bo"], ["r3", "Cy"], ["r4", "Di"]], value_input_option="RAW")
    assert answer["tableRange"] == "Sheet1!A1:B2"
    assert answer["updates"]["updatedRange"] == "Sheet1!A3:B5"
    assert answer["updates"]["updatedRows"] == 3 and answer["updates"]["updatedCells"] == 6
    spreadsheet = gc.open_by_key(spreadsheet.id)
    assert spreadsheet.sheet1.row_count == 5
    assert spreadsheet.sheet1.get_all_values()[-1] == ["r4", "Di"]
    too_wide = api_error(worksheet.append_row, ["a", "b", "c", "d", "e"], value_input_option="RAW")
    assert "exceeds grid limits" in too_wide["message"]


def test_batch_get_batch_update_clear(sheets_api):
    sid = sheets_api.spreadsheets().create(body={}).execute()["spreadsheetId"]
    values = sheets_api.spreadsheets().values()
    answer = values.batchUpdate(
        spreadsheetId=sid,
        body={
            "valueInputOption": "RAW",
            "data": [{"range": "A1:B1", "values": [["h1", "h2"]]}, {"range": "A3", "values": [["x"], ["y"]]}],
        },
    ).execute()
    assert (answer["totalUpdatedRows"], answer["totalUpdatedColumns"], answer["totalUpdatedCells"]) == (3, 2, 4)
    got = values.batchGet(spreadsheetId=sid, ranges=["A1:B1", "A3:A4"]).execute()
    assert [r["values"] for r in got["valueRanges"]] == [[["h1", "h2"]], [["x"], ["y"]]]
    cleared = values.batchClear(spreadsheetId=sid, body={"ranges": ["A3:A3", "B1"]}).execute()
    assert cleared["clearedRanges"] == ["Sheet1!A3", "Sheet1!B1"]
    assert values.get(spreadsheetId=sid, range="A1:B4").execute()["values"] == [["h1"], [], [], ["y"]]
    assert values.clear(spreadsheetId=sid, range="Sheet1", body={}).execute()["clearedRange"] == "Sheet1!A1:Z1000"


def test_a_cell_over_50000_characters_is_refused(sheets_api):
    sid = sheets_api.spreadsheets().create(body={}).execute()["spreadsheetId"]
    error = error_of(
        sheets_api.spreadsheets()
        .values()
        .update(spreadsheetId=sid, range="A1", valueInputOption="RAW", body={"values": [["x" * 50001]]})
    )
    assert error["code"] == 400 and "50000 characters" in error["message"]


def test_value_input_option_is_required(sheets_api):
    sid = sheets_api.spreadsheets().create(body={}).execute()["spreadsheetId"]
    error = error_of(sheets_api.spreadsheets().values().update(spreadsheetId=sid, range="A1", body={"values": [["x"]]}))
    assert error["status"] == "INVALID_ARGUMENT"


# batchUpdate


def test_formatting_requests_and_their_replies(sheets_api, drive_api):
    sid = sheets_api.spreadsheets().create(body={"properties": {"title": "EOI"}}).execute()["spreadsheetId"]
    requests = [
        {"addSheet": {"properties": {"title": "Responses", "gridProperties": {"rowCount": 50, "columnCount": 6}}}},
        {"updateSpreadsheetProperties": {"properties": {"title": "EOI: Urgent care"}, "fields": "title"}},
    ]
    replies = sheets_api.spreadsheets().batchUpdate(spreadsheetId=sid, body={"requests": requests}).execute()["replies"]
    added = replies[0]["addSheet"]["properties"]
    assert added["index"] == 1 and added["gridProperties"] == {"rowCount": 50, "columnCount": 6}
    assert replies[1] == {}
    tab = added["sheetId"]
    requests = [
        {
            "updateSheetProperties": {
                "properties": {"sheetId": tab, "gridProperties": {"frozenRowCount": 1}},
                "fields": "gridProperties.frozenRowCount",
            }
        },
        {
            "repeatCell": {
                "range": {"sheetId": tab, "startRowIndex": 0, "endRowIndex": 1},
                "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                "fields": "userEnteredFormat.textFormat.bold",
            }
        },
        {
            "updateDimensionProperties": {
                "range": {"sheetId": tab, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1},
                "properties": {"pixelSize": 240},
                "fields": "pixelSize",
            }
        },
        {
            "setDataValidation": {
                "range": {"sheetId": tab, "startRowIndex": 1, "startColumnIndex": 5, "endColumnIndex": 6},
                "rule": {
                    "condition": {
                        "type": "ONE_OF_LIST",
                        "values": [{"userEnteredValue": "New"}, {"userEnteredValue": "Shortlisted"}],
                    },
                    "strict": True,
                    "showCustomUi": True,
                },
            }
        },
        {
            "addProtectedRange": {
                "protectedRange": {
                    "range": {"sheetId": tab, "startColumnIndex": 0, "endColumnIndex": 5},
                    "description": "Filled in by ppp-gsuite",
                    "warningOnly": True,
                }
            }
        },
        {
            "addConditionalFormatRule": {
                "index": 0,
                "rule": {
                    "ranges": [{"sheetId": tab, "startRowIndex": 1, "startColumnIndex": 5, "endColumnIndex": 6}],
                    "booleanRule": {
                        "condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": "New"}]},
                        "format": {"backgroundColor": {"red": 0.9}},
                    },
                },
            }
        },
        {"appendDimension": {"sheetId": tab, "dimension": "ROWS", "length": 10}},
        {"insertDimension": {"range": {"sheetId": tab, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1}}},
        {"deleteDimension": {"range": {"sheetId": tab, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1}}},
    ]
    replies = sheets_api.spreadsheets().batchUpdate(spreadsheetId=sid, body={"requests": requests}).execute()["replies"]
    protected = replies[4]["addProtectedRange"]["protectedRange"]
    assert protected["warningOnly"] is True and isinstance(protected["protectedRangeId"], int)
    assert [r for n, r in enumerate(replies) if n != 4] == [{}] * 8
    got = sheets_api.spreadsheets().get(spreadsheetId=sid).execute()
    assert got["properties"]["title"] == "EOI: Urgent care"
    assert drive_api.files().get(fileId=sid).execute()["name"] == "EOI: Urgent care"
    sheet = got["sheets"][1]
    assert sheet["properties"]["gridProperties"] == {"rowCount": 60, "columnCount": 6, "frozenRowCount": 1}
    assert sheet["protectedRanges"][0]["range"] == {"sheetId": tab, "startColumnIndex": 0, "endColumnIndex": 5}
    assert sheet["conditionalFormats"][0]["ranges"][0]["startColumnIndex"] == 5
    grid = sheets_api.spreadsheets().get(spreadsheetId=sid, ranges=["Responses!F2"], includeGridData=True).execute()
    cell = grid["sheets"][0]["data"][0]["rowData"][0]["values"][0]
    assert cell["dataValidation"]["condition"]["type"] == "ONE_OF_LIST"


def test_gspread_worksheet_helpers(gc):
    spreadsheet = gc.create("Helpers")
    worksheet = spreadsheet.add_worksheet("Claims", rows=10, cols=5)
    worksheet.freeze(rows=1)
    worksheet.format("A1:E1", {"textFormat": {"bold": True}})
    worksheet.update_title("Expense claims")
    worksheet.add_rows(5)
    worksheet.insert_rows([["r1", "Ada"]], row=2)
    worksheet.delete_rows(2)
    spreadsheet.del_worksheet(spreadsheet.sheet1)
    properties = spreadsheet.fetch_sheet_metadata()["sheets"][0]["properties"]
    assert properties["title"] == "Expense claims" and properties["index"] == 0
    assert properties["gridProperties"] == {"rowCount": 15, "columnCount": 5, "frozenRowCount": 1}


def test_batch_update_is_all_or_nothing(sheets_api):
    sid = sheets_api.spreadsheets().create(body={}).execute()["spreadsheetId"]
    error = error_of(
        sheets_api.spreadsheets().batchUpdate(
            spreadsheetId=sid,
            body={"requests": [{"addSheet": {"properties": {"title": "Kept?"}}}, {"deleteSheet": {"sheetId": 12345}}]},
        )
    )
    assert error["message"] == "Invalid requests[1].deleteSheet: No grid with id: 12345"
    titles = [s["properties"]["title"] for s in sheets_api.spreadsheets().get(spreadsheetId=sid).execute()["sheets"]]
    assert titles == ["Sheet1"]


def test_a_body_that_breaks_the_discovery_schema_is_400(sheets_api, gc):
    sid = sheets_api.spreadsheets().create(body={}).execute()["spreadsheetId"]
    error = error_of(
        sheets_api.spreadsheets().batchUpdate(
            spreadsheetId=sid,
            body={
                "requests": [
                    {"setDataValidation": {"range": {"sheetId": 0}, "rule": {"condition": {"type": "ONE_OF_LISTS"}}}}
                ]
            },
        )
    )
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    assert "ONE_OF_LISTS" in error["message"]
    unknown = api_error(gc.open_by_key(sid).batch_update, {"requests": [{"addSheet": {"properties": {"titel": "x"}}}]})
    assert unknown["code"] == 400 and "titel" in unknown["message"]


def test_duplicate_sheet_titles_and_removing_the_last_sheet_are_refused(gc):
    spreadsheet = gc.create("Rules")
    assert "already exists" in api_error(spreadsheet.add_worksheet, "sheet1", 5, 5)["message"]
    assert "can't remove all the sheets" in api_error(spreadsheet.del_worksheet, spreadsheet.sheet1)["message"]


def test_developer_metadata_create_and_search(sheets_api):
    sid = sheets_api.spreadsheets().create(body={}).execute()["spreadsheetId"]
    body = {
        "requests": [
            {
                "createDeveloperMetadata": {
                    "developerMetadata": {
                        "metadataKey": "pppTab",
                        "metadataValue": "eoi",
                        "location": {"sheetId": 0},
                        "visibility": "DOCUMENT",
                    }
                }
            }
        ]
    }
    created = sheets_api.spreadsheets().batchUpdate(spreadsheetId=sid, body=body).execute()["replies"][0]
    metadata = created["createDeveloperMetadata"]["developerMetadata"]
    assert metadata["location"] == {"locationType": "SHEET", "sheetId": 0}
    found = (
        sheets_api.spreadsheets()
        .developerMetadata()
        .search(spreadsheetId=sid, body={"dataFilters": [{"developerMetadataLookup": {"metadataKey": "pppTab"}}]})
        .execute()
    )
    assert found["matchedDeveloperMetadata"][0]["developerMetadata"] == metadata
    assert sheets_api.spreadsheets().get(spreadsheetId=sid).execute()["sheets"][0]["developerMetadata"] == [metadata]


def test_ten_thousand_rows_in_a_few_requests(sheets_api):
    sid = (
        sheets_api.spreadsheets()
        .create(
            body={
                "sheets": [
                    {"properties": {"title": "Responses", "gridProperties": {"rowCount": 10001, "columnCount": 25}}}
                ]
            }
        )
        .execute()["spreadsheetId"]
    )
    values = sheets_api.spreadsheets().values()
    started = time.monotonic()
    for block in range(4):
        rows = [[f"r{block}-{n}-{c}" for c in range(25)] for n in range(2500)]
        values.batchUpdate(
            spreadsheetId=sid,
            body={"valueInputOption": "RAW", "data": [{"range": f"Responses!A{2 + block * 2500}", "values": rows}]},
        ).execute()
    got = values.get(spreadsheetId=sid, range="Responses").execute()
    assert len(got["values"]) == 10001 and got["values"][-1][-1] == "r3-2499-24"
    assert time.monotonic() - started < 15


# the lead's page


def _lead_sheet(gc):
    spreadsheet = gc.create("EOI: <Board> & co")
    worksheet = spreadsheet.sheet1
    worksheet.update(
        [
            ["Reference", "Answer", "Status", "Notes"],
            ["r1", "<b>I care</b> & more", "New", ""],
            ["r2", "Second", "", "call back"],
        ],
        "A1",
        raw=True,
    )
    spreadsheet.batch_update(
        {
            "requests": [
                {
                    "setDataValidation": {
                        "range": {"sheetId": 0, "startRowIndex": 1, "startColumnIndex": 2, "endColumnIndex": 3},
                        "rule": {
                            "condition": {
                                "type": "ONE_OF_LIST",
                                "values": [
                                    {"userEnteredValue": "New"},
                                    {"userEnteredValue": "Shortlisted"},
                                    {"userEnteredValue": "Appointed"},
                                ],
                            },
                            "strict": True,
                            "showCustomUi": True,
                        },
                    }
                },
                {
                    "addProtectedRange": {
                        "protectedRange": {
                            "range": {"sheetId": 0, "startColumnIndex": 0, "endColumnIndex": 2},
                            "warningOnly": True,
                        }
                    }
                },
            ]
        }
    )
    return spreadsheet


def test_lead_page_shows_selects_inputs_and_read_only_text(gc, local):
    spreadsheet = _lead_sheet(gc)
    status, html = local.request("GET", f"/spreadsheets/d/{spreadsheet.id}/edit")
    assert status == 200
    assert "EOI: &lt;Board&gt; &amp; co" in html
    assert "&lt;b&gt;I care&lt;/b&gt; &amp; more" in html and "<b>I care" not in html
    assert re.search(
        r'<select name="0!C2"[^>]*>\s*<option value=""></option>\s*<option selected>New</option>'
        r"<option>Shortlisted</option><option>Appointed</option>",
        html,
    )
    assert '<input type="text" name="0!D3" value="call back"' in html
    assert 'name="0!A2"' not in html and 'name="0!B2"' not in html


def test_lead_page_saves_a_changed_select(gc, local):
    spreadsheet = _lead_sheet(gc)
    page = f"/spreadsheets/d/{spreadsheet.id}/edit"
    status, html = local.request("POST", page, form={"0!C2": "Shortlisted", "0!C3": "", "0!D3": "call back"})
    assert status == 200 and "Saved 1 cell." in html
    assert spreadsheet.sheet1.get("C2:D3") == [["Shortlisted"], ["", "call back"]]
    status, html = local.request("POST", page, form={"0!C2": "Hired"})
    assert status == 400 and "not one of the choices" in html
    status, html = local.request("POST", page, form={"0!B2": "rewritten"})
    assert status == 403 and "protected" in html
    assert spreadsheet.sheet1.get("B2:C2") == [["<b>I care</b> & more", "Shortlisted"]]
    assert local.request("GET", "/spreadsheets/d/missing/edit")[0] == 404


def test_get_with_ranges_answers_only_those_sheets_their_rows_and_the_fields_asked(gc, sheets_api):
    """What the sync's column read asks first (SheetsApi.read_columns): each tab's header row and grid size."""
    spreadsheet = gc.create("Header rows")
    spreadsheet.sheet1.update_title("Log")
    spreadsheet.sheet1.update([["Record", "", "Answer"], ["r1", "x", "Yes"]], "A1", raw=True)
    spreadsheet.add_worksheet("Other", rows=5, cols=3).update([["Not asked"]], "A1", raw=True)
    fields = "sheets(properties(title,gridProperties(rowCount,columnCount)),data(rowData(values(formattedValue))))"
    got = (
        sheets_api.spreadsheets()
        .get(spreadsheetId=spreadsheet.id, ranges=["'Log'!1:1"], includeGridData=True, fields=fields)
        .execute()
    )
    assert got == {
        "sheets": [
            {
                "properties": {"title": "Log", "gridProperties": {"rowCount": 1000, "columnCount": 26}},
                "data": [{"rowData": [{"values": [{"formattedValue": "Record"}, {}, {"formattedValue": "Answer"}]}]}],
            }
        ]
    }
