"""GmailSender: sent, refused or unknown, and never sent twice; against the local workspace over HTTP."""

from __future__ import annotations

import socket

import httplib2
import pytest
import requests
from google.auth.transport.requests import AuthorizedSession
from googleapiclient.discovery import build

from ppp_gsuite.google.gmail_api import GmailSender, NotSent, SendNotAttempted, SendOutcomeUnknown, SendRefused
from test_local_gmail import METHOD, arm, messages, raw_message


@pytest.fixture
def sender(local) -> GmailSender:
    return GmailSender(local.session(), local.url, timeout=(2, 5))


def sends_logged(local) -> int:
    return sum(1 for r in local.requests() if r["methodId"] == METHOD)


def test_a_sent_message_is_stored_once_and_shown_in_the_outbox(local, sender):
    html = "<p>Your answer: &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    message_id = sender.send(
        raw_message(
            subject="We have your expression of interest", text="Your answer: <script>alert(1)</script>", html=html
        )
    )
    [stored] = messages(local)
    assert stored["id"] == message_id and stored["subject"] == "We have your expression of interest"
    status, page = local.request("GET", "/gmail/outbox")
    assert "We have your expression of interest" in page
    assert "Your answer: &lt;script&gt;alert(1)&lt;/script&gt;" in page  # the text part, escaped once
    assert "&lt;p&gt;Your answer: &amp;lt;script&amp;gt;" in page  # the HTML part, as source
    assert "<script>" not in page
    assert sends_logged(local) == 1


def test_the_adapters_never_retry(sender):
    for url in ("https://gmail.googleapis.com", "http://127.0.0.1"):
        retries = sender.session.get_adapter(url).max_retries
        assert (retries.total, retries.connect, retries.read, retries.redirect, retries.status) == (0, 0, 0, 0, 0)


def test_two_recipients_are_refused(local, sender):
    with pytest.raises(SendRefused) as raised:
        sender.send(raw_message(to="ann@example.org, bob@example.org"))
    assert (raised.value.code, raised.value.status) == (400, "INVALID_ARGUMENT")
    assert "To header" in raised.value.message
    assert messages(local) == []


def test_a_body_google_rejects_is_refused(local, sender):
    with pytest.raises(SendRefused) as raised:
        sender.send("")
    assert raised.value.code == 400 and isinstance(raised.value, NotSent)


def test_apply_then_drop_is_unknown_and_sent_once(local, sender):
    arm(local, "apply_then_drop")
    with pytest.raises(SendOutcomeUnknown):
        sender.send(raw_message())
    assert len(messages(local)) == 1
    assert sends_logged(local) == 1


def test_drop_before_apply_is_unknown_and_nothing_sent(local, sender):
    arm(local, "drop_before_apply")
    with pytest.raises(SendOutcomeUnknown):
        sender.send(raw_message())
    assert messages(local) == []
    assert sends_logged(local) == 1


def test_error_500_is_unknown(local, sender):
    arm(local, "error_500")
    with pytest.raises(SendOutcomeUnknown):
        sender.send(raw_message())
    assert messages(local) == []
    assert sends_logged(local) == 1


def test_a_read_timeout_is_unknown(local):
    sender = GmailSender(local.session(), local.url, timeout=(2, 0.5))
    arm(local, "hang", seconds=10)
    with pytest.raises(SendOutcomeUnknown):
        sender.send(raw_message())
    local.json("DELETE", "/_local/faults")
    assert len(messages(local)) == 1
    assert sends_logged(local) == 1


def test_the_third_send_fails_alone(local, sender):
    arm(local, "apply_then_drop", after=2)
    outcomes = []
    for n in range(4):
        try:
            outcomes.append(bool(sender.send(raw_message(subject=f"Message {n}"))))
        except SendOutcomeUnknown:
            outcomes.append("unknown")
    assert outcomes == [True, True, "unknown", True]
    assert [m["subject"] for m in messages(local)] == [f"Message {n}" for n in range(4)]


def test_no_server_listening_is_not_attempted():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = GmailSender(requests.Session(), f"http://127.0.0.1:{port}", timeout=(2, 5))
    with pytest.raises(SendNotAttempted):
        sender.send(raw_message())


def test_authorized_session_as_on_google(local):
    sender = GmailSender(AuthorizedSession(local.credentials()), local.url, timeout=(2, 5))
    assert sender.send(raw_message())
    arm(local, "apply_then_drop")
    with pytest.raises(SendOutcomeUnknown):
        sender.send(raw_message())
    assert len(messages(local)) == 2 and sends_logged(local) == 2


def test_httplib2_resends_a_dropped_send_so_googleapiclient_must_not_send_mail(local):
    """Why docs/decisions.md §5 forbids googleapiclient for sends: with num_retries=0, httplib2 sees the
    dropped connection as a stale one, sends the same POST again, and the caller sees one success."""
    from google_auth_httplib2 import AuthorizedHttp

    http = AuthorizedHttp(local.credentials(), http=httplib2.Http(timeout=5))
    gmail = build("gmail", "v1", http=http, static_discovery=True, client_options={"api_endpoint": local.url})
    arm(local, "apply_then_drop")
    answer = gmail.users().messages().send(userId="me", body={"raw": raw_message()}).execute(num_retries=0)
    stored = messages(local)
    assert len(stored) == 2  # one call, two emails delivered
    assert answer["id"] == stored[1]["id"]
    assert sends_logged(local) == 2
