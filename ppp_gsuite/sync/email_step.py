"""The email step of a sync run: note statuses, work out what is due, send it once, note it on the rows."""
from __future__ import annotations

import hashlib
from zoneinfo import ZoneInfo

from ..forms.items import entry_number, question_id
from ..specs.load import EOI, MONITORING
from .destinations import ADMIN, EMAIL_LOG, ENGAGEMENT, EXPENSES, opportunity_target
from .emails import ACKNOWLEDGE_WITHIN, DueEmail, common_context, Records, tab_records, applicant_emails, claim_emails, email_key, lead_emails, note, recent, status_view
from .mailer import Mailer, MailReport
from .rows import Row

PREFILLED = {"needs_assessment": "needs_assessment", "expenses": "expenses", "preferences": "preferences"}


def read_log(sync) -> dict[str, dict[str, str]]:
    values = sync.runs[ADMIN].values.get(EMAIL_LOG.tab, [])
    return {row[0]: dict(zip(values[0], row)) for row in values[1:] if row and row[0]} if values else {}


def note_rows(sync, last_email: bool = True) -> None:
    """Before the rows are written: when each status was first seen, and each row's last email.

    Notes go in the run's one write per spreadsheet, made right after the read, so a lead who
    sorts during the (longer) sending cannot move rows under them. A send is noted on its row by
    the next run, from the email log, which is the record.
    """
    latest: dict[str, tuple[str, str]] = {}
    for key, entry in (read_log(sync) if last_email else {}).items():
        response_id, template = key.split("|")[0], key.split("|")[1] if "|" in key else ""
        time = entry.get("Time", "")
        if response_id not in latest or time >= latest[response_id][0]:
            latest[response_id] = (time, f"{template.replace('_', ' ')}: {_short(entry.get('State', ''))} {time}".strip())
    for run in sync.runs.values():
        for tab, status_key in ((run.dest.tab(EOI), "status"), (run.dest.tab("expenses"), "claim_status")):
            if tab is None or tab.column("tool", "status_seen") is None:
                continue
            found = tab_records(run, tab)
            _note_statuses(sync, run, found, status_key)
            column = tab.column("tool", "last_email")
            for response_id, record in found.by_id.items():
                if response_id in latest and column and record.get(column.header, "") != latest[response_id][1]:
                    run.rows[tab.tab].append(Row(response_id, "", {column.header: latest[response_id][1]}))


def _short(state: str) -> str:
    return "unknown, see the email log" if state.startswith("unknown") else state


def notify_engagement_team(sync) -> None:
    """Before their sheet is written: who is added or removed, logged and sent first, so a crash
    between the two never loses the notice (a rerun finds the same change and its log entry)."""
    run = sync.runs.get(ENGAGEMENT)
    if run is None or sync.books.refused(run) or sync.books.refused(sync.runs[ADMIN]):
        return
    log = read_log(sync)
    wanted = lambda key: key not in log or log[key].get("State") == "retry"  # noqa: E731
    due = _sharing_changes(sync, wanted)
    if due:
        sync.runs[ADMIN].rows[EMAIL_LOG.tab].extend(_mailer(sync, log).deliver(due))


def _mailer(sync, log) -> Mailer:
    local_time = sync.now.astimezone(ZoneInfo(sync.config.email.timezone)).strftime("%Y-%m-%d %H:%M")
    return Mailer(sync.config, sync.templates, sync.send, lambda rows: sync.books.write_now(sync.runs[ADMIN], EMAIL_LOG, rows),
                  log, sync.now, local_time)


def email_step(sync, partners: dict, deployed: dict) -> MailReport | None:
    """After the rows are written: work out what is due and send it, recording intents and results."""
    if sync.books.refused(sync.runs[ADMIN]):
        return None  # the email log could not be written: hold every email until the sharing is mended
    config = sync.config
    zone = ZoneInfo(config.email.timezone)
    local_now = sync.now.astimezone(zone)
    since = (local_now - ACKNOWLEDGE_WITHIN).strftime("%Y-%m-%d %H:%M")
    admin = sync.runs[ADMIN]
    # The log as read, with this run's own results on top: the engagement team's notice, sent
    # earlier in this run, left its intent ("sending") in the sheet; only its result says "sent".
    log = read_log(sync) | {row.response_id: row.cells for row in admin.rows[EMAIL_LOG.tab]}
    links_for = _links(sync, deployed)
    wanted = lambda key: key not in log or log[key].get("State") == "retry"  # noqa: E731
    opportunities = {o.key: o for o in config.opportunities}
    due = []
    for opportunity in config.opportunities:
        target = opportunity_target(opportunity.key)
        run = sync.runs[target]
        if run.dest.name in sync.report.refused:
            continue  # its rows were not written: nothing about them is emailed until they are
        eoi_tab, needs_tab = run.dest.tab(EOI), run.dest.tab("needs_assessment")
        eoi = tab_records(run, eoi_tab)
        needs = tab_records(run, needs_tab) if needs_tab else None
        waiting: list[str] = []
        due += applicant_emails(config, opportunity, target, eoi, needs, since, links_for, sync.now, wanted, waiting,
                                sync.latest_consents)
        sync.report.waiting += sum(1 for key in waiting if wanted(key))
        last_digest = max((r.get("Time", "") for k, r in log.items()
                           if k.startswith(f"{opportunity.key}|eoi_digest|") and r.get("State") == "sent"), default="")
        needs_names = [(rid, needs.get(record, "tool", "partner_name")) for rid, record in (needs.by_id.items() if needs else ())
                       if recent(needs, record, since) and wanted(email_key(rid, "needs_received"))]
        due += lead_emails(config, opportunity, eoi, needs_names, run.link, last_digest, local_now, local_now.date())
    expenses = sync.runs.get(EXPENSES)
    claims_tab = expenses.dest.tab("expenses") if expenses else None
    if claims_tab and expenses.dest.name not in sync.report.refused:
        claims = tab_records(expenses, claims_tab)
        due += claim_emails(config, EXPENSES, claims, partners, opportunities, since, links_for, sync.now, wanted)
    due += _preferences_messages(sync, since, wanted)
    mailer = _mailer(sync, log)
    admin.rows[EMAIL_LOG.tab].extend(mailer.deliver(due))
    return mailer.report


def _preferences_messages(sync, since: str, wanted) -> list[DueEmail]:
    """A message typed into the preferences form (perhaps "please forget me") reaches the involvement
    team's inbox as a pointer to the admin spreadsheet, never as its text."""
    admin = sync.runs[ADMIN]
    tab = admin.dest.tab("preferences")
    message = tab.column("answer", "anything_else") if tab else None
    if message is None:
        return []
    found = tab_records(admin, tab)
    org = sync.config.organisation
    due = []
    for response_id, record in found.by_id.items():
        key = email_key(response_id, "preferences_message")
        if record.get(message.header, "").strip() and recent(found, record, since) and wanted(key):
            context = common_context(sync.config, None)
            context["person"] = {"name": found.get(record, "tool", "partner_name")}
            context["links"]["sheet"] = admin.link
            due.append(DueEmail(key, "preferences_message", org.name, org.engagement_email,
                                "the organisation's engagement_email", context))
    return due


def _sharing_changes(sync, wanted) -> list[DueEmail]:
    """Tell the engagement team who was added to or removed from their sheet (names only)."""
    added, removed = sync.report.shared_added, sync.report.shared_removed
    if not added and not removed:
        return []
    # The same change found again after a crash (that day) gets the same key: never emailed twice.
    change = hashlib.sha256(repr((sorted(added), sorted(removed), sync.now.date())).encode()).hexdigest()[:12]
    context = common_context(sync.config, None)
    context["changes"] = {"added": list(added), "removed": list(removed)}
    context["links"]["sheet"] = sync.runs[ENGAGEMENT].link if ENGAGEMENT in sync.runs else ""
    due = []
    for number, member in enumerate(sync.config.engagement_team):
        key = email_key(f"engagement-{change}", "sharing_changes", str(number))
        if wanted(key):
            due.append(DueEmail(key, "sharing_changes", member.name, member.email, "an engagement team address", context))
    return due


def _note_statuses(sync, run, found: Records, status_key: str) -> None:
    """Write down when each row's status was first seen, so a decision waits for the grace period."""
    seen = found.tab.column("tool", "status_seen")
    for response_id, record in found.by_id.items():
        view = status_view(record, found.tab, status_key)
        if view and view.changed:  # a cleared status is noted too, so setting it again restarts the wait
            text = note(view.status, sync.now)
            record[seen.header] = text
            run.rows[found.tab.tab].append(Row(response_id, "", {seen.header: text}))


def _links(sync, deployed: dict):
    """Prefilled links carrying a partner's reference: responderUri?usp=pp_url&entry.N=reference."""
    uris: dict[str, str] = {}

    def responder(form: str) -> str:
        if form not in uris:
            file = deployed.get(form)
            uris[form] = sync.forms.get(file["id"]).get("responderUri", "") if file else ""
        return uris[form]

    def links_for(reference: str) -> dict[str, str]:
        # The monitoring form is anonymous: its link carries no reference.
        links = {"sheet": "", "equal_opportunities": responder(MONITORING) if MONITORING in deployed else ""}
        for form in PREFILLED:
            uri = responder(form)
            number = entry_number(question_id(form, "reference"))
            links[form] = f"{uri}?usp=pp_url&entry.{number}={reference}" if uri and reference else uri
        return links

    return links_for
