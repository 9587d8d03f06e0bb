"""Pub/Sub v1 REST handlers: parse, call the state, serialise. The caller's project is its OAuth client's."""

from __future__ import annotations

from .. import auth
from ..routing import ApiCall


def _project() -> str:
    caller = auth.current()
    assert caller is not None, "API handlers run with a caller"
    return caller.client_id


def create_topic(ws, call: ApiCall, project: str, topic: str) -> dict:
    return ws.pubsub.create_topic(f"projects/{project}/topics/{topic}", _project(), call.body)


def create_subscription(ws, call: ApiCall, project: str, subscription: str) -> dict:
    return ws.pubsub.create_subscription(f"projects/{project}/subscriptions/{subscription}", _project(), call.body)


def pull(ws, call: ApiCall, project: str, subscription: str) -> dict:
    body = call.body or {}
    return ws.pubsub.pull(f"projects/{project}/subscriptions/{subscription}", _project(), body.get("maxMessages"))


def acknowledge(ws, call: ApiCall, project: str, subscription: str) -> dict:
    body = call.body or {}
    name = f"projects/{project}/subscriptions/{subscription}"
    return ws.pubsub.acknowledge(name, _project(), list(body.get("ackIds") or []))


def modify_ack_deadline(ws, call: ApiCall, project: str, subscription: str) -> dict:
    body = call.body or {}
    name = f"projects/{project}/subscriptions/{subscription}"
    return ws.pubsub.modify_ack_deadline(
        name, _project(), list(body.get("ackIds") or []), body.get("ackDeadlineSeconds")
    )


def ack_deadlines_pass_control(ws, request):
    """/_local/pubsub/ack-deadlines-pass: messages pulled and not acknowledged are delivered again; with
    {"seconds": N}, as N seconds later (a lease longer than that still holds)."""
    import json

    from werkzeug.wrappers import Response

    seconds = (request.get_json(silent=True) or {}).get("seconds")
    return Response(json.dumps({"redelivered": ws.pubsub.ack_deadlines_pass(seconds)}), mimetype="application/json")
