"""`auth login --service-account`, what `auth login` and `auth check` need from the config, and
`validate`'s warning for a sign-in kept in git or readable by others."""

from __future__ import annotations

import base64
import json
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from cli_env import run


def use_google(workspace: Path, subject: str | None = None, oauth_client: str | None = None) -> Path:
    config = workspace / "ppp-gsuite.yaml"
    google = "google:\n  credentials: secrets/token.json\n"
    if subject:
        google += f"  subject: {subject}\n"
    if oauth_client:
        google += f"  oauth_client: {oauth_client}\n"
    config.write_text(config.read_text().replace("backend: local\n", "backend: google\n" + google))
    return workspace / "secrets" / "token.json"


def service_account_key(path: Path) -> dict:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    info = {
        "type": "service_account",
        "project_id": "ppp-test",
        "private_key_id": "abc123",
        "private_key": pem.decode(),
        "client_email": "ppp-gsuite@ppp-test.iam.gserviceaccount.com",
        "client_id": "1234567890",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    path.write_text(json.dumps(info))
    return info


def errors_of(result) -> list[str]:
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return [line for line in result.stderr.splitlines() if line.startswith("Error:")]


def test_a_service_account_key_is_stored_readable_by_its_owner_only(workspace):
    token = use_google(workspace, subject="involvement@example.org")
    key = workspace / "downloaded-key.json"
    info = service_account_key(key)
    result = run("auth", "login", "--service-account", str(key), "--subject", "involvement@example.org")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    assert json.loads(token.read_text()) == info
    assert "ppp-gsuite@ppp-test.iam.gserviceaccount.com" in result.stdout and info["private_key"] not in result.output
    assert run("validate").exit_code == 0  # the stored key is read as a service account acting for the subject


def test_a_subject_the_config_does_not_name_is_stored_with_what_to_write(workspace):
    use_google(workspace)
    key = workspace / "downloaded-key.json"
    service_account_key(key)
    result = run("auth", "login", "--service-account", str(key), "--subject", "involvement@example.org")
    assert result.exit_code == 2
    [line] = errors_of(result)
    assert "subject: involvement@example.org" in line and "under google:" in line


def test_a_file_that_is_no_service_account_key_is_refused(workspace):
    token = use_google(workspace, subject="involvement@example.org")
    key = workspace / "not-a-key.json"
    key.write_text(json.dumps({"installed": {"client_id": "x", "client_secret": "GOCSPX-x"}}))
    result = run("auth", "login", "--service-account", str(key), "--subject", "involvement@example.org")
    assert result.exit_code == 2
    [line] = errors_of(result)
    assert "not a service-account key" in line
    assert not token.exists()


def test_auth_login_for_google_needs_the_desktop_client(workspace):
    use_google(workspace)
    [line] = errors_of(result := run("auth", "login", "--no-browser"))
    assert result.exit_code == 2 and "--client FILE" in line and "google.oauth_client" in line
    web = workspace / "web-client.json"
    web.write_text(json.dumps({"web": {"client_id": "x", "client_secret": "GOCSPX-x"}}))
    [line] = errors_of(result := run("auth", "login", "--no-browser", "--client", str(web)))
    assert result.exit_code == 2 and "a web client" in line and "Desktop app" in line


def test_auth_check_on_the_local_workspace_without_a_sign_in_says_what_to_set(workspace):
    [line] = errors_of(result := run("auth", "check"))
    assert result.exit_code == 2 and "local.credentials" in line and "auth login" in line


@pytest.fixture
def git_repo(workspace) -> Path:
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    return workspace


def test_validate_warns_when_the_token_is_tracked_by_git(git_repo):
    token = use_google(git_repo)
    token.parent.mkdir()
    token.write_text(
        json.dumps({"type": "authorized_user", "client_id": "c", "client_secret": "s", "refresh_token": "r"})
    )
    token.chmod(0o600)
    quiet = run("validate")
    assert quiet.exit_code == 0 and "tracked by git" not in quiet.stderr
    subprocess.run(["git", "-C", str(git_repo), "add", "secrets/token.json"], check=True)
    warned = run("validate")
    assert warned.exit_code == 0
    assert "google.credentials (token.json) is tracked by git" in warned.stderr and "git rm --cached" in warned.stderr


def test_validate_warns_when_others_can_read_the_token(workspace):
    token = use_google(workspace)
    token.parent.mkdir()
    token.write_text(
        json.dumps({"type": "authorized_user", "client_id": "c", "client_secret": "s", "refresh_token": "r"})
    )
    token.chmod(0o644)
    result = run("validate")
    assert result.exit_code == 0 and "chmod 600" in result.stderr


def test_a_local_sign_in_refreshes_when_its_access_token_expires_mid_run(workspace, local, monkeypatch):
    """Access tokens last 3599 s: a run that outlasts one carries on with a refreshed token."""
    import requests

    from local_workspace import auth
    from ppp_gsuite.config import load_config
    from ppp_gsuite.connect import connect
    from test_local_signin import signed_in

    client = requests.post(f"{local.url}/_local/oauth-clients", json={"client_id": "ppp-gsuite-local"}).json()
    tokens = signed_in(local, client["installed"])
    config = workspace / "ppp-gsuite.yaml"
    config.write_text(config.read_text() + "local:\n  credentials: secrets/local-token.json\n")
    (workspace / "secrets").mkdir()
    (workspace / "secrets" / "local-token.json").write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": client["installed"]["client_id"],
                "client_secret": client["installed"]["client_secret"],
                "refresh_token": tokens["refresh_token"],
            }
        )
    )
    with connect(load_config(config)) as clients:
        assert clients.drive.files().list().execute()["files"] == []
        start = auth.now()
        monkeypatch.setattr(auth, "now", lambda: start + 3600)  # the access token the run began with has expired
        assert clients.drive.files().list().execute()["files"] == []
        answer = clients.sheets.request("get", "https://www.googleapis.com/drive/v3/files")
        assert answer.json()["files"] == []


def test_where_no_browser_can_be_opened_auth_login_says_to_use_no_browser(workspace, monkeypatch):
    import webbrowser

    def no_browser(using=None):
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", no_browser)
    config = workspace / "ppp-gsuite.yaml"
    config.write_text(config.read_text() + "local:\n  credentials: secrets/local-token.json\n")
    [line] = errors_of(result := run("auth", "login"))
    assert result.exit_code == 1 and "--no-browser" in line
    assert not (workspace / "secrets" / "local-token.json").exists()


@pytest.fixture
def local_service_account(workspace, local) -> tuple[Path, dict]:
    """A service account of the local workspace (its key downloaded), the config set to use it."""
    import requests

    key = requests.post(f"{local.url}/_local/service-accounts", json={"name": "ppp-gsuite"}).json()
    downloaded = workspace / "downloaded-key.json"
    downloaded.write_text(json.dumps(key))
    config = workspace / "ppp-gsuite.yaml"
    config.write_text(
        config.read_text() + "local:\n  credentials: secrets/local-key.json\n  subject: involvement@example.org\n"
    )
    return downloaded, key


def test_a_service_account_with_domain_wide_delegation_acts_for_its_subject(local_service_account, local):
    import requests

    downloaded, key = local_service_account
    stored = run("auth", "login", "--service-account", str(downloaded), "--subject", "involvement@example.org")
    assert stored.exit_code == 0, stored.output
    grant = {"client_id": key["client_id"], "scopes": ["drive.file", "gmail.send"]}
    assert requests.post(f"{local.url}/_local/domain-wide-delegation", json=grant).status_code == 200
    check = run("auth", "check")
    assert check.exit_code == 0, check.output
    assert "Account: involvement@example.org" in check.stdout
    assert f"service account {key['client_email']}" in check.stdout
    assert key["private_key"] not in check.output
    deploy = run("deploy-forms")
    assert deploy.exit_code == 0, deploy.output


def test_without_domain_wide_delegation_every_command_says_what_the_administrator_must_grant(
    local_service_account, local
):
    import requests

    downloaded, key = local_service_account
    assert (
        run("auth", "login", "--service-account", str(downloaded), "--subject", "involvement@example.org").exit_code
        == 0
    )
    only_drive = {"client_id": key["client_id"], "scopes": ["drive.file"]}  # gmail.send left out
    assert requests.post(f"{local.url}/_local/domain-wide-delegation", json=only_drive).status_code == 200
    for command in (("auth", "check"), ("deploy-forms",), ("sync",)):
        result = run(*command)
        [line] = errors_of(result)
        assert result.exit_code == 1 and "unauthorized_client" in line and "domain-wide delegation" in line
        assert key["client_id"] in line and key["private_key"] not in result.output


def test_the_default_local_sign_in_refreshes_when_its_access_token_expires_mid_run(workspace, local, monkeypatch):
    """Without `auth login` the tool signs in to the local workspace as the configured account; its tokens
    last 3599 s too, and a long run (`watch`, a large first sync) carries on with a new one rather than
    failing every call with 401 after an hour."""
    from local_workspace import auth
    from ppp_gsuite.config import load_config
    from ppp_gsuite.connect import connect

    with connect(load_config(workspace / "ppp-gsuite.yaml")) as clients:
        assert clients.drive.files().list().execute()["files"] == []
        start = auth.now()
        monkeypatch.setattr(auth, "now", lambda: start + 3600)  # the access token the run began with has expired
        assert clients.drive.files().list().execute()["files"] == []
        assert clients.sheets.request("get", "https://www.googleapis.com/drive/v3/files").json()["files"] == []
        message = b"From: staff@example.org\r\nTo: someone@example.org\r\nSubject: hello\r\n\r\nhello\r\n"
        clients.mail.send(base64.urlsafe_b64encode(message).decode())
    assert [m["subject"] for m in local.json("GET", "/_local/gmail/messages")["messages"]] == ["hello"]
