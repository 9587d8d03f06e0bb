"""A lead enters a meeting and marks attendance in the spreadsheet page, in a real browser (issue 15).

Uses test_browser's chromium and pages (skipped, or failed under PPP_REQUIRE_BROWSER=1, as it is) and
test_meetings' workspace with meetings switched on."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import expect

from test_browser import assert_accessible, browser, page, shot, shots, spreadsheet_link  # noqa: F401
from test_meetings import ATTENDANCE, HEART, MEETINGS, PEOPLE, appoint_three, env, sent  # noqa: F401


def test_a_lead_enters_a_meeting_and_marks_attendance_in_the_spreadsheet_page(env, page, local):  # noqa: F811
    appoint_three(env)
    page.goto(spreadsheet_link(env, HEART))
    meetings = page.get_by_role("region", name=MEETINGS, exact=True)
    expect(meetings).to_be_visible()
    meetings.get_by_label("Date and time, new row 2").fill("2026-11-30 14:00")  # the empty row under the header
    meetings.get_by_label("Place or Teams link, new row 2").fill("https://teams.example.org/meet/heart")
    meetings.get_by_label("Pre-meet offered, new row 2").select_option("Yes")
    page.get_by_role("button", name=f"Save changes to {MEETINGS}").click()
    expect(page.get_by_role("status")).to_have_text("Saved 3 cells.")
    shot(page, "meeting-entered")

    env.apply(emails=True)
    [meeting] = env.records(HEART, MEETINGS)
    assert meeting["Meeting ID"].startswith("m-") and meeting["Pre-meet offered"] == "Yes"
    assert len(sent(local, "Your next Heart Care Board meeting")) == 3

    page.reload()
    attendance = page.get_by_role("region", name=ATTENDANCE, exact=True)
    first = attendance.get_by_label("Attendance, row 2")
    options = first.locator("option").all_inner_texts()
    assert options == ["", "Attended", "Sent apologies", "Absent"]  # the tool's dropdown, nothing else
    marks = {}
    for row, mark in zip((2, 3, 4), ("Attended", "Sent apologies", "Absent")):
        attendance.get_by_label(f"Attendance, row {row}").select_option(mark)
        name = attendance.get_by_role("row").nth(row - 1).get_by_role("cell").nth(1).inner_text()
        marks[name] = mark
    page.get_by_role("button", name=f"Save changes to {ATTENDANCE}").click()
    expect(page.get_by_role("status")).to_have_text("Saved 3 cells.")
    assert_accessible(page)
    shot(page, "attendance-marked")

    env.clock = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # after the meeting
    env.apply()
    assert {r["Name"]: r["Attendance"] for r in env.records(HEART, ATTENDANCE)} == marks
    rows = {r["Name"]: r["Attendance"] for r in env.records(HEART) if r["Name"] in PEOPLE}
    attended = next(name for name, mark in marks.items() if mark == "Attended")
    assert rows[attended] == "1 of 1 meeting attended (100%)"
