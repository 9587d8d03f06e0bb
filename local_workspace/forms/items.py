"""Rules for a form's items: the createItem/updateItem/deleteItem/moveItem requests."""

from __future__ import annotations

import copy
import re

from .. import ids
from ..errors import InvalidArgument

ITEM_KINDS = ("questionItem", "questionGroupItem", "pageBreakItem", "textItem", "imageItem", "videoItem")
QUESTION_KINDS = (
    "choiceQuestion",
    "textQuestion",
    "scaleQuestion",
    "dateQuestion",
    "timeQuestion",
    "ratingQuestion",
    "fileUploadQuestion",
    "rowQuestion",
)
_HEX = re.compile(r"[0-9a-f]{1,8}\Z")


# requests


def create_item(form: dict, request: dict, path: str) -> dict:
    items = form["items"]
    index = _index(request.get("location"), len(items) + 1, f"{path}.location")
    item = copy.deepcopy(request.get("item") or {})
    check_item(item, f"{path}.item")
    taken_items, taken_questions = item_ids(items), question_ids(items)
    _assign_ids(item, taken_items, taken_questions, f"{path}.item")
    _check_jumps(item, items, f"{path}.item")
    items.insert(index, item)
    return {"createItem": {"itemId": item["itemId"], "questionId": list(_questions_of(item))}}


def update_item(form: dict, request: dict, path: str) -> dict:
    items = form["items"]
    index = _index(request.get("location"), len(items), f"{path}.location")
    given = request.get("item") or {}
    paths = mask_paths(request.get("updateMask"), path)
    current = items[index]
    if paths == ["*"]:
        updated = copy.deepcopy(given)
    else:
        updated = copy.deepcopy(current)
        for field in paths:
            copy_path(given, updated, field)
    others = items[:index] + items[index + 1 :]
    if paths != ["*"] and "itemId" not in paths:
        updated["itemId"] = current["itemId"]
    check_item(updated, f"{path}.item")
    if paths != ["*"]:
        _keep_question_ids(current, updated)
    # An id left blank while in the mask is newly assigned, as Google does.
    _assign_ids(updated, item_ids(others), question_ids(others), f"{path}.item")
    _check_jumps(updated, others, f"{path}.item")
    items[index] = updated
    return {}


def delete_item(form: dict, request: dict, path: str) -> dict:
    items = form["items"]
    index = _index(request.get("location"), len(items), f"{path}.location")
    items.pop(index)
    return {}


def move_item(form: dict, request: dict, path: str) -> dict:
    items = form["items"]
    original = _index(request.get("originalLocation"), len(items), f"{path}.originalLocation")
    target = _index(request.get("newLocation"), len(items), f"{path}.newLocation")
    items.insert(target, items.pop(original))
    return {}


# checks


def check_item(item: dict, path: str) -> None:
    kinds = [k for k in ITEM_KINDS if item.get(k) is not None]
    if len(kinds) != 1:
        raise InvalidArgument(
            f"{path}: an item needs exactly one kind of {', '.join(ITEM_KINDS)} (got {', '.join(kinds) or 'none'})."
        )
    for name in ("itemId",):
        if item.get(name) and not _HEX.match(item[name]):
            raise InvalidArgument(f"{path}.{name}: {item[name]!r} is not a valid id (1 to 8 hex digits).")
    if kinds[0] in ("imageItem", "videoItem"):
        raise InvalidArgument(f"{path}.{kinds[0]}: not supported by the local workspace.")
    if kinds[0] == "questionItem":
        question = (item["questionItem"] or {}).get("question")
        if not question:
            raise InvalidArgument(f"{path}.questionItem.question: required.")
        _check_question(question, f"{path}.questionItem.question")
    if kinds[0] == "questionGroupItem":
        group = item["questionGroupItem"]
        for n, question in enumerate(group.get("questions") or []):
            if question.get("rowQuestion") is None:
                raise InvalidArgument(f"{path}.questionGroupItem.questions[{n}]: needs a rowQuestion.")
            _check_question_id(question, f"{path}.questionGroupItem.questions[{n}]")
        if not group.get("grid"):
            raise InvalidArgument(f"{path}.questionGroupItem.grid: required.")


def _check_question(question: dict, path: str) -> None:
    kinds = [k for k in QUESTION_KINDS if question.get(k) is not None]
    if len(kinds) != 1:
        raise InvalidArgument(f"{path}: a question needs exactly one kind (got {', '.join(kinds) or 'none'}).")
    kind = kinds[0]
    _check_question_id(question, path)
    if kind == "fileUploadQuestion":
        raise InvalidArgument(f"{path}.fileUploadQuestion: file upload questions cannot be created through the API.")
    if kind == "rowQuestion":
        raise InvalidArgument(f"{path}.rowQuestion: only allowed in a questionGroupItem.")
    if kind == "choiceQuestion":
        _check_choice(question["choiceQuestion"], f"{path}.choiceQuestion")
    if kind == "scaleQuestion":
        scale = question["scaleQuestion"]
        if scale.get("low", 0) not in (0, 1) or not 2 <= scale.get("high", 0) <= 10:
            raise InvalidArgument(
                f"{path}.scaleQuestion: low must be 0 or 1 and high 2 to 10 "
                f"(got {scale.get('low')} to {scale.get('high')})."
            )


def _check_question_id(question: dict, path: str) -> None:
    if question.get("questionId") and not _HEX.match(question["questionId"]):
        raise InvalidArgument(f"{path}.questionId: {question['questionId']!r} is not a valid id (1 to 8 hex digits).")


def _check_choice(choice: dict, path: str) -> None:
    kind = choice.get("type")
    if kind not in ("RADIO", "CHECKBOX", "DROP_DOWN"):
        raise InvalidArgument(f"{path}.type: required (RADIO, CHECKBOX or DROP_DOWN).")
    options = choice.get("options") or []
    if not options:
        raise InvalidArgument(f"{path}.options: at least one option is required.")
    seen = set()
    for n, option in enumerate(options):
        where = f"{path}.options[{n}]"
        value = option.get("value")
        if not value and not option.get("isOther"):
            raise InvalidArgument(f"{where}.value: required.")
        if value in seen:
            raise InvalidArgument(f"{where}.value: {value!r} appears twice; option values must be unique.")
        seen.add(value)
        navigates = option.get("goToAction") is not None or option.get("goToSectionId") is not None
        if navigates and kind == "CHECKBOX":
            raise InvalidArgument(
                f"{where}: goToAction and goToSectionId are only allowed on RADIO and DROP_DOWN questions."
            )
        if option.get("goToAction") is not None and option.get("goToSectionId") is not None:
            raise InvalidArgument(f"{where}: set goToAction or goToSectionId, not both.")
        if option.get("isOther") and kind == "DROP_DOWN":
            raise InvalidArgument(f"{where}.isOther: only allowed on RADIO and CHECKBOX questions.")


def _check_jumps(item: dict, items: list[dict], path: str) -> None:
    """A choice may jump only to a page break the form has when this request is applied.

    Google does not document jumps to a page break created later in the same batch; the strict
    reading is taken: each request is checked against the form as the requests before it left it.
    """
    sections = {other["itemId"] for other in items if other.get("pageBreakItem") is not None}
    if item.get("pageBreakItem") is not None:
        sections.add(item["itemId"])
    choice = ((item.get("questionItem") or {}).get("question") or {}).get("choiceQuestion") or {}
    for m, option in enumerate(choice.get("options") or []):
        target = option.get("goToSectionId")
        if target is not None and target not in sections:
            raise InvalidArgument(
                f"{path}.questionItem.question.choiceQuestion.options[{m}].goToSectionId: "
                f"{target!r} is not a section of this form (yet)."
            )


def check_navigation(items: list[dict]) -> None:
    """Every goToSectionId must still name a page break of the form after the whole batch."""
    sections = {item["itemId"] for item in items if item.get("pageBreakItem") is not None}
    for n, item in enumerate(items):
        choice = ((item.get("questionItem") or {}).get("question") or {}).get("choiceQuestion") or {}
        for m, option in enumerate(choice.get("options") or []):
            target = option.get("goToSectionId")
            if target is not None and target not in sections:
                raise InvalidArgument(
                    f"items[{n}].questionItem.question.choiceQuestion.options[{m}]"
                    f".goToSectionId: {target!r} is not a section of this form."
                )


# ids


def item_ids(items: list[dict]) -> set[str]:
    return {item["itemId"] for item in items}


def question_ids(items: list[dict]) -> set[str]:
    return {qid for item in items for qid in _questions_of(item)}


def _questions_of(item: dict) -> list[str]:
    if item.get("questionItem"):
        return [item["questionItem"]["question"]["questionId"]]
    if item.get("questionGroupItem"):
        return [q["questionId"] for q in item["questionGroupItem"].get("questions") or []]
    return []


def _question_dicts(item: dict) -> list[dict]:
    if item.get("questionItem"):
        return [item["questionItem"]["question"]]
    if item.get("questionGroupItem"):
        return list(item["questionGroupItem"].get("questions") or [])
    return []


def _assign_ids(item: dict, taken_items: set[str], taken_questions: set[str], path: str) -> None:
    if item.get("itemId"):
        if item["itemId"] in taken_items:
            raise InvalidArgument(f"{path}.itemId: {item['itemId']!r} is already used in this form.")
    else:
        item["itemId"] = ids.new_hex_id(taken_items)
    taken = set(taken_questions)
    for question in _question_dicts(item):
        qid = question.get("questionId")
        if qid:
            if qid in taken:
                raise InvalidArgument(f"{path}: questionId {qid!r} is already used in this form.")
        else:
            question["questionId"] = ids.new_hex_id(taken)
        taken.add(question["questionId"])


def _keep_question_ids(current: dict, updated: dict) -> None:
    old, new = _question_dicts(current), _question_dicts(updated)
    for before, after in zip(old, new):
        if not after.get("questionId"):
            after["questionId"] = before.get("questionId")


# masks and locations


def mask_paths(mask: str | None, path: str) -> list[str]:
    if not mask or not mask.strip():
        raise InvalidArgument(f"{path}.updateMask: required (a field mask, or *).")
    paths = [p.strip() for p in mask.split(",") if p.strip()]
    if "*" in paths and len(paths) > 1:
        raise InvalidArgument(f"{path}.updateMask: * cannot be combined with other fields.")
    return paths


def copy_path(source: dict, target: dict, dotted: str) -> None:
    """Set target's field at `dotted` to source's (removing it when source has none)."""
    *parents, last = dotted.split(".")
    for name in parents:
        source = (source or {}).get(name) or {}
        target = target.setdefault(name, {})
    if last in (source or {}):
        target[last] = copy.deepcopy(source[last])
    else:
        target.pop(last, None)


def _index(location: dict | None, limit: int, path: str) -> int:
    if not location or location.get("index") is None:
        raise InvalidArgument(f"{path}.index: required.")
    index = int(location["index"])
    if not 0 <= index < limit:
        raise InvalidArgument(f"{path}.index: {index} is out of range; it must be in [0, {limit}).")
    return index
