"""A requests.Session that sends gspread's calls to the local workspace instead of Google.

    session = LocalSession("http://127.0.0.1:8470", token)
    client = gspread.Client(auth=None, session=session)

gspread builds absolute https://sheets.googleapis.com/... and https://www.googleapis.com/...
URLs; this session swaps those hosts for the local workspace's address, and leaves any other
URL alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import google.auth.credentials
import requests
from google.auth.transport.requests import AuthorizedSession

from ..errors import PppError
from .errors import Unreachable

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")


class LocalSession(requests.Session):
    def __init__(self, base_url: str, token: str):
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.headers["Authorization"] = f"Bearer {token}"

    def rewrite(self, url: str) -> str:
        for host in GOOGLE_HOSTS:
            if url == host or url.startswith(host + "/"):
                return self.base_url + url[len(host) :]
        return url

    def request(self, method, url, *args, **kwargs):
        return super().request(method, self.rewrite(str(url)), *args, **kwargs)


class LocalAuthorizedSession(AuthorizedSession):
    """LocalSession's rewriting over google-auth's session, which refreshes an expired access token
    (a sign-in from `auth login` on the local workspace, whose tokens last 3599 s as Google's do)."""

    def __init__(self, base_url: str, credentials):
        super().__init__(credentials)
        self.base_url = base_url.rstrip("/")

    rewrite = LocalSession.rewrite

    def request(self, method, url, *args, **kwargs):
        return super().request(method, self.rewrite(str(url)), *args, **kwargs)


class LocalControlCredentials(google.auth.credentials.Credentials):
    """The configured account signed in to the local workspace (no `auth login`): each access token from
    its control, and a new one when the last has expired (they last 3599 s, as Google's do), so a run
    longer than an hour (`watch`, a large first sync) carries on as a refreshed sign-in does on Google."""

    def __init__(self, base_url: str, account: str, client_id: str, scopes):
        super().__init__()
        self.base_url, self.account, self.client_id, self.scopes = base_url, account, client_id, tuple(scopes)

    def refresh(self, request) -> None:
        answer = _token_from_control(self.base_url, self.account, self.client_id, self.scopes)
        self.token = answer["access_token"]
        # google-auth's clock: naive UTC; renewed a minute early (google-auth's refresh threshold does too).
        self.expiry = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=int(answer["expires_in"]))


def local_access_token(base_url: str, account: str, client_id: str, scopes) -> str:
    """An access token from the local workspace's control (POST /_local/tokens), as a sign-in gives one:
    `account` signed in through the OAuth client `client_id`, with `scopes`. Never printed."""
    return _token_from_control(base_url, account, client_id, scopes)["access_token"]


def _token_from_control(base_url: str, account: str, client_id: str, scopes) -> dict:
    body = {"user": account, "client_id": client_id, "scopes": list(scopes)}
    try:
        answer = requests.post(base_url.rstrip("/") + "/_local/tokens", json=body, timeout=(5, 30))
    except requests.exceptions.RequestException as error:
        raise Unreachable("sign in to the local workspace", error) from None
    if answer.status_code != 200:
        raise PppError(
            f"the local workspace at {base_url} did not sign in {account} (it answered {answer.status_code})"
        )
    return answer.json()


def local_oauth_client(base_url: str, client_id: str) -> dict:
    """The local workspace's desktop OAuth client `client_id` (made on first use), as the Cloud console's
    "Download JSON" gives one: its auth_uri and token_uri are the workspace's own."""
    body = {"client_id": client_id, "name": "ppp-gsuite"}
    try:
        answer = requests.post(base_url.rstrip("/") + "/_local/oauth-clients", json=body, timeout=(5, 30))
    except requests.exceptions.RequestException as error:
        raise Unreachable("get the local workspace's OAuth client", error) from None
    if answer.status_code != 200:
        raise PppError(f"the local workspace at {base_url} has no OAuth clients (it answered {answer.status_code})")
    return answer.json()
