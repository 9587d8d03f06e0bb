"""Forms v1: forms, their items and responses; models and rules, no HTTP."""

from __future__ import annotations

import base64
import copy
import json
import re
from collections.abc import Callable
from typing import Any

from .. import discovery, ids, timestamps
from ..drive.state import FORM_MIME, DriveState
from ..errors import FailedPrecondition, InvalidArgument, NotFound
from ..store import Store
from . import items as item_rules

MAX_PAGE_SIZE = 5000
DEFAULT_EMAIL_COLLECTION = "VERIFIED"  # a Workspace owner's default (Forms API: FormSettings.emailCollectionType)
_FILTER = re.compile(r"\s*timestamp\s*(>=|>)\s*(\S+)\s*\Z")


def not_found() -> NotFound:
    return NotFound("Requested entity was not found.")


class FormsState:
    def __init__(self, store: Store, drive: DriveState):
        self.store = store
        self.drive = drive
        # (form id, "RESPONSES" or "SCHEMA") after a change: the workspace publishes to the form's watches
        self.on_change: Callable[[str, str], object] = lambda form_id, event_type: None

    # forms

    def create(self, body: dict, unpublished: bool) -> dict:
        allowed = {"info": {"title", "documentTitle"}}
        extra = [k for k in body if k not in allowed]
        extra += [f"info.{k}" for k in (body.get("info") or {}) if k not in allowed["info"]]
        if extra:
            raise InvalidArgument(
                "Only info.title and info.document_title can be set when creating a "
                f"form; use forms.batchUpdate for the rest (got {', '.join(extra)})."
            )
        info = dict(body.get("info") or {})
        title = info.get("title", "")
        info["documentTitle"] = info.get("documentTitle") or title or "Untitled form"
        published = not unpublished
        with self.store.transaction() as db:
            file = self.drive.create_file({"name": info["documentTitle"], "mimeType": FORM_MIME}, trusted=True)
            form = {
                "formId": file["id"],
                "info": info,
                "settings": {"emailCollectionType": DEFAULT_EMAIL_COLLECTION},
                "revisionId": _revision(1),
                "publishSettings": {"publishState": {"isPublished": published, "isAcceptingResponses": published}},
                "items": [],
            }
            db.execute("INSERT INTO forms (id, form) VALUES (?, ?)", (form["formId"], json.dumps(form)))
        return self._public(form)

    def get(self, form_id: str) -> dict:
        return self._public(self._load(form_id))

    def batch_update(self, form_id: str, body: dict) -> dict:
        with self.store.transaction() as db:
            form = self._load(form_id)
            required = (body.get("writeControl") or {}).get("requiredRevisionId")
            if required and required != form["revisionId"]:
                raise FailedPrecondition(
                    f"The revision ID {required!r} is not the latest revision of the form ({form['revisionId']})."
                )
            requests = body.get("requests") or []
            if not requests:
                raise InvalidArgument("requests: at least one request is required.")
            replies = [self._apply(form, request, f"requests[{n}]") for n, request in enumerate(requests)]
            item_rules.check_navigation(form["items"])
            form["revisionId"] = _revision(int(form["revisionId"]) + 1)
            self._save(db, form)
        self.on_change(form_id, "SCHEMA")
        reply = {"replies": replies, "writeControl": {"requiredRevisionId": form["revisionId"]}}
        if body.get("includeFormInResponse"):
            reply["form"] = self._public(form)
        return reply

    def set_publish_settings(self, form_id: str, body: dict) -> dict:
        mask = body.get("updateMask") or "*"
        if mask not in ("*", "publishState", "publish_state"):
            raise InvalidArgument(f"updateMask: {mask!r} is not one of publishState, *.")
        state = (body.get("publishSettings") or {}).get("publishState")
        if not state or "isPublished" not in state or "isAcceptingResponses" not in state:
            raise InvalidArgument(
                "publishSettings.publishState: both isPublished and isAcceptingResponses must be set."
            )
        if state["isAcceptingResponses"] and not state["isPublished"]:
            raise InvalidArgument(
                "publishSettings.publishState: a form cannot accept responses while it is not published."
            )
        with self.store.transaction() as db:
            form = self._load(form_id)
            form["publishSettings"] = {
                "publishState": {
                    "isPublished": bool(state["isPublished"]),
                    "isAcceptingResponses": bool(state["isAcceptingResponses"]),
                }
            }
            self._save(db, form)
        self.on_change(form_id, "SCHEMA")
        return {"formId": form_id, "publishSettings": form["publishSettings"]}

    # responses

    def list_responses(
        self, form_id: str, page_size: int | None = None, page_token: str | None = None, filter_text: str | None = None
    ) -> dict:
        self._load(form_id)
        keep = _compile_filter(filter_text)
        if page_size is not None and page_size < 0:
            raise InvalidArgument("pageSize: must not be negative.")
        size = min(page_size or MAX_PAGE_SIZE, MAX_PAGE_SIZE)
        start = _read_token(page_token, filter_text)
        matching = [r for r in self._responses(form_id) if keep(r)]
        page = []
        for response in matching[start : start + size]:
            response = dict(response)
            response.pop("formId", None)  # Google leaves formId out of list results
            page.append(response)
        result: dict[str, Any] = {}
        if page:
            result["responses"] = page
        if start + size < len(matching):
            result["nextPageToken"] = _make_token(start + size, filter_text)
        return result

    def get_response(self, form_id: str, response_id: str) -> dict:
        self._load(form_id)
        with self.store.transaction() as db:
            row = db.execute(
                "SELECT response FROM responses WHERE form_id = ? AND id = ?", (form_id, response_id)
            ).fetchone()
        if row is None:
            raise not_found()
        return json.loads(row["response"])

    def add_response(self, form_id: str, given: dict) -> dict:
        """Store a submitted response (from the web page or the /_local control)."""
        problems = discovery.check_schema("forms", "FormResponse", given)
        if problems:
            raise InvalidArgument("Invalid response: " + "; ".join(problems))
        form = self._load(form_id)
        moment = timestamps.format_time(timestamps.now())
        response = {
            "formId": form_id,
            "responseId": given.get("responseId") or ids.new_response_id(),
            "createTime": given.get("createTime") or given.get("lastSubmittedTime") or moment,
        }
        response["lastSubmittedTime"] = given.get("lastSubmittedTime") or response["createTime"]
        if given.get("respondentEmail"):
            response["respondentEmail"] = given["respondentEmail"]
        response["answers"] = _checked_answers(form, given.get("answers") or {})
        with self.store.transaction() as db:
            if db.execute(
                "SELECT 1 FROM responses WHERE form_id = ? AND id = ?", (form_id, response["responseId"])
            ).fetchone():
                raise InvalidArgument(f"responseId {response['responseId']!r} already exists.")
            db.execute(
                "INSERT INTO responses (form_id, id, response) VALUES (?, ?, ?)",
                (form_id, response["responseId"], json.dumps(response)),
            )
        self.on_change(form_id, "RESPONSES")
        return response

    def edit_response(self, form_id: str, response_id: str, changes: dict) -> dict:
        """A respondent's edit: new answers replace the old, lastSubmittedTime moves forward."""
        problems = discovery.check_schema("forms", "FormResponse", changes)
        if problems:
            raise InvalidArgument("Invalid response: " + "; ".join(problems))
        with self.store.transaction() as db:
            form = self._load(form_id)
            response = self.get_response(form_id, response_id)
            if "answers" in changes:
                response["answers"] = _checked_answers(form, changes["answers"] or {})
            if changes.get("respondentEmail"):
                response["respondentEmail"] = changes["respondentEmail"]
            if changes.get("lastSubmittedTime"):
                response["lastSubmittedTime"] = changes["lastSubmittedTime"]
            else:
                moment = timestamps.later_than(response["lastSubmittedTime"], timestamps.now())
                response["lastSubmittedTime"] = timestamps.format_time(moment)
            db.execute(
                "UPDATE responses SET response = ? WHERE form_id = ? AND id = ?",
                (json.dumps(response), form_id, response_id),
            )
        self.on_change(form_id, "RESPONSES")
        return response

    # storage

    def load_for_page(self, form_id: str) -> dict:
        """The stored form with its publish state, for the responder's web page."""
        return self._load(form_id)

    def _load(self, form_id: str) -> dict:
        with self.store.transaction() as db:
            row = db.execute("SELECT form FROM forms WHERE id = ?", (form_id,)).fetchone()
        if row is None:
            raise not_found()
        return json.loads(row["form"])

    def _save(self, db, form: dict) -> None:
        db.execute("UPDATE forms SET form = ? WHERE id = ?", (json.dumps(form), form["formId"]))

    def _responses(self, form_id: str) -> list[dict]:
        with self.store.transaction() as db:
            rows = db.execute("SELECT response FROM responses WHERE form_id = ? ORDER BY seq", (form_id,)).fetchall()
        return [json.loads(r["response"]) for r in rows]

    def _public(self, form: dict) -> dict:
        """The form as forms.get returns it: Drive's name as documentTitle, no empty lists."""
        form = copy.deepcopy(form)
        try:
            form["info"]["documentTitle"] = self.drive.get_file(form["formId"])["name"]
        except NotFound:
            pass
        if not form.get("items"):
            form.pop("items", None)
        return form

    # batchUpdate requests

    def _apply(self, form: dict, request: dict, path: str) -> dict:
        kinds = [k for k, v in request.items() if v is not None]
        if len(kinds) != 1:
            raise InvalidArgument(f"{path}: exactly one request kind must be set (got {', '.join(kinds) or 'none'}).")
        kind = kinds[0]
        handler = {
            "updateFormInfo": self._update_form_info,
            "updateSettings": self._update_settings,
            "createItem": item_rules.create_item,
            "updateItem": item_rules.update_item,
            "deleteItem": item_rules.delete_item,
            "moveItem": item_rules.move_item,
        }.get(kind)
        if handler is None:
            raise InvalidArgument(f"{path}.{kind}: not supported by the local workspace.")
        return handler(form, request[kind], f"{path}.{kind}")

    @staticmethod
    def _update_form_info(form: dict, request: dict, path: str) -> dict:
        paths = item_rules.mask_paths(request.get("updateMask"), path)
        if paths == ["*"]:
            paths = ["title", "description"]
        for field in paths:
            if field not in ("title", "description"):
                raise InvalidArgument(f"{path}.updateMask: {field!r} cannot be updated (title and description can).")
            value = (request.get("info") or {}).get(field)
            if value is None:
                form["info"].pop(field, None)
            else:
                form["info"][field] = value
        return {}

    @staticmethod
    def _update_settings(form: dict, request: dict, path: str) -> dict:
        paths = item_rules.mask_paths(request.get("updateMask"), path)
        if paths == ["*"]:
            paths = ["emailCollectionType", "quizSettings"]
        settings = request.get("settings") or {}
        for field in paths:
            if field not in ("emailCollectionType", "quizSettings", "quizSettings.isQuiz"):
                raise InvalidArgument(f"{path}.updateMask: {field!r} is not a settings field.")
            item_rules.copy_path(settings, form.setdefault("settings", {}), field)
        return {}


def _checked_answers(form: dict, answers: dict) -> dict:
    questions = item_rules.question_ids(form["items"])
    checked = {}
    for question_id, answer in answers.items():
        if question_id not in questions:
            raise InvalidArgument(f"answers: {question_id!r} is not a question of this form.")
        answer = dict(answer)
        answer["questionId"] = question_id
        checked[question_id] = answer
    return checked


def _compile_filter(text: str | None):
    if not text:
        return lambda response: True
    match = _FILTER.match(text)
    if not match:
        raise InvalidArgument(
            f"filter: {text!r} is not supported; use 'timestamp > T' or 'timestamp >= T' with T in RFC 3339 UTC."
        )
    op, when = match.groups()
    try:
        bound = timestamps.parse_time(when, zulu_only=True)
    except ValueError:
        raise InvalidArgument(
            f"filter: {when!r} is not an RFC 3339 UTC timestamp such as 2026-01-01T00:00:00Z."
        ) from None
    if op == ">":
        return lambda r: timestamps.parse_time(r["lastSubmittedTime"]) > bound
    return lambda r: timestamps.parse_time(r["lastSubmittedTime"]) >= bound


def _make_token(offset: int, filter_text: str | None) -> str:
    raw = json.dumps({"offset": offset, "filter": filter_text or ""})
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _read_token(token: str | None, filter_text: str | None) -> int:
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = int(data["offset"])
    except (ValueError, KeyError, TypeError):
        raise InvalidArgument("pageToken: not a token this server issued.") from None
    if data.get("filter") != (filter_text or ""):
        raise InvalidArgument("pageToken: the filter must be the same as for the original request.")
    return offset


def _revision(number: int) -> str:
    return f"{number:08d}"
