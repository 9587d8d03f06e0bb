"""The email step of a sync run, as functions of what the run read: which statuses to note, which
emails are due, which rows to mark with their last email. None of them writes or sends: the run
applies what they return (rows through its spreadsheets, emails through its one Mailer)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from ..config import Config
from ..errors import PppError
from ..forms.items import entry_number, question_id
from ..sheets.layout import TabLayout
from ..vocabulary import (
    ADMIN,
    EOI,
    EXPENSE_CLAIMS,
    EXPENSES,
    INVITED,
    JOINED_FORMS,
    LOG_STATE,
    LOG_TIME,
    MONITORING_FORM,
    NEEDS_ASSESSMENT,
    PREFERENCES,
    RETRY,
    SENT,
    SHEET_TIME,
    SUPPORT_EVALUATION,
    SUPPORT_REQUEST,
    UNKNOWN,
    opportunity_target,
)
from .emails import (
    ACKNOWLEDGE_WITHIN,
    DECISIONS,
    HELD_INVITATION,
    DueEmail,
    Records,
    applicant_emails,
    approvers_digest,
    claim_emails,
    common_context,
    email_key,
    lead_emails,
    missing_interview_details,
    note,
    recent,
    status_view,
    tab_records,
)
from .mailer import log_state
from .rows import Partner, Row

PREFILLED = JOINED_FORMS + (SUPPORT_EVALUATION,)  # forms whose links carry a reference


@dataclass(frozen=True)
class Note:
    """A few cells of one row, by response id: what the run writes besides the response rows."""

    target: str
    tab: str
    row: Row


@dataclass
class EmailView:
    """What the email step reads, made once by the run: every tab as records (after this run's rows),
    the spreadsheets' links, the latest consents, who each reference is and their prefilled links.
    The email log is the Mailer's (Mailer.log, Mailer.is_due)."""

    config: Config
    now: datetime
    records: dict[str, dict[str, Records]]  # target -> tab title -> records
    sheet_links: dict[str, str]  # target -> the spreadsheet's link
    held: set[str] = field(default_factory=set)  # targets whose rows were not written: nothing about them is emailed
    consents: dict = field(default_factory=dict)
    partners: dict = field(default_factory=dict)
    links_for: Callable[[str], dict[str, str]] = lambda reference: {}

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(ZoneInfo(self.config.email.timezone))


def read_log(values: list[list[str]]) -> dict[str, dict[str, str]]:
    """The email log tab's rows by key."""
    return {row[0]: dict(zip(values[0], row)) for row in values[1:] if row and row[0]} if values else {}


def records_of(runs: dict) -> dict[str, dict[str, Records]]:
    """Every response tab of every spreadsheet as it will be after this run's rows: made once a run."""
    found: dict[str, dict[str, Records]] = {}
    for target, run in runs.items():
        for tab in run.dest.tabs:
            if tab.form and run.dest.tab(tab.form) is tab:  # not the admin's tabs of unmatched responses
                found.setdefault(target, {})[tab.tab] = tab_records(run, tab)
    return found


def partners_of(config: Config, records: dict[str, dict[str, Records]]) -> dict:
    """Every reference -> its partner, from the expressions of interest as read."""
    found = {}
    for opportunity in config.opportunities:
        for eoi in records.get(opportunity_target(opportunity.key), {}).values():
            if eoi.tab.form != EOI:
                continue
            for response_id, record in eoi.by_id.items():
                reference = eoi.get(record, "tool", "reference")
                found[reference] = Partner(
                    reference,
                    response_id,
                    eoi.get(record, "answer", "full_name"),
                    opportunity.key,
                    opportunity.group,
                    eoi.contact(record, "email"),
                )
    return found


STATUS_KEYS = {EOI: "status", EXPENSE_CLAIMS: "claim_status", SUPPORT_REQUEST: "status"}  # the lead's status column


def with_status(records: dict[str, dict[str, Records]]):
    """(target, records, the lead's status column) for every tab whose statuses are noted."""
    for target, tabs in records.items():
        for found in tabs.values():
            status_key = STATUS_KEYS.get(found.tab.form or "")
            if status_key and found.tab.column("tool", "status_seen"):
                yield target, found, status_key


def status_notes(records: dict[str, dict[str, Records]], now: datetime, zone: str) -> list[Note]:
    """When each row's status was first seen, so a decision waits for the grace period (a cleared status
    is noted too, so setting it again restarts the wait)."""
    notes = []
    for target, found, status_key in with_status(records):
        seen = found.tab.column("tool", "status_seen")
        for response_id, record in found.by_id.items():
            view = status_view(record, found.tab, status_key, zone)
            if view and view.changed:
                notes.append(
                    Note(target, found.tab.tab, Row(response_id, "", {seen.header: note(view.noted_as, now, zone)}))
                )
    return notes


def noted_when_new(dest, tab: TabLayout, now: datetime, zone: str) -> dict[str, str]:
    """The Status noted a new row of `tab` is written with: its status as the layout's default, noted now, as
    status_notes would note it straight after (a first sync of 100,000 rows then holds no note for each).
    {} where status_notes notes nothing of the tab (records_of leaves it out, or it has no default status)."""
    status_key = STATUS_KEYS.get(tab.form or "")
    if not status_key or dest.tab(tab.form) is not tab:
        return {}
    status, seen = tab.column("lead", status_key), tab.column("tool", "status_seen")
    if status is None or seen is None:
        return {}
    view = status_view({status.header: status.default or ""}, tab, status_key, zone)
    return {seen.header: note(view.noted_as, now, zone)} if view and view.changed else {}


def interview_holds(records: dict[str, dict[str, Records]], log: dict[str, dict[str, str]]) -> tuple[list[Note], int]:
    """Rows invited to interview whose invitation is not yet sent and waits for details the lead has not
    filled in: a "Needs checking" note naming them (taken off once they are); and how many are held."""
    notes, held = [], 0
    for target, found, status_key in with_status(records):
        flags = found.tab.column("tool", "flags")
        if found.tab.form != EOI or flags is None:
            continue
        for response_id, record in found.by_id.items():
            status = found.get(record, "lead", status_key)
            missing = missing_interview_details(found.tab, record) if status == INVITED else []
            entry = log.get(email_key(response_id, DECISIONS[INVITED], INVITED))
            if entry is not None and log_state(entry) != RETRY:
                missing = []  # sent, or being seen to: nothing waits for the details
            held += bool(missing)
            cell = with_flag(
                record.get(flags.header, ""),
                HELD_INVITATION,
                f"{HELD_INVITATION}: {', '.join(missing)}" if missing else None,
            )
            if cell != record.get(flags.header, ""):
                notes.append(Note(target, found.tab.tab, Row(response_id, "", {flags.header: cell})))
    return notes, held


def with_flag(cell: str, prefix: str, flag: str | None) -> str:
    """A "Needs checking" cell with the tool's note starting `prefix` replaced by `flag` (or taken off)."""
    kept = [part for part in cell.split("; ") if part.strip() and not part.startswith(prefix)]
    return "; ".join(kept + ([flag] if flag else []))


def last_email_notes(records: dict[str, dict[str, Records]], log: dict[str, dict[str, str]]) -> list[Note]:
    """Each row's last email, from the email log (the record), where the row does not show it yet."""
    latest: dict[str, tuple[str, str]] = {}
    for key, entry in log.items():
        response_id, template = key.split("|")[0], key.split("|")[1] if "|" in key else ""
        time = entry.get(LOG_TIME, "")
        if response_id not in latest or time >= latest[response_id][0]:
            latest[response_id] = (
                time,
                f"{template.replace('_', ' ')}: {_short(entry.get(LOG_STATE, ''))} {time}".strip(),
            )
    notes = []
    for target, found, _ in with_status(records):
        column = found.tab.column("tool", "last_email")
        if column is None:
            continue
        for response_id, record in found.by_id.items():
            if response_id in latest and record.get(column.header, "") != latest[response_id][1]:
                notes.append(Note(target, found.tab.tab, Row(response_id, "", {column.header: latest[response_id][1]})))
    return notes


def _short(state: str) -> str:
    return "unknown, see the email log" if state == UNKNOWN else state


def due_emails(view: EmailView, log: dict[str, dict[str, str]], wanted, waiting: list[str]) -> list[DueEmail]:
    """Everything due to applicants, partners, leads and the involvement team; `waiting` collects the
    keys of decisions not yet past the grace period."""
    config = view.config
    local_now = view.local_now
    since = (local_now - ACKNOWLEDGE_WITHIN).strftime(SHEET_TIME)
    opportunities = {o.key: o for o in config.opportunities}
    due: list[DueEmail] = []
    for opportunity in config.opportunities:
        target = opportunity_target(opportunity.key)
        if target in view.held:
            continue  # its rows were not written: nothing about them is emailed until they are
        eoi, needs = records_for(view, target, EOI), records_for(view, target, NEEDS_ASSESSMENT)
        if eoi is None:
            raise PppError(
                f"the spreadsheet {target} has no tab for the expression of interest form: check the layouts"
            )
        due += applicant_emails(
            config, opportunity, target, eoi, needs, since, view.links_for, view.now, wanted, waiting, view.consents
        )
        last_digest = _last_sent(log, opportunity.key, "eoi_digest")
        needs_names = (
            [
                (rid, needs.get(record, "tool", "partner_name"))
                for rid, record in needs.by_id.items()
                if recent(needs, record, since) and wanted(email_key(rid, "needs_received"))
            ]
            if needs
            else []
        )
        due += lead_emails(
            config,
            opportunity,
            eoi,
            needs_names,
            view.sheet_links.get(target, ""),
            last_digest,
            local_now,
            local_now.date(),
        )
    claims = records_for(view, EXPENSES, EXPENSE_CLAIMS)
    if claims is not None and EXPENSES not in view.held:
        due += claim_emails(
            config, EXPENSES, claims, view.partners, opportunities, since, view.links_for, view.now, wanted
        )
        due += approvers_digest(
            config,
            EXPENSES,
            claims,
            view.sheet_links.get(EXPENSES, ""),
            lambda tag: _last_sent(log, EXPENSES, "claims_digest", ending=f" approver {tag}"),
            local_now,
            local_now.date(),
        )
    due += _preferences_messages(view, since, wanted)
    return due


def _last_sent(log: dict[str, dict[str, str]], subject: str, template: str, ending: str = "") -> str:
    """When the last digest `template` about `subject` (to the recipient whose key ends `ending`) was sent
    (as the sheets show times), or ""."""
    return max(
        (
            r.get(LOG_TIME, "")
            for k, r in log.items()
            if k.startswith(email_key(subject, template)) and k.endswith(ending) and log_state(r) == SENT
        ),
        default="",
    )


POSSIBLE_DUPLICATE = "possible duplicate"  # the start of its "Needs checking" note


def duplicate_claim_notes(records: dict[str, dict[str, Records]]) -> list[Note]:
    """A claim by the same person for the same date as an earlier one: "Needs checking" says it may be a
    duplicate (taken off if the other is removed or either date corrected)."""
    notes = []
    for target, tabs in records.items():
        for found in tabs.values():
            flags = found.tab.column("tool", "flags")
            day = next((c for c in found.tab.columns if c.role == "journey_date"), None)
            if found.tab.form != EXPENSE_CLAIMS or flags is None or day is None:
                continue
            first: dict[tuple[str, str], str] = {}  # (reference, date) -> when its first claim was submitted
            by_time = sorted(found.by_id.items(), key=lambda item: (found.get(item[1], "tool", "submitted"), item[0]))
            for response_id, record in by_time:
                same = (found.get(record, "tool", "partner_reference"), record.get(day.header, "").strip())
                flag = None
                if all(same) and same in first:
                    flag = f"{POSSIBLE_DUPLICATE}: another claim by this person for the same date" + (
                        f", submitted {first[same]}" if first[same] else ""
                    )
                elif all(same):
                    first[same] = found.get(record, "tool", "submitted")
                cell = with_flag(record.get(flags.header, ""), POSSIBLE_DUPLICATE, flag)
                if cell != record.get(flags.header, ""):
                    notes.append(Note(target, found.tab.tab, Row(response_id, "", {flags.header: cell})))
    return notes


def records_for(view: EmailView, target: str, form: str) -> Records | None:
    """The records of the tab of `form` in the spreadsheet `target` (never its unmatched tab)."""
    return next((found for found in view.records.get(target, {}).values() if found.tab.form == form), None)


def _preferences_messages(view: EmailView, since: str, wanted) -> list[DueEmail]:
    """A message typed into the preferences form (perhaps "please forget me") reaches the involvement
    team's inbox as a pointer to the admin spreadsheet, never as its text."""
    found = records_for(view, ADMIN, PREFERENCES)
    message = found.tab.column("answer", "anything_else") if found else None
    if message is None:
        return []
    assert found is not None  # message is one of its columns
    org = view.config.organisation
    due = []
    for response_id, record in found.by_id.items():
        key = email_key(response_id, "preferences_message")
        if record.get(message.header, "").strip() and recent(found, record, since) and wanted(key):
            context = common_context(view.config, None, "preferences_message")
            context["person"] = {"name": found.get(record, "tool", "partner_name")}
            context["links"]["sheet"] = view.sheet_links.get(ADMIN, "")
            due.append(
                DueEmail(
                    key,
                    "preferences_message",
                    org.name,
                    org.engagement_email,
                    "the organisation's engagement_email",
                    context,
                )
            )
    return due


def prefilled_links(
    responder: Callable[[str], str],
    deployed: dict,
    code_for: Callable[[str], str] = lambda reference: "",
    coded: dict[str, str] | None = None,
):
    """Prefilled links carrying a partner's reference: responderUri?usp=pp_url&entry.N=reference, and on the
    forms in `coded` (form -> the key of its link-code question) their link code too (`code_for(reference)`, consent.link_code): without it an answer
    changes nothing about sharing. `responder(form)` is the form's responderUri (asked once, when first needed)."""
    uris: dict[str, str] = {}

    def uri(form: str) -> str:
        if form not in uris:
            uris[form] = responder(form) if form in deployed else ""
        return uris[form]

    def links_for(reference: str) -> dict[str, str]:
        # The monitoring form is anonymous: its link carries no reference.
        links = {"sheet": "", "equal_opportunities": uri(MONITORING_FORM)}
        for form in PREFILLED:
            found = uri(form)
            number = entry_number(question_id(form, "reference"))
            links[form] = f"{found}?usp=pp_url&entry.{number}={reference}" if found and reference else found
            code = code_for(reference) if form in (coded or {}) and found and reference else ""
            if code:
                links[form] += f"&entry.{entry_number(question_id(form, (coded or {})[form]))}={code}"
        return links

    return links_for
