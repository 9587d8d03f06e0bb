"""Meetings after appointment (issue 15), end to end on the local workspace: papers in each partner's
format, one notice per meeting and partner, one update when a meeting moves, attendance over five
meetings with the lead told once, and the impact report."""

import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner

from ppp_gsuite.cli import main
from ppp_gsuite.forms.items import entry_number, question_id
from ppp_gsuite.sheets.a1 import cell_range
from sync_env import EOI, MINIMAL, TAB, Env

ROOT = Path(__file__).parent.parent
HEART = "opportunity:heart-board"
NEEDS = "needs_assessment"
MEETINGS, ATTENDANCE = "Meetings", "Attendance"

NEEDS_QUESTIONS = """
      - key: papers_format
        type: multiple_choice
        title: How would you like to receive meeting papers?
        choices:
          - "On screen, sent by email"
          - "A printed copy sent by post"
          - "Large print"
          - "Easy read (short sentences with pictures)"
          - "Audio (a recording you can listen to)"
      - key: papers_postal_address
        type: paragraph
        title: If you would like papers posted to you, what address should we send them to?
      - key: access_communication_needs
        type: paragraph
        title: Do you have any access or communication needs we should know about?
      - key: pre_meet_wanted
        type: single_choice
        title: Would you like a pre-meet before meetings?
        choices: ["Yes, before every meeting", "No, thank you"]
"""


@pytest.fixture
def env(local, tmp_path, monkeypatch):
    """The minimal workspace with meetings switched on and the needs assessment's papers questions."""
    shutil.copytree(MINIMAL, tmp_path, dirs_exist_ok=True)
    config = tmp_path / "ppp-gsuite.yaml"
    config.write_text(config.read_text() + "meetings:\n  notice_days: 7\n  glossary_link: https://example.org/words\n")
    spec = tmp_path / "form_specs" / "needs_assessment.yaml"
    spec.write_text(_with_questions(spec.read_text()))
    for shipped in ("form_specs/meeting_feedback.yaml", "sheet_layouts/meeting_feedback.yaml"):
        shutil.copy(ROOT / shipped, tmp_path / shipped)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PPP_GSUITE_LOCAL_URL", local.url)
    return Env(local, tmp_path)


def _with_questions(text: str) -> str:
    """The questions added at the end of the first section (before the sharing section)."""
    return text.replace("  - key: sharing\n", NEEDS_QUESTIONS.lstrip("\n") + "  - key: sharing\n", 1)


def outbox(local):
    return local.json("GET", "/_local/gmail/messages")["messages"]


def sent(local, subject_part, to=None):
    return [m for m in outbox(local) if subject_part in m["subject"] and (to is None or to in m["to"])]


def column(env, title, header):
    return env.tab(HEART, title)[0].index(header)


def set_cell(env, title, row, header, value):
    col = column(env, title, header)
    env.write(HEART, [(cell_range(title, row, col, col), [[value]])])


def enter_meeting(env, row, when, where="https://teams.example.org/meet/heart", changed=""):
    """The lead types a meeting into the next empty row of the Meetings tab."""
    set_cell(env, MEETINGS, row, "Date and time", when)
    set_cell(env, MEETINGS, row, "Place or Teams link", where)
    set_cell(env, MEETINGS, row, "Papers due", "2026-12-01")
    set_cell(env, MEETINGS, row, "Pre-meet offered", "Yes")
    if changed:
        set_cell(env, MEETINGS, row, "What changed because of partners", changed)


PEOPLE = {
    "Ann Post": {
        "papers_format": "A printed copy sent by post; Large print",
        "papers_postal_address": "1 Test Road, Testshire",
    },
    "Ben Screen": {"papers_format": "On screen, sent by email"},
    "Cat Audio": {
        "papers_format": "Audio (a recording you can listen to)",
        "access_communication_needs": "Captions in online meetings",
    },
}


def appoint_three(env):
    """Three applicants appointed, each with a needs assessment giving a different format of papers; a
    fourth applicant is not appointed."""
    for name in [*PEOPLE, "Dan Waiting"]:
        env.answer("eoi-heart-board", EOI, full_name=name, email=f"{name.split()[0].lower()}@example.org")
    env.apply(emails=True)
    for record_number, record in enumerate(env.records(HEART), start=2):
        if record["Name"] in PEOPLE:
            set_cell(env, TAB, record_number, "Status", "Appointed")
    env.apply(emails=True)
    references = {r["Name"]: r["Reference"] for r in env.records(HEART)}
    for name, answers in PEOPLE.items():
        env.answer(NEEDS, NEEDS, **env.as_sent(references[name]), **answers)
    env.apply(emails=True, minutes=30)
    return references


def test_a_meeting_papers_in_each_format_one_notice_each_and_one_update_when_moved(env, local):
    appoint_three(env)
    rows = {r["Name"]: r for r in env.records(HEART)}
    assert "papers: A printed copy sent by post; Large print" in rows["Ann Post"]["Papers and access"]
    assert "access or communication needs" in rows["Cat Audio"]["Papers and access"]
    assert "no address given for posting papers" in rows["Cat Audio"]["Papers and access"]  # audio goes by post
    assert rows["Dan Waiting"]["Papers and access"] == ""  # not appointed: nothing noted

    enter_meeting(env, 2, "2026-11-30 14:00")  # the clock is 24 November: within the 7 days' notice
    env.apply(emails=True)
    meeting = env.records(HEART, MEETINGS)[0]
    assert meeting["Meeting ID"].startswith("m-") and meeting["Partners told of"] == "2026-11-30 14:00"

    checklist = sent(local, "what to send each partner", to="alex@example.org")
    assert len(checklist) == 1
    text = checklist[0]["text"]
    assert "Ann Post: A printed copy sent by post, Large print. Post them to: 1 Test Road, Testshire." in text
    assert "Ben Screen: On screen, sent by email." in text
    assert "Cat Audio: Audio (a recording you can listen to). They have not given an address" in text
    assert "They have access or communication needs" in text and "Captions" not in text  # needs stay in the sheet
    assert "Dan Waiting" not in text
    assert "Ben Screen: On screen, sent by email. Post" not in text  # no address for someone not posted to

    notices = sent(local, "Your next Heart Care Board meeting")
    assert sorted(m["to"].split("<")[1].rstrip(">") for m in notices) == [
        "ann@example.org",
        "ben@example.org",
        "cat@example.org",
    ]
    ann = next(m for m in notices if "ann@" in m["to"])
    assert "Monday 30 November 2026 at 14:00" in ann["text"] and "Microsoft Teams" in ann["text"]
    assert "Large print" in ann["text"] and "https://example.org/words" in ann["text"]
    assert "Alex Lead" in ann["text"] and "entry." in ann["text"]  # the lead contact and the preferences link
    assert "1 Test Road" not in ann["text"]

    env.apply(emails=True)
    env.apply(emails=True)
    assert len(sent(local, "Your next Heart Care Board meeting")) == 3  # exactly once per meeting and partner

    set_cell(env, MEETINGS, 2, "Date and time", "2026-12-01 10:00")  # the lead moves it
    env.apply(emails=True)
    env.apply(emails=True)
    updates = sent(local, "Change of date")
    assert len(updates) == 3 and len({m["to"] for m in updates}) == 3
    assert "Tuesday 1 December 2026 at 10:00 (it was 2026-11-30 14:00)" in updates[0]["text"]
    assert len(sent(local, "Your next Heart Care Board meeting")) == 3  # no second notice
    assert not sent(local, "Change of date", to="dan@example.org")

    set_cell(env, MEETINGS, 2, "Date and time", "2026-11-30 14:00")  # moved back to the first date
    env.apply(emails=True)
    env.apply(emails=True)
    back = [m for m in sent(local, "Change of date") if "Monday 30 November 2026 at 14:00" in m["subject"]]
    assert len(back) == 3 and "(it was 2026-11-30 14:00)" not in back[0]["text"]


def mark(env, marks: dict[str, list[str]]):
    """The lead marks attendance: marks[name][i] for the i-th meeting, oldest first."""
    records = env.records(HEART, ATTENDANCE)
    meetings = sorted({r["Meeting"] for r in records})
    col = column(env, ATTENDANCE, "Attendance")
    values = env.tab(HEART, ATTENDANCE)
    headers = values[0]
    ranges = []
    for number, line in enumerate(values[1:], start=2):
        record = dict(zip(headers, line))
        if record.get("Name") in marks:
            value = marks[record["Name"]][meetings.index(record["Meeting"])]
            ranges.append((cell_range(ATTENDANCE, number, col, col), [[value]]))
    env.write(HEART, ranges)


def test_attendance_over_five_meetings_tells_the_lead_once_of_the_partner_under_80_percent(env, local):
    appoint_three(env)
    days = ["2026-12-09 14:00", "2026-12-16 14:00", "2027-01-06 14:00", "2027-01-13 14:00", "2027-01-20 14:00"]
    for row, when in enumerate(days, start=2):
        enter_meeting(env, row, when, changed=f"The leaflet was rewritten after partners' comments ({row})")
    env.clock = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    env.apply(emails=True)
    records = env.records(HEART, ATTENDANCE)
    assert len(records) == 15 and {r["Name"] for r in records} == set(PEOPLE)  # a row per meeting and partner
    A, S, X = "Attended", "Sent apologies", "Absent"
    mark(env, {"Ann Post": [A] * 5, "Ben Screen": [A, A, A, A, X], "Cat Audio": [A, A, S, X, A]})
    env.apply(emails=True)
    env.apply(emails=True)
    low = sent(local, "may need a conversation about attending")
    assert len(low) == 1 and "alex@example.org" in low[0]["to"]
    assert "Cat Audio has attended 3 of the last 5 meetings" in low[0]["text"] and "60%" in low[0]["text"]
    assert not [m for m in outbox(local) if "cat@example.org" in m["to"] and "attend" in m["subject"].lower()]
    assert len(env.records(HEART, ATTENDANCE)) == 15  # found again by Row ID, never added twice

    said = sent(local, "You said, we did")  # last quarter's lines, once, to each partner of the group
    assert sorted(m["to"].split("<")[1].rstrip(">") for m in said) == [
        "ann@example.org",
        "ben@example.org",
        "cat@example.org",
    ]
    assert "October to December 2026" in said[0]["subject"]
    assert "comments (2)" in said[0]["text"] and "comments (3)" in said[0]["text"]
    assert "comments (4)" not in said[0]["text"]  # January's is next quarter's
    rows = {r["Name"]: r for r in env.records(HEART)}
    assert rows["Cat Audio"]["Attendance"].startswith("below 80%: 3 of the last 5 meetings attended (60%)")
    assert rows["Ben Screen"]["Attendance"] == "4 of the last 5 meetings attended (80%)"

    result = CliRunner().invoke(main, ["report", "impact", "--from", "2026-12-01", "--to", "2027-01-10"])
    assert result.exit_code == 0, result.output
    assert "Heart Care Board\n  meetings held: 3" in result.output
    assert "partners attending: 8 of 9 places marked (89%), apologies 1" in result.output
    assert "- 2026-12-09: The leaflet was rewritten after partners' comments (2)" in result.output
    assert "(5)" not in result.output  # the 13 January meeting is outside the period
    assert not any(name in result.output for name in [*PEOPLE, "Test Road"])  # counts and the lead's lines only


SEND = "gmail.users.messages.send"


def requests_of(local, before, admin_id):
    """The requests since `before` by API method, the sends and the email log's writes (to the admin
    spreadsheet) apart: those are the sends' own cost."""
    counts, sends, log_writes = {}, 0, 0
    for request in local.requests()[before:]:
        method = request["methodId"]
        if method == SEND:
            sends += 1
        elif method == "sheets.spreadsheets.values.batchUpdate" and admin_id in request["path"]:
            log_writes += 1
        else:
            counts[method] = counts.get(method, 0) + 1
    return counts, sends, log_writes


def test_a_sync_with_meetings_costs_no_request_per_partner_or_per_meeting_beyond_the_sends(env, local):
    appoint_three(env)
    admin = env.spreadsheet("admin")
    enter_meeting(env, 2, "2026-11-30 14:00")
    before = len(local.requests())
    env.apply(emails=True)
    one, one_sends, one_log = requests_of(local, before, admin)
    assert one_sends == 4  # the lead's checklist and three notices

    for row, when in enumerate(["2026-11-30 16:00", "2026-11-29 10:00", "2026-11-29 14:00", "2026-11-30 18:00"], 3):
        enter_meeting(env, row, when)
    set_cell(env, MEETINGS, 2, "Date and time", "2026-11-30 15:00")  # and one moved
    before = len(local.requests())
    env.apply(emails=True)
    five, five_sends, five_log = requests_of(local, before, admin)
    assert five_sends == 4 * 4 + 1 + 3  # four meetings' checklists and notices, a checklist and updates for the moved
    assert len(env.records(HEART, ATTENDANCE)) == 15
    assert five == one  # every other request, method by method, the same for one meeting as for five
    # The email log's writes grow with the sends alone: one write a send (its intent with the previous result).
    assert five_log <= one_log + (five_sends - one_sends)


FEEDBACK = "meeting_feedback"


def test_after_a_meeting_each_partner_there_gets_the_two_questions_once_and_answers_reach_the_lead(env, local):
    references = appoint_three(env)
    enter_meeting(env, 2, "2026-11-30 14:00")
    env.apply(emails=True)
    meeting_id = env.records(HEART, MEETINGS)[0]["Meeting ID"]
    assert not sent(local, "How was the Heart Care Board meeting")  # not before the meeting

    env.clock = datetime(2026, 11, 30, 13, 0, tzinfo=UTC)  # the meeting has started, not yet ended
    env.apply(emails=True)
    assert not sent(local, "How was the Heart Care Board meeting")
    records = env.records(HEART, ATTENDANCE)
    col = column(env, ATTENDANCE, "Attendance")
    number = next(i for i, r in enumerate(records, start=2) if r["Name"] == "Ben Screen")
    env.write(HEART, [(cell_range(ATTENDANCE, number, col, col), [["Sent apologies"]])])
    env.clock = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    env.apply(emails=True)
    env.apply(emails=True)
    asked = sent(local, "How was the Heart Care Board meeting")
    assert sorted(m["to"].split("<")[1].rstrip(">") for m in asked) == ["ann@example.org", "cat@example.org"]

    ann = next(m for m in asked if "ann@" in m["to"])
    link = next(word for word in ann["text"].split() if "usp=pp_url" in word and f"={meeting_id}" in word)
    query = parse_qs(urlparse(link).query)
    assert query[f"entry.{entry_number(question_id(FEEDBACK, 'reference'))}"] == [references["Ann Post"]]
    assert query[f"entry.{entry_number(question_id(FEEDBACK, 'meeting'))}"] == [meeting_id]

    env.answer(
        FEEDBACK,
        FEEDBACK,
        reference=references["Ann Post"],
        meeting=meeting_id,
        voice_heard="Partly",
        what_would_help="Papers a day earlier",
    )
    env.apply()
    [answer] = env.records(HEART, "Meeting feedback")
    assert (answer["Name"], answer["Meeting ID"], answer["Voice heard"], answer["What would have helped"]) == (
        "Ann Post",
        meeting_id,
        "Partly",
        "Papers a day earlier",
    )


def test_a_date_typed_in_a_form_the_tool_cannot_read_is_flagged_and_nobody_is_emailed(env, local):
    appoint_three(env)
    enter_meeting(env, 2, "next Tuesday at 2")
    env.apply(emails=True)
    [meeting] = env.records(HEART, MEETINGS)
    assert meeting["Needs checking"] == "the date and time could not be read: write it like 2027-03-09 10:00"
    assert not sent(local, "Your next Heart Care Board meeting") and not sent(local, "what to send")
    set_cell(env, MEETINGS, 2, "Date and time", "30/11/2026 14:00:00")  # as a UK spreadsheet shows a typed date
    env.apply(emails=True)
    [meeting] = env.records(HEART, MEETINGS)
    assert meeting["Needs checking"] == "" and meeting["Partners told of"] == "2026-11-30 14:00"
    assert len(sent(local, "Your next Heart Care Board meeting")) == 3


def test_the_dates_a_lead_types_are_kept_as_text_in_the_sheet():
    """Sheets turns a typed date into a number shown in the spreadsheet's locale; a plain-text column keeps
    what was typed, which the tool reads back as it was written."""
    from ppp_gsuite.sheets.formatting import tab_requests
    from ppp_gsuite.sync.meeting_tabs import MEETINGS_TAB

    requests = tab_requests(MEETINGS_TAB, 7, add=True)
    text_columns = [
        r["repeatCell"]["range"]["startColumnIndex"]
        for r in requests
        if r.get("repeatCell", {}).get("cell", {}).get("userEnteredFormat", {}).get("numberFormat") == {"type": "TEXT"}
    ]
    headers = MEETINGS_TAB.header_row()
    assert [headers[i] for i in text_columns] == ["Date and time", "Papers due", "Pre-meet when"]


def test_what_a_lead_or_partner_typed_is_escaped_in_the_html_of_the_meeting_emails():
    """The lead types the place, the papers link and what changed; a partner the address for papers."""
    from ppp_gsuite.mail.templates import render, sample_context
    from test_mail_templates import PAYLOAD, TEMPLATES

    notice = sample_context("meeting_notice")
    notice["meeting"] = {**notice["meeting"], "where": PAYLOAD, "papers_link": PAYLOAD, "pre_meet_when": PAYLOAD}
    checklist = sample_context("meeting_checklist")
    checklist["partners"] = [{**checklist["partners"][0], "post_to": PAYLOAD, "name": PAYLOAD}]
    said = sample_context("you_said_we_did")
    said["impact"] = {**said["impact"], "lines": [{"day": said["impact"]["lines"][0]["day"], "line": PAYLOAD}]}
    for name, context in (("meeting_notice", notice), ("meeting_checklist", checklist), ("you_said_we_did", said)):
        email = render(TEMPLATES, name, context)
        assert PAYLOAD in email.text, name
        assert "<script" not in email.html and "<img" not in email.html, name
        assert "&lt;script&gt;" in email.html, name
    notice["meeting"] = {**notice["meeting"], "where": "javascript:alert(1)", "papers_link": "javascript:alert(2)"}
    html = render(TEMPLATES, "meeting_notice", notice).html
    assert 'href="javascript' not in html and "javascript:alert(2)" in html  # only a web address becomes a link
