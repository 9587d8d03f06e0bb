"""Gmail v1 REST handlers: parse, call the state, serialise."""

from __future__ import annotations

from werkzeug.wrappers import Request

from ..errors import InvalidArgument, PermissionDenied
from ..routing import ApiCall


def users_messages_send(ws, call: ApiCall, user_id: str) -> dict:
    _check_user(user_id)
    return ws.gmail.send(call.body or {})


def users_settings_send_as_list(ws, call: ApiCall, user_id: str) -> dict:
    _check_user(user_id)
    return ws.gmail.send_as_list()


def users_messages_send_upload(ws, request: Request, user_id: str):
    """A media upload: Gmail takes it; this stand-in refuses it (stricter than Google), so a client that
    sends mail as an upload (googleapiclient's media_body, which may re-send) fails here, not on Google."""
    raise InvalidArgument(
        "The local workspace accepts users.messages.send only as a JSON body "
        '{"raw": base64url RFC 2822}, not as a media upload.'
    )


def _check_user(user_id: str) -> None:
    if user_id != "me" and "@" not in user_id:
        raise PermissionDenied(f"Delegation denied for {user_id}")
