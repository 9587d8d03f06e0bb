"""The sync reads back only the columns it uses: an applicant's long answers are written once, not downloaded
on every run (issue 13: a run with nothing new downloaded every answer again, 112 MB at 100,000 responses).
What is read is what a whole read gives, wherever a lead moved the columns; a cell not read is never taken
for an empty one."""

from datetime import UTC, datetime, timedelta

import pytest

from ppp_gsuite.google import sheets_api
from ppp_gsuite.sheets.unread import UNREAD
from ppp_gsuite.sync.line_record import NotRead, line_records
from sync_env import EOI, TAB

HEART = "opportunity:heart-board"
LONG = "I have cared for my father for ten years and know the discharge process well. " * 4
DETAILS = "Please describe them"  # the header of the fixture's paragraph question (interests_details)


def downloads(env) -> list[bytes]:
    """Every body the sync's Sheets client receives from now on."""
    bodies: list[bytes] = []
    env.sheets._http.session.hooks["response"].append(lambda response, *a, **k: bodies.append(response.content))
    return bodies


def test_a_quiet_sync_downloads_no_long_answer_and_a_rescan_rewrites_none(env, local):
    """Long answers are read back only for responses submitted since the last run (to compare them): a quiet
    run, and a rescan of every response, download none and rewrite none."""
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    earlier = env.answer_body(EOI, full_name="Robin Applicant", email="robin@example.org", interests_details=LONG)
    local.add_response(
        env.form_ids["eoi-heart-board"], {**earlier, "createTime": an_hour_ago, "lastSubmittedTime": an_hour_ago}
    )
    env.answer("eoi-heart-board", EOI, full_name="Sam Applicant", interests_details="Newest, read again each run.")
    assert env.apply().added == 2
    assert {r["Name"]: r[DETAILS] for r in env.records(HEART)}["Robin Applicant"] == LONG  # written whole
    bodies = downloads(env)
    before = len(local.requests())
    quiet = env.apply()
    assert quiet.added == quiet.updated == 0
    rescan = env.apply(full=True)  # every response listed again, unchanged since the last run
    assert rescan.updated == 0
    assert bodies and not any(LONG[:40].encode() in body for body in bodies)  # never read back
    heart = env.spreadsheet(HEART)  # nothing rewritten there (a rescan's time goes to the admin's)
    assert not [r for r in local.requests()[before:] if r["method"] != "GET" and heart in str(r)]
    assert {r["Name"]: r[DETAILS] for r in env.records(HEART)}["Robin Applicant"] == LONG


def test_an_edited_long_answer_is_rewritten_where_a_lead_moved_its_column(env, local):
    response = env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", interests_details=LONG)
    env.apply()
    header = env.tab(HEART)[0]
    # The lead moves the long answer to the front: columns are found by header, never by position.
    moved = [header[header.index(DETAILS)]] + [h for h in header if h != DETAILS]
    row = dict(zip(header, env.tab(HEART)[1] + [""] * len(header)))
    env.write(HEART, [(f"'{TAB}'!A1", [moved, [row[h] for h in moved]])])
    changed = dict(response["answers"])
    qid = next(q for q, a in changed.items() if a["textAnswers"]["answers"][0]["value"] == LONG)
    changed[qid] = {"questionId": qid, "textAnswers": {"answers": [{"value": "Now: mental health services."}]}}
    local.edit_response(env.form_ids["eoi-heart-board"], response["responseId"], {"answers": changed})
    assert env.apply().updated == 1
    rows = env.records(HEART)
    assert len(rows) == 1 and rows[0][DETAILS] == "Now: mental health services."
    assert env.tab(HEART)[0][0] == DETAILS  # where the lead put it


@pytest.mark.parametrize("block", [3, 7, 1000])
def test_a_column_read_gives_what_a_whole_read_gives_but_the_columns_left_out(env, monkeypatch, block):
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant")
    env.apply()
    sheet = env.spreadsheet(HEART)
    header = env.tab(HEART)[0]
    width = len(header)
    # Ragged rows, a blank row in the middle, text in the long column only, a cell past the rest.
    rows = [["Abe", "", "x"], [], ["", "", "", "only here"], ["Bea"] + [""] * (width - 2) + ["last"], ["Cy"]]
    env.write(HEART, [(f"'{TAB}'!A3", rows)])
    env.write(HEART, [(f"'{TAB}'!{chr(65 + header.index(DETAILS))}8", [["long text alone"]])])
    monkeypatch.setattr(sheets_api, "BLOCK_CELLS", block)  # several blocks of rows, several requests
    whole = env.sheets.read_tabs(sheet, [TAB])[TAB][1]
    (grid, same) = env.sheets.read_columns(sheet, [TAB], {})[TAB]
    assert same == whole and grid[0] >= len(whole) and grid[1] >= width
    _, without = env.sheets.read_columns(sheet, [TAB], {TAB: frozenset({DETAILS})})[TAB]
    at = header.index(DETAILS)
    assert without[0] == whole[0]

    def padded(line):
        return line + [""] * (width - len(line))

    # Up to the last row holding anything read, the long answers stand as UNREAD; under it (text a lead typed
    # only there) they are read, so nothing there is taken for empty.
    last = max(n for n, line in enumerate(whole) if any(c for i, c in enumerate(line) if i != at))
    assert len(without) == len(whole)
    for number, (line, read) in enumerate(zip(whole, without)):
        if number == 0:
            continue
        assert [c for i, c in enumerate(padded(read)) if i != at] == [c for i, c in enumerate(padded(line)) if i != at]
        assert (read[at] is UNREAD) if number <= last else (padded(read)[at] == padded(line)[at])
    assert without[-1][at] == "long text alone"


def test_a_record_asked_for_a_cell_not_read_fails_loudly_and_is_no_empty_cell():
    record = line_records([["Name", "About"], ["Robin", UNREAD]])[0]
    assert record["Name"] == "Robin" and list(record) == ["Name"] and "About" not in dict(record)
    with pytest.raises(NotRead):
        record.get("About", "")
    record["About"] = "set this run"
    assert record["About"] == "set this run"


def stamp(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def answer_at(env, local, when: str, **answers):
    body = env.answer_body(EOI, **answers)
    return local.add_response(env.form_ids["eoi-heart-board"], {**body, "createTime": when, "lastSubmittedTime": when})


def test_an_edit_google_lists_late_still_has_its_long_answer_written(env, local):
    """An edit stamped before the newest response the last run saw (Google lists some late: the reason for
    the overlap) is not "since the last run", but its Last edited differs: its long answers are compared."""
    old = answer_at(env, local, stamp(timedelta(hours=-2)), full_name="Robin Applicant", interests_details=LONG)
    env.answer("eoi-heart-board", EOI, full_name="Sam Applicant")
    env.apply()
    changed = dict(old["answers"])
    qid = next(q for q, a in changed.items() if a["textAnswers"]["answers"][0]["value"] == LONG)
    changed[qid] = {"questionId": qid, "textAnswers": {"answers": [{"value": "Edited, listed late."}]}}
    late = {"answers": changed, "lastSubmittedTime": stamp(timedelta(hours=-1))}
    local.edit_response(env.form_ids["eoi-heart-board"], old["responseId"], late)
    assert env.apply(full=True).updated == 1
    assert {r["Name"]: r[DETAILS] for r in env.records(HEART)}["Robin Applicant"] == "Edited, listed late."


def test_a_tab_renamed_in_other_capitals_keeps_every_row(env, local):
    """Google finds a tab whatever the capitals of its name: the rows read are the tab's, never an empty one."""
    answer_at(env, local, stamp(timedelta(hours=-2)), full_name="Robin Applicant", interests_details=LONG)
    env.answer("eoi-heart-board", EOI, full_name="Cy Applicant")  # Robin's row is not listed again
    env.apply()
    sheet = env.spreadsheet(HEART)
    tab_id = next(
        s["properties"]["sheetId"] for s in env.sheets.metadata(sheet)["sheets"] if s["properties"]["title"] == TAB
    )
    renamed = TAB.upper()
    env.sheets.batch_update(
        sheet, [{"updateSheetProperties": {"properties": {"sheetId": tab_id, "title": renamed}, "fields": "title"}}]
    )
    env.answer("eoi-heart-board", EOI, full_name="Sam Applicant")
    env.apply()
    values = env.sheets.read_tabs(sheet, [renamed])[renamed][1]
    names = [dict(zip(values[0], line)).get("Name") for line in values[1:]]
    assert names == ["Robin Applicant", "Cy Applicant", "Sam Applicant"]


def test_a_long_answer_moved_to_the_far_right_is_neither_rewritten_nor_taken_for_empty(env, local):
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", interests_details=LONG)
    env.apply()
    header = env.tab(HEART)[0]
    row = dict(zip(header, env.tab(HEART)[1] + [""] * len(header)))
    moved = [h for h in header if h != DETAILS] + [DETAILS]  # the lead moves it past every other column
    env.write(HEART, [(f"'{TAB}'!A1", [moved, [row[h] for h in moved]])])
    before = len(local.requests())
    assert env.apply(minutes=30, full=True).updated == 0
    heart = env.spreadsheet(HEART)
    assert not [r for r in local.requests()[before:] if r["method"] != "GET" and heart in str(r)]
    assert env.records(HEART)[0][DETAILS] == LONG


def test_text_a_lead_typed_under_the_rows_only_in_a_long_answer_column_is_kept(env, local):
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", interests_details=LONG)
    env.apply()
    header = env.tab(HEART)[0]
    column = chr(65 + header.index(DETAILS))
    env.write(HEART, [(f"'{TAB}'!{column}3", [["A note the lead typed here."]])])
    env.answer("eoi-heart-board", EOI, full_name="Sam Applicant")
    env.apply()
    values = env.tab(HEART)
    assert values[2][header.index(DETAILS)] == "A note the lead typed here."
    assert [dict(zip(header, line)).get("Name") for line in values[1:]] == ["Robin Applicant", "", "Sam Applicant"]
