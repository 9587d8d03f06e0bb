"""Replay Google's real answers (gspread's recorded cassettes) against the local workspace.

Each cassette's requests are sent in order to the local server, with the recorded spreadsheet
and sheet ids swapped for the ones the local workspace hands out (learnt from the answers to
files.create and addSheet). Status and every field of the answer must match, except values
that cannot (timestamps, and spreadsheetUrl, which names the local host).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CASSETTES_DIR = REPO.parent / "shared" / "google-recordings" / "gspread-cassettes"
CASSETTES = sorted(CASSETTES_DIR.glob("*.json")) if CASSETTES_DIR.is_dir() else []
GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
UNCOMPARABLE = {"createdTime", "modifiedTime", "spreadsheetUrl"}  # present on both sides, values differ

if CASSETTES:
    PARAMS = [pytest.param(path, id=path.stem) for path in CASSETTES]
else:
    PARAMS = [
        pytest.param(
            None,
            id="no-recordings",
            marks=pytest.mark.skip(
                reason=(
                    f"Google's recorded answers (gspread's cassettes) are kept beside the repository, in {CASSETTES_DIR}, "
                    "not copied into it; this checkout has no such folder beside it, so there is nothing to replay. "
                    "Run the suite from a checkout with ../shared/google-recordings beside it to include them."
                )
            ),
        )
    ]


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
