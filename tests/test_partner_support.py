"""Support after appointment, end to end on the local workspace (issue 16): the induction checklist and
the confidentiality agreement; reviews and the end of a term. Each email once; time passes on the
run's clock (env.apply moves it)."""

import re
import shutil
from datetime import timedelta

import pytest
from click.testing import CliRunner

from ppp_gsuite.cli import main
from ppp_gsuite.sheets.a1 import cell_range
from support_env import AGREEMENT, NEEDS, ROOT, SupportEnv, with_support
from sync_env import EOI, TAB

DAY = 24 * 60  # minutes


@pytest.fixture
def support(local, tmp_path, monkeypatch):
    """The minimal workspace with support after appointment switched on (support_env), deployed."""
    with_support(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PPP_GSUITE_LOCAL_URL", local.url)
    return SupportEnv(local, tmp_path)


LEAD = "alex@example.org"


def agree(env, name, form=AGREEMENT):
    env.answer(form, form, **env.as_sent(env.row(name)["Reference"]), agree="I agree", agreed_on="2026-11-25")


def test_an_agreement_answered_is_shown_agreed_and_asked_again_after_its_wording_changes(support):
    env = support
    env.appoint("Ann")
    welcome = env.outbox("ann@example.org", "Welcome")
    assert len(welcome) == 1 and "/confidentiality" not in welcome[0]["text"]  # the stand-in's form link
    assert "viewform" in welcome[0]["text"].split("agree here:")[1].split()[0]  # the agreement's own link
    assert env.row("Ann")["Confidentiality agreement"] == "waiting"
    checklist = env.outbox(LEAD, "Induction for Ann")
    assert len(checklist) == 1 and "Microsoft Teams" in checklist[0]["text"]  # the checklist from the config

    agree(env, "Ann")
    env.apply(emails=True)
    assert re.fullmatch(r"agreed \(version 1, \d{4}-\d\d-\d\d\)", env.row("Ann")["Confidentiality agreement"])
    logged = [r for r in env.records("admin", "Consent log") if r["Consent"] == AGREEMENT]
    assert [r["Answer"] for r in logged] == ["I agree"] and logged[0]["Wording"]

    spec = env.root / "form_specs" / f"{AGREEMENT}.yaml"
    spec.write_text(
        spec.read_text()
        .replace('version: "1"', 'version: "2"')
        .replace("This agreement carries on", "I will not photograph papers.\n          - This agreement carries on")
    )
    env.redeploy()
    for _ in range(3):
        env.apply(emails=True)
    assert env.row("Ann")["Confidentiality agreement"].startswith("waiting: the agreement changed")
    again = env.outbox("ann@example.org", "has changed")
    assert len(again) == 1 and "version 2" in again[0]["text"]
    assert env.outbox(LEAD, "not yet agreed") == []  # the lead is told only once it has waited

    env.apply(emails=True, minutes=15 * DAY)
    env.apply(emails=True, minutes=DAY)
    assert len(env.outbox(LEAD, "not yet agreed")) == 1

    agree(env, "Ann")
    env.apply(emails=True)
    assert env.row("Ann")["Confidentiality agreement"].startswith("agreed (version 2, ")
    logged = [r for r in env.records("admin", "Consent log") if r["Consent"] == AGREEMENT]
    assert len({r["Wording"] for r in logged}) == 2  # each answer with the wording it answered
    wordings = {r["Wording"]: r["Question as asked"] for r in env.records("admin", "Consent wording")}
    first, second = sorted({r["Wording"] for r in logged}, key=lambda w: "photograph" in wordings.get(w, ""))
    assert "photograph" not in wordings[first] and "This agreement carries on" in wordings[first]
    assert "I will not photograph papers." in wordings[second]
    env.apply(emails=True, minutes=30 * DAY)
    assert len(env.outbox(LEAD, "not yet agreed")) == 1 and len(env.outbox("ann@example.org", "has changed")) == 1
    assert len(env.outbox(LEAD, "Induction for Ann")) == 1


def test_an_agreement_without_the_link_code_changes_nothing(support):
    env = support
    env.appoint("Ann")
    env.answer(AGREEMENT, AGREEMENT, reference=env.row("Ann")["Reference"], agree="I agree", agreed_on="2026-11-25")
    env.apply(emails=True)
    assert env.row("Ann")["Confidentiality agreement"] == "waiting"


def test_a_review_due_is_told_once_and_counted_again_from_the_last_review(support):
    env = support
    env.appoint("Ann")
    env.apply(emails=True, minutes=170 * DAY)
    assert env.outbox(LEAD, "review") == [] and "review due" not in env.row("Ann")["Needs checking"]
    env.apply(emails=True, minutes=20 * DAY)  # past six months (review_months: 6)
    env.apply(emails=True, minutes=DAY)
    reviews = env.outbox(LEAD, "1:1 review with Ann")
    assert len(reviews) == 1
    assert "review due" in env.row("Ann")["Needs checking"]
    env.set_cell("Ann", "Last 1:1 review", env.clock.date().isoformat())
    env.apply(emails=True)
    assert "review due" not in env.row("Ann")["Needs checking"]
    env.apply(emails=True, minutes=100 * DAY)
    assert len(env.outbox(LEAD, "1:1 review with Ann")) == 1
    env.apply(emails=True, minutes=90 * DAY)  # six months after that review
    assert len(env.outbox(LEAD, "1:1 review with Ann")) == 2


def test_a_term_ending_is_told_once_and_term_ended_ends_sharing_like_withdrawn(support):
    env = support
    env.appoint("Ann")
    env.answer(NEEDS, NEEDS, **env.as_sent(env.row("Ann")["Reference"]), share_with_engagement_team="Yes")
    env.apply(emails=True)
    assert [r["Name"] for r in env.records("engagement", "Partners")] == ["Ann"]
    end = env.clock.date().replace(year=env.clock.year + 1)
    env.set_cell("Ann", "Term end", end.isoformat())
    env.apply(emails=True, minutes=300 * DAY)
    assert env.outbox(LEAD, "term") == []
    env.apply(emails=True, minutes=40 * DAY)  # within a month of the end
    env.apply(emails=True, minutes=DAY)
    ending = env.outbox(LEAD, "term on the Heart Care Board ends")
    assert len(ending) == 1 and "Term ended" in ending[0]["text"]
    assert "term ends" in env.row("Ann")["Needs checking"]

    env.set_cell("Ann", "Term end", end.replace(year=end.year + 1).isoformat())  # extended
    env.apply(emails=True)
    assert "term ends" not in env.row("Ann")["Needs checking"]
    assert len(env.outbox(LEAD, "ends on")) == 1

    env.set_cell("Ann", "Status", "Term ended")
    env.apply(emails=True)
    assert env.records("engagement", "Partners") == []
    assert len(env.outbox(LEAD, "ends on")) == 1


# -- validate: the new form spec, layout and templates are checked as the others are -------------------

SPEC = f"form_specs/{AGREEMENT}.yaml"
BROKEN = [
    # (id, file, old, new, marker on the expected line, words the message must hold)
    (
        "wording of a missing text",
        SPEC,
        "wording_includes: [agreement]",
        "wording_includes: [agreemnt]",
        "wording_includes",
        "names agreemnt, which is not explanatory text",
    ),
    ("wording without a version", SPEC, 'version: "1"\n', "", "title:", "add `version:`"),
    (
        "typo in the privacy notice",
        SPEC,
        "{{ organisation.name }} involvement team, who keep",
        "{{ organisation.nme }} involvement team, who keep",
        "description:",
        "nme",
    ),
    (
        "agreement layout without the reference",
        "sheet_layouts/confidentiality_agreements.yaml",
        "  - {tool: partner_reference, header: Reference, width: 140}\n",
        "",
        "spreadsheet:",
        "partner_reference",
    ),
    (
        "induction checklist typo",
        "email_templates/induction_checklist.txt",
        "{% for point in checklist %}",
        "{% for point in checklst %}",
        "{% for point",
        "checklst",
    ),
    (
        "review typo",
        "email_templates/review_due.txt",
        "{{ review.due | long_date }}",
        "{{ review.date | long_date }}",
        "review.date",
        "review.date; review has due, months",
    ),
    (
        "term typo",
        "email_templates/term_ending.txt",
        "ends on {{ term.end | long_date }}. Please",
        "ends on {{ term.ends | long_date }}. Please",
        "term.ends",
        "term.ends; term has end",
    ),
    (
        "reminder typo",
        "email_templates/agreement_reminder.txt",
        "{{ days_waiting }} day{{",
        "{{ days_waited }} day{{",
        "days_waited",
        "days_waited",
    ),
    (
        "request privacy typo",
        "form_specs/support_request.yaml",
        "        consent: privacy_notice\n",
        "        consent: privacy_notise\n",
        "consent: privacy_notise",
        "privacy_notise",
    ),
    (
        "evaluation scale out of range",
        "form_specs/support_evaluation.yaml",
        "        high: 5\n",
        "        high: 50\n",
        "key: how_helpful",
        "a scale needs low: 0 or 1 and high: 2 to 10",
    ),
    (
        "scheme layout asks a missing answer",
        "sheet_layouts/support_requests.yaml",
        "{answer: how_to_meet,",
        "{answer: how_to_meeet,",
        "{answer: how_to_meeet",
        "answer how_to_meeet is not a question",
    ),
    (
        "supporter email typo",
        "email_templates/support_matched_supporter.txt",
        "{{ request.how_to_meet }}",
        "{{ request.how_to_met }}",
        "request.how_to_met",
        "request.how_to_met; request has",
    ),
    (
        "evaluation link typo",
        "email_templates/support_evaluation.txt",
        "{{ links.evaluation }}",
        "{{ links.evaluate }}",
        "links.evaluate",
        "links.evaluate;",
    ),
    (
        "follow-up typo",
        "email_templates/support_follow_up.txt",
        "{{ agreement.until | long_date }}",
        "{{ agreement.untill | long_date }}",
        "agreement.untill",
        "agreement.untill; agreement has focus, until",
    ),
    (
        "network invitation typo",
        "email_templates/network_invitation.txt",
        "{{ event.date | long_date }}.",
        "{{ event.day | long_date }}.",
        "event.day",
        "event.day; event has date, name",
    ),
    (
        "changed agreement typo",
        "email_templates/agreement_changed.txt",
        "{{ links.confidentiality_agreement }}",
        "{{ links.confidentiality }}",
        "links.confidentiality",
        "links.confidentiality;",
    ),
]


@pytest.mark.parametrize("case", BROKEN, ids=[case[0] for case in BROKEN])
def test_validate_names_the_file_and_line_of_each_mistake_in_the_new_forms_and_emails(tmp_path, monkeypatch, case):
    _, file, old, new, marker, words = case
    with_support(tmp_path)
    shutil.rmtree(tmp_path / "email_templates")
    shutil.copytree(ROOT / "email_templates", tmp_path / "email_templates")
    monkeypatch.chdir(tmp_path)
    path = tmp_path / file
    text = path.read_text()
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 2, result.output
    problems = [line for line in result.stderr.splitlines() if not line.endswith("to fix.")]
    assert len(problems) == 1, result.stderr
    line = text.count("\n", 0, text.index(marker)) + 1
    assert problems[0].startswith(f"{file}:{line}: "), problems[0]
    assert words in problems[0]


def test_the_new_forms_privacy_notices_say_who_sees_the_answers_why_and_for_how_long():
    for name in (AGREEMENT, "support_request", "support_evaluation"):
        notice = (ROOT / "form_specs" / f"{name}.yaml").read_text().split("sections:")[0]
        for words in ("Who sees them:", "Why:", "How long we keep them:"):
            assert words in notice, (name, words)


# -- the peer support network ------------------------------------------------------------------------


def invite(event="Spring meeting", day="2027-03-18"):
    return CliRunner().invoke(main, ["network", "invite", "--event", event, "--date", day])


def invitations(env, subject="You are invited"):
    return sorted(m["to"] for m in env.outbox(subject=subject))


def test_network_invitations_reach_exactly_the_partners_whose_latest_consent_allows_it_once_each(support):
    env = support
    for name in ("Ann", "Ben", "Cat", "Dan"):
        env.answer("eoi-heart-board", EOI, full_name=name, email=f"{name.lower()}@example.org")
    env.answer("eoi-eye-group", EOI, full_name="Eve", email="eve@example.org")
    env.answer("eoi-heart-board", EOI, full_name="Eve", email=" EVE@example.org")  # the same person, second role
    env.apply()
    for name in ("Ann", "Ben", "Cat", "Eve"):
        env.set_cell(name, "Status", "Appointed")
    eye = "opportunity:eye-group"
    column = env.tab(eye)[0].index("Status")
    env.write(eye, [(cell_range(TAB, 2, column, column), [["Appointed"]])])
    for name in ("Ann", "Ben", "Dan", "Eve"):  # Dan says yes but is not appointed; Cat never answers
        env.answer(NEEDS, NEEDS, **env.as_sent(env.row(name)["Reference"]), share_with_engagement_team="Yes")
    env.apply()
    env.answer(
        "preferences", "preferences", **env.as_sent(env.row("Ben")["Reference"]), share_with_engagement_team="No"
    )
    env.apply()

    result = invite()
    assert result.exit_code == 0, result.output
    assert invitations(env) == ["Ann <ann@example.org>", "Eve <eve@example.org>"]
    assert "2 partners may be invited" in result.output and "2 invited now" in result.output
    assert "Ann" not in result.output and "example.org>" not in result.output  # counts and links only
    team = env.outbox("sam@example.org", "Invitations sent")
    assert len(team) == 1 and "- Ann" in team[0]["text"] and "- Eve" in team[0]["text"] and "Ben" not in team[0]["text"]

    assert invite().exit_code == 0  # the same event again: nobody twice
    assert len(invitations(env)) == 2 and len(env.outbox("sam@example.org", "Invitations sent")) == 1

    env.answer(
        "preferences", "preferences", **env.as_sent(env.row("Cat")["Reference"]), share_with_engagement_team="Yes"
    )
    env.apply()
    assert invite().exit_code == 0
    assert invitations(env) == ["Ann <ann@example.org>", "Cat <cat@example.org>", "Eve <eve@example.org>"]

    assert invite(event="Summer meeting", day="2027-06-17").exit_code == 0  # another event: everyone once more
    assert len(env.outbox(subject="You are invited: Summer meeting")) == 3
    assert not [m for m in env.outbox(subject="You are invited") if "ben@" in m["to"] or "dan@" in m["to"]]


# -- the one-to-one support scheme --------------------------------------------------------------------

SCHEME = "scheme"
REQUESTS = "Support requests"


def request_support(env, name="Robin"):
    env.answer(
        "support_request",
        "support_request",
        full_name=name,
        email=f"{name.lower()}@example.org",
        who_you_are="A member of the public with an involvement role (a public contributor)",
        support_with="Preparing for a new involvement role",
        how_to_meet="By video call",
        privacy_agreement="I agree",
    )


def set_request(env, header, value, row=2):
    column = env.tab(SCHEME, REQUESTS)[0].index(header)
    env.write(SCHEME, [(cell_range(REQUESTS, row, column, column), [[value]])])


def test_a_support_request_is_matched_agreed_followed_up_and_closed_with_its_evaluation(support):
    env = support
    request_support(env)
    env.apply(emails=True)
    env.apply(emails=True)
    [row] = env.records(SCHEME, REQUESTS)
    assert row["Status"] == "New" and row["Support with"] == "Preparing for a new involvement role"
    assert [m["to"] for m in env.outbox(subject="new request for one-to-one")] == ["Kim Coordinator <kim@example.org>"]
    readers = {p.get("emailAddress") for p in env.drive.permissions(env.spreadsheet(SCHEME)) if p["role"] != "owner"}
    assert readers == {"kim@example.org"}  # the coordinators alone: not the supporters, leads or anyone else
    consent = [r for r in env.records("admin", "Consent log") if r["Reference"] == row["Reference"]]
    assert [r["Consent"] for r in consent] == ["privacy_notice"]

    set_request(env, "Status", "Matched")  # no supporter yet: held, and the row says why
    env.apply(emails=True, minutes=20)
    env.apply(emails=True, minutes=20)
    assert "Supporter" in env.records(SCHEME, REQUESTS)[0]["Needs checking"]
    assert env.outbox(subject="matched") == [] and env.outbox(subject="meet ") == []
    set_request(env, "Supporter", "lee supporter")
    env.apply(emails=True, minutes=20)
    env.apply(emails=True, minutes=20)
    assert env.records(SCHEME, REQUESTS)[0]["Needs checking"] == ""
    to_robin = env.outbox("robin@example.org", "meet Lee Supporter")
    to_lee = env.outbox("lee@example.org", "matched with Robin")
    assert len(to_robin) == 1 and len(to_lee) == 1
    assert env.records(SCHEME, REQUESTS)[0]["Last email"].startswith("support matched")
    assert "lee@example.org" in to_robin[0]["text"] and "robin@example.org" in to_lee[0]["text"]

    set_request(env, "Status", "Agreement made")
    set_request(env, "Focus agreed", "Preparing for the first meeting")
    set_request(env, "Until", (env.clock.date() + timedelta(days=60)).isoformat())
    env.apply(emails=True, minutes=20)
    env.apply(emails=True, minutes=20)
    assert env.outbox(subject="How is your one-to-one support going") == []
    env.apply(emails=True, minutes=61 * DAY)
    env.apply(emails=True, minutes=DAY)
    follow_up = env.outbox("robin@example.org", "How is your one-to-one support going")
    assert len(follow_up) == 1 and "Preparing for the first meeting" in follow_up[0]["text"]

    set_request(env, "Status", "Closed")
    env.apply(emails=True, minutes=20)
    env.apply(emails=True, minutes=20)
    env.apply(emails=True, minutes=20)
    evaluation = env.outbox("robin@example.org", "Two questions")
    assert len(evaluation) == 1
    reference = env.records(SCHEME, REQUESTS)[0]["Reference"]
    assert f"={reference}" in evaluation[0]["text"]  # the evaluation link carries the request's reference
    env.answer("support_evaluation", "support_evaluation", reference=reference, how_helpful="5",
               what_would_improve="More time")  # fmt: skip
    env.apply(emails=True)
    [answer] = env.records(SCHEME, "Evaluations")
    assert answer["Reference"] == reference and "5" in answer.values()
    # each email once, whatever the runs after
    env.apply(emails=True, minutes=90 * DAY)
    assert len(env.outbox("robin@example.org")) == 3 and len(env.outbox("lee@example.org")) == 1
    assert len(env.outbox("kim@example.org")) == 1


def test_term_ended_ends_sharing_like_withdrawn_even_where_appointment_is_not_required():
    from ppp_gsuite.sync.consent import SHARE, Consent, may_share

    consents = {("ref", SHARE): Consent("Yes", "2026-11-24T10:00:00Z", "wording")}
    assert may_share(consents, "ref", "Shortlisted", require_appointed=False)
    for ended in ("Withdrawn", "Term ended"):
        assert not may_share(consents, "ref", ended, require_appointed=False)
        assert not may_share(consents, "ref", ended, require_appointed=True)


def test_closed_support_requests_are_purged_after_the_retention_period_and_erase_finds_a_request(support):
    env = support
    for name in ("Old", "Open", "Gone"):
        request_support(env, name)
    env.apply()
    names = [r["Name"] for r in env.records(SCHEME, REQUESTS)]
    old, gone = names.index("Old") + 2, names.index("Gone") + 2
    set_request(env, "Status", "Closed", row=old)
    set_request(env, "Status noted", "Closed since 2020-01-01T00:00:00Z", row=old)
    env.apply()
    env.answer("support_evaluation", "support_evaluation", reference=env.records(SCHEME, REQUESTS)[old - 2]["Reference"],
               how_helpful="4")  # fmt: skip
    env.apply()
    assert len(env.records(SCHEME, "Evaluations")) == 1
    result = CliRunner().invoke(main, ["purge"])
    assert result.exit_code == 0, result.output
    assert sorted(r["Name"] for r in env.records(SCHEME, REQUESTS)) == ["Gone", "Open"]
    assert env.records(SCHEME, "Evaluations") == []  # the evaluation goes with its request
    gone_reference = next(r["Reference"] for r in env.records(SCHEME, REQUESTS) if r["Name"] == "Gone")
    assert gone == names.index("Gone") + 2
    result = CliRunner().invoke(main, ["erase", gone_reference])
    assert result.exit_code == 0, result.output
    env.apply(full=True)
    assert [r["Name"] for r in env.records(SCHEME, REQUESTS)] == ["Open"]
    assert not [r for r in env.records("admin", "Consent log") if r["Reference"] == gone_reference]


def test_preview_email_fills_in_a_review_due_from_a_partners_row(support, tmp_path):
    env = support
    env.appoint("Ann")
    env.set_cell("Ann", "Last 1:1 review", "2026-12-01")
    result = CliRunner().invoke(
        main,
        [
            "preview-email",
            "review_due",
            "--response",
            env.row("Ann")["Response ID"],
            "--output",
            str(tmp_path / "r.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Subject: A 1:1 review with Ann is due" in result.output
    assert "Tuesday 1 June 2027" in result.output  # six months after the last review the lead typed
    sample = CliRunner().invoke(main, ["preview-email", "term_ending", "--output", str(tmp_path / "t.html")])
    assert sample.exit_code == 0 and "Term ended" in sample.output


def test_a_review_date_that_cannot_be_read_is_flagged_and_dates_are_read_as_leads_type_them(support):
    from ppp_gsuite.sync.partner_support import read_date

    assert (
        read_date("2027-05-24") == read_date("24/05/2027") == read_date("24 May 2027") == read_date("2027-05-24 10:00")
    )
    assert read_date("5/24/2027") is None and read_date("soon") is None
    env = support
    env.appoint("Ann")
    env.set_cell("Ann", "Last 1:1 review", "next Tuesday")
    env.apply(emails=True)
    assert "Last 1:1 review cannot be read" in env.row("Ann")["Needs checking"]
    env.set_cell("Ann", "Last 1:1 review", "01/12/2026")
    env.apply(emails=True)
    assert "review" not in env.row("Ann")["Needs checking"]
