"""The run's lease, held in the Workspace: two machines (or two working directories) never sync at once.

The lock file (runlock.py) protects one machine only. The lease lives where the state lives: in the
description of a form of the tool's own (never published, shared with nobody), and it is taken and
given back with `forms.batchUpdate` under `writeControl.requiredRevisionId`, which Google applies
atomically: of two runners that read the same revision, one write lands and the other is refused
(400). A lease carries an expiry, so a runner that crashed or was killed holds it no longer than
`sync.lease_seconds`; a long run renews it before each request once a third of that has passed, and
stops (LeaseLost) if another runner took it meanwhile.

The same description keeps the last run's record (when, how long, exit code, requests by API,
counts): `ppp-gsuite status` reads it from the Workspace, whichever machine ran.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import PppError
from .google.drive_api import APP_KEY, DriveApi
from .google.forms_api import FormsApi, StaleRevision
from .vocabulary import parse_stamp, utc_stamp

LEASE_KIND = "run_lease"  # appProperties marker of the lease form (DriveApi.find)
LEASE_TITLE = "ppp-gsuite run lease (kept by the tool: do not edit or share)"
HELD_BY_ANOTHER = "another sync holds the run's lease"
STOPS = "it does the work and this one stops without doing anything"


class LeaseHeld(PppError):
    """Another runner holds the lease: this run does nothing (exit 0: that one does the work)."""

    exit_code = 0


class LeaseLost(PppError):
    """This run's lease lapsed and another runner took it: this run stops before doing anything more."""


@dataclass
class LeaseRecord:
    holder: str = ""  # "host pid id": no person's name
    expires: str = ""  # RFC 3339, UTC
    last_run: dict | None = None

    @classmethod
    def parse(cls, description: str) -> LeaseRecord:
        try:
            data = json.loads(description or "{}")
        except ValueError:
            return cls()  # edited by hand: taken as free (its revision still guards the write)
        lease = data.get("lease") or {}
        return cls(lease.get("holder", ""), lease.get("expires", ""), data.get("last_run"))

    def text(self) -> str:
        lease = {"holder": self.holder, "expires": self.expires} if self.holder else None
        return json.dumps({"lease": lease, "last_run": self.last_run}, sort_keys=True)

    def held_at(self, now: datetime) -> bool:
        return bool(self.holder and self.expires and parse_stamp(self.expires) > now)


def find_lease_form(drive: DriveApi) -> str | None:
    """The lease form's id. Should two first runs each have made one at the same moment, every runner
    picks the same: the one created first (then the smaller id)."""
    found = sorted((file.get("createdTime", ""), file["id"]) for file in drive.find(LEASE_KIND))
    return found[0][1] if found else None


def create_lease_form(forms: FormsApi, drive: DriveApi) -> str:
    """A form of the tool's own, never published (forms.create with unpublished=true), shared with nobody."""
    form_id = forms.create({"info": {"title": LEASE_TITLE}})["formId"]
    drive.set_app_properties(form_id, {APP_KEY: LEASE_KIND})
    return form_id


def ensure_lease_form(forms: FormsApi, drive: DriveApi) -> tuple[str, bool]:
    """The lease form, made if there is none yet (deploy-forms, or the first sync after an upgrade);
    returns its id and whether this call made one."""
    found = find_lease_form(drive)
    if found:
        return found, False
    create_lease_form(forms, drive)
    return find_lease_form(drive) or "", True


def read_record(forms: FormsApi, form_id: str) -> tuple[LeaseRecord, str]:
    form = forms.get(form_id)
    return LeaseRecord.parse((form.get("info") or {}).get("description", "")), form.get("revisionId", "")


class Lease:
    """One run's hold on the lease form. `acquire` first; `check` before each request; `release` last."""

    def __init__(
        self,
        forms: FormsApi,
        form_id: str,
        seconds: int,
        clock: Callable[[], datetime],
        holder: str | None = None,
    ):
        self.forms, self.form_id, self.seconds, self.clock = forms, form_id, seconds, clock
        self.holder = holder or f"{socket.gethostname()} {os.getpid()} {uuid.uuid4().hex[:8]}"
        self.revision = ""
        self.record = LeaseRecord()
        self.renewed_at: datetime | None = None
        self.lost = False
        self._busy = False  # the lease's own requests pass through `check` too

    @property
    def held(self) -> bool:
        return self.renewed_at is not None and not self.lost

    def acquire(self) -> None:
        now = self.clock()
        record, revision = read_record(self.forms, self.form_id)
        if record.held_at(now):
            raise LeaseHeld(_held_message(record))
        record.holder, record.expires = self.holder, utc_stamp(now + timedelta(seconds=self.seconds))
        if not self._write(record, revision):
            raise LeaseHeld(f"{HELD_BY_ANOTHER} (it took it at this same moment); {STOPS}")
        self.renewed_at = now

    def check(self) -> None:
        """Before a request: renew once a third of the lease has passed; stop if it was lost."""
        if self._busy or self.renewed_at is None:
            return
        if self.lost:
            raise LeaseLost(_lost_message(self.seconds))
        now = self.clock()
        if now - self.renewed_at < timedelta(seconds=self.seconds / 3):
            return
        record = LeaseRecord(self.holder, utc_stamp(now + timedelta(seconds=self.seconds)), self.record.last_run)
        if not self._write(record, self.revision):
            self.lost = True
            raise LeaseLost(_lost_message(self.seconds))
        self.renewed_at = now

    def release(self, last_run: dict | None) -> bool:
        """Give the lease back, with the record of this run; False when it was lost meanwhile."""
        if not self.held:
            return False
        return self._write(
            LeaseRecord(last_run=last_run if last_run is not None else self.record.last_run), self.revision
        )

    def _write(self, record: LeaseRecord, revision: str) -> bool:
        """The compare-and-set: applied only if the form is still at `revision`; False if it moved on."""
        if not revision:  # never an unconditional write: that would take a lease another runner holds
            raise PppError("the lease form answered without a revision; the run stops to be safe")
        self._busy = True
        try:
            body = [{"updateFormInfo": {"info": {"description": record.text()}, "updateMask": "description"}}]
            try:  # a 400 is a refusal only when the revision has moved on (FormsApi.batch_update checks)
                reply = self.forms.batch_update(self.form_id, body, revision or None)
                self.revision = (reply.get("writeControl") or {}).get("requiredRevisionId", "")
            except StaleRevision:
                # Moved on by whom? A write Google applied but answered 5xx (or whose answer was lost) is
                # repeated, and the repeat is refused because of that very write: then the form holds
                # exactly what this runner wrote (its holder carries a random id), and it is its own.
                found, self.revision = read_record(self.forms, self.form_id)
                if found.text() != record.text():
                    return False
        finally:
            self._busy = False
        self.record = record
        return True


def _held_message(record: LeaseRecord) -> str:
    return f"{HELD_BY_ANOTHER} ({record.holder}, until {record.expires}); {STOPS}"


def _lost_message(seconds: int) -> str:
    return (
        f"this sync held the run's lease longer than sync.lease_seconds ({seconds}) without renewing it and another "
        "sync took it: this one stopped before doing anything more (the other carries on). If runs often stall "
        "this long, raise sync.lease_seconds."
    )
