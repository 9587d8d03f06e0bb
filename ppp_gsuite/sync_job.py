"""The one entry to a sync run, shared by `ppp-gsuite sync` and `ppp-gsuite demo`.

Callers hold the run lock and the clients; this builds the run and runs it. Whoever changes how a
sync is built changes it here, once, and both commands follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .google.drive_api import DriveApi
from .google.forms_api import FormsApi
from .google.retry import policy_for
from .google.sheets_api import SheetsApi
from .sync.going_live import prepare
from .sync.mailer import MailReport
from .sync.run import Sync, SyncReport


@dataclass
class SyncOutcome:
    now: datetime  # the run's clock, as its log line shows it
    report: SyncReport
    mail: MailReport | None  # None when no email was sent (email.send: false)


def run_sync(loaded, clients, now: datetime, full: bool = False, progress=None) -> SyncOutcome:
    """`progress` is told each step as it ends, in counts only (Sync.progress)."""
    # Approved role descriptions first: the run then treats their opportunities as the config's own.
    retry = policy_for(loaded.workspace.config.retries)  # one policy for the whole run, its time budget too
    forms, drive, sheets = (
        FormsApi(clients.forms, retry),
        DriveApi(clients.drive, retry),
        SheetsApi(clients.sheets, retry),
    )
    proposals = prepare(loaded, forms, drive, sheets, now)
    job = Sync.for_workspace(
        proposals.loaded if proposals else loaded, clients, now, full=full, proposals=proposals, retry=retry
    )
    job.progress = progress
    report = job.run()
    return SyncOutcome(job.now, report, job.mail_report)
