"""`ppp-gsuite sync`: responses into the lead-facing spreadsheets, emails, and consent-gated sharing.

One run (Sync.run reads as its steps, in order): read once (every spreadsheet, the logs) into a
Snapshot; then form by form, list the new and edited responses, write their rows and let them go
(a first sync of 100,000 responses never holds them all); note statuses; tell the engagement team
of a change to their sheet, then rewrite it; write the notes; send what is due through the run's one
Mailer (exactly once or flagged). The per-form high-water marks are written last, in the admin
spreadsheet, so a crash anywhere means the next run lists the same responses again and finds
their rows by response id: nothing is written twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from ..config import Config
from ..errors import PppError
from ..forms.versions import FormVersions, versions_of
from ..google.drive_api import DriveApi
from ..google.forms_api import FormsApi
from ..google.retry import policy_for
from ..google.sheets_api import SheetsApi
from ..specs.load import FormTarget
from ..vocabulary import (
    CONSENT_RECORD,
    JOINED_FORMS,
    MONITORING_FORM,
    ROLE_DESCRIPTION,
    STATE_FORM,
    STATE_FORM_ID,
    STATE_FULL_SCAN,
    STATE_NEWEST,
    SUPPORT_EVALUATION,
    SUPPORT_REQUEST,
    eoi_form,
    local_time,
    mark_stamp,
    opportunity_target,
    parse_stamp,
    utc_stamp,
)
from . import meetings, proposals, response_rows, support_scheme
from .consent import by_person, consent_text, fold, latest, link_code, wording_rows
from .destinations import (
    ADMIN,
    CONSENT_LOG,
    CONSENT_WORDINGS,
    EMAIL_LOG,
    ENGAGEMENT,
    NETWORK_CHANGES,
    OPPORTUNITIES,
    PROPOSALS_TAB,
    SYNC_STATE,
    TOMBSTONES,
    Destination,
)
from .email_step import (
    EmailView,
    Note,
    due_emails,
    duplicate_claim_notes,
    interview_holds,
    last_email_notes,
    noted_when_new,
    partners_of,
    prefilled_links,
    read_log,
    records_of,
    status_notes,
)
from .engagement import engagement_list
from .going_live import Proposals, prepare
from .line_record import line_records
from .mailer import Mailer, MailReport
from .network_changes import change_rows, notices, numbers_told
from .partner_support import current_agreement, support_emails, support_notes
from .read_back import unread_headers
from .response_rows import Writes
from .rows import Row, answers_by_key
from .spreadsheets import SheetRun, Spreadsheets, only_removes

HIDDEN_CODE = "THEIR-LINK-CODE"  # in previews: a person's link code is sent to them alone
RESPONSE_FIELDS = ("responseId", "createTime", "lastSubmittedTime", "respondentEmail")  # kept once answers are decoded
CONSENT_BATCH = 20_000  # consent records written to the log at once (about 2 MB: one values write)
OVERLAP = timedelta(minutes=10)  # re-list a little before the mark: late-committed responses are not missed


class NothingDeployed(PppError):
    pass


@dataclass
class Snapshot:
    """What one run read, once: the deployed forms, the new and edited responses (answers decoded once),
    the sync state and the logs. The spreadsheets' rows are in the runs (Spreadsheets.read)."""

    deployed: dict[str, dict]  # form key -> its Drive file
    versions: dict[str, FormVersions]  # form key -> its deploy history (which revision was live when)
    listed: dict[str, list[dict]] = field(default_factory=dict)  # form key -> responses
    answers: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # (form key, response id) -> answers
    state: dict[str, dict[str, str]] = field(default_factory=dict)  # form key -> its sync-state record
    marks: dict[str, Row] = field(default_factory=dict)  # form key -> its new high-water mark
    email_log: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> entry
    consent_log: list[dict[str, str]] = field(default_factory=list)
    network_changes: list[dict[str, str]] = field(default_factory=list)  # each change to the team's list, by person
    link_secret: str = ""  # the secret of people's link codes (consent.link_code)
    gone: set[str] = field(default_factory=set)  # response ids erased for good (tombstones): never listed again


@dataclass
class SyncReport:
    responses: int = 0
    pages: int = 0
    added: int = 0
    updated: int = 0
    flagged: int = 0
    unmatched: int = 0
    unverified: int = 0  # answers about sharing without the person's link code: applied to nothing
    created: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)  # opportunities whose form stopped taking responses
    reopened: list[str] = field(default_factory=list)
    sheets: dict[str, str] = field(default_factory=dict)  # spreadsheet name -> link
    restored_headers: list[str] = field(default_factory=list)
    refused: dict[str, list[str]] = field(default_factory=dict)  # spreadsheet -> sharing problems: nothing written
    not_shared: dict[str, list[str]] = field(
        default_factory=dict
    )  # spreadsheet -> addresses Google would not share it with
    too_large: dict[str, list[str]] = field(default_factory=dict)  # spreadsheet -> past Google's 10 million cells
    unshared: list[str] = field(default_factory=list)  # people the config no longer names, whose access ended
    shared_added: list[str] = field(default_factory=list)  # names added to the engagement team's sheet
    shared_removed: list[str] = field(default_factory=list)
    full_scans: int = 0  # forms whose responses were all read again this run
    waiting: int = 0  # decisions set but not yet past the grace period
    held_invitations: int = 0  # invited to interview, the invitation waiting for details the lead has not filled in
    proposal_problems: list[str] = field(default_factory=list)  # an approved proposal whose form could not go live
    spares: list[str] = field(default_factory=list)  # spreadsheets tagged twice for one thing: what was done

    def held_back(self) -> set[str]:
        """The spreadsheets nothing was written to this run: their rows, and emails about them, wait."""
        return set(self.refused) | set(self.not_shared) | set(self.too_large)


class Sync:
    def __init__(
        self,
        config: Config,
        targets: list[FormTarget],
        destinations: dict[str, Destination],
        forms: FormsApi,
        drive: DriveApi,
        sheets: SheetsApi,
        now: datetime,
        full_scan_every: timedelta = timedelta(hours=24),
        full: bool = False,
        send: Callable[[str], str] | None = None,
        templates: Path | None = None,
        proposals: Proposals | None = None,
    ):
        """`send` delivers one raw message and returns its id (GmailSender.send); None sends no email.
        `proposals`: the role descriptions going_live.prepare checked before this run, if the form is used."""
        self.send, self.templates = send, templates
        self.proposals = proposals
        self.mail_report: MailReport | None = None
        self.config, self.targets = config, {t.key: t for t in targets}
        self.destinations = destinations
        self.forms, self.drive, self.sheets = forms, drive, sheets
        self.now, self.full_scan_every, self.force_full = now, full_scan_every, full
        self.report = SyncReport()
        self.books = Spreadsheets(drive, sheets, destinations, self.report)
        self.runs = self.books.runs  # target -> SheetRun, filled by books.open()
        self.latest_consents: dict = {}  # (reference, consent) -> the latest answer, log and this run
        self.logged: set[str] = set()  # the consent log's record ids as read, while the rows step may add records
        # Told each step as it ends, in counts only (the run's log: runlog.RunLog.progress); None: untold.
        self.progress: Callable[[str, dict], None] | None = None

    @classmethod
    def for_workspace(
        cls, loaded, clients, now: datetime, full: bool = False, emails: bool = True, go_live: bool = False
    ) -> Sync:
        """A sync of a loaded workspace (config, specs, layouts) over the clients of google.clients.connect.
        Every command that builds one (erase, purge, preview-email, network invite) sees the approved role
        descriptions' opportunities as the sync does; only the sync (`go_live`) deploys their forms."""
        config = loaded.workspace.config
        retry = policy_for(config.retries)  # one policy for the run: its time budget covers every call
        forms, drive, sheets = (
            FormsApi(clients.forms, retry),
            DriveApi(clients.drive, retry),
            SheetsApi(clients.sheets, retry),
        )
        # Approved role descriptions first: the run then treats their opportunities as the config's own.
        proposals = prepare(loaded, forms, drive, sheets, now, go_live=go_live)
        return new_sync(
            proposals.loaded if proposals else loaded,
            forms,
            drive,
            sheets,
            now,
            full=full,
            send=clients.mail.send if emails and config.email.send else None,
            proposals=proposals,
        )

    # -- the run --------------------------------------------------------------------------
    def run(self) -> SyncReport:
        """The steps in order. Each step is a function of what the run read; the run applies what it returns."""
        self.books.unread = unread_headers  # the sync reads back only the columns it uses
        snapshot = self._read()
        partners = self._rows(snapshot)
        self._step("read", forms=len(snapshot.deployed), responses=self.report.responses, pages=self.report.pages)
        self._write_proposals()
        consents = self._record_consents(snapshot, partners)
        records = records_of(self.runs)  # every response tab as it will be after this run's rows: made once
        added, removed = self._share_with_engagement_team(records, consents)
        self._record_network_change(snapshot, added, removed)  # before their sheet is written: never lost
        self._step("engagement team's list worked out", added=len(added), removed=len(removed))
        self._close_past_closing_dates(snapshot.deployed)
        self._note(
            records, status_notes(records, self.now, self.config.email.timezone)
        )  # statuses are noted even when no email is sent
        holds, self.report.held_invitations = interview_holds(records, snapshot.email_log)
        self._note(records, holds)
        self._note(records, duplicate_claim_notes(records))
        meeting_plan = meetings.plan(self.config, self.runs, records, self.now)  # off unless the config has meetings
        self._write(Writes(rows=meeting_plan.rows))
        self._note(records, meeting_plan.notes)
        mailer = self._mailer(snapshot.email_log)
        view = EmailView(
            self.config,
            self.now,
            records,
            {t: run.link for t, run in self.runs.items()},
            consents=consents,
            partners=partners,
            links_for=self.links(snapshot.deployed),
        )
        agreement = current_agreement(self.targets)  # support after appointment (partner_support)
        self._note(records, support_notes(view, agreement) + support_scheme.notes(view))
        if self.send:
            self._note(records, last_email_notes(records, snapshot.email_log))
        self.books.flush([run for target, run in self.runs.items() if target != ADMIN])
        self._step(
            "spreadsheets written",
            added=self.report.added,
            updated=self.report.updated,
            flagged=self.report.flagged,
            held_back=len(self.report.held_back()),
        )
        if mailer:  # one mail run: the team's notices of each recorded change, in order, then everything else
            view.held = {target for target, run in self.runs.items() if run.dest.name in self.report.held_back()}
            waiting: list[str] = []
            due = notices(
                self.config, snapshot.network_changes, view.sheet_links.get(ENGAGEMENT, ""), self.now, mailer.is_due
            )
            if self.proposals is not None and self.runs[OPPORTUNITIES].dest.name not in self.report.held_back():
                due += proposals.emails(self.config, self.proposals.checked, mailer.is_due)
            due += due_emails(view, mailer.log, mailer.is_due, waiting)
            due += support_emails(view, agreement, mailer.is_due) + support_scheme.emails(view, mailer.is_due)
            self._send(mailer, due + meeting_plan.due(mailer.is_due, view.links_for, view.held, mailer.log))
            self._note_sent(records, mailer.log)
            self.report.waiting += sum(1 for key in waiting if mailer.is_due(key))
            self.mail_report = mailer.report
            report = mailer.report
            self._step("emails", sent=report.sent, not_sent=report.failed, held=report.held, unknown=report.unknown)
        self._write_marks(snapshot)
        self.books.flush([self.runs[ADMIN]])
        self._step("sync state recorded")
        return self.report

    def _step(self, message: str, **counts: int) -> None:
        if self.progress:
            self.progress(message, counts)

    def _read(self) -> Snapshot:
        """The run's one reading: the deployed forms, every spreadsheet, the new and edited responses."""
        deployed = {
            f["appProperties"]["target"]: f for f in self.drive.find("form") if "target" in f.get("appProperties", {})
        }
        if not deployed:
            raise NothingDeployed("no deployed forms found: run ppp-gsuite deploy-forms first (with the same account)")
        self.books.open()
        admin = self.books.read(self.runs[ADMIN])
        snapshot = Snapshot(
            deployed,
            {key: versions_of(file.get("appProperties", {})) for key, file in deployed.items()},
            state=self._sync_state(admin),
            email_log=read_log(admin.values.get(EMAIL_LOG.tab, [])),
            consent_log=_records(admin.values.get(CONSENT_LOG.tab, [])),
            network_changes=_records(admin.values.get(NETWORK_CHANGES.tab, [])),
            link_secret=self.books.link_secret,
            gone={row[0] for row in admin.values.get(TOMBSTONES.tab, [])[1:] if row},
        )
        self.latest_consents = latest(snapshot.consent_log)
        self.logged = {record.get(CONSENT_RECORD, "") for record in snapshot.consent_log}
        # The log's lines are the snapshot's alone now (until the rows step is done with them): the run only
        # appends to the log, and keeps none of the records it writes there (consent records: two a response).
        self.books.let_go(admin, CONSENT_LOG.tab)
        return snapshot

    def _rows(self, snapshot: Snapshot) -> dict:
        """Form by form: list its new and edited responses, make their rows, write them (consent records to
        the log, a batch at a time) and let them go: a first sync of 100,000 responses holds one form's at once.
        Returns every known reference -> its partner."""
        partners = {}
        for opportunity in self.config.opportunities:
            # read just before its rows are written (as the other spreadsheets are read just before theirs):
            # a lead who sorts meanwhile has the least time to move rows under the run
            self.books.read(self.runs[opportunity_target(opportunity.key)])
            self._list(snapshot, [eoi_form(opportunity.key)])
            writes, found = response_rows.expressions_of_interest(
                self.config, self.targets, snapshot, self.runs, [opportunity]
            )
            partners.update(found)
            self._write_listed(snapshot, writes)
        for name, run in self.runs.items():  # statuses set by leads and approvers are read every run
            if name != ADMIN:
                self.books.read(run)
        for form in JOINED_FORMS:
            self._list(snapshot, [form])
            self._write_listed(snapshot, response_rows.joined(self.config, self.targets, snapshot, self.runs, partners))
        self._list(snapshot, [MONITORING_FORM])
        self._write_listed(
            snapshot, response_rows.monitoring(self.targets, snapshot, self.runs, self.config.email.timezone)
        )
        self._list(snapshot, [SUPPORT_REQUEST, SUPPORT_EVALUATION])
        self._write_listed(snapshot, support_scheme.rows(self.config, self.targets, snapshot, self.runs))
        self._list(snapshot, list(snapshot.deployed))  # any other form: listed for its mark, no rows of its own
        snapshot.listed, snapshot.answers = {}, {}
        self.books.flush([self.runs[ADMIN]])  # the rest of this run's consent records, before anything is sent
        return partners

    def _write_listed(self, snapshot: Snapshot, writes: Writes) -> None:
        """The rows of what was just listed, written now, and the responses let go; consent records when a
        batch is due (the admin spreadsheet's own write, the marks, stays last)."""
        self._write(writes)
        self.books.flush([self.runs[target] for target in {*writes.rows, *writes.replace} if target != ADMIN])
        admin = self.runs[ADMIN]
        if len(admin.rows.get(CONSENT_LOG.tab, [])) >= CONSENT_BATCH:
            self.books.flush([admin])
        snapshot.listed, snapshot.answers = {}, {}

    def _list(self, snapshot: Snapshot, keys: list[str]) -> None:
        """The new and edited responses of these forms (those deployed, not yet listed this run), their answers
        decoded once, and each form's new high-water mark."""
        for key in keys:
            file = snapshot.deployed.get(key)
            if file is None or key not in self.targets or key == ROLE_DESCRIPTION or key in snapshot.marks:
                continue  # proposals are read whole, by going_live
            previous = snapshot.state.get(key, {})
            full = self.force_full or self._full_scan_due(previous.get(STATE_FULL_SCAN, ""))
            mark = previous.get(STATE_NEWEST, "")
            since = None if full or not mark else utc_stamp(parse_stamp(mark) - OVERLAP)
            self.report.full_scans += full  # a form with no responses yet is listed whole, but that is no rescan
            responses, pages = self.forms.list_responses(file["id"], since)
            self.report.pages += pages
            unique = {r["responseId"]: r for r in responses if r["responseId"] not in snapshot.gone}
            del responses
            target = self.targets[key]
            written_through = parse_stamp(mark) if mark else None  # the newest submission the last run wrote
            for response_id, response in unique.items():
                # (a mark kept to the second by an earlier version makes its second's responses fresh once)
                if written_through is None or parse_stamp(response["lastSubmittedTime"]) > written_through:
                    self.books.fresh.add(response_id)  # its long answers are compared (sheets.unread): read them
                snapshot.answers[(key, response_id)] = answers_by_key(target.spec_name, target.spec, response)
                # decoded once: the raw answers (most of a response's memory) are let go form by form
                unique[response_id] = {name: response[name] for name in RESPONSE_FIELDS if name in response}
            snapshot.listed[key] = list(unique.values())
            self.report.responses += len(unique)
            newest = max(
                [parse_stamp(r["lastSubmittedTime"]) for r in unique.values()] + ([parse_stamp(mark)] if mark else []),
                default=None,
            )
            snapshot.marks[key] = Row(
                key,
                "",
                {
                    STATE_FORM: key,
                    STATE_FORM_ID: file["id"],
                    STATE_NEWEST: mark_stamp(newest) if newest else "",
                    STATE_FULL_SCAN: utc_stamp(self.now) if full else previous.get(STATE_FULL_SCAN, ""),
                },
            )

    def _write_proposals(self) -> None:
        """Each proposal's row in the engagement team's Opportunities spreadsheet, in its one write."""
        run = self.runs.get(OPPORTUNITIES)
        if self.proposals is None or run is None:
            return
        run.rows[PROPOSALS_TAB.tab].extend(proposals.rows(self.proposals.checked))
        self.report.proposal_problems += self.proposals.problems

    def _record_consents(self, snapshot: Snapshot, partners: dict) -> dict:
        """Each wording once in its tab (this run's consent records are in the log: _write_listed); returns
        (reference, consent) -> the latest answer its person gave (through any of their references:
        consent.by_person), the log as read and this run's records folded in."""
        texts = [consent_text(t.spec, item) for t in self.targets.values() for item in t.spec.consent_items()]
        self.runs[ADMIN].rows[CONSENT_WORDINGS.tab].extend(wording_rows(texts, snapshot.consent_log))
        snapshot.consent_log, self.logged = [], set()  # folded into latest_consents: the log's lines go
        self.latest_consents = by_person(self.latest_consents, partners, in_place=True)
        return self.latest_consents

    def _write_marks(self, snapshot: Snapshot) -> None:
        """The per-form high-water marks, last: a crash before them lists the same responses again."""
        state = snapshot.state
        changed = any(
            row.cells != _current(state.get(row.response_id, {}), row.cells) for row in snapshot.marks.values()
        )
        if changed and not self.report.held_back():  # a held-back spreadsheet's rows wait: list them again next run
            self.runs[ADMIN].rows[SYNC_STATE.tab].extend(snapshot.marks.values())

    # -- applying what the steps return ---------------------------------------------------
    def _note(self, records: dict, notes: list[Note]) -> None:
        """A few cells of existing rows, in the run's one write per spreadsheet (made right after the read,
        so a lead who sorts during the longer sending cannot move rows under them)."""
        for found in notes:
            self.runs[found.target].rows[found.tab].append(found.row)
            records[found.target][found.tab].by_id[found.row.response_id].update(found.row.cells)

    def _note_sent(self, records: dict, log: dict) -> None:
        """After the sends: each row's last email, noted in the run that sent it."""
        by_run: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
        for found in last_email_notes(records, log):
            by_run[found.target][found.tab].append(found.row)
        for target, rows_by_tab in by_run.items():
            self.books.write_notes(self.runs[target], dict(rows_by_tab))

    def _mailer(self, log: dict) -> Mailer | None:
        """The run's one Mailer; none when no email is sent, or when the email log cannot be written
        (the admin spreadsheet is shared too widely): every email waits until the sharing is mended."""
        if not self.send or self.books.refused(self.runs[ADMIN]):
            return None
        assert self.templates is not None  # new_sync gives the workspace's templates folder
        return Mailer(
            self.config,
            self.templates,
            self.send,
            dict(log),
            self.now,
            local_time(self.now, self.config.email.timezone),
            retry=getattr(self.sheets, "retry", None),
        )

    def _send(self, mailer: Mailer, due: list) -> None:
        """Send through the run's Mailer, writing each batch's intents to the email log before it is sent."""
        admin = self.runs[ADMIN]
        for rows in mailer.deliver(due):
            self.books.write_now(admin, EMAIL_LOG, rows)
        last = mailer.take_unwritten()
        if last:  # the last send's result, at once: no other call comes between a send and its record
            self.books.write_now(admin, EMAIL_LOG, last)

    def _record_network_change(self, snapshot: Snapshot, added: dict[str, str], removed: dict[str, str]) -> None:
        """Record the change to the team's list at once, before their sheet is rewritten: its notice stays due
        until it is sent. Not when nothing changed or the record cannot be written (a sheet shared too widely
        is only ever changed by removals: those are written, and recorded)."""
        engagement, admin = self.runs.get(ENGAGEMENT), self.runs[ADMIN]
        if not (added or removed) or engagement is None or self.books.refused(admin):
            return
        rows = change_rows(
            snapshot.network_changes,
            added,
            removed,
            self.now,
            numbers_told(snapshot.email_log),
            self.config.email.timezone,
        )
        if rows:
            self.books.write_now(admin, NETWORK_CHANGES, rows)
            snapshot.network_changes += [dict(row.cells) for row in rows]

    def view_as_read(self) -> EmailView:
        """Every spreadsheet as it is (nothing listed, nothing written): what preview-email fills an email from."""
        deployed = {
            f["appProperties"]["target"]: f for f in self.drive.find("form") if "target" in f.get("appProperties", {})
        }
        self.books.open()
        for run in self.runs.values():
            self.books.read(run)
        records = records_of(self.runs)
        consents = latest(_records(self.runs[ADMIN].values.get(CONSENT_LOG.tab, [])))
        return EmailView(
            self.config,
            self.now,
            records,
            {t: run.link for t, run in self.runs.items()},
            consents=consents,
            partners=partners_of(self.config, records),
            links_for=self.links(deployed, codes=False),
        )

    def links(self, deployed: dict, codes: bool = True):
        """Prefilled links by reference, with the person's link code where the form asks it (each form's
        responderUri asked once, when first needed). Without `codes` (a preview a person reads at the
        command line) the code is a placeholder: it is sent to its person alone."""
        coded = {key: item.key for key, target in self.targets.items() if (item := target.spec.link_code_item())}

        def code_for(reference: str) -> str:
            if not codes:
                return HIDDEN_CODE
            return link_code(self.books.link_secret, reference) if self.books.link_secret else ""

        return prefilled_links(
            lambda form: self.forms.get(deployed[form]["id"]).get("responderUri", ""), deployed, code_for, coded
        )

    def _full_scan_due(self, last: str) -> bool:
        return not last or self.now - parse_stamp(last) >= self.full_scan_every

    # -- spreadsheets ---------------------------------------------------------------------
    def _sync_state(self, admin: SheetRun) -> dict[str, dict[str, str]]:
        values = admin.values.get(SYNC_STATE.tab, [])
        if not values:
            return {}
        headers = values[0]
        return {row[0]: dict(zip(headers, row)) for row in values[1:] if row and row[0]}

    # -- applying what the steps return ---------------------------------------------------
    def _write(self, writes: Writes) -> None:
        """Rows into the run's one write per spreadsheet; consent records into the log; counts into the report."""
        for target, tabs in writes.rows.items():
            for tab, rows in tabs.items():
                self._noted_when_new(self.runs[target], tab, rows)
                self.runs[target].rows[tab].extend(rows)
        for target, whole_tabs in writes.replace.items():
            self.runs[target].replace.update(whole_tabs)
        new = [row for row in writes.consents if row.response_id not in self.logged]  # the log is kept by id
        self.runs[ADMIN].rows[CONSENT_LOG.tab].extend(new)
        fold(self.latest_consents, (row.cells for row in new))
        self.report.flagged += writes.flagged
        self.report.unmatched += writes.unmatched
        self.report.unverified += writes.unverified

    def _noted_when_new(self, run: SheetRun, title: str, rows: list[Row]) -> None:
        """A new row is written with its status noted (email_step.noted_when_new), its defaults one mapping
        for every row that shares them."""
        layout = next((tab for tab in run.dest.tabs if tab.tab == title), None)
        noted = noted_when_new(run.dest, layout, self.now, self.config.email.timezone) if layout else {}
        if not noted:
            return
        shared: dict[tuple, Mapping[str, str]] = {}
        for row in rows:
            key = tuple(row.new_row_defaults.items())
            if key not in shared:
                shared[key] = MappingProxyType({**row.new_row_defaults, **noted})
            row.new_row_defaults = shared[key]

    def _share_with_engagement_team(self, records: dict, consents: dict) -> tuple[dict[str, str], dict[str, str]]:
        """Rewrite the engagement team's sheet (in the run's write); returns who is added and who removed."""
        run = self.runs.get(ENGAGEMENT)
        if run is None or run.broken:
            return {}, {}
        listed = engagement_list(self.config, self.runs, records, consents, self.now)
        current = run.values.get(run.dest.tabs[0].tab, [])
        if not only_removes(listed.values, current) and self.books.refused(run):
            listed = listed.removals_only(current)  # a withdrawal still takes effect; nobody is added
        run.replace[run.dest.tabs[0].tab] = listed.values
        self.report.shared_added, self.report.shared_removed = (
            sorted(listed.added.values()),
            sorted(listed.removed.values()),
        )
        return listed.added, listed.removed

    def _close_past_closing_dates(self, deployed: dict[str, dict]) -> None:
        """The Forms API has no closing date: stop accepting once it passes (and reopen if it moves)."""
        today = self.now.astimezone(ZoneInfo(self.config.email.timezone)).date()  # the organisation's day
        for opportunity in self.config.opportunities:
            file = deployed.get(eoi_form(opportunity.key))
            if file is None:
                continue
            closed = today > opportunity.closing_date
            if file.get("appProperties", {}).get("closed", "no") != ("yes" if closed else "no"):
                self.forms.set_publish_state(file["id"], True, not closed)
                self.drive.set_app_properties(file["id"], {"closed": "yes" if closed else "no"})
                (self.report.closed if closed else self.report.reopened).append(opportunity.group)


def new_sync(
    loaded,
    forms: FormsApi,
    drive: DriveApi,
    sheets: SheetsApi,
    now: datetime,
    *,
    config: Config | None = None,
    full: bool = False,
    send: Callable[[str], str] | None = None,
    proposals: Proposals | None = None,
) -> Sync:
    """The one place a Sync is built (sync, purge, erase, preview-email, the tests and the benchmark):
    a loaded workspace (config, specs, layouts) over three adapters. `config` replaces the workspace's
    (a test's changed settings); `send` delivers one raw message, None sends no email."""
    from .destinations import destinations

    config = config or loaded.workspace.config
    return Sync(
        config,
        loaded.targets,
        destinations(config, loaded.targets, loaded.layouts),
        forms,
        drive,
        sheets,
        now,
        timedelta(hours=config.sync.full_rescan_hours),
        full,
        send=send,
        templates=loaded.workspace.templates_dir,
        proposals=proposals,
    )


def _records(values: list[list[str]]) -> list:
    return line_records(values)  # the consent log's two rows a response, without a dict each


def _current(state: dict[str, str], cells: Mapping[str, str]) -> dict[str, str]:
    return {header: state.get(header, "") for header in cells}
