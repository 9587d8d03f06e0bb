"""deploy-forms on the Google path, offline: googleapiclient over canned answers shaped like Google's.

The clients are built as for Google (real discovery documents, Google's hosts); only the transport is
an HttpMockSequence that records every request, so the tests assert on what would be sent.
"""

import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from googleapiclient.http import HttpMockSequence

from local_workspace.discovery import check_body, check_params
from ppp_gsuite.forms.deploy import deploy
from ppp_gsuite.forms.items import form_items
from ppp_gsuite.forms.plan import plan_form
from ppp_gsuite.google.clients import build_clients
from ppp_gsuite.google.drive_api import DriveApi
from ppp_gsuite.google.forms_api import FormsApi
from ppp_gsuite.workspace import load_workspace
from sync_env import quick_retries

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"
TODAY = date(2026, 11, 24)  # before the fixture's closing dates
FORM_ID = "1hQ3vV0tS9kR2pLmN8xYcZ4aB6dE7fG5jK3wQ1uI0oPs"
RESPONDER_URI = "https://docs.google.com/forms/d/e/1FAIpQLSdq3H0cV8gXw2bYk7rT5nLmP9aZs4uE6iJ1oQxR2tY8vBn3wA/viewform"
FORMS = "https://forms.googleapis.com/v1/"
DRIVE = "https://www.googleapis.com/drive/v3/"
ATTEMPTS = 2  # each call that may be repeated is tried at most twice here (google/retry.py)

# (HTTP method, URI path) -> the discovery method id, to name each recorded request.
METHODS = [
    ("GET", r"/drive/v3/files", "drive.files.list"),
    ("PATCH", r"/drive/v3/files/[^/]+", "drive.files.update"),
    ("GET", r"/drive/v3/files/[^/]+/permissions", "drive.permissions.list"),
    ("POST", r"/drive/v3/files/[^/]+/permissions", "drive.permissions.create"),
    ("POST", r"/v1/forms", "forms.forms.create"),
    ("GET", r"/v1/forms/[^/:]+", "forms.forms.get"),
    ("POST", r"/v1/forms/[^/:]+:batchUpdate", "forms.forms.batchUpdate"),
    ("POST", r"/v1/forms/[^/:]+:setPublishSettings", "forms.forms.setPublishSettings"),
]


class RecordingHttp(HttpMockSequence):
    """Answers in order, and records each request's method, URI, query and JSON body."""

    def __init__(self, answers):
        super().__init__(list(answers))
        self.requests = []

    def request(self, uri, method="GET", body=None, headers=None, redirections=1, connection_type=None):
        if not self._iterable:
            raise AssertionError(f"unexpected request: {method} {uri}")
        parts = urlsplit(uri)
        self.requests.append(
            {
                "method": method,
                "uri": uri,
                "id": method_id(method, parts.path),
                "query": {name: values[0] for name, values in parse_qs(parts.query).items()},
                "body": json.loads(body) if body else None,
            }
        )
        return super().request(uri, method, body, headers, redirections, connection_type)

    def calls(self):
        return [r["id"] for r in self.requests]


def method_id(method, path):
    for verb, pattern, name in METHODS:
        if verb == method and re.fullmatch(pattern, path):
            return name
    raise AssertionError(f"a request the tool has no business making: {method} {path}")


# Canned answers, shaped like Google's.


def ok(body):
    return {"status": "200", "content-type": "application/json; charset=UTF-8"}, json.dumps(body)


def google_error(code, status, message, reason):
    body = {
        "error": {
            "code": code,
            "message": message,
            "status": status,
            "errors": [{"message": message, "domain": "global", "reason": reason}],
        }
    }
    return {"status": str(code), "content-type": "application/json; charset=UTF-8"}, json.dumps(body)


def files_list(*files):
    return ok({"files": list(files)})


def created_form(title):
    return ok(
        {
            "formId": FORM_ID,
            "info": {"title": title, "documentTitle": title},
            "settings": {"emailCollectionType": "VERIFIED"},
            "revisionId": "00000002",
            "responderUri": RESPONDER_URI,
            "publishSettings": {"publishState": {"isPublished": False, "isAcceptingResponses": False}},
        }
    )


def app_properties_set(properties):
    return ok({"id": FORM_ID, "appProperties": properties})


def batch_updated(requests, revision):
    replies = []
    for request in requests:
        if "createItem" in request:
            item = request["createItem"]["item"]
            reply = {"itemId": item["itemId"]}
            question = item.get("questionItem", {}).get("question", {})
            if question.get("questionId"):
                reply["questionId"] = [question["questionId"]]
            replies.append({"createItem": reply})
        else:
            replies.append({})
    return ok({"replies": replies, "writeControl": {"requiredRevisionId": revision}})


def publish_settings_set(accepting):
    return ok(
        {
            "formId": FORM_ID,
            "publishSettings": {"publishState": {"isPublished": True, "isAcceptingResponses": accepting}},
        }
    )


def anyone_permission():
    return ok({"kind": "drive#permission", "id": "anyoneWithLink", "type": "anyone", "role": "reader"})


def sharing_refused():
    return google_error(
        403,
        "PERMISSION_DENIED",
        "The user does not have permission to share this item publicly.",
        "publishOutNotPermitted",
    )


def permissions(*extra):
    owner = {"id": "08912345678901234567", "type": "user", "role": "owner", "emailAddress": "sam@example.org"}
    return ok({"permissions": [owner, *extra]})


# Fixtures and helpers.


@pytest.fixture(scope="module")
def target():
    _, targets = load_workspace(MINIMAL / "ppp-gsuite.yaml")
    return targets[0]


def run(target, answers, today=TODAY):
    http = RecordingHttp(answers)
    forms, drive = build_clients(None, http=http)
    retry = quick_retries(attempts=ATTEMPTS)
    outcomes = deploy([target], FormsApi(forms, retry), DriveApi(drive, retry), today)
    assert len(outcomes) == 1
    return outcomes[0], http


def new_form_answers(target, accepting=True, share=None):
    """The answers for deploying `target` as a new form, in the order the requests come."""
    planned = plan_form(target.spec_name, target.spec, None).requests
    return [
        files_list(),
        files_list(),  # no untagged copy of it left by an earlier create whose answer was lost
        created_form(target.spec.title),
        app_properties_set({"ppp_gsuite": "form", "target": target.key, "spec": target.spec_name}),
        batch_updated(planned, "00000031"),
        app_properties_set({"revision": "00000031"}),
        publish_settings_set(accepting),
        permissions(),
        share or anyone_permission(),
    ]


def deployed_file(target, revision):
    return {
        "id": FORM_ID,
        "name": target.spec.title,
        "mimeType": "application/vnd.google-apps.form",
        "appProperties": {"ppp_gsuite": "form", "target": target.key, "spec": target.spec_name, "revision": revision},
    }


def live_form(target, revision, accepting=True):
    """forms.get of a form that matches the spec exactly."""
    return {
        "formId": FORM_ID,
        "info": {
            "title": target.spec.title,
            "description": target.spec.description,
            "documentTitle": target.spec.title,
        },
        "settings": {"emailCollectionType": "DO_NOT_COLLECT"},
        "items": form_items(target.spec_name, target.spec),
        "revisionId": revision,
        "responderUri": RESPONDER_URI,
        "publishSettings": {"publishState": {"isPublished": True, "isAcceptingResponses": accepting}},
    }


def only(http, name):
    found = [r for r in http.requests if r["id"] == name]
    assert len(found) == 1, (name, http.calls())
    return found[0]


# The tests.


def test_a_new_form_is_created_filled_tagged_published_and_shared(target):
    outcome, http = run(target, new_form_answers(target))

    assert outcome.problem is None
    assert (outcome.form_id, outcome.link) == (FORM_ID, RESPONDER_URI)
    assert outcome.steps == ["publish", "let anyone with the link respond"]
    assert http.calls() == [
        "drive.files.list",
        "drive.files.list",
        "forms.forms.create",
        "drive.files.update",
        "forms.forms.batchUpdate",
        "drive.files.update",
        "forms.forms.setPublishSettings",
        "drive.permissions.list",
        "drive.permissions.create",
    ]
    listing, untagged, create, tag, batch, revision, publish, _, share = http.requests

    assert "appProperties has { key='ppp_gsuite' and value='form' }" in listing["query"]["q"]
    assert untagged["query"]["q"] == (
        f"mimeType = 'application/vnd.google-apps.form' and name = '{target.spec.title}' and trashed = false"
    )
    assert create["query"]["unpublished"] == "true"
    assert create["body"] == {"info": {"title": target.spec.title, "documentTitle": target.spec.title}}
    assert tag["body"] == {"appProperties": {"ppp_gsuite": "form", "target": target.key, "spec": target.spec_name}}

    requests = batch["body"]["requests"]
    assert requests[0] == {
        "updateFormInfo": {"info": {"description": target.spec.description}, "updateMask": "description"}
    }
    assert requests[1] == {
        "updateSettings": {"settings": {"emailCollectionType": "DO_NOT_COLLECT"}, "updateMask": "emailCollectionType"}
    }
    items = form_items(target.spec_name, target.spec)
    created = [r["createItem"] for r in requests[2 : 2 + len(items)]]
    assert [(c["item"]["itemId"], c["location"]["index"]) for c in created] == [
        (item["itemId"], i) for i, item in enumerate(items)
    ]
    # Choices jumping to later page breaks get their jumps last, once the page breaks exist.
    jumping = [(i, item) for i, item in enumerate(items) if '"goToSectionId"' in json.dumps(item)]
    assert jumping and requests[2 + len(items) :] == [
        {"updateItem": {"item": item, "location": {"index": i}, "updateMask": "*"}} for i, item in jumping
    ]
    assert batch["body"]["writeControl"] == {"requiredRevisionId": "00000002"}  # the revision forms.create gave

    recorded = revision["body"]["appProperties"]  # the revision, and when it went live (the deploy history)
    assert recorded.pop("revision") == "00000031"
    assert [(key.startswith("deployed:"), value) for key, value in recorded.items()] == [(True, "00000031")]
    assert publish["body"]["publishSettings"] == {"publishState": {"isPublished": True, "isAcceptingResponses": True}}
    assert share["body"] == {"type": "anyone", "role": "reader", "view": "published"}

    for request in http.requests:
        host = FORMS if request["id"].startswith("forms.") else DRIVE
        assert request["uri"].startswith(host), request["uri"]
        if request["id"] != "forms.forms.create":
            assert FORM_ID in request["uri"] or request["id"] == "drive.files.list"
        api = request["id"].split(".")[0]
        assert check_body(api, request["id"], request["body"]) == [], request
        assert check_params(api, request["id"], request["query"]) == [], request


def test_an_unchanged_form_is_only_read(target):
    anyone = {"id": "anyoneWithLink", "type": "anyone", "role": "reader", "view": "published"}
    outcome, http = run(
        target,
        [
            files_list(deployed_file(target, "00000031")),
            ok(live_form(target, "00000031")),
            permissions(anyone),
        ],
    )

    assert outcome.problem is None
    assert not outcome.changed
    assert outcome.link == RESPONDER_URI
    assert http.calls() == ["drive.files.list", "forms.forms.get", "drive.permissions.list"]
    assert {r["method"] for r in http.requests} == {"GET"}


def test_a_refused_responder_permission_is_explained_and_the_form_kept(target):
    outcome, http = run(target, new_form_answers(target, share=sharing_refused()))

    assert "anyone with the link" in outcome.problem
    assert "Workspace administrator" in outcome.problem
    assert "403" not in outcome.problem  # the plain explanation, not Google's words
    assert outcome.form_id == FORM_ID and outcome.link == RESPONDER_URI
    assert http.calls()[2] == "forms.forms.create"
    assert http.calls()[-1] == "drive.permissions.create"
    assert "let anyone with the link respond" not in outcome.steps


def test_a_batch_update_that_keeps_failing_stops_that_form_after_its_retries(target):
    """A repeat is safe (its requiredRevisionId refuses a batch applied already); past its attempts, the form stops."""
    failed = google_error(500, "INTERNAL", "Internal error encountered.", "backendError")
    answers = new_form_answers(target)[:4] + [failed] * ATTEMPTS
    outcome, http = run(target, answers)

    assert "forms.batchUpdate" in outcome.problem
    assert "500" in outcome.problem
    assert (
        http.calls()
        == ["drive.files.list", "drive.files.list", "forms.forms.create", "drive.files.update"]
        + ["forms.forms.batchUpdate"] * ATTEMPTS
    )
    assert all(r["body"]["writeControl"] == {"requiredRevisionId": "00000002"} for r in http.requests[4:])
    assert not http._iterable  # every answer used, and no request beyond them (the mock raises)


def test_a_past_closing_date_publishes_the_form_closed(target):
    after_closing = date(2027, 2, 1)
    assert target.opportunity.closing_date < after_closing
    outcome, http = run(target, new_form_answers(target, accepting=False), today=after_closing)

    publish = only(http, "forms.forms.setPublishSettings")
    assert publish["body"]["publishSettings"]["publishState"] == {"isPublished": True, "isAcceptingResponses": False}
    assert outcome.steps[0] == "publish, closed to new responses"
    assert outcome.accepting is False


def test_a_rate_limited_responder_permission_is_not_blamed_on_the_administrator(target):
    rate_limited = google_error(403, "PERMISSION_DENIED", "User rate limit exceeded.", "userRateLimitExceeded")
    outcome, http = run(target, new_form_answers(target, share=rate_limited) + [rate_limited] * (ATTEMPTS - 1))

    assert "Workspace administrator" not in outcome.problem
    assert "drive.permissions.create" in outcome.problem


def test_a_403_that_names_no_sharing_policy_is_not_blamed_on_the_administrator(target):
    """Only a positive signal (Google's reason for a refused public share) means the organisation's policy."""
    refused = google_error(
        403,
        "PERMISSION_DENIED",
        "The sendNotificationEmail parameter is only applicable for permissions of type 'user' or 'group'.",
        "forbidden",
    )
    outcome, http = run(target, new_form_answers(target, share=refused))

    assert "Workspace administrator" not in outcome.problem
    assert "sendNotificationEmail" in outcome.problem


def test_the_responder_grant_is_asked_for_as_google_documents_it(target):
    """python-samples forms/snippets/anyone_with_link_responder.py: no sendNotificationEmail on the grant,
    and includePermissionsForView=published when listing (or the grant is never seen)."""
    anyone = {"id": "anyoneWithLink", "type": "anyone", "role": "reader", "view": "published"}
    outcome, http = run(target, new_form_answers(target))
    grant = only(http, "drive.permissions.create")
    assert "sendNotificationEmail" not in grant["query"]
    outcome, http = run(
        target, [files_list(deployed_file(target, "00000031")), ok(live_form(target, "00000031")), permissions(anyone)]
    )
    assert only(http, "drive.permissions.list")["query"].get("includePermissionsForView") == "published"
