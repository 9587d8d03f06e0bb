"""The planner: pure. Given a filled-in spec and the live form (or None), the requests that make them match."""

from __future__ import annotations

import copy
import re
from collections.abc import Set
from dataclasses import dataclass, field
from typing import Any

from ..specs.models import FormSpec
from .items import form_items, keyed_items, normalise

SETTINGS = {"emailCollectionType": "DO_NOT_COLLECT"}


@dataclass(frozen=True)
class MeaningChange:
    """A key whose live question would come to ask something else: its answers would mix in one column."""

    key: str
    kind: str  # "type" (always refused) or "retitle" (refused unless confirmed)
    message: str


@dataclass
class FormPlan:
    create: dict[str, Any] | None = None  # body of forms.create, when the form does not exist yet
    requests: list[dict[str, Any]] = field(default_factory=list)  # one forms.batchUpdate
    changes: list[str] = field(default_factory=list)  # the same, in words for staff
    meaning_changes: list[MeaningChange] = field(default_factory=list)  # nothing is applied while any

    @property
    def unchanged(self) -> bool:
        return self.create is None and not self.requests


def plan_form(
    spec_name: str, spec: FormSpec, live: dict[str, Any] | None, allow_retitle: Set[str] = frozenset()
) -> FormPlan:
    """`allow_retitle`: keys whose question may be reworded (the person confirmed it still asks the same)."""
    desired = form_items(spec_name, spec)
    if live is None:
        return _plan_new(spec, desired)
    names = keyed_items(spec_name, spec)
    plan = FormPlan(meaning_changes=meaning_changes(desired, live.get("items", []), names, set(allow_retitle)))
    _plan_info(spec, live, plan)
    _plan_settings(live, plan)
    _plan_items(desired, live.get("items", []), names, plan)
    return plan


def _plan_new(spec: FormSpec, desired: list[dict[str, Any]]) -> FormPlan:
    requests = [
        {"updateFormInfo": {"info": {"description": spec.description}, "updateMask": "description"}},
        {"updateSettings": {"settings": dict(SETTINGS), "updateMask": ",".join(SETTINGS)}},
    ]
    deferred: list[str] = []
    for index, item in enumerate(desired):
        requests.append(_create(item, index, {other["itemId"] for other in desired[:index]}, deferred))
    requests += _jumps_last(desired, deferred)
    questions = sum(1 for item in desired if "questionItem" in item)
    return FormPlan(
        create={"info": {"title": spec.title, "documentTitle": spec.title}},
        requests=requests,
        changes=[f"create the form with {len(desired)} items ({questions} questions)"],
    )


def _plan_info(spec: FormSpec, live: dict[str, Any], plan: FormPlan) -> None:
    info = live.get("info", {})
    wanted = {"title": spec.title, "description": spec.description}
    changed = [name for name, value in wanted.items() if info.get(name, "") != value]
    if changed:
        plan.requests.append(
            {
                "updateFormInfo": {
                    "info": {name: wanted[name] for name in changed},
                    "updateMask": ",".join(changed),
                }
            }
        )
        plan.changes.append(f"update the form's {' and '.join(changed)}")


def _plan_settings(live: dict[str, Any], plan: FormPlan) -> None:
    settings = live.get("settings", {})
    changed = [name for name, value in SETTINGS.items() if settings.get(name) != value]
    if changed:
        plan.requests.append(
            {
                "updateSettings": {
                    "settings": {name: SETTINGS[name] for name in changed},
                    "updateMask": ",".join(changed),
                }
            }
        )
        plan.changes.append("stop collecting email addresses automatically (the form asks for them instead)")


def _plan_items(
    desired: list[dict[str, Any]], live_items: list[dict[str, Any]], names: dict[str, str], plan: FormPlan
) -> None:
    """Delete, then create or move into place, then update: indexes are those after earlier requests."""
    wanted_ids = [item["itemId"] for item in desired]
    live_by_id = {item.get("itemId"): item for item in live_items}
    working: list[Any] = [item.get("itemId") for item in live_items]  # ids as Google gave them

    for index in range(len(working) - 1, -1, -1):
        if working[index] not in wanted_ids:
            gone = live_items[index]
            plan.requests.append({"deleteItem": {"location": {"index": index}}})
            plan.changes.append(f"remove {_describe(gone, names)}")
            del working[index]

    staying = set(_longest_ordered_run(working, wanted_ids))
    deferred: list[str] = []
    for position, item_id in enumerate(wanted_ids):
        if item_id in staying:
            continue
        target = working.index(wanted_ids[position - 1]) + 1 if position else 0
        if item_id in working:
            current = working.index(item_id)
            new_index = target - 1 if current < target else target
            working.insert(new_index, working.pop(current))
            plan.requests.append(
                {
                    "moveItem": {
                        "originalLocation": {"index": current},
                        "newLocation": {"index": new_index},
                    }
                }
            )
            plan.changes.append(f"move {names.get(item_id, item_id)} to position {new_index + 1}")
        else:
            plan.requests.append(_create(desired[position], target, set(working), deferred))
            working.insert(target, item_id)
            plan.changes.append(f"add {names.get(item_id, item_id)}")

    assert working == wanted_ids, "planner bug: items out of order after moves"
    plan.requests += _jumps_last(desired, deferred)
    for index, item in enumerate(desired):
        live = live_by_id.get(item["itemId"])
        if live is not None and normalise(live) != normalise(item):
            plan.requests.append({"updateItem": {"item": item, "location": {"index": index}, "updateMask": "*"}})
            plan.changes.append(f"update {names[item['itemId']]} ({_what_changed(live, item)})")


def _jump_targets(item: dict[str, Any]) -> set[str]:
    choice = item.get("questionItem", {}).get("question", {}).get("choiceQuestion", {})
    return {option["goToSectionId"] for option in choice.get("options", []) if "goToSectionId" in option}


def _create(item: dict[str, Any], index: int, present: set[str], deferred: list[str]) -> dict[str, Any]:
    """createItem; a choice jumping to a page break not yet in the form is created without its jumps.

    Forms checks each request of a batch against the form as the earlier ones left it, so a jump to
    a page break created later in the batch is refused. The item's id goes on `deferred`, and
    `_jumps_last` puts the jumps back once every item is in place.
    """
    if not _jump_targets(item) <= present:
        item = copy.deepcopy(item)
        for option in item["questionItem"]["question"]["choiceQuestion"]["options"]:
            option.pop("goToSectionId", None)
        deferred.append(item["itemId"])
    return {"createItem": {"item": item, "location": {"index": index}}}


def _jumps_last(desired: list[dict[str, Any]], deferred: list[str]) -> list[dict[str, Any]]:
    """updateItem, at the end of the batch (items at their final index), for each deferred choice."""
    return [
        {"updateItem": {"item": item, "location": {"index": index}, "updateMask": "*"}}
        for index, item in enumerate(desired)
        if item["itemId"] in deferred
    ]


def _longest_ordered_run(working: list[str], wanted: list[str]) -> list[str]:
    """The longest subsequence of `working` already in the wanted order: those items need no move."""
    order = {item_id: i for i, item_id in enumerate(wanted)}
    ranks = [order[item_id] for item_id in working]
    # Longest increasing subsequence, O(n^2): forms have tens of items.
    best = [[rank] for rank in ranks]
    for i in range(len(ranks)):
        for j in range(i):
            if ranks[j] < ranks[i] and len(best[j]) + 1 > len(best[i]):
                best[i] = best[j] + [ranks[i]]
    longest = max(best, key=len, default=[])
    return [wanted[rank] for rank in longest]


def _describe(item: dict[str, Any], names: dict[str, str]) -> str:
    return names.get(item.get("itemId", ""), f"{item.get('title', 'an item')!r}")


def _what_changed(live: dict[str, Any], wanted: dict[str, Any]) -> str:
    live, wanted = normalise(live), normalise(wanted)
    parts = [name for name in ("title", "description") if live.get(name) != wanted.get(name)]
    if live.get("questionItem") != wanted.get("questionItem") or live.get("pageBreakItem") != wanted.get(
        "pageBreakItem"
    ):
        parts.append("question")
    return ", ".join(parts) or "details"


# What an answer is, as the sheet keeps it: a change within one kind (a longer text box, a dropdown
# for radio buttons) keeps the answers' meaning; a change across kinds gives the key another one.
ANSWER_KINDS = {
    "textQuestion": "text",
    "RADIO": "one-choice",
    "DROP_DOWN": "one-choice",
    "CHECKBOX": "tick-boxes",
    "scaleQuestion": "scale",
    "dateQuestion": "date",
    "timeQuestion": "time",
}


def answer_kind(item: dict[str, Any]) -> str:
    question = item.get("questionItem", {}).get("question")
    if question is None:
        return "text item" if "textItem" in item else "page" if "pageBreakItem" in item else "other item"
    if "choiceQuestion" in question:
        return ANSWER_KINDS.get(question["choiceQuestion"].get("type"), "choice")
    return next((ANSWER_KINDS[k] for k in question if k in ANSWER_KINDS), "other")


def _same_words(first: str, second: str) -> bool:
    """Case, spacing and punctuation aside: 'Your Email address.' still asks 'Your email address'."""

    def words(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()

    return words(first) == words(second)


def meaning_changes(
    desired: list[dict[str, Any]], live_items: list[dict[str, Any]], names: dict[str, str], allow_retitle: set[str]
) -> list[MeaningChange]:
    """Each key's question against the live one: a new type is refused, a new title needs confirming."""
    live_by_id = {item.get("itemId"): item for item in live_items}
    found = []
    new_key = "a new question needs a new key (its own column): give it one, and remove this key if the old question is no longer asked"
    for item in desired:
        live = live_by_id.get(item["itemId"])
        key = names.get(item["itemId"], item["itemId"])
        if live is None or key.startswith("section:"):
            continue
        was, now = answer_kind(live), answer_kind(item)
        if was != now:
            found.append(
                MeaningChange(
                    key,
                    "type",
                    (
                        f"{key}: this question took {was} answers and would now take {now} answers, so the answers "
                        f"already given would mean something else; {new_key}"
                    ),
                )
            )
        elif (
            now != "text item"
            and key not in allow_retitle
            and not _same_words(live.get("title", ""), item.get("title", ""))
        ):
            found.append(
                MeaningChange(
                    key,
                    "retitle",
                    (
                        f"{key}: the question was {live.get('title', '')!r} and would now be {item.get('title', '')!r}; "
                        f"if it still asks the same thing, run deploy-forms --allow-retitle {key}; otherwise {new_key}"
                    ),
                )
            )
    return found
