"""What a lead reads in the rows the sync writes, and what the sync says it did."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from ppp_gsuite.cli import main
from ppp_gsuite.forms.deploy import deploy
from ppp_gsuite.forms.items import question_id
from ppp_gsuite.sheets.a1 import cell_range
from ppp_gsuite.vocabulary import parse_stamp, precise_stamp
from ppp_gsuite.workspace import load_all
from sync_env import EOI, TAB  # noqa: E402

HEART = "opportunity:heart-board"


def test_the_summary_says_full_rescan_only_when_one_was_made(env):
    """Forms with no responses yet are not 'read again' on every run: only the first run, or --full, rescans."""
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    first = CliRunner().invoke(main, ["sync"])
    assert first.exit_code == 0, first.output
    assert "read again (a full rescan)" in first.output
    second = CliRunner().invoke(main, ["sync"])
    assert second.exit_code == 0, second.output
    assert "read again" not in second.output and "read since the last run" in second.output
    forced = CliRunner().invoke(main, ["sync", "--full"])
    assert "read again (a full rescan)" in forced.output


def _redeploy(env, edit: str):
    """A label edit of the expression of interest, deployed as deploy-forms does."""
    spec = env.root / "form_specs" / "expression_of_interest.yaml"
    lines = spec.read_text().splitlines()
    lines[0] = lines[0].rstrip('"') + f' {edit}"'
    spec.write_text("\n".join(lines) + "\n")
    env.loaded = load_all(env.root / "ppp-gsuite.yaml")
    deploy(env.loaded.targets, env.forms, env.drive, date(2026, 11, 24))
    return env.forms.get(env.form_ids["eoi-heart-board"])["revisionId"]


def test_a_rows_form_version_is_the_one_it_was_answered_under_and_stays(env):
    first = env.forms.get(env.form_ids["eoi-heart-board"])["revisionId"]
    early = env.answer("eoi-heart-board", EOI, full_name="Ann Early", email="ann@example.org")
    env.apply()
    waiting = env.answer("eoi-heart-board", EOI, full_name="Ben Waiting", email="ben@example.org")
    second = _redeploy(env, "(reworded)")
    assert second != first
    later = env.answer("eoi-heart-board", EOI, full_name="Cat Later", email="cat@example.org")
    env.apply()
    version = {r["Response ID"]: r["Form version"] for r in env.records(HEART)}
    assert version == {early["responseId"]: first, waiting["responseId"]: first, later["responseId"]: second}
    _redeploy(env, "(reworded again)")
    report = env.apply(full=True)  # every response read again: nobody's row is touched
    assert report.updated == 0
    assert {r["Response ID"]: r["Form version"] for r in env.records(HEART)} == version


TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}[^\s;]*")  # any time a cell shows, in whatever format


def test_every_time_a_person_reads_in_a_row_is_in_one_format_in_the_organisations_zone(env):
    config = env.loaded.workspace.config
    kolkata = config.model_copy(update={"email": config.email.model_copy(update={"timezone": "Asia/Kolkata"})})
    robin = env.answer("eoi-heart-board", EOI, full_name="Robin", email="robin@example.org")
    env.apply(emails=True, config=kolkata)
    values = env.tab(HEART)
    header = values[0]
    env.write(HEART, [(cell_range(TAB, 2, header.index("Status"), header.index("Status")), [["Shortlisted"]])])
    env.apply(emails=True, config=kolkata)
    row = env.records(HEART)[0]
    zone = ZoneInfo("Asia/Kolkata")
    submitted = parse_stamp(robin["createTime"]).astimezone(zone)
    assert row["Submitted"] == f"{submitted:%Y-%m-%d %H:%M}"
    assert row["Last edited"] == f"{parse_stamp(robin['lastSubmittedTime']).astimezone(zone):%Y-%m-%d %H:%M}"
    assert row["Status noted"] == f"Shortlisted since {env.clock.astimezone(zone):%Y-%m-%d %H:%M}"
    shown = [(header, time) for header, cell in row.items() for time in TIME.findall(cell)]
    assert {header for header, _ in shown} >= {"Submitted", "Last edited", "Status noted", "Last email"}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", time) for _, time in shown), shown
    log = env.records("admin", "Email log")
    assert log and all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", entry["Time"]) for entry in log)


def test_a_mistyped_address_is_flagged_and_a_lead_correction_gets_the_acknowledgement_once(env, local):
    an_hour_ago = precise_stamp(datetime.now(UTC) - timedelta(hours=1))  # not listed again by later syncs
    carol = local.add_response(
        env.form_ids["eoi-heart-board"],
        {
            "createTime": an_hour_ago,
            "answers": {
                question_id(EOI, key): {
                    "questionId": question_id(EOI, key),
                    "textAnswers": {"answers": [{"value": value}]},
                }
                for key, value in (("full_name", "Carol"), ("email", "carol at example dot com"))
            },
        },
    )
    env.answer("eoi-heart-board", EOI, full_name="Dan", email="dan@example.org")
    env.apply(emails=True)
    row = next(r for r in env.records(HEART) if r["Name"] == "Carol")
    assert row["Needs checking"] == "the email address is not valid: correct it in Corrected email"
    assert not [m for m in local.json("GET", "/_local/gmail/messages")["messages"] if "carol" in m["to"]]
    values = env.tab(HEART)
    column, line = values[0].index("Corrected email"), 1 + next(i for i, r in enumerate(values) if "Carol" in r)
    env.write(HEART, [(cell_range(TAB, line, column, column), [["carol@example.com"]])])
    for _ in range(3):
        env.apply(emails=True)
    to_carol = [m for m in local.json("GET", "/_local/gmail/messages")["messages"] if "carol@example.com" in m["to"]]
    assert len(to_carol) == 1  # the acknowledgement, exactly once
    entry = next(e for e in env.records("admin", "Email log") if e["Key"].startswith(carol["responseId"]))
    assert entry["State"] == "sent"
    carols = [r for r in env.records(HEART) if r["Name"] == "Carol"]
    assert carols[0]["Needs checking"] == ""  # the flag goes once the correction is typed
    env.apply(full=True)  # and stays gone when the row is read again
    assert [r["Needs checking"] for r in env.records(HEART) if r["Name"] == "Carol"] == [""]


def test_the_engagement_team_gets_the_address_a_lead_corrected(env):
    env.answer("eoi-heart-board", EOI, full_name="Dee", email="dee at example dot org")
    env.apply()
    values = env.tab(HEART)
    header, row = values[0], values[1]
    reference = row[header.index("Reference")]
    env.answer("needs_assessment", "needs_assessment", **env.as_sent(reference), share_with_engagement_team="Yes")
    env.write(
        HEART,
        [
            (cell_range(TAB, 2, header.index("Status"), header.index("Status")), [["Appointed"]]),
            (
                cell_range(TAB, 2, header.index("Corrected email"), header.index("Corrected email")),
                [["dee@example.org"]],
            ),
        ],
    )
    env.apply()
    shared = env.records("engagement", "Partners")
    assert [(r["Name"], r["Email"]) for r in shared] == [("Dee", "dee@example.org")]


def test_each_forms_rows_are_written_before_the_next_form_is_listed_and_the_notes_do_not_write_them_again(env):
    """A first sync at 100,000 responses holds one form's at a time: each opportunity's rows go to its
    spreadsheet before the next form is listed; a lead sees every row once, its status noted, its long
    answer whole; a run with nothing new writes nothing."""
    details = "A seat on a trust board. " * 40  # a long answer (a paragraph): written, then not read back
    env.answer("eoi-heart-board", EOI, full_name="Heart One", email="h1@example.org", interests_details=details)
    env.answer("eoi-eye-group", EOI, full_name="Eye One", email="e1@example.org")
    events = []
    listing, writing = env.forms.list_responses, env.sheets.write
    names = {form_id: key for key, form_id in env.form_ids.items()}

    def listed(form_id, since=None):
        events.append(("list", names[form_id]))
        return listing(form_id, since)

    def written(spreadsheet_id, ranges):
        events.append(("write", spreadsheet_id, sum(len(block) for _, block in ranges)))
        return writing(spreadsheet_id, ranges)

    env.forms.list_responses, env.sheets.write = listed, written
    env.apply()
    heart, eye = env.spreadsheet(HEART), env.spreadsheet("opportunity:eye-group")
    order = [e[:2] for e in events if e[0] == "list" or e[1] in (heart, eye)]
    assert order.index(("write", heart)) < order.index(("list", "eoi-eye-group")) < order.index(("write", eye))
    assert sum(1 for e in events if e[:2] == ("write", heart)) == 1  # rows and status notes in one write
    [row] = env.records(HEART)
    assert row["Name"] == "Heart One" and row["Please describe them"] == details
    assert row["Status"] == "New" and row["Status noted"].startswith("New")
    events.clear()
    env.apply()
    assert not [e for e in events if e[0] == "write"]
