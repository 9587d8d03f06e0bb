"""The one entry to a sync run, shared by `ppp-gsuite sync` and `ppp-gsuite demo`.

Callers hold the run lock and the clients; this builds the run and runs it. Whoever changes how a
sync is built changes it here, once, and both commands follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .sync.mailer import MailReport
from .sync.run import Sync, SyncReport


@dataclass
class SyncOutcome:
    now: datetime  # the run's clock, as its log line shows it
    report: SyncReport
    mail: MailReport | None  # None when no email was sent (email.send: false)


def run_sync(loaded, clients, now: datetime, full: bool = False, progress=None) -> SyncOutcome:
    """`progress` is told each step as it ends, in counts only (Sync.progress)."""
    job = Sync.for_workspace(loaded, clients, now, full=full, go_live=True)
    job.progress = progress
    report = job.run()
    return SyncOutcome(job.now, report, job.mail_report)
