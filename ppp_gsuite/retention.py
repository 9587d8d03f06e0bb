"""Retention and erasure: `purge` (after the retention period) and `erase REFERENCE` (on request).

Both remove whole rows from every spreadsheet the tool keeps, and first write tombstones (the
response ids, the form, when, why) so that no rescan brings the rows back. They log counts, never
contents. The Forms API cannot delete responses: a form owner deletes them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .errors import PppError
from .sync.consent import row_key
from .sync.destinations import ADMIN, CONSENT_LOG, EMAIL_LOG, ENGAGEMENT, SYNC_STATE, TOMBSTONES
from .sync.emails import noted
from .sync.rows import Row, typed_reference
from .sync.run import Sync
from .sync.spreadsheets import sheet_id_for
from .vocabulary import (
    ENDED,
    EOI,
    SUPPORT_REQUEST,
    TOMBSTONE_FORM,
    TOMBSTONE_ID,
    TOMBSTONE_WHEN,
    TOMBSTONE_WHY,
    local_time,
)

BY_HAND = (
    "The Forms API cannot delete form responses. To remove them from Google Forms too, a form owner "
    "opens each form named below, Responses > Individual, finds each response id listed, and deletes it."
)


@dataclass
class Removal:
    """What will go: rows by spreadsheet and tab (row numbers), and the response ids to tombstone."""

    rows: dict[tuple[str, str], set[int]] = field(default_factory=dict)  # (target, tab) -> sheet row numbers
    tombstones: dict[str, str] = field(default_factory=dict)  # response id -> form
    people: int = 0
    names: dict[str, str] = field(default_factory=dict)  # target -> the spreadsheet's name, as people see it

    def count(self) -> dict[str, int]:
        return {
            f"{self.names.get(target, target)} / {title}": len(numbers)
            for (target, title), numbers in self.rows.items()
        }


def _columns(values: list[list[str]], header: str) -> int | None:
    return values[0].index(header) if values and header in values[0] else None


def _find(sync: Sync, references: set[str], response_ids: set[str], removal: Removal) -> None:
    """Every row of these people: by response id, by reference, in every tab of every spreadsheet."""
    for target, run in sync.runs.items():
        for tab in run.dest.tabs:
            if tab in (TOMBSTONES, SYNC_STATE, EMAIL_LOG):
                continue
            values = run.values.get(tab.tab, [])
            keys = [c.header for c in tab.columns if c.key in ("response_id", "reference", "partner_reference")]
            positions = [p for p in (_columns(values, h) for h in keys) if p is not None]
            for number, line in enumerate(values[1:], start=2):
                cells = {line[p] for p in positions if p < len(line)}
                record_key = line[0] if line else ""
                by_record = tab is CONSENT_LOG and record_key.split("|")[0] in response_ids
                if cells & (references | response_ids | {row_key(r) for r in references}) or by_record:
                    removal.rows.setdefault((target, tab.tab), set()).add(number)
                    removal.names[target] = run.dest.name
                    response_column = (
                        _columns(values, tab.header("tool", "response_id"))
                        if tab.column("tool", "response_id")
                        else None
                    )
                    if (
                        tab.form
                        and response_column is not None
                        and response_column < len(line)
                        and target != ENGAGEMENT
                    ):
                        removal.tombstones[line[response_column]] = tab.form


class NobodyMatched(PppError):
    """`erase` was given a reference nobody has (a typo, an empty one): nothing is removed."""


def erase_plan(sync: Sync, reference: str) -> Removal:
    removal = Removal()
    people = _people(sync)
    wanted = typed_reference(reference)  # as the person's row has it, whatever the case and spaces typed
    matched = {rid: ref for rid, (ref, _, _) in people.items() if wanted and typed_reference(ref) == wanted}
    if not matched:
        # What was typed is not repeated: it may be something else pasted by mistake (an address).
        said = "that reference" if reference.strip() else "an empty reference"
        raise NobodyMatched(
            f"nobody matched {said}: nothing was removed. Copy the reference from the "
            "Reference column of the person's row."
        )
    removal.people = 1
    _find(sync, set(matched.values()), set(matched), removal)
    return removal


def purge_plan(sync: Sync, keep: timedelta, now: datetime) -> Removal:
    """People not appointed, or who withdrew, whose status has stood longer than `keep`."""
    removal = Removal()
    references, response_ids = set(), set()
    for rid, (reference, status, since) in _people(sync).items():
        if status in ENDED and since is not None and now - since >= keep:
            references.add(reference)
            response_ids.add(rid)
    removal.people = len(references)
    if references:
        _find(sync, references, response_ids, removal)
    return removal


def _people(sync: Sync) -> dict[str, tuple[str, str, datetime | None]]:
    """EOI (and support request) response id -> (reference, status, since when the status stood)."""
    from .sync.emails import tab_records

    found: dict[str, tuple[str, str, datetime | None]] = {}
    for run in sync.runs.values():
        for tab in (run.dest.tab(EOI), run.dest.tab(SUPPORT_REQUEST)):
            if tab is not None:
                found |= _people_of(sync, tab_records(run, tab))
    return found


def _people_of(sync: Sync, records) -> dict[str, tuple[str, str, datetime | None]]:
    found: dict[str, tuple[str, str, datetime | None]] = {}
    for rid, record in records.by_id.items():
        status = records.get(record, "lead", "status")
        was, since = noted(records.get(record, "tool", "status_seen"), sync.config.email.timezone)
        found[rid] = (records.get(record, "tool", "reference"), status, since if was == status else None)
    return found


def apply(sync: Sync, removal: Removal, why: str, now: datetime) -> None:
    """Tombstones first (a crash then leaves rows a rerun removes, never rows a rescan restores)."""
    admin = sync.runs[ADMIN]
    when = local_time(now, sync.config.email.timezone)
    stones = [
        Row(rid, "", {TOMBSTONE_ID: rid, TOMBSTONE_FORM: form, TOMBSTONE_WHEN: when, TOMBSTONE_WHY: why})
        for rid, form in removal.tombstones.items()
    ]
    if stones:
        sync.books.write_now(admin, TOMBSTONES, stones)
    by_sheet: dict[str, list[dict]] = {}
    for (target, title), numbers in removal.rows.items():
        sheet = sheet_id_for(title)
        for number in sorted(numbers, reverse=True):  # bottom up, so earlier numbers stay right
            by_sheet.setdefault(target, []).append(
                {
                    "deleteDimension": {
                        "range": {"sheetId": sheet, "dimension": "ROWS", "startIndex": number - 1, "endIndex": number}
                    }
                }
            )
    for target, requests in by_sheet.items():
        sync.sheets.batch_update(sync.runs[target].id, requests)


def prepare(sync: Sync) -> Sync:
    sync.books.open()
    for run in sync.runs.values():
        sync.books.read(run)
    return sync
