"""Emails from sync over real HTTP: each due email sent exactly once, or flagged for a person."""

import email
import email.policy
import shutil
from datetime import timedelta

import pytest
from click.testing import CliRunner

from ppp_gsuite.cli import main
from ppp_gsuite.config import Person
from ppp_gsuite.google.gmail_api import GmailSender
from ppp_gsuite.sheets.a1 import cell_range
from ppp_gsuite.sync.mailer import UNKNOWN
from sync_env import EOI, MINIMAL, TAB, Crash, KilledAt

HEART = "opportunity:heart-board"


def outbox(local):
    return local.json("GET", "/_local/gmail/messages")["messages"]


def to_applicants(local):
    return [m for m in outbox(local) if "alex@example.org" not in m["to"] and "jo@example.org" not in m["to"]]


def log(env):
    return {r["Key"]: r for r in env.records("admin", "Email log")}


def set_status(env, name, status, header="Status"):
    values = env.tab(HEART)
    headers = values[0]
    number = next(
        i for i, row in enumerate(values) if len(row) > headers.index("Name") and row[headers.index("Name")] == name
    )
    column = headers.index(header)
    env.write(HEART, [(cell_range(TAB, number + 1, column, column), [[status]])])


def test_eoi_received_is_sent_once_and_noted_on_the_row(env, local):
    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    env.apply(emails=True)
    env.apply(emails=True)
    sent = to_applicants(local)
    assert len(sent) == 1
    assert sent[0]["to"] == "Robin Applicant <robin@example.org>"
    row = env.records(HEART)[0]
    assert row["Last email"].startswith("eoi received: sent")
    reference = row["Reference"]
    assert f"={reference}" in sent[0]["text"]  # the prefilled preferences link
    assert "Alex Lead" in sent[0]["text"]  # the lead contact is named
    assert list(log(env)) and all(r["State"] == "sent" for r in log(env).values())


def test_a_decision_waits_for_the_grace_period_and_undoing_it_sends_nothing(env, local):
    env.answer("eoi-heart-board", EOI, full_name="Robin", email="robin@example.org")
    env.apply(emails=True)
    set_status(env, "Robin", "Not appointed")
    env.apply(emails=True, minutes=1)
    set_status(env, "Robin", "Shortlisted")  # a mis-click, undone within the grace period
    for _ in range(4):
        env.apply(emails=True, minutes=10)
    assert [m["subject"] for m in to_applicants(local)] == [to_applicants(local)[0]["subject"]]  # eoi_received only
    set_status(env, "Robin", "Appointed")
    env.apply(emails=True, minutes=1)
    assert len(to_applicants(local)) == 1
    env.apply(emails=True, minutes=1)
    assert env.job.report.waiting == 1  # shown by sync: set, but not yet past the grace period
    env.apply(emails=True, minutes=20)
    env.apply(emails=True, minutes=20)
    sent = to_applicants(local)
    assert len(sent) == 2
    assert "Welcome" in sent[1]["subject"]
    assert sent[1]["replyTo"] == "Alex Lead <alex@example.org>"
    set_status(env, "Robin", "Shortlisted")
    env.apply(emails=True, minutes=20)
    set_status(env, "Robin", "Appointed")  # back to a status already emailed: nothing more
    env.apply(emails=True, minutes=20)
    env.apply(emails=True, minutes=20)
    assert len(to_applicants(local)) == 2


def test_a_send_applied_then_dropped_is_delivered_once_and_flagged(env, local):
    env.answer("eoi-heart-board", EOI, full_name="Robin", email="robin@example.org")
    local.json("POST", "/_local/faults", {"method_id": "gmail.users.messages.send", "mode": "apply_then_drop"})
    env.apply(emails=True)
    assert env.job.mail_report.unknown == 1
    env.apply(emails=True)
    env.apply(emails=True)
    assert len(to_applicants(local)) == 1
    entry = next(r for k, r in log(env).items() if "|eoi_received|" in k)
    assert entry["State"] == UNKNOWN
    result = CliRunner().invoke(main, ["status"])
    assert result.exit_code == 1
    assert "UNKNOWN OUTCOME" in result.output and "|eoi_received|" in result.output
    assert "robin" not in result.output.lower()  # no personal data in what cron logs


@pytest.mark.parametrize("found", ["--sent", "--retry"])
def test_an_unknown_outcome_is_settled_either_way_and_status_stops_failing(env, local, found):
    env.answer("eoi-heart-board", EOI, full_name="Robin", email="robin@example.org")
    local.json("POST", "/_local/faults", {"method_id": "gmail.users.messages.send", "mode": "apply_then_drop"})
    env.apply(emails=True)
    key = next(k for k in log(env) if "|eoi_received|" in k)
    assert CliRunner().invoke(main, ["status"]).exit_code == 1
    settled = CliRunner().invoke(main, ["email", "settle", key, found])
    assert settled.exit_code == 0, settled.output
    assert CliRunner().invoke(main, ["status"]).exit_code == 0
    env.apply(emails=True)
    env.apply(emails=True)
    assert env.job.mail_report.waiting_for_a_person == 0
    # the first send was applied: settled as sent it is never sent again; as retry, once more
    assert len(to_applicants(local)) == (1 if found == "--sent" else 2)
    again = CliRunner().invoke(main, ["email", "settle", key, "--retry"])
    assert again.exit_code == 1 and "not waiting for a person" in again.output
    assert len(to_applicants(local)) == (1 if found == "--sent" else 2)


@pytest.mark.parametrize("typed", ["sent", "Retry "])
def test_a_person_can_settle_an_unknown_outcome_in_the_sheet(env, local, typed):
    env.answer("eoi-heart-board", EOI, full_name="Robin", email="robin@example.org")
    local.json("POST", "/_local/faults", {"method_id": "gmail.users.messages.send", "mode": "apply_then_drop"})
    env.apply(emails=True)
    values = env.tab("admin", "Email log")
    number = next(n for n, row in enumerate(values) if "|eoi_received|" in row[0])
    column = values[0].index("State")
    env.write("admin", [(cell_range("Email log", number + 1, column, column), [[typed]])])
    assert CliRunner().invoke(main, ["status"]).exit_code == 0
    env.apply(emails=True)
    env.apply(emails=True)
    assert len(to_applicants(local)) == (1 if typed == "sent" else 2)


def test_an_interview_invitation_waits_for_its_details_says_so_and_its_grace_runs_from_the_last_edit(env, local):
    env.answer("eoi-heart-board", EOI, full_name="Robin", email="robin@example.org")
    env.apply(emails=True)
    set_status(env, "Robin", "Invited to interview")
    env.apply(emails=True, minutes=30)
    env.apply(emails=True, minutes=30)
    assert len(to_applicants(local)) == 1  # eoi_received only: no details yet
    row = env.records(HEART)[0]
    assert "invitation held" in row["Needs checking"]
    assert "Interview date and time" in row["Needs checking"] and "Who will be there" in row["Needs checking"]
    assert env.job.report.held_invitations == 1
    result = CliRunner().invoke(main, ["status"])
    assert "interview invitations held" in result.output and "robin" not in result.output.lower()
    set_status(env, "Robin", "Tuesday 3 December, 2pm", "Interview date and time")
    env.apply(emails=True, minutes=30)
    env.apply(emails=True, minutes=30)
    assert len(to_applicants(local)) == 1  # a date alone is not an invitation: no empty "Where:"
    assert "Where or Teams link" in env.records(HEART)[0]["Needs checking"]
    assert "Interview date and time" not in env.records(HEART)[0]["Needs checking"]
    set_status(env, "Robin", "Room 4, Trust HQ", "Where or Teams link")
    set_status(env, "Robin", "Sam Chair", "Who will be there")
    env.apply(emails=True, minutes=1)
    assert "invitation held" not in env.records(HEART)[0]["Needs checking"]
    env.apply(emails=True, minutes=5)
    assert len(to_applicants(local)) == 1  # the status stood long ago, the details were just typed: grace
    assert env.job.report.waiting == 1
    env.apply(emails=True, minutes=20)
    sent = to_applicants(local)
    assert len(sent) == 2
    assert "Where: Room 4, Trust HQ" in sent[1]["text"] and "Who you will meet: Sam Chair" in sent[1]["text"]
    assert CliRunner().invoke(main, ["status"]).exit_code == 0
    assert "interview invitations held" not in CliRunner().invoke(main, ["status"]).output


def test_claims_unread_miles_duplicates_the_approvers_digest_and_replies_to_the_approver(env, local):
    env.answer("eoi-heart-board", EOI, full_name="Robin", email="robin@example.org")
    env.apply()
    reference = env.records(HEART)[0]["Reference"]
    env.answer("expenses", "expenses", reference=reference, how="Car", when="2026-11-01", miles="about twenty")
    env.answer("expenses", "expenses", reference=reference, how="Car", when="2026-11-02", miles="10", fares="2")
    env.answer("expenses", "expenses", reference=reference, how="Car", when="2026-11-02", miles="10", fares="2")
    config = env.loaded.workspace.config
    approvers = config.model_copy(
        update={
            "expenses_approvers": [*config.expenses_approvers, Person(name="Kim Accounts", email="kim@example.org")]
        }
    )
    env.apply(emails=True, config=approvers)
    received = {
        m["text"].split("Date: ")[1].splitlines()[0]: m
        for m in outbox(local)
        if "robin@" in m["to"] and "expenses claim" in m["subject"]
    }
    unread = received["Sunday 1 November 2026"]["text"]
    assert "could not read the number of miles" in unread and "£0.00" not in unread and "will be in touch" in unread
    assert "Total: £6.50" in received["Monday 2 November 2026"]["text"]
    claims = sorted(
        env.records("expenses", "Expense claims"), key=lambda r: (r["Date"], r["Submitted"], r["Response ID"])
    )
    assert "possible duplicate" not in claims[0]["Needs checking"] + claims[1]["Needs checking"]
    assert "possible duplicate" in claims[2]["Needs checking"]
    digests = [m for m in outbox(local) if "pat@example.org" in m["to"]]
    assert len(digests) == 1 and "3 new expense claims" in digests[0]["text"]
    assert env.records("expenses", "Expense claims") and "Robin" not in digests[0]["text"] + digests[0]["subject"]
    spreadsheet = next(f for f in env.drive.find("spreadsheet") if f["appProperties"]["target"] == "expenses")
    assert spreadsheet["webViewLink"] in digests[0]["text"]
    assert len([m for m in outbox(local) if "kim@example.org" in m["to"]]) == 1  # each approver
    env.apply(emails=True, minutes=60, config=approvers)
    assert len([m for m in outbox(local) if "pat@example.org" in m["to"]]) == 1  # once a day
    values = env.tab("expenses", "Expense claims")
    column = values[0].index("Claim status")
    env.write("expenses", [(cell_range("Expense claims", 2, column, column), [["Approved"]])])
    env.apply(emails=True, minutes=20, config=approvers)
    env.apply(emails=True, minutes=20, config=approvers)
    approved = [m for m in outbox(local) if "robin@" in m["to"] and "approved" in m["subject"].lower()]
    assert (
        len(approved) == 1 and approved[0]["replyTo"] == "Pat Finance <pat@example.org>, Kim Accounts <kim@example.org>"
    )


def test_the_daily_cap_holds_the_rest_for_later_runs(env, local):
    for n in range(12):
        env.answer("eoi-heart-board", EOI, full_name=f"Person {n}", email=f"p{n}@example.org")
    config = env.loaded.workspace.config
    capped = config.model_copy(update={"email": config.email.model_copy(update={"daily_cap": 5, "digest_hour": 23})})
    env.clock = env.clock.replace(hour=9)
    env.apply(emails=True, config=capped)
    assert env.job.mail_report.sent == 5 and env.job.mail_report.held == 7
    env.apply(emails=True, config=capped)  # same day: the cap is reached
    assert len(to_applicants(local)) == 5
    env.apply(emails=True, config=capped, minutes=24 * 60)
    env.apply(emails=True, config=capped, minutes=24 * 60)
    env.apply(emails=True, config=capped, minutes=24 * 60)
    sent = to_applicants(local)
    assert len(sent) == 12
    assert len({m["to"] for m in sent}) == 12


HEADER_PAYLOADS = [
    ("Robin\r\nBcc: victim@example.org", "ok1@example.org"),
    ("=?utf-8?q?Robin=0ABcc:_victim@example.org?=", "ok2@example.org"),
    ("Robin, Eve <eve@example.org>", "ok3@example.org"),
    ("<Robin>", "ok4@example.org"),
    ("R" * 5000, "ok5@example.org"),
    ("Eve", "eve@example.org, victim@example.org"),
    ("Eve", "Eve <eve@example.org>"),
    ("Eve", "eve@example.org\r\nBcc: victim@example.org"),
    ("Eve", "not an address"),
]


def test_header_payloads_never_add_a_recipient_and_bad_addresses_are_flagged(env, local):
    for name, address in HEADER_PAYLOADS:
        env.answer("eoi-heart-board", EOI, full_name=name, email=address)
    env.apply(emails=True)
    sent = to_applicants(local)
    assert len(sent) == 5
    for message in sent:
        parsed = email.message_from_bytes(
            bytes(message["raw"], "ascii") if False else _raw(message), policy=email.policy.default
        )
        assert len(parsed["To"].addresses) == 1
        assert parsed["To"].addresses[0].addr_spec in {f"ok{n}@example.org" for n in range(1, 6)}
        assert parsed["Cc"] is None and parsed["Bcc"] is None
    env.apply(emails=True)  # the next run notes each row's last email, from the email log
    assert len(to_applicants(local)) == 5
    rows = {r["Email"]: r for r in env.records(HEART)}
    for _, address in HEADER_PAYLOADS[5:]:
        assert rows[address]["Last email"].startswith("eoi received: not sent:"), rows[address]["Last email"]


def _raw(message):
    import base64

    return base64.urlsafe_b64decode(message["raw"] + "=" * (-len(message["raw"]) % 4))


def test_html_in_answers_is_escaped_in_html_and_verbatim_in_text(env, local):
    name = '<script>alert("x")</script><b>Robin</b>'
    env.answer("eoi-heart-board", EOI, full_name=name, email="robin@example.org")
    env.apply(emails=True)
    message = to_applicants(local)[0]
    assert name in message["text"]
    assert "<script>" not in message["html"] and "&lt;script&gt;" in message["html"]


def test_a_template_with_an_unknown_variable_fails_validate_with_file_and_line(tmp_path, monkeypatch):
    shutil.copytree(MINIMAL, tmp_path / "ws", symlinks=False)
    monkeypatch.chdir(tmp_path / "ws")
    text_file = tmp_path / "ws" / "email_templates" / "eoi_received.txt"
    lines = text_file.read_text().splitlines()
    lines.insert(2, "Your lucky number is {{ person.lucky_number }}.")
    text_file.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 2
    assert "email_templates/eoi_received.txt:3:" in result.stderr
    assert "lucky_number" in result.stderr


@pytest.mark.parametrize("after", [False, True], ids=["killed-before-each-call", "killed-after-each-call"])
def test_killing_the_sync_at_every_step_never_sends_an_email_twice(env, local, after):
    for n in range(3):
        env.answer("eoi-heart-board", EOI, full_name=f"Heart {n}", email=f"h{n}@example.org")
    env.answer("eoi-eye-group", EOI, full_name="Eye 0", email="e0@example.org")
    sender = GmailSender(local.session(), local.url)
    step, crashes = 1, 0
    while True:
        env.clock += timedelta(minutes=1)
        job = KilledAt(step, after).sync(env, send=sender.send)
        try:
            job.run()
            break
        except Crash:
            crashes += 1
            step += 1
    assert crashes > 15
    env.apply(emails=True)
    env.apply(emails=True)
    sent = to_applicants(local)
    recipients = [m["to"] for m in sent]
    assert len(recipients) == len(set(recipients)), "an email was sent twice"
    entries = log(env)
    states = {key: entry["State"] for key, entry in entries.items() if "|eoi_received|" in key}
    assert len(states) == 4
    assert set(states.values()) <= {"sent", UNKNOWN}
    delivered = {m["to"].split("<")[1].rstrip(">") for m in sent}
    for row in env.records(HEART) + env.records("opportunity:eye-group"):
        key = next(k for k in states if k.startswith(row["Response ID"]))
        if states[key] == "sent":
            assert row["Email"] in delivered
    assert sum(1 for s in states.values() if s == UNKNOWN) <= 10


def test_preview_email_fills_in_a_real_row(env, tmp_path):
    response = env.answer("eoi-heart-board", EOI, full_name="Robin Preview", email="robin@example.org")
    env.apply()
    result = CliRunner().invoke(
        main,
        [
            "preview-email",
            "appointed",
            "--response",
            response["responseId"],
            "--output",
            str(tmp_path / "appointed.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Robin Preview" in result.output and "Heart Care Board" in result.output
    assert "Robin Preview" in (tmp_path / "appointed.html").read_text()
    missing = CliRunner().invoke(main, ["preview-email", "appointed", "--response", "nope"])
    assert missing.exit_code == 1 and "Response ID column" in missing.output
    sample = CliRunner().invoke(main, ["preview-email", "eoi_received", "--output", str(tmp_path / "s.html")])
    assert sample.exit_code == 0 and "Subject:" in sample.output


def test_gmail_refusing_for_its_own_limits_holds_the_mail_for_a_later_run(env, local):
    for n in range(3):
        env.answer("eoi-heart-board", EOI, full_name=f"Person {n}", email=f"p{n}@example.org")
    calls = []

    def limited(raw):
        from ppp_gsuite.google.gmail_api import SendRefused

        calls.append(raw)
        raise SendRefused(429, "RESOURCE_EXHAUSTED", "User-rate limit exceeded", "rateLimitExceeded")

    env.apply(emails=True, send=limited)
    # the first email was tried again after waits (a 429 sends nothing), then everything was held
    assert len(calls) > 1 and set(calls) == {calls[0]} and env.job.mail_report.held >= 3
    env.apply(emails=True)
    assert len(to_applicants(local)) == 3


FUTURE = "You told us you would like to hear about future opportunities"


@pytest.mark.parametrize("later", [None, "Yes", "No"])
def test_not_appointed_mentions_future_roles_only_if_the_latest_answer_agrees(env, local, later):
    env.answer("eoi-heart-board", EOI, full_name="Robin", email="robin@example.org", consent_future="Yes")
    env.apply(emails=True)
    if later:  # changed later through the preferences form
        env.answer(
            "preferences", "preferences", **env.as_sent(env.records(HEART)[0]["Reference"]), future_opportunities=later
        )
    env.apply(emails=True)
    set_status(env, "Robin", "Not appointed")
    env.apply(emails=True)
    env.apply(emails=True, minutes=20)
    [decision] = [m for m in to_applicants(local) if "Thank you for your interest in the" not in m["subject"]]
    assert (FUTURE in decision["text"]) == (later != "No")


def test_last_email_is_noted_in_the_run_that_sent_it_on_the_right_row_after_a_sort(env, local):
    """Issue 10.5: right after 'emails: N sent' the row shows it (it used to appear one run late); the rows are
    found again after the sends, so a lead who sorted meanwhile does not move the note to someone else."""
    from ppp_gsuite.sheets.a1 import cell_range as a1

    env.answer("eoi-heart-board", EOI, full_name="Robin Applicant", email="robin@example.org")
    env.apply(emails=True)
    assert env.job.mail_report.sent >= 1
    rows = env.records(HEART)
    assert rows[0]["Last email"].startswith("eoi received: sent"), rows[0]["Last email"]

    env.answer("eoi-heart-board", EOI, full_name="Sasha Applicant", email="sasha@example.org")
    moved = []

    real = GmailSender(local.session(), local.url).send

    def send(raw):
        """The lead moves Sasha's row above Robin's while the sync is sending (after the rows were written)."""
        if not moved:
            moved.append(True)
            values = env.tab(HEART)
            env.write(
                HEART,
                [
                    (
                        a1(TAB, 2, 0, len(values[0]) - 1, 3),
                        [
                            values[2] + [""] * (len(values[0]) - len(values[2])),
                            values[1] + [""] * (len(values[0]) - len(values[1])),
                        ],
                    )
                ],
            )
        return real(raw)

    env.apply(emails=True, send=send)
    by_name = {r["Name"]: r for r in env.records(HEART)}
    assert [r["Name"] for r in env.records(HEART)] == ["Sasha Applicant", "Robin Applicant"]
    assert by_name["Sasha Applicant"]["Last email"].startswith("eoi received: sent")
    assert by_name["Robin Applicant"]["Last email"] == rows[0]["Last email"]


def test_a_claim_decision_is_emailed_by_a_run_that_lists_nothing_new(env, local):
    """Found in review: claims were matched to their partner only in runs that listed responses, so an
    approval waited for the next new response or the daily full rescan."""
    from sync_env import NothingNew

    env.answer("eoi-heart-board", EOI, full_name="Robin", email="robin@example.org")
    env.apply()
    reference = env.records(HEART)[0]["Reference"]
    env.answer("expenses", "expenses", reference=reference, how="Car", when="2026-11-02", miles="10", fares="2")
    env.apply(emails=True)
    values = env.tab("expenses", "Expense claims")
    column = values[0].index("Claim status")
    env.write("expenses", [(cell_range("Expense claims", 2, column, column), [["Approved"]])])
    for _ in range(2):  # noted, then past the grace period: no response listed in either
        env.apply(emails=True, minutes=30, forms=NothingNew(env.forms))
    approved = [m for m in outbox(local) if "robin@" in m["to"] and "approved" in m["subject"].lower()]
    assert len(approved) == 1


def test_each_approvers_digest_counts_from_their_own_last_one_so_a_held_one_is_sent_later(env, local):
    """Found in review: the claims digest counted from the last digest sent to any approver, so the second
    approver's, held by the daily cap, found nothing new and was never sent."""
    from datetime import UTC, datetime

    env.clock = datetime.now(UTC)  # the local Forms service stamps responses with the real time
    env.answer("eoi-heart-board", EOI, full_name="Robin", email="robin@example.org")
    env.apply()
    reference = env.records(HEART)[0]["Reference"]
    env.answer("expenses", "expenses", reference=reference, how="Car", when="2026-11-02", miles="10", fares="2")
    config = env.loaded.workspace.config
    approvers = [*config.expenses_approvers, Person(name="Kim Accounts", email="kim@example.org")]
    two = config.model_copy(
        update={
            "expenses_approvers": approvers,
            "email": config.email.model_copy(update={"daily_cap": 4, "digest_hour": 0}),
        }
    )
    env.apply(emails=True, config=two)
    roomy = two.model_copy(update={"email": two.email.model_copy(update={"daily_cap": 100})})
    for minutes in (60, 24 * 60):
        env.apply(emails=True, config=roomy, minutes=minutes)
    for approver in approvers:
        digests = [m for m in outbox(local) if approver.email in m["to"]]
        assert len(digests) == 1, (approver.email, [m["subject"] for m in digests])
    keys = [k for k in log(env) if "|claims_digest|" in k]
    assert not any("@" in k for k in keys)  # the log keys hold no addresses


def log_so_far(env):
    """The email log, or nothing when a crash came before the admin spreadsheet or its tabs were made."""
    from ppp_gsuite.google.errors import GoogleApiError

    try:
        return log(env)
    except (StopIteration, GoogleApiError):
        return {}


@pytest.mark.parametrize("after", [False, True], ids=["killed-before-each-call", "killed-after-each-call"])
def test_a_crash_leaves_at_most_the_one_send_under_way_unknown(env, local, after):
    """Intents are written one send at a time: killed anywhere, a run leaves at most one email whose outcome
    nobody knows (the one being sent), never a batch of emails that were never sent."""
    for n in range(12):
        env.answer("eoi-heart-board", EOI, full_name=f"Heart {n}", email=f"h{n}@example.org")
    sender = GmailSender(local.session(), local.url)
    step, waiting = 1, 0
    while True:
        env.clock += timedelta(minutes=1)
        job = KilledAt(step, after).sync(env, send=sender.send)
        try:
            job.run()
            break
        except Crash:
            step += 1
        now = sum(1 for entry in log_so_far(env).values() if entry["State"] in ("sending", UNKNOWN))
        assert now - waiting <= 1, f"a crash at call {step - 1} left {now - waiting} emails' outcomes unknown"
        waiting = now
    assert step > 20
