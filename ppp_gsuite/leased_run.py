"""A sync run under the Workspace's lease: taken before anything is read, renewed before each request,
given back last with the record of the run (when, how long, exit code, requests by API, counts)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .errors import EXIT_NEEDS_A_PERSON, PppError
from .google.drive_api import DriveApi
from .google.forms_api import FormsApi
from .request_watch import RequestWatch
from .runlease import HELD_BY_ANOTHER, STOPS, Lease, LeaseHeld, ensure_lease_form, find_lease_form
from .vocabulary import utc_stamp


@dataclass
class LeasedRun:
    lease: Lease
    watch: RequestWatch
    started: datetime
    clock_start: float
    exit_code: int | None = None
    counts: dict = field(default_factory=dict)  # what the run did, in numbers only (never a name)

    def seconds(self) -> float:
        return round(time.monotonic() - self.clock_start, 1)

    def record(self, exit_code: int) -> dict:
        return {
            "started": utc_stamp(self.started),
            "seconds": self.seconds(),
            "exit_code": exit_code,
            "requests": self.watch.counts(),
            **self.counts,
        }


@contextlib.contextmanager
def leased_run(
    clients, lease_seconds: int, watch: RequestWatch, clock: Callable[[], datetime] | None = None
) -> Iterator[LeasedRun]:
    """Take the run's lease (LeaseHeld if another runner has it), and give it back with the run's record.
    The caller sets `exit_code` (and `counts`) before leaving; an exception leaves with its own code."""
    clock = clock or (lambda: datetime.now(UTC))
    forms, drive = FormsApi(clients.forms), DriveApi(clients.drive)
    form_id = find_lease_form(drive)
    if form_id is None and not drive.find("form"):
        from .sync.run import NothingDeployed

        raise NothingDeployed("no deployed forms found: run ppp-gsuite deploy-forms first (with the same account)")
    made = False
    if form_id is None:  # deployed by a version without the lease: made here, once
        form_id, made = ensure_lease_form(forms, drive)
    lease = Lease(forms, form_id, lease_seconds, clock)
    lease.acquire()
    if made and find_lease_form(drive) != form_id:  # another runner made one first, at the same moment
        lease.release(None)
        raise LeaseHeld(f"{HELD_BY_ANOTHER} (it set the lease up at this same moment); {STOPS}")
    run = LeasedRun(lease, watch, clock(), time.monotonic())
    watch.before.append(lease.check)
    try:
        yield run
    except PppError as error:
        run.exit_code = error.exit_code
        raise
    except BaseException:
        run.exit_code = EXIT_NEEDS_A_PERSON
        raise
    finally:
        watch.before.remove(lease.check)
        if not lease.lost:
            with contextlib.suppress(PppError):  # a lease not given back lapses by itself
                lease.release(run.record(EXIT_NEEDS_A_PERSON if run.exit_code is None else run.exit_code))


@contextlib.contextmanager
def command_lease(clients, lease_seconds: int, command: str, clock: Callable[[], datetime] | None = None):
    """purge, erase, emails settle, network invite: they change what a sync reads and writes (rows move,
    the email log), so, as they take the lock file on this machine, they take the run's lease against a
    sync on another; held, they do nothing and say to run them again. The last run's record stays the sync's."""
    drive = DriveApi(clients.drive)
    form_id = find_lease_form(drive)
    if form_id is None:  # no sync has taken a lease here yet (deployed before it): none to wait for
        yield
        return
    lease = Lease(FormsApi(clients.forms), form_id, lease_seconds, clock or (lambda: datetime.now(UTC)))
    try:
        lease.acquire()
    except LeaseHeld as held:
        raise PppError(
            f"{str(held).split('; ')[0]}; {command} did nothing: run it again once it has finished"
        ) from None
    watch = RequestWatch().attach(clients)
    watch.before.append(lease.check)
    try:
        yield
    finally:
        watch.before.remove(lease.check)
        if not lease.lost:
            with contextlib.suppress(PppError):  # a lease not given back lapses by itself
                lease.release(None)
