"""Google's per-user, per-minute quotas in the local workspace: a 429 RESOURCE_EXHAUSTED past each."""

import json
import time
import urllib.error
import urllib.request

import pytest

from test_local_gmail import SEND, raw_message


def call(local, method, path, body=None, token="alice", bearer=None):
    """A call as the user `token` names (alice@example.org, bob@example.org), signed in with every scope."""
    bearer = bearer or local.token(user=f"{token}@example.org")  # a control call: not counted against any quota
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        local.url + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def strict(local):
    local.quotas(enforce=True)
    return local


def calls_until_refused(local, method, path, body=None, token="alice", most=400):
    """How many calls in one clock minute pass before a 429 (started well inside a minute: quotas count
    per minute, and a count that crossed into the next one would start again)."""
    left = 60 - time.time() % 60
    if left < 20:
        time.sleep(left + 0.2)
    bearer = local.token(user=f"{token}@example.org")
    for n in range(most):
        status, answer = call(local, method, path, body, token, bearer)
        if status == 429:
            return n, answer["error"]
    raise AssertionError(f"no 429 after {most} calls")


def test_quotas_are_on_after_a_reset(local):
    local.json("POST", "/_local/reset")
    assert local.json("GET", "/_local/quotas")["enforce"] is True


def test_sheets_allows_60_reads_a_minute_per_user_then_429_in_googles_envelope(strict):
    allowed, error = calls_until_refused(strict, "GET", "/v4/spreadsheets/none")
    assert allowed == 60
    assert (error["code"], error["status"], error["errors"][0]["reason"]) == (
        429,
        "RESOURCE_EXHAUSTED",
        "rateLimitExceeded",
    )
    assert "Read requests per minute per user" in error["message"]
    assert call(strict, "GET", "/v4/spreadsheets/none", token="bob")[0] == 404  # another user has their own
    assert call(strict, "POST", "/v4/spreadsheets", {"properties": {"title": "x"}})[0] == 200  # writes count apart
    strict.quotas(clear=True)  # a minute later
    assert call(strict, "GET", "/v4/spreadsheets/none")[0] == 404


def test_forms_responses_list_is_an_expensive_read_180_a_minute(strict):
    form = call(strict, "POST", "/v1/forms", {"info": {"title": "Quota"}})[1]
    allowed, error = calls_until_refused(strict, "GET", f"/v1/forms/{form['formId']}/responses")
    assert allowed == 180 and error["status"] == "RESOURCE_EXHAUSTED"
    assert call(strict, "GET", f"/v1/forms/{form['formId']}")[0] == 200  # plain reads have 390


def test_forms_allows_150_writes_a_minute(strict):
    allowed, error = calls_until_refused(strict, "POST", "/v1/forms", {"info": {"title": "Quota"}})
    assert allowed == 150 and error["code"] == 429


def test_gmail_allows_6000_units_a_minute_60_sends(strict):
    allowed, error = calls_until_refused(strict, "POST", SEND, {"raw": raw_message()})
    assert allowed == 60 and error["status"] == "RESOURCE_EXHAUSTED"
    assert len(strict.json("GET", "/_local/gmail/messages")["messages"]) == 60  # the refused one was not sent


def test_quotas_can_be_lowered_for_a_test_and_switched_off(strict):
    strict.quotas(limits={"sheets.write": 1})
    assert call(strict, "POST", "/v4/spreadsheets", {"properties": {"title": "x"}})[0] == 200
    assert call(strict, "POST", "/v4/spreadsheets", {"properties": {"title": "y"}})[0] == 429
    strict.quotas(enforce=False)
    assert call(strict, "POST", "/v4/spreadsheets", {"properties": {"title": "z"}})[0] == 200
    assert strict.request("POST", "/_local/quotas", body={"limits": {"drive.read": 5}})[0] == 400
