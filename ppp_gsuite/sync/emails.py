"""Which emails are due, derived from the sheets: a new response, a status that has stood, a date passed.

Pure: takes the tabs' records and returns DueEmail values; the once-only key is
(response id, template, status value), so returning to a status already emailed sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeGuard

from ..config import Config, Opportunity
from ..mail.context import email_context
from ..sheets.layout import TabLayout
from ..vocabulary import (
    APPOINTED,
    APPROVED,
    INVITED,
    NOT_APPOINTED,
    PAID,
    QUERIED,
    corrected,
    local_time,
    parse_local,
    short_hash,
)
from .line_record import LineRecord, positions
from .rows import check_answer, parse_number

DECISIONS = {  # status a lead or approver sets -> the email it calls for
    INVITED: "interview_invitation",
    APPOINTED: "appointed",
    NOT_APPOINTED: "not_appointed",
    QUERIED: "claim_queried",
    APPROVED: "claim_approved",
    PAID: "claim_paid",
}
SEEN_SEPARATOR = " since "
INTERVIEW_DETAILS = ("interview_date", "interview_where", "interview_panel")  # the lead's columns the invitation shows
HELD_INVITATION = "interview invitation held until these are filled in"  # the start of its "Needs checking" note
ACKNOWLEDGE_WITHIN = timedelta(days=7)  # a receipt still worth sending (e.g. held by the daily cap)


@dataclass
class DueEmail:
    key: str
    template: str
    to_name: str
    to_email: str
    who: str  # how errors name the address: "the applicant's email address"
    context: dict
    reply_to: tuple[str, str] | list[tuple[str, str]] | None = None  # one, or several (the expenses approvers)
    corrected: bool = False  # to an address a lead corrected: one refused as invalid before is tried again, once


def email_key(subject: str, template: str, status: str = "") -> str:
    return f"{subject}|{template}|{status}"


def noted(text: str, zone: str) -> tuple[str, datetime | None]:
    """'Appointed since 2026-11-24 10:00' (in the organisation's zone) -> ('Appointed', that time)."""
    status, _, when = text.rpartition(SEEN_SEPARATOR)
    try:
        return status, parse_local(when, zone)
    except ValueError:
        return "", None


def note(status: str, now: datetime, zone: str) -> str:
    return f"{status}{SEEN_SEPARATOR}{local_time(now, zone)}"


@dataclass
class StatusView:
    """A row's status and how long it has stood, for the grace period."""

    status: str
    since: datetime | None
    changed: bool  # the noted status differs: note the new one now
    noted_as: str = ""  # what the note records: the status, and the details its email shows


def status_view(record: dict[str, str], tab: TabLayout, status_key: str, zone: str) -> StatusView | None:
    status_column, seen_column = tab.column("lead", status_key), tab.column("tool", "status_seen")
    if status_column is None or seen_column is None:
        return None
    status = record.get(status_column.header, "").strip()
    shown = noted_as(record, tab, status)
    was, since = noted(record.get(seen_column.header, ""), zone)
    return StatusView(status, since if was == shown else None, was != shown, shown)


def noted_as(record: dict[str, str], tab: TabLayout, status: str) -> str:
    """The status as noted; an invitation's with the details it shows, so an edit of any of them
    restarts the grace period (a lead still typing the room is not emailed half of it)."""
    if status != INVITED:
        return status
    details = [
        record.get(column.header, "").strip() for key in INTERVIEW_DETAILS if (column := tab.column("lead", key))
    ]
    return f"{status}: {' | '.join(details)}" if any(details) else status


def missing_interview_details(tab: TabLayout, record: dict[str, str]) -> list[str]:
    """The headers of the interview details not yet filled in: the invitation waits for all of them."""
    return [
        column.header
        for key in INTERVIEW_DETAILS
        if (column := tab.column("lead", key)) and not record.get(column.header, "").strip()
    ]


@dataclass
class Records:
    """A tab's rows after this run's writes, by response id, as header -> value."""

    tab: TabLayout
    by_id: dict[str, dict[str, str]] = field(default_factory=dict)

    def get(self, record: dict[str, str], kind: str, key: str) -> str:
        column = self.tab.column(kind, key)
        return record.get(column.header, "").strip() if column else ""

    def contact(self, record: dict[str, str], key: str) -> str:
        """A contact answer (email, phone) as the tool uses it: the lead's correction when there is one."""
        return self.get(record, "lead", corrected(key)) or self.get(record, "answer", key)


def stood(view: StatusView | None, now: datetime, grace: timedelta) -> TypeGuard[StatusView]:
    return bool(view and view.status and view.since and now - view.since >= grace)


def opportunity_context(opportunity: Opportunity) -> dict:
    return {
        "key": opportunity.key,
        "group": opportunity.group,
        "closing_date": opportunity.closing_date,
        "places": opportunity.places,
        "where": opportunity.where,
        "time_commitment": opportunity.time_commitment,
        "confidentiality_agreement": opportunity.support.confidentiality_agreement,
        "induction": opportunity.support.induction,
        "expenses": opportunity.support.expenses,
    }


def common_context(config: Config, opportunity: Opportunity | None, name: str) -> dict:
    """The keys every email `name` gets, shaped by the same function as validate's sample (mail.context)."""
    org = config.organisation
    lead = opportunity.lead_contact if opportunity else None
    return email_context(
        name,
        organisation={
            "name": org.name,
            "engagement_email": org.engagement_email,
            "pals": org.pals,
            "one_to_one_support": org.one_to_one_support or "",
        },
        sender={"name": config.sender.name, "email": config.sender.email},
        lead={"name": lead.name, "role": lead.role, "email": lead.email} if lead else None,
        opportunity=opportunity_context(opportunity) | {"reply_by": config.reply_by(opportunity)}
        if opportunity
        else None,
    )


def recent(records: Records, record: dict[str, str], since: str) -> bool:
    """Submitted at or after `since` (both as the sheets show times: 2026-11-24 14:05)."""
    return records.get(record, "tool", "submitted") >= since


def applicant_context(
    config: Config,
    name: str,
    opportunity: Opportunity,
    eoi: Records,
    record: dict[str, str],
    links_for,
    now: datetime,
    consents: dict | None = None,
) -> dict:
    """Everything the email `name` to this applicant may use, from their row (answers and the lead's columns)."""
    view = status_view(record, eoi.tab, "status", config.email.timezone)
    context = common_context(config, opportunity, name)
    context.update(
        person={"name": eoi.get(record, "answer", "full_name")},
        links=links_for(eoi.get(record, "tool", "reference")),
        future_opportunities=_agreed(
            consents or {},
            eoi.get(record, "tool", "reference"),
            "future_opportunities",
            eoi.get(record, "answer", "future_opportunities"),
        ),
        interview={
            "when": eoi.get(record, "lead", "interview_date"),
            "where": eoi.get(record, "lead", "interview_where"),
            "panel": eoi.get(record, "lead", "interview_panel"),
        },
        days_waiting=(now - view.since).days if view and view.since else 0,
    )
    return context


def _agreed(consents: dict, reference: str, consent: str, first_answer: str) -> bool:
    """The latest answer (the preferences form may have changed it), else the one on the form."""
    latest = consents.get((reference, consent))
    return latest.yes if latest else first_answer.lower().startswith("yes")


def miles_unread(claims: Records, record: dict[str, str]) -> bool:
    """Miles were given but could not be read as a number: no mileage was worked out for them."""
    miles = next((record.get(c.header, "").strip() for c in claims.tab.columns if c.role == "miles"), "")
    return bool(miles) and parse_number(miles) is None


def claim_context(
    config: Config,
    name: str,
    opportunity: Opportunity | None,
    partner,
    claims: Records,
    record: dict[str, str],
    links_for,
) -> dict:
    context = common_context(config, opportunity, name)
    context.update(
        person={"name": partner.name},
        links=links_for(partner.reference),
        claim={
            "miles_unread": miles_unread(claims, record),
            "what": claims.get(record, "answer", "claim_for"),
            "date": next((record.get(c.header, "") for c in claims.tab.columns if c.role == "journey_date"), ""),
            "total": claims.get(record, "tool", "total"),
            "status": claims.get(record, "lead", "claim_status"),
            "notes": claims.get(record, "lead", "approver_notes"),
        },
    )
    return context


def applicant_emails(
    config: Config,
    opportunity: Opportunity,
    target: str,
    eoi: Records,
    needs: Records | None,
    since: str,
    links_for,
    now: datetime,
    wanted=lambda key: True,
    waiting: list[str] | None = None,
    consents: dict | None = None,
) -> list[DueEmail]:
    """EOI received for new rows; decisions once a status has stood; the needs-assessment reminder."""
    grace = timedelta(minutes=config.email.grace_minutes)
    lead = opportunity.lead_contact
    with_needs = {needs.get(r, "tool", "partner_reference") for r in needs.by_id.values()} if needs else set()
    waiting = [] if waiting is None else waiting  # keys of decisions not yet past the grace period
    due = []
    for response_id, record in eoi.by_id.items():
        name, address = eoi.get(record, "answer", "full_name"), eoi.contact(record, "email")
        reference = eoi.get(record, "tool", "reference")
        correction = eoi.get(record, "lead", corrected("email"))
        fixed = bool(correction) and check_answer("email", "", correction) is None  # a valid one is tried

        def add(template, status="", reply_to=None):
            if wanted(email_key(response_id, template, status)) or fixed:
                context = applicant_context(config, template, opportunity, eoi, record, links_for, now, consents)
                due.append(
                    DueEmail(
                        email_key(response_id, template, status),
                        template,
                        name,
                        address,
                        "the applicant's email address",
                        context,
                        reply_to,
                        corrected=fixed,
                    )
                )

        if recent(eoi, record, since):
            add("eoi_received")
        view = status_view(record, eoi.tab, "status", config.email.timezone)
        # the invitation waits for every detail it shows (the row says so: interview_holds)
        held = bool(view and view.status == INVITED and missing_interview_details(eoi.tab, record))
        if view and view.status in DECISIONS and not held and not stood(view, now, grace):
            waiting.append(email_key(response_id, DECISIONS[view.status], view.status))
        if view and stood(view, now, grace) and view.status in DECISIONS and not held:
            add(DECISIONS[view.status], view.status, (lead.name, lead.email))
        if (
            view
            and view.status == APPOINTED
            and view.since
            and reference not in with_needs
            and now - view.since >= timedelta(days=config.email.needs_reminder_days)
        ):
            add("needs_reminder")
    return due


def claim_emails(
    config: Config,
    target: str,
    claims: Records,
    partners: dict,
    opportunities: dict,
    since: str,
    links_for,
    now: datetime,
    wanted=lambda key: True,
) -> list[DueEmail]:
    grace = timedelta(minutes=config.email.grace_minutes)
    reply = [
        (approver.name, approver.email) for approver in config.expenses_approvers
    ]  # who checks claims, not the lead
    due = []
    for response_id, record in claims.by_id.items():
        partner = partners.get(claims.get(record, "tool", "partner_reference"))
        if partner is None:
            continue
        opportunity = opportunities.get(partner.opportunity)

        def add(template, status=""):
            if wanted(email_key(response_id, template, status)):
                context = claim_context(config, template, opportunity, partner, claims, record, links_for)
                due.append(
                    DueEmail(
                        email_key(response_id, template, status),
                        template,
                        partner.name,
                        partner.email,
                        "the partner's email address",
                        context,
                        reply,
                    )
                )

        if recent(claims, record, since):
            add("claim_received")
        view = status_view(record, claims.tab, "claim_status", config.email.timezone)
        if view and stood(view, now, grace) and view.status in DECISIONS:
            add(DECISIONS[view.status], view.status)
    return due


def lead_emails(
    config: Config,
    opportunity: Opportunity,
    eoi: Records,
    needs_new: list[tuple[str, str]],
    sheet_link: str,
    last_digest: str,
    now_local: datetime,
    today: date,
) -> list[DueEmail]:
    """To the lead contact: the day's digest (a count only), needs assessments received, closing date passed."""
    lead = opportunity.lead_contact

    def context(name: str) -> dict:
        found = common_context(config, opportunity, name)
        found["links"]["sheet"] = sheet_link
        return found

    due = []
    submitted = eoi.tab.column("tool", "submitted")
    if now_local.hour >= config.email.digest_hour and submitted:
        count = sum(1 for r in eoi.by_id.values() if r.get(submitted.header, "") > last_digest)
        if count:
            due.append(
                DueEmail(
                    email_key(opportunity.key, "eoi_digest", today.isoformat()),
                    "eoi_digest",
                    lead.name,
                    lead.email,
                    "the lead contact's email address",
                    {**context("eoi_digest"), "digest": {"count": count}},
                )
            )
    for response_id, name in needs_new:
        due.append(
            DueEmail(
                email_key(response_id, "needs_received"),
                "needs_received",
                lead.name,
                lead.email,
                "the lead contact's email address",
                {**context("needs_received"), "person": {"name": name}},
            )
        )
    if today > opportunity.closing_date:
        due.append(
            DueEmail(
                email_key(opportunity.key, "closing_date_passed", opportunity.closing_date.isoformat()),
                "closing_date_passed",
                lead.name,
                lead.email,
                "the lead contact's email address",
                context("closing_date_passed"),
            )
        )
    return due


def approver_tag(email: str) -> str:
    """An approver in an email-log key: a short hash of the address (keys hold no addresses, and a
    reordered config list must not re-send or skip anyone's digest)."""
    return short_hash(email.strip().lower(), 8)


def approvers_digest(
    config: Config,
    target: str,
    claims: Records,
    sheet_link: str,
    last_digest: Callable[[str], str],
    now_local: datetime,
    today: date,
) -> list[DueEmail]:
    """To each expenses approver, once a day: how many claims arrived since their own last digest (a
    count and a link to the expenses sheet, no personal details), like the lead's digest of expressions
    of interest. `last_digest(tag)` is when that approver's last digest was sent, or ""."""
    submitted = claims.tab.column("tool", "submitted")
    if now_local.hour < config.email.digest_hour or submitted is None:
        return []
    due = []
    for approver in config.expenses_approvers:
        tag = approver_tag(approver.email)
        since = last_digest(tag)
        count = sum(1 for r in claims.by_id.values() if r.get(submitted.header, "") > since)
        if not count:
            continue
        context = common_context(config, None, "claims_digest")
        context["links"]["sheet"] = sheet_link
        due.append(
            DueEmail(
                email_key(target, "claims_digest", f"{today.isoformat()} approver {tag}"),
                "claims_digest",
                approver.name,
                approver.email,
                "an expenses approver's email address (expenses_approvers)",
                {**context, "digest": {"count": count}},
            )
        )
    return due


def tab_records(run, tab: TabLayout) -> Records:
    """The tab as it will be after this run's writes."""
    values = run.values.get(tab.tab, [])
    index = positions(values[0] if values else [])
    found = Records(tab)
    key = tab.header("tool", "response_id") if len(values) > 1 else ""
    for line in values[1:]:
        record = LineRecord(index, line)  # the line as read, no dict of its own: small at 100,000 rows
        response_id = record.get(key, "")
        if response_id:
            # a LineRecord reads and changes as the dict it stands for (tests/test_line_record.py); the steps
            # that read records are typed for dicts, and this saves one for each of 100,000 rows
            found.by_id[response_id] = record  # type: ignore[assignment]
    for row in run.rows.get(tab.tab, []):
        if row.response_id not in found.by_id:  # a new row: written whole, its defaults and its cells
            for header, value in row.new_row_defaults.items():  # into the row's own cells, not a copy of them
                if header not in row.cells:  # (a LineRecord keeps the few it gains in a small dict of its own)
                    row.cells[header] = value
            found.by_id[row.response_id] = row.cells
        else:
            found.by_id[row.response_id].update(row.cells)
    return found
