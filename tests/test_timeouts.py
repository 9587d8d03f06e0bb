"""A stalled call to Google ends the run with a clear message and exit 1; the next run proceeds."""

import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from ppp_gsuite.cli import main
from ppp_gsuite.forms.items import question_id
from ppp_gsuite.google.drive_api import DriveApi
from ppp_gsuite.google.sheets_api import SheetsApi

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


@pytest.fixture
def workspace(tmp_path, monkeypatch, local):
    shutil.copytree(MINIMAL, tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PPP_GSUITE_LOCAL_URL", local.url)
    config = Path("ppp-gsuite.yaml")
    config.write_text(config.read_text() + "\ntimeouts:\n  connect_seconds: 1\n  read_seconds: 1\n")
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args))


def hang(local, method_id):
    local.json("POST", "/_local/faults", {"method_id": method_id, "mode": "hang", "seconds": 6})


@pytest.mark.parametrize("method_id", ["drive.files.list", "forms.forms.create"])
def test_a_stalled_forms_or_drive_call_stops_deploy_with_a_message(workspace, local, method_id):
    hang(local, method_id)
    started = time.monotonic()
    result = run("deploy-forms")
    assert result.exit_code == 1, result.output
    assert time.monotonic() - started < 5  # the timeout, not the stall, ended it
    assert f"{method_id.split('.', 1)[1]}: no answer from Google" in result.output
    local.json("DELETE", "/_local/faults")
    again = run("deploy-forms")
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize("method_id", ["sheets.spreadsheets.values.batchGet", "sheets.spreadsheets.values.batchUpdate"])
def test_a_stalled_sheets_call_stops_sync_and_the_next_sync_runs(workspace, local, method_id):
    assert run("deploy-forms").exit_code == 0
    assert run("sync").exit_code == 0  # the spreadsheets exist
    form = next(
        f["id"]
        for f in DriveApi(local.clients().drive).find("form")
        if f["appProperties"]["target"] == "eoi-heart-board"
    )
    name = question_id("expression_of_interest", "full_name")
    local.add_response(
        form, {"answers": {name: {"questionId": name, "textAnswers": {"answers": [{"value": "Robin"}]}}}}
    )
    hang(local, method_id)
    started = time.monotonic()
    result = run("sync")
    assert result.exit_code == 1, result.output
    assert time.monotonic() - started < 5
    assert "no answer from Google" in result.output and "this run stopped" in result.output
    local.json("DELETE", "/_local/faults")
    again = run("sync")
    assert again.exit_code == 0, again.output  # the run lock was released
    assert "another sync" not in again.output
    rows = robin_rows_per_tab(local)  # written once, by whichever run got through
    assert rows and set(rows.values()) == {1}, rows


def robin_rows_per_tab(local):
    clients = local.clients()
    sheets = SheetsApi(clients.sheets)
    found = {}
    for file in DriveApi(clients.drive).find("spreadsheet"):
        titles = [s["properties"]["title"] for s in sheets.metadata(file["id"])["sheets"]]
        for title, (_, values) in sheets.read_tabs(file["id"], titles).items():
            count = sum("Robin" in row for row in values)
            if count:
                found[(file["name"], title)] = count
    return found
