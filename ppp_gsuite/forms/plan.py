"""The planner: pure. Given a filled-in spec and the live form (or None), the requests that make them match."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from ..specs.models import FormSpec
from .items import form_items, keyed_items, normalise

SETTINGS = {"emailCollectionType": "DO_NOT_COLLECT"}


@dataclass
class FormPlan:
    create: dict | None = None  # body of forms.create, when the form does not exist yet
    requests: list[dict] = field(default_factory=list)  # one forms.batchUpdate
    changes: list[str] = field(default_factory=list)  # the same, in words for staff

    @property
    def unchanged(self) -> bool:
        return self.create is None and not self.requests


def plan_form(spec_name: str, spec: FormSpec, live: dict | None) -> FormPlan:
    desired = form_items(spec_name, spec)
    if live is None:
        return _plan_new(spec, desired)
    names = keyed_items(spec_name, spec)
    plan = FormPlan()
    _plan_info(spec, live, plan)
    _plan_settings(live, plan)
    _plan_items(desired, live.get("items", []), names, plan)
    return plan


def _plan_new(spec: FormSpec, desired: list[dict]) -> FormPlan:
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


def _plan_info(spec: FormSpec, live: dict, plan: FormPlan) -> None:
    info = live.get("info", {})
    wanted = {"title": spec.title, "description": spec.description}
    changed = [name for name, value in wanted.items() if info.get(name, "") != value]
    if changed:
        plan.requests.append({"updateFormInfo": {
            "info": {name: wanted[name] for name in changed}, "updateMask": ",".join(changed),
        }})
        plan.changes.append(f"update the form's {' and '.join(changed)}")


def _plan_settings(live: dict, plan: FormPlan) -> None:
    settings = live.get("settings", {})
    changed = [name for name, value in SETTINGS.items() if settings.get(name) != value]
    if changed:
        plan.requests.append({"updateSettings": {
            "settings": {name: SETTINGS[name] for name in changed}, "updateMask": ",".join(changed),
        }})
        plan.changes.append("stop collecting email addresses automatically (the form asks for them instead)")


def _plan_items(desired: list[dict], live_items: list[dict], names: dict[str, str], plan: FormPlan) -> None:
    """Delete, then create or move into place, then update: indexes are those after earlier requests."""
    wanted_ids = [item["itemId"] for item in desired]
    live_by_id = {item.get("itemId"): item for item in live_items}
    working = [item.get("itemId") for item in live_items]

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
            plan.requests.append({"moveItem": {
                "originalLocation": {"index": current}, "newLocation": {"index": new_index},
            }})
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


def _jump_targets(item: dict) -> set[str]:
    choice = item.get("questionItem", {}).get("question", {}).get("choiceQuestion", {})
    return {option["goToSectionId"] for option in choice.get("options", []) if "goToSectionId" in option}


def _create(item: dict, index: int, present: set[str], deferred: list[str]) -> dict:
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


def _jumps_last(desired: list[dict], deferred: list[str]) -> list[dict]:
    """updateItem, at the end of the batch (items at their final index), for each deferred choice."""
    return [{"updateItem": {"item": item, "location": {"index": index}, "updateMask": "*"}}
            for index, item in enumerate(desired) if item["itemId"] in deferred]


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


def _describe(item: dict, names: dict[str, str]) -> str:
    return names.get(item.get("itemId"), f"{item.get('title', 'an item')!r}")


def _what_changed(live: dict, wanted: dict) -> str:
    live, wanted = normalise(live), normalise(wanted)
    parts = [name for name in ("title", "description") if live.get(name) != wanted.get(name)]
    if live.get("questionItem") != wanted.get("questionItem") or live.get("pageBreakItem") != wanted.get("pageBreakItem"):
        parts.append("question")
    return ", ".join(parts) or "details"
