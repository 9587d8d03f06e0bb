"""The stand-in's faults as Google's networks and servers produce them: 429s (with Retry-After when
asked), 500s after the call was applied, and a seeded storm of them, over real HTTP."""

from __future__ import annotations

import json
import urllib.request

import pytest


def files(local):
    return json.loads(local.request("GET", "/drive/v3/files?fields=files(id,name)")[1])["files"]


def create(local, name):
    return local.request("POST", "/drive/v3/files", body={"name": name})


def test_a_500_after_apply_answers_an_error_yet_the_file_was_made(local):
    local.json("POST", "/_local/faults", {"method_id": "drive.files.create", "mode": "error_500_after_apply"})
    status, text = create(local, "Made anyway")
    assert status == 500 and json.loads(text)["error"]["status"] == "INTERNAL"
    assert [f["name"] for f in files(local)] == ["Made anyway"]


def test_a_429_fault_is_not_applied_and_carries_retry_after_when_asked(local):
    spec = {"method_id": "drive.files.create", "mode": "error_429", "retry_after": 7}
    local.json("POST", "/_local/faults", spec)
    request = urllib.request.Request(
        local.url + "/drive/v3/files",
        data=json.dumps({"name": "Not made"}).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {local.default_token()}"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 429 and refused.value.headers["Retry-After"] == "7"
    assert json.loads(refused.value.read())["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert files(local) == []


def storm_statuses(local, seed):
    local.json("DELETE", "/_local/faults")
    local.json("POST", "/_local/faults/storm", {"seed": seed, "rate_limited": 0.3, "error_after_apply": 0.2})
    statuses = [local.request("GET", "/drive/v3/files")[0] for _ in range(40)]
    return statuses, local.json("GET", "/_local/faults")["storm"]["injected"]


def test_a_storm_is_the_same_for_the_same_seed_and_records_what_it_did(local):
    first, injected = storm_statuses(local, 5)
    again, _ = storm_statuses(local, 5)
    other, _ = storm_statuses(local, 6)
    assert first == again != other
    assert first.count(429) == sum(1 for f in injected if f["mode"] == "error_429") > 0
    assert first.count(500) == sum(1 for f in injected if f["mode"] == "error_500_after_apply") > 0
    assert {f["methodId"] for f in injected} == {"drive.files.list"}
    local.json("DELETE", "/_local/faults")
    assert "storm" not in local.json("GET", "/_local/faults")
    assert {local.request("GET", "/drive/v3/files")[0] for _ in range(10)} == {200}


@pytest.mark.parametrize(
    "spec", [{"rate_limited": 1.5}, {"rate_limited": 0.6, "error_after_apply": 0.6}, {"seed": "x"}]
)
def test_bad_storms_are_400(local, spec):
    assert local.request("POST", "/_local/faults/storm", body=spec)[0] == 400
