"""Forms v1 REST handlers: parse, call the state, serialise."""

from __future__ import annotations

import json

from ..faults import SUBSTITUTE_IDS
from ..routing import ApiCall


def responder_uri(base_url: str, form_id: str) -> str:
    return f"{base_url}/forms/d/e/{form_id}/viewform"


def _with_uri(form: dict, call: ApiCall) -> dict:
    form["responderUri"] = responder_uri(call.base_url, form["formId"])
    return form


def create(ws, call: ApiCall) -> dict:
    return _with_uri(ws.forms.create(call.body or {}, unpublished=call.flag("unpublished")), call)


def get(ws, call: ApiCall, form_id: str) -> dict:
    return _with_uri(ws.forms.get(form_id), call)


def batch_update(ws, call: ApiCall, form_id: str) -> dict:
    body = call.body or {}
    if call.request.environ.get(SUBSTITUTE_IDS):
        body = _without_created_ids(body)
    reply = ws.forms.batch_update(form_id, body)
    if "form" in reply:
        _with_uri(reply["form"], call)
    return reply


def set_publish_settings(ws, call: ApiCall, form_id: str) -> dict:
    return ws.forms.set_publish_settings(form_id, call.body or {})


def responses_list(ws, call: ApiCall, form_id: str) -> dict:
    return ws.forms.list_responses(
        form_id, call.integer("pageSize"), call.params.get("pageToken"), call.params.get("filter")
    )


def responses_get(ws, call: ApiCall, form_id: str, response_id: str) -> dict:
    return ws.forms.get_response(form_id, response_id)


def _without_created_ids(body: dict) -> dict:
    """The batch as if every createItem had left its ids to the server (the substitute_ids fault)."""
    body = json.loads(json.dumps(body))
    for request in body.get("requests") or []:
        item = (request.get("createItem") or {}).get("item") or {}
        item.pop("itemId", None)
        questions = [(item.get("questionItem") or {}).get("question") or {}]
        questions += (item.get("questionGroupItem") or {}).get("questions") or []
        for question in questions:
            question.pop("questionId", None)
    return body
