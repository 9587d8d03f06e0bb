"""The local workspace signs people in as Google's OAuth 2.0 server does for a desktop app: an accounts
page, codes bound to PKCE, refresh tokens, access tokens that expire after 3599 s, and revocation."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import urllib.parse

import pytest
import requests

from local_workspace import auth

DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
GMAIL_SEND = "https://www.googleapis.com/auth/gmail.send"
REDIRECT = "http://127.0.0.1:8765/"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@pytest.fixture
def client(local) -> dict:
    return requests.post(f"{local.url}/_local/oauth-clients", json={"name": "Test app"}).json()["installed"]


def authorize(
    local, client, verifier="v" * 50, account="staff@example.org", scopes=(DRIVE_FILE, GMAIL_SEND), ticked=(), **extra
):
    """The accounts page for a request, then the person's choice (every scope ticked unless `ticked`
    says which): the redirect back to the app."""
    params = {
        "client_id": client["client_id"],
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": " ".join(scopes),
        "state": "xyz",
        "code_challenge": s256(verifier),
        "code_challenge_method": "S256",
        **extra,
    }
    page = requests.get(client["auth_uri"], params=params)
    assert page.status_code == 200, page.text
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', page.text)
    }
    answer = requests.post(
        f"{local.url}/o/oauth2/approve",
        data={**fields, "account": account, "decision": "allow", "granted": list(ticked or scopes)},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT)
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def exchange(client, code, verifier="v" * 50, **changes):
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": client["client_id"],
        "client_secret": client["client_secret"],
        "code_verifier": verifier,
        **changes,
    }
    return requests.post(client["token_uri"], data={k: v for k, v in form.items() if v is not None})


def refresh(client, refresh_token):
    return requests.post(
        client["token_uri"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
        },
    )


def signed_in(local, client, **kwargs) -> dict:
    back = authorize(local, client, **kwargs)
    answer = exchange(client, back["code"])
    assert answer.status_code == 200, answer.text
    return answer.json()


def drive_files(local, token):
    return requests.get(f"{local.url}/drive/v3/files", headers={"Authorization": f"Bearer {token}"})


def test_the_accounts_page_lists_the_staff_and_the_scopes_in_words(local, client):
    page = requests.get(
        client["auth_uri"].replace("/o/oauth2/auth", "/o/oauth2/v2/auth"),  # Google's newer path, the same page
        params={
            "client_id": client["client_id"],
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": f"{DRIVE_FILE} {GMAIL_SEND}",
        },
    )
    assert page.status_code == 200
    assert "staff@example.org" in page.text and "Send email on your behalf" in page.text
    assert "Test app" in page.text


def test_a_code_exchanged_with_its_verifier_gives_tokens_the_apis_accept(local, client):
    back = authorize(local, client, account="lead@example.org")
    assert back["state"] == "xyz" and set(back["scope"].split()) == {DRIVE_FILE, GMAIL_SEND}
    tokens = exchange(client, back["code"]).json()
    assert tokens["expires_in"] == 3599 and tokens["token_type"] == "Bearer"
    assert tokens["refresh_token"].startswith("1//") and set(tokens["scope"].split()) == {DRIVE_FILE, GMAIL_SEND}
    assert drive_files(local, tokens["access_token"]).status_code == 200
    about = requests.get(
        f"{local.url}/drive/v3/about",
        params={"fields": "user(emailAddress)"},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert about.json() == {"user": {"emailAddress": "lead@example.org"}}
    info = requests.get(f"{local.url}/tokeninfo", params={"access_token": tokens["access_token"]}).json()
    assert info["azp"] == client["client_id"] and set(info["scope"].split()) == {DRIVE_FILE, GMAIL_SEND}


def test_about_needs_fields_as_on_drive(local, client):
    token = signed_in(local, client)["access_token"]
    answer = requests.get(f"{local.url}/drive/v3/about", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 400 and "fields" in answer.json()["error"]["message"]


def test_a_code_needs_the_right_verifier_and_is_used_once(local, client):
    back = authorize(local, client)
    wrong = exchange(client, back["code"], verifier="w" * 50)
    assert (wrong.status_code, wrong.json()) == (
        400,
        {"error": "invalid_grant", "error_description": "Invalid code verifier."},
    )
    # The code was spent by that attempt, as Google spends it.
    again = exchange(client, back["code"])
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    missing = exchange(client, authorize(local, client)["code"], verifier=None)
    assert missing.json() == {"error": "invalid_grant", "error_description": "Missing code verifier."}


def test_the_client_must_authenticate_and_redirect_to_the_same_address(local, client):
    code = authorize(local, client)["code"]
    assert exchange(client, code, client_secret="GOCSPX-wrong").json() == {
        "error": "invalid_client",
        "error_description": "Unauthorized",
    }
    unknown = exchange(client, authorize(local, client)["code"], client_id="nobody.apps.googleusercontent.com")
    assert (unknown.status_code, unknown.json()["error"]) == (401, "invalid_client")
    other_port = exchange(client, authorize(local, client)["code"], redirect_uri="http://127.0.0.1:9999/")
    assert other_port.json()["error"] == "redirect_uri_mismatch"
    assert (
        requests.post(client["token_uri"], data={"grant_type": "password"}).json()["error"] == "unsupported_grant_type"
    )


def test_only_a_loopback_redirect_is_allowed_for_a_desktop_client(local, client):
    page = requests.get(
        client["auth_uri"],
        params={
            "client_id": client["client_id"],
            "redirect_uri": "https://evil.example/",
            "response_type": "code",
            "scope": DRIVE_FILE,
        },
    )
    assert page.status_code == 400 and "redirect_uri_mismatch" in page.text
    unknown = requests.get(
        client["auth_uri"],
        params={"client_id": "x", "redirect_uri": REDIRECT, "response_type": "code", "scope": DRIVE_FILE},
    )
    assert unknown.status_code == 401 and "invalid_client" in unknown.text


def test_the_person_may_allow_only_some_scopes_and_the_tokens_hold_only_those(local, client):
    back = authorize(local, client, ticked=(DRIVE_FILE,))
    assert back["scope"] == DRIVE_FILE
    tokens = exchange(client, back["code"]).json()
    assert tokens["scope"] == DRIVE_FILE
    mail = requests.post(
        f"{local.url}/gmail/v1/users/me/messages/send",
        json={"raw": "eA"},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert mail.status_code == 403


def test_cancel_sends_access_denied_back_to_the_app(local, client):
    params = {
        "client_id": client["client_id"],
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": DRIVE_FILE,
        "state": "s",
    }
    answer = requests.post(f"{local.url}/o/oauth2/approve", data={**params, "decision": "deny"}, allow_redirects=False)
    assert answer.headers["Location"] == REDIRECT + "?state=s&error=access_denied"
    nothing_ticked = {**params, "decision": "allow", "account": "staff@example.org"}
    answer = requests.post(f"{local.url}/o/oauth2/approve", data=nothing_ticked, allow_redirects=False)
    assert answer.headers["Location"] == REDIRECT + "?state=s&error=access_denied"


def test_a_refresh_gives_a_new_access_token_and_no_new_refresh_token(local, client):
    tokens = signed_in(local, client)
    renewed = refresh(client, tokens["refresh_token"]).json()
    assert renewed["access_token"] != tokens["access_token"] and "refresh_token" not in renewed
    assert renewed["expires_in"] == 3599
    assert drive_files(local, renewed["access_token"]).status_code == 200


def test_access_tokens_expire_after_3599_seconds_and_a_refresh_brings_a_new_one(local, client, monkeypatch):
    tokens = signed_in(local, client)
    start = auth.now()
    monkeypatch.setattr(auth, "now", lambda: start + 3598)
    assert drive_files(local, tokens["access_token"]).status_code == 200
    monkeypatch.setattr(auth, "now", lambda: start + 3600)
    assert drive_files(local, tokens["access_token"]).status_code == 401
    renewed = refresh(client, tokens["refresh_token"]).json()
    assert drive_files(local, renewed["access_token"]).status_code == 200


def test_revoking_either_token_ends_the_grant(local, client):
    for which in ("refresh_token", "access_token"):
        tokens = signed_in(local, client)
        other = signed_in(local, client)  # another sign-in of the same person stays
        assert requests.post(f"{local.url}/revoke", data={"token": tokens[which]}).status_code == 200
        refused = refresh(client, tokens["refresh_token"])
        assert (refused.status_code, refused.json()) == (
            400,
            {"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
        )
        assert drive_files(local, tokens["access_token"]).status_code == 401
        assert drive_files(local, other["access_token"]).status_code == 200
    again = requests.post(f"{local.url}/revoke", data={"token": tokens["refresh_token"]})
    assert (again.status_code, again.json()) == (
        400,
        {"error": "invalid_token", "error_description": "Token expired or revoked"},
    )
    bad = requests.get(f"{local.url}/tokeninfo", params={"access_token": tokens["access_token"]})
    assert (bad.status_code, bad.json()["error"]) == (400, "invalid_token")


def test_a_testing_consent_screen_s_refresh_tokens_end_after_7_days(local, monkeypatch):
    client = requests.post(f"{local.url}/_local/oauth-clients", json={"testing": True}).json()["installed"]
    tokens = signed_in(local, client)
    assert tokens["refresh_token_expires_in"] == 7 * 24 * 3600 - 1
    start = auth.now()
    monkeypatch.setattr(auth, "now", lambda: start + 7 * 24 * 3600 + 1)
    assert refresh(client, tokens["refresh_token"]).json()["error_description"] == "Token has been expired or revoked."


def test_the_same_client_id_answers_the_same_client(local):
    first = requests.post(f"{local.url}/_local/oauth-clients", json={"client_id": "ppp-gsuite-local"}).json()
    second = requests.post(f"{local.url}/_local/oauth-clients", json={"client_id": "ppp-gsuite-local"}).json()
    assert first == second and first["installed"]["token_uri"] == f"{local.url}/token"
    assert secrets.compare_digest(first["installed"]["client_secret"], second["installed"]["client_secret"])


def test_a_service_account_acts_for_a_user_only_with_domain_wide_delegation(local):
    from google.auth import crypt, jwt

    key = requests.post(f"{local.url}/_local/service-accounts", json={"name": "robot"}).json()
    assert key["type"] == "service_account" and key["token_uri"] == f"{local.url}/token"
    signer = crypt.RSASigner.from_service_account_info(key)

    def trade(**claims):
        now = int(auth.now())
        payload = {
            "iss": key["client_email"],
            "aud": "https://oauth2.googleapis.com/token",
            "iat": now,
            "exp": now + 3600,
            "scope": f"{DRIVE_FILE} {GMAIL_SEND}",
            "sub": "involvement@example.org",
            **claims,
        }
        assertion = jwt.encode(signer, payload).decode()
        grant = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
        return requests.post(key["token_uri"], data=grant)

    refused = trade()
    assert (refused.status_code, refused.json()["error"]) == (401, "unauthorized_client")
    grant = {"client_id": key["client_id"], "scopes": ["drive.file", "gmail.send"]}
    assert requests.post(f"{local.url}/_local/domain-wide-delegation", json=grant).status_code == 200
    tokens = trade().json()
    assert tokens["expires_in"] == 3599 and "refresh_token" not in tokens
    about = requests.get(
        f"{local.url}/drive/v3/about",
        params={"fields": "user(emailAddress)"},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert about.json()["user"]["emailAddress"] == "involvement@example.org"
    assert trade(sub="stranger@elsewhere.example").json() == {
        "error": "invalid_grant",
        "error_description": "Invalid email or User ID",
    }
    assert trade(aud=key["token_uri"]).json()["error_description"] == "Invalid JWT: Failed audience check."
    assert trade(exp=int(auth.now()) + 7200).json()["error"] == "invalid_grant"
    assert trade(scope="https://www.googleapis.com/auth/drive").json()["error"] == "unauthorized_client"
    second_key = requests.post(f"{local.url}/_local/service-accounts", json={"name": "robot"}).json()
    assert second_key["client_id"] == key["client_id"] and trade().status_code == 200  # the first key still works
    other = requests.post(f"{local.url}/_local/service-accounts", json={"name": "intruder"}).json()
    forged = jwt.encode(
        crypt.RSASigner.from_service_account_info({**other, "private_key_id": "x"}), {"iss": key["client_email"]}
    )
    answer = requests.post(
        key["token_uri"],
        data={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": forged.decode()},
    )
    assert answer.json() == {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
