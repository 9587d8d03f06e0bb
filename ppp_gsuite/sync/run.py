"""`ppp-gsuite sync`, first step: responses into the lead-facing spreadsheets, batched and re-runnable.

Each spreadsheet costs a constant handful of requests whatever the number of rows: one read of all
its tabs, at most one batchUpdate (layout or a larger grid), one values write. The per-form
high-water marks are written last, in the admin spreadsheet, so a crash anywhere means the next run
lists the same responses again and finds their rows by response id: nothing is written twice.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from ..config import Config
from ..errors import PppError
from ..google.drive_api import APP_KEY, DriveApi
from ..google.errors import GoogleApiError
from ..google.forms_api import FormsApi
from ..google.sheets_api import SheetsApi
from ..sheets.formatting import ROWS, grid_columns, tab_requests
from ..sheets.layout import TabLayout
from ..specs.load import EOI, FormTarget
from ..sheets.a1 import cell_range, column_index
from .consent import Member, consent_rows, latest, may_share
from ..specs.load import MONITORING as MONITORING_FORM
from .destinations import (ADMIN, CONSENT_LOG, ENGAGEMENT, EXPENSES, MONITORING, SYNC_STATE, TOMBSTONES, Destination,
                           opportunity_target, unmatched_tab)
from .email_step import email_step, note_rows
from .emails import noted, tab_records
from .sharing import sharing_problems
from .mileage import Journey, mileage
from .rows import Partner, Row, answers_by_key, build_row, parse_money, parse_number, reference_for
from .table import TabWrites, apply_writes, existing_rows, plan_tab

SHEET_KIND = "spreadsheet"
OVERLAP = timedelta(minutes=10)  # re-list a little before the mark: late-committed responses are not missed
DEFAULT_SHEET = "Sheet1"  # what Drive's files.create gives a new spreadsheet
GROWTH = 500  # rows added beyond what is needed when a grid must grow


class NothingDeployed(PppError):
    pass


@dataclass
class SheetRun:
    """One spreadsheet during a run."""

    dest: Destination
    id: str
    link: str
    fresh: bool = False  # created in this run: known to be empty
    laid_out: bool = True
    values: dict[str, list[list[str]]] = field(default_factory=dict)
    grid: dict[str, tuple[int, int]] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    read: bool = False
    replace: dict[str, list[list[str]]] = field(default_factory=dict)  # tabs the tool rewrites whole
    broken: bool = False  # a person renamed what the tool finds rows by: nothing is written there this run
    writers_can_share: bool | None = None


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


def sheet_id_for(title: str) -> int:
    """Tabs get ids derived from their titles, so a later run can address them without a read."""
    return int(hashlib.sha256(title.encode()).hexdigest()[:8], 16) % 2_000_000_000 + 1


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _grid(answered_range: str) -> tuple[int, int]:
    """'Tab'!A1:Z1000 -> (1000, 26): values.batchGet answers a whole tab's range clamped to its grid."""
    match = re.search(r"!\$?([A-Z]+)?\$?(\d+)?:\$?([A-Z]+)\$?(\d+)$", answered_range)
    if not match:
        return (0, 0)
    return int(match.group(4)), column_index(match.group(3)) + 1


class Sync:
    def __init__(self, config: Config, targets: list[FormTarget], destinations: dict[str, Destination],
                 forms: FormsApi, drive: DriveApi, sheets: SheetsApi, now: datetime,
                 full_scan_every: timedelta = timedelta(hours=24), full: bool = False,
                 send: Callable[[str], str] | None = None, templates: Path | None = None):
        """`send` delivers one raw message and returns its id (GmailSender.send); None sends no email."""
        self.send, self.templates = send, templates
        self.mail_report = None
        self.config, self.targets = config, {t.key: t for t in targets}
        self.destinations = destinations
        self.forms, self.drive, self.sheets = forms, drive, sheets
        self.now, self.full_scan_every, self.force_full = now, full_scan_every, full
        self.report = SyncReport()
        self.runs: dict[str, SheetRun] = {}
        self.consents: list[Row] = []

    @classmethod
    def for_workspace(cls, loaded, clients, now: datetime, full: bool = False, emails: bool = True) -> "Sync":
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
        self.open_spreadsheets()
        admin = self.read(self.runs[ADMIN])
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
                self.read(run)
        partners = self._write_expressions_of_interest(listed, versions)
        self._write_joined(listed, versions, partners)
        self._write_monitoring(listed, versions)
        admin.rows[CONSENT_LOG.tab].extend(self.consents)
        self._share_with_engagement_team()
        self._close_past_closing_dates(deployed)
        if self.send:
            note_rows(self)
        self._flush([run for target, run in self.runs.items() if target != ADMIN])
        if self.send:
            self.mail_report = email_step(self, partners, deployed)
        changed = any(row.cells != _current(state_rows.get(row.response_id, {}), row.cells) for row in marks.values())
        if changed and not self.report.refused:  # a refused spreadsheet's rows wait: list them again next run
            admin.rows[SYNC_STATE.tab].extend(marks.values())
        self._flush([admin])
        return self.report

    def _full_scan_due(self, last: str) -> bool:
        return not last or self.now - _parse_time(last) >= self.full_scan_every

    # -- spreadsheets ---------------------------------------------------------------------
    def open_spreadsheets(self) -> None:
        found = {f["appProperties"].get("target"): f for f in self.drive.find(SHEET_KIND)}
        for target, dest in self.destinations.items():
            file = found.get(target)
            if file is None:
                file = self.drive.create_spreadsheet(dest.name, {APP_KEY: SHEET_KIND, "target": target, "layout": "pending"})
                for email in dest.writers:
                    self.drive.share(file["id"], email, dest.role)
                run = SheetRun(dest, file["id"], file.get("webViewLink", ""), fresh=True, laid_out=False, read=True)
                for tab in dest.tabs:
                    run.values[tab.tab], run.grid[tab.tab] = [], (ROWS, grid_columns(tab))
                self.report.created.append(dest.name)
            else:
                run = SheetRun(dest, file["id"], file.get("webViewLink", ""), laid_out=file["appProperties"].get("layout") == dest.layout_hash,
                               writers_can_share=file.get("writersCanShare"))
            self.runs[target] = run
            self.report.sheets[dest.name] = run.link

    def read(self, run: SheetRun) -> SheetRun:
        """All tabs in one request. A tab renamed, or a Response ID column renamed, by a person stops
        writes to that spreadsheet only (rows are found by them), with a message saying what to do."""
        if not run.read:
            run.read = True
            if not run.laid_out:
                self._repair(run)
            titles = [t.tab for t in run.dest.tabs]
            try:
                tabs = self.sheets.read_tabs(run.id, titles)
            except GoogleApiError as error:
                if error.code != 400 or run.dest.target == ADMIN:
                    raise
                self._broken(run, f"a tab was renamed or removed; the tool needs these tabs: {', '.join(titles)}. "
                                  "Rename it back (or undo the removal), then run sync again")
                return run
            for title, (answered, values) in tabs.items():
                run.values[title], run.grid[title] = values, _grid(answered)
            for tab in run.dest.tabs:
                values = run.values.get(tab.tab, [])
                key = tab.column("tool", "response_id")
                if key and len(values) > 1 and key.header not in values[0]:
                    self._broken(run, f"the column {key.header!r} in the tab {tab.tab!r} was renamed or removed; the tool "
                                      "finds rows by it, so nothing was written there. Rename it back, then run sync again")
        return run

    def _broken(self, run: SheetRun, problem: str) -> None:
        run.broken = True
        run.values = {t.tab: [] for t in run.dest.tabs}
        self.report.refused.setdefault(run.dest.name, []).append(problem)

    def _repair(self, run: SheetRun) -> None:
        """A spreadsheet whose layout changed (or whose creation was interrupted): add what is missing."""
        sheets = {s["properties"]["title"]: s["properties"]["sheetId"] for s in self.sheets.metadata(run.id).get("sheets", [])}
        requests = []
        for tab in run.dest.tabs:
            if tab.tab not in sheets:
                requests += tab_requests(tab, sheet_id_for(tab.tab), add=True)
                run.grid[tab.tab] = (ROWS, grid_columns(tab))
        if sheets.get(DEFAULT_SHEET) == 0 and DEFAULT_SHEET not in {t.tab for t in run.dest.tabs}:
            requests.append({"deleteSheet": {"sheetId": 0}})  # left by a creation that was interrupted
        if requests:
            self.sheets.batch_update(run.id, requests)
        wanted = {email.lower() for email in run.dest.writers}
        shared = set()
        for permission in self.drive.permissions(run.id):
            email = (permission.get("emailAddress") or "").lower()
            if permission.get("type") == "user" and permission.get("role") != "owner" and email not in wanted:
                # Someone the config no longer names (a lead contact replaced): their access ends here.
                self.drive.unshare(run.id, permission["id"])
                self.report.unshared.append(f"{run.dest.name}: {email}")
            else:
                shared.add(email)
        for email in run.dest.writers:
            if email.lower() not in shared:
                self.drive.share(run.id, email, run.dest.role)
        self.drive.set_app_properties(run.id, {"layout": run.dest.layout_hash})
        run.laid_out = True

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
            self.read(run)
            tab = run.dest.tab(EOI)
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
                run = self.read(self.runs[dest_target])
                tab = next(t for t in run.dest.tabs if t.tab == title)
                if form == "expenses":
                    self._add_money(run, tab, [row for row, _ in rows])
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

    def _add_money(self, run: SheetRun, tab: TabLayout, new_rows: list[Row]) -> None:
        """Mileage and totals for new claims, and again for the partner's other claims the car rate affects."""
        columns = {
            "day": tab.with_role("journey_date"), "mode": tab.with_role("travel_mode"), "miles": tab.with_role("miles"),
            "partner": tab.column("tool", "partner_reference"), "id": tab.column("tool", "response_id"),
            "mileage": tab.column("tool", "mileage"), "total": tab.column("tool", "total"),
        }
        money = [c.header for c in tab.columns if c.check == "money"]
        if not all(columns.values()):
            return
        values = run.values.get(tab.tab, [])
        claims = {}
        for line in values[1:]:
            cells = dict(zip(values[0], line))
            if cells.get(columns["id"].header):
                claims[cells[columns["id"].header]] = cells
        for row in new_rows:
            claims[row.response_id] = {**claims.get(row.response_id, {}), **row.cells}
        touched = {claims[row.response_id].get(columns["partner"].header) for row in new_rows}
        mine = {rid: c for rid, c in claims.items() if c.get(columns["partner"].header) in touched}
        journeys = []
        for response_id, claim in mine.items():
            miles, day = parse_number(claim.get(columns["miles"].header, "")), _date(claim.get(columns["day"].header, ""))
            if miles is not None and day is not None:
                journeys.append(Journey(response_id, claim[columns["partner"].header], day, claim.get(columns["mode"].header, ""), miles))
        owed = mileage(journeys, self.config.mileage_rates)
        by_id = {row.response_id: row for row in new_rows}
        for response_id, claim in mine.items():
            amount = owed.get(response_id, Decimal(0))
            costs = sum((parse_money(claim.get(header, "")) or Decimal(0)) for header in money)
            cells = {columns["mileage"].header: f"{amount:.2f}", columns["total"].header: f"{amount + costs:.2f}"}
            if response_id in by_id:
                by_id[response_id].cells.update(cells)
            elif any(claim.get(h, "") != v for h, v in cells.items()):
                run.rows[tab.tab].append(Row(response_id, "", cells))

    def _share_with_engagement_team(self) -> None:
        """Rewrite the engagement team's sheet: exactly the people who consented (and were appointed)."""
        run = self.runs.get(ENGAGEMENT)
        if run is None or any(self.runs[opportunity_target(o.key)].broken for o in self.config.opportunities):
            return  # with a spreadsheet unreadable, who consented is not fully known: change nothing
        log = self.runs[ADMIN].values.get(CONSENT_LOG.tab, [])
        records = [dict(zip(log[0], line)) for line in log[1:]] if log else []
        consents = latest(records + [row.cells for row in self.consents])
        members = []
        for opportunity in self.config.opportunities:
            source = self.runs[opportunity_target(opportunity.key)]
            eoi = tab_records(source, source.dest.tab(EOI))
            for record in eoi.by_id.values():
                reference, status = eoi.get(record, "tool", "reference"), eoi.get(record, "lead", "status")
                if not may_share(consents, reference, status, self.config.engagement_requires_appointment):
                    continue
                was, since = noted(eoi.get(record, "tool", "status_seen"))
                appointed = since.date().isoformat() if was == "Appointed" and since else self.now.date().isoformat()
                members.append(Member(reference, eoi.get(record, "answer", "full_name"), eoi.get(record, "answer", "email"),
                                      eoi.get(record, "answer", "phone"), eoi.get(record, "answer", "preferred_contact"),
                                      opportunity.group, appointed))
        tab = run.dest.tabs[0]
        before = {line[6]: line[0] for line in run.values.get(tab.tab, [])[1:] if len(line) > 6 and line[6]}
        after = {m.reference: m.name for m in members}
        self.report.shared_added = sorted(after[r] for r in after.keys() - before.keys())
        self.report.shared_removed = sorted(before[r] for r in before.keys() - after.keys())
        run.replace[tab.tab] = [tab.header_row()] + sorted(m.row() for m in members)

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

    def write_now(self, run: SheetRun, tab: TabLayout, rows: list[Row]) -> None:
        """Write rows at once (the email log's intents must be stored before the sends)."""
        self._ensure_laid_out(run)
        writes = plan_tab(tab, tab.tab, run.values.setdefault(tab.tab, []), rows)
        growth = self._growth(run, tab, writes)
        if growth:
            self.sheets.batch_update(run.id, growth)
            rows_now, columns_now = run.grid.get(tab.tab, (ROWS, 26))
            run.grid[tab.tab] = (max(rows_now, writes.rows_needed + GROWTH), max(columns_now, writes.columns_needed))
        if writes.ranges:
            self.sheets.write(run.id, writes.ranges)
            apply_writes(run.values[tab.tab], writes.ranges)

    # -- writing --------------------------------------------------------------------------
    def _flush(self, runs: list[SheetRun]) -> None:
        for run in runs:
            replaced = self._replacements(run)
            if run.broken or (not any(run.rows.values()) and not replaced and run.laid_out):
                continue
            if not run.fresh and not run.laid_out:
                self._repair(run)
            requests = self._first_layout(run) if not run.laid_out else []  # sent with the growth, in one request
            ranges, added, updated, restored = list(replaced), 0, 0, []
            for tab in run.dest.tabs:
                rows = run.rows.get(tab.tab, [])
                if not rows and run.values.get(tab.tab):
                    continue
                writes = plan_tab(tab, tab.tab, run.values.get(tab.tab, []), rows)
                ranges += writes.ranges
                requests += self._growth(run, tab, writes)
                if tab.form:  # response rows, not the tool's own records
                    added, updated = added + writes.added, updated + writes.updated
                if run.values.get(tab.tab):
                    restored += [f"{run.dest.name} / {tab.tab}: {h}" for h in writes.restored_headers]
            if ranges and self._refused(run):
                continue
            self.report.added += added
            self.report.updated += updated
            self.report.restored_headers += restored
            if requests:
                self.sheets.batch_update(run.id, requests)
            if ranges:
                self.sheets.write(run.id, ranges)
            if not run.laid_out:
                self.drive.set_app_properties(run.id, {"layout": run.dest.layout_hash})
                run.laid_out = True

    def _refused(self, run: SheetRun) -> bool:
        """Personal data goes only where the configured people (and the owner) alone can read it."""
        if run.fresh:
            return False
        problems = sharing_problems(run.dest.writers, self.drive.permissions(run.id), run.writers_can_share)
        if problems:
            self.report.refused[run.dest.name] = problems
        return bool(problems)

    @staticmethod
    def _replacements(run: SheetRun) -> list[tuple[str, list[list[str]]]]:
        """Ranges that make a whole-rewritten tab equal its new content, blanking rows no longer there."""
        ranges = []
        for title, wanted in run.replace.items():
            current = run.values.get(title, [])
            width = max([len(line) for line in wanted + current] + [1])
            height = max(len(wanted), len(current))
            padded = [line + [""] * (width - len(line)) for line in wanted] + [[""] * width] * (height - len(wanted))
            now = [line + [""] * (width - len(line)) for line in current] + [[""] * width] * (height - len(current))
            if padded != now:
                ranges.append((cell_range(title, 1, 0, width - 1, height), padded))
        return ranges

    @staticmethod
    def _first_layout(run: SheetRun) -> list[dict]:
        requests = []
        for tab in run.dest.tabs:
            requests += tab_requests(tab, sheet_id_for(tab.tab), add=True)
        return requests + [{"deleteSheet": {"sheetId": 0}}]

    def _ensure_laid_out(self, run: SheetRun) -> None:
        if run.laid_out:
            return
        if not run.fresh:
            self._repair(run)
            return
        self.sheets.batch_update(run.id, self._first_layout(run))
        self.drive.set_app_properties(run.id, {"layout": run.dest.layout_hash})
        run.laid_out = True

    def _growth(self, run: SheetRun, tab: TabLayout, writes: TabWrites) -> list[dict]:
        rows, columns = run.grid.get(tab.tab, (1000, 26))
        sheet = sheet_id_for(tab.tab)
        requests = []
        if writes.rows_needed > rows:
            requests.append({"appendDimension": {"sheetId": sheet, "dimension": "ROWS", "length": writes.rows_needed - rows + GROWTH}})
        if writes.columns_needed > columns:
            requests.append({"appendDimension": {"sheetId": sheet, "dimension": "COLUMNS", "length": writes.columns_needed - columns}})
        return requests


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


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None
