"""What the product does when Google answers 429 RESOURCE_EXHAUSTED: nothing lost, nothing twice.

Each 429 is tried again (google/retry.py), here within a small budget that a quota refusing for the
rest of the minute outlasts: the refused run stops or reports, and the next run (a minute later)
completes it.
"""

from pathlib import Path

import pytest

from cli_env import run  # its `workspace` fixture is a plugin (conftest.py)
from ppp_gsuite.forms.items import question_id
from ppp_gsuite.google.drive_api import DriveApi
from ppp_gsuite.google.sheets_api import SheetsApi


@pytest.fixture(autouse=True)
def quick_retries(workspace):
    """Waits of hundredths of a second (the product's retries, test-sized): the quota still refuses."""
    config = Path("ppp-gsuite.yaml")
    config.write_text(config.read_text() + "\nretries: {first_wait_seconds: 0.01, longest_wait_seconds: 0.02}\n")


def a_minute_later(local):
    local.quotas(clear=True)


@pytest.mark.parametrize("writes", [1, 2, 3, 4, 7])
def test_deploy_refused_by_the_forms_write_quota_is_completed_by_the_next_deploy(workspace, local, writes):
    local.quotas(enforce=True, limits={"forms.write": writes})
    first = run("deploy-forms")
    assert first.exit_code == 1 and "429 RESOURCE_EXHAUSTED" in first.output, first.output
    for _ in range(20):
        a_minute_later(local)
        result = run("deploy-forms")
        if result.exit_code == 0:
            break
    assert result.exit_code == 0, result.output
    drive = DriveApi(local.clients().drive)
    forms = drive.find("form")
    assert len(forms) == 5 and len({f["appProperties"]["target"] for f in forms}) == 5  # none twice
    local.quotas(enforce=False)
    assert run("deploy-forms").output.count(": unchanged") == 5  # none half done


def answer(local, form_id, name):
    qid = question_id("expression_of_interest", "full_name")
    local.add_response(form_id, {"answers": {qid: {"questionId": qid, "textAnswers": {"answers": [{"value": name}]}}}})


def rows_with(local, text):
    clients = local.clients()
    sheets, found = SheetsApi(clients.sheets), {}
    for file in DriveApi(clients.drive).find("spreadsheet"):
        titles = [s["properties"]["title"] for s in sheets.metadata(file["id"])["sheets"]]
        for title, (_, values) in sheets.read_tabs(file["id"], titles).items():
            count = sum(text in row for row in values)
            if count:
                found[(file["name"], title)] = count
    return found


@pytest.mark.parametrize("writes", [1, 2, 3])
def test_sync_refused_by_the_sheets_write_quota_loses_and_repeats_nothing(workspace, local, writes):
    assert run("deploy-forms").exit_code == 0
    assert run("sync").exit_code == 0
    forms = {f["appProperties"]["target"]: f["id"] for f in DriveApi(local.clients().drive).find("form")}
    answer(local, forms["eoi-heart-board"], "Robin Heart")
    answer(local, forms["eoi-eye-group"], "Sam Eye")
    local.quotas(enforce=True, limits={"sheets.write": writes})
    results = [run("sync")]
    for _ in range(10):
        a_minute_later(local)
        results.append(run("sync"))
        if "429" not in results[-1].output:
            break
    assert results[0].exit_code == 1 and "429" in results[0].output, results[0].output
    assert "429" not in results[-1].output, results[-1].output
    local.quotas(enforce=False)
    run("sync")
    for name in ("Robin Heart", "Sam Eye"):
        rows = rows_with(local, name)
        assert rows and set(rows.values()) == {1}, (name, rows)
    # No email twice. One whose outcome was not recorded (the write refused after the send) is left
    # for a person to check, never sent again: that is the sync's rule for any unknown outcome.
    sent = [(m["to"], m["subject"]) for m in local.json("GET", "/_local/gmail/messages")["messages"]]
    assert len(sent) == len(set(sent)), sent
