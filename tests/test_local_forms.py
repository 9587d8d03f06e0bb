"""The local Forms v1 API through google-api-python-client, and the responder's web pages."""

from __future__ import annotations

import html
import json
import re
import urllib.parse

import pytest
from googleapiclient.errors import HttpError

NAME, BIO, CONTACT, WHEN, TIME, SCALE, INTERESTS, DECLARE, CONSENT = (
    "a1000001",
    "a1000002",
    "a1000003",
    "a1000004",
    "a1000005",
    "a1000006",
    "a1000007",
    "a1000008",
    "a1000009",
)
SECTION_INTERESTS, SECTION_CONSENT = "b2000001", "b2000002"


def question(qid, title, kind, required=False, **extra):
    return {
        "itemId": "c" + qid[1:],
        "title": title,
        "questionItem": {"question": {"questionId": qid, "required": required, kind: extra}},
    }


def radio(qid, title, options, required=False):
    return question(qid, title, "choiceQuestion", required, type="RADIO", options=options)


def create(item, index):
    return {"createItem": {"item": item, "location": {"index": index}}}


EOI_ITEMS = [
    {"itemId": "d0000001", "title": "About this role", "description": "Help shape <urgent> care.", "textItem": {}},
    question(NAME, "Your full name", "textQuestion", required=True),
    question(BIO, "Tell us about yourself", "textQuestion", paragraph=True),
    radio(CONTACT, "How would you like us to contact you?", [{"value": "Email"}, {"value": "Phone"}]),
    question(WHEN, "When could you start?", "dateQuestion", includeYear=True),
    question(TIME, "What time suits you?", "timeQuestion"),
    question(
        SCALE,
        "How confident are you in meetings?",
        "scaleQuestion",
        low=1,
        high=5,
        lowLabel="Not at all",
        highLabel="Very",
    ),
    radio(
        DECLARE,
        "Do you have business interests in health or care?",
        [{"value": "Yes", "goToSectionId": SECTION_INTERESTS}, {"value": "No", "goToSectionId": SECTION_CONSENT}],
        required=True,
    ),
    {
        "itemId": SECTION_INTERESTS,
        "title": "Your interests",
        "description": "Tell us what they are.",
        "pageBreakItem": {},
    },
    question(INTERESTS, "Your interests", "textQuestion", required=True),
    {"itemId": SECTION_CONSENT, "title": "Consent", "pageBreakItem": {}},
    question(
        CONSENT,
        "May we tell you about future opportunities?",
        "choiceQuestion",
        True,
        type="DROP_DOWN",
        options=[{"value": "Yes"}, {"value": "No"}],
    ),
]


def make_form(forms_api, items=(), title="Expression of interest: Urgent Care Board"):
    form = forms_api.forms().create(body={"info": {"title": title}}, unpublished=True).execute()
    requests = [
        {
            "updateFormInfo": {
                "info": {"description": "Who sees your answers:\nthe recruiting lead."},
                "updateMask": "description",
            }
        },
        {
            "updateSettings": {
                "settings": {"emailCollectionType": "DO_NOT_COLLECT"},
                "updateMask": "emailCollectionType",
            }
        },
    ] + [create(item, 0) for item in reversed(items)]  # last first: a jump's page break exists before it
    forms_api.forms().batchUpdate(formId=form["formId"], body={"requests": requests}).execute()
    return form["formId"]


def publish(forms_api, drive_api, form_id, accepting=True):
    forms_api.forms().setPublishSettings(
        formId=form_id,
        body={
            "publishSettings": {"publishState": {"isPublished": True, "isAcceptingResponses": accepting}},
            "updateMask": "publishState",
        },
    ).execute()
    drive_api.permissions().create(
        fileId=form_id, body={"type": "anyone", "role": "reader", "view": "published"}
    ).execute()


def error_of(call) -> dict:
    with pytest.raises(HttpError) as raised:
        call.execute()
    return json.loads(raised.value.content)["error"]


def entry(qid):
    return f"entry.{int(qid, 16)}"


# API


def test_create_batch_update_get_round_trip(forms_api):
    created = forms_api.forms().create(body={"info": {"title": "EOI"}}, unpublished=True).execute()
    form_id = created["formId"]
    assert created["publishSettings"]["publishState"] == {"isPublished": False, "isAcceptingResponses": False}
    assert created["responderUri"].endswith(f"/forms/d/e/{form_id}/viewform")
    reply = (
        forms_api.forms()
        .batchUpdate(
            formId=form_id,
            body={
                "requests": [create(item, 0) for item in reversed(EOI_ITEMS)]  # page breaks before the jumps to them
                + [create({"title": "No ids given", "questionItem": {"question": {"textQuestion": {}}}}, 0)],
                "writeControl": {"requiredRevisionId": created["revisionId"]},
            },
        )
        .execute()
    )
    assert reply["replies"][-3] == {"createItem": {"itemId": "c1000001", "questionId": [NAME]}}
    assert reply["replies"][-2] == {"createItem": {"itemId": "d0000001"}}  # no empty questionId, as Google writes it
    assigned = reply["replies"][-1]["createItem"]
    assert re.fullmatch(r"[0-9a-f]{8}", assigned["itemId"]) and re.fullmatch(r"[0-9a-f]{8}", assigned["questionId"][0])
    assert reply["writeControl"]["requiredRevisionId"] != created["revisionId"]
    assert "form" not in reply

    form = forms_api.forms().get(formId=form_id).execute()
    assert form["revisionId"] == reply["writeControl"]["requiredRevisionId"]
    assert [item["itemId"] for item in form["items"]] == [assigned["itemId"]] + [i["itemId"] for i in EOI_ITEMS]
    assert form["items"][2]["questionItem"]["question"] == EOI_ITEMS[1]["questionItem"]["question"]


def test_update_move_delete_items(forms_api):
    form_id = make_form(forms_api, EOI_ITEMS[:4])
    ids = lambda: [i["itemId"] for i in forms_api.forms().get(formId=form_id).execute()["items"]]  # noqa: E731
    before = ids()
    reply = (
        forms_api.forms()
        .batchUpdate(
            formId=form_id,
            body={
                "includeFormInResponse": True,
                "requests": [
                    {"moveItem": {"originalLocation": {"index": 0}, "newLocation": {"index": 3}}},
                    {"updateItem": {"item": {"title": "Your name"}, "location": {"index": 0}, "updateMask": "title"}},
                    {"deleteItem": {"location": {"index": 1}}},
                ],
            },
        )
        .execute()
    )
    assert reply["replies"] == [{}, {}, {}]
    assert [i["itemId"] for i in reply["form"]["items"]] == [before[1], before[3], before[0]]
    assert reply["form"]["items"][0]["title"] == "Your name"
    assert reply["form"]["items"][0]["questionItem"]["question"]["questionId"] == NAME


def test_bad_index_is_400(forms_api):
    form_id = make_form(forms_api, EOI_ITEMS[:2])
    error = error_of(
        forms_api.forms().batchUpdate(formId=form_id, body={"requests": [{"deleteItem": {"location": {"index": 2}}}]})
    )
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    assert "requests[0].deleteItem.location.index" in error["message"]


def test_body_breaking_the_discovery_doc_is_400_in_googles_envelope(forms_api):
    form_id = make_form(forms_api)
    bad = radio(CONTACT, "Contact", [{"value": "Email"}])
    bad["questionItem"]["question"]["choiceQuestion"]["type"] = "RADIOS"
    error = error_of(forms_api.forms().batchUpdate(formId=form_id, body={"requests": [create(bad, 0)]}))
    assert error["code"] == 400
    assert error["status"] == "INVALID_ARGUMENT"
    assert "requests[0].createItem.item.questionItem.question.choiceQuestion.type" in error["message"]
    assert forms_api.forms().get(formId=form_id).execute().get("items") is None


def test_create_takes_only_the_title(forms_api):
    error = error_of(forms_api.forms().create(body={"info": {"title": "x", "description": "y"}}))
    assert error["code"] == 400 and "info.description" in error["message"]


def test_stale_revision_is_refused(forms_api):
    form_id = make_form(forms_api)
    error = error_of(
        forms_api.forms().batchUpdate(
            formId=form_id,
            body={"requests": [create(EOI_ITEMS[1], 0)], "writeControl": {"requiredRevisionId": "00000001"}},
        )
    )
    assert error["status"] == "FAILED_PRECONDITION"


def test_writes_racing_on_one_revision_land_once_the_rest_refused_with_failed_precondition(local):
    """requiredRevisionId is a compare-and-set: of writers that all read one revision, exactly one lands
    (each from its own connection, at once); the others get 400 FAILED_PRECONDITION and change nothing."""
    import threading

    session = local.session()
    form_id = session.post(f"{local.url}/v1/forms", json={"info": {"title": "Lease"}}).json()["formId"]
    revision = session.get(f"{local.url}/v1/forms/{form_id}").json()["revisionId"]
    answers, start = {}, threading.Barrier(8)

    def write(n):
        own = local.session()
        body = {
            "requests": [{"updateFormInfo": {"info": {"description": f"writer {n}"}, "updateMask": "description"}}],
            "writeControl": {"requiredRevisionId": revision},
        }
        start.wait()
        answers[n] = own.post(f"{local.url}/v1/forms/{form_id}:batchUpdate", json=body)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    landed = [n for n, answer in answers.items() if answer.status_code == 200]
    assert len(landed) == 1
    refused = [answer.json()["error"] for answer in answers.values() if answer.status_code != 200]
    assert [(e["code"], e["status"]) for e in refused] == [(400, "FAILED_PRECONDITION")] * 7
    form = session.get(f"{local.url}/v1/forms/{form_id}").json()
    assert form["info"]["description"] == f"writer {landed[0]}"
    assert form["revisionId"] == answers[landed[0]].json()["writeControl"]["requiredRevisionId"] != revision


def test_a_jump_to_a_page_break_created_later_in_the_batch_is_refused(forms_api):
    form_id = forms_api.forms().create(body={"info": {"title": "Skip logic"}}, unpublished=True).execute()["formId"]
    declare, interests = EOI_ITEMS[7], EOI_ITEMS[8]
    error = error_of(
        forms_api.forms().batchUpdate(
            formId=form_id, body={"requests": [create(declare, 0), create(interests, 1), create(EOI_ITEMS[10], 2)]}
        )
    )
    assert (error["code"], error["status"]) == (400, "INVALID_ARGUMENT")
    assert "requests[0].createItem.item" in error["message"] and SECTION_INTERESTS in error["message"]
    assert "items" not in forms_api.forms().get(formId=form_id).execute()  # nothing of the batch applied
    forms_api.forms().batchUpdate(
        formId=form_id,
        body={  # page breaks first: accepted
            "requests": [create(interests, 0), create(EOI_ITEMS[10], 1), create(declare, 0)]
        },
    ).execute()
    assert len(forms_api.forms().get(formId=form_id).execute()["items"]) == 3


def test_substitute_ids_fault_hands_back_other_ids_than_asked(forms_api, local):
    form_id = forms_api.forms().create(body={"info": {"title": "Ids"}}, unpublished=True).execute()["formId"]
    local.json("POST", "/_local/faults", {"method_id": "forms.forms.batchUpdate", "mode": "substitute_ids"})
    reply = forms_api.forms().batchUpdate(formId=form_id, body={"requests": [create(EOI_ITEMS[1], 0)]}).execute()
    created = reply["replies"][0]["createItem"]
    assert created["itemId"] != EOI_ITEMS[1]["itemId"] and created["questionId"] != [NAME]
    [item] = forms_api.forms().get(formId=form_id).execute()["items"]
    assert (
        item["itemId"] == created["itemId"]
        and item["questionItem"]["question"]["questionId"] == created["questionId"][0]
    )
    again = forms_api.forms().batchUpdate(formId=form_id, body={"requests": [create(EOI_ITEMS[2], 1)]}).execute()
    assert again["replies"][0]["createItem"]["itemId"] == EOI_ITEMS[2]["itemId"]  # one call only


def test_unknown_form_is_404(forms_api):
    error = error_of(forms_api.forms().get(formId="nope"))
    assert (error["code"], error["status"]) == (404, "NOT_FOUND")


def test_publish_settings(forms_api):
    form_id = make_form(forms_api)
    reply = (
        forms_api.forms()
        .setPublishSettings(
            formId=form_id,
            body={"publishSettings": {"publishState": {"isPublished": True, "isAcceptingResponses": False}}},
        )
        .execute()
    )
    assert reply == {
        "formId": form_id,
        "publishSettings": {"publishState": {"isPublished": True, "isAcceptingResponses": False}},
    }
    error = error_of(
        forms_api.forms().setPublishSettings(
            formId=form_id,
            body={"publishSettings": {"publishState": {"isPublished": False, "isAcceptingResponses": True}}},
        )
    )
    assert error["code"] == 400


def test_responses_paging_and_timestamp_filter(forms_api, local):
    form_id = make_form(forms_api, EOI_ITEMS[:2])
    for n in range(5):
        local.add_response(
            form_id,
            {
                "responseId": f"r{n}",
                "lastSubmittedTime": f"2026-01-0{n + 1}T09:00:00Z",
                "answers": {NAME: {"textAnswers": {"answers": [{"value": f"P{n}"}]}}},
            },
        )
    first = forms_api.forms().responses().list(formId=form_id, pageSize=2).execute()
    assert [r["responseId"] for r in first["responses"]] == ["r0", "r1"]
    assert "formId" not in first["responses"][0]
    second = forms_api.forms().responses().list(formId=form_id, pageSize=2, pageToken=first["nextPageToken"]).execute()
    third = forms_api.forms().responses().list(formId=form_id, pageSize=2, pageToken=second["nextPageToken"]).execute()
    assert [r["responseId"] for r in second["responses"] + third["responses"]] == ["r2", "r3", "r4"]
    assert "nextPageToken" not in third

    after = forms_api.forms().responses().list(formId=form_id, filter="timestamp > 2026-01-03T09:00:00Z").execute()
    assert [r["responseId"] for r in after["responses"]] == ["r3", "r4"]
    at = forms_api.forms().responses().list(formId=form_id, filter="timestamp >= 2026-01-03T09:00:00Z").execute()
    assert [r["responseId"] for r in at["responses"]] == ["r2", "r3", "r4"]
    none = forms_api.forms().responses().list(formId=form_id, filter="timestamp > 2027-01-01T00:00:00Z").execute()
    assert none == {}

    edited = local.edit_response(form_id, "r0", {"answers": {NAME: {"textAnswers": {"answers": [{"value": "New"}]}}}})
    assert edited["lastSubmittedTime"] > "2026-01-05"
    assert edited["createTime"] == "2026-01-01T09:00:00Z"
    later = forms_api.forms().responses().list(formId=form_id, filter="timestamp > 2026-01-05T09:00:00Z").execute()
    assert [r["responseId"] for r in later["responses"]] == ["r0"]
    got = forms_api.forms().responses().get(formId=form_id, responseId="r0").execute()
    assert got["answers"][NAME] == {"questionId": NAME, "textAnswers": {"answers": [{"value": "New"}]}}

    error = error_of(forms_api.forms().responses().list(formId=form_id, filter="timestamp > yesterday"))
    assert error["code"] == 400


def test_request_log_counts_api_calls(forms_api, local):
    form_id = make_form(forms_api)
    forms_api.forms().get(formId=form_id).execute()
    assert [r["methodId"] for r in local.requests()] == [
        "forms.forms.create",
        "forms.forms.batchUpdate",
        "forms.forms.get",
    ]
    assert local.requests()[2] == {"method": "GET", "path": f"/v1/forms/{form_id}", "methodId": "forms.forms.get"}


# pages


@pytest.fixture
def eoi(forms_api, drive_api):
    form_id = make_form(forms_api, EOI_ITEMS)
    publish(forms_api, drive_api, form_id)
    return form_id


def page(local, form_id, query=""):
    return local.request("GET", f"/forms/d/e/{form_id}/viewform{query}")


def post(local, form_id, fields):
    return local.request("POST", f"/forms/d/e/{form_id}/formResponse", form=fields)


def hidden_fields(text):
    return [
        (html.unescape(n), html.unescape(v))
        for n, v in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', text)
    ]


def input_value(text, qid):
    match = re.search(rf'<(?:input|textarea)[^>]*id="q-{qid}"[^>]*?(?:value="([^"]*)")?>', text)
    return html.unescape(match.group(1) or "") if match else None


FIRST_PAGE = {
    entry(NAME): "Sam Patel <script>alert(1)</script>",
    entry(BIO): "Carer\nfor my dad",
    entry(CONTACT): "Phone",
    entry(WHEN): "2026-03-05",
    entry(TIME): "14:30",
    entry(SCALE): "4",
}


def test_form_page_shows_every_item_escaped(local, eoi):
    status, text = page(local, eoi)
    assert status == 200
    assert "<h1>Expression of interest: Urgent Care Board</h1>" in text
    assert "Help shape &lt;urgent&gt; care." in text and "<urgent>" not in text
    assert "Who sees your answers:\nthe recruiting lead." in text
    assert f'<label class="title" for="q-{NAME}">Your full name' in text
    assert f'<textarea id="q-{BIO}" name="{entry(BIO)}"' in text
    assert f'type="radio" id="q-{CONTACT}-1" name="{entry(CONTACT)}" value="Phone"' in text
    assert f'<input type="date" id="q-{WHEN}"' in text and f'<input type="time" id="q-{TIME}"' in text
    assert "5 (Very)" in text and "<legend>How confident are you in meetings?" in text
    assert "(required)" in text
    assert "Your interests" not in text  # a later section
    assert 'value="next"' in text


def test_submit_through_the_pages_appears_in_responses_list(local, eoi, forms_api):
    status, text = post(local, eoi, {**FIRST_PAGE, entry(DECLARE): "No", "pageHistory": "0", "navigate": "next"})
    assert status == 200
    assert "Consent" in text and "Your interests" not in text
    carried = hidden_fields(text)
    assert ("pageHistory", "0,2") in carried
    assert (entry(NAME), FIRST_PAGE[entry(NAME)]) in carried
    status, text = post(local, eoi, carried + [(entry(CONSENT), "Yes"), ("navigate", "submit")])
    assert status == 200 and "Your response has been recorded." in text

    [response] = forms_api.forms().responses().list(formId=eoi).execute()["responses"]
    values = {
        qid: [a["value"] for a in answer["textAnswers"]["answers"]] for qid, answer in response["answers"].items()
    }
    assert values == {
        NAME: ["Sam Patel <script>alert(1)</script>"],
        BIO: ["Carer\nfor my dad"],
        CONTACT: ["Phone"],
        WHEN: ["2026-03-05"],
        TIME: ["14:30"],
        SCALE: ["4"],
        DECLARE: ["No"],
        CONSENT: ["Yes"],
    }
    assert response["answers"][NAME]["questionId"] == NAME


def test_missed_required_field_keeps_other_answers(local, eoi):
    fields = {**FIRST_PAGE, entry(NAME): "", "pageHistory": "0", "navigate": "next"}
    status, text = post(local, eoi, fields)
    assert status == 400
    block = re.search(rf'<div class="question invalid" id="q-{NAME}-block">(.*?)</div>', text, re.S).group(1)
    assert "This is a required question" in block
    assert f'aria-describedby="q-{NAME}-error"' in block
    assert "There is a problem" in text
    assert input_value(text, TIME) == "14:30"
    assert 'value="Phone" checked' in text
    assert ">Carer\nfor my dad</textarea>" in text
    assert "&lt;script&gt;" not in text  # the name was blank; nothing else leaked


def test_prefilled_values_appear_in_inputs(local, eoi):
    query = "?" + urllib.parse.urlencode(
        {
            "usp": "pp_url",
            entry(NAME): "Ref <7f3a>",
            entry(CONTACT): "Email",
            entry(DECLARE): "Yes",
            entry(INTERESTS): "Board member",
        }
    )
    status, text = page(local, eoi, query)
    assert status == 200
    assert input_value(text, NAME) == "Ref <7f3a>"
    assert 'value="Ref &lt;7f3a&gt;"' in text
    assert 'value="Email" checked' in text
    assert (entry(INTERESTS), "Board member") in hidden_fields(text)  # a later section keeps it


def test_skip_logic_goes_to_the_chosen_section(local, eoi, forms_api):
    status, text = post(local, eoi, {**FIRST_PAGE, entry(DECLARE): "Yes", "pageHistory": "0", "navigate": "next"})
    assert status == 200 and "<h2>Your interests</h2>" in text
    status, text = post(local, eoi, hidden_fields(text) + [("navigate", "next")])
    assert status == 400 and "This is a required question" in text  # interests left blank
    fields = [f for f in hidden_fields(text)] + [(entry(INTERESTS), "Director of a care home"), ("navigate", "next")]
    status, text = post(local, eoi, fields)
    assert status == 200 and "<h2>Consent</h2>" in text
    back_status, back = post(local, eoi, hidden_fields(text) + [("navigate", "back")])
    assert back_status == 200 and "<h2>Your interests</h2>" in back
    assert input_value(back, INTERESTS) == "Director of a care home"


def test_skipped_section_answers_are_not_stored(local, eoi, forms_api):
    fields = {
        **FIRST_PAGE,
        entry(DECLARE): "No",
        entry(INTERESTS): "stale",
        entry(CONSENT): "No",
        "pageHistory": "0,2",
        "navigate": "submit",
    }
    status, _ = post(local, eoi, fields)
    assert status == 200
    [response] = forms_api.forms().responses().list(formId=eoi).execute()["responses"]
    assert INTERESTS not in response["answers"]


def test_submit_form_action_ends_the_form(local, forms_api, drive_api):
    form_id = make_form(
        forms_api,
        [
            radio(CONTACT, "Carry on?", [{"value": "Stop", "goToAction": "SUBMIT_FORM"}, {"value": "Go"}], True),
            {"itemId": SECTION_CONSENT, "title": "More", "pageBreakItem": {}},
            question(NAME, "Name", "textQuestion", required=True),
        ],
    )
    publish(forms_api, drive_api, form_id)
    status, text = post(local, form_id, {entry(CONTACT): "Stop", "pageHistory": "0", "navigate": "next"})
    assert status == 200 and "You have reached the end of the form" in text
    status, text = post(local, form_id, hidden_fields(text) + [("navigate", "submit")])
    assert status == 200 and "Your response has been recorded." in text


def test_closed_form_says_it_is_closed(local, forms_api, drive_api):
    form_id = make_form(forms_api, EOI_ITEMS[:2])
    publish(forms_api, drive_api, form_id, accepting=False)
    status, text = page(local, form_id)
    assert status == 200
    assert "is closed" in text and "no longer accepting responses" in text
    status, text = post(local, form_id, {entry(NAME): "x", "navigate": "submit"})
    assert "no longer accepting responses" in text
    assert forms_api.forms().responses().list(formId=form_id).execute() == {}


def test_unpublished_form_is_404_and_unshared_form_403(local, forms_api, drive_api):
    form_id = make_form(forms_api, EOI_ITEMS[:2])
    assert page(local, form_id)[0] == 404
    forms_api.forms().setPublishSettings(
        formId=form_id, body={"publishSettings": {"publishState": {"isPublished": True, "isAcceptingResponses": True}}}
    ).execute()
    assert page(local, form_id)[0] == 403


def test_verified_email_collection_needs_sign_in(local, forms_api, drive_api):
    form = forms_api.forms().create(body={"info": {"title": "Defaults"}}).execute()
    drive_api.permissions().create(
        fileId=form["formId"], body={"type": "anyone", "role": "reader", "view": "published"}
    ).execute()
    status, text = page(local, form["formId"])
    assert status == 403 and "DO_NOT_COLLECT" in text


def test_public_url_sets_the_responder_uri(tmp_path):
    from googleapiclient.discovery import build

    from conftest import LocalControls
    from local_workspace import server

    url, stop = server.start(tmp_path / "other.sqlite3", public_url="http://127.0.0.1:8470/")
    try:
        forms_api = build(
            "forms",
            "v1",
            credentials=LocalControls(url).credentials(),
            static_discovery=True,
            client_options={"api_endpoint": url},
        )
        form = forms_api.forms().create(body={"info": {"title": "EOI"}}).execute()
        assert form["responderUri"] == f"http://127.0.0.1:8470/forms/d/e/{form['formId']}/viewform"
    finally:
        stop()


def test_concurrent_submissions_are_all_kept(local, forms_api):
    from concurrent.futures import ThreadPoolExecutor

    form_id = make_form(forms_api, EOI_ITEMS[:2])
    answer = {"answers": {NAME: {"textAnswers": {"answers": [{"value": "x"}]}}}}
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _: local.add_response(form_id, answer), range(40)))
    responses = forms_api.forms().responses().list(formId=form_id).execute()["responses"]
    assert len({r["responseId"] for r in responses}) == 40
