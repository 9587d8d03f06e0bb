"""Replay recorded answers against the local workspace: Google's real ones (gspread's cassettes), and the
doctor's own recording made on the local workspace.

Each cassette's requests are sent in order to the local server, with the recorded spreadsheet
and sheet ids swapped for the ones the local workspace hands out (learnt from the answers to
files.create and addSheet). Status and every field of the answer must match, except values
that cannot (timestamps, and spreadsheetUrl, which names the local host).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

RECORDINGS = Path(__file__).resolve().parent / "recordings"
# gspread's own test-suite cassettes (burnash/gspread at commit 5e2b628, MIT licence beside them). Their
# README (../shared/google-recordings/README.md) asks that they be read from beside the repository and
# never copied into it, so a checkout without that folder skips them, saying so.
GSPREAD_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "google-recordings" / "gspread-cassettes"
CASSETTES = sorted(GSPREAD_DIR.glob("*.json")) if GSPREAD_DIR.is_dir() else []
# `ppp-gsuite doctor --record` on the local workspace (redacted, so ids are placeholders; see below).
DOCTOR_CASSETTES = sorted((RECORDINGS / "doctor").glob("*.json"))
GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
UNCOMPARABLE = {"createdTime", "modifiedTime", "spreadsheetUrl"}  # present on both sides, values differ
PARAMS = [pytest.param(path, id=path.stem) for path in CASSETTES] or [
    pytest.param(
        None,
        id="no-recordings",
        marks=pytest.mark.skip(
            reason=(
                f"Google's recorded answers (gspread's cassettes) are kept beside the repository, in {GSPREAD_DIR}, "
                "and their README asks that they not be copied into it; this checkout has no such folder beside "
                "it. Run the suite from a checkout with ../shared/google-recordings beside it to include them."
            )
        ),
    )
]


def test_the_doctors_recording_is_in_the_repository():
    """The doctor's own recording travels with the tests: a fresh clone replays it."""
    assert DOCTOR_CASSETTES


class Ids:
    """Recorded ids -> local ids, learnt as the replay goes."""

    def __init__(self):
        self.files: dict[str, str] = {}
        self.sheets: dict[int, int] = {0: 0}

    def text(self, text: str) -> str:
        for recorded, local in self.files.items():
            text = text.replace(recorded, local)
        return text

    def value(self, value, key: str | None = None):
        if isinstance(value, dict):
            return {k: self.value(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(v, key) for v in value]
        if isinstance(value, str):
            return self.text(value)
        if key == "sheetId" and isinstance(value, int):
            return self.sheets.get(value, value)
        return value

    def learn(self, recorded, local) -> None:
        """Pair up the ids of what an answer created: a Drive file, added sheets."""
        if not isinstance(recorded, dict) or not isinstance(local, dict):
            return
        if recorded.get("kind") == "drive#file" and "id" in recorded and "id" in local:
            self.files[recorded["id"]] = local["id"]
        for mine, theirs in zip(recorded.get("replies", []), local.get("replies", [])):
            if "addSheet" in mine and "addSheet" in theirs:
                self.sheets[mine["addSheet"]["properties"]["sheetId"]] = theirs["addSheet"]["properties"]["sheetId"]


def differences(expected, actual, path="") -> list[str]:
    where = path or "(answer)"
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(set(expected) | set(actual)):
            child = f"{path}.{key}" if path else key
            if key not in actual:
                found.append(f"{child}: missing")
            elif key not in expected:
                found.append(f"{child}: not in Google's answer ({actual[key]!r})")
            elif key not in UNCOMPARABLE:
                found.extend(differences(expected[key], actual[key], child))
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(expected)} items expected, got {len(actual)}: {actual!r}"]
        return [d for n, (e, a) in enumerate(zip(expected, actual)) for d in differences(e, a, f"{path}[{n}]")]
    return [] if expected == actual else [f"{where}: expected {expected!r}, got {actual!r}"]


def local_url(uri: str, base: str) -> str:
    for host in GOOGLE_HOSTS:
        if uri.startswith(host):
            return base + uri[len(host) :]
    raise AssertionError(f"not a Google URL: {uri}")


@pytest.mark.parametrize("cassette", PARAMS)
def test_replay(cassette, local):
    interactions = json.loads(cassette.read_text(encoding="utf-8"))["interactions"]
    ids = Ids()
    session = local.session(scopes=["drive", "spreadsheets"])  # gspread's own test suite signs in with both
    for number, interaction in enumerate(interactions):
        request, response = interaction["request"], interaction["response"]
        body = request.get("body")
        if isinstance(body, str) and body:
            body = json.dumps(ids.value(json.loads(body))).encode()
        else:
            body = None
        url = local_url(ids.text(request["uri"]), local.url)
        answer = session.request(
            request["method"], url, data=body, headers={"Content-Type": "application/json"} if body else {}
        )
        label = f"interaction {number}: {request['method']} {request['uri']}"
        assert answer.status_code == response["status"]["code"], f"{label}\n{answer.text}"
        recorded_text = response["body"]["string"]
        if not recorded_text.strip():
            assert not answer.text.strip(), f"{label}: Google answered nothing, local answered {answer.text}"
            continue
        recorded, actual = json.loads(recorded_text), answer.json()
        ids.learn(recorded, actual)
        problems = differences(ids.value(recorded), actual)
        assert not problems, f"{label}\n" + "\n".join(problems)


# -- the doctor's recording ---------------------------------------------------------------------------------
# Its ids are placeholders (REDACTED_ID_<n>, the same id the same placeholder): each is learnt from the answer
# that first hands one out (forms.create's formId, files.create's id), then put back into later requests.
# Its addresses point at whatever port it was recorded on, and its calls to /_local/ (the sign-in) are the
# local workspace's own, so they are left out; the replay signs in afresh. Answers are compared by their
# fields (every field Google's answer had, and no other), not by values, which a redacted file no longer holds.
PLACEHOLDER = re.compile(r"REDACTED_ID_\d+(?!\d)")
HOST = re.compile(r"^https?://[^/]+")
SKIPPED_PATHS = ("/_local/", "oauth2.googleapis.com", "/token")


class Placeholders:
    def __init__(self):
        self.ids: dict[str, str] = {}

    def learn(self, recorded, local) -> None:
        if isinstance(recorded, dict) and isinstance(local, dict):
            for key in recorded.keys() & local.keys():
                self.learn(recorded[key], local[key])
        elif isinstance(recorded, list) and isinstance(local, list):
            for mine, theirs in zip(recorded, local):
                self.learn(mine, theirs)
        elif isinstance(recorded, str) and isinstance(local, str) and PLACEHOLDER.fullmatch(recorded):
            self.ids.setdefault(recorded, local)

    def put_back(self, text: str) -> str:
        return PLACEHOLDER.sub(lambda match: self.ids.get(match.group(0), match.group(0)), text)


def shape_differences(expected, actual, path="") -> list[str]:
    """Fields Google's answer had that the stand-in's lacks, or the other way round (values not compared)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = [f"{path}.{key}: missing" for key in expected.keys() - actual.keys()]
        found += [f"{path}.{key}: not in the recorded answer" for key in actual.keys() - expected.keys()]
        for key in expected.keys() & actual.keys():
            found += shape_differences(expected[key], actual[key], f"{path}.{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list) and expected and actual:
        return shape_differences(expected[0], actual[0], f"{path}[0]")
    if type(expected) is not type(actual) and not (isinstance(expected, list) and isinstance(actual, list)):
        return [f"{path}: {type(expected).__name__} recorded, {type(actual).__name__} answered"]
    return []


def submit_like_the_recording(local, form_id: str, recorded: dict, answered: dict) -> None:
    """A responses.list that answered a response in the recording (the person had submitted the form): the
    same response is added here, so the replay goes on as the recording did."""
    if recorded.get("responses") and not answered.get("responses"):
        for response in recorded["responses"]:
            local.add_response(form_id, {"answers": response.get("answers", {})})


@pytest.mark.parametrize("cassette", [pytest.param(p, id=p.stem) for p in DOCTOR_CASSETTES])
def test_replay_doctor(cassette, local):
    from ppp_gsuite.google.clients import SCOPES

    local.quotas(enforce=True)  # as Google: the doctor's run fits well within the per-minute quotas
    interactions = json.loads(cassette.read_text(encoding="utf-8"))["interactions"]
    ids = Placeholders()
    session = local.session(scopes=SCOPES)
    replayed = 0
    for number, interaction in enumerate(interactions):
        request, response = interaction["request"], interaction["response"]
        if any(part in request["uri"] for part in SKIPPED_PATHS):
            continue
        url = HOST.sub(local.url, ids.put_back(request["uri"]))
        body = request.get("body")
        body = ids.put_back(body).encode() if isinstance(body, str) and body else None
        label = f"interaction {number}: {request['method']} {request['uri']}"
        answer = session.request(
            request["method"], url, data=body, headers={"Content-Type": "application/json"} if body else {}
        )
        replayed += 1
        if "/responses" in request["uri"] and answer.status_code == 200:
            form_id = url.split("/v1/forms/")[1].split("/")[0]
            submit_like_the_recording(local, form_id, json.loads(response["body"]["string"]), answer.json())
            answer = session.request(request["method"], url)
        assert answer.status_code == response["status"]["code"], f"{label}\n{answer.text}"
        recorded_text = response["body"]["string"]
        if not recorded_text.strip():
            continue
        recorded, actual = json.loads(recorded_text), answer.json()
        ids.learn(recorded, actual)
        problems = shape_differences(recorded, actual)
        assert not problems, f"{label}\n" + "\n".join(problems)
    assert replayed >= 20  # the whole run was replayed, not only its sign-in
