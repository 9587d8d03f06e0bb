"""The responder's web pages: a published form, one section a page, all state in the POST.

Each page carries every answer so far in hidden `entry.N` fields and the sections visited
in `pageHistory`, so Back and Next need nothing kept on the server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from ..errors import NotFound
from . import autofill, responder
from .responder import END

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent), autoescape=True, trim_blocks=True, lstrip_blocks=True
)
EMAIL_FIELD = "emailAddress"
CLEAR_FIELD = "clearSelection"  # the question whose "Clear selection" button was pressed


def viewform(ws, request: Request, form_id: str) -> Response:
    form, refusal = _open_form(ws, form_id)
    if refusal:
        return refusal
    answers = responder.read_answers(form, request.args)
    email = request.args.get(EMAIL_FIELD, "")
    return _form_page(form, [0], answers, {}, email)


def form_response_get(ws, request: Request, form_id: str) -> Response:
    """A GET on formResponse (a reloaded or bookmarked thank-you page) shows the form's first page
    rather than an API error: answers come only from the form's own POST."""
    return viewform(ws, request, form_id)


def form_response(ws, request: Request, form_id: str) -> Response:
    form, refusal = _open_form(ws, form_id)
    if refusal:
        return refusal
    posted = request.form
    all_sections = responder.sections(form)
    answers = responder.read_answers(form, posted)
    email = posted.get(EMAIL_FIELD, "").strip()
    history = _read_history(posted.get("pageHistory", "0"), len(all_sections))
    current = history[-1]
    action = posted.get("navigate", "submit")

    if action == "back":
        return _form_page(form, history[:-1] or [0], answers, {}, email)
    if posted.get(CLEAR_FIELD):  # "Clear selection" on an optional choice: the same page, without that answer
        answers.pop(posted[CLEAR_FIELD], None)
        return _form_page(form, history, answers, {}, email)

    errors = {} if current == END else responder.validate(all_sections[current].items, answers)
    if current == 0:
        errors.update(_email_errors(form, email))
    if errors:
        return _form_page(form, history, answers, errors, email, status=400)

    following = current if current == END else responder.next_section(all_sections, current, answers)
    if current != END and following != END:
        return _form_page(form, history + [following], answers, {}, email)
    if action == "next" and current != END:
        return _form_page(form, history + [END], answers, {}, email)

    for index in history:  # a hand-made POST may skip pages: check every visited section
        if index == END:
            continue
        missed = responder.validate(all_sections[index].items, answers)
        if missed:
            return _form_page(form, history[: history.index(index) + 1], answers, missed, email, status=400)
    response: dict[str, Any] = {"answers": responder.response_answers(form, history, answers)}
    if email:
        response["respondentEmail"] = email
    ws.forms.add_response(form_id, response)
    title = form["info"].get("title", "")
    return _message(
        title,
        "Your response has been recorded.",
        f"Thank you for answering {title}." if title else "Thank you.",
        "If the organisation sends confirmation emails, one will follow separately. You can close this page.",
        index_link=True,
    )


def _open_form(ws, form_id: str):
    """The form, or the page a responder sees instead (not found, no access, closed)."""
    try:
        form = ws.forms.load_for_page(form_id)
    except NotFound:
        form = None
    state = (form or {}).get("publishSettings", {}).get("publishState", {})
    if form is None or not state.get("isPublished"):
        return None, _message(
            "Page not found",
            "Sorry, the file you have requested does not exist.",
            "Make sure that you have the correct URL and that the form is published.",
            status=404,
        )
    title = form["info"].get("title", "")
    if not ws.drive.has_published_view(form_id):
        return None, _message(
            title,
            "You need permission",
            "This form can only be answered by people it has been shared with. "
            "The form owner must share it with anyone who has the link.",
            status=403,
        )
    if not state.get("isAcceptingResponses"):
        return None, _message(
            title,
            f"{title} is closed",
            f"The form {title} is no longer accepting responses. Try contacting the "
            "owner of the form if you think this is a mistake.",
        )
    if form.get("settings", {}).get("emailCollectionType") == "VERIFIED":
        return None, _message(
            title,
            "Sign in to continue",
            "This form collects verified email addresses, so responders must sign in "
            "with a Google account. The local workspace cannot sign anyone in: the form "
            "should set emailCollectionType to DO_NOT_COLLECT.",
            status=403,
        )
    return form, None


def _read_history(text: str, section_count: int) -> list[int]:
    history = []
    for part in text.split(","):
        part = part.strip()
        if part.lstrip("-").isdigit() and (int(part) == END or 0 <= int(part) < section_count):
            history.append(int(part))
    return history or [0]


def _email_errors(form: dict, email: str) -> dict:
    if form.get("settings", {}).get("emailCollectionType") != "RESPONDER_INPUT":
        return {}
    if "@" not in email:
        return {EMAIL_FIELD: "Enter your email address, like name@example.org"}
    return {}


def _form_page(form: dict, history: list[int], answers: dict, errors: dict, email: str, status: int = 200) -> Response:
    all_sections = responder.sections(form)
    current = history[-1]
    section = None if current == END else all_sections[current]
    shown = {q["questionId"] for _, q in responder.questions(section.items)} if section else set()
    hidden: MultiDict[str, str] = MultiDict()
    for question_id, values in answers.items():
        if question_id not in shown:
            for value in values:
                hidden.add(responder.entry_name(question_id), value)
    is_last = current == END or responder.next_section(all_sections, current, {}) == END
    asks_email = form.get("settings", {}).get("emailCollectionType") == "RESPONDER_INPUT"
    blocks = [_block(item, answers, errors) for item in (section.items if section else [])]
    html = _templates.get_template("form_page.html").render(
        form=form,
        section=section,
        first=current == 0,
        blocks=blocks,
        errors=errors,
        summary=_error_summary(blocks, errors),
        email=email,
        ask_email=asks_email and current == 0,
        carry_email=asks_email and current != 0,
        hidden=list(hidden.items(multi=True)),
        history=",".join(str(i) for i in history),
        can_go_back=len(history) > 1,
        is_last=is_last,
        clear_field=CLEAR_FIELD,
        entry_name=responder.entry_name,
        required_message=responder.REQUIRED,
    )
    return Response(html, status=status, mimetype="text/html")


def _error_summary(blocks: list[dict], errors: dict) -> list[tuple[str, str]]:
    """(anchor, text) per error, naming the question and linking to its first input."""
    summary, named = [], set()
    if errors.get(EMAIL_FIELD):
        summary.append(("email", f"Email: {errors[EMAIL_FIELD]}"))
        named.add(EMAIL_FIELD)
    for block in blocks:
        for view in block.get("rows") or ([block] if "question_id" in block else []):
            if view.get("error"):
                first_input = view["dom_id"] + ("-0" if view["kind"] in ("radio", "checkbox", "scale") else "")
                title = view["title"].rstrip()
                joiner = " " if title.endswith(("?", "!", ".", ":")) else ": "
                summary.append((first_input, f"{title}{joiner}{view['error']}"))
                named.add(view["question_id"])
    summary += [("main", message) for key, message in errors.items() if key not in named]  # not expected
    return summary


def _block(item: dict, answers: dict, errors: dict) -> dict:
    """What the template needs to draw one item."""
    block = {"item": item, "title": item.get("title", ""), "description": item.get("description", "")}
    if item.get("textItem") is not None:
        block["kind"] = "text"
        return block
    rows = responder.questions([item])
    if item.get("questionGroupItem"):
        columns = item["questionGroupItem"].get("grid", {}).get("columns", {})
        block["kind"] = "group"
        block["rows"] = [_question(item, q, answers, errors, columns) for _, q in rows]
        return block
    block.update(_question(item, rows[0][1], answers, errors, None))
    return block


def _question(item: dict, question: dict, answers: dict, errors: dict, columns: dict | None) -> dict:
    qid = question["questionId"]
    view = {
        "question_id": qid,
        "name": responder.entry_name(qid),
        "dom_id": f"q-{qid}",
        "title": (question.get("rowQuestion") or {}).get("title", item.get("title", "")),
        "required": bool(question.get("required")),
        "answer_values": answers.get(qid, []),
        "error": errors.get(qid),
    }
    choice = question.get("choiceQuestion") or columns
    if choice:
        kinds = {"RADIO": "radio", "CHECKBOX": "checkbox", "DROP_DOWN": "dropdown"}
        view["kind"] = kinds.get(choice.get("type", ""), "radio")
        view["options"] = [o.get("value", "") for o in choice.get("options") or [] if not o.get("isOther")]
    elif question.get("scaleQuestion") is not None:
        scale = question["scaleQuestion"]
        view.update(
            kind="scale",
            options=[str(n) for n in range(scale.get("low", 0), scale.get("high", 0) + 1)],
            low_label=scale.get("lowLabel", ""),
            high_label=scale.get("highLabel", ""),
        )
    elif question.get("ratingQuestion") is not None:
        levels = question["ratingQuestion"].get("ratingScaleLevel", 5)
        view.update(kind="scale", options=[str(n) for n in range(1, levels + 1)], low_label="", high_label="")
    elif question.get("dateQuestion") is not None:
        view["kind"] = "datetime" if question["dateQuestion"].get("includeTime") else "date"
    elif question.get("timeQuestion") is not None:
        view["kind"] = "time"
    elif (question.get("textQuestion") or {}).get("paragraph"):
        view.update(kind="paragraph", autofill=autofill.purpose(view["title"]))
    else:
        view.update(kind="short_text", autofill=autofill.purpose(view["title"]))
    return view


def _message(title: str, heading: str, *paragraphs: str, status: int = 200, index_link: bool = False) -> Response:
    html = _templates.get_template("message_page.html").render(
        title=title, heading=heading, paragraphs=paragraphs, index_link=index_link
    )
    return Response(html, status=status, mimetype="text/html")
