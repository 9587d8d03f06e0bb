"""Request payloads: Google refuses a Sheets request over 10 MiB; the tool writes in pieces under 2 MB."""

from __future__ import annotations

import json

from ppp_gsuite.google.drive_api import DriveApi
from ppp_gsuite.google.payload import MAX_PAYLOAD, chunked
from ppp_gsuite.google.sheets_api import SheetsApi
from ppp_gsuite.sheets.a1 import cell_range

LIMIT = 10_485_760


def test_the_stand_in_refuses_a_sheets_request_over_ten_mebibytes(local):
    spreadsheet = DriveApi(local.clients().drive).create_spreadsheet("Big", {"ppp_gsuite": "test"})["id"]
    rows = [["x" * 1000] * 26 for _ in range(410)]  # about 10.7 MB of JSON
    body = {"valueInputOption": "RAW", "data": [{"range": "Sheet1!A1:Z410", "values": rows}]}
    assert len(json.dumps(body)) > LIMIT
    status, text = local.request("POST", f"/v4/spreadsheets/{spreadsheet}/values:batchUpdate", body=body)
    assert status == 400
    error = json.loads(text)["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["message"] == f"Request payload size exceeds the limit: {LIMIT} bytes."
    small = {"valueInputOption": "RAW", "data": [{"range": "Sheet1!A1:Z10", "values": rows[:10]}]}
    assert local.request("POST", f"/v4/spreadsheets/{spreadsheet}/values:batchUpdate", body=small)[0] == 200


def test_a_write_over_ten_mebibytes_goes_in_requests_under_two_megabytes_and_lands_whole(local):
    clients = local.clients()
    spreadsheet = DriveApi(clients.drive).create_spreadsheet("Big", {"ppp_gsuite": "test"})["id"]
    sizes = []
    unsized = clients.sheets.session.request

    def sized(method, url, *args, **kwargs):
        if "batchUpdate" in url:
            sizes.append(len(json.dumps(kwargs.get("json"))))
        return unsized(method, url, *args, **kwargs)

    clients.sheets.session.request = sized
    rows = [[f"{r}-{c}-" + "é" * 300 for c in range(26)] for r in range(1000)]  # é is 6 bytes as JSON sends it
    header = [("Sheet1!A1:B1", [["first", "second"]])]
    SheetsApi(clients.sheets).write(spreadsheet, header + [(cell_range("Sheet1", 1, 0, 25, 1000), rows)])
    total = len(json.dumps(rows))
    assert total > LIMIT
    assert all(size <= MAX_PAYLOAD for size in sizes)
    assert len(sizes) <= 2 * (total // MAX_PAYLOAD + 1)  # within twice the fewest that fit
    read = SheetsApi(clients.sheets).read_tabs(spreadsheet, ["Sheet1"])["Sheet1"][1]
    assert read == rows  # every row, in its place; the later write over A1:B1 won, as in one request


def test_pieces_keep_order_and_contiguous_ranges():
    rows = [[str(n) * 50] for n in range(100)]
    parts = chunked([("'A tab'!C5:C104", rows), ("'A tab'!C5:C5", [["last"]])], limit=1200)
    flat = [piece for part in parts for piece in part]
    assert flat[-1] == ("'A tab'!C5:C5", [["last"]])
    starts = [int(a1.split("!C")[1].split(":")[0]) for a1, _ in flat[:-1]]
    lengths = [len(block) for _, block in flat[:-1]]
    assert starts[0] == 5 and all(b == a + n for a, b, n in zip(starts, starts[1:], lengths))
    assert [row for _, block in flat[:-1] for row in block] == rows
    assert all(len(json.dumps(part)) <= 1200 for part in parts)


def test_a_spreadsheet_that_would_pass_the_cell_limit_says_so_and_nothing_is_written_there(env, monkeypatch):
    """Google refuses a write past 10 million cells half-way through a run; the tool says so before writing.
    (The limit is lowered here: a test cannot fill ten million cells. The stand-in keeps Google's.)"""
    from ppp_gsuite.sync import spreadsheets
    from ppp_gsuite.sync.spreadsheets import sheet_id_for
    from sync_env import TAB

    for n in range(3):
        env.answer("eoi-heart-board", "expression_of_interest", full_name=f"First {n}")
    env.apply()
    book = env.spreadsheet("opportunity:heart-board")
    # A lead deleted the empty rows of one tab and made another one far longer: this spreadsheet is the
    # largest, and its first tab must grow for the new rows.
    other = next(s["properties"] for s in env.sheets.metadata(book)["sheets"] if s["properties"]["title"] != TAB)
    shrink = {"sheetId": sheet_id_for(TAB), "gridProperties": {"rowCount": 5}}
    longer = {"sheetId": other["sheetId"], "gridProperties": {"rowCount": 20_000}}
    env.sheets.batch_update(
        book,
        [
            {"updateSheetProperties": {"properties": grid, "fields": "gridProperties.rowCount"}}
            for grid in (shrink, longer)
        ],
    )
    grids = [s["properties"]["gridProperties"] for s in env.sheets.metadata(book)["sheets"]]
    cells = sum(g["rowCount"] * g["columnCount"] for g in grids)
    monkeypatch.setattr(spreadsheets, "MAX_CELLS", cells + 50)
    for n in range(4):
        env.answer("eoi-heart-board", "expression_of_interest", full_name=f"Later {n}")
        env.answer("eoi-eye-group", "expression_of_interest", full_name=f"Eye {n}")
    report = env.apply()
    [(name, [problem])] = report.too_large.items()
    assert "past Google's limit" in problem and f"{cells + 50:,}" in problem
    assert len(env.records("opportunity:heart-board")) == 3  # nothing written there
    assert len(env.records("opportunity:eye-group")) == 4  # the others synced
    monkeypatch.setattr(spreadsheets, "MAX_CELLS", 10_000_000)
    env.apply()
    assert len(env.records("opportunity:heart-board")) == 7  # held back, not lost: the next run lists them again


def test_the_stand_in_refuses_a_spreadsheet_past_ten_million_cells(local):
    from ppp_gsuite.google.errors import GoogleApiError

    clients = local.clients()
    spreadsheet = DriveApi(clients.drive).create_spreadsheet("Big", {"ppp_gsuite": "test"})["id"]
    sheets = SheetsApi(clients.sheets)
    grow = {
        "appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 383_000}
    }  # 384,000 rows x 26 columns: 9,984,000 cells
    sheets.batch_update(spreadsheet, [grow])
    try:
        sheets.batch_update(spreadsheet, [{"appendDimension": {**grow["appendDimension"], "length": 1000}}])
    except GoogleApiError as error:
        assert error.code == 400
        assert "above the limit of 10000000 cells" in error.message
    else:
        raise AssertionError("a spreadsheet grew past 10 million cells")


def test_a_consent_log_laid_out_before_keeps_its_rows_and_its_wordings_move_to_their_own_tab(env):
    """Logs written before kept the question's text on every row (most of a large log's bytes): those rows
    stay, and their wordings are kept once, by hash, in "Consent wording", with the current ones."""
    from ppp_gsuite.sync.consent import wording

    env.answer("eoi-heart-board", "expression_of_interest", full_name="Ann", privacy_agreement="I agree")
    env.apply()
    log = env.tab("admin", "Consent log")
    old_text = "Do you agree to the privacy notice (as we worded it last year)?"
    header = log[0] + ["Question as asked"]
    old_row = dict.fromkeys(header, "") | {
        "Record": "old-response|privacy|2025-01-01T00:00:00Z",
        "Reference": "PPP-OLD",
        "Consent": "privacy",
        "Answer": "I agree",
        "Given": "2025-01-01T00:00:00Z",
        "Wording": wording(old_text),
        "Question as asked": old_text,
    }
    env.write("admin", [(f"'Consent log'!A1:{chr(64 + len(header))}1", [header])])
    row = len(log) + 1
    env.write("admin", [(f"'Consent log'!A{row}:{chr(64 + len(header))}{row}", [[old_row[h] for h in header]])])
    env.answer("eoi-eye-group", "expression_of_interest", full_name="Bo", privacy_agreement="I agree")
    env.apply()
    records = env.records("admin", "Consent log")
    assert len(records) == len(log) - 1 + 1 + 1  # every row before, the old one, and Bo's
    assert any(r["Record"] == old_row["Record"] and r["Question as asked"] == old_text for r in records)
    assert all(r["Question as asked"] == "" for r in records if r["Record"] != old_row["Record"])  # short rows
    wordings = {r["Wording"]: r["Question as asked"] for r in env.records("admin", "Consent wording")}
    assert wordings[wording(old_text)] == old_text
    assert {r["Wording"] for r in records} <= set(wordings)  # every row's wording can be read
