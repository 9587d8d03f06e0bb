"""The local Gmail v1 users.messages.send, its outbox page and fault injection, over real HTTP."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest

SEND = "/gmail/v1/users/me/messages/send"
METHOD = "gmail.users.messages.send"


def raw_message(
    to="Ann Example <ann@example.org>",
    subject="Thank you for your interest",
    cc=None,
    bcc=None,
    text="Hello Ann,\nWe have your expression of interest.",
    html="<p>Hello Ann</p>",
) -> str:
    message = EmailMessage()
    message["From"] = "Riverside Involvement Team <involvement@example.org>"
    if to:
        message["To"] = to
    if cc:
        message["Cc"] = cc
    if bcc:
        message["Bcc"] = bcc
    message["Reply-To"] = "Lee Lead <lead@example.org>"
    message["Subject"] = subject
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return base64.urlsafe_b64encode(message.as_bytes()).decode("ascii")


def send(local, body):
    status, text = local.request("POST", SEND, body=body)
    return status, json.loads(text) if text else None


def messages(local) -> list[dict]:
    return local.json("GET", "/_local/gmail/messages")["messages"]


def arm(local, mode, **options):
    local.json("POST", "/_local/faults", {"method_id": METHOD, "mode": mode, **options})


def raw_post(local, body: dict, timeout: float = 5) -> bytes:
    """POST over a bare socket; everything the server wrote before closing."""
    parts = urlsplit(local.url)
    data = json.dumps(body).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(
            f"POST {SEND} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {local.default_token()}\r\n"
            f"Content-Length: {len(data)}\r\n\r\n".encode()
            + data
        )
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def test_send_stores_the_parsed_message(local):
    local.json("PUT", "/_local/gmail/send-as", {"aliases": ["involvement@example.org"]})
    status, answer = send(local, {"raw": raw_message()})
    assert status == 200
    assert answer == {"id": answer["id"], "threadId": answer["id"], "labelIds": ["SENT"]}
    [stored] = messages(local)
    assert stored["id"] == answer["id"]
    assert stored["to"] == "Ann Example <ann@example.org>"
    assert stored["from"] == "Riverside Involvement Team <involvement@example.org>"
    assert stored["replyTo"] == "Lee Lead <lead@example.org>"
    assert stored["subject"] == "Thank you for your interest"
    assert stored["text"] == "Hello Ann,\nWe have your expression of interest.\n"
    assert stored["html"] == "<p>Hello Ann</p>\n"
    assert base64.urlsafe_b64decode(stored["raw"]).startswith(b"From: Riverside")


def test_unpadded_base64url_is_accepted(local):
    assert send(local, {"raw": raw_message().rstrip("=")})[0] == 200


@pytest.mark.parametrize(
    "body, words",
    [
        ({"raw": raw_message(), "labels": ["SENT"]}, "labels: unknown field"),
        ({"raw": 12}, "raw"),
        ({}, "'raw' RFC822 payload message string"),
        ({"payload": {"mimeType": "text/plain"}}, "'raw' RFC822 payload"),
        ({"raw": "!!not base64!!"}, "Base64 decoding failed"),
    ],
)
def test_bad_bodies_are_400(local, body, words):
    status, answer = send(local, body)
    assert status == 400 and answer["error"]["status"] == "INVALID_ARGUMENT"
    assert words in answer["error"]["message"]
    assert messages(local) == []


@pytest.mark.parametrize("upload", ["/upload", "/resumable/upload"])
def test_media_upload_is_refused(local, upload):
    status, text = local.request("POST", upload + SEND + "?uploadType=media", body={"raw": raw_message()})
    assert status == 400 and "not as a media upload" in json.loads(text)["error"]["message"]
    assert messages(local) == []


@pytest.mark.parametrize(
    "headers",
    [
        {"to": "ann@example.org, bob@example.org"},
        {"to": "ann@example.org", "cc": "bob@example.org"},
        {"to": "ann@example.org", "bcc": "bob@example.org"},
        {"to": "friends: ann@example.org, bob@example.org;"},
        {"to": None},
        {"to": None, "cc": "bob@example.org"},
        {"to": "not an address"},
    ],
)
def test_anything_but_one_recipient_is_400(local, headers):
    status, answer = send(local, {"raw": raw_message(**headers)})
    assert status == 400
    assert "To header" in answer["error"]["message"] or "Recipient address required" in answer["error"]["message"]
    assert messages(local) == []


def test_outbox_shows_messages_newest_first_with_html_escaped(local):
    send(local, {"raw": raw_message(subject="First")})
    send(
        local,
        {
            "raw": raw_message(
                subject="Second",
                text="Text with <b>tags</b>",
                html='<p onclick="x()">Hi</p><script>alert("owned")</script>',
            )
        },
    )
    status, page = local.request("GET", "/gmail/outbox")
    assert status == 200
    assert page.index("Second") < page.index("First")
    assert "Text with &lt;b&gt;tags&lt;/b&gt;" in page
    assert "<script>alert" not in page and 'onclick="x()"' not in page
    assert "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;" in page
    assert 'sandbox=""' in page and "Ann Example &lt;ann@example.org&gt;" in page
    assert "Lee Lead &lt;lead@example.org&gt;" in page


def test_reset_empties_the_outbox(local):
    send(local, {"raw": raw_message()})
    local.reset()
    assert messages(local) == []


def test_apply_then_drop_stores_and_closes_without_a_status_line(local):
    arm(local, "apply_then_drop")
    assert raw_post(local, {"raw": raw_message()}) == b""
    assert len(messages(local)) == 1
    assert send(local, {"raw": raw_message()})[0] == 200  # times: 1, so the next call goes through
    assert len(messages(local)) == 2


def test_drop_before_apply_closes_without_storing(local):
    arm(local, "drop_before_apply")
    assert raw_post(local, {"raw": raw_message()}) == b""
    assert messages(local) == []
    assert [r["methodId"] for r in local.requests()] == [METHOD]


def test_error_500_answers_googles_envelope_without_storing(local):
    arm(local, "error_500", times=2)
    for _ in range(2):
        status, answer = send(local, {"raw": raw_message()})
        assert status == 500 and answer["error"]["status"] == "INTERNAL"
    assert messages(local) == []
    assert send(local, {"raw": raw_message()})[0] == 200


def test_after_lets_the_first_calls_through(local):
    arm(local, "error_500", after=2)
    assert [send(local, {"raw": raw_message()})[0] for _ in range(4)] == [200, 200, 500, 200]
    assert local.json("GET", "/_local/faults") == {"faults": []}


def test_hang_applies_then_waits_until_disarmed(local):
    arm(local, "hang", seconds=30)
    with pytest.raises(socket.timeout):
        raw_post(local, {"raw": raw_message()}, timeout=0.5)
    assert len(messages(local)) == 1
    started = time.monotonic()
    finished = threading.Event()
    arm(local, "hang", seconds=30)
    worker = threading.Thread(target=lambda: (send(local, {"raw": raw_message()}), finished.set()))
    worker.start()
    time.sleep(0.3)
    assert not finished.is_set()
    local.json("DELETE", "/_local/faults")
    worker.join(5)
    assert finished.is_set() and time.monotonic() - started < 5


def test_a_from_that_is_neither_the_account_nor_a_verified_alias_is_sent_as_the_account(local):
    account = local.json("GET", "/_local/gmail/send-as")["account"]
    status, _ = send(local, {"raw": raw_message()})  # From: involvement@example.org, no alias yet
    assert status == 200  # Gmail does not refuse: it rewrites, silently
    [stored] = messages(local)
    assert stored["from"] == f"Riverside Involvement Team <{account}>"
    assert f"From: Riverside Involvement Team <{account}>".encode() in base64.urlsafe_b64decode(stored["raw"])


def test_send_as_list_names_the_account_and_its_verified_aliases(local):
    account = local.json("GET", "/_local/gmail/send-as")["account"]
    local.json("PUT", "/_local/gmail/send-as", {"aliases": ["Involvement@Example.org"]})
    session = local.session(scopes=["https://www.googleapis.com/auth/gmail.settings.basic"])
    answer = session.get(local.url + "/gmail/v1/users/me/settings/sendAs", timeout=10)
    status, text = answer.status_code, answer.text
    listed = json.loads(text)["sendAs"]
    assert status == 200
    assert [(e["sendAsEmail"], e.get("isPrimary", False)) for e in listed] == [
        (account, True),
        ("involvement@example.org", False),
    ]
    assert listed[1]["verificationStatus"] == "accepted"
    send(local, {"raw": raw_message()})
    assert messages(local)[0]["from"] == "Riverside Involvement Team <involvement@example.org>"


def test_faults_apply_to_any_api(local, drive_api):
    local.json("POST", "/_local/faults", {"method_id": "drive.files.list", "mode": "error_500"})
    status, text = local.request("GET", "/drive/v3/files")
    assert status == 500
    assert local.request("GET", "/drive/v3/files")[0] == 200


@pytest.mark.parametrize(
    "spec",
    [
        {"method_id": "gmail.users.messages.nope", "mode": "error_500"},
        {"method_id": METHOD, "mode": "explode"},
        {"method_id": METHOD, "mode": "hang", "seconds": 31},
        {"method_id": METHOD, "mode": "error_500", "times": 0},
    ],
)
def test_bad_fault_specs_are_400(local, spec):
    assert local.request("POST", "/_local/faults", body=spec)[0] == 400


def test_reset_disarms_faults(local):
    arm(local, "error_500")
    local.reset()
    assert local.json("GET", "/_local/faults") == {"faults": []}
    assert send(local, {"raw": raw_message()})[0] == 200


def test_a_send_as_alias_is_one_accounts_another_account_sends_as_itself(local):
    """Send-as addresses are verified per Gmail account (Gmail settings > Accounts > "Send mail as"):
    an alias of the workspace's owner must not let another signed-in account keep that From."""
    local.json("PUT", "/_local/gmail/send-as", {"aliases": ["involvement@example.org"]})
    other = local.session(user="someone.else@example.org")
    answer = other.post(local.url + SEND, json={"raw": raw_message()}, timeout=10)  # From: involvement@example.org
    assert answer.status_code == 200
    [stored] = messages(local)
    assert stored["from"] == "Riverside Involvement Team <someone.else@example.org>"
    local.json(
        "PUT", "/_local/gmail/send-as", {"account": "someone.else@example.org", "aliases": ["involvement@example.org"]}
    )
    other.post(local.url + SEND, json={"raw": raw_message()}, timeout=10)
    assert messages(local)[-1]["from"].endswith("<involvement@example.org>")
