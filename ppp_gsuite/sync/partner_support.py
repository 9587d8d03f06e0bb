"""Support after appointment (pure): the induction checklist and the confidentiality agreement, reviews
and the end of a term, derived from the lead's row and the consent log.

Functions of what the run read, like email_step: `support_notes` returns the cells a partner's row shows
("agreed (version, date)" or "waiting"; "review due" and "term ends" in Needs checking), and
`support_emails` the emails due, each once: its key names what it is about (the wording agreed to, the
review's due date, the term's end date), so a changed wording, a review done or a term extended is told
again, and nothing else ever is.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..config import Opportunity
from ..specs.models import FormSpec
from ..vocabulary import APPOINTED, CONFIDENTIALITY_FORM, EOI, local_day, opportunity_target, parse_stamp
from .consent import consent_wording
from .email_step import EmailView, Note, records_for, with_flag
from .emails import DueEmail, Records, common_context, email_key, noted, status_view, stood
from .rows import Row

AGREEMENT = "confidentiality_agreement"  # the consent the agreement form asks
WAITING = "waiting"
REVIEW_DUE = "review due"  # the start of its "Needs checking" note
TERM_ENDS = "term ends"
UNREADABLE_DATE = "write the date as 2027-05-24"


@dataclass(frozen=True)
class Agreement:
    """The confidentiality agreement as the deployed form asks it now: its version and wording hash."""

    version: str
    wording: str


def current_agreement(targets: dict) -> Agreement | None:
    """The agreement's version and the hash of its wording now (None where no role asks for one)."""
    target = targets.get(CONFIDENTIALITY_FORM)
    if target is None:
        return None
    spec: FormSpec = target.spec
    item = next((i for i in spec.consent_items() if i.consent == AGREEMENT), None)
    return Agreement(spec.version or "", consent_wording(spec, item)) if item else None


def read_date(text: str) -> date | None:
    """A date a lead typed: 2027-05-24, 24/05/2027 or 24 May 2027 (and a date with a time after it)."""
    text = text.strip()
    for pattern, order in (
        (r"^(\d{4})-(\d{1,2})-(\d{1,2})\b", "ymd"),
        (r"^(\d{1,2})/(\d{1,2})/(\d{4})\b", "dmy"),
    ):
        found = re.match(pattern, text)
        if found:
            parts = dict(zip(order, map(int, found.groups())))
            try:
                return date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                return None
    try:
        return datetime.strptime(text, "%d %B %Y").date()
    except ValueError:
        return None


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Partnership:
    """One appointed partner's row, as support reads it."""

    opportunity: Opportunity
    target: str
    eoi: Records
    response_id: str
    record: dict[str, str]
    appointed: datetime  # when the status Appointed was first noted

    @property
    def reference(self) -> str:
        return self.eoi.get(self.record, "tool", "reference")

    @property
    def name(self) -> str:
        return self.eoi.get(self.record, "answer", "full_name")


def appointed_partners(view: EmailView) -> list[Partnership]:
    found = []
    for opportunity in view.config.opportunities:
        target = opportunity_target(opportunity.key)
        eoi = records_for(view, target, EOI)
        if eoi is None or target in view.held:
            continue
        for response_id, record in eoi.by_id.items():
            was, since = noted(eoi.get(record, "tool", "status_seen"), view.config.email.timezone)
            if eoi.get(record, "lead", "status") == APPOINTED and was == APPOINTED and since:
                found.append(Partnership(opportunity, target, eoi, response_id, record, since))
    return found


def agreement_state(view: EmailView, partner: Partnership, agreement: Agreement) -> str:
    """ "agreed (version 2, 2027-01-05)", or "waiting" (with the earlier version agreed, when there was one)."""
    consent = view.consents.get((partner.reference, AGREEMENT))
    if consent is None or not consent.yes:
        return WAITING
    day = local_day(parse_stamp(consent.given), view.config.email.timezone) if consent.given else ""
    if consent.wording != agreement.wording:
        return f"{WAITING}: the agreement changed since they agreed on {day}"
    return f"agreed (version {agreement.version}, {day})" if agreement.version else f"agreed ({day})"


def review_due(view: EmailView, partner: Partnership) -> date:
    """The day the next 1:1 review is due: review_months after the last one, or after appointment."""
    last = read_date(partner.eoi.get(partner.record, "lead", "last_review"))
    start = last or partner.appointed.astimezone(view.local_now.tzinfo).date()
    return add_months(start, partner.opportunity.support.review_months)


def support_notes(view: EmailView, agreement: Agreement | None) -> list[Note]:
    """The agreement's state in its column; "review due" and "term ends" in Needs checking (taken off
    again when the lead records the review, extends the term or closes it)."""
    notes = []
    today = view.local_now.date()
    appointed = {(p.target, p.response_id): p for p in appointed_partners(view)}
    for opportunity in view.config.opportunities:
        target = opportunity_target(opportunity.key)
        eoi = records_for(view, target, EOI)
        if eoi is None or target in view.held:
            continue
        column, flags = eoi.tab.column("tool", "confidentiality"), eoi.tab.column("tool", "flags")
        for response_id, record in eoi.by_id.items():
            partner = appointed.get((target, response_id))
            cells = {}
            if column is not None and agreement and opportunity.support.confidentiality_agreement:
                state = agreement_state(view, partner, agreement) if partner else ""
                if partner or record.get(column.header, ""):
                    cells[column.header] = state
            if flags is not None:
                cell = record.get(flags.header, "")
                cell = with_flag(cell, REVIEW_DUE, _review_flag(view, partner, today) if partner else None)
                cell = with_flag(cell, TERM_ENDS, _term_flag(view, partner) if partner else None)
                cells[flags.header] = cell
            changed = {header: value for header, value in cells.items() if record.get(header, "") != value}
            if changed:
                notes.append(Note(target, eoi.tab.tab, Row(response_id, "", changed)))
    return notes


def _review_flag(view: EmailView, partner: Partnership, today: date) -> str | None:
    typed = partner.eoi.get(partner.record, "lead", "last_review")
    if typed and read_date(typed) is None:  # counted from the appointment meanwhile: say so
        return f"{REVIEW_DUE}?: the Last 1:1 review cannot be read: {UNREADABLE_DATE}"
    due = review_due(view, partner)
    return f"{REVIEW_DUE}: {due.isoformat()}" if today >= due else None


def _term_flag(view: EmailView, partner: Partnership) -> str | None:
    typed = partner.eoi.get(partner.record, "lead", "term_end")
    if not typed:
        return None
    end = read_date(typed)
    if end is None:
        return f"{TERM_ENDS}: the Term end cannot be read: {UNREADABLE_DATE}"
    if view.local_now.date() < end - timedelta(days=view.config.email.term_end_notice_days):
        return None
    return f"{TERM_ENDS} {end.isoformat()}: extend it (edit Term end) or close it (status Term ended)"


def support_emails(view: EmailView, agreement: Agreement | None, wanted) -> list[DueEmail]:
    """To the lead: the induction checklist at appointment, an agreement still waiting after
    agreement_reminder_days, a review due, a term ending within term_end_notice_days. To the partner:
    the agreement again when its wording changed after they agreed."""
    config = view.config
    today, due = view.local_now.date(), []
    grace = timedelta(minutes=config.email.grace_minutes)
    for partner in appointed_partners(view):
        due += _emails_about(view, partner, agreement, wanted, today, grace)
    return due


def _emails_about(
    view: EmailView, partner: Partnership, agreement: Agreement | None, wanted, today: date, grace
) -> list[DueEmail]:
    config, opportunity, rid = view.config, partner.opportunity, partner.response_id
    due: list[DueEmail] = []
    if not stood(status_view(partner.record, partner.eoi.tab, "status", config.email.timezone), view.now, grace):
        return due  # as the appointment email: a mis-click undone in the grace period tells nobody

    def to_lead(template: str, about: str = "", **extra) -> None:
        key = email_key(rid, template, about)
        if wanted(key):
            context = _lead_context(view, partner, template) | extra
            lead = opportunity.lead_contact
            due.append(DueEmail(key, template, lead.name, lead.email, "the lead contact's email address", context))

    if opportunity.support.induction:
        to_lead("induction_checklist", checklist=list(opportunity.support.induction_checklist))
    if agreement and opportunity.support.confidentiality_agreement:
        state = agreement_state(view, partner, agreement)
        waited = (view.now - partner.appointed).days
        if state.startswith(WAITING) and waited >= config.email.agreement_reminder_days:
            to_lead("agreement_reminder", agreement.wording, days_waiting=waited)
        if state.startswith(f"{WAITING}:") and wanted(email_key(rid, "agreement_changed", agreement.wording)):
            due.append(_agreement_again(view, partner, agreement))
    review = review_due(view, partner)
    if today >= review:
        to_lead("review_due", review.isoformat(), review={"due": review, "months": opportunity.support.review_months})
    end = read_date(partner.eoi.get(partner.record, "lead", "term_end"))
    if end and today >= end - timedelta(days=config.email.term_end_notice_days):
        to_lead("term_ending", end.isoformat(), term={"end": end})
    return due


def _agreement_again(view: EmailView, partner: Partnership, agreement: Agreement) -> DueEmail:
    """To a partner who agreed to an earlier wording: the agreement's link, to read and agree again."""
    opportunity = partner.opportunity
    context = common_context(view.config, opportunity, "agreement_changed")
    context.update(
        person={"name": partner.name},
        links=view.links_for(partner.reference),
        agreement={"version": agreement.version},
    )
    return DueEmail(
        email_key(partner.response_id, "agreement_changed", agreement.wording),
        "agreement_changed",
        partner.name,
        partner.eoi.contact(partner.record, "email"),
        "the partner's email address",
        context,
        (opportunity.lead_contact.name, opportunity.lead_contact.email),
    )


def _lead_context(view: EmailView, partner: Partnership, name: str) -> dict:
    context = common_context(view.config, partner.opportunity, name)
    context["person"] = {"name": partner.name}  # the lead's own partner: named, as in needs_received
    context["links"]["sheet"] = view.sheet_links.get(partner.target, "")
    return context


LEAD_EMAILS = ("induction_checklist", "agreement_reminder", "review_due", "term_ending")


def preview_context(view: EmailView, response_id: str, name: str, agreement: Agreement | None) -> dict | None:
    """The context the email `name` would have for this partner's row, due or not (preview-email
    --response); None when the response is not an appointed partner's."""
    partner = next((p for p in appointed_partners(view) if p.response_id == response_id), None)
    if partner is None or (name not in LEAD_EMAILS and name != "agreement_changed"):
        return None
    support = partner.opportunity.support
    if name == "agreement_changed":
        return _agreement_again(view, partner, agreement or Agreement("", "")).context
    review = review_due(view, partner)
    extras: dict[str, dict] = {
        "induction_checklist": {"checklist": list(support.induction_checklist)},
        "agreement_reminder": {"days_waiting": (view.now - partner.appointed).days},
        "review_due": {"review": {"due": review, "months": support.review_months}},
        "term_ending": {"term": {"end": read_date(partner.eoi.get(partner.record, "lead", "term_end")) or ""}},
    }
    return _lead_context(view, partner, name) | extras[name]
