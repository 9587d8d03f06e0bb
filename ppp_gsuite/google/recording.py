"""`doctor --record FILE`: every request and answer of a run, as a vcrpy cassette, redacted before it is
written (gspread's own tests record Google this way; `tests/test_recordings.py` replays such files).

What a person can send back without a second thought: no token, client secret or authorisation code;
every email address becomes person<N>@example.org and every display name Person <N>, the same one
each time it comes back; Drive, Forms and Gmail ids become REDACTED_ID_<N> (the same id, the same
placeholder, in addresses and answers alike, so the file still replays); what a person typed into the
form becomes "(free text)". Request and answer headers are left out but for Content-Type. The raw
message of the doctor's email is decoded, redacted the same way and encoded again.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import types
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import vcr
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.serialize import serialize

SECRET_KEYS = {
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "code",
    "code_verifier",
    "assertion",
    "token",
    "password",
}
ID_KEYS = {
    "id",
    "formId",
    "spreadsheetId",
    "responseId",
    "revisionId",
    "requiredRevisionId",
    "threadId",
    "permissionId",
    "fileId",
    "client_id",
    "clientId",
}
NAME_KEYS = {"displayName", "given_name", "family_name"}
FREE_TEXT = "(free text)"
ANSWER_FIELD = "entry."  # a form page's answer fields, as a browser posts them (where one was recorded)
REDACTED = "(redacted)"
KEPT_HEADERS = {"content-type"}
# The local part may be URL-encoded (a '+' is %2B in a query string); a quote before it is kept, not mapped.
# No '/', '?', '=', '&' or '#' in it (all allowed by RFC 5322, none seen in a Workspace address): in a URI
# they belong to the path and query around an address, which must stay as they were to replay.
EMAIL = re.compile(r"(?:[A-Za-z0-9.!$'*+^_`{|}~-]|%(?!40)[0-9A-Fa-f]{2})+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
QUOTES = re.compile(r"^(?:'|%27|%22)+", re.IGNORECASE)
TOKEN = re.compile(r"(ya29\.[\w.-]+|1//[\w.-]+|GOCSPX-[\w-]+|eyJ[\w-]+\.[\w-]+\.[\w-]*)")
# The organisation's Cloud project, as Google's errors name it: "project_number:N" (quota), "project N",
# "?project=N" and "projects/N" (an API not enabled).
PROJECT = re.compile(r"(project_number:|projects/|project=|project%3D|project )\d{4,}", re.IGNORECASE)
# A form's responder link carries the published form's own id (forms/d/e/<id>/), which no JSON key names.
PUBLISHED_ID = re.compile(r"/forms/d/e/([\w-]{4,})")


@dataclass
class Redactor:
    """Consistent placeholders for one recording: the same value, the same placeholder."""

    ids: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    # -- what to replace -----------------------------------------------------------------------------------

    def learn(self, value, key: str | None = None) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                self.learn(v, k)
        elif isinstance(value, list):
            for v in value:
                self.learn(v, key)
        elif isinstance(value, str) and key in ID_KEYS and len(value) >= 4 and value not in self.ids:
            self.ids[value] = f"REDACTED_ID_{len(self.ids) + 1}"
        elif isinstance(value, str) and key in NAME_KEYS and value:
            self.name(value)
        elif isinstance(value, str):
            for published in PUBLISHED_ID.findall(value):
                self.learn(published, "id")

    def email(self, found: str) -> str:
        quotes = QUOTES.match(found)
        if quotes:
            return quotes.group(0) + self.email(found[quotes.end() :])
        at = "%40" if "%40" in found else "@"
        key = urllib.parse.unquote(found).lower()
        if key not in self.emails:
            self.emails[key] = f"person{len(self.emails) + 1}@example.org"
        return self.emails[key].replace("@", at)

    def name(self, found: str) -> str:
        if found not in self.names:
            self.names[found] = f"Person {len(self.names) + 1}"
        return self.names[found]

    # -- replacing -----------------------------------------------------------------------------------------

    def text(self, text: str) -> str:
        text = TOKEN.sub(REDACTED, text)
        text = PROJECT.sub(lambda match: match.group(1) + REDACTED, text)
        for real in sorted(self.ids, key=len, reverse=True):
            text = text.replace(real, self.ids[real])
        text = EMAIL.sub(lambda match: self.email(match.group(0)), text)
        for real in sorted(self.names, key=len, reverse=True):
            if len(real) >= 3:  # a name of one or two letters would take letters out of every word
                text = text.replace(real, self.names[real])
        return text

    def value(self, value, key: str | None = None, inside: tuple[str, ...] = ()):
        if isinstance(value, dict):
            return {k: self.value(v, k, inside + (k,)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, key, inside) for v in value]
        if not isinstance(value, str):
            return value
        if key in SECRET_KEYS:
            return REDACTED
        if key == "raw":
            return self.raw_message(value)
        if key in NAME_KEYS:
            return self.name(value)
        if "textAnswers" in inside and key == "value":
            return FREE_TEXT
        return self.text(value)

    def raw_message(self, raw: str) -> str:
        try:
            message = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return REDACTED
        return base64.urlsafe_b64encode(self.text(message).encode("utf-8")).decode()

    def body(self, body: str | None) -> str | None:
        """A JSON body redacted field by field; a form-encoded one (a token request) value by value."""
        if not body:
            return body
        try:
            return json.dumps(self.value(json.loads(body)))
        except ValueError:
            pass
        pairs = urllib.parse.parse_qsl(body, keep_blank_values=True)
        if pairs and "=" in body:
            return urllib.parse.urlencode(
                [
                    (k, REDACTED if k in SECRET_KEYS else FREE_TEXT if k.startswith(ANSWER_FIELD) else self.text(v))
                    for k, v in pairs
                ]
            )
        return self.text(body)


def _parsed(body: str | None):
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _form_values(body: str | None) -> dict:
    if not body or "=" not in body:
        return {}
    return {k: v for k, v in urllib.parse.parse_qsl(body) if k in ID_KEYS}


def redact(cassette: dict) -> dict:
    """A cassette ({"interactions": [...], "version": 1}) with nothing personal or secret left in it."""
    redactor = Redactor()
    interactions = cassette.get("interactions", [])
    for interaction in interactions:  # every id first, so one is replaced wherever it appears
        redactor.learn(_parsed(interaction["request"].get("body")))
        redactor.learn(_form_values(interaction["request"].get("body")))
        redactor.learn(_parsed(interaction["response"].get("body", {}).get("string")))
    for interaction in interactions:
        request, response = interaction["request"], interaction["response"]
        request["uri"] = redactor.text(request["uri"])
        request["body"] = redactor.body(request.get("body"))
        request["headers"] = _kept(request.get("headers", {}))
        response["headers"] = _kept(response.get("headers", {}))
        body = response.get("body", {})
        if isinstance(body.get("string"), str):
            body["string"] = redactor.body(body["string"])
    return cassette


def _kept(headers: dict) -> dict:
    return {name: value for name, value in headers.items() if name.lower() in KEPT_HEADERS}


def _never_replay(cassette_path, serializer):
    raise CassetteNotFoundError()  # always a new recording, never an old one played back


def _save_redacted(cassette_path, cassette_dict, serializer) -> None:
    cassette = redact(json.loads(serialize(cassette_dict, serializer)))
    path = Path(cassette_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cassette, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# vcrpy's persister interface (load_cassette, save_cassette): redacted as it is written.
REDACTING_PERSISTER = types.SimpleNamespace(load_cassette=_never_replay, save_cassette=_save_redacted)


@contextlib.contextmanager
def recording(path: str | Path):
    """Inside it, every HTTP request this process makes (googleapiclient over httplib2, gspread and Gmail over
    requests) goes out as usual and is kept, with its answer; at the end they are written to `path`, redacted."""
    recorder = vcr.VCR(record_mode="all", serializer="json", decode_compressed_response=True)
    recorder.register_persister(REDACTING_PERSISTER)
    with recorder.use_cassette(str(path)):
        yield
