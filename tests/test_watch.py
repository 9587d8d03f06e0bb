"""Forms API watches and Pub/Sub in the local workspace, and `ppp-gsuite watch` over them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from cli_env import run  # its `workspace` fixture is a plugin (conftest.py)
from many_orgs import eoi_answers
from ppp_gsuite.google.clients import SCOPES
from ppp_gsuite.google.drive_api import DriveApi
from ppp_gsuite.google.pubsub_api import PUBSUB_SCOPE

PROJECT = "ppp-gsuite-local"  # a local OAuth client's Cloud project is named after its client id
TOPIC = f"projects/{PROJECT}/topics/ppp-forms"
SUBSCRIPTION = f"projects/{PROJECT}/subscriptions/ppp-watch"
WATCH_CONFIG = f"\nwatch:\n  topic: {TOPIC}\n  subscription: {SUBSCRIPTION}\n"


def stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Api:
    """Plain calls to the local workspace's Forms watches and Pub/Sub, signed in as one OAuth client."""

    def __init__(self, local, client_id: str = PROJECT):
        self.local = local
        self.session = local.session(scopes=(*SCOPES, PUBSUB_SCOPE), client_id=client_id)

    def call(self, method: str, path: str, body=None) -> tuple[int, dict]:
        answer = self.session.request(method, self.local.url + path, json=body)
        return answer.status_code, (answer.json() if answer.content else {})

    def form(self, title="A form") -> str:
        status, form = self.call("POST", "/v1/forms", {"info": {"title": title}})
        assert status == 200, form
        return form["formId"]

    def watch(self, form_id: str, event_type: str = "RESPONSES", topic: str = TOPIC, **extra) -> tuple[int, dict]:
        body = {"watch": {"target": {"topic": {"topicName": topic}}, "eventType": event_type}, **extra}
        return self.call("POST", f"/v1/forms/{form_id}/watches", body)

    def pull(self, subscription: str = SUBSCRIPTION) -> list[dict]:
        status, answer = self.call("POST", f"/v1/{subscription}:pull", {"maxMessages": 10})
        assert status == 200, answer
        return answer.get("receivedMessages", [])

    def topic_and_subscription(self, topic: str = TOPIC, subscription: str = SUBSCRIPTION) -> None:
        assert self.call("PUT", f"/v1/{topic}", {})[0] == 200
        assert self.call("PUT", f"/v1/{subscription}", {"topic": topic})[0] == 200


@pytest.fixture
def api(local) -> Api:
    api = Api(local)
    api.topic_and_subscription()
    return api


# --- the stand-in, as forms.v1.json and the Forms API reference say ---------------------------


def test_a_watch_lasts_seven_days_and_a_project_has_one_per_event_type_per_form(api, local):
    form = api.form()
    status, watch = api.watch(form)
    assert status == 200 and watch["state"] == "ACTIVE" and watch["eventType"] == "RESPONSES"
    assert stamp(watch["expireTime"]) - stamp(watch["createTime"]) == timedelta(days=7)
    again, refused = api.watch(form)
    assert again == 400 and refused["error"]["status"] == "FAILED_PRECONDITION"
    assert api.watch(form, "SCHEMA")[0] == 200  # the other event type: two in all
    assert [w["eventType"] for w in api.call("GET", f"/v1/forms/{form}/watches")[1]["watches"]] == [
        "RESPONSES",
        "SCHEMA",
    ]
    # Another project sees none of them, and may not use this project's topic.
    other = Api(local, client_id="another-project")
    assert other.call("GET", f"/v1/forms/{form}/watches")[0] == 403  # nor can it reach this app's form


def test_a_watch_is_refused_a_topic_that_is_missing_or_another_projects_and_output_only_fields(api):
    form = api.form()
    assert api.watch(form, topic=f"projects/{PROJECT}/topics/missing")[1]["error"]["status"] == "FAILED_PRECONDITION"
    assert api.watch(form, topic="projects/someone-else/topics/ppp-forms")[0] == 403
    assert api.watch(form, topic="ppp-forms")[0] == 400
    assert api.watch(form, event_type="EVENT_TYPE_UNSPECIFIED")[0] == 400
    status, _ = api.call(
        "POST",
        f"/v1/forms/{form}/watches",
        {"watch": {"id": "mine", "target": {"topic": {"topicName": TOPIC}}, "eventType": "RESPONSES"}},
    )
    assert status == 400
    assert api.watch(form, watchId="watch-1")[0] == 400  # a-z and '-' only
    assert api.watch(form, watchId="responses-watch")[1]["id"] == "responses-watch"


def test_a_response_is_notified_with_the_forms_attributes_once_acknowledged(api, local):
    form = api.form()
    watch = api.watch(form)[1]
    local.add_response(form, {})
    [received] = api.pull()
    message = received["message"]
    assert message["attributes"] == {"eventType": "RESPONSES", "formId": form, "watchId": watch["id"]}
    assert "data" not in message and message["messageId"] and message["publishTime"]
    assert api.pull() == []  # out on lease until its ack deadline
    status, _ = api.call("POST", f"/v1/{SUBSCRIPTION}:acknowledge", {"ackIds": [received["ackId"]]})
    assert status == 200


def test_an_expired_watch_is_gone_renewing_a_live_one_gives_seven_days_from_now(api, local):
    form, second = api.form(), api.form("Another")
    watch = api.watch(form)[1]
    expiring = api.watch(second)[1]
    local.json("POST", f"/_local/forms/{form}/watches/{watch['id']}/age", {"days": 7})
    local.json("POST", f"/_local/forms/{second}/watches/{expiring['id']}/age", {"days": 6, "hours": 12})

    assert api.call("POST", f"/v1/forms/{form}/watches/{watch['id']}:renew", {})[0] == 404
    assert api.call("GET", f"/v1/forms/{form}/watches")[1].get("watches", []) == []
    local.add_response(form, {})
    assert api.pull() == []  # nothing is delivered for an expired watch

    status, renewed = api.call("POST", f"/v1/forms/{second}/watches/{expiring['id']}:renew", {})
    assert status == 200 and renewed["id"] == expiring["id"]
    assert stamp(renewed["expireTime"]) - datetime.now(UTC) > timedelta(days=6, hours=23)


# --- ppp-gsuite watch ------------------------------------------------------------------------


@pytest.fixture
def watched(workspace, local):
    with open(workspace / "ppp-gsuite.yaml", "a") as config:
        config.write(WATCH_CONFIG)
    deployed = run("deploy-forms")
    assert deployed.exit_code == 0, deployed.output
    forms = {f["appProperties"]["target"]: f["id"] for f in DriveApi(local.clients().drive).find("form")}
    return workspace, forms


def watches_of(local, form_id: str) -> list[dict]:
    return local.json("GET", f"/v1/forms/{form_id}/watches").get("watches", [])


def eoi_rows(local) -> list[list[str]]:
    from ppp_gsuite.google.sheets_api import SheetsApi

    clients = local.clients()
    sheets = [
        f
        for f in DriveApi(clients.drive).find("spreadsheet")
        if f["appProperties"]["target"] == "opportunity:heart-board"
    ]
    if not sheets:
        return []  # no sync has made it yet
    [sheet] = sheets
    return SheetsApi(clients.sheets).read_tabs(sheet["id"], ["Expressions of interest"])["Expressions of interest"][1]


def test_a_notification_brings_that_forms_response_into_its_sheet_within_one_sync(watched, local):
    _workspace, forms = watched
    first = run("watch", "--once")
    assert first.exit_code == 0, first.output
    assert f"watches: {len(forms)} created" in first.stdout
    assert all(len(watches_of(local, form_id)) == 1 for form_id in forms.values())

    local.add_response(forms["eoi-heart-board"], eoi_answers("Robin Applicant", "robin@example.org"))
    second = run("watch", "--once")

    assert second.exit_code == 0, second.output
    assert "responses notified on: eoi-heart-board" in second.stdout
    assert sum(1 for line in second.stdout.splitlines() if line.startswith("sync at ")) == 1
    rows = eoi_rows(local)
    assert [row[rows[0].index("Name")] for row in rows[1:]] == ["Robin Applicant"]
    assert "Robin" not in second.output and "robin@" not in second.output  # counts, never names
    third = run("watch", "--once")  # acknowledged: no second sync for the same notification
    assert "sync at " not in third.stdout


def test_a_watch_near_its_expiry_is_renewed_and_one_on_another_topic_is_replaced(watched, local):
    folder, forms = watched
    assert run("watch", "--once").exit_code == 0
    form_id = forms["eoi-heart-board"]
    [watch] = watches_of(local, form_id)
    local.json("POST", f"/_local/forms/{form_id}/watches/{watch['id']}/age", {"days": 6, "hours": 1})

    renewing = run("watch", "--once")

    assert renewing.exit_code == 0, renewing.output
    assert "1 renewed" in renewing.stdout
    [renewed] = watches_of(local, form_id)
    assert renewed["id"] == watch["id"]
    assert stamp(renewed["expireTime"]) - datetime.now(UTC) > timedelta(days=6, hours=23)

    other = f"projects/{PROJECT}/topics/ppp-forms-2"
    config = folder / "ppp-gsuite.yaml"
    config.write_text(config.read_text().replace(TOPIC, other))
    moved = run("watch", "--once")
    assert moved.exit_code == 0, moved.output
    assert f"{len(forms)} replaced" in moved.stdout
    assert {w["target"]["topic"]["topicName"] for w in watches_of(local, form_id)} == {other}


def test_a_sync_that_fails_leaves_the_notification_to_come_again(watched, local, monkeypatch):
    _workspace, forms = watched
    assert run("watch", "--once").exit_code == 0
    local.add_response(forms["eoi-heart-board"], eoi_answers("Robin Applicant", "robin@example.org"))
    import ppp_gsuite.sync_job

    def broken(*args, **kwargs):
        raise ppp_gsuite.errors.PppError("the sync failed")

    with monkeypatch.context() as patched:
        patched.setattr(ppp_gsuite.sync_job, "run_sync", broken)
        failed = run("watch", "--once")
    assert failed.exit_code == 1
    assert eoi_rows(local)[1:] == []  # the failed sync wrote nothing
    # Not acknowledged, and handed back at once (not held for the lease the sync had): delivered again.
    again = run("watch", "--once")
    assert again.exit_code == 0, again.output
    assert "responses notified on: eoi-heart-board" in again.stdout
    assert len(eoi_rows(local)) == 2


def test_a_sync_longer_than_the_ack_deadline_is_not_run_again_for_the_same_notification(watched, local, monkeypatch):
    """A subscription made as the README says keeps a pulled message on lease for 10 seconds: a sync that takes
    longer must hold it for itself, or its acknowledgement comes too late, Pub/Sub ignores it and delivers the
    message again, and each slow sync starts the next."""
    _workspace, forms = watched
    assert run("watch", "--once").exit_code == 0
    local.add_response(forms["eoi-heart-board"], eoi_answers("Robin Applicant", "robin@example.org"))
    import ppp_gsuite.sync_job

    real = ppp_gsuite.sync_job.run_sync

    def slow(*args, **kwargs):
        local.json("POST", "/_local/pubsub/ack-deadlines-pass", {"seconds": 60})  # the sync took a minute
        return real(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(ppp_gsuite.sync_job, "run_sync", slow)
        first = run("watch", "--once")
    assert first.exit_code == 0, first.output
    assert "responses notified on: eoi-heart-board" in first.stdout
    again = run("watch", "--once")
    assert again.exit_code == 0, again.output
    assert "responses notified on" not in again.stdout


def test_the_stand_in_extends_a_lease_only_within_google_s_bounds(api, local):
    form = api.form()
    api.watch(form)
    local.add_response(form, {})
    [received] = api.pull()
    extend = f"/v1/{SUBSCRIPTION}:modifyAckDeadline"
    assert api.call("POST", extend, {"ackIds": [received["ackId"]], "ackDeadlineSeconds": 601})[0] == 400
    assert api.call("POST", extend, {"ackIds": [], "ackDeadlineSeconds": 60})[0] == 400
    assert api.call("POST", extend, {"ackIds": [received["ackId"]], "ackDeadlineSeconds": 600})[0] == 200
    local.json("POST", "/_local/pubsub/ack-deadlines-pass", {"seconds": 590})
    assert api.pull() == []  # still on lease
    assert api.call("POST", extend, {"ackIds": [received["ackId"]], "ackDeadlineSeconds": 0})[0] == 200
    assert len(api.pull()) == 1  # 0: delivered again at once


@pytest.mark.parametrize("mode", ["error_500", "drop_before_apply"])
def test_a_pull_that_fails_on_the_way_is_tried_again_next_round(watched, local, mode):
    """Pub/Sub's pull may answer 5xx (UNAVAILABLE with too many pulls pending, DEADLINE_EXCEEDED when
    nothing came) or not at all: a long-running watch must carry on, not end, and the notification waits."""
    _workspace, forms = watched
    assert run("watch", "--once").exit_code == 0
    local.add_response(forms["eoi-heart-board"], eoi_answers("Robin Applicant", "robin@example.org"))
    # twice: httplib2 sends a request again once after a connection closed with no answer
    fault = {"method_id": "pubsub.projects.subscriptions.pull", "mode": mode, "times": 2}
    local.json("POST", "/_local/faults", fault)
    failed = run("watch", "--once")
    assert failed.exit_code == 0, failed.output
    assert "pull" in failed.stderr and "next round" in failed.stderr
    local.json("DELETE", "/_local/faults")
    again = run("watch", "--once")
    assert "responses notified on: eoi-heart-board" in again.stdout
    assert len(eoi_rows(local)) == 2


def test_watch_without_its_config_section_says_what_to_add(workspace):
    result = run("watch", "--once")
    assert result.exit_code == 2
    assert "watch: section" in result.stderr


def test_the_stand_in_refuses_pull_on_another_projects_subscription(api, local):
    other = Api(local, client_id="another-project")
    status, answer = other.call("POST", f"/v1/{SUBSCRIPTION}:pull", {"maxMessages": 1})
    assert status == 403, json.dumps(answer)


def test_a_sync_that_could_not_write_a_spreadsheet_says_so(watched, local):
    _workspace, forms = watched
    assert run("watch", "--once").exit_code == 0
    local.organisation_policy(addressesWithoutGoogleAccount=["alex@example.org"])  # the heart board's lead
    local.add_response(forms["eoi-heart-board"], eoi_answers("Robin Applicant", "robin@example.org"))

    result = run("watch", "--once")

    assert "warning: 1 spreadsheet(s) were not written: run ppp-gsuite sync to see what and why" in result.stderr


def test_a_refused_watches_call_is_waited_out_not_the_end_of_the_watch(watched, local):
    workspace, forms = watched
    with open(workspace / "ppp-gsuite.yaml", "a") as config:
        config.write("\nretries: {first_wait_seconds: 0.01, longest_wait_seconds: 0.02}\n")
    for method in ("forms.forms.watches.list", "forms.forms.watches.create"):
        local.json("POST", "/_local/faults", {"method_id": method, "mode": "error_429", "times": 2})
    result = run("watch", "--once")
    assert result.exit_code == 0, result.output
    assert f"watches: {len(forms)} created" in result.stdout
    assert all(len(watches_of(local, form_id)) == 1 for form_id in forms.values())
