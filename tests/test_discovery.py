import pytest

from local_workspace import discovery


def batch_update(*requests):
    return {"requests": list(requests), "writeControl": {"requiredRevisionId": "00000001"}}


def create_radio(choice_type="RADIO"):
    return {
        "createItem": {
            "item": {
                "itemId": "0a1b2c3d",
                "title": "How would you like us to contact you?",
                "questionItem": {
                    "question": {
                        "questionId": "1a2b3c4d",
                        "required": True,
                        "choiceQuestion": {
                            "type": choice_type,
                            "options": [{"value": "Email"}, {"value": "Phone", "goToAction": "SUBMIT_FORM"}],
                        },
                    }
                },
            },
            "location": {"index": 0},
        }
    }


def test_valid_forms_batch_update_passes():
    body = batch_update(
        {"updateFormInfo": {"info": {"description": "Privacy notice"}, "updateMask": "description"}},
        {
            "updateSettings": {
                "settings": {"emailCollectionType": "DO_NOT_COLLECT"},
                "updateMask": "emailCollectionType",
            }
        },
        create_radio(),
        {"moveItem": {"originalLocation": {"index": 0}, "newLocation": {"index": 1}}},
        {"deleteItem": {"location": {"index": 1}}},
    )
    assert discovery.check_body("forms", "forms.forms.batchUpdate", body) == []


def test_unknown_field_names_the_path():
    body = batch_update(create_radio())
    body["requests"][0]["createItem"]["item"]["questionItem"]["question"]["choiceQuestion"]["shuffled"] = True
    problems = discovery.check_body("forms", "forms.forms.batchUpdate", body)
    assert len(problems) == 1
    assert problems[0].startswith(
        "requests[0].createItem.item.questionItem.question.choiceQuestion.shuffled: unknown field"
    )


def test_wrong_type_names_the_path():
    body = batch_update(create_radio())
    body["requests"][0]["createItem"]["location"]["index"] = "first"
    assert discovery.check_body("forms", "forms.forms.batchUpdate", body) == [
        "requests[0].createItem.location.index: expected an integer, got string 'first'"
    ]


def test_bad_enum_names_the_path_and_the_choices():
    problems = discovery.check_body("forms", "forms.forms.batchUpdate", batch_update(create_radio("RADIOS")))
    assert problems == [
        "requests[0].createItem.item.questionItem.question.choiceQuestion.type: "
        "'RADIOS' is not one of RADIO, CHECKBOX, DROP_DOWN"
    ]


def test_root_must_be_an_object():
    assert discovery.check_body("forms", "forms.forms.create", ["x"]) == ["(body): expected an object, got array"]


def test_int64_strings_and_maps_are_accepted():
    assert (
        discovery.check_body("drive", "drive.files.update", {"appProperties": {"pppForm": "eoi"}, "size": "12"}) == []
    )
    assert discovery.check_body("drive", "drive.files.update", {"appProperties": {"pppForm": 3}}) == [
        "appProperties.pppForm: expected a string, got integer 3"
    ]


def test_check_params():
    method = "forms.forms.responses.list"
    assert discovery.check_params("forms", method, {"pageSize": "50", "filter": "timestamp > x", "fields": "*"}) == []
    assert discovery.check_params("forms", method, {"pageSize": "many"}) == ["pageSize: 'many' is not an integer"]
    assert discovery.check_params("forms", method, {"colour": "red"}) == ["colour: unknown parameter"]
    assert discovery.check_params("forms", "forms.forms.create", {"unpublished": "yes"}) == [
        "unpublished: 'yes' is not a boolean"
    ]
    assert discovery.check_params("drive", "drive.files.list", {"corpora": "user"}) == []


def test_unknown_method_is_a_programming_error():
    with pytest.raises(ValueError):
        discovery.check_body("forms", "forms.forms.explode", {})


def test_documents_are_cached():
    assert discovery.load_document("forms") is discovery.load_document("forms")
