"""Forms v1 REST handlers: parse, call the state, serialise."""

from __future__ import annotations

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
    reply = ws.forms.batch_update(form_id, call.body or {})
    if "form" in reply:
        _with_uri(reply["form"], call)
    return reply


def set_publish_settings(ws, call: ApiCall, form_id: str) -> dict:
    return ws.forms.set_publish_settings(form_id, call.body or {})


def responses_list(ws, call: ApiCall, form_id: str) -> dict:
    return ws.forms.list_responses(form_id, call.integer("pageSize"), call.params.get("pageToken"),
                                   call.params.get("filter"))


def responses_get(ws, call: ApiCall, form_id: str, response_id: str) -> dict:
    return ws.forms.get_response(form_id, response_id)
