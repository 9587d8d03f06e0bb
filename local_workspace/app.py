"""The WSGI app of the local workspace: the per-API route tables joined, requests checked
against the discovery documents, errors in Google's envelope."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from werkzeug.exceptions import MethodNotAllowed as WerkzeugMethodNotAllowed
from werkzeug.exceptions import NotFound as WerkzeugNotFound
from werkzeug.routing import BaseConverter, Map, Rule
from werkzeug.wrappers import Request, Response

from . import auth, controls, discovery, faults, fields, index, oauth, proto_json, quotas, signin
from .drive.routes import ROUTES as DRIVE_ROUTES
from .drive.state import DriveState
from .errors import InvalidArgument, LocalApiError, MethodNotAllowed, NotFound, PermissionDenied
from .forms.routes import ROUTES as FORMS_ROUTES
from .forms.state import FormsState
from .forms.watches import WatchesState
from .gmail.routes import ROUTES as GMAIL_ROUTES
from .gmail.state import GmailState
from .pubsub.routes import ROUTES as PUBSUB_ROUTES
from .pubsub.state import PubSubState
from .routing import ApiCall, Route
from .sheets.routes import ROUTES as SHEETS_ROUTES
from .sheets.state import SheetsState
from .store import Store

log = logging.getLogger(__name__)
SHEETS_MAX_PAYLOAD = 10_485_760  # bytes of a Sheets request body Google accepts (10 MiB)
API_CALL = "local_workspace.api_call"  # set in the WSGI environ of calls that are not pages (a quiet log)
QUIET_PREFIXES = ("/_local/", "/upload/", "/resumable/")

ROUTES: list[Route] = [
    *index.ROUTES,
    *FORMS_ROUTES,
    *DRIVE_ROUTES,
    *SHEETS_ROUTES,
    *GMAIL_ROUTES,
    *PUBSUB_ROUTES,
    *controls.ROUTES,
    *faults.ROUTES,
    *quotas.ROUTES,
    *signin.ROUTES,
]


class Workspace:
    """The state of every local API over one store."""

    def __init__(self, store: Store):
        self.store = store
        self.tokens = auth.Tokens(store)
        self.signin = oauth.SignIn(store, self.tokens)
        self.drive = DriveState(store)
        self.forms = FormsState(store, self.drive)
        self.gmail = GmailState(store, self.drive.owner_email)
        self.faults = faults.Faults(store)
        self.quotas = quotas.Quotas()
        self.sheets = SheetsState(store, self.drive)
        self.pubsub = PubSubState(store)
        self.watches = WatchesState(store, self.pubsub)
        self.forms.on_change = self.watches.notify  # a response or a form change publishes to its watches


class _IdConverter(BaseConverter):
    regex = r"[^/:]+"  # stops at ':' so /v1/forms/ID:batchUpdate routes to batchUpdate


class LocalWorkspaceApp:
    def __init__(self, store: Store, public_url: str | None = None):
        self.workspace = Workspace(store)
        self.public_url = public_url.rstrip("/") if public_url else None
        self.url_map = Map(
            [Rule(r.rule, endpoint=r, methods=[r.http_method]) for r in ROUTES],
            converters={"id": _IdConverter},
            strict_slashes=False,
        )

    def __call__(self, environ, start_response):
        response = self.dispatch(Request(environ))
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        try:
            route, args = self.url_map.bind_to_environ(request.environ).match()
        except WerkzeugNotFound:
            return NotFound(f"The local workspace has no route for {request.path}").response()
        except WerkzeugMethodNotAllowed:
            return MethodNotAllowed(f"{request.method} is not allowed on {request.path}").response()
        try:
            if route.method_id or route.rule.startswith(QUIET_PREFIXES):
                request.environ[API_CALL] = route.method_id or route.rule
            if route.method_id:
                assert route.api
                # Who is calling comes first (401/403), then their quota (429), as Google answers.
                caller = auth.for_method(
                    self.workspace.tokens.caller(request.headers.get("Authorization")), route.api, route.method_id
                )
                self.workspace.quotas.charge(route.method_id, caller.user)
                call = lambda: self._call_api(route, request, args, caller)  # noqa: E731
                return self.workspace.faults.intercept(route, request, call)
            return route.endpoint(self.workspace, request, **args)
        except LocalApiError as error:
            return error.response()
        except Exception:  # a bug in the local workspace: answer as Google's backendError
            log.exception("local workspace failed on %s %s", request.method, request.path)
            return LocalApiError("Internal error in the local workspace.").response()

    def _call_api(self, route: Route, request: Request, args: Mapping[str, Any], caller: auth.Caller) -> Response:
        assert route.api and route.method_id, "only API routes are called as APIs"
        self.workspace.store.log_request(request.method, request.path, route.method_id)
        with auth.acting_as(caller):
            self._check_file_access(route, args, caller)
            return self._answer(route, request, args)

    def _check_file_access(self, route: Route, args: Mapping[str, Any], caller: auth.Caller) -> None:
        """A file this caller cannot reach (another app's, with drive.file) is not there for Drive
        (404, as for a missing file) and forbidden for Forms and Sheets (403)."""
        file_id = args.get("file_id") or args.get("form_id") or args.get("spreadsheet_id")
        if file_id and route.api != "drive" and not self.workspace.drive.exists(file_id):
            # A form or spreadsheet is its Drive file: deleted there (files.delete), it is gone for its
            # own API too, which answers 404 as for an id it never had.
            raise NotFound("Requested entity was not found.")
        if file_id and not self.workspace.drive.reachable(file_id, caller):
            if route.api == "drive":
                raise NotFound(f"File not found: {file_id}.", reason="notFound")
            raise PermissionDenied("The caller does not have permission")

    def _answer(self, route: Route, request: Request, args: Mapping[str, Any]) -> Response:
        assert route.api and route.method_id, "only API routes are called as APIs"
        params = {k: v[0] if len(v) == 1 else v for k, v in request.args.lists()}
        problems = discovery.check_params(route.api, route.method_id, params)
        if route.api == "drive":  # Drive ignores query parameters it does not know (the recordings show it)
            problems = [p for p in problems if not p.endswith(": unknown parameter")]
        if problems:
            raise InvalidArgument("Invalid request parameters: " + "; ".join(problems), reason="invalidParameter")
        body = _read_body(request, route)
        call = ApiCall(
            request=request, params=params, body=body, base_url=self.public_url or request.host_url.rstrip("/")
        )
        result = route.endpoint(self.workspace, call, **args)
        if result is None:
            return Response(status=204)
        fields_param = params.get("fields")
        assert not isinstance(fields_param, list), "check_params refused a repeated fields"
        result = fields.select(result, fields_param, route.default_fields)
        if route.api in proto_json.PROTO3_APIS:
            result = proto_json.omit_empty(result)
        return Response(json.dumps(result), mimetype="application/json")


def _read_body(request: Request, route: Route) -> Any:
    assert route.api and route.method_id, "only API routes have a body to check"
    raw = request.get_data()
    if route.api == "sheets" and len(raw) > SHEETS_MAX_PAYLOAD:
        # Google's answer to a Sheets request body over 10 MiB, as reported publicly (docs/google-fidelity.md)
        raise InvalidArgument(
            f"Request payload size exceeds the limit: {SHEETS_MAX_PAYLOAD} bytes.", reason="badRequest"
        )
    if not raw.strip():
        return None
    try:
        body = json.loads(raw)
    except ValueError:
        raise InvalidArgument("Invalid JSON payload received.", reason="parseError") from None
    problems = discovery.check_body(route.api, route.method_id, body)
    if problems:
        raise InvalidArgument("Invalid JSON payload received. " + "; ".join(problems))
    return body
