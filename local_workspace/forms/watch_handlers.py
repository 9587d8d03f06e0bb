"""Forms v1 watches REST handlers: the invoking project is the caller's OAuth client (pubsub.state)."""

from __future__ import annotations

from .. import auth
from ..routing import ApiCall


def _project() -> str:
    caller = auth.current()
    assert caller is not None, "API handlers run with a caller"
    return caller.client_id


def create(ws, call: ApiCall, form_id: str) -> dict:
    return ws.watches.create(form_id, _project(), call.body or {})


def list_watches(ws, call: ApiCall, form_id: str) -> dict:
    return ws.watches.list_watches(form_id, _project())


def renew(ws, call: ApiCall, form_id: str, watch_id: str) -> dict:
    return ws.watches.renew(form_id, _project(), watch_id)


def delete(ws, call: ApiCall, form_id: str, watch_id: str) -> dict:
    ws.watches.delete(form_id, _project(), watch_id)
    return {}


def age_control(ws, request, form_id: str, watch_id: str):
    """/_local/forms/ID/watches/WATCH/age {"days": D, "hours": H}: the watch as if made (or last renewed)
    that long ago, so a test sees it near its expiry, or past it, without waiting a week."""
    import json
    from datetime import timedelta

    from werkzeug.wrappers import Response

    from ..errors import InvalidArgument

    try:
        body = json.loads(request.get_data() or b"{}")
        by = timedelta(days=float(body.get("days", 0)), hours=float(body.get("hours", 0)))
    except (ValueError, TypeError, AttributeError):
        raise InvalidArgument('Expected {"days": number, "hours": number}.') from None
    return Response(json.dumps(ws.watches.age(form_id, watch_id, by)), mimetype="application/json")
