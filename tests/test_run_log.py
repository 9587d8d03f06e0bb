"""The sync's log for operators: a line per step on stderr (text or Cloud Logging's JSON), the run's
summary last, and never a person's name, address or answer."""

import json
import os
import re
import subprocess
import sys

import pytest

from sync_env import EOI

SEEDED = {  # one applicant's details, each unlike anything else in the workspace
    "full_name": "Zephyrine Quillfeather",
    "email": "zq.private.7731@example.org",
    "postcode": "ZZ9 7QX",
    "interests_details": "my cardiology story 5519 about ward nine",
}
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (INFO|WARNING|ERROR) \S")


def sync(env, local, *args):
    return subprocess.run(
        [sys.executable, "-m", "ppp_gsuite.cli", "sync", *args],
        cwd=env.root,
        env={**os.environ, "PPP_GSUITE_LOCAL_URL": local.url},
        capture_output=True,
        text=True,
        timeout=120,
    )


def seed(env, n=""):
    env.answer("eoi-eye-group", EOI, **{key: value.replace("7731", f"7731{n}") for key, value in SEEDED.items()})


def never_personal(result):
    shown = result.stdout + result.stderr
    for value in SEEDED.values():
        for part in [value, *value.split()]:
            if len(part) > 3:  # the words of a name, the parts of an answer
                assert part not in shown, part
    assert "Bearer" not in shown and "access_token" not in shown


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_run_logs_each_step_and_its_summary_last_and_never_a_personal_value(env, local, log_format):
    seed(env)
    result = sync(env, local, "--log-format", log_format)
    assert result.returncode == 0, result.stdout + result.stderr
    assert any(m for m in local.json("GET", "/_local/gmail/messages")["messages"])  # her acknowledgement went
    never_personal(result)
    lines = [line for line in result.stderr.splitlines() if not line.startswith("warning:")]
    if log_format == "json":
        entries = [json.loads(line) for line in lines]  # every line is one JSON object
        assert all({"severity", "message", "timestamp"} <= set(entry) for entry in entries)
        messages = [entry["message"] for entry in entries]
        summary = entries[-1]
        assert summary["message"] == "sync finished" and summary["severity"] == "INFO"
        assert summary["exit_code"] == 0 and summary["responses"] == 1 and summary["emails_sent"] >= 1
        assert summary["requests"]["forms"] >= 1 and summary["requests"]["gmail"] >= 1
    else:
        assert all(TEXT_LINE.match(line) for line in lines), lines
        messages = [line.split(" ", 2)[2].split(":")[0] for line in lines]
        assert "exit_code=0" in lines[-1] and "responses=1" in lines[-1]
    assert messages[0] == "lease taken" and messages[-1] == "sync finished"
    assert {"read", "spreadsheets written", "emails"} <= set(messages)


def test_a_failing_run_logs_its_error_exit_code_last_without_personal_values(env, local):
    seed(env, "2")
    local.json("POST", "/_local/faults", {"method_id": "gmail.users.messages.send", "mode": "apply_then_drop"})
    result = sync(env, local, "--log-format", "json")
    assert result.returncode == 1
    never_personal(result)
    summary = json.loads(result.stderr.splitlines()[-1])
    assert (summary["message"], summary["severity"], summary["exit_code"]) == ("sync finished", "ERROR", 1)
    assert summary["emails_unknown"] == 1
