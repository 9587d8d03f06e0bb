"""With backend: google, every command that signs in meets a bad sign-in with one plain line and an
exit code: never a traceback, never a secret.

The bad sign-ins a first user meets: a credentials file that is not JSON, one of the wrong kind
(the OAuth client's JSON where the token should be), a token Google refuses (invalid_grant: revoked,
or a consent screen in Testing), and Google out of reach (no DNS, no route).
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import requests
from google.oauth2 import credentials as user_credentials

from cli_env import run

# Each command a person runs that signs in to Google, as typed.
SIGNING_IN = [
    ("deploy-forms",),
    ("deploy-forms", "--dry-run"),
    ("sync",),
    ("status",),
    ("email", "settle", "eoi-ack:abc", "--sent"),
    ("preview-email", "acknowledgement", "--response", "ABC"),
    ("purge", "--dry-run"),
    ("erase", "PPP-ABC", "--dry-run"),
    ("report", "diversity"),
    ("auth", "check"),
]
CLIENT_SECRET = "GOCSPX-not-shown-anywhere"
REFRESH_TOKEN = "1//0refresh-token-never-shown"


def google_workspace(workspace: Path) -> Path:
    config = workspace / "ppp-gsuite.yaml"
    text = config.read_text().replace(
        "backend: local\n", "backend: google\ngoogle:\n  credentials: secrets/token.json\n"
    )
    config.write_text(text)
    (workspace / "secrets").mkdir()
    return workspace / "secrets" / "token.json"


def authorized_user(refresh_token: str = REFRESH_TOKEN, client_id: str = "123.apps.googleusercontent.com") -> str:
    return json.dumps(
        {
            "type": "authorized_user",
            "client_id": client_id,
            "client_secret": CLIENT_SECRET,
            "refresh_token": refresh_token,
        }
    )


def assert_one_plain_line(result, exit_code: int, *words: str) -> str:
    assert isinstance(result.exception, SystemExit), f"ended in {result.exception!r}"
    assert result.exit_code == exit_code, result.output
    output = result.output
    assert "Traceback" not in output and CLIENT_SECRET not in output and REFRESH_TOKEN not in output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    for word in words:
        assert word in errors[0], errors[0]
    return errors[0]


@pytest.fixture
def token_file(workspace) -> Path:
    return google_workspace(workspace)


@pytest.mark.parametrize("command", SIGNING_IN + [("validate",)], ids=" ".join)
def test_a_credentials_file_that_is_not_json(token_file, command):
    token_file.write_text('{"type": "authorized_user", "refresh_token": "' + REFRESH_TOKEN + '",')
    assert_one_plain_line(run(*command), 2, "not valid JSON", "auth login")


@pytest.mark.parametrize("command", SIGNING_IN + [("validate",)], ids=" ".join)
def test_the_oauth_client_file_where_the_token_should_be(token_file, command):
    token_file.write_text(json.dumps({"installed": {"client_id": "123", "client_secret": CLIENT_SECRET}}))
    assert_one_plain_line(run(*command), 2, "OAuth client file, not a token", "auth login")


@pytest.mark.parametrize("command", SIGNING_IN + [("validate",)], ids=" ".join)
def test_a_credentials_file_of_another_kind(token_file, command):
    token_file.write_text(json.dumps({"type": "external_account", "audience": "x", "client_secret": CLIENT_SECRET}))
    assert_one_plain_line(run(*command), 2, "neither an authorised-user token nor a service-account key")


@pytest.fixture
def revoked_token(token_file, local, monkeypatch) -> Path:
    """A token the local workspace issued through its sign-in, then revoked; Google's token endpoint is
    the local workspace's for this test."""
    client = requests.post(f"{local.url}/_local/oauth-clients", json={}).json()["installed"]
    from test_local_signin import signed_in

    tokens = signed_in(local, client)
    assert requests.post(f"{local.url}/revoke", data={"token": tokens["refresh_token"]}).status_code == 200
    token_file.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": client["client_id"],
                "client_secret": client["client_secret"],
                "refresh_token": tokens["refresh_token"],
            }
        )
    )
    monkeypatch.setattr(user_credentials, "_GOOGLE_OAUTH2_TOKEN_ENDPOINT", client["token_uri"])
    return token_file


@pytest.mark.parametrize("command", SIGNING_IN, ids=" ".join)
def test_a_revoked_token(revoked_token, command):
    line = assert_one_plain_line(run(*command), 1, "invalid_grant", "revoked", "Testing", "auth login")
    assert json.loads(revoked_token.read_text())["refresh_token"] not in line


@pytest.mark.parametrize("command", SIGNING_IN, ids=" ".join)
def test_google_s_name_does_not_resolve(token_file, monkeypatch, command):
    token_file.write_text(authorized_user())

    def no_dns(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    assert_one_plain_line(run(*command), 1, "cannot reach", "oauth2.googleapis.com", "DNS")


@pytest.mark.parametrize("command", SIGNING_IN, ids=" ".join)
def test_google_refuses_the_connection(token_file, monkeypatch, command):
    token_file.write_text(authorized_user())
    monkeypatch.setattr(user_credentials, "_GOOGLE_OAUTH2_TOKEN_ENDPOINT", "http://127.0.0.1:9/token")
    assert_one_plain_line(run(*command), 1, "cannot reach", "127.0.0.1:9", "network")
