"""Meetings after appointment, as a step of the sync: a function of the spreadsheets as read (pure).

The lead fills the Meetings tab (meeting_tabs.MEETINGS_TAB); the step gives each new row a Meeting ID,
lays out the Attendance tab (a row per meeting and appointed partner, marked by the lead from a
dropdown), notes each partner's papers format, access needs and attendance rate on their row, and
says which emails are due:

- `meeting_checklist`, to the lead, `notice_days` before each meeting: per partner what papers to send
  and how (the postal address only where the partner gave it in the needs assessment for posting
  papers); once per meeting and date;
- `meeting_notice`, to each appointed partner at the same time, exactly once per meeting and partner;
- `meeting_update`, to each partner already told, when the meeting moves: once per new date;
- `attendance_low`, to the lead, once each time a partner's rate falls below the threshold (never
  to the partner: a conversation is the right response, seed 002).

Every key is (meeting id and reference, email, date): no name or address is in a key.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..config import Config, Opportunity
from ..forms.items import entry_number, question_id
from ..sheets.a1 import cell_range
from ..vocabulary import (
    ABSENT,
    APOLOGIES,
    APPOINTED,
    ATTENDANCE_MARKS,
    ATTENDED,
    EOI,
    LOG_TIME,
    MEETING_FEEDBACK,
    NEEDS_ASSESSMENT,
    SHEET_TIME,
    opportunity_target,
    short_hash,
)
from .email_step import Note, with_flag
from .emails import DueEmail, Records, common_context, email_key, noted, tab_records
from .meeting_tabs import ATTENDANCE_RATE, ATTENDANCE_TAB, MEETINGS_TAB, PAPERS_ACCESS
from .rows import Row
from .table import apply_writes

# How a lead may type a meeting's date and time; and, on Google, how a UK spreadsheet shows a typed date
# back (values.batchGet FORMATTED_VALUE: 09/03/2027 10:00:00). Day first: a UK organisation's order.
WHEN_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M")
UNREADABLE_WHEN = "the date and time could not be read"  # the start of its "Needs checking" note
FEEDBACK_AFTER, FEEDBACK_UNTIL = timedelta(hours=3), timedelta(days=14)  # after a meeting's start
MIN_MARKED = 3  # a rate over fewer marked meetings says little: the lead is not told before this many
POSTED = ("printed", "large print", "easy read", "audio")  # formats that go by post (lower case, as in the choices)


def parse_when(text: str, zone: str) -> datetime | None:
    text = " ".join(text.split())
    for pattern in WHEN_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=ZoneInfo(zone))
        except ValueError:
            continue
    return None


@dataclass
class Meeting:
    id: str
    when: datetime | None
    record: dict[str, str]

    @property
    def when_text(self) -> str:
        """The date and time in the one format the tool writes (vocabulary.SHEET_TIME): keys and cells."""
        return self.when.strftime(SHEET_TIME) if self.when else ""

    def get(self, key: str) -> str:
        column = MEETINGS_TAB.column("lead", key) or MEETINGS_TAB.column("tool", key)
        return self.record.get(column.header, "").strip() if column else ""


@dataclass
class PartnerNeeds:
    """An appointed partner, and what their needs assessment says about papers and access."""

    reference: str
    response_id: str  # their expression-of-interest row
    name: str
    email: str
    appointed: datetime | None
    formats: list[str] = field(default_factory=list)
    post_to: str = ""  # given in the needs assessment for posting papers, or ""
    access_needs: bool = False
    pre_meet: str = ""
    answered: bool = False  # their needs assessment has come back

    @property
    def posted(self) -> bool:
        return any(word in f.lower() for f in self.formats for word in POSTED)

    def summary(self) -> str:
        """The "Papers and access" cell on their row."""
        if not self.answered:
            return "needs assessment not back yet"
        papers = "; ".join(self.formats) or "no format chosen"
        parts = [f"papers: {papers}"]
        if self.posted and not self.post_to:
            parts.append("no address given for posting papers: ask them")
        if self.access_needs:
            parts.append("access or communication needs: see Needs assessments")
        return "; ".join(parts)


@dataclass
class MeetingPlan:
    """What the step wants: rows of the meeting tabs, notes on the partners' rows, and the emails due."""

    rows: dict[str, dict[str, list[Row]]] = field(default_factory=dict)  # target -> tab -> rows
    notes: list[Note] = field(default_factory=list)
    due: Callable[..., list[DueEmail]] = lambda wanted, links_for, held, log: []


def plan(config: Config, runs: dict, records: dict[str, dict[str, Records]], now: datetime) -> MeetingPlan:
    """The meeting step over every opportunity's spreadsheet as read (after this run's response rows)."""
    result = MeetingPlan()
    settings = config.meetings
    if settings is None:
        return result
    zone = config.email.timezone
    makers: list[Callable] = []
    for opportunity in config.opportunities:
        target = opportunity_target(opportunity.key)
        run = runs.get(target)
        if run is None or run.broken:
            continue
        give_ids(run)
        meetings = read_meetings(run, zone)
        eoi, needs = (
            _form_records(records.get(target, {}), EOI),
            _form_records(records.get(target, {}), NEEDS_ASSESSMENT),
        )
        if eoi is None:
            continue
        partners = appointed_partners(eoi, needs, zone)
        tabs = result.rows.setdefault(target, {})
        tabs[ATTENDANCE_TAB.tab] = attendance_rows(meetings, partners)
        tabs[MEETINGS_TAB.tab] = meeting_notes(meetings, now, settings.notice_days)
        marks = attendance_marks(tab_records(run, ATTENDANCE_TAB), meetings, now)
        rates = {p.reference: Rate.of(marks.get(p.reference, []), settings.attendance_window) for p in partners}
        result.notes += partner_notes(target, eoi, partners, rates, settings.attendance_threshold)
        makers.append(_emails(config, opportunity, target, meetings, partners, marks, now, run.link))
    result.due = lambda wanted, links_for, held, log: [
        email for make in makers for email in make(wanted, links_for, held, log)
    ]
    return result


def _form_records(tabs: dict[str, Records], form: str) -> Records | None:
    return next((found for found in tabs.values() if found.tab.form == form), None)


def give_ids(run) -> None:
    """A Meeting ID for each meeting row a lead added (or copied, id and all): written in the run's one
    write, where the row was read, and into the values as read so the rest of the run finds it."""
    values = run.values.get(MEETINGS_TAB.tab, [])
    if not values:
        return
    headers = values[0]
    if MEETINGS_TAB.header("tool", "response_id") not in headers:
        return
    column = headers.index(MEETINGS_TAB.header("tool", "response_id"))
    lead = [headers.index(c.header) for c in MEETINGS_TAB.columns if c.kind == "lead" and c.header in headers]
    seen: set[str] = set()
    ranges = []
    for number, line in enumerate(values[1:], start=2):
        cells = line + [""] * (len(headers) - len(line))
        present = cells[column].strip()
        if not any(cells[i].strip() for i in lead):
            continue
        if not present or present in seen:
            present = "m-" + secrets.token_hex(4)
            ranges.append((cell_range(MEETINGS_TAB.tab, number, column, column), [[present]]))
        seen.add(present)
    if ranges:
        apply_writes(values, ranges)
        run.cells.extend(ranges)


def read_meetings(run, zone: str) -> list[Meeting]:
    found = tab_records(run, MEETINGS_TAB)
    meetings = [
        Meeting(meeting_id, parse_when(record.get(MEETINGS_TAB.header("lead", "when"), ""), zone), record)
        for meeting_id, record in found.by_id.items()
    ]
    return sorted(meetings, key=lambda m: (m.when is None, m.when or datetime.min.replace(tzinfo=ZoneInfo(zone))))


def appointed_partners(eoi: Records, needs: Records | None, zone: str) -> list[PartnerNeeds]:
    """Each partner whose status is Appointed, with their latest needs assessment."""
    latest: dict[str, dict[str, str]] = {}
    if needs is not None:
        for record in sorted(needs.by_id.values(), key=lambda r: needs.get(r, "tool", "submitted")):
            latest[needs.get(record, "tool", "partner_reference")] = record
    partners = []
    for response_id, record in eoi.by_id.items():
        if eoi.get(record, "lead", "status") != APPOINTED:
            continue
        reference = eoi.get(record, "tool", "reference")
        _, since = noted(eoi.get(record, "tool", "status_seen"), zone)
        partner = PartnerNeeds(
            reference, response_id, eoi.get(record, "answer", "full_name"), eoi.contact(record, "email"), since
        )
        answers = latest.get(reference)
        if answers is not None and needs is not None:
            partner.answered = True
            partner.formats = [f.strip() for f in needs.get(answers, "answer", "papers_format").split(";") if f.strip()]
            partner.post_to = needs.get(answers, "answer", "papers_postal_address")
            partner.access_needs = bool(needs.get(answers, "answer", "access_communication_needs"))
            partner.pre_meet = needs.get(answers, "answer", "pre_meet_wanted")
        partners.append(partner)
    return partners


def row_id(meeting_id: str, reference: str) -> str:
    return "a-" + short_hash(f"{meeting_id}|{reference}", 12)


def attendance_rows(meetings: list[Meeting], partners: list[PartnerNeeds]) -> list[Row]:
    """A row per dated meeting and appointed partner (meetings from the day they were appointed on)."""
    rows = []
    for meeting in meetings:
        if meeting.when is None:
            continue
        for partner in partners:
            if partner.appointed and meeting.when.date() < partner.appointed.astimezone(meeting.when.tzinfo).date():
                continue
            key = row_id(meeting.id, partner.reference)
            rows.append(
                Row(
                    key,
                    "",
                    {
                        ATTENDANCE_TAB.header("tool", "response_id"): key,
                        ATTENDANCE_TAB.header("tool", "meeting"): meeting.when_text,
                        ATTENDANCE_TAB.header("tool", "partner_name"): partner.name,
                        ATTENDANCE_TAB.header("tool", "meeting_id"): meeting.id,
                        ATTENDANCE_TAB.header("tool", "partner_reference"): partner.reference,
                    },
                )
            )
    return rows


def meeting_notes(meetings: list[Meeting], now: datetime, notice_days: int) -> list[Row]:
    """A date that cannot be read is flagged; when the notices first fall due, the date they give."""
    rows = []
    flags, told = MEETINGS_TAB.header("tool", "flags"), MEETINGS_TAB.header("tool", "told_of")
    for meeting in meetings:
        cells = {}
        written = meeting.get("when")
        flag = f"{UNREADABLE_WHEN}: write it like 2027-03-09 10:00" if written and meeting.when is None else None
        cell = with_flag(meeting.record.get(flags, ""), UNREADABLE_WHEN, flag)
        if cell != meeting.record.get(flags, ""):
            cells[flags] = cell
        if meeting.when and not meeting.get("told_of") and notice_due(meeting, now, notice_days):
            cells[told] = meeting.when_text
            meeting.record[told] = meeting.when_text
        if cells:
            rows.append(Row(meeting.id, "", cells))
    return rows


def notice_due(meeting: Meeting, now: datetime, notice_days: int) -> bool:
    return bool(meeting.when) and meeting.when - timedelta(days=notice_days) <= now < meeting.when  # type: ignore[operator]


@dataclass(frozen=True)
class Mark:
    meeting_id: str
    when: datetime
    mark: str


def attendance_marks(found: Records, meetings: list[Meeting], now: datetime) -> dict[str, list[Mark]]:
    """Each partner's marks for meetings that have taken place, oldest first."""
    by_id = {m.id: m for m in meetings if m.when and m.when <= now}
    marks: dict[str, list[Mark]] = {}
    for record in found.by_id.values():
        meeting = by_id.get(found.get(record, "tool", "meeting_id"))
        mark = found.get(record, "lead", "attendance")
        if meeting is None or mark not in ATTENDANCE_MARKS or meeting.when is None:
            continue
        marks.setdefault(found.get(record, "tool", "partner_reference"), []).append(
            Mark(meeting.id, meeting.when, mark)
        )
    for found_marks in marks.values():
        found_marks.sort(key=lambda m: m.when)
    return marks


@dataclass(frozen=True)
class Rate:
    attended: int
    apologies: int
    marked: int

    @classmethod
    def of(cls, marks: list[Mark], window: int) -> Rate:
        last = marks[-window:]
        return cls(sum(m.mark == ATTENDED for m in last), sum(m.mark == APOLOGIES for m in last), len(last))

    @property
    def percent(self) -> int:
        return round(100 * self.attended / self.marked) if self.marked else 100

    def below(self, threshold: int) -> bool:
        return self.marked >= MIN_MARKED and self.percent < threshold

    def text(self, threshold: int) -> str:
        if not self.marked:
            return ""
        many = self.marked != 1
        shown = f"{self.attended} of {'the last ' if many else ''}{self.marked} meeting{'s' if many else ''} attended"
        shown += f" ({self.percent}%)"
        shown += f", apologies sent for {self.apologies}" if self.apologies else ""
        return f"below {threshold}%: {shown}" if self.below(threshold) else shown


def below_since(marks: list[Mark], window: int, threshold: int) -> str:
    """The meeting at which the partner's rate last fell below the threshold ("" when it is not below now):
    the lead is told once for each fall, not at every meeting while it stays low."""
    start = ""
    for count in range(1, len(marks) + 1):
        below = Rate.of(marks[:count], window).below(threshold)
        if below and not start:
            start = marks[count - 1].meeting_id
        elif not below:
            start = ""
    return start


def partner_notes(
    target: str, eoi: Records, partners: list[PartnerNeeds], rates: dict[str, Rate], threshold: int
) -> list[Note]:
    notes = []
    for partner in partners:
        record = eoi.by_id[partner.response_id]
        cells = {
            PAPERS_ACCESS.header: partner.summary(),
            ATTENDANCE_RATE.header: rates[partner.reference].text(threshold),
        }
        changed = {header: value for header, value in cells.items() if record.get(header, "") != value}
        if changed:
            notes.append(Note(target, eoi.tab.tab, Row(partner.response_id, "", changed)))
    return notes


def meeting_context(meeting: Meeting) -> dict:
    where = meeting.get("where")
    return {
        "id": meeting.id,
        "when": meeting.when_text,
        "day": meeting.when.date() if meeting.when else "",
        "time": meeting.when.strftime("%H:%M") if meeting.when else "",
        "where": where,
        "online": where.lower().startswith(("http://", "https://")) or "teams" in where.lower(),
        "papers_link": meeting.get("papers_link"),
        "papers_due": meeting.get("papers_due"),
        "pre_meet": meeting.get("pre_meet").lower() == "yes",
        "pre_meet_when": meeting.get("pre_meet_when"),
    }


def _emails(
    config: Config,
    opportunity: Opportunity,
    target: str,
    meetings: list[Meeting],
    partners: list[PartnerNeeds],
    marks: dict[str, list[Mark]],
    now: datetime,
    sheet_link: str,
):
    settings = config.meetings
    assert settings is not None
    lead = opportunity.lead_contact

    marked = {(m.meeting_id, reference): m.mark for reference, found in marks.items() for m in found}

    def due(wanted, links_for, held, log) -> list[DueEmail]:
        if target in held:
            return []  # its rows were not written: nothing about them is emailed until they are
        found: list[DueEmail] = []
        for meeting in meetings:
            if not notice_due(meeting, now, settings.notice_days):
                continue
            shown = meeting_context(meeting)
            key = email_key(meeting.id, "meeting_checklist", meeting.when_text)
            if partners and wanted(key):
                context = common_context(config, opportunity, "meeting_checklist")
                context["links"]["sheet"] = sheet_link
                context.update(meeting=shown, partners=[checklist_line(p) for p in partners])
                found.append(
                    DueEmail(
                        key, "meeting_checklist", lead.name, lead.email, "the lead contact's email address", context
                    )
                )
            told = meeting.get("told_of")
            for partner in partners:
                notice = email_key(f"{meeting.id} {partner.reference}", "meeting_notice")
                update = email_key(f"{meeting.id} {partner.reference}", "meeting_update", meeting.when_text)
                if wanted(notice):
                    found.append(_to_partner(config, opportunity, notice, "meeting_notice", partner, shown, links_for))
                elif (was := last_told(log, meeting.id, partner.reference, told)) != meeting.when_text and (
                    told and wanted(update)
                ):
                    context_meeting = {**shown, "was": was}
                    found.append(
                        _to_partner(config, opportunity, update, "meeting_update", partner, context_meeting, links_for)
                    )
        for meeting in meetings:
            if not feedback_due(meeting, now):
                continue
            shown = meeting_context(meeting)
            for partner in partners:
                key = email_key(f"{meeting.id} {partner.reference}", "meeting_feedback")
                if marked.get((meeting.id, partner.reference)) in (APOLOGIES, ABSENT) or not wanted(key):
                    continue
                found.append(
                    _to_partner(config, opportunity, key, "meeting_feedback", partner, shown, feedback_links(links_for))
                )
        found += _you_said_we_did(config, opportunity, meetings, partners, now, wanted, links_for)
        for partner in partners:
            start = below_since(
                marks.get(partner.reference, []), settings.attendance_window, settings.attendance_threshold
            )
            key = email_key(partner.reference, "attendance_low", start)
            if start and wanted(key):
                rate = Rate.of(marks[partner.reference], settings.attendance_window)
                context = common_context(config, opportunity, "attendance_low")
                context["links"]["sheet"] = sheet_link
                context["person"] = {"name": partner.name}
                context["attendance"] = {
                    "attended": rate.attended,
                    "apologies": rate.apologies,
                    "meetings": rate.marked,
                    "percent": rate.percent,
                    "threshold": settings.attendance_threshold,
                }
                found.append(
                    DueEmail(key, "attendance_low", lead.name, lead.email, "the lead contact's email address", context)
                )
        return found

    return due


def last_quarter(now: datetime) -> tuple[str, datetime, datetime]:
    """The calendar quarter before the one `now` is in: its name (2027-Q1), first moment, and the next
    quarter's first moment."""
    first_month = 3 * ((now.month - 1) // 3) + 1
    end = now.replace(month=first_month, day=1, hour=0, minute=0, second=0, microsecond=0)
    start = end.replace(year=end.year - 1, month=10) if first_month == 1 else end.replace(month=first_month - 3)
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}", start, end


def quarter_label(start: datetime) -> str:
    """January to March 2027: how a partner reads a quarter."""
    last = start.replace(month=start.month + 2)
    return f"{start:%B} to {last:%B %Y}"


def _you_said_we_did(config, opportunity, meetings, partners, now, wanted, links_for) -> list[DueEmail]:
    """Once a quarter, to each partner of the group: the lead's lines of what changed because of partners
    at the last quarter's meetings (seed 001: "you said, we did"). Nothing when there were none."""
    name, start, end = last_quarter(now)
    lines = [
        {"day": m.when.date(), "line": m.get("what_changed")}
        for m in meetings
        if m.when and start <= m.when < end and m.get("what_changed")
    ]
    if not lines:
        return []
    due = []
    for partner in partners:
        key = email_key(f"{opportunity.key} {partner.reference}", "you_said_we_did", name)
        if wanted(key):
            context = common_context(config, opportunity, "you_said_we_did")
            context.update(person={"name": partner.name}, links=links_for(partner.reference))
            context["impact"] = {"quarter": quarter_label(start), "lines": lines}
            lead = opportunity.lead_contact
            due.append(
                DueEmail(
                    key,
                    "you_said_we_did",
                    partner.name,
                    partner.email,
                    "the partner's email address",
                    context,
                    (lead.name, lead.email),
                )
            )
    return due


def last_told(log: dict[str, dict[str, str]], meeting_id: str, reference: str, first: str) -> str:
    """The date and time a partner was last told of (their latest update in the email log, else the first
    notice's), so a meeting moved back to a date they were told before still sends them an update."""
    prefix = email_key(f"{meeting_id} {reference}", "meeting_update", "")
    updates = sorted(
        (entry.get(LOG_TIME, ""), key[len(prefix) :]) for key, entry in log.items() if key.startswith(prefix)
    )
    return updates[-1][1] if updates else first


def feedback_due(meeting: Meeting, now: datetime) -> bool:
    """The two questions go once a meeting has ended (FEEDBACK_AFTER its start), while it is fresh."""
    return bool(meeting.when) and meeting.when + FEEDBACK_AFTER <= now < meeting.when + FEEDBACK_UNTIL  # type: ignore[operator]


def feedback_links(links_for):
    """A partner's links, the feedback form's filled in with the meeting too."""

    def with_meeting(reference: str, meeting_id: str = "") -> dict[str, str]:
        links = links_for(reference)
        if links.get(MEETING_FEEDBACK) and meeting_id:
            links[MEETING_FEEDBACK] += f"&entry.{entry_number(question_id(MEETING_FEEDBACK, 'meeting'))}={meeting_id}"
        return links

    return with_meeting


def checklist_line(partner: PartnerNeeds) -> dict:
    """What the lead's checklist says of one partner: what to send and how."""
    return {
        "name": partner.name,
        "answered": partner.answered,
        "formats": partner.formats,
        "by_post": partner.posted,
        "post_to": partner.post_to if partner.posted else "",
        "access_needs": partner.access_needs,
        "pre_meet": partner.pre_meet,
    }


def _to_partner(config, opportunity, key, template, partner: PartnerNeeds, meeting: dict, links_for) -> DueEmail:
    settings = config.meetings
    context = common_context(config, opportunity, template)
    context.update(
        person={"name": partner.name},
        links=links_for(partner.reference, meeting["id"])
        if template == "meeting_feedback"
        else links_for(partner.reference),
        meeting=meeting,
        papers={"formats": partner.formats, "by_post": partner.posted},
        glossary_link=settings.glossary_link or "",
    )
    lead = opportunity.lead_contact
    return DueEmail(
        key, template, partner.name, partner.email, "the partner's email address", context, (lead.name, lead.email)
    )
