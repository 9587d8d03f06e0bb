"""Changes to the engagement team's list (the peer support network contacts), and the notices telling
the team of them (pure).

Each change is numbered, in order, and recorded (a row per person, in the admin spreadsheet) before
the team's sheet is rewritten; its notice is keyed by that number, so a later change with the same
names is told again, and a notice stays due until it is sent (a Gmail refusal is retried by a later
run, though the change is no longer seen in the sheet).
"""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime

from ..config import Config
from ..vocabulary import (
    ADDED,
    CHANGE_NAME,
    CHANGE_NUMBER,
    CHANGE_RECORD,
    CHANGE_ROW_KEY,
    CHANGE_TIME,
    CHANGE_WHAT,
    DEFAULT_TIME_ZONE,
    REMOVED,
    local_time,
    parse_local,
)
from .emails import ACKNOWLEDGE_WITHIN, DueEmail, approver_tag, common_context, email_key
from .rows import Row

TOLD_WITHIN = ACKNOWLEDGE_WITHIN  # a notice still worth sending (and a bound for a team member added later)
NOTICE = "engagement-change-"  # the email-log key of change N starts with NOTICE + N


def _notice_key(number: int) -> str:
    return f"{NOTICE}{number}"


def numbers_told(log_keys) -> set[int]:
    """The changes the email log has notices of: a number is never used again, even after `erase`
    removed the change's rows (its notice would be taken as sent)."""
    found = set()
    for key in log_keys:
        number = key.split("|")[0][len(NOTICE) :] if key.startswith(NOTICE) else ""
        if number.isdigit():
            found.add(int(number))
    return found


def _changes(recorded: list[dict[str, str]]) -> dict[int, list[dict[str, str]]]:
    found: dict[int, list[dict[str, str]]] = {}
    for record in recorded:
        number = record.get(CHANGE_NUMBER, "")
        if number.isdigit():
            found.setdefault(int(number), []).append(record)
    return found


def change_rows(
    recorded: list[dict[str, str]],
    added: dict[str, str],
    removed: dict[str, str],
    now: datetime,
    told: Set[int] = frozenset(),
    zone: str = DEFAULT_TIME_ZONE,
) -> list[Row]:
    """The rows recording this run's change (row key -> name, added and removed), numbered after the last.

    None when there is no change, or when it is the last one recorded again: a run that recorded it
    stopped before the sheet was rewritten (the same change cannot follow itself once the sheet shows it).
    `told`: the numbers the email log has notices of (numbers_told)."""
    if not added and not removed:
        return []
    changes = _changes(recorded)
    wanted = {(key, ADDED) for key in added} | {(key, REMOVED) for key in removed}
    if changes:
        last = max(changes)
        if {(r.get(CHANGE_ROW_KEY, ""), r.get(CHANGE_WHAT, "")) for r in changes[last]} == wanted:
            return []
    number = str(max(set(changes) | set(told), default=0) + 1)
    rows = []
    for what, people in ((ADDED, added), (REMOVED, removed)):
        for key, name in sorted(people.items(), key=lambda item: item[1]):
            record = f"{number}|{key}"
            rows.append(
                Row(
                    record,
                    "",
                    {
                        CHANGE_RECORD: record,
                        CHANGE_ROW_KEY: key,
                        CHANGE_NUMBER: number,
                        CHANGE_NAME: name,
                        CHANGE_WHAT: what,
                        CHANGE_TIME: local_time(now, zone),
                    },
                )
            )
    return rows


def notices(config: Config, recorded: list[dict[str, str]], sheet_link: str, now: datetime, wanted) -> list[DueEmail]:
    """A notice per recorded change not yet sent (and recent), to each team member, in the changes' order."""
    due = []
    for number, records in sorted(_changes(recorded).items()):
        try:
            recent = now - parse_local(records[0].get(CHANGE_TIME, ""), config.email.timezone) <= TOLD_WITHIN
        except ValueError:
            recent = False
        if not recent:
            continue
        context = common_context(config, None, "sharing_changes")
        names = {
            what: sorted(r.get(CHANGE_NAME, "") for r in records if r.get(CHANGE_WHAT) == what)
            for what in (ADDED, REMOVED)
        }
        context["changes"] = {"added": names[ADDED], "removed": names[REMOVED]}
        context["links"]["sheet"] = sheet_link
        for position, member in enumerate(config.engagement_team):
            # Keyed by the member's address (approver_tag), so a reordered or grown team tells nobody twice.
            key = email_key(_notice_key(number), "sharing_changes", approver_tag(member.email))
            # Versions before it keyed a notice by the member's place in the list: one logged so is sent.
            earlier = email_key(_notice_key(number), "sharing_changes", str(position))
            if wanted(key) and wanted(earlier):
                due.append(
                    DueEmail(key, "sharing_changes", member.name, member.email, "an engagement team address", context)
                )
    return due
