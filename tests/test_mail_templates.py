"""Email templates: every one renders, mistakes are reported with file and line, HTML is escaped."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest

from ppp_gsuite.errors import ValidationFailed
from ppp_gsuite.mail.templates import EMAILS, check_templates, long_date, money, render, sample_context

TEMPLATES = Path(__file__).resolve().parent.parent / "email_templates"
TO_PEOPLE = [name for name, audience in EMAILS.items() if audience in ("applicant", "partner")]
PAYLOAD = "<script>alert(\"x\")</script><img src=x onerror=alert(1)> & 'quotes'"


@pytest.fixture
def templates(tmp_path, monkeypatch):
    """A copy of the shipped templates to break, with the current folder just above it."""
    monkeypatch.chdir(tmp_path)
    return Path(shutil.copytree(TEMPLATES, tmp_path / "email_templates"))


def one_problem(excinfo):
    assert len(excinfo.value.problems) == 1, excinfo.value.problems
    return excinfo.value.problems[0]


def insert_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(line - 1, text + "\n")
    path.write_text("".join(lines))


def test_the_shipped_templates_pass_the_check():
    assert check_templates(TEMPLATES) == []


@pytest.mark.parametrize("name", EMAILS)
def test_every_template_renders_with_its_sample_context(name):
    email = render(TEMPLATES, name, sample_context(name))
    assert email.subject and "\n" not in email.subject
    assert email.text.strip() and email.html.lstrip().startswith("<!DOCTYPE html>")
    assert "<script" not in email.html and "<img" not in email.html
    assert "Undefined" not in email.text + email.html


@pytest.mark.parametrize("name", TO_PEOPLE)
def test_every_email_to_a_person_ends_with_the_lead_contact_and_the_preferences_link(name):
    context = sample_context(name)
    email = render(TEMPLATES, name, context)
    ending = email.text.rsplit("---", 1)[1]
    for value in (
        context["lead"]["name"],
        context["lead"]["role"],
        context["lead"]["email"],
        context["links"]["preferences"],
    ):
        assert value in ending
        assert value in email.html
    assert "stop hearing from us" in ending and "stop hearing from us" in email.html


@pytest.mark.parametrize("name", EMAILS)
def test_payloads_are_escaped_in_html_and_verbatim_in_text(name):
    context = sample_context(name)
    context["person"] = {"name": PAYLOAD}
    if "claim" in context:
        context["claim"] = {**context["claim"], "what": PAYLOAD, "notes": PAYLOAD}
    if "interview" in context:
        context["interview"] = {"when": PAYLOAD, "where": PAYLOAD, "panel": PAYLOAD}
    if "changes" in context:
        context["changes"] = {"added": [PAYLOAD], "removed": [PAYLOAD]}
    email = render(TEMPLATES, name, context)
    assert "<script" not in email.html and "<img" not in email.html
    if PAYLOAD in email.text:
        assert (
            "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;quotes&#39;"
            in email.html
        )
    assert "&lt;" not in email.text and "&amp;" not in email.text


def test_the_applicant_name_and_answers_reach_the_text_part_unchanged():
    context = sample_context("claim_queried")
    context["person"] = {"name": PAYLOAD}
    context["claim"] = {**context["claim"], "notes": PAYLOAD}
    email = render(TEMPLATES, "claim_queried", context)
    assert f"Dear {PAYLOAD}," in email.text
    assert email.text.count(PAYLOAD) == 2


@pytest.mark.parametrize("agreed", [True, False])
def test_not_appointed_mentions_future_opportunities_only_when_agreed(agreed):
    context = {**sample_context("not_appointed"), "future_opportunities": agreed}
    email = render(TEMPLATES, "not_appointed", context)
    for body in (email.text, email.html):
        assert ("future" in body.lower()) is agreed
        assert ("new roles" in body.lower()) is agreed


def test_eoi_digest_has_a_count_and_the_sheet_link_but_no_applicant():
    context = {**sample_context("eoi_digest"), "person": {"name": "Quentin Applicantname"}, "digest": {"count": 7}}
    email = render(TEMPLATES, "eoi_digest", context)
    for part in (email.subject, email.text, email.html):
        assert "Quentin" not in part and "Applicantname" not in part
    assert "7 new expressions" in email.subject and "7 new expressions" in email.text
    assert context["links"]["sheet"] in email.text and context["links"]["sheet"] in email.html
    single = render(TEMPLATES, "eoi_digest", {**context, "digest": {"count": 1}})
    assert single.subject.startswith("1 new expression of interest")


def test_needs_received_names_the_partner_and_links_the_sheet():
    context = sample_context("needs_received")
    email = render(TEMPLATES, "needs_received", context)
    assert context["person"]["name"] in email.text and context["links"]["sheet"] in email.text
    assert context["person"]["name"] not in email.subject


def test_appointed_mentions_confidentiality_only_when_the_opportunity_needs_it():
    context = sample_context("appointed")
    with_agreement = render(TEMPLATES, "appointed", context)
    context["opportunity"] = {**context["opportunity"], "confidentiality_agreement": False}
    without = render(TEMPLATES, "appointed", context)
    assert "confidentiality agreement" in with_agreement.text.lower()
    assert "confidentiality agreement" not in without.text.lower() + without.html.lower()
    for link in ("needs_assessment", "expenses"):
        assert context["links"][link] in without.text and context["links"][link] in without.html
    assert "peer support network" in without.text


def test_claim_received_asks_for_receipts_and_never_for_bank_details():
    email = render(TEMPLATES, "claim_received", sample_context("claim_received"))
    assert "receipt" in email.text and "reply to this email" in email.text.lower()
    assert "bank" not in email.text.lower() + email.html.lower()


def test_an_unknown_variable_fails_with_file_and_line(templates):
    insert_line(templates / "appointed.txt", 3, "Your mentor is {{ mentor.name }}.")
    with pytest.raises(ValidationFailed) as excinfo:
        render(templates, "appointed", sample_context("appointed"))
    problem = one_problem(excinfo)
    assert (problem.file, problem.line) == ("email_templates/appointed.txt", 3)
    assert "mentor" in problem.message
    assert [(p.file, p.line) for p in check_templates(templates)] == [("email_templates/appointed.txt", 3)]


def test_an_unknown_attribute_in_an_html_block_fails_with_file_and_line(templates):
    insert_line(templates / "claim_paid.html", 5, "<p>Call {{ lead.phone }}</p>")
    with pytest.raises(ValidationFailed) as excinfo:
        render(templates, "claim_paid", sample_context("claim_paid"))
    problem = one_problem(excinfo)
    assert (problem.file, problem.line) == ("email_templates/claim_paid.html", 5)
    assert "phone" in problem.message


def test_a_variable_another_email_gets_is_unknown_here(templates):
    insert_line(templates / "eoi_received.txt", 2, "{{ claim.total }}")
    problem = check_templates(templates)[0]
    assert (problem.file, problem.line) == ("email_templates/eoi_received.txt", 2)


def test_a_mistake_in_a_shared_part_names_that_file(templates):
    insert_line(templates / "_footer.txt", 2, "{{ lead.phone }}")
    problems = check_templates(templates)
    assert {(p.file, p.line) for p in problems} == {("email_templates/_footer.txt", 2)}


def test_a_syntax_error_fails_with_file_and_line(templates):
    insert_line(templates / "needs_reminder.html", 4, "{% if days_waiting > 10 %}<p>Still waiting</p>")
    problems = check_templates(templates)
    assert len(problems) == 1
    assert problems[0].file == "email_templates/needs_reminder.html"
    assert problems[0].line is not None and "syntax" in problems[0].message


def test_the_sandbox_refuses_internals(templates):
    insert_line(templates / "claim_paid.txt", 2, "{{ ''.__class__.__mro__ }}")
    problem = check_templates(templates)[0]
    assert (problem.file, problem.line) == ("email_templates/claim_paid.txt", 2)


def test_missing_and_unexpected_files_are_reported(templates):
    (templates / "appointed.html").unlink()
    (templates / "welcome_pack.txt").write_text("Hello\n")
    (templates / "notes.md").write_text("notes\n")
    problems = {(p.file, p.line, p.message.split(";")[0].split(":")[0]) for p in check_templates(templates)}
    assert ("email_templates/appointed.txt", 1, "appointed.html is missing") in problems
    assert ("email_templates/welcome_pack.txt", 1, "there is no email called 'welcome_pack'") in problems
    assert any(file == "email_templates/notes.md" and line == 1 for file, line, _ in problems)
    with pytest.raises(ValidationFailed) as excinfo:
        render(templates, "appointed", sample_context("appointed"))
    assert one_problem(excinfo).file == "email_templates/appointed.html"


def test_the_subject_is_one_line(templates):
    (templates / "claim_paid.subject.txt").write_text("Your claim\n\n  for {{ claim.what }}\r\nhas been paid\n")
    context = {**sample_context("claim_paid")}
    context["claim"] = {**context["claim"], "what": "a taxi\nBcc: someone@example.com"}
    assert (
        render(templates, "claim_paid", context).subject
        == "Your claim for a taxi Bcc: someone@example.com has been paid"
    )


def test_dates_and_money_read_naturally():
    assert long_date(datetime.date(2027, 3, 5)) == "Friday 5 March 2027"
    assert long_date("2027-03-05") == "Friday 5 March 2027"
    assert long_date("next week") == "next week"
    assert money("12.6") == "£12.60" and money(1234) == "£1,234.00" and money("£3.5") == "£3.50"
    assert money("see receipts") == "see receipts"


def test_an_edit_to_a_template_is_seen_by_the_next_check_and_render_in_the_same_process(templates):
    """Templates are compiled once per process; a staff member's edit must still show at once."""
    context = sample_context("appointed")
    assert check_templates(templates) == []
    text = templates / "appointed.txt"
    original = text.read_text()
    insert_line(text, 1, "Your lucky number is {{ person.lucky_number }}.")
    problems = check_templates(templates)
    assert any(p.file.endswith("appointed.txt") and p.line == 1 and "lucky_number" in p.message for p in problems), (
        problems
    )
    text.write_text(original.replace("\n", "\nA line added by staff.\n", 1))
    assert check_templates(templates) == []
    assert "A line added by staff." in render(templates, "appointed", context).text


def test_validate_refuses_what_the_send_could_not_fill_in(templates):
    """An email to the engagement team is about no opportunity: the send gives it none, so validate must
    refuse a template that uses one (it used to pass validate, then fail at every send)."""
    insert_line(templates / "sharing_changes.txt", 1, "{{ opportunity.group }}")
    problems = check_templates(templates)
    assert [p.file for p in problems] == ["email_templates/sharing_changes.txt"], problems
    assert "opportunity" in problems[0].message
