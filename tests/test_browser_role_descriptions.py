"""A recruiting lead proposes an opportunity in the browser; the engagement team returns it, then approves it,
in their Opportunities spreadsheet page; one sync later its expression-of-interest form is live.
(Debian's chromium, as the other browser tests; skipped or failed the same way without it.)"""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from cli_env import run, workspace  # noqa: F401  (the fixture)
from test_browser import assert_accessible, browser, choose, page, shot, shots, type_into  # noqa: F401
from test_role_descriptions import LEAD, PROPOSER, sent, team  # noqa: F401


def propose_in_the_browser(page: Page, team, places: str, reference: str = "") -> None:  # noqa: F811
    form = team.forms.get(team.form_id("role_description"))
    page.goto(form["responderUri"])
    assert_accessible(page)
    if reference:
        type_into(page, "The reference of a proposal you are changing (leave empty for a new one)", reference)
    type_into(page, "Your email address", PROPOSER)
    page.get_by_role("button", name="Next").click()
    type_into(page, "Name of Board, Committee, Workstream or group", "Stroke Services Working Group")
    type_into(page, "How many opportunities are available?", places)
    for label, text in (
        ("Who can apply for this role?", "Patients, carers and members of the public."),
        ("Description of the group: its remit, aims and objectives", "Plans how stroke care is given."),
        ("Description of the group: its current membership", "Doctors, nurses and therapists."),
        ("Description of the group: its priorities", "Rehabilitation at home."),
        ("What will the role involve?", "Reading papers and joining six meetings a year."),
        ("Key requirements of the role (one on each line)", "To be committed to addressing health inequalities"),
        ("Time commitment", "Six meetings a year."),
        ("Where do meetings take place?", "Online on Microsoft Teams."),
    ):
        type_into(page, label, text)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Out-of-pocket expenses reimbursed").check()
    page.get_by_label("An induction, and support sessions").check()
    choose(page, "Will successful applicants be asked to sign a confidentiality agreement", "No")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Closing date").fill((date.today() + timedelta(days=45)).isoformat())
    type_into(page, "The lead contact: name", "Casey Lead")
    type_into(page, "The lead contact: job role", "Stroke Programme Manager")
    type_into(page, "The lead contact: email address", LEAD)
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Your response has been recorded.")).to_be_visible()


def test_a_lead_proposes_the_team_returns_then_approves_and_the_form_goes_live(team, page, local):  # noqa: F811
    propose_in_the_browser(page, team, places="1")
    assert run("sync").exit_code == 0
    sheet = team.spreadsheet("opportunities")
    page.goto(sheet["webViewLink"])
    expect(page.get_by_role("cell", name="Stroke Services Working Group")).to_be_visible()
    expect(page.get_by_text("two or more are advised")).to_be_visible()
    assert_accessible(page)
    shot(page, "opportunities-proposed")
    page.get_by_label("Status, row 2").select_option("Returned")
    type_into(page, "Note to the proposer, row 2", "Two places, please: partners support each other.")
    page.get_by_role("button", name="Save changes to Opportunities").click()
    expect(page.get_by_role("status")).to_have_text("Saved 2 cells.")
    assert run("sync").exit_code == 0
    assert len(sent(local, PROPOSER, "come back with a note")) == 1

    [row] = team.rows()
    propose_in_the_browser(page, team, places="2", reference=row["Reference"])
    assert run("sync").exit_code == 0
    page.goto(sheet["webViewLink"])
    page.get_by_label("Status, row 2").select_option("Approved")
    page.get_by_role("button", name="Save changes to Opportunities").click()
    expect(page.get_by_role("status")).to_have_text("Saved 1 cell.")
    assert run("sync").exit_code == 0

    [row] = team.rows()
    assert row["Status"] == "Live" and row["Problems"] == ""
    page.goto(row["Form link"])
    expect(page.get_by_role("heading", name="Expression of interest: Stroke Services Working Group")).to_be_visible()
    expect(page.get_by_text("Reading papers and joining six meetings a year.")).to_be_visible()
    shot(page, "eoi-live")
    lead_sheet = team.spreadsheet("opportunity:stroke-services-working-group")
    shared = {p.get("emailAddress") for p in team.drive.permissions(lead_sheet["id"]) if p["role"] != "owner"}
    assert shared == {LEAD}
    [live] = sent(local, PROPOSER, "Now open")
    assert row["Form link"] in live["text"]
