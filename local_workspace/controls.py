"""Test controls under the reserved /_local/ prefix (never part of Google's APIs)."""

from __future__ import annotations

import json

from werkzeug.wrappers import Request, Response

from .errors import InvalidArgument
from .routing import Route, control_body


def _json(value, status: int = 200) -> Response:
    return Response(json.dumps(value), status=status, mimetype="application/json")


def reset(ws, request: Request) -> Response:
    ws.store.reset()
    ws.faults.clear()
    ws.quotas.reset()
    return _json({})


def add_response(ws, request: Request, form_id: str) -> Response:
    return _json(ws.forms.add_response(form_id, control_body(request)))


def add_responses(ws, request: Request, form_id: str) -> Response:
    """{"responses": [...]}: many at once, in one transaction (a benchmark seeds 100,000); each is checked
    as one added alone is, and none is kept if one is refused."""
    given = control_body(request).get("responses")
    if not isinstance(given, list):
        raise InvalidArgument("responses: a list of responses")
    with ws.store.transaction():
        added = [ws.forms.add_response(form_id, response) for response in given]
    return _json({"responseIds": [response["responseId"] for response in added]})


def edit_response(ws, request: Request, form_id: str, response_id: str) -> Response:
    return _json(ws.forms.edit_response(form_id, response_id, control_body(request)))


def forbid_anyone(ws, request: Request) -> Response:
    """Toggle (or, with {"forbid": bool}, set) an organisation policy refusing `anyone` sharing."""
    body = control_body(request)
    forbidden = bool(body["forbid"]) if "forbid" in body else not ws.drive.anyone_forbidden()
    ws.drive.forbid_anyone(forbidden)
    return _json({"forbidAnyone": forbidden})


def _strings(body: dict, key: str, nullable: bool = False) -> list[str] | None:
    value = body[key]
    if value is None and nullable:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidArgument(f"{key} must be a list of strings" + (" or null." if nullable else "."))
    return value


def organisation_policy(ws, request: Request) -> Response:
    """The organisation's Drive sharing policy: {"defaultVisibility": "none" | "domainWithLink",
    "linkSharing": "allowed" | "forbidden", "allowedSharingDomains": null (sharing outside the
    organisation on) | [domains besides its own], "addressesWithoutGoogleAccount": [addresses]};
    any may be left out (unchanged). Answers the policy."""
    body = control_body(request)
    if "allowedSharingDomains" in body:
        ws.drive.set_allowed_sharing_domains(_strings(body, "allowedSharingDomains", nullable=True))
    if "addressesWithoutGoogleAccount" in body:
        ws.drive.set_addresses_without_google_account(_strings(body, "addressesWithoutGoogleAccount"))
    if "defaultVisibility" in body:
        ws.drive.set_default_visibility(body["defaultVisibility"])
    if "linkSharing" in body:
        if body["linkSharing"] not in ("allowed", "forbidden"):
            raise InvalidArgument("linkSharing must be allowed or forbidden.")
        ws.drive.forbid_anyone(body["linkSharing"] == "forbidden")
    return _json(
        {
            "defaultVisibility": ws.drive.default_visibility(),
            "linkSharing": "forbidden" if ws.drive.anyone_forbidden() else "allowed",
            "allowedSharingDomains": ws.drive.allowed_sharing_domains(),
            "addressesWithoutGoogleAccount": ws.drive.addresses_without_google_account(),
        }
    )


def issue_token(ws, request: Request) -> Response:
    """An access token for {"user", "client_id", "scopes": [...]}, as Google's token endpoint answers it.

    Scopes may be written short ("drive.file") or in full; the token is shown once, here, and
    stored only hashed."""
    body = control_body(request)
    missing = [key for key in ("user", "client_id", "scopes") if not body.get(key)]
    if missing:
        raise InvalidArgument("A token needs " + ", ".join(missing) + ".")
    if not isinstance(body["scopes"], list) or not all(isinstance(s, str) for s in body["scopes"]):
        raise InvalidArgument("scopes must be a list of strings.")
    return _json(ws.tokens.issue(str(body["user"]), str(body["client_id"]), body["scopes"]))


def gmail_messages(ws, request: Request) -> Response:
    return _json({"messages": ws.gmail.messages()})


def send_as(ws, request: Request) -> Response:
    """A Gmail account's verified send-as aliases: GET them (?account=, default the workspace's owner),
    or PUT {"aliases": [...], "account": optional}."""
    if request.method == "PUT":
        body = control_body(request)
        account = body.get("account") or ws.gmail.owner_email
        return _json({"account": account, "aliases": ws.gmail.set_aliases(body.get("aliases"), account)})
    account = request.args.get("account") or ws.gmail.owner_email
    return _json({"account": account, "aliases": ws.gmail.aliases(account)})


def requests_log(ws, request: Request) -> Response:
    return _json({"requests": ws.store.logged_requests()})


ROUTES = [
    Route("POST", "/_local/reset", reset),
    Route("POST", "/_local/forms/<id:form_id>/responses", add_response),
    Route("POST", "/_local/forms/<id:form_id>/responses/batch", add_responses),
    Route("PUT", "/_local/forms/<id:form_id>/responses/<id:response_id>", edit_response),
    Route("POST", "/_local/drive/forbid-anyone", forbid_anyone),
    Route("POST", "/_local/drive/organisation-policy", organisation_policy),
    Route("GET", "/_local/requests", requests_log),
    Route("POST", "/_local/tokens", issue_token),
    Route("GET", "/_local/gmail/messages", gmail_messages),
    Route("GET", "/_local/gmail/send-as", send_as),
    Route("PUT", "/_local/gmail/send-as", send_as),
]
