"""Proposed role descriptions: from the role description form's answers to opportunities, checked with
exactly the rules `validate` applies to an opportunity in ppp-gsuite.yaml, and to the rows of the
engagement team's Opportunities spreadsheet (pure: takes values, returns values).

A proposal is every submission carrying its reference: the first submission's reference (derived from
its response id, as applicants' are) names it, and a later submission quoting it replaces its answers.
Its opportunity key is made from the group's name once, and then kept on its row, so renaming the
group later never makes a second form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from ..config import Config, Opportunity, advice, closed_already
from ..errors import ValidationFailed
from ..models import parse
from ..specs.models import Item
from ..vocabulary import (
    LIVE,
    PROPOSAL_APPROVED,
    PROPOSAL_CLOSED,
    PROPOSAL_CLOSING,
    PROPOSAL_GROUP,
    PROPOSAL_KEY,
    PROPOSAL_LEAD,
    PROPOSAL_LINK,
    PROPOSAL_NOTE,
    PROPOSAL_PLACES,
    PROPOSAL_PROBLEMS,
    PROPOSAL_PROPOSER,
    PROPOSAL_REFERENCE,
    PROPOSAL_RESPONSE,
    PROPOSAL_STATUS,
    PROPOSAL_SUBMITTED,
    PROPOSED,
    RETURNED,
    short_hash,
)
from .emails import DueEmail, approver_tag, common_context, email_key
from .rows import Row, reference_for, typed_reference

# Questions a proposer may add to the application form: the role description form offers these titles.
EXTRA_QUESTIONS = {
    "Which services have you, or the people you care for, used in the last few years?": "services_used",
    "Which area do you live in, or have links with?": "area",
    "Are you able to attend meetings at the times described?": "can_attend",
}
EXPENSES_CHOICE = "Out-of-pocket expenses reimbursed"
INDUCTION_CHOICE = "An induction, and support sessions"
# The config's field names, as the form's questions call them (a problem on a row names the question).
QUESTION_NAMES = {
    "group": "the group's name",
    "places": "how many opportunities",
    "who_can_apply": "who can apply",
    "remit": "the group's remit",
    "membership": "the group's membership",
    "priorities": "the group's priorities",
    "role": "what the role involves",
    "key_requirements": "the key requirements",
    "time_commitment": "the time commitment",
    "where": "where meetings take place",
    "closing_date": "the closing date",
    "name": "the lead contact's name",
    "role_title": "the lead contact's job role",
    "email": "the lead contact's email address",
}
LIVE_STATUSES = (PROPOSAL_APPROVED, LIVE, PROPOSAL_CLOSED)  # the team said yes: the opportunity exists
KEPT_EARLIER = "until these are put right, the live form stays as it was"


@dataclass
class Proposal:
    reference: str
    response_id: str  # the latest submission's
    submitted: str  # when it was submitted (RFC 3339, as Google gives it)
    answers: dict[str, str]
    problems: list[str] = field(default_factory=list)  # what only the grouping can tell (a reference unknown)
    earlier: list[dict[str, str]] = field(default_factory=list)  # the answers of earlier submissions, oldest first


@dataclass
class Checked:
    """A proposal as this run found it: its key, its problems, the team's status and note, and (approved
    without problems) its opportunity."""

    proposal: Proposal
    key: str
    problems: list[str]
    status: str
    note: str
    opportunity: Opportunity | None = None
    link: str = ""  # its live form's address, once deployed
    kept_earlier: bool = False  # live, its latest submission wrong: the form stays as an earlier one made it


def group(responses: list[tuple[str, str, dict[str, str]]]) -> list[Proposal]:
    """(response id, last submitted, answers) -> the proposals, each with its latest answers."""
    found: dict[str, Proposal] = {}
    for response_id, submitted, answers in sorted(responses, key=lambda r: r[1]):
        quoted = typed_reference(answers.get("proposal_reference", ""))
        if quoted in found:
            found[quoted].earlier.append(found[quoted].answers)
            found[quoted].response_id, found[quoted].submitted, found[quoted].answers = response_id, submitted, answers
            continue
        proposal = Proposal(reference_for(response_id), response_id, submitted, answers)
        if quoted:
            proposal.problems.append(
                f"the reference {quoted} matches no earlier proposal, so this is a new one; check the reference "
                "in our email and send the form again"
            )
        found[proposal.reference] = proposal
    return list(found.values())


def key_for(group_name: str) -> str:
    """An opportunity key from the group's name: lower-case words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", group_name.lower()).strip("-")[:60].strip("-") or "opportunity"


def to_opportunity(proposal: Proposal, key: str) -> tuple[Opportunity | None, list[str]]:
    """The opportunity a proposal describes, with the config's own model and checks; or the problems, in plain words."""
    answers = proposal.answers
    support = answers.get("support_offered", "")
    data = {
        "key": key,
        "group": answers.get("group", ""),
        "places": answers.get("places", "").strip(),
        "who_can_apply": answers.get("who_can_apply", ""),
        "remit": answers.get("remit", ""),
        "membership": answers.get("membership", ""),
        "priorities": answers.get("priorities", ""),
        "role": answers.get("role", ""),
        "key_requirements": _lines(answers.get("key_requirements", "")),
        "time_commitment": answers.get("time_commitment", ""),
        "where": answers.get("where", ""),
        "support": {
            "expenses": EXPENSES_CHOICE in support,
            "induction": INDUCTION_CHOICE in support,
            "confidentiality_agreement": answers.get("confidentiality_agreement") == "Yes",
            "other": _lines(answers.get("other_support", "")),
        },
        "questions": {"add": [_extra_question(title) for title in _chosen(answers.get("extra_questions", ""))]},
        "closing_date": answers.get("closing_date", ""),
        "lead_contact": {
            "name": answers.get("lead_name", ""),
            "role": answers.get("lead_role", ""),
            "email": answers.get("lead_email", "").strip(),
        },
    }
    try:
        opportunity = parse(Opportunity, _answered(data), "the proposal")
    except ValidationFailed as failed:
        return None, [_plain(problem.message) for problem in failed.problems]
    return opportunity, []


def check(
    proposal: Proposal, key: str, config: Config, other_keys: set[str], today: date
) -> tuple[Opportunity | None, list[str]]:
    """The proposal's opportunity and every problem `validate` would report of it in ppp-gsuite.yaml
    (the advice too: a row says all of it), plus a key that is already another opportunity's."""
    opportunity, problems = to_opportunity(proposal, key)
    problems = proposal.problems + problems
    if key in {o.key for o in config.opportunities}:
        problems.append(
            f"an opportunity with the key {key} is already in ppp-gsuite.yaml; an opportunity lives in one "
            "place only: remove it there, or give this group another name"
        )
    elif key in other_keys:
        problems.append(f"another proposal has the key {key}; give this group a name of its own")
    if opportunity is not None:
        problems += [_without_key(message, key) for message in advice(opportunity)]
        passed = closed_already(opportunity, today)
        if passed:
            problems.append(f"the closing date, {opportunity.closing_date.isoformat()}, is in the past")
    return opportunity, problems


def blocking(problems: list[str], status: str) -> list[str]:
    """The problems that keep a proposal from being live: all of them, but that an approved one's closing
    date has passed (its form closes, as an opportunity's in YAML does)."""
    if status not in LIVE_STATUSES:
        return problems
    return [p for p in problems if not (p.startswith("the closing date,") and p.endswith("is in the past"))]


def last_good(
    proposal: Proposal, key: str, config: Config, other_keys: set[str], today: date, status: str
) -> Opportunity | None:
    """A live proposal whose latest submission has problems: the opportunity of its latest earlier submission
    without any, which stays live meanwhile (one mistake in an edit must not take a live form out of the sync)."""
    for answers in reversed(proposal.earlier):
        earlier = Proposal(proposal.reference, proposal.response_id, proposal.submitted, answers)
        opportunity, problems = check(earlier, key, config, other_keys, today)
        if opportunity is not None and not blocking(problems, status):
            return opportunity
    return None


def row(
    proposal: Proposal,
    key: str,
    problems: list[str],
    link: str = "",
    status: str | None = None,
) -> Row:
    """The proposal's row in the Opportunities tab (Status only when the tool sets it: Live)."""
    answers = proposal.answers
    cells = {
        PROPOSAL_REFERENCE: proposal.reference,
        PROPOSAL_KEY: key,
        PROPOSAL_GROUP: answers.get("group", ""),
        PROPOSAL_PLACES: answers.get("places", ""),
        PROPOSAL_CLOSING: answers.get("closing_date", ""),
        PROPOSAL_LEAD: f"{answers.get('lead_name', '')} <{answers.get('lead_email', '')}>",
        PROPOSAL_PROPOSER: answers.get("proposer_email", ""),
        PROPOSAL_SUBMITTED: proposal.submitted,
        PROPOSAL_PROBLEMS: "; ".join(problems),
        PROPOSAL_RESPONSE: proposal.response_id,
    }
    if link:
        cells[PROPOSAL_LINK] = link
    if status:
        cells[PROPOSAL_STATUS] = status
    return Row(proposal.reference, proposal.submitted, cells, new_row_defaults={PROPOSAL_STATUS: PROPOSED})


def rows(checked: list[Checked]) -> list[Row]:
    """Every proposal's row; an approved one whose form is live is set to Live, with the form's link."""
    return [
        row(c.proposal, c.key, c.problems, c.link, LIVE if c.status == PROPOSAL_APPROVED and c.link else None)
        for c in checked
    ]


def emails(config: Config, checked: list[Checked], wanted) -> list[DueEmail]:
    """To the proposer: the problems found (once for each different list of them), the team's note when
    they return it (once for each note), and the link to promote once it is live, which the engagement
    team get too."""
    due = []
    for c in checked:
        proposer = c.proposal.answers.get("proposer_email", "").strip()
        about = {
            "group": c.proposal.answers.get("group", ""),
            "reference": c.proposal.reference,
            "problems": c.problems,
            "note": c.note,
            "link": c.link,
        }
        found = []
        if c.problems and (c.status in (PROPOSED, RETURNED) or c.kept_earlier):
            found.append(
                (
                    email_key(c.proposal.reference, "proposal_checked", short_hash("|".join(c.problems), 12)),
                    "proposal_checked",
                    proposer,
                    "the proposer's email address",
                )
            )
        if c.status == RETURNED and c.note:
            found.append(
                (
                    email_key(c.proposal.reference, "proposal_returned", short_hash(c.note, 12)),
                    "proposal_returned",
                    proposer,
                    "the proposer's email address",
                )
            )
        if c.link and c.status in (PROPOSAL_APPROVED, LIVE):
            found.append(
                (
                    email_key(c.proposal.reference, "proposal_live"),
                    "proposal_live",
                    proposer,
                    "the proposer's email address",
                )
            )
            for member in config.engagement_team:  # keyed by address: a reordered list tells no one twice
                found.append(
                    (
                        email_key(c.proposal.reference, "proposal_live", approver_tag(member.email)),
                        "proposal_live",
                        member.email,
                        "an engagement team address",
                    )
                )
        for key, template, to, who in found:
            if to and wanted(key):
                context = common_context(config, None, template) | {"proposal": about}
                due.append(DueEmail(key, template, "", to, who, context))
    return due


def team_columns(values: list[list[str]]) -> dict[str, dict[str, str]]:
    """reference -> the row as the team left it (status, note, the key the tool gave it)."""
    if not values:
        return {}
    headers = values[0]
    return {
        record.get(PROPOSAL_REFERENCE, ""): record
        for line in values[1:]
        if (record := dict(zip(headers, line))).get(PROPOSAL_REFERENCE)
    }


def status_of(record: dict[str, str]) -> str:
    status = record.get(PROPOSAL_STATUS, "").strip() or PROPOSED
    return status if status in (PROPOSED, PROPOSAL_APPROVED, LIVE, PROPOSAL_CLOSED, RETURNED) else PROPOSED


def note_of(record: dict[str, str]) -> str:
    return record.get(PROPOSAL_NOTE, "").strip()


def _answered(data: dict) -> dict:
    """Without the answers left blank (or only spaces), so the config's own check says each is missing."""
    return {
        name: _answered(value) if isinstance(value, dict) else value
        for name, value in data.items()
        if not (isinstance(value, str) and not value.strip())
    }


def _lines(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in text.splitlines() if line.strip(" -•\t")]


def _chosen(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip() in EXTRA_QUESTIONS]


def _extra_question(title: str) -> dict:
    return Item(key=EXTRA_QUESTIONS[title], type="paragraph", title=title).model_dump(exclude_defaults=True)


def _plain(message: str) -> str:
    """`closing_date: 'x' is not a date...` -> `the closing date: 'x' is not a date...`; YAML hints dropped."""
    name, _, rest = message.partition(":")
    words = QUESTION_NAMES.get(name.strip())
    if " is missing; add " in message:
        missing = message.split(" is missing;")[0]
        missing = missing.rpartition(".")[2]  # lead_contact.email -> email
        return f"{QUESTION_NAMES.get(missing, missing.replace('_', ' '))} is missing"
    if name.strip() == "key_requirements" or message.startswith("key_requirements is empty"):
        return "the key requirements are empty: write at least one, one on each line"
    return f"{words}:{rest}" if words else message


def _without_key(message: str, key: str) -> str:
    """validate's advice names the key; a row is the opportunity already."""
    return message.replace(f"opportunity {key} offers", "it offers")
