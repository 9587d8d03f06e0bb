"""The local workspace writes JSON as Google's proto3 APIs do: repeated fields that are empty are left out."""

from __future__ import annotations


def test_create_item_reply_for_a_text_item_carries_no_question_id(forms_api):
    form_id = forms_api.forms().create(body={"info": {"title": "Welcome"}}, unpublished=True).execute()["formId"]
    reply = (
        forms_api.forms()
        .batchUpdate(
            formId=form_id,
            body={
                "requests": [
                    {"createItem": {"item": {"title": "About this form", "textItem": {}}, "location": {"index": 0}}},
                    {
                        "createItem": {
                            "item": {"title": "Your name", "questionItem": {"question": {"textQuestion": {}}}},
                            "location": {"index": 1},
                        }
                    },
                ]
            },
        )
        .execute()
    )
    text_reply, question_reply = (r["createItem"] for r in reply["replies"])
    assert set(text_reply) == {"itemId"}
    assert len(question_reply["questionId"]) == 1


def test_a_form_with_no_items_and_no_responses_has_no_empty_lists(forms_api):
    form_id = forms_api.forms().create(body={"info": {"title": "Welcome"}}, unpublished=True).execute()["formId"]
    assert "items" not in forms_api.forms().get(formId=form_id).execute()
    assert forms_api.forms().responses().list(formId=form_id).execute() == {}
