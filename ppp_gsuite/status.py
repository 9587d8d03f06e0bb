"""`ppp-gsuite status`: each form, each spreadsheet, the emails, and the last run, read from the Workspace.

For people (cli.py prints it) and for machines (`--json`: `as_json`). Counts, links, log keys and the
staff addresses a spreadsheet is shared with; never an applicant's name, address or answer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from .errors import EXIT_NEEDS_A_PERSON
from .google.drive_api import DriveApi
from .google.forms_api import FormsApi
from .google.sheets_api import SheetsApi
from .runlease import find_lease_form, read_record
from .sync.destinations import ADMIN, EMAIL_LOG, SYNC_STATE, Destination
from .sync.emails import HELD_INVITATION
from .sync.mailer import log_state, needs_a_person
from .vocabulary import EOI, LOG_EMAIL, LOG_KEY, LOG_TIME, NOT_SENT, RETRY, SENT, STATE_FORM, STATE_NEWEST


@dataclass
class FormStatus:
    name: str
    target: str
    link: str
    open: bool  # accepting responses
    closing_date: str | None  # an expression of interest's, from the config (the Forms API has none)
    responses: int


@dataclass
class SpreadsheetStatus:
    name: str
    target: str
    link: str
    rows: dict[str, int]  # tab -> rows below the header
    can_open: list[dict]  # Drive's grants: type, role, and the address or domain
    sharing_refused: bool = False  # the last run wrote nothing here: shared too widely, or could not be shared


@dataclass
class Status:
    forms: int = 0
    spreadsheets: dict[str, str] = field(default_factory=dict)  # name -> link
    newest: dict[str, str] = field(default_factory=dict)  # form -> newest response seen
    sent_today: int = 0
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (log key, time): no personal data
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (key, state, time)
    retry: list[tuple[str, str]] = field(default_factory=list)  # waiting to be sent by a later run
    held_invitations: dict[str, int] = field(default_factory=dict)  # spreadsheet -> invitations waiting for details
    form_details: list[FormStatus] = field(default_factory=list)
    sheet_details: list[SpreadsheetStatus] = field(default_factory=list)
    sent_by_kind: Counter = field(default_factory=Counter)  # template -> emails sent, all time
    last_run: dict | None = None  # the last sync's record, kept with the run's lease (runlease.py)
    lease: dict | None = None  # the lease while a sync holds it: who (host, process) and until when

    @property
    def exit_code(self) -> int:
        """1 while something needs a person: an email whose outcome is unknown, or a spreadsheet the last
        run wrote nothing into (shared too widely, or could not be shared); else 0."""
        refused = any(sheet.sharing_refused for sheet in self.sheet_details)
        return EXIT_NEEDS_A_PERSON if self.unknown or refused else 0


def read_status(
    drive: DriveApi,
    sheets: SheetsApi,
    today: str,
    destinations: dict[str, Destination] | None = None,
    forms: FormsApi | None = None,
    closing_dates: dict[str, str] | None = None,
) -> Status:
    """`today` is the organisation's date (YYYY-MM-DD); `closing_dates` maps a form's target to its date.
    Without `forms`, the forms are counted only (their state and responses need the Forms API)."""
    status = Status()
    if forms is not None:
        lease_form = find_lease_form(drive)
        if lease_form:
            lease_record, _ = read_record(forms, lease_form)
            status.last_run = lease_record.last_run
            status.lease = (
                {"holder": lease_record.holder, "expires": lease_record.expires} if lease_record.holder else None
            )
    found_forms = sorted(drive.find("form"), key=lambda f: f.get("name", ""))
    status.forms = len(found_forms)
    if forms is not None:
        for file in found_forms:
            status.form_details.append(_form_status(forms, file, closing_dates or {}))
    refused = set((status.last_run or {}).get("sharing_refused", [])) | set(
        (status.last_run or {}).get("not_shared", [])
    )
    admin_values: dict[str, list[list[str]]] = {}
    for file in sorted(drive.find("spreadsheet"), key=lambda f: f.get("name", "")):
        name, target = file.get("name", file["id"]), file.get("appProperties", {}).get("target", "")
        status.spreadsheets[name] = file.get("webViewLink", "")
        tabs = read_all_tabs(sheets, file["id"])
        status.sheet_details.append(
            SpreadsheetStatus(
                name,
                target,
                file.get("webViewLink", ""),
                {title: rows_below_header(values) for title, values in tabs.items()},
                [_grant(p) for p in drive.permissions(file["id"])],
                name in refused,
            )
        )
        if target == ADMIN:
            admin_values = tabs
        elif target in (destinations or {}):
            held = _held_invitations(tabs, (destinations or {})[target])
            if held:
                status.held_invitations[name] = held
    if not admin_values:
        return status
    state = admin_values.get(SYNC_STATE.tab, [])
    for row in state[1:]:
        record = dict(zip(state[0], row))
        status.newest[record.get(STATE_FORM, "")] = record.get(STATE_NEWEST, "") or "none yet"
    log = admin_values.get(EMAIL_LOG.tab, [])
    for row in log[1:]:
        record = dict(zip(log[0], row))
        state_text, time, key = log_state(record), record.get(LOG_TIME, ""), record.get(LOG_KEY, "")
        if state_text == SENT:
            status.sent_by_kind[record.get(LOG_EMAIL, "")] += 1
            status.sent_today += time.startswith(today)
        elif needs_a_person(record):
            status.unknown.append((key, time))
        elif state_text == RETRY:
            status.retry.append((key, time))
        elif state_text.startswith(NOT_SENT):
            status.failed.append((key, state_text, time))
    return status


def rows_below_header(values: list[list[str]]) -> int:
    return sum(1 for row in values[1:] if any(cell.strip() for cell in row))


def read_all_tabs(sheets: SheetsApi, spreadsheet_id: str) -> dict[str, list[list[str]]]:
    """Every tab's values, in two reads (the tabs' titles, then all of them at once)."""
    titles = [s["properties"]["title"] for s in sheets.metadata(spreadsheet_id).get("sheets", [])]
    tabs = sheets.read_tabs(spreadsheet_id, titles) if titles else {}
    return {title: values for title, (_, values) in tabs.items()}


def as_json(status: Status) -> dict:
    """What `status --json` prints: the same facts as the text, for machines."""
    last = status.last_run or {}
    return {
        "forms": [asdict(form) for form in status.form_details],
        "spreadsheets": [asdict(sheet) for sheet in status.sheet_details],
        "newest_response_seen": dict(sorted(status.newest.items())),
        "emails": {
            "sent_today": status.sent_today,
            "sent_by_kind": dict(sorted(status.sent_by_kind.items())),
            "held_by_cap": last.get("emails_held", 0),
            "waiting_for_grace": last.get("waiting_for_grace", 0),
            "held_for_details": sum(status.held_invitations.values()),
            "unknown": [{"key": key, "time": time} for key, time in status.unknown],
            "retry": [{"key": key, "time": time} for key, time in status.retry],
            "not_sent": [{"key": key, "state": state, "time": time} for key, state, time in status.failed],
        },
        "last_run": status.last_run,
        "lease": status.lease,
        "exit_code": status.exit_code,
    }


def _form_status(forms: FormsApi, file: dict, closing_dates: dict[str, str]) -> FormStatus:
    live = forms.get(file["id"])
    target = file.get("appProperties", {}).get("target", "")
    responses, _ = forms.list_responses(file["id"])
    accepting = (live.get("publishSettings") or {}).get("publishState", {}).get("isAcceptingResponses", False)
    return FormStatus(
        file.get("name", file["id"]),
        target,
        live.get("responderUri", ""),
        bool(accepting),
        closing_dates.get(target),
        len(responses),
    )


def _grant(permission: dict) -> dict:
    who = permission.get("emailAddress") or permission.get("domain") or ""
    grant = {"type": permission.get("type", ""), "role": permission.get("role", ""), "who": who}
    if permission.get("view"):
        grant["view"] = permission["view"]
    return grant


def _held_invitations(tabs: dict[str, list[list[str]]], destination: Destination) -> int:
    """Rows whose "Needs checking" says the interview invitation waits for details (a count: no names)."""
    tab = destination.tab(EOI)
    flags = tab.column("tool", "flags") if tab else None
    if tab is None or flags is None:
        return 0
    values = tabs.get(tab.tab, [])
    if not values or flags.header not in values[0]:
        return 0
    column = values[0].index(flags.header)
    return sum(1 for row in values[1:] if len(row) > column and HELD_INVITATION in row[column])
