"""The sign-in pages and endpoints, at Google's paths: the accounts page (authorisation endpoint),
the token, revocation and tokeninfo endpoints, and a control that makes a desktop OAuth client.

The logic is oauth.py's; this module turns requests into its calls and its answers into pages and JSON.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import replace
from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from werkzeug.wrappers import Request, Response

from .errors import InvalidArgument
from .oauth import STAFF_ACCOUNTS, OAuthError, client_config, redirect_to
from .routing import Route, control_body

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent), autoescape=True, trim_blocks=True, lstrip_blocks=True
)
POLICY = "default-src 'none'; style-src 'unsafe-inline'"
REQUEST_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)
# What Google's consent screen says each scope lets the app do.
SCOPE_WORDS = {
    "https://www.googleapis.com/auth/drive.file": "See, edit, create and delete only the specific Google Drive "
    "files you use with this app",
    "https://www.googleapis.com/auth/gmail.send": "Send email on your behalf",
}


def _page(status: int = 200, **values) -> Response:
    response = Response(_templates.get_template("signin.html").render(**values), status=status, mimetype="text/html")
    response.headers["Content-Security-Policy"] = POLICY
    response.headers["Cache-Control"] = "no-store"
    return response


def _error_page(error: OAuthError) -> Response:
    return _page(error.status, title="Access blocked", error=error)


def _json(value, status: int = 200) -> Response:
    response = Response(json.dumps(value), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache, no-store, max-age=0, must-revalidate"
    return response


def authorize(ws, request: Request) -> Response:
    """The accounts page: choose a staff account and allow the scopes the app asks for."""
    params = {name: request.args[name] for name in REQUEST_PARAMS if name in request.args}
    try:
        checked = ws.signin.check_request(params)
    except OAuthError as error:
        return _error_page(error)
    return _page(
        title="Sign in",
        client_name=checked.client.name,
        hidden=list(params.items()),
        accounts=[{"email": email, "name": name, "role": role} for email, name, role in STAFF_ACCOUNTS],
        scopes=[{"uri": scope, "words": SCOPE_WORDS.get(scope, scope)} for scope in checked.scopes],
    )


def approve(ws, request: Request) -> Response:
    """The person's answer: back to the app's loopback address with a code, or with access_denied."""
    params = {name: request.form[name] for name in REQUEST_PARAMS if name in request.form}
    try:
        checked = ws.signin.check_request(params)
        # Granular consent: the person ticks each scope; the app gets only those (none ticked: denied).
        granted = tuple(scope for scope in checked.scopes if scope in request.form.getlist("granted"))
        if request.form.get("decision") != "allow" or not granted:
            location = redirect_to(checked, {"error": "access_denied"})
        else:
            location = ws.signin.approve(replace(checked, scopes=granted), request.form.get("account", ""))
    except OAuthError as error:
        return _error_page(error)
    return Response(status=302, headers={"Location": location, "Cache-Control": "no-store"})


def _client_from_basic_auth(request: Request, form: dict[str, str]) -> dict[str, str]:
    """client_id and client_secret may come in an HTTP Basic Authorization header instead of the body."""
    scheme, _, encoded = (request.headers.get("Authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return form
    try:
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise OAuthError("invalid_client", "Unauthorized", 401) from None
    from urllib.parse import unquote_plus

    return {**form, "client_id": unquote_plus(client_id), "client_secret": unquote_plus(secret)}


def token(ws, request: Request) -> Response:
    form = {name: request.form[name] for name in request.form}
    try:
        return _json(ws.signin.token(_client_from_basic_auth(request, form)))
    except OAuthError as error:
        return _json(error.body(), error.status)


def revoke(ws, request: Request) -> Response:
    value = request.form.get("token") or request.args.get("token") or ""
    try:
        ws.signin.revoke(value)
    except OAuthError as error:
        return _json(error.body(), error.status)
    return _json({})


def tokeninfo(ws, request: Request) -> Response:
    value = request.values.get("access_token") or ""
    info = ws.tokens.info(value) if value else None
    if info is None:
        return _json({"error": "invalid_token", "error_description": "Invalid Value"}, 400)
    return _json(info)


def make_client(ws, request: Request) -> Response:
    """Control: a desktop OAuth client, {"client_id"?, "name"?, "testing"?: bool}, answered as the
    Cloud console's client JSON (auth_uri and token_uri of this workspace). The same id answers the
    same client again."""
    body = control_body(request)
    client = ws.signin.register_client(
        body.get("client_id"), str(body.get("name") or "ppp-gsuite"), bool(body.get("testing", False))
    )
    return _json(client_config(client, request.host_url.rstrip("/")))


def make_service_account(ws, request: Request) -> Response:
    """Control: a service account and its JSON key, {"name"?}, as the Cloud console downloads it."""
    body = control_body(request)
    name = str(body.get("name") or "ppp-gsuite")
    return _json(ws.signin.service_accounts.create_key(name, request.host_url.rstrip("/") + "/token"))


def delegate(ws, request: Request) -> Response:
    """Control: the Workspace administrator grants domain-wide delegation, {"client_id", "scopes": [...]}
    (an empty list takes it away)."""
    body = control_body(request)
    scopes = body.get("scopes")
    if not body.get("client_id") or not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise InvalidArgument("Domain-wide delegation needs client_id and scopes (a list of strings).")
    ws.signin.service_accounts.delegate(str(body["client_id"]), scopes)
    return _json({"client_id": body["client_id"], "scopes": scopes})


ROUTES = [
    Route("GET", "/o/oauth2/auth", authorize),
    Route("GET", "/o/oauth2/v2/auth", authorize),
    Route("POST", "/o/oauth2/approve", approve),
    Route("POST", "/token", token),
    Route("POST", "/revoke", revoke),
    Route("GET", "/tokeninfo", tokeninfo),
    Route("POST", "/tokeninfo", tokeninfo),
    Route("POST", "/_local/oauth-clients", make_client),
    Route("POST", "/_local/service-accounts", make_service_account),
    Route("POST", "/_local/domain-wide-delegation", delegate),
]
