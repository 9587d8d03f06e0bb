"""`ppp-gsuite auth login` end to end in a real browser (Debian's chromium, driven by Playwright),
against the local workspace's accounts page: no Google involved.

The command runs as a person runs it, in its own process; it opens "the browser" through Python's
webbrowser module, here a small script (BROWSER) that hands the link to the Playwright-driven
chromium, which a person then uses: choose an account, allow. The token file appears (0600),
`auth check` names the account and the two scopes, a deploy signs in with that token, and once the
sign-in is revoked every command says so in one line.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

import test_browser
from cli_env import run
from test_browser import assert_accessible, shot

# The browser fixtures of test_browser.py (Debian's chromium; skipped, or failed in CI, where it is missing).
browser, page, shots = test_browser.browser, test_browser.page, test_browser.shots

DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
GMAIL_SEND = "https://www.googleapis.com/auth/gmail.send"


@pytest.fixture
def signed_in_workspace(workspace: Path) -> Path:
    """The minimal workspace, set to sign in to the local workspace with a token of its own."""
    config = workspace / "ppp-gsuite.yaml"
    config.write_text(config.read_text() + "local:\n  credentials: secrets/local-token.json\n")
    return workspace


def start_login(workspace: Path, local_url: str) -> tuple[subprocess.Popen, Path]:
    """`ppp-gsuite auth login` in its own process; its browser is a script noting each link it opens."""
    opened = workspace / "opened.txt"
    browser_script = workspace / "open-in-browser"
    browser_script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$1" >> "{opened}"\n')
    browser_script.chmod(0o755)
    env = {**os.environ, "PPP_GSUITE_LOCAL_URL": local_url, "BROWSER": str(browser_script), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from ppp_gsuite.cli import main; main()", "auth", "login"],
        cwd=workspace,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return process, opened


def opened_link(opened: Path, process: subprocess.Popen) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if opened.exists() and opened.read_text().strip():
            return opened.read_text().strip().splitlines()[0]
        if process.poll() is not None:
            raise AssertionError(f"auth login ended before opening a browser: {process.communicate()}")
        time.sleep(0.1)
    process.kill()
    raise AssertionError("auth login opened no browser within 30 s")


def test_auth_login_in_the_browser_then_check_deploy_and_a_revoked_sign_in(signed_in_workspace, local, page):
    workspace = signed_in_workspace
    process, opened = start_login(workspace, local.url)
    try:
        link = opened_link(opened, process)
        assert link.startswith(local.url + "/o/oauth2/auth?") and "code_challenge_method=S256" in link

        page.goto(link)
        page.get_by_role("heading", name="Sign in to ppp-gsuite").wait_for()
        assert_accessible(page)
        shot(page, "accounts-page")
        page.get_by_role("group", name="Choose an account").get_by_label("Sam Okafor", exact=False).check()
        access = page.get_by_role("group", name="Select what ppp-gsuite can access")
        access.get_by_label("Send email on your behalf").check()
        access.get_by_label("See, edit, create and delete only the specific Google Drive files", exact=False).check()
        page.get_by_role("button", name="Allow").click()
        page.get_by_text("Signed in: you can close this tab").wait_for()

        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "Signed in through OAuth client ppp-gsuite-local with drive.file, gmail.send" in out
    assert "Traceback" not in err

    token_file = workspace / "secrets" / "local-token.json"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = json.loads(token_file.read_text())
    assert token["type"] == "authorized_user" and token["refresh_token"] not in out + err

    check = run("auth", "check")
    assert check.exit_code == 0, check.output
    assert "Account: staff@example.org" in check.stdout
    assert f"Scopes: {DRIVE_FILE}, {GMAIL_SEND}" in check.stdout
    assert "Can refresh: yes" in check.stdout

    deploy = run("deploy-forms")
    assert deploy.exit_code == 0, deploy.output
    created = [r for r in local.requests() if r["methodId"] == "forms.forms.create"]
    # Each form made, with its link; and the form that holds the sync's lease (runlease.py), which has none.
    assert created and len(created) == deploy.stdout.count("/viewform") + 1

    # The person takes the app's access away (Google: myaccount.google.com/permissions; here: /revoke).
    assert requests.post(f"{local.url}/revoke", data={"token": token["refresh_token"]}).status_code == 200
    for command in (("deploy-forms",), ("auth", "check"), ("sync",)):
        refused = run(*command)
        assert isinstance(refused.exception, SystemExit) and refused.exit_code == 1, refused.output
        errors = [line for line in refused.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1 and "invalid_grant" in errors[0] and "auth login" in errors[0], refused.stderr
        assert "Traceback" not in refused.output and token["refresh_token"] not in refused.output


def test_a_scope_left_unticked_saves_nothing_and_says_which(signed_in_workspace, local, page):
    process, opened = start_login(signed_in_workspace, local.url)
    try:
        page.goto(opened_link(opened, process))
        page.get_by_label("Sam Okafor", exact=False).check()
        page.get_by_label("See, edit, create and delete only the specific Google Drive files", exact=False).check()
        page.get_by_role("button", name="Allow").click()
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "gmail.send" in errors[0] and "tick every box" in errors[0], err
    assert not (signed_in_workspace / "secrets" / "local-token.json").exists()


def test_cancel_on_the_accounts_page_saves_nothing(signed_in_workspace, local, page):
    process, opened = start_login(signed_in_workspace, local.url)
    try:
        page.goto(opened_link(opened, process))
        page.get_by_role("button", name="Cancel").click()
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 1
    assert "access_denied" in err and "auth login" in err and "Traceback" not in err
    assert not (signed_in_workspace / "secrets" / "local-token.json").exists()


def test_the_access_blocked_page_is_accessible(local, page):
    page.goto(f"{local.url}/o/oauth2/auth?client_id=nobody&redirect_uri=http://127.0.0.1:1/&response_type=code&scope=x")
    page.get_by_role("heading", name="Access blocked").wait_for()
    assert "invalid_client" in page.content()
    assert_accessible(page)
