"""Shared fixtures: the local workspace served over real HTTP on a free port."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

from local_workspace import server
from ppp_gsuite.config import LocalSettings
from ppp_gsuite.google.clients import SCOPES

LOCAL = LocalSettings()  # the account and OAuth client the product's local backend signs in as


class LocalControls:
    """Plain-HTTP access to the local workspace: /_local/ controls and the web pages."""

    def __init__(self, url: str):
        self.url = url
        self._token = None

    def default_token(self) -> str:
        """The product's token, issued once per reset; plain requests to the APIs carry it."""
        if self._token is None:
            self._token = self.token()
        return self._token

    def request(self, method: str, path: str, body=None, form=None):
        """(status, text) of a request; `form` is sent urlencoded as a browser does."""
        data, headers = None, {}
        if body is not None:
            data, headers = json.dumps(body).encode(), {"Content-Type": "application/json"}
        if form is not None:
            data = urllib.parse.urlencode(form, doseq=True).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if not path.startswith("/_local/"):
            headers["Authorization"] = f"Bearer {self.default_token()}"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def json(self, method: str, path: str, body=None):
        status, text = self.request(method, path, body=body)
        assert status == 200, text
        return json.loads(text)

    def reset(self) -> None:
        """An empty workspace, with Google's per-minute quotas off (a reset turns them on: tests of
        quotas turn them on again): the suite makes far more calls a minute than one person would."""
        self.json("POST", "/_local/reset")
        self._token = None
        self.quotas(enforce=False)

    def quotas(self, **settings) -> dict:
        """/_local/quotas: enforce=False turns Google's per-minute quotas off, limits={...} lowers them."""
        return self.json("POST", "/_local/quotas", settings)

    def add_response(self, form_id: str, response: dict) -> dict:
        return self.json("POST", f"/_local/forms/{form_id}/responses", response)

    def edit_response(self, form_id: str, response_id: str, changes: dict) -> dict:
        return self.json("PUT", f"/_local/forms/{form_id}/responses/{response_id}", changes)

    def forbid_anyone(self, forbid: bool = True) -> None:
        self.json("POST", "/_local/drive/forbid-anyone", {"forbid": forbid})

    def organisation_policy(self, **policy) -> dict:
        """defaultVisibility="none" | "domainWithLink", linkSharing="allowed" | "forbidden",
        allowedSharingDomains=None | [domains], addressesWithoutGoogleAccount=[addresses]."""
        return self.json("POST", "/_local/drive/organisation-policy", policy)

    def requests(self) -> list[dict]:
        return self.json("GET", "/_local/requests")["requests"]

    def token(self, scopes=SCOPES, client_id: str = LOCAL.client_id, user: str = LOCAL.account) -> str:
        """An access token, by default the one the product's local backend signs in with."""
        return self.json("POST", "/_local/tokens", {"user": user, "client_id": client_id, "scopes": list(scopes)})[
            "access_token"
        ]

    def credentials(self, **kwargs) -> Credentials:
        return Credentials(token=self.token(**kwargs))

    def clients(self, **kwargs):
        """The product's clients for this workspace, signed in as `token` would be."""
        from ppp_gsuite.google.clients import local_clients

        return local_clients(self.url, token=self.token(**kwargs))

    def session(self, **kwargs):
        """A requests.Session signed in (a bearer token), for plain calls to the APIs."""
        import requests

        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token(**kwargs)}"
        return session


@pytest.fixture(scope="session")
def local_server_url(tmp_path_factory):
    url, stop = server.start(tmp_path_factory.mktemp("local-workspace") / "workspace.sqlite3")
    yield url
    stop()


@pytest.fixture
def local(local_server_url) -> LocalControls:
    """The local workspace, emptied before the test (Google's per-minute quotas off)."""
    controls = LocalControls(local_server_url)
    controls.reset()
    return controls


@pytest.fixture
def forms_api(local):
    return build(
        "forms",
        "v1",
        credentials=local.credentials(),
        static_discovery=True,
        client_options={"api_endpoint": local.url},
    )


@pytest.fixture
def drive_api(local):
    return build(
        "drive",
        "v3",
        credentials=local.credentials(),
        static_discovery=True,
        client_options={"api_endpoint": local.url + "/drive/v3/"},
    )


from sync_env import env  # noqa: E402,F401  (the deployed-workspace fixture of the sync and email tests)

pytest_plugins = [
    "standin_route_calls",  # notes the stand-in routes tests call (test_coverage_of_standin.py)
    "cli_env",  # the `workspace` fixture: a copy of the minimal workspace on the test's local workspace
]
