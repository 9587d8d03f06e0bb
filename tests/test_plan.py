"""The planner: the fewest requests that make the live form match the spec, each valid for Google."""

from pathlib import Path

import pytest

from local_workspace.discovery import check_body
from ppp_gsuite.forms.items import form_items, item_id, question_id
from ppp_gsuite.forms.plan import plan_form
from shared_workspace import minimal

SHIPPED = Path(__file__).parent.parent / "ppp-gsuite.yaml"


def eoi():
    target = next(t for t in minimal().targets if t.key == "eoi-heart-board")
    return target.spec_name, target.spec


def live_form(spec_name, spec):
    """The form as forms.get answers once the plan for `spec` has been applied."""
    return {
        "formId": "abc",
        "revisionId": "00000002",
        "info": {"title": spec.title, "documentTitle": spec.title, "description": spec.description},
        "settings": {"emailCollectionType": "DO_NOT_COLLECT"},
        "items": form_items(spec_name, spec),
    }


def with_item(spec, key, **changes):
    sections = []
    for section in spec.sections:
        items = [item.model_copy(update=changes) if item.key == key else item for item in section.items]
        sections.append(section.model_copy(update={"items": items}))
    return spec.model_copy(update={"sections": sections})


def without_item(spec, key):
    sections = [s.model_copy(update={"items": [i for i in s.items if i.key != key]}) for s in spec.sections]
    return spec.model_copy(update={"sections": sections})


def swap(spec, section_key, first, second):
    sections = []
    for section in spec.sections:
        items = list(section.items)
        if section.key == section_key:
            keys = [i.key for i in items]
            a, b = keys.index(first), keys.index(second)
            items[a], items[b] = items[b], items[a]
        sections.append(section.model_copy(update={"items": items}))
    return spec.model_copy(update={"sections": sections})


def kinds(plan):
    return [next(iter(request)) for request in plan.requests]


def assert_valid_for_google(plan):
    if plan.create:
        assert check_body("forms", "forms.forms.create", plan.create) == []
    assert check_body("forms", "forms.forms.batchUpdate", {"requests": plan.requests}) == []


def test_new_form_is_one_create_and_one_batch_update():
    name, spec = eoi()
    plan = plan_form(name, spec, None)
    assert plan.create == {"info": {"title": spec.title, "documentTitle": spec.title}}
    assert kinds(plan)[:2] == ["updateFormInfo", "updateSettings"]
    assert plan.requests[1]["updateSettings"]["settings"] == {"emailCollectionType": "DO_NOT_COLLECT"}
    created = [r["createItem"] for r in plan.requests[2:] if "createItem" in r]
    assert [c["location"]["index"] for c in created] == list(range(len(created)))
    assert len(created) == len(form_items(name, spec))
    assert_valid_for_google(plan)


def test_skip_logic_of_a_new_form_jumps_only_to_page_breaks_already_made():
    name, spec = eoi()
    wanted = form_items(name, spec)
    assert any(jumps(item) for item in wanted), "the fixture spec has skip logic"
    plan = plan_form(name, spec, None)
    assert apply([], plan.requests) == [item["itemId"] for item in wanted]
    updated = {r["updateItem"]["item"]["itemId"]: r["updateItem"]["item"] for r in plan.requests if "updateItem" in r}
    assert all(updated.get(item["itemId"]) == item for item in wanted if jumps(item))  # every jump set in the end


def test_question_ids_are_hex_and_stable():
    name, spec = eoi()
    ids = [item["questionItem"]["question"]["questionId"] for item in form_items(name, spec) if "questionItem" in item]
    assert all(len(i) == 8 and int(i, 16) >= 0 for i in ids)
    assert len(set(ids)) == len(ids)
    assert question_id(name, "full_name") == question_id(name, "full_name")
    assert ids == [
        item["questionItem"]["question"]["questionId"] for item in form_items(*eoi()) if "questionItem" in item
    ]


def test_unchanged_form_needs_no_request():
    name, spec = eoi()
    plan = plan_form(name, spec, live_form(name, spec))
    assert plan.unchanged
    assert plan.requests == []


def test_google_leaving_out_false_values_is_not_a_change():
    name, spec = eoi()
    live = live_form(name, spec)
    for item in live["items"]:
        item.setdefault("description", "")
        question = item.get("questionItem", {}).get("question")
        if question is not None:
            question.setdefault("required", False)
    assert plan_form(name, spec, live).unchanged


def test_one_edited_label_is_one_update_item():
    name, spec = eoi()
    live = live_form(name, spec)
    edited = with_item(spec, "email", title="Your email address (we will only use it about this role)")
    plan = plan_form(name, edited, live, allow_retitle={"email"})
    assert kinds(plan) == ["updateItem"]
    update = plan.requests[0]["updateItem"]
    assert update["item"]["itemId"] == item_id(name, "email")
    assert update["item"]["title"] == "Your email address (we will only use it about this role)"
    assert live["items"][update["location"]["index"]]["itemId"] == item_id(name, "email")
    assert plan.changes == ["update email (title)"]
    assert_valid_for_google(plan)


def test_a_retitled_question_waits_for_confirmation_and_says_a_new_question_needs_a_new_key():
    name, spec = eoi()
    live = live_form(name, spec)
    plan = plan_form(name, with_item(spec, "email", title="Your date of birth"), live)
    assert [(c.key, c.kind) for c in plan.meaning_changes] == [("email", "retitle")]
    message = plan.meaning_changes[0].message
    assert "'Your email address'" in message and "'Your date of birth'" in message
    assert "--allow-retitle email" in message and "a new question needs a new key" in message
    confirmed = plan_form(name, with_item(spec, "email", title="Your date of birth"), live, allow_retitle={"email"})
    assert confirmed.meaning_changes == [] and kinds(confirmed) == ["updateItem"]


def test_a_question_whose_type_changed_is_refused_even_when_a_retitle_is_allowed():
    name, spec = eoi()
    live = live_form(name, spec)
    plan = plan_form(
        name, with_item(spec, "email", type="date", title="Your date of birth"), live, allow_retitle={"email"}
    )
    assert [(c.key, c.kind) for c in plan.meaning_changes] == [("email", "type")]
    assert "a new question needs a new key" in plan.meaning_changes[0].message


def test_wording_that_means_the_same_and_text_items_need_no_confirmation():
    name, spec = eoi()
    live = live_form(name, spec)
    assert plan_form(name, with_item(spec, "email", title="Your Email address."), live).meaning_changes == []
    assert plan_form(name, with_item(spec, "role_summary", title="What the role is"), live).meaning_changes == []
    longer = with_item(spec, "interests_details", type="short_text")  # a shorter box for the same answer
    assert plan_form(name, longer, live).meaning_changes == []


def test_reordered_question_is_one_move():
    name, spec = eoi()
    plan = plan_form(name, swap(spec, "about_you", "full_name", "email"), live_form(name, spec))
    assert kinds(plan) == ["moveItem"]
    assert_valid_for_google(plan)


def test_removed_question_is_one_delete():
    name, spec = eoi()
    live = live_form(name, spec)
    plan = plan_form(name, without_item(spec, "email"), live)
    assert kinds(plan) == ["deleteItem"]
    index = plan.requests[0]["deleteItem"]["location"]["index"]
    assert live["items"][index]["itemId"] == item_id(name, "email")
    assert_valid_for_google(plan)


def test_added_question_is_one_create_in_place():
    name, spec = eoi()
    smaller = without_item(spec, "email")
    plan = plan_form(name, spec, live_form(name, smaller))
    assert kinds(plan) == ["createItem"]
    created = plan.requests[0]["createItem"]
    assert created["item"]["itemId"] == item_id(name, "email")
    wanted = [i["itemId"] for i in form_items(name, spec)]
    assert created["location"]["index"] == wanted.index(item_id(name, "email"))


def test_changed_description_updates_form_info_only():
    name, spec = eoi()
    plan = plan_form(name, spec.model_copy(update={"description": "New privacy notice."}), live_form(name, spec))
    assert plan.requests == [
        {"updateFormInfo": {"info": {"description": "New privacy notice."}, "updateMask": "description"}}
    ]


def test_verified_email_collection_is_switched_off():
    name, spec = eoi()
    live = live_form(name, spec)
    live["settings"] = {"emailCollectionType": "VERIFIED"}
    plan = plan_form(name, spec, live)
    assert plan.requests == [
        {"updateSettings": {"settings": {"emailCollectionType": "DO_NOT_COLLECT"}, "updateMask": "emailCollectionType"}}
    ]


def jumps(item):
    options = item.get("questionItem", {}).get("question", {}).get("choiceQuestion", {}).get("options", [])
    return {option["goToSectionId"] for option in options if "goToSectionId" in option}


def apply(live_items, requests):
    """Forms' batchUpdate semantics for the item requests, on a list of item ids.

    Each request is checked against the form as the earlier requests left it: a choice may jump
    only to a page break already there (the local workspace's strict reading of Google's rules).
    """
    ids = [item["itemId"] for item in live_items]
    for request in requests:
        kind, body = next(iter(request.items()))
        if kind in ("createItem", "updateItem"):
            assert jumps(body["item"]) <= set(ids), f"a jump to a page break not yet in the form: {request}"
        if kind == "deleteItem":
            del ids[body["location"]["index"]]
        elif kind == "createItem":
            ids.insert(body["location"]["index"], body["item"]["itemId"])
        elif kind == "moveItem":
            ids.insert(body["newLocation"]["index"], ids.pop(body["originalLocation"]["index"]))
        elif kind == "updateItem":
            assert ids[body["location"]["index"]] == body["item"]["itemId"]
    return ids


@pytest.mark.parametrize("seed", range(40))
def test_any_reshuffle_ends_in_the_wanted_order(seed):
    import random

    name, spec = eoi()
    wanted = form_items(name, spec)
    rng = random.Random(seed)
    live = [dict(item) for item in wanted if rng.random() > 0.2]
    live += [{"itemId": f"dead{n:04x}", "title": "old", "textItem": {}} for n in range(rng.randint(0, 3))]
    rng.shuffle(live)
    form = live_form(name, spec) | {"items": live}
    plan = plan_form(name, spec, form)
    assert apply(live, plan.requests) == [item["itemId"] for item in wanted]
    moves = kinds(plan).count("moveItem")
    assert moves <= len(live)
