"""`ppp-gsuite status` and `status --json`: what a person and a monitoring check read, and the exit codes
the README gives (0 nothing needs a person, 1 something does, 2 the config is wrong)."""

import json
from datetime import UTC, datetime, timedelta

from click.testing import CliRunner

from ppp_gsuite.cli import main
from ppp_gsuite.runlease import Lease, LeaseHeld, LeaseLost, ensure_lease_form, read_record
from sync_env import EOI

HEART = "opportunity:heart-board"


def cli(*args):
    return CliRunner().invoke(main, list(args))


def status_json():
    result = cli("status", "--json")
    return result.exit_code, json.loads(result.stdout)


def test_status_tells_each_form_sheet_and_the_last_run_and_exits_0(env, local):
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    synced = cli("sync")
    assert synced.exit_code == 0, synced.output
    code, found = status_json()
    assert code == 0 and found["exit_code"] == 0
    forms = {form["target"]: form for form in found["forms"]}
    assert forms["eoi-heart-board"]["responses"] == 1 and forms["eoi-eye-group"]["responses"] == 0
    assert forms["eoi-heart-board"]["open"] and forms["eoi-heart-board"]["closing_date"] == "2027-01-31"
    assert forms["expenses"]["closing_date"] is None
    heart = next(sheet for sheet in found["spreadsheets"] if sheet["target"] == HEART)
    assert heart["rows"]["Expressions of interest"] == 1
    assert {(g["who"], g["role"]) for g in heart["can_open"]} == {
        ("staff@example.org", "owner"),
        ("alex@example.org", "writer"),
    }
    assert found["emails"]["sent_by_kind"]["eoi_received"] == 1  # her acknowledgement (and the lead's digest)
    assert (
        found["emails"]["sent_today"]
        == sum(found["emails"]["sent_by_kind"].values())
        == len(local.json("GET", "/_local/gmail/messages")["messages"])
    )
    last = found["last_run"]
    assert last["exit_code"] == 0 and last["responses"] == 1 and last["emails_sent"] >= 1
    assert last["requests"]["forms"] >= 1 and last["requests"]["sheets"] >= 1 and last["requests"]["gmail"] >= 1
    assert datetime.now(UTC) - datetime.fromisoformat(last["started"]) < timedelta(minutes=5)
    assert found["lease"] is None  # given back at the end of the run
    text = cli("status")
    assert text.exit_code == 0
    assert "open, closing date 2027-01-31, 1 response" in text.output
    assert "who can open it: staff@example.org (owner), alex@example.org (writer)" in text.output
    assert "last sync: started" in text.output and "exit code 0" in text.output
    assert "Robin" not in text.output + json.dumps(found) and "robin@" not in text.output + json.dumps(found)


def test_a_spreadsheet_the_last_sync_could_not_share_makes_status_exit_1(env, local):
    local.organisation_policy(addressesWithoutGoogleAccount=["alex@example.org"])
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    assert cli("sync").exit_code == 1
    code, found = status_json()
    assert code == 1 and found["last_run"]["exit_code"] == 1
    refused = [sheet["target"] for sheet in found["spreadsheets"] if sheet["sharing_refused"]]
    assert refused == [HEART]
    text = cli("status")
    assert text.exit_code == 1 and "the last sync wrote nothing here" in text.output
    local.organisation_policy(addressesWithoutGoogleAccount=[])
    assert cli("sync").exit_code == 0
    assert status_json()[0] == 0


def test_an_email_of_unknown_outcome_makes_status_json_exit_1_and_list_its_key(env, local):
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    local.json("POST", "/_local/faults", {"method_id": "gmail.users.messages.send", "mode": "apply_then_drop"})
    assert cli("sync").exit_code == 1
    code, found = status_json()
    assert code == 1 and len(found["emails"]["unknown"]) == 1
    assert "|eoi_received|" in found["emails"]["unknown"][0]["key"]


def test_a_wrong_config_makes_status_exit_2(env):
    config = env.root / "ppp-gsuite.yaml"
    config.write_text(config.read_text().replace("places: 2", "places: two"))
    assert cli("status").exit_code == 2
    assert cli("status", "--json").exit_code == 2


def test_while_a_sync_holds_the_lease_status_says_so_and_another_sync_exits_0_doing_nothing(env, local):
    forms = env.forms
    form_id, _ = ensure_lease_form(forms, env.drive)
    holder = Lease(forms, form_id, 600, lambda: datetime.now(UTC), holder="elsewhere 42 abcd")
    holder.acquire()
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    result = cli("sync")
    assert result.exit_code == 0 and "another sync holds the run's lease (elsewhere 42 abcd" in result.output
    assert not any(f["appProperties"]["target"] == HEART for f in env.drive.find("spreadsheet"))
    code, found = status_json()
    assert found["lease"]["holder"] == "elsewhere 42 abcd"
    holder.release(None)
    assert cli("sync").exit_code == 0
    assert [r["Name"] for r in env.records(HEART)] == ["Robin Applicant"]


def test_a_lease_renews_after_a_third_and_a_runner_that_stalled_past_it_stops_when_another_took_it(env):
    form_id, _ = ensure_lease_form(env.forms, env.drive)
    clock = {"now": datetime(2026, 11, 24, 9, 0, tzinfo=UTC)}
    first = Lease(env.forms, form_id, 30, lambda: clock["now"], holder="first")
    first.acquire()
    clock["now"] += timedelta(seconds=5)
    first.check()  # under a third: nothing written
    assert read_record(env.forms, form_id)[0].expires == "2026-11-24T09:00:30Z"
    clock["now"] += timedelta(seconds=6)
    first.check()  # past a third: renewed from now
    assert read_record(env.forms, form_id)[0].expires == "2026-11-24T09:00:41Z"
    second = Lease(env.forms, form_id, 30, lambda: clock["now"], holder="second")
    try:
        second.acquire()
        raise AssertionError("the lease was taken while held")
    except LeaseHeld:
        pass
    clock["now"] += timedelta(seconds=31)  # the first stalls past its lease: the second takes it over
    second.acquire()
    try:
        first.check()
        raise AssertionError("a runner whose lease was taken went on")
    except LeaseLost as lost:
        assert "sync.lease_seconds" in str(lost)
    assert read_record(env.forms, form_id)[0].holder == "second"
    assert not first.release({"exit_code": 0})  # nor can it give back what is not its own
    assert read_record(env.forms, form_id)[0].holder == "second"


def test_a_lease_write_google_applied_but_answered_500_is_still_this_runs_lease(env, local):
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    ensure_lease_form(env.forms, env.drive)
    # The lease's compare-and-set lands, its answer is a 500; the repeat is refused (the revision moved on,
    # by this run's own write): the run has the lease all the same, and syncs.
    local.json(
        "POST", "/_local/faults", {"method_id": "forms.forms.batchUpdate", "mode": "error_500_after_apply", "times": 1}
    )
    result = cli("sync")
    assert result.exit_code == 0 and "holds the run's lease" not in result.output, result.output
    assert [r["Name"] for r in env.records(HEART)] == ["Robin Applicant"]
    assert status_json()[1]["lease"] is None  # given back: the next sync is not kept waiting


def test_a_renewal_google_applied_but_answered_500_keeps_the_lease(env, local):
    form_id, _ = ensure_lease_form(env.forms, env.drive)
    clock = {"now": datetime(2026, 11, 24, 9, 0, tzinfo=UTC)}
    lease = Lease(env.forms, form_id, 30, lambda: clock["now"], holder="first")
    lease.acquire()
    clock["now"] += timedelta(seconds=11)
    local.json(
        "POST", "/_local/faults", {"method_id": "forms.forms.batchUpdate", "mode": "error_500_after_apply", "times": 1}
    )
    lease.check()  # renewed, though its answer was lost: no LeaseLost
    assert lease.held and read_record(env.forms, form_id)[0].expires == "2026-11-24T09:00:41Z"
    assert lease.release({"exit_code": 0}) and read_record(env.forms, form_id)[0].holder == ""


def test_the_last_runs_requests_count_the_files_and_forms_it_created(env, local):
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    before = len(local.requests())
    assert cli("sync").exit_code == 0  # the first: it makes the lease form and the spreadsheets
    made = [r["methodId"].split(".")[0] for r in local.requests()[before:]]
    counted = status_json()[1]["last_run"]["requests"]
    assert counted["drive"] == made.count("drive") and counted["sheets"] == made.count("sheets")
    assert counted["forms"] == made.count("forms") - 1  # all but the lease's giving back, after the record


def test_status_waits_out_refusals_under_the_configs_retries_as_a_sync_does(env, local):
    assert cli("sync").exit_code == 0
    config = env.root / "ppp-gsuite.yaml"
    config.write_text(
        config.read_text() + "\nretries: {attempts: 9, first_wait_seconds: 0.01, longest_wait_seconds: 0.02}\n"
    )
    local.json("POST", "/_local/faults", {"method_id": "drive.files.list", "mode": "error_429", "times": 7})
    result = cli("status", "--json")
    assert result.exit_code == 0, result.output  # 7 refusals, 9 attempts: the config's retries are status's too
    assert json.loads(result.stdout)["last_run"]["exit_code"] == 0
