"""The pages a new user meets first: the index, form page details, the lead's sheet page,
and what `local serve` prints (plain log lines, a clear error for a port in use)."""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request

import pytest

from conftest import LocalControls
from local_workspace import server
from test_local_forms import (  # noqa: F401
    CONSENT,
    CONTACT,
    DECLARE,
    FIRST_PAGE,
    NAME,
    entry,
    eoi,
    input_value,
    make_form,
    post,
    publish,
    question,
    radio,
)
from test_local_gmail import SEND, raw_message
from test_local_sheets import _lead_sheet, gc  # noqa: F401


def test_index_lists_published_forms_spreadsheets_and_the_outbox(local, forms_api, drive_api, gc):  # noqa: F811
    status, text = local.request("GET", "/")
    assert status == 200 and "stand-in for Google Workspace" in text
    assert "No published forms yet." in text and "0 messages sent" in text

    open_form = make_form(forms_api, title="Join the <Board> & help")
    publish(forms_api, drive_api, open_form)
    closed_form = make_form(forms_api, title="Last year's panel")
    publish(forms_api, drive_api, closed_form, accepting=False)
    make_form(forms_api, title="Draft, not published")
    spreadsheet = gc.create("Applicants <2026>")
    assert local.request("POST", SEND, body={"raw": raw_message()})[0] == 200

    status, text = local.request("GET", "/")
    assert status == 200
    assert (
        f'<a href="/forms/d/e/{open_form}/viewform">Join the &lt;Board&gt; &amp; help</a> (accepting responses)'
    ) in text
    assert f'<a href="/forms/d/e/{closed_form}/viewform">Last year&#39;s panel</a> (closed)' in text
    assert "Draft, not published" not in text
    assert f'<a href="/spreadsheets/d/{spreadsheet.id}/edit">Applicants &lt;2026&gt;</a>' in text
    assert '<a href="/gmail/outbox">Outbox</a>: 1 message sent.' in text
    assert "<script" not in text and "<Board>" not in text


def test_error_summary_names_each_question_and_links_to_its_field(local, eoi):  # noqa: F811
    status, text = post(local, eoi, {**FIRST_PAGE, entry(NAME): "", "pageHistory": "0", "navigate": "next"})
    assert status == 400
    summary = re.search(r'<div class="error-summary".*?</div>', text, re.S).group(0)
    assert f'<a href="#q-{NAME}">Your full name: This is a required question</a>' in summary
    assert (
        f'<a href="#q-{DECLARE}-0">Do you have business interests in health or care? This is a required question</a>'
    ) in summary
    assert f'id="q-{NAME}"' in text and f'id="q-{DECLARE}-0"' in text  # the links lead somewhere


def test_thank_you_page_names_the_form_and_links_to_the_index(local, eoi):  # noqa: F811
    fields = {**FIRST_PAGE, entry(DECLARE): "No", entry(CONSENT): "Yes", "pageHistory": "0,2", "navigate": "submit"}
    status, text = post(local, eoi, fields)
    assert status == 200
    assert "Your response has been recorded." in text
    assert "Thank you for answering Expression of interest: Urgent Care Board." in text
    assert "If the organisation sends confirmation emails, one will follow separately." in text
    assert '<a href="/">' in text


def test_text_items_inside_a_section_are_one_level_below_its_title(local, forms_api, drive_api):
    items = [
        {"itemId": "d0000001", "title": "About this role", "textItem": {}},
        {"itemId": "b2000009", "title": "Your agreement", "pageBreakItem": {}},
        {"itemId": "d0000002", "title": "Equal opportunities", "description": "Optional.", "textItem": {}},
        question("a1000011", "I agree", "textQuestion"),
    ]
    form_id = make_form(forms_api, items)
    publish(forms_api, drive_api, form_id)
    status, text = local.request("GET", f"/forms/d/e/{form_id}/viewform")
    assert "<h1>" in text and "<h2>About this role</h2>" in text  # no section title: items at h2
    status, text = post(local, form_id, {"pageHistory": "0", "navigate": "next"})
    assert status == 200
    assert "<h2>Your agreement</h2>" in text and "<h3>Equal opportunities</h3>" in text
    assert "<h2>Equal opportunities</h2>" not in text


def test_sheet_page_marks_tool_columns_scrolls_and_offers_an_empty_sheet_a_row_to_type_into(local, gc):  # noqa: F811
    spreadsheet = _lead_sheet(gc)
    status, text = local.request("GET", f"/spreadsheets/d/{spreadsheet.id}/edit")
    assert status == 200
    assert "are filled by the tool: they are read-only here" in text
    assert "You can change: Status, Notes." in text
    assert re.search(
        r'<th scope="col" class="tool"><span class="head" title="Reference">Reference</span>'
        r'<span class="visually-hidden"> \(filled by the tool\)',
        text,
    )
    assert '<th scope="col" class="lead"><span class="head" title="Status">Status' in text
    assert '<div class="scroll" role="region"' in text and "overflow-x: auto" in text
    assert "Save changes" in text

    empty = gc.create("Not started")
    empty.sheet1.update([["Reference", "Status"]], "A1")
    status, text = local.request("GET", f"/spreadsheets/d/{empty.id}/edit")
    assert status == 200 and "No rows yet." in text
    # As in Sheets, the row under the header can be typed into (a lead's first meeting: issue 15).
    assert 'name="0!A2" value=""' in text and 'name="0!A3"' not in text and "Save changes to Sheet1" in text


def test_serve_logs_plain_lines_for_pages_and_errors_and_counts_api_calls(tmp_path, capfd):
    url, stop = server.start(tmp_path / "store.sqlite3", quiet=False)
    try:

        def get(path, data=None):
            headers = {"Authorization": f"Bearer {token}"} if path.startswith("/v1/") else {}
            try:
                with urllib.request.urlopen(urllib.request.Request(url + path, data=data, headers=headers)) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        assert get("/") == 200
        token = LocalControls(url).token()  # a control call, counted with the API calls
        assert get("/v1/forms", data=b'{"info": {"title": "A"}}') == 200
        assert get("/v1/forms", data=b'{"info": {"title": "B"}}') == 200
        assert get("/forms/d/e/missing/viewform?emailAddress=ann%40example.org") == 404
    finally:
        stop()
    err = capfd.readouterr().err
    assert "\x1b[" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    assert re.fullmatch(r"\d\d:\d\d:\d\d GET / 200", lines[0])
    assert re.fullmatch(
        r"\d\d:\d\d:\d\d GET /forms/d/e/missing/viewform 404  \(3 API calls since the previous line\)", lines[1]
    )
    assert "ann" not in err  # query strings (prefilled answers) stay out of the log


def test_serve_never_logs_a_token(tmp_path, capfd):
    url, stop = server.start(tmp_path / "store.sqlite3", quiet=False)
    try:
        controls = LocalControls(url)
        good, wrong = controls.token(), "ya29.not-one-it-issued"
        for token in (good, wrong):
            request = urllib.request.Request(
                url + "/v1/forms", data=b'{"info": {"title": "A"}}', headers={"Authorization": f"Bearer {token}"}
            )
            try:
                urllib.request.urlopen(request).close()
            except urllib.error.HTTPError as error:
                assert error.code == 401 and wrong not in error.read().decode()
        logged = json.dumps(controls.json("GET", "/_local/requests"))
    finally:
        stop()
    err = capfd.readouterr().err
    assert "POST /v1/forms 401" in err
    for token in (good, wrong):
        assert token not in err and token not in logged
        assert token.split(".")[-1][:12] not in err


def test_serve_forever_on_a_port_in_use_raises_port_in_use(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(server.PortInUse) as raised:
            server.serve_forever(tmp_path / "store.sqlite3", port)
    assert str(raised.value).startswith(
        f"port {port} is in use, probably by a local workspace that is already "
        f"running: keep using it (set PPP_GSUITE_LOCAL_URL=http://127.0.0.1:{port})"
    )
    assert str(raised.value).endswith("or choose another port with --port N")


def test_sheet_page_has_each_columns_width_as_sheets_stores_it_and_a_save_button_per_tab(local, gc):  # noqa: F811
    spreadsheet = _lead_sheet(gc)
    second = spreadsheet.add_worksheet("Second round", rows=10, cols=3)
    second.update([["Name", "Notes"], ["Ann", ""]], "A1")
    spreadsheet.batch_update(
        {
            "requests": [
                {
                    "updateDimensionProperties": {
                        "range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 1, "endIndex": 3},
                        "properties": {"pixelSize": 240},
                        "fields": "pixelSize",
                    }
                }
            ]
        }
    )
    status, text = local.request("GET", f"/spreadsheets/d/{spreadsheet.id}/edit")
    assert status == 200
    first_tab = text[text.index('id="sheet-0"') : text.index(f'id="sheet-{second.id}"')]
    assert re.findall(r'<col style="width: (\d+)px">', first_tab) == [
        "100",
        "240",
        "240",
        "100",
    ]  # 100: Sheets' default
    assert first_tab.count("<button") == 1 and "Save changes to Sheet1" in first_tab
    assert text.count("<button") == 2 and "Save changes to Second round" in text


def test_favicon_is_served(local):
    with urllib.request.urlopen(local.url + "/favicon.ico") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("image/")
        assert response.read()


def test_a_get_on_form_response_shows_the_form_not_an_api_error(local, eoi):  # noqa: F811
    status, text = local.request("GET", f"/forms/d/e/{eoi}/formResponse")
    assert status == 200 and text.lstrip().startswith("<!doctype html>")
    assert "<h1>Expression of interest: Urgent Care Board</h1>" in text


def test_text_questions_say_what_they_hold_for_autofill_and_the_phone_keyboard(local, forms_api, drive_api):
    items = [
        question("a1000021", "Your full name", "textQuestion"),
        question("a1000022", "Your email address", "textQuestion"),
        question("a1000023", "Your phone number", "textQuestion"),
        question("a1000024", "Your postcode, or the area where you live", "textQuestion"),
        question("a1000025", "Your postal address", "textQuestion", paragraph=True),
        question("a1000026", "Name of your carer", "textQuestion"),
        radio("a1000027", "May other members of your group see your email address?", [{"value": "Yes"}]),
    ]
    form_id = make_form(forms_api, items)
    publish(forms_api, drive_api, form_id)
    status, text = local.request("GET", f"/forms/d/e/{form_id}/viewform")
    assert status == 200

    def field(qid):
        return re.search(rf'<(input|textarea)[^>]*id="q-{qid}[-"][^>]*>', text).group(0)

    assert 'autocomplete="name"' in field("a1000021")
    assert 'autocomplete="email"' in field("a1000022") and 'inputmode="email"' in field("a1000022")
    assert 'type="text"' in field("a1000022")  # not type=email: Google takes any text here
    assert 'type="tel"' in field("a1000023") and 'autocomplete="tel"' in field("a1000023")
    assert 'autocomplete="postal-code"' in field("a1000024")
    assert field("a1000025").startswith("<textarea") and 'autocomplete="street-address"' in field("a1000025")
    assert "autocomplete" not in field("a1000026") and "autocomplete" not in field("a1000027")


def test_clear_selection_removes_an_optional_choice_and_keeps_the_other_answers(local, eoi):  # noqa: F811
    """Google's responder page shows "Clear selection" under an answered optional multiple-choice
    question (seen in a live form's viewform page; no help page documents it on its own)."""
    status, text = post(
        local, eoi, {**FIRST_PAGE, entry(CONTACT): "Email", "pageHistory": "0", "clearSelection": CONTACT}
    )
    assert status == 200 and "There is a problem" not in text  # the same page, not a submission
    assert f'name="{entry(CONTACT)}" value="Email"' in text
    assert f'name="{entry(CONTACT)}" value="Email" checked' not in text
    assert input_value(text, NAME) == FIRST_PAGE[entry(NAME)]
    assert f'name="clearSelection" value="{CONTACT}"' in text
    assert f'name="clearSelection" value="{DECLARE}"' not in text  # a required answer cannot be cleared
