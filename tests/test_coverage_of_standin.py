"""The stand-in covers the tool, in moto's spirit: every Google API request an adapter in
ppp_gsuite/google/ makes has a route in local_workspace/, and every route there is called by a test.

The adapters' requests are not listed by hand: each adapter class found in ppp_gsuite.google has
each of its public methods called over a transport that records the request and answers `{}`,
and the path and HTTP method recorded (Google's own URLs) must match an API route of the stand-in.
"""

from __future__ import annotations

import collections.abc
import importlib
import inspect
import json
import pkgutil
import types
import typing
from urllib.parse import urlsplit

import google.auth.credentials
import httplib2
import pytest
import requests
from googleapiclient.discovery import build
from gspread.http_client import HTTPClient

import ppp_gsuite.google
from local_workspace.app import ROUTES, LocalWorkspaceApp
from local_workspace.store import Store
from ppp_gsuite.google.clients import build_clients
from standin_route_calls import called, whole_suite_ran

# Pub/Sub names are checked against their pattern by googleapiclient before any request
NAMED = {"topic": "projects/p/topics/t", "subscription": "projects/p/subscriptions/s", "rows": [2], "columns": [0]}
ANSWER = {"id": "recorded"}  # enough for every adapter: a message id, no next page


class Recorder:
    """The transport under every adapter: notes (HTTP method, URL) and answers 200 with ANSWER."""

    def __init__(self):
        self.requests: list[tuple[str, str]] = []

    def http(self):
        """For googleapiclient (Forms, Drive): an httplib2.Http look-alike."""
        recorder = self

        class Http:
            def request(self, uri, method="GET", body=None, headers=None, **_):
                recorder.requests.append((method, uri))
                return httplib2.Response({"status": "200", "content-type": "application/json"}), json.dumps(
                    ANSWER
                ).encode()

        return Http()

    def session(self):
        """For gspread's HTTP client (Sheets) and GmailSender: a requests.Session that sends nothing."""
        recorder = self

        class Session(requests.Session):
            def request(self, method, url, *args, **kwargs):
                recorder.requests.append((method, str(url)))
                response = requests.Response()
                response.status_code, response._content = 200, json.dumps(ANSWER).encode()
                response.headers["Content-Type"] = "application/json"
                return response

        return Session()


def adapter_for(cls, recorder: Recorder):
    """An instance of an adapter class over the recorder, built as ppp_gsuite.google.clients builds it."""
    forms, drive = build_clients(None, http=recorder.http())  # Google's own endpoints
    makers = {
        "FormsApi": lambda: cls(forms),
        "DriveApi": lambda: cls(drive),
        "SheetsApi": lambda: cls(HTTPClient(auth=None, session=recorder.session())),
        "GmailSender": lambda: cls(recorder.session()),
        "FormWatches": lambda: cls(forms),
        "PubSub": lambda: cls(
            build("pubsub", "v1", http=recorder.http(), cache_discovery=False, static_discovery=True)
        ),
    }
    assert cls.__name__ in makers, f"{cls.__module__}.{cls.__name__}: tell adapter_for how to build it"
    return makers[cls.__name__]()


# Modules under the adapters that make no request of their own: they wrap the transports (pacing waits
# before each request the adapters make) and are tested in tests/test_pacing.py.
TRANSPORT_WRAPPERS = {"pacing"}


def adapter_classes() -> list[type]:
    """Every class defined in ppp_gsuite.google that is not an exception or a plain record."""
    found = []
    for module_info in pkgutil.iter_modules(ppp_gsuite.google.__path__):
        if module_info.name in TRANSPORT_WRAPPERS:
            continue
        module = importlib.import_module(f"ppp_gsuite.google.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                cls.__module__ == module.__name__
                and not issubclass(cls, BaseException)
                and not hasattr(cls, "__dataclass_fields__")
                and not issubclass(cls, (requests.Session, httplib2.Http))  # transports, not adapters
                # sign-ins, not adapters: they ask a token endpoint (or the local workspace's control), no API
                and not issubclass(cls, google.auth.credentials.Credentials)
            ):
                found.append(cls)
    return found


def sample(hint):
    """A value of the annotated type, for calling an adapter method."""
    origin = typing.get_origin(hint) or hint
    if origin in (typing.Union, types.UnionType):
        return sample(next(arg for arg in typing.get_args(hint) if arg is not type(None)))
    return {str: "id1", bool: True, int: 1, dict: {}, list: [], collections.abc.Callable: lambda: None}[origin]


def public_methods(cls):
    return [
        (name, function) for name, function in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")
    ]


def adapter_requests() -> list[tuple[str, str, str, str]]:
    """(adapter method, HTTP method, path, query) of every request every adapter method makes."""
    made = []
    for cls in adapter_classes():
        for name, function in public_methods(cls):
            recorder = Recorder()
            adapter = adapter_for(cls, recorder)
            hints = typing.get_type_hints(function)
            arguments = {
                p: NAMED.get(p) or sample(hints[p]) for p in inspect.signature(function).parameters if p != "self"
            }
            getattr(adapter, name)(**arguments)
            assert recorder.requests, f"{cls.__name__}.{name} made no request: is it an adapter method?"
            for http_method, url in recorder.requests:
                parts = urlsplit(url)
                made.append((f"{cls.__name__}.{name}", http_method, parts.path, parts.query))
    return made


@pytest.fixture(scope="module")
def url_map():
    return LocalWorkspaceApp(Store(":memory:")).url_map.bind("localhost")


def test_the_adapters_are_found_and_make_requests():
    names = {cls.__name__ for cls in adapter_classes()}
    assert {"FormsApi", "DriveApi", "SheetsApi", "GmailSender"} <= names
    methods = {made[0] for made in adapter_requests()}
    assert {"FormsApi.list_responses", "DriveApi.find", "SheetsApi.write", "GmailSender.send"} <= methods


def test_every_request_an_adapter_makes_has_a_stand_in_route(url_map):
    unrouted = []
    for method, http_method, path, _ in adapter_requests():
        try:
            route, _ = url_map.match(path, method=http_method.upper())
        except Exception as error:  # werkzeug's NotFound or MethodNotAllowed
            unrouted.append(f"{method}: {http_method} {path} ({type(error).__name__})")
            continue
        if route.method_id is None:
            unrouted.append(f"{method}: {http_method} {path} reaches {route.rule}, which is not an API route")
    assert not unrouted, "adapter requests the local workspace has no API route for:\n" + "\n".join(unrouted)


def test_every_stand_in_route_is_called_by_a_test():
    """Runs last (standin_route_calls moves it there), after every test's requests were noted."""
    if not whole_suite_ran():
        pytest.skip("only a run of the whole suite can tell which routes no test calls")
    uncalled = [
        f"{route.http_method} {route.rule}" for route in ROUTES if (route.http_method, route.rule) not in called
    ]
    assert not uncalled, "stand-in routes no test calls (test them, or remove them):\n" + "\n".join(uncalled)
