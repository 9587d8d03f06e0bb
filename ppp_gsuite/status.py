"""`ppp-gsuite status`: what is deployed, when the sync last saw responses, and emails needing a person."""

from __future__ import annotations

from dataclasses import dataclass, field

from .google.drive_api import DriveApi
from .google.sheets_api import SheetsApi
from .sync.destinations import EMAIL_LOG, SYNC_STATE, Destination
from .sync.emails import HELD_INVITATION
from .sync.mailer import log_state, needs_a_person
from .vocabulary import EOI, LOG_KEY, LOG_TIME, NOT_SENT, RETRY, SENT, STATE_FORM, STATE_NEWEST


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


def read_status(
    drive: DriveApi, sheets: SheetsApi, today: str, destinations: dict[str, Destination] | None = None
) -> Status:
    status = Status(forms=len(drive.find("form")))
    admin = None
    for file in drive.find("spreadsheet"):
        status.spreadsheets[file.get("name", file["id"])] = file.get("webViewLink", "")
        target = file.get("appProperties", {}).get("target")
        if target == "admin":
            admin = file["id"]
        elif target in (destinations or {}):
            held = _held_invitations(sheets, file["id"], (destinations or {})[target])
            if held:
                status.held_invitations[file.get("name", file["id"])] = held
    if admin is None:
        return status
    tabs = sheets.read_tabs(admin, [SYNC_STATE.tab, EMAIL_LOG.tab])
    state = tabs[SYNC_STATE.tab][1]
    for row in state[1:]:
        record = dict(zip(state[0], row))
        status.newest[record.get(STATE_FORM, "")] = record.get(STATE_NEWEST, "") or "none yet"
    log = tabs[EMAIL_LOG.tab][1]
    for row in log[1:]:
        record = dict(zip(log[0], row))
        state_text, time, key = log_state(record), record.get(LOG_TIME, ""), record.get(LOG_KEY, "")
        if state_text == SENT and time.startswith(today):
            status.sent_today += 1
        elif needs_a_person(record):
            status.unknown.append((key, time))
        elif state_text == RETRY:
            status.retry.append((key, time))
        elif state_text.startswith(NOT_SENT):
            status.failed.append((key, state_text, time))
    return status


def _held_invitations(sheets: SheetsApi, spreadsheet_id: str, destination: Destination) -> int:
    """Rows whose "Needs checking" says the interview invitation waits for details (a count: no names)."""
    tab = destination.tab(EOI)
    flags = tab.column("tool", "flags") if tab else None
    if tab is None or flags is None:
        return 0
    values = sheets.read_tabs(spreadsheet_id, [tab.tab])[tab.tab][1]
    if not values or flags.header not in values[0]:
        return 0
    column = values[0].index(flags.header)
    return sum(1 for row in values[1:] if len(row) > column and HELD_INVITATION in row[column])
