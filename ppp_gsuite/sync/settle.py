"""`ppp-gsuite email settle KEY --sent | --retry`: close an email whose outcome is unknown, either way.

A person checked the Sent mail: if it went, the log says "sent" and it is never sent again; if it
did not, "retry" and the next sync sends it. The same two words typed into the State cell of the
email log do the same (see Mailer's log_state). Only an unknown outcome can be settled: an email
the log already records as sent, refused or waiting is left as it is.
"""

from __future__ import annotations

from ..errors import PppError
from ..google.drive_api import DriveApi
from ..google.sheets_api import SheetsApi
from ..sheets.a1 import cell_range
from ..vocabulary import ADMIN, LOG_KEY, LOG_STATE, RETRY, SENT
from .destinations import EMAIL_LOG
from .mailer import needs_a_person


class NotSettled(PppError):
    pass


def settle(drive: DriveApi, sheets: SheetsApi, key: str, sent: bool) -> str:
    """Set the email log's State of `key` to sent or retry; returns the new state."""
    admin = next(
        (f["id"] for f in drive.find("spreadsheet") if f.get("appProperties", {}).get("target") == ADMIN), None
    )
    if admin is None:
        raise NotSettled("no sync records spreadsheet found: nothing has been sent yet")
    values = sheets.read_tabs(admin, [EMAIL_LOG.tab])[EMAIL_LOG.tab][1]
    headers = values[0] if values else []
    if LOG_KEY not in headers or LOG_STATE not in headers:
        raise NotSettled(f"the {EMAIL_LOG.tab} tab has no {LOG_KEY} and {LOG_STATE} columns")
    found = [n for n, row in enumerate(values) if n and row and row[0].strip() == key.strip()]
    if not found:
        raise NotSettled(
            f"no email with the key {key} in the {EMAIL_LOG.tab} (ppp-gsuite status lists the unknown ones)"
        )
    number = found[-1]
    record = dict(zip(headers, values[number]))
    if not needs_a_person(record):
        raise NotSettled(
            f"{key} is not waiting for a person (its State is {record.get(LOG_STATE, '')!r}): left as it is"
        )
    state = SENT if sent else RETRY
    column = headers.index(LOG_STATE)
    sheets.write(admin, [(cell_range(EMAIL_LOG.tab, number + 1, column, column), [[state]])])
    return state
