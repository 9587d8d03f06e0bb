"""MIME building: one recipient, no injected headers, whatever the names and addresses hold."""

from __future__ import annotations

import base64
import email
import email.policy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ppp_gsuite.mail.mime import InvalidAddress, build_message, clean_name, encode_raw
from ppp_gsuite.mail.templates import RenderedEmail, render, sample_context

TEMPLATES = Path(__file__).resolve().parent.parent / "email_templates"
SENDER = ("Riverside Involvement Team", "involvement@example.org")
LEAD = ("Morgan Hale", "morgan.hale@example.org")
SIMPLE = RenderedEmail(subject="Hello", text="Hello there\n", html="<p>Hello there</p>\n")
HEADERS = {"From", "To", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"}

NAME_PAYLOADS = [
    "Sam\r\nBcc: evil@example.com",
    "Sam\nCc: evil@example.com",
    "Sam\rX-Injected: 1",
    "=?utf-8?q?Sam=0ABcc:_evil@example.com?=",
    "=?utf-8?b?U2FtCkJjYzogZXZpbEBleGFtcGxlLmNvbQ==?=",
    "=?=??=utf-8?q?x=0D=0ABcc:_evil@example.com??==",
    "Taylor, Sam",
    "Sam <evil@example.com>, Jo <other@example.com>",
    '"Sam" <evil@example.com>',
    "Sam\u2028Bcc: evil@example.com\u2029\u0085X-Injected: 1",
    "Sam\x00\t\x0bTaylor\u200b\u202e",
    "S" * 5000,
    "Zoë Ní Bhriain " * 40,
    "",
]


def parse(message):
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def assert_one_clean_recipient(message, addr="sam@example.org"):
    parsed = parse(message)
    assert set(parsed.keys()) == HEADERS
    assert [a.addr_spec for a in parsed["To"].addresses] == [addr]
    assert parsed["Cc"] is None and parsed["Bcc"] is None
    assert [a.addr_spec for a in parsed["From"].addresses] == [SENDER[1]]
    assert [a.addr_spec for a in parsed["Reply-To"].addresses] == [LEAD[1]]
    name = parsed["To"].addresses[0].display_name
    assert "\r" not in name and "\n" not in name and "=?" not in name and "?=" not in name
    # Folding a long encoded name may put a space between encoded words; the text itself stays capped.
    assert len(name.replace(" ", "")) <= 78
    assert not parsed.defects and not any(parsed[h].defects for h in ("To", "From", "Reply-To"))
    return parsed


@pytest.mark.parametrize("name", NAME_PAYLOADS)
def test_header_payloads_in_names_give_one_recipient_and_no_injected_header(name):
    message = build_message(SENDER, (name, "sam@example.org"), SIMPLE, reply_to=LEAD)
    assert_one_clean_recipient(message)


@pytest.mark.parametrize("name", NAME_PAYLOADS)
def test_payloads_in_the_sender_and_reply_to_names_are_cleaned_too(name):
    message = build_message((name, SENDER[1]), ("Sam", "sam@example.org"), SIMPLE, reply_to=(name, LEAD[1]))
    parsed = parse(message)
    assert set(parsed.keys()) == HEADERS
    for header in ("From", "Reply-To", "To"):
        assert len(parsed[header].addresses) == 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_name_gives_one_recipient(name):
    assert_one_clean_recipient(build_message(SENDER, (name, "sam@example.org"), SIMPLE, reply_to=LEAD))


def test_a_subject_cannot_add_headers():
    rendered = RenderedEmail("Hello\r\nBcc: evil@example.com =?utf-8?q?x=0ACc:_a@example.com?=", "x\n", "<p>x</p>\n")
    parsed = assert_one_clean_recipient(build_message(SENDER, ("Sam", "sam@example.org"), rendered, reply_to=LEAD))
    assert "\n" not in parsed["Subject"] and "=?" not in str(parsed["Subject"])


INVALID = [
    "sam@example.org, evil@example.com",
    "sam@example.org\r\nBcc: evil@example.com",
    "Sam <sam@example.org>",
    "<sam@example.org>",
    "sam@@example.org",
    "sam@example.org@evil.example.com",
    "sam @example.org",
    "sam@example.org\n",
    "sam\t@example.org",
    "=?utf-8?q?evil=0A?=@example.org",
    '"sam,evil"@example.org',
    "sam",
    "sam@localhost",
    "sam@example",
    "",
    "s" * 300 + "@example.org",
    "sam@" + "x" * 300 + ".org",
    "sam@exa mple.org",
    "sam;evil@example.org",
]


@pytest.mark.parametrize("addr", INVALID)
def test_invalid_addresses_are_refused_without_repeating_them(addr):
    with pytest.raises(InvalidAddress) as excinfo:
        build_message(SENDER, ("Sam", addr), SIMPLE, who="the applicant's email address")
    message = str(excinfo.value)
    assert message.startswith("the applicant's email address")
    assert not (addr.strip() and addr.strip() in message)


def test_the_error_says_which_address_is_wrong():
    with pytest.raises(InvalidAddress, match="^the address"):
        build_message(SENDER, ("Sam", "nope"), SIMPLE)
    with pytest.raises(InvalidAddress, match="sender"):
        build_message(("Team", "team@"), ("Sam", "sam@example.org"), SIMPLE)
    with pytest.raises(InvalidAddress, match="reply-to"):
        build_message(SENDER, ("Sam", "sam@example.org"), SIMPLE, reply_to=("Lead", "lead at example.org"))


def test_international_domains_are_sent_in_ascii():
    message = build_message(SENDER, ("Sam", "sam@bücher.example"), SIMPLE)
    assert parse(message)["To"].addresses[0].addr_spec == "sam@xn--bcher-kva.example"


def test_no_reply_to_unless_given_and_message_id_on_the_sender_domain():
    parsed = parse(build_message(SENDER, ("Sam", "sam@example.org"), SIMPLE))
    assert parsed["Reply-To"] is None
    assert parsed["Message-ID"].endswith("@example.org>")
    assert parsed["Date"].datetime is not None


def test_a_rendered_email_becomes_text_with_an_html_alternative():
    context = sample_context("claim_queried")
    payload = "<script>alert(1)</script>\r\nBcc: evil@example.com"
    context["person"] = {"name": payload}
    context["claim"] = {**context["claim"], "notes": payload}
    rendered = render(TEMPLATES, "claim_queried", context)
    message = build_message(SENDER, (payload, "sam@example.org"), rendered, reply_to=LEAD)
    parsed = assert_one_clean_recipient(message)
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(("plain",)).get_content()
    html = parsed.get_body(("html",)).get_content()
    assert "<script>alert(1)</script>" in text
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert parsed["Subject"] == rendered.subject


def test_encode_raw_is_base64url_of_crlf_bytes():
    message = build_message(SENDER, ("Zoë", "sam@example.org"), SIMPLE, reply_to=LEAD)
    raw = encode_raw(message)
    assert "+" not in raw and "/" not in raw
    data = base64.urlsafe_b64decode(raw)
    assert data == message.as_bytes()
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_clean_name():
    assert clean_name("  Sam\r\n  Taylor\t") == "Sam Taylor"
    assert clean_name("=?=??=x") == "x"
    assert clean_name("a\u200bb") == "ab"
    assert len(clean_name("x" * 100)) == 78
