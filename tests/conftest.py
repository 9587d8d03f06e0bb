"""Shared fixtures: the local workspace served over real HTTP on a free port."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from google.auth.credentials import AnonymousCredentials
from googleapiclient.discovery import build

from local_workspace import server


class LocalControls:
    """Plain-HTTP access to the local workspace: /_local/ controls and the web pages."""

    def __init__(self, url: str):
        self.url = url

    def request(self, method: str, path: str, body=None, form=None):
        """(status, text) of a request; `form` is sent urlencoded as a browser does."""
        data, headers = None, {}
        if body is not None:
            data, headers = json.dumps(body).encode(), {"Content-Type": "application/json"}
        if form is not None:
            data = urllib.parse.urlencode(form, doseq=True).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
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

    def requests(self) -> list[dict]:
        return self.json("GET", "/_local/requests")["requests"]


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
    return build("forms", "v1", credentials=AnonymousCredentials(), static_discovery=True,
                 client_options={"api_endpoint": local.url})


@pytest.fixture
def drive_api(local):
    return build("drive", "v3", credentials=AnonymousCredentials(), static_discovery=True,
                 client_options={"api_endpoint": local.url + "/drive/v3/"})


from sync_env import env  # noqa: E402,F401  (the deployed-workspace fixture of the sync and email tests)
