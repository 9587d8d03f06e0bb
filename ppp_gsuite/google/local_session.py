"""A requests.Session that sends gspread's calls to the local workspace instead of Google.

    session = LocalSession("http://127.0.0.1:8470", token)
    client = gspread.Client(auth=None, session=session)

gspread builds absolute https://sheets.googleapis.com/... and https://www.googleapis.com/...
URLs; this session swaps those hosts for the local workspace's address, and leaves any other
URL alone.
"""

from __future__ import annotations

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


def local_access_token(base_url: str, account: str, client_id: str, scopes) -> str:
    """An access token from the local workspace's control (POST /_local/tokens), as a sign-in gives one:
    `account` signed in through the OAuth client `client_id`, with `scopes`. Never printed."""
    body = {"user": account, "client_id": client_id, "scopes": list(scopes)}
    try:
        answer = requests.post(base_url.rstrip("/") + "/_local/tokens", json=body, timeout=(5, 30))
    except requests.exceptions.RequestException as error:
        raise Unreachable("sign in to the local workspace", error) from None
    if answer.status_code != 200:
        raise PppError(
            f"the local workspace at {base_url} did not sign in {account} (it answered {answer.status_code})"
        )
    return answer.json()["access_token"]


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
