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
    for line, read in zip(whole[1:], without[1:]):
        assert (
            read[at] is UNREAD
            and [c for i, c in enumerate(read) if i != at]
            == [c for i, c in enumerate(line + [""] * (len(read) - len(line))) if i != at][: len(read) - 1]
        )
    assert len(without) == len(whole) - 1  # the last row held text only where nothing was read


def test_a_record_asked_for_a_cell_not_read_fails_loudly_and_is_no_empty_cell():
    record = line_records([["Name", "About"], ["Robin", UNREAD]])[0]
    assert record["Name"] == "Robin" and list(record) == ["Name"] and "About" not in dict(record)
    with pytest.raises(NotRead):
        record.get("About", "")
    record["About"] = "set this run"
    assert record["About"] == "set this run"
