"""The pages a new user meets first: the index, form page details, the lead's sheet page,
and what `local serve` prints (plain log lines, a clear error for a port in use)."""

from __future__ import annotations

import re
import socket
import urllib.error
import urllib.request

import pytest

from local_workspace import server
from test_local_forms import CONSENT, DECLARE, FIRST_PAGE, NAME, entry, eoi, make_form, post, publish, question  # noqa: F401
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
    assert (f'<a href="/forms/d/e/{open_form}/viewform">Join the &lt;Board&gt; &amp; help</a> '
            "(accepting responses)") in text
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
    assert (f'<a href="#q-{DECLARE}-0">Do you have business interests in health or care? '
            "This is a required question</a>") in summary
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


def test_sheet_page_marks_tool_columns_scrolls_and_hides_save_without_rows(local, gc):  # noqa: F811
    spreadsheet = _lead_sheet(gc)
    status, text = local.request("GET", f"/spreadsheets/d/{spreadsheet.id}/edit")
    assert status == 200
    assert "are filled by the tool: they are read-only here" in text
    assert "You can change: Status, Notes." in text
    assert re.search(r'<th scope="col" class="tool">Reference<span class="visually-hidden"> \(filled by the tool\)', text)
    assert '<th scope="col" class="lead">Status' in text
    assert '<div class="scroll" role="region"' in text and "overflow-x: auto" in text
    assert "Save changes" in text

    empty = gc.create("Not started")
    empty.sheet1.update([["Reference", "Status"]], "A1")
    status, text = local.request("GET", f"/spreadsheets/d/{empty.id}/edit")
    assert status == 200 and "No rows yet." in text and "Save changes" not in text


def test_serve_logs_plain_lines_for_pages_and_errors_and_counts_api_calls(tmp_path, capfd):
    url, stop = server.start(tmp_path / "store.sqlite3", quiet=False)
    try:
        def get(path, data=None):
            try:
                with urllib.request.urlopen(urllib.request.Request(url + path, data=data)) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        assert get("/") == 200
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
    assert re.fullmatch(r"\d\d:\d\d:\d\d GET /forms/d/e/missing/viewform 404  \(2 API calls since the previous line\)",
                        lines[1])
    assert "ann" not in err  # query strings (prefilled answers) stay out of the log


def test_serve_forever_on_a_port_in_use_raises_port_in_use(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(server.PortInUse) as raised:
            server.serve_forever(tmp_path / "store.sqlite3", port)
    assert str(raised.value).startswith(f"port {port} is in use, probably by a local workspace that is already "
                                        f"running: keep using it (set PPP_GSUITE_LOCAL_URL=http://127.0.0.1:{port})")
    assert str(raised.value).endswith("or choose another port with --port N")
