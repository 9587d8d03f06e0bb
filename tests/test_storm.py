"""Under Google's quotas and faults: what is safe to repeat is repeated, creates are reconciled, and only a
send's own lost answer leaves an email's outcome unknown."""

from collections import Counter
from datetime import timedelta

import pytest

from ppp_gsuite.errors import PppError
from ppp_gsuite.forms.deploy import deploy
from ppp_gsuite.google.drive_api import FORM_MIME, DriveApi
from ppp_gsuite.google.errors import GoogleApiError
from ppp_gsuite.google.forms_api import FormsApi
from ppp_gsuite.google.gmail_api import GmailSender
from ppp_gsuite.google.retry import RetryPolicy
from ppp_gsuite.google.sheets_api import SheetsApi
from ppp_gsuite.sheets.a1 import cell_range
from ppp_gsuite.vocabulary import APPOINTED, NOT_APPOINTED, SENT, UNKNOWN
from sync_env import EOI, TAB, quick_retries

AMBIGUOUS = {"apply_then_drop", "error_500_after_apply"}  # the call was done, its answer lost
SEND = "gmail.users.messages.send"
TARGETS = {"heart-board": "opportunity:heart-board", "eye-group": "opportunity:eye-group"}


def arm(local, method_id, mode, **more):
    local.json("POST", "/_local/faults", {"method_id": method_id, "mode": mode, **more})


def adapters(local, policy):
    clients = local.clients()
    return FormsApi(clients.forms, policy), DriveApi(clients.drive, policy), SheetsApi(clients.sheets, policy)


def all_forms(drive):
    return drive._list(f"mimeType = '{FORM_MIME}' and trashed = false")


# -- the policy, call by call --------------------------------------------------------------------------


def test_a_429_is_waited_for_at_least_its_retry_after_then_the_read_goes_through(env, local):
    waits = []
    policy = RetryPolicy(first_wait=0.01, longest_wait=0.05, sleep=waits.append)
    sheets = adapters(local, policy)[2]
    env.apply()
    admin = env.spreadsheet("admin")
    arm(local, "sheets.spreadsheets.values.batchGet", "error_429", retry_after=7)
    assert sheets.read_tabs(admin, ["Email log"])["Email log"][1]  # answered after the wait
    assert waits and waits[0] >= 7  # Google's Retry-After, not the (shorter) backoff


def test_the_backoff_grows_with_full_jitter_and_stops_at_its_attempts(env, local):
    waits = []
    policy = RetryPolicy(attempts=4, first_wait=1, longest_wait=3, sleep=waits.append)
    sheets = adapters(local, policy)[2]
    env.apply()
    admin = env.spreadsheet("admin")
    arm(local, "sheets.spreadsheets.values.batchGet", "error_429", times=10)
    with pytest.raises(GoogleApiError) as refused:
        sheets.read_tabs(admin, ["Email log"])
    assert refused.value.code == 429
    assert len(waits) == 3  # four attempts, three waits between them
    assert all(0 <= wait <= ceiling for wait, ceiling in zip(waits, [1, 2, 3]))


def test_a_run_stops_waiting_once_its_budget_is_spent(env, local):
    waits = []
    policy = RetryPolicy(attempts=50, first_wait=1, longest_wait=1, budget=2.5, sleep=waits.append)
    sheets = adapters(local, policy)[2]
    env.apply()
    arm(local, "sheets.spreadsheets.values.batchGet", "error_429", times=100)
    with pytest.raises(GoogleApiError):
        sheets.read_tabs(env.spreadsheet("admin"), ["Email log"])
    assert sum(waits) <= 2.5 and len(waits) < 49


def test_a_batch_update_that_is_not_idempotent_is_never_repeated_blindly(env, local):
    policy = quick_retries()
    sheets = adapters(local, policy)[2]
    env.apply()
    admin = env.spreadsheet("admin")
    tabs = lambda: [s["properties"]["title"] for s in sheets.metadata(admin)["sheets"]]  # noqa: E731
    before = len(tabs())
    arm(local, "sheets.spreadsheets.batchUpdate", "error_500_after_apply")
    with pytest.raises(GoogleApiError):  # applied, but nobody can tell without looking: not sent again
        sheets.batch_update(admin, [{"addSheet": {"properties": {"title": "Extra"}}}])
    assert tabs().count("Extra") == 1
    arm(local, "sheets.spreadsheets.batchUpdate", "error_500_after_apply")
    looked = sheets.batch_update(
        admin,
        [{"addSheet": {"properties": {"title": "Another"}}}],
        applied=lambda: {} if "Another" in tabs() else None,
    )
    assert looked == {} and tabs().count("Another") == 1 and len(tabs()) == before + 2


# -- creates whose answer was lost ---------------------------------------------------------------------


def test_a_dropped_answer_to_files_create_leaves_one_spreadsheet_per_target(env, local):
    arm(local, "drive.files.create", "apply_then_drop")
    env.apply()
    tagged = Counter(f["appProperties"]["target"] for f in env.drive.find("spreadsheet"))
    assert tagged and set(tagged.values()) == {1}, tagged
    assert env.job.report.created  # the run went on and made the rest


def test_a_spare_spreadsheet_tagged_for_a_target_is_reported_and_trashed(env, local):
    env.apply()
    spare = env.drive.create_spreadsheet(
        "Spare", {"ppp_gsuite": "spreadsheet", "target": TARGETS["heart-board"], "layout": "pending"}
    )
    env.apply()
    assert any("spare" in line for line in env.job.report.spares)
    tagged = [f for f in env.drive.find("spreadsheet") if f["appProperties"]["target"] == TARGETS["heart-board"]]
    assert [f["id"] for f in tagged] != [spare["id"]] and len(tagged) == 1
    trashed = env.drive._list("name = 'Spare' and trashed = true")
    assert [f["id"] for f in trashed] == [spare["id"]]


def test_a_dropped_answer_to_forms_create_leaves_one_form_per_target(env, local):
    before = len(all_forms(env.drive))  # the env deployed every form once already
    for file in env.drive.find("form"):
        env.drive.trash(file["id"])
    arm(local, "forms.forms.create", "apply_then_drop", after=1)
    outcomes = deploy(env.loaded.targets, env.forms, env.drive, env.clock.date())
    assert not [o.problem for o in outcomes if o.problem]
    tagged = Counter(f["appProperties"]["target"] for f in env.drive.find("form"))
    assert set(tagged.values()) == {1} and len(tagged) == len(env.loaded.targets)
    assert len(all_forms(env.drive)) == before  # no untagged extra anywhere


def test_a_spare_untagged_form_is_reported_and_trashed_when_its_target_is_deployed(env, local):
    file = next(f for f in env.drive.find("form") if f["appProperties"]["target"] == "eoi-heart-board")
    title = env.forms.get(file["id"])["info"]["documentTitle"]
    env.drive.trash(file["id"])
    spare = env.forms.create({"info": {"title": title, "documentTitle": title}})  # as a lost answer leaves it
    outcomes = deploy(env.loaded.targets, env.forms, env.drive, env.clock.date())
    heart = next(o for o in outcomes if o.target.key == "eoi-heart-board")
    assert any("spare" in step for step in heart.steps)
    assert spare["formId"] not in {f["id"] for f in all_forms(env.drive)}
    assert heart.form_id != spare["formId"]


# -- the storm -----------------------------------------------------------------------------------------


def decide(env, target, rows, statuses):
    """The lead sets Status on some rows (through the retrying adapter: the storm hits the lead too)."""
    values = env.tab(target)
    headers = values[0]
    status, rid = headers.index("Status"), headers.index("Response ID")
    where = {row[rid]: n for n, row in enumerate(values) if len(row) > rid}
    env.write(
        target,
        [
            (cell_range(TAB, where[response_id] + 1, status, status), [[decision]])
            for response_id, decision in zip(rows, statuses)
        ],
    )


def test_a_storm_of_quotas_429s_500s_and_dropped_answers(env, local):
    """Ten runs with 10% of calls answered 429, 5% answered 500 after being applied and 2% dropped after
    being applied, quotas on, 1,000 responses, decisions set between runs."""
    responses = {}
    for n in range(1000):
        key = "eoi-heart-board" if n % 2 else "eoi-eye-group"
        body = env.answer_body(EOI, full_name=f"Person {n}", email=f"p{n}@example.org")
        body["createTime"] = f"2026-10-{1 + n % 28:02d}T10:{n % 60:02d}:00Z"  # weeks ago: no receipts are due
        responses.setdefault(key, []).append(local.add_response(env.form_ids[key], body)["responseId"])
    env.clock += timedelta(hours=12)  # past the digest hour: the leads' digests are due once a day
    env.apply(emails=True)  # the first, calm, sync: spreadsheets made, every row written
    decided: dict[str, str] = {}
    local.quotas(enforce=True)
    local.json(
        "POST",
        "/_local/faults/storm",
        {"seed": 13, "rate_limited": 0.10, "error_after_apply": 0.05, "dropped_after_apply": 0.02},
    )
    exits, sent_in_storm = [], 0
    pool = {key: list(ids) for key, ids in responses.items()}
    for _ in range(10):
        local.quotas(clear=True)  # runs are minutes apart: each starts with a fresh minute of quota
        for key, target in (("eoi-heart-board", TARGETS["heart-board"]), ("eoi-eye-group", TARGETS["eye-group"])):
            rows = [pool[key].pop() for _ in range(4)]
            statuses = [APPOINTED if n % 2 else NOT_APPOINTED for n in range(4)]
            decide(env, target, rows, statuses)
            decided.update(zip(rows, statuses))
        env.clock += timedelta(minutes=20)  # past the grace period of the last round's decisions
        policy = quick_retries()
        forms, drive, sheets = adapters(local, policy)
        job = env.sync(forms, drive, sheets, send=GmailSender(local.session(), local.url).send)
        try:
            job.run()
            exits.append(0)
        except PppError:  # what the CLI prints as one line and exit 1; anything else is a traceback
            exits.append(1)
        sent_in_storm = len(decision_mail(local, decided))
    storm = local.json("GET", "/_local/faults")["storm"]
    local.json("DELETE", "/_local/faults")
    local.quotas(clear=True)
    env.clock += timedelta(minutes=20)
    env.apply(emails=True)  # the calm sync after the storm: any exception fails the test

    assert exits.count(0) >= 8, exits
    assert sum(1 for f in storm["injected"] if f["mode"] == "error_429") > 20  # it was a storm
    for key, target in TARGETS.items():
        ids = Counter(row["Response ID"] for row in env.records(target))
        assert set(ids) == set(responses[f"eoi-{key}"]) and set(ids.values()) == {1}
    log = {r["Key"]: r["State"] for r in env.records("admin", "Email log")}
    delivered = Counter(m["to"] for m in decision_mail(local, decided))
    assert not [to for to, times in delivered.items() if times > 1], "an email went twice"
    unknown = {key for key, state in log.items() if state == UNKNOWN}
    ambiguous_sends = sum(1 for f in storm["injected"] if f["methodId"] == SEND and f["mode"] in AMBIGUOUS)
    assert len(unknown) == ambiguous_sends  # only a send's own lost answer leaves its outcome unknown
    for response_id, status in decided.items():
        key = next((k for k in log if k.startswith(f"{response_id}|") and k.endswith(f"|{status}")), None)
        assert key is not None, "a decision was never emailed"
        assert log[key] in (SENT, UNKNOWN)
    assert sent_in_storm >= 0.8 * len(decided) - 8  # they went during the storm (the last round after it)


def decision_mail(local, decided):
    return [
        m
        for m in local.json("GET", "/_local/gmail/messages")["messages"]
        if "alex@example.org" not in m["to"] and "jo@example.org" not in m["to"]
    ]
