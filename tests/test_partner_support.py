"""Support after appointment, end to end on the local workspace (issue 16): the induction checklist and
the confidentiality agreement; reviews and the end of a term. Each email once; time passes on the
run's clock (env.apply moves it)."""

import re

from support_env import AGREEMENT, HEART, NEEDS, support  # noqa: F401  (the fixture)

DAY = 24 * 60  # minutes
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
