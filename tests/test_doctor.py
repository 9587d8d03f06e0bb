"""`ppp-gsuite doctor` on the local workspace: every step passes; with each refusal Google can give switched
on in turn, it names the failing step and what to do, leaves no throw-away file behind, and exits 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import ppp_gsuite.connect
from cli_env import run
from conftest import LOCAL
from ppp_gsuite.demo.browser import Browser
from ppp_gsuite.doctor.run import CLEAN_UP, Apis, Doctor
from ppp_gsuite.doctor.throwaway import GO_ON, field_of, tags
from ppp_gsuite.google.clients import SCOPES, local_clients
from ppp_gsuite.google.drive_api import DriveApi
from ppp_gsuite.google.local_session import LocalControlCredentials

DRIVE_FILE, GMAIL_SEND = SCOPES
THROWAWAY = "appProperties has { key='ppp_gsuite' and value='doctor' }"


def throwaway_files(local, trashed: bool) -> list[dict]:
    """What the doctor made (as its own OAuth client sees it), in the bin or not."""
    drive = local.clients().drive
    query = f"{THROWAWAY} and trashed = {'true' if trashed else 'false'}"
    return drive.files().list(q=query, fields="files(id, name, appProperties)").execute()["files"]


def lines(output: str) -> dict[str, str]:
    """step name -> its line, for the step lines of doctor's output."""
    found = {}
    for line in output.splitlines():
        outcome, _, rest = line.partition(": ")
        if outcome in ("passed", "FAILED", "skipped", "not tried"):
            found[rest.split(": ")[0]] = line
    return found


def test_doctor_passes_every_step_with_a_response_submitted_at_the_printed_link(workspace, local, tmp_path):
    record = tmp_path / "doctor.json"
    env = {**os.environ, "PPP_GSUITE_LOCAL_URL": local.url}
    process = subprocess.Popen(
        [sys.executable, "-m", "ppp_gsuite.cli", "doctor", "--record", str(record), "--wait-minutes", "2"],
        cwd=workspace,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output = []
    for line in process.stdout:
        output.append(line)
        if line.startswith("  http"):  # the link the person is asked to open
            answers = {field_of("go_on"): [GO_ON], field_of("note"): ["it works"]}
            Browser(local.url, local.url).fill_in(line.strip(), answers, "the doctor's form")
    assert process.wait(timeout=120) == 0, "".join(output)
    steps = lines("".join(output))
    assert len(steps) == 14 and all(line.startswith("passed") for line in steps.values()), "".join(output)
    assert "a response arrived" in steps["a response, submitted by you"]
    assert "answered 1 response(s)" in steps["read responses with the timestamp filter"]
    assert throwaway_files(local, trashed=False) == []
    assert len(throwaway_files(local, trashed=True)) == 2  # a form and a spreadsheet were made, then binned
    sent = local.json("GET", "/_local/gmail/messages")["messages"]
    assert len(sent) == 1
    assert json.loads(record.read_text())["interactions"]  # --record wrote the run


def test_without_a_browser_the_response_is_skipped_and_the_rest_passes(workspace, local):
    result = run("doctor", "--no-browser")
    assert result.exit_code == 0, result.output
    steps = lines(result.output)
    assert steps["a response, submitted by you"].startswith("skipped")
    assert sum(line.startswith("passed") for line in steps.values()) == 13
    assert throwaway_files(local, trashed=False) == []


def test_link_sharing_forbidden_names_the_step_and_the_administrators_setting(workspace, local):
    local.organisation_policy(linkSharing="forbidden")
    result = run("doctor", "--no-browser")
    assert result.exit_code == 1, result.output
    steps = lines(result.output)
    failed = steps["let anyone with the link respond"]
    assert failed.startswith("FAILED") and "403" in failed
    assert "Workspace administrator to allow it for forms" in failed
    assert steps["create the throw-away spreadsheet"].startswith("passed")  # the other steps still ran
    assert steps[CLEAN_UP].startswith("passed")
    assert throwaway_files(local, trashed=False) == []


def sign_in_with(monkeypatch, scopes, client_id=LOCAL.client_id):
    """The product's local sign-in, but Google granted only `scopes` (a person unticked one on the consent
    screen) or through another OAuth client."""

    def signed_in(url, account, _client_id, _scopes):
        return LocalControlCredentials(url, account, client_id, scopes)

    monkeypatch.setattr(ppp_gsuite.connect, "LocalControlCredentials", signed_in)


def test_a_token_without_gmail_send_fails_the_email_step_and_says_to_sign_in_again(workspace, local, monkeypatch):
    sign_in_with(monkeypatch, [DRIVE_FILE])
    result = run("doctor", "--no-browser")
    assert result.exit_code == 1, result.output
    failed = lines(result.output)["send one email to the signed-in account"]
    assert failed.startswith("FAILED") and "insufficient authentication scopes" in failed
    assert "ppp-gsuite auth login" in failed
    assert throwaway_files(local, trashed=False) == []


def test_a_token_without_drive_file_fails_at_the_first_step_and_makes_nothing(workspace, local, monkeypatch):
    sign_in_with(monkeypatch, [GMAIL_SEND])
    result = run("doctor", "--no-browser")
    assert result.exit_code == 1, result.output
    steps = lines(result.output)
    assert steps["create the throw-away form"].startswith("FAILED")
    assert "ppp-gsuite auth login" in steps["create the throw-away form"]
    assert steps["publish the form"].startswith("not tried")
    assert steps[CLEAN_UP] == f"passed: {CLEAN_UP}: nothing was made"
    assert throwaway_files(local, trashed=False) == throwaway_files(local, trashed=True) == []


def test_calls_through_another_oauth_client_name_the_step_and_the_one_client_rule(local):
    """Files made through one OAuth client, then reached through another: drive.file lets each client reach only
    what it created, so Sheets refuses the spreadsheet Drive just made."""
    own = local.clients()
    other = local.clients(client_id="another-oauth-client")
    apis = Apis.of(own)
    apis.sheets = Apis.of(other).sheets
    said = []
    checkup = Doctor(apis, said.append, None).run()
    assert not checkup.passed
    failed = next(line for line in said if line.startswith("FAILED"))
    assert failed.startswith("FAILED: lay out the spreadsheet")
    assert "same OAuth client" in failed and "google.credentials" in failed
    assert throwaway_files(local, trashed=False) == []


def test_a_429_storm_names_each_refused_step_and_still_bins_everything(workspace, local):
    """A quota refusing for the rest of the minute outlasts the (test-sized) retries: the step fails, named."""
    config = workspace / "ppp-gsuite.yaml"
    config.write_text(config.read_text() + "\nretries: {first_wait_seconds: 0.01, longest_wait_seconds: 0.02}\n")
    local.quotas(enforce=True, limits={"forms.write": 1, "sheets.write": 1, "gmail.units": 1, "forms.expensiveRead": 0})
    result = run("doctor", "--no-browser")
    assert result.exit_code == 1, result.output
    steps = lines(result.output)
    for name in ("lay out the form with a section jump", "send one email to the signed-in account"):
        assert steps[name].startswith("FAILED") and "429" in steps[name], steps[name]
        assert "per-minute limit" in steps[name] and "wait a minute" in steps[name]
    assert steps["create the throw-away form"].startswith("passed")
    assert throwaway_files(local, trashed=False) == []
    assert len(throwaway_files(local, trashed=True)) == 2


def test_a_throw_away_file_left_by_an_earlier_run_is_binned_too(workspace, local):
    drive = DriveApi(local.clients().drive)
    drive.create_spreadsheet("ppp-gsuite doctor: throw-away spreadsheet (safe to delete)", tags("2026-01-01T00:00:00Z"))
    result = run("doctor", "--no-browser")
    assert result.exit_code == 0, result.output
    assert "and 1 left by an earlier run" in lines(result.output)[CLEAN_UP]
    assert throwaway_files(local, trashed=False) == []
    assert len(throwaway_files(local, trashed=True)) == 3


def test_doctor_files_are_never_taken_for_deployed_ones(workspace, local):
    """A throw-away file left behind (say the machine died mid-run) is not a deployed one to deploy or sync."""
    drive = DriveApi(local_clients(local.url, token=local.token()).drive)
    drive.create_spreadsheet("ppp-gsuite doctor: throw-away spreadsheet (safe to delete)", tags("2026-01-01T00:00:00Z"))
    assert drive.find("form") == [] and drive.find("spreadsheet") == []


def test_the_readme_quotes_what_doctor_prints_for_each_administrator_setting():
    """README "What your Workspace administrator must allow" tells a person which line means which setting."""
    from pathlib import Path

    from ppp_gsuite.doctor.advice import what_to_do

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = " ".join(readme.split("### What your Workspace administrator must allow")[1].split("\n## ")[0].split())
    printed = {
        "link sharing": what_to_do(403, "publishOutNotPermitted", "", made_here=True),
        "app access": what_to_do(403, "forbidden", "", made_here=False),
        "scope": what_to_do(403, "insufficientPermissions", "", made_here=True),
    }
    for setting, line in printed.items():
        quoted = {"link sharing": 60, "app access": 90, "scope": 50}[setting]
        assert line[:quoted].replace("`", "") in section.replace("`", ""), (setting, line[:quoted])


def test_ctrl_c_while_waiting_for_the_response_still_bins_the_form(local):
    """The person gives up and presses Ctrl-C at the link: the form made so far still goes to the bin."""
    from ppp_gsuite.doctor.run import Respond

    def give_up(link):
        raise KeyboardInterrupt

    said = []
    try:
        Doctor(Apis.of(local.clients()), said.append, Respond(give_up, 60)).run()
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("the interrupt was swallowed")
    assert said[-1] == f"passed: {CLEAN_UP}: 1 moved to the bin"
    assert throwaway_files(local, trashed=False) == []
    assert len(throwaway_files(local, trashed=True)) == 1
