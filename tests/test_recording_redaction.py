"""`doctor --record`: a recording made with known secrets and personal values contains none of them."""

from __future__ import annotations

import base64
import json
import urllib.parse

from ppp_gsuite.demo.browser import Browser
from ppp_gsuite.doctor.run import Apis, Doctor, Respond
from ppp_gsuite.doctor.throwaway import GO_ON, field_of
from ppp_gsuite.google.clients import local_clients
from ppp_gsuite.google.forms_api import FormsApi
from ppp_gsuite.google.recording import recording, redact

ACCOUNT = "jane.doe-private@example.org"
DISPLAY_NAME = "Jane Doe-Private"  # what Drive shows as the owner's name (the stand-in derives it from the address)
CLIENT = "client-7f3a9c-known"
ANSWER = "my answer 4242 about my heart condition"


def spellings(value: str) -> list[str]:
    """A value as it may be written in a request or an answer: as is, URL-encoded, in a query string."""
    return [value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value), value.lower()]


def test_a_recording_of_a_doctor_run_holds_no_token_address_name_id_or_answer(local, tmp_path):
    token = local.token(client_id=CLIENT, user=ACCOUNT)
    clients = local_clients(local.url, token=token)
    path = tmp_path / "doctor.json"

    def submit(link: str) -> None:
        Browser(local.url, local.url).fill_in(link, {field_of("go_on"): [GO_ON], field_of("note"): [ANSWER]}, "form")

    with recording(path):
        checkup = Doctor(Apis.of(clients), lambda line: None, Respond(submit, 60)).run()
    assert checkup.passed, [step.line() for step in checkup.steps]
    forms = FormsApi(clients.forms)
    assert checkup.form_id and checkup.spreadsheet_id
    response_id = forms.list_responses(checkup.form_id)[0][0]["responseId"]
    text = path.read_text(encoding="utf-8")
    known = [token, ACCOUNT, "jane.doe-private", DISPLAY_NAME, CLIENT, ANSWER]
    known += [checkup.form_id, checkup.spreadsheet_id, response_id]
    for value in known:
        for spelling in spellings(value):
            assert spelling not in text, f"{value!r} survived as {spelling!r}"
    # Nor inside the email, whose raw message is base64.
    cassette = json.loads(text)
    sent = [i for i in cassette["interactions"] if i["request"]["uri"].endswith("/messages/send")]
    raw = json.loads(sent[0]["request"]["body"])["raw"]
    message = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
    assert ACCOUNT not in message and "person1@example.org" in message
    # The same id has the same placeholder throughout, so the recording still replays.
    created = json.loads(cassette["interactions"][0]["response"]["body"]["string"])["formId"]
    assert created.startswith("REDACTED_ID_")
    assert sum(created in i["request"]["uri"] for i in cassette["interactions"]) >= 6


def test_a_token_refresh_and_a_service_account_grant_keep_no_secret():
    """On Google the recording also holds google-auth's calls to the token endpoint."""
    secrets = {
        "client_secret": "GOCSPX-s3cr3t-value",
        "refresh_token": "1//0gRefreshTokenValue-xyz",
        "assertion": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJqYW5lQG5ocy51ayJ9.c2lnbmF0dXJl",
    }
    refresh = urllib.parse.urlencode(
        {"grant_type": "refresh_token", "client_id": "123-abc.apps.googleusercontent.com", **secrets}
    )
    answer = {
        "access_token": "ya29.a0AfH6SMBaccess",
        "id_token": "eyJhbGciOiJSUzI1NiJ9.eyJlbWFpbCI6ImphbmVAbmhzLnVrIn0.c2ln",
        "expires_in": 3599,
    }
    error = {"error": {"code": 429, "message": "Quota exceeded for consumer 'project_number:123456789012'."}}
    cassette = {
        "version": 1,
        "interactions": [
            {
                "request": {
                    "method": "POST",
                    "uri": "https://oauth2.googleapis.com/token",
                    "body": refresh,
                    "headers": {"Authorization": ["Bearer ya29.old"], "Cookie": ["SID=abc"]},
                },
                "response": {"status": {"code": 200}, "headers": {}, "body": {"string": json.dumps(answer)}},
            },
            {
                "request": {
                    "method": "POST",
                    "uri": "https://www.googleapis.com/drive/v3/files/1AbCdEf/permissions?emailAddress=jane%40nhs.uk",
                    "body": None,
                    "headers": {},
                },
                "response": {"status": {"code": 429}, "headers": {}, "body": {"string": json.dumps(error)}},
            },
        ],
    }
    text = json.dumps(redact(cassette))
    for value in [*secrets.values(), answer["access_token"], answer["id_token"], "ya29.old", "SID=abc"]:
        assert value not in text
    for value in ["123-abc.apps.googleusercontent.com", "jane%40nhs.uk", "jane@nhs.uk", "123456789012"]:
        assert value not in text
    assert "https://www.googleapis.com/drive/v3/files/1AbCdEf/permissions?emailAddress=person" in text


def _one(uri: str, answer: dict, status: int = 200) -> dict:
    return {
        "version": 1,
        "interactions": [
            {
                "request": {"method": "GET", "uri": uri, "body": None, "headers": {}},
                "response": {"status": {"code": status}, "headers": {}, "body": {"string": json.dumps(answer)}},
            }
        ],
    }


def test_a_plus_address_in_a_query_string_leaves_no_part_of_it():
    """quote() writes '+' as %2B: the part of the address before it must go too, not only what follows."""
    address = "jane.doe+ppp@nhs.uk"
    uri = "https://www.googleapis.com/drive/v3/files?q=" + urllib.parse.quote(f"'{address}' in writers", safe="")
    redacted = redact(_one(uri, {"files": []}))["interactions"][0]["request"]["uri"]
    assert "jane" not in redacted and "nhs.uk" not in redacted
    # The rest of the address stays as it was, so the recording still replays.
    assert redacted == "https://www.googleapis.com/drive/v3/files?q=%27person1%40example.org%27%20in%20writers"


def test_the_cloud_project_number_goes_however_google_writes_it():
    """Google's 'API not enabled' answer names the organisation's Cloud project three more ways."""
    number = "123456789012"
    error = {
        "error": {
            "code": 403,
            "message": f"Google Forms API has not been used in project {number} before or it is disabled. Enable it "
            f"by visiting https://console.developers.google.com/apis/api/forms.googleapis.com/overview?project={number}",
            "details": [{"reason": "SERVICE_DISABLED", "metadata": {"consumer": f"projects/{number}"}}],
        }
    }
    text = json.dumps(redact(_one("https://forms.googleapis.com/v1/forms?alt=json", error, 403)))
    assert number not in text


def test_the_published_form_id_in_the_responder_link_becomes_a_placeholder():
    """On Google a form's responder link carries a second id (forms/d/e/1FAIpQL…), not its formId."""
    published = "1FAIpQLSeXyZ123abcDEF456"
    answer = {"formId": "1AbCdEfGhIjKl", "responderUri": f"https://docs.google.com/forms/d/e/{published}/viewform"}
    text = json.dumps(redact(_one("https://forms.googleapis.com/v1/forms/1AbCdEfGhIjKl?alt=json", answer)))
    assert published not in text and "/forms/d/e/REDACTED_ID_" in text
