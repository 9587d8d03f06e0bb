"""What an applicant or a lead sees, in a real browser: Debian's chromium driven by Playwright.

The pages are used as a person would: labels and roles to find fields, clicks and typing to fill
them. Screenshots of the form, spreadsheet, index and outbox pages go to the test's own folder
(pytest's tmp_path) for a person to look at (they are not checked). axe-core checks each page kind
(form, spreadsheet, outbox, index) for accessibility violations.

Without chromium or playwright the module is skipped, unless PPP_REQUIRE_BROWSER=1 (as in CI),
which makes it fail instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ppp_gsuite.forms.items import question_id
from sync_env import EOI

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HEART = "opportunity:heart-board"
NEEDS = "needs_assessment"


def _missing() -> str | None:
    try:
        import axe_playwright_python  # noqa: F401
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright or axe-playwright-python is not installed: pip install -e '.[test]'"
    if not Path(CHROMIUM).is_file():
        return "chromium is not installed: apt-get install chromium"
    return None


if (_reason := _missing()) is not None:
    if os.environ.get("PPP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"PPP_REQUIRE_BROWSER=1 but {_reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {_reason}", allow_module_level=True)

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    """Where this test's screenshots go: its own folder, never the repository."""
    folder = tmp_path / "shots"
    folder.mkdir()
    return folder


@pytest.fixture
def page(browser, shots) -> Page:
    """A fresh tab with its own cookies; a page error or dialog (a script that ran) fails the test."""
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.shots = shots
    problems = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield page
    context.close()
    assert problems == []


def shot(page: Page, name: str) -> None:
    page.screenshot(path=page.shots / f"{name}.png", full_page=True)


def assert_accessible(page: Page) -> None:
    """axe-core finds no violation on the page as it stands (every rule axe runs by default)."""
    violations = Axe().run(page).response["violations"]
    assert [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in violations] == []


def type_into(page: Page, label: str, text: str) -> None:
    """Click the field labelled `label` and type, key by key."""
    page.get_by_label(label).click()
    page.keyboard.type(text)


def choose(page: Page, question: str, option: str) -> None:
    page.get_by_role("group", name=question).get_by_label(option, exact=True).click()


def responder_uri(env, form_key: str) -> str:
    return env.forms.get(env.form_ids[form_key])["responderUri"]


def answers_of(env, form_key: str) -> list[dict]:
    """Each response's answers as {question key: [values]}."""
    responses, _ = env.forms.list_responses(env.form_ids[form_key])
    return [
        {qid: [a["value"] for a in answer["textAnswers"]["answers"]] for qid, answer in response["answers"].items()}
        for response in responses
    ]


def eoi_answers(**answers) -> dict:
    return {question_id(EOI, key): values for key, values in answers.items()}


# An applicant


@pytest.mark.parametrize("interests", ["Yes", "No"])
def test_applicant_fills_in_the_expression_of_interest_and_skip_logic_follows(env, page, interests):
    page.goto(responder_uri(env, "eoi-heart-board"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Expression of interest: Heart Care Board")
    expect(page.get_by_text("Read papers and share your views.")).to_be_visible()
    if interests == "Yes":
        shot(page, "form-first-page")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name="About you")).to_be_visible()
    type_into(page, "Your full name", "Robin Applicant")
    page.keyboard.press("Tab")
    page.keyboard.type("robin@example.org")  # Tab moves on to the email field
    choose(page, "Do you have business interests in health care?", interests)
    if interests == "Yes":
        shot(page, "form-about-you")
    page.get_by_role("button", name="Next").click()

    if interests == "Yes":  # "Yes" goes on to the details; "No" skips them
        expect(page.get_by_role("heading", name="Your interests")).to_be_visible()
        type_into(page, "Please describe them", "I own a pharmacy.")
        page.get_by_role("button", name="Next").click()
    # Both reach the Heart Care Board's own question: a jump to consent lands on the role's questions first
    expect(page.get_by_role("heading", name="Questions about this role")).to_be_visible()
    type_into(page, "Tell us about your experience of heart services", "Two operations, good care.")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Consent")).to_be_visible()
    choose(page, "I have read the privacy notice", "I agree")
    choose(page, "May we tell you about future opportunities?", "Yes")
    page.get_by_role("button", name="Submit").click()

    expect(page.get_by_text("Your response has been recorded.")).to_be_visible()
    expected = eoi_answers(
        full_name=["Robin Applicant"],
        email=["robin@example.org"],
        has_interests=[interests],
        privacy_agreement=["I agree"],
        consent_future=["Yes"],
        heart_experience=["Two operations, good care."],
    )
    if interests == "Yes":
        expected |= eoi_answers(interests_details=["I own a pharmacy."])
    assert answers_of(env, "eoi-heart-board") == [expected]


def test_a_line_break_typed_in_a_paragraph_is_stored_as_a_newline(env, page):
    page.goto(responder_uri(env, "eoi-heart-board"))
    page.get_by_role("button", name="Next").click()
    answer_about_you(page, "Yes")
    type_into(page, "Please describe them", "A pharmacy.\nA care home.")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Next").click()
    agree_and_submit(page)
    [answers] = answers_of(env, "eoi-heart-board")
    assert answers[question_id(EOI, "interests_details")] == ["A pharmacy.\nA care home."]


def test_a_missed_required_field_is_shown_beside_it_and_in_the_summary_and_nothing_typed_is_lost(env, page):
    page.goto(responder_uri(env, "eoi-heart-board"))
    page.get_by_role("button", name="Next").click()
    type_into(page, "Your email address", "robin@example.org")
    choose(page, "Do you have business interests in health care?", "No")
    page.get_by_role("button", name="Next").click()

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    link = summary.get_by_role("link", name="Your full name: This is a required question")
    expect(link).to_be_visible()
    name = page.get_by_label("Your full name")
    expect(link).to_have_attribute("href", "#" + name.get_attribute("id"))
    expect(name).to_have_accessible_description("Error: This is a required question")
    expect(page.locator(".question.invalid")).to_have_count(1)
    expect(page.locator(".question.invalid")).to_contain_text("Your full name")
    expect(page.get_by_label("Your email address")).to_have_value("robin@example.org")
    expect(
        page.get_by_role("group", name="Do you have business interests in health care?").get_by_label("No", exact=True)
    ).to_be_checked()
    shot(page, "form-error")

    link.click()
    type_into(page, "Your full name", "Robin Applicant")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Questions about this role")).to_be_visible()


def test_a_prefilled_link_shows_the_reference(env, page):
    entry = f"entry.{int(question_id(NEEDS, 'reference'), 16)}"
    page.goto(f"{responder_uri(env, NEEDS)}?usp=pp_url&{entry}=R-7F3A")
    expect(page.get_by_label("Your reference")).to_have_value("R-7F3A")


# A lead


def spreadsheet_link(env, target: str) -> str:
    return next(f["webViewLink"] for f in env.drive.find("spreadsheet") if f["appProperties"]["target"] == target)


def test_a_lead_shortlists_an_applicant_and_notes_why_and_sync_keeps_it(env, page):
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    env.apply()
    page.goto(spreadsheet_link(env, HEART))
    expect(page.get_by_role("heading", name="Expressions of interest")).to_be_visible()
    expect(page.get_by_role("cell", name="Robin Applicant")).to_be_visible()
    shot(page, "spreadsheet")

    page.get_by_label("Status, row 2").select_option("Shortlisted")
    type_into(page, "Notes, row 2", "Strong on patient voice")
    page.get_by_role("button", name="Save changes to Expressions of interest").click()

    expect(page.get_by_role("status")).to_have_text("Saved 2 cells.")
    expect(page.get_by_label("Status, row 2")).to_have_value("Shortlisted")
    expect(page.get_by_label("Notes, row 2")).to_have_value("Strong on patient voice")
    shot(page, "spreadsheet-saved")
    [row] = env.records(HEART)
    assert (row["Status"], row["Notes"]) == ("Shortlisted", "Strong on patient voice")
    env.apply()
    [row] = env.records(HEART)
    assert (row["Name"], row["Status"], row["Notes"]) == ("Robin Applicant", "Shortlisted", "Strong on patient voice")


# The index and the outbox


def test_screenshots_go_under_this_test_runs_own_folder(local, page, tmp_path_factory):
    page.goto(local.url + "/")
    shot(page, "where-screenshots-go")
    taken = page.shots / "where-screenshots-go.png"
    assert taken.is_file() and tmp_path_factory.getbasetemp() in taken.parents


def test_the_index_links_to_the_forms_the_spreadsheets_and_the_outbox(env, page):
    page.goto(env.local.url + "/")
    expect(page.get_by_role("link", name="Expression of interest: Heart Care Board")).to_be_visible()
    expect(page.get_by_role("link", name="Outbox")).to_be_visible()
    shot(page, "index")
    page.get_by_role("link", name="Expression of interest: Heart Care Board").click()
    expect(page).to_have_url(responder_uri(env, "eoi-heart-board"))


def test_outbox_shows_markup_in_a_name_as_text_and_runs_no_script(env, page):
    env.answer("eoi-heart-board", EOI, full_name="<b>Robin</b>", email="robin@example.org")
    env.answer(
        "eoi-heart-board",
        EOI,
        full_name='Sam<img src=x onerror="alert(1)"><script>alert(2)</script>',
        email="sam@example.net",
    )
    env.apply(emails=True)
    page.goto(env.local.url + "/gmail/outbox")

    robin = page.locator("article").filter(has_text="robin@example.org")
    expect(robin.locator("dd").first).to_have_text('"<b>Robin</b>" <robin@example.org>')
    expect(robin.locator("pre.text")).to_contain_text("Dear <b>Robin</b>,")
    html_body = robin.frame_locator("iframe")
    expect(html_body.get_by_text("Dear <b>Robin</b>,")).to_be_visible()
    expect(html_body.locator("b", has_text="Robin")).to_have_count(0)
    sam = page.locator("article").filter(has_text="sam@example.net")
    expect(sam.locator("pre.text")).to_contain_text('<img src=x onerror="alert(1)"><script>alert(2)</script>')
    expect(sam.frame_locator("iframe").locator("img, script")).to_have_count(0)
    expect(page.locator("main b, main img, main script")).to_have_count(0)
    shot(page, "outbox")
    robin.locator("iframe").screenshot(
        path=page.shots / "outbox-html-body.png"
    )  # a full-page shot leaves iframes blank
    # and the page fixture fails the test if an alert came up or a script failed


# Accessibility: axe-core on each page kind


def to_about_you(env, page: Page, form_key: str = "eoi-heart-board") -> None:
    page.goto(responder_uri(env, form_key))
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="About you")).to_be_visible()


def answer_about_you(
    page: Page, interests: str, name: str = "Robin Applicant", email: str = "robin@example.org"
) -> None:
    type_into(page, "Your full name", name)
    type_into(page, "Your email address", email)
    choose(page, "Do you have business interests in health care?", interests)
    page.get_by_role("button", name="Next").click()


def agree_and_submit(page: Page) -> None:
    """On the consent page: agree to the privacy notice and submit."""
    choose(page, "I have read the privacy notice", "I agree")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Your response has been recorded.")).to_be_visible()


def test_form_pages_have_no_accessibility_violations(env, page):
    page.goto(responder_uri(env, "eoi-heart-board"))
    assert_accessible(page)
    page.get_by_role("button", name="Next").click()
    assert_accessible(page)  # questions, with Back and Next
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)  # the error summary and the errors beside the fields
    answer_about_you(page, "No")
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Consent")).to_be_visible()
    assert_accessible(page)  # radio questions, one optional (with its Clear selection)
    agree_and_submit(page)
    assert_accessible(page)


def test_spreadsheet_page_has_no_accessibility_violations(env, page):
    env.answer(
        "eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org", heart_experience="Long. " * 2000
    )
    env.apply()
    page.goto(spreadsheet_link(env, HEART))
    expect(page.get_by_role("cell", name="Robin Applicant")).to_be_visible()
    assert_accessible(page)


def test_outbox_and_index_have_no_accessibility_violations(env, page):
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    env.apply(emails=True)
    page.goto(env.local.url + "/gmail/outbox")
    expect(page.locator("article")).not_to_have_count(0)
    assert_accessible(page)
    page.goto(env.local.url + "/")
    assert_accessible(page)


# The lead's spreadsheet page looks like the sheet: its column widths, bounded rows


def set_column_widths(env, spreadsheet_id: str, tab: str, widths: dict[int, int]) -> None:
    """Widths as a lead (or the tool) sets them in Sheets: updateDimensionProperties with pixelSize."""
    session = env.local.session()
    sheets = session.get(f"{env.local.url}/v4/spreadsheets/{spreadsheet_id}", timeout=10).json()["sheets"]
    sheet_id = next(s["properties"]["sheetId"] for s in sheets if s["properties"]["title"] == tab)
    requests_ = [
        {
            "updateDimensionProperties": {
                "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": column, "endIndex": column + 1},
                "properties": {"pixelSize": width},
                "fields": "pixelSize",
            }
        }
        for column, width in widths.items()
    ]
    reply = session.post(
        f"{env.local.url}/v4/spreadsheets/{spreadsheet_id}:batchUpdate", json={"requests": requests_}, timeout=10
    )
    reply.raise_for_status()


def test_the_spreadsheet_page_keeps_the_sheets_widths_and_a_long_answer_does_not_stretch_its_row(env, page):
    env.answer(
        "eoi-heart-board",
        EOI,
        full_name="Robin Applicant",
        email="robin@example.org",
        heart_experience="A very long answer. " * 2500,
    )  # 50,000 characters
    env.apply()
    page.goto(spreadsheet_link(env, HEART))
    tab = page.get_by_role("region", name="Expressions of interest")
    headers = tab.get_by_role("columnheader")
    titles = [t.split("\n")[0] for t in headers.all_inner_texts()]
    name_column, long_column = titles.index("Name"), titles.index("Tell us about your experience of heart services")
    set_column_widths(env, env.spreadsheet(HEART), "Expressions of interest", {name_column: 180, long_column: 320})
    page.reload()

    assert round(headers.nth(name_column).bounding_box()["width"]) == 180
    assert round(headers.nth(long_column).bounding_box()["width"]) == 320
    long_cell = tab.get_by_role("cell", name="A very long answer.")
    assert round(long_cell.bounding_box()["width"]) == 320  # wraps within its column
    assert tab.get_by_role("row").nth(1).bounding_box()["height"] <= 250  # Sheets clips a long cell
    assert len(long_cell.inner_text().strip()) >= 49_000  # clipped, not cut: it scrolls within the cell
    header_row = tab.get_by_role("row").first
    assert header_row.bounding_box()["height"] <= 100  # long question titles do not make a tall header
    shot(page, "spreadsheet-long-answer")


def test_each_tab_has_its_own_save_button(env, page):
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    env.apply()
    page.goto(spreadsheet_link(env, HEART))
    tab = page.get_by_role("region", name="Expressions of interest")
    save = page.get_by_role("button", name="Save changes to Expressions of interest")
    expect(save).to_have_count(1)
    # the button comes straight after its tab's table, before anything of the next tab
    tab_bottom = tab.bounding_box()["y"] + tab.bounding_box()["height"]
    assert 0 <= save.bounding_box()["y"] - tab_bottom <= 60


# Form pages: autofill, keyboard order, focus, clearing a choice, what Google accepts


def test_name_and_email_fields_say_what_they_hold_for_autofill(env, page):
    to_about_you(env, page)
    expect(page.get_by_label("Your full name")).to_have_attribute("autocomplete", "name")
    email = page.get_by_label("Your email address")
    expect(email).to_have_attribute("autocomplete", "email")
    expect(email).to_have_attribute("inputmode", "email")


def test_an_email_address_google_would_take_is_taken(env, page):
    """A short-answer question has no response validation (the Forms API cannot set one:
    https://developers.google.com/forms/api/reference/rest/v1/forms#textquestion), so Google takes
    whatever is typed; the page must not refuse it either."""
    to_about_you(env, page)
    answer_about_you(page, "No", name="Carol Applicant", email="carol at example dot com")
    expect(page.get_by_role("heading", name="Questions about this role")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    agree_and_submit(page)
    [answers] = answers_of(env, "eoi-heart-board")
    assert answers[question_id(EOI, "email")] == ["carol at example dot com"]


def test_back_comes_before_next_in_the_tab_order_and_enter_still_goes_on(env, page):
    to_about_you(env, page)
    page.get_by_role("button", name="Back").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Next")).to_be_focused()
    type_into(page, "Your email address", "robin@example.org")
    choose(page, "Do you have business interests in health care?", "No")
    type_into(page, "Your full name", "Robin Applicant")
    page.keyboard.press("Enter")  # implicit submission is Next, not Back
    expect(page.get_by_role("heading", name="Questions about this role")).to_be_visible()


def test_focus_moves_to_the_error_summary(env, page):
    to_about_you(env, page)
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("alert")).to_be_focused()


def test_an_optional_choice_can_be_cleared(env, page):
    """Google's responder page shows "Clear selection" under an answered optional multiple-choice
    question (seen in a live form's viewform page; no help page documents it on its own)."""
    to_about_you(env, page)
    answer_about_you(page, "No")
    page.get_by_role("button", name="Next").click()
    choose(page, "I have read the privacy notice", "I agree")
    choose(page, "May we tell you about future opportunities?", "Yes")
    required = page.get_by_role("group", name="I have read the privacy notice")
    expect(required.get_by_role("button", name="Clear selection")).to_have_count(0)  # a required answer stays
    future = page.get_by_role("group", name="May we tell you about future opportunities?")
    future.get_by_role("button", name="Clear selection").click()
    expect(future.get_by_role("radio", checked=True)).to_have_count(0)
    expect(required.get_by_label("I agree")).to_be_checked()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Your response has been recorded.")).to_be_visible()
    [answers] = answers_of(env, "eoi-heart-board")
    assert question_id(EOI, "consent_future") not in answers
    assert answers[question_id(EOI, "privacy_agreement")] == ["I agree"]


def test_a_paragraph_answer_is_typed_in_the_body_font(env, page):
    to_about_you(env, page)
    answer_about_you(page, "Yes")
    body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert page.get_by_label("Please describe them").evaluate("e => getComputedStyle(e).fontFamily") == body_font
