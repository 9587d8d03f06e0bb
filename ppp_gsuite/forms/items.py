"""A filled-in FormSpec as the Forms API's Item JSON, with ids derived from the keys.

Ids are the first 8 hex digits of a hash of (spec, key): stable across runs and machines, so the
planner matches live items by id, and a prefilled link's entry number, int(questionId, 16), is known
before the form exists (docs/decisions.md §3).
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..specs.models import SUBMIT, FormSpec, Item, Section

REFERENCE_HELP = "This is filled in for you from the link in your email. Please leave it as it is."
LINK_CODE_HELP = (
    "This is filled in for you from the link in your email, and only your link has it. Please leave it "
    "as it is: it shows that these choices are yours."
)
CHOICE_KIND = {"single_choice": "RADIO", "multiple_choice": "CHECKBOX", "dropdown": "DROP_DOWN"}


def _hex_id(*parts: str) -> str:
    digest = hashlib.sha256("/".join(parts).encode()).hexdigest()
    # Forms ids are 8 hex digits; keep the top bit clear so int(id, 16) stays a positive int32 entry number.
    return f"{int(digest[:8], 16) & 0x7FFFFFFF:08x}"


def item_id(spec_name: str, key: str) -> str:
    return _hex_id(spec_name, key)


def question_id(spec_name: str, key: str) -> str:
    return _hex_id(spec_name, key, "q")


def section_id(spec_name: str, section_key: str) -> str:
    return _hex_id(spec_name, f"section:{section_key}")


def entry_number(qid: str) -> int:
    """The `entry.N` a prefilled link uses for this question."""
    return int(qid, 16)


def form_items(spec_name: str, spec: FormSpec) -> list[dict[str, Any]]:
    """Every item of the form in order; sections after the first open with a page break."""
    items = []
    for position, section in enumerate(spec.sections):
        if position:
            items.append(_page_break(spec_name, section))
        items.extend(_item(spec_name, item) for item in section.items)
    return items


def keyed_items(spec_name: str, spec: FormSpec) -> dict[str, str]:
    """itemId -> the key people know it by (sections as 'section:<key>')."""
    names = {}
    for position, section in enumerate(spec.sections):
        if position:
            names[section_id(spec_name, section.key)] = f"section:{section.key}"
        for item in section.items:
            names[item_id(spec_name, item.key)] = item.key
    return names


def _page_break(spec_name: str, section: Section) -> dict[str, Any]:
    return _described(
        {"itemId": section_id(spec_name, section.key), "title": section.title or "", "pageBreakItem": {}},
        section.help,
    )


def _described(body: dict[str, Any], description: str | None) -> dict[str, Any]:
    if description:
        body["description"] = description
    return body


def _item(spec_name: str, item: Item) -> dict[str, Any]:
    body: dict[str, Any] = {"itemId": item_id(spec_name, item.key), "title": item.title}
    if item.type == "text":
        body["textItem"] = {}
        return _described(body, item.help)
    question: dict[str, Any] = {"questionId": question_id(spec_name, item.key)}
    if item.required or item.type == "reference":
        question["required"] = True
    question.update(_question_kind(spec_name, item))
    body["questionItem"] = {"question": question}
    return _described(body, item.help or {"reference": REFERENCE_HELP, "link_code": LINK_CODE_HELP}.get(item.type))


def _question_kind(spec_name: str, item: Item) -> dict[str, Any]:
    if item.type in ("short_text", "reference", "link_code"):
        return {"textQuestion": {}}
    if item.type == "paragraph":
        return {"textQuestion": {"paragraph": True}}
    if item.type in CHOICE_KIND:
        return {
            "choiceQuestion": {
                "type": CHOICE_KIND[item.type],
                "options": [_option(spec_name, choice.label, choice.go_to) for choice in item.choices or ()],
            }
        }
    if item.type == "scale":
        scale: dict[str, Any] = {"low": item.low if item.low is not None else 1, "high": item.high}
        if item.low_label:
            scale["lowLabel"] = item.low_label
        if item.high_label:
            scale["highLabel"] = item.high_label
        return {"scaleQuestion": scale}
    if item.type == "date":
        date: dict[str, bool] = {}
        if item.include_year:
            date["includeYear"] = True
        if item.include_time:
            date["includeTime"] = True
        return {"dateQuestion": date}
    if item.type == "time":
        return {"timeQuestion": {}}
    raise AssertionError(f"unhandled item type {item.type}")


def _option(spec_name: str, label: str, go_to: str | None) -> dict[str, Any]:
    option = {"value": label}
    if go_to == SUBMIT:
        option["goToAction"] = "SUBMIT_FORM"
    elif go_to:
        option["goToSectionId"] = section_id(spec_name, go_to)
    return option


def normalise(value: Any) -> Any:
    """Drop what Google leaves out of its answers (false, empty text) so equal items compare equal."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items() if v not in (False, None, "")}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value
