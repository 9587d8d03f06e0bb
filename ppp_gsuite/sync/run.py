"""`ppp-gsuite sync`: responses into the lead-facing spreadsheets, emails, and consent-gated sharing.

One run: list new and edited responses, read every spreadsheet once, build rows, write them, send
what is due (exactly once or flagged), rewrite the engagement team's sheet. The per-form
high-water marks are written last, in the admin spreadsheet, so a crash anywhere means the next run
lists the same responses again and finds their rows by response id: nothing is written twice.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ..config import Config
from ..errors import PppError
from ..google.drive_api import DriveApi
from ..google.forms_api import FormsApi
from ..google.sheets_api import SheetsApi
from ..sheets.layout import TabLayout
from ..specs.load import EOI, FormTarget
from ..specs.load import MONITORING as MONITORING_FORM
from .consent import SHARE, Member, consent_rows, latest, may_share, row_key
from .destinations import (
    ADMIN,
    CONSENT_LOG,
    ENGAGEMENT,
    EXPENSES,
    MONITORING,
    SYNC_STATE,
    TOMBSTONES,
    Destination,
    opportunity_target,
    unmatched_tab,
)
from .email_step import email_step, note_rows, notify_engagement_team
from .emails import noted, tab_records
from .expenses import add_money
from .mailer import MailReport
from .rows import Partner, Row, answers_by_key, build_row, reference_for
from .spreadsheets import SheetRun, Spreadsheets
from .table import existing_rows

OVERLAP = timedelta(minutes=10)  # re-list a little before the mark: late-committed responses are not missed


class NothingDeployed(PppError):
    pass


@dataclass
class SyncReport:
    responses: int = 0
    pages: int = 0
    added: int = 0
    updated: int = 0
    flagged: int = 0
    unmatched: int = 0
    created: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)  # opportunities whose form stopped taking responses
    reopened: list[str] = field(default_factory=list)
    sheets: dict[str, str] = field(default_factory=dict)  # spreadsheet name -> link
    restored_headers: list[str] = field(default_factory=list)
    refused: dict[str, list[str]] = field(default_factory=dict)  # spreadsheet -> sharing problems: nothing written
    unshared: list[str] = field(default_factory=list)  # people the config no longer names, whose access ended
    shared_added: list[str] = field(default_factory=list)  # names added to the engagement team's sheet
    shared_removed: list[str] = field(default_factory=list)
    full_scans: int = 0  # forms whose responses were all read again this run
    waiting: int = 0  # decisions set but not yet past the grace period


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Sync:
    def __init__(self, config: Config, targets: list[FormTarget], destinations: dict[str, Destination],
                 forms: FormsApi, drive: DriveApi, sheets: SheetsApi, now: datetime,
                 full_scan_every: timedelta = timedelta(hours=24), full: bool = False,
                 send: Callable[[str], str] | None = None, templates: Path | None = None):
        """`send` delivers one raw message and returns its id (GmailSender.send); None sends no email."""
        self.send, self.templates = send, templates
        self.mail_report: MailReport | None = None
        self.config, self.targets = config, {t.key: t for t in targets}
        self.destinations = destinations
        self.forms, self.drive, self.sheets = forms, drive, sheets
        self.now, self.full_scan_every, self.force_full = now, full_scan_every, full
        self.report = SyncReport()
        self.books = Spreadsheets(drive, sheets, destinations, self.report)
        self.runs = self.books.runs  # target -> SheetRun, filled by books.open()
        self.consents: list[Row] = []  # records added this run
        self.latest_consents: dict = {}  # (reference, consent) -> the latest answer, log and this run

    @classmethod
    def for_workspace(cls, loaded, clients, now: datetime, full: bool = False, emails: bool = True) -> Sync:
        """A sync of a loaded workspace (config, specs, layouts) over the clients of google.clients.connect."""
        from .destinations import destinations

        config = loaded.workspace.config
        return cls(
            config, loaded.targets, destinations(config, loaded.targets, loaded.layouts),
            FormsApi(clients.forms), DriveApi(clients.drive), SheetsApi(clients.sheets), now,
            timedelta(hours=config.sync.full_rescan_hours), full,
            send=clients.mail.send if emails and config.email.send else None, templates=loaded.workspace.templates_dir,
        )

    # -- the run --------------------------------------------------------------------------
    def run(self) -> SyncReport:
        deployed = {f["appProperties"]["target"]: f for f in self.drive.find("form") if "target" in f.get("appProperties", {})}
        if not deployed:
            raise NothingDeployed("no deployed forms found: run ppp-gsuite deploy-forms first (with the same account)")
        self.books.open()
        admin = self.books.read(self.runs[ADMIN])
        state_rows = self._sync_state(admin)
        gone = {row[0] for row in admin.values.get(TOMBSTONES.tab, [])[1:] if row}
        listed: dict[str, list[dict]] = {}
        marks: dict[str, Row] = {}
        for key, file in deployed.items():
            if key not in self.targets:
                continue
            previous = state_rows.get(key, {})
            full = self.force_full or self._full_scan_due(previous.get("Last full scan", ""))
            mark = previous.get("Newest response seen", "")
            since = None if full or not mark else _rfc3339(_parse_time(mark) - OVERLAP)
            self.report.full_scans += since is None
            responses, pages = self.forms.list_responses(file["id"], since)
            self.report.pages += pages
            unique = {r["responseId"]: r for r in responses if r["responseId"] not in gone}
            listed[key] = list(unique.values())
            self.report.responses += len(unique)
            newest = max([_parse_time(r["lastSubmittedTime"]) for r in unique.values()] + ([_parse_time(mark)] if mark else []), default=None)
            marks[key] = Row(key, "", {
                "Form": key,
                "Form ID": file["id"],
                "Newest response seen": _rfc3339(newest) if newest else "",
                "Last full scan": _rfc3339(self.now) if full else previous.get("Last full scan", ""),
            })
        versions = {key: file.get("appProperties", {}).get("revision", "") for key, file in deployed.items()}
        for target, run in self.runs.items():  # statuses set by leads and approvers are read every run
            if target != ADMIN:
                self.books.read(run)
        partners = self._write_expressions_of_interest(listed, versions)
        self._write_joined(listed, versions, partners)
        self._write_monitoring(listed, versions)
        admin.rows[CONSENT_LOG.tab].extend(self.consents)
        log = admin.values.get(CONSENT_LOG.tab, [])
        records = [dict(zip(log[0], line)) for line in log[1:]] if log else []
        self.latest_consents = latest(records + [row.cells for row in self.consents])
        self._share_with_engagement_team()
        self._close_past_closing_dates(deployed)
        note_rows(self, last_email=bool(self.send))  # statuses are noted even when no email is sent
        if self.send:
            notify_engagement_team(self)
        self.books.flush([run for target, run in self.runs.items() if target != ADMIN])
        if self.send:
            self.mail_report = email_step(self, partners, deployed)
        changed = any(row.cells != _current(state_rows.get(row.response_id, {}), row.cells) for row in marks.values())
        if changed and not self.report.refused:  # a refused spreadsheet's rows wait: list them again next run
            admin.rows[SYNC_STATE.tab].extend(marks.values())
        self.books.flush([admin])
        return self.report

    def _full_scan_due(self, last: str) -> bool:
        return not last or self.now - _parse_time(last) >= self.full_scan_every

    # -- spreadsheets ---------------------------------------------------------------------
    def _sync_state(self, admin: SheetRun) -> dict[str, dict[str, str]]:
        values = admin.values.get(SYNC_STATE.tab, [])
        if not values:
            return {}
        headers = values[0]
        return {row[0]: dict(zip(headers, row)) for row in values[1:] if row and row[0]}

    # -- rows -----------------------------------------------------------------------------
    def _write_expressions_of_interest(self, listed, versions) -> dict[str, Partner]:
        """EOI rows (minting references for new ones); returns every known reference -> partner."""
        partners: dict[str, Partner] = {}
        joined_waiting = any(listed.get(name) for name in ("needs_assessment", "expenses", "preferences"))
        for opportunity in self.config.opportunities:
            key = f"eoi-{opportunity.key}"
            responses = listed.get(key, [])
            run = self.runs[opportunity_target(opportunity.key)]
            if not responses and not joined_waiting:
                continue
            self.books.read(run)
            tab = run.dest.tab(EOI)
            assert tab is not None  # every opportunity's spreadsheet has its EOI tab
            values = run.values.get(tab.tab, [])
            references = _column_by_id(tab, values, "tool", "reference")
            target = self.targets[key]
            for response in responses:
                reference = references.get(response["responseId"]) or reference_for(response["responseId"])
                references[response["responseId"]] = reference
                row = build_row(tab, target.spec_name, target.spec, response, versions.get(key, ""), tool_values={"reference": reference})
                run.rows[tab.tab].append(row)
                self.consents += consent_rows(target.spec_name, target.spec, response, reference)
                self.report.flagged += bool(row.flags)
            names = _column_by_id(tab, values, "answer", "full_name")
            emails = _column_by_id(tab, values, "answer", "email")
            for response in responses:
                answers = answers_by_key(target.spec_name, target.spec, response)
                names[response["responseId"]] = answers.get("full_name", "")
                emails[response["responseId"]] = answers.get("email", "")
            for response_id, reference in references.items():
                partners[reference] = Partner(reference, response_id, names.get(response_id, ""), opportunity.key,
                                              opportunity.group, emails.get(response_id, "").strip())
        return partners

    def _write_joined(self, listed, versions, partners: dict[str, Partner]) -> None:
        admin = self.runs[ADMIN]
        for form in ("needs_assessment", "expenses", "preferences"):
            responses = listed.get(form, [])
            if not responses:
                continue
            target = self.targets[form]
            rows_by_run: dict[tuple[str, str], list[tuple[Row, dict]]] = defaultdict(list)
            for response in responses:
                reference = answers_by_key(form, target.spec, response).get("reference", "").strip()
                partner = partners.get(reference)
                self.consents += consent_rows(form, target.spec, response, reference)
                run, tab = self._home(form, partner)
                if tab is None:
                    continue
                row = build_row(tab, form, target.spec, response, versions.get(form, ""), partner)
                rows_by_run[(run.dest.target, tab.tab)].append((row, response))
                self.report.flagged += bool(row.flags)
                self.report.unmatched += partner is None
            for (dest_target, title), rows in rows_by_run.items():
                run = self.books.read(self.runs[dest_target])
                tab = next(t for t in run.dest.tabs if t.tab == title)
                if form == "expenses":
                    add_money(self.config, run, tab, [row for row, _ in rows])
                run.rows[title].extend(row for row, _ in rows)
        del admin

    def _write_monitoring(self, listed, versions) -> None:
        """Anonymous answers, to the spreadsheet only the engagement team can read."""
        run = self.runs.get(MONITORING)
        responses = listed.get(MONITORING_FORM, [])
        if run is None or not responses:
            return
        target, tab = self.targets[MONITORING_FORM], run.dest.tabs[0]
        run.rows[tab.tab].extend(
            build_row(tab, MONITORING_FORM, target.spec, r, versions.get(MONITORING_FORM, "")) for r in responses
        )

    def _home(self, form: str, partner: Partner | None) -> tuple[SheetRun, TabLayout | None]:
        """Where a joined response is written: its partner's spreadsheet, or the admin one if unmatched."""
        admin = self.runs[ADMIN]
        if form == "preferences":
            return admin, admin.dest.tab(form)
        if partner is None:
            if any(run.broken for run in self.runs.values()):
                return admin, None  # perhaps their row is in the spreadsheet that could not be read: wait
            return admin, unmatched_tab(admin.dest, form)
        run = self.runs[EXPENSES] if form == "expenses" else self.runs[opportunity_target(partner.opportunity)]
        return run, run.dest.tab(form)

    def _share_with_engagement_team(self) -> None:
        """Rewrite the engagement team's sheet: exactly the people who consented (and were appointed)."""
        run = self.runs.get(ENGAGEMENT)
        if run is None or run.broken:
            return
        consents = self.latest_consents
        tab = run.dest.tabs[0]
        current = run.values.get(tab.tab, [])[1:]
        members, kept = [], []
        # People of a spreadsheet that could not be read stay only while their latest consent is yes:
        # a withdrawal still takes effect; nobody is added from there.
        still_yes = {row_key(ref) for (ref, consent), answer in consents.items() if consent == SHARE and answer.yes}
        for opportunity in self.config.opportunities:
            source = self.runs[opportunity_target(opportunity.key)]
            if source.broken:
                kept += [line for line in current if len(line) > 6 and line[4] == opportunity.group and line[6] in still_yes]
                continue
            eoi_tab = source.dest.tab(EOI)
            assert eoi_tab is not None  # every opportunity's spreadsheet has its EOI tab
            eoi = tab_records(source, eoi_tab)
            for record in eoi.by_id.values():
                reference, status = eoi.get(record, "tool", "reference"), eoi.get(record, "lead", "status")
                if not may_share(consents, reference, status, self.config.engagement_requires_appointment):
                    continue
                was, since = noted(eoi.get(record, "tool", "status_seen"))
                appointed = since.date().isoformat() if was == "Appointed" and since else self.now.date().isoformat()
                members.append(Member(reference, eoi.get(record, "answer", "full_name"), eoi.get(record, "answer", "email"),
                                      eoi.get(record, "answer", "phone"), eoi.get(record, "answer", "preferred_contact"),
                                      opportunity.group, appointed))
        before = {line[6]: line[0] for line in current if len(line) > 6 and line[6]}
        after = {m.key: m.name for m in members} | {line[6]: line[0] for line in kept}
        self.report.shared_added = sorted(after[r] for r in after.keys() - before.keys())
        self.report.shared_removed = sorted(before[r] for r in before.keys() - after.keys())
        run.replace[tab.tab] = [tab.header_row()] + sorted([m.row() for m in members] + [line[:7] for line in kept])

    def _close_past_closing_dates(self, deployed: dict[str, dict]) -> None:
        """The Forms API has no closing date: stop accepting once it passes (and reopen if it moves)."""
        today = self.now.astimezone(ZoneInfo(self.config.email.timezone)).date()  # the organisation's day
        for opportunity in self.config.opportunities:
            file = deployed.get(f"eoi-{opportunity.key}")
            if file is None:
                continue
            closed = today > opportunity.closing_date
            if file.get("appProperties", {}).get("closed", "no") != ("yes" if closed else "no"):
                self.forms.set_publish_state(file["id"], True, not closed)
                self.drive.set_app_properties(file["id"], {"closed": "yes" if closed else "no"})
                (self.report.closed if closed else self.report.reopened).append(opportunity.group)

def _column_by_id(tab: TabLayout, values: list[list[str]], kind: str, key: str) -> dict[str, str]:
    column = tab.column(kind, key)
    if column is None or not values or column.header not in values[0]:
        return {}
    position = values[0].index(column.header)
    return {
        response_id: (values[number - 1][position] if position < len(values[number - 1]) else "")
        for response_id, number in existing_rows(tab, values).items()
    }


def _current(state: dict[str, str], cells: dict[str, str]) -> dict[str, str]:
    return {header: state.get(header, "") for header in cells}
