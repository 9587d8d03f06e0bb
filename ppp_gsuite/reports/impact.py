"""`ppp-gsuite report impact --from --to`: per opportunity, the meetings held in a period, how often the
partners were there, and the lead's lines of what changed because of them ("you said, we did"), for an
annual report. Counts and the lead's own lines only: no name, reference or answer of any partner."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..errors import PppError
from ..google.drive_api import DriveApi
from ..google.sheets_api import SheetsApi
from ..sync.meeting_tabs import ATTENDANCE_TAB, MEETINGS_TAB
from ..sync.meetings import parse_when
from ..vocabulary import APOLOGIES, ATTENDANCE_MARKS, ATTENDED, DAY, opportunity_target


@dataclass
class Impact:
    group: str
    meetings: int = 0
    marked: int = 0  # partner places marked in Attendance, at those meetings
    attended: int = 0
    apologies: int = 0
    changes: list[tuple[str, str]] = field(default_factory=list)  # (day, the lead's line)


def impact(loaded, drive: DriveApi, sheets: SheetsApi, start: date, end: date) -> list[Impact]:
    config = loaded.workspace.config
    if config.meetings is None:
        raise PppError("meetings are off: add a meetings: section to the config (see the README, 'Meetings')")
    zone = config.email.timezone
    found = {f.get("appProperties", {}).get("target"): f for f in drive.find("spreadsheet")}
    report = []
    for opportunity in config.opportunities:
        file = found.get(opportunity_target(opportunity.key))
        entry = Impact(opportunity.group)
        report.append(entry)
        if file is None:
            continue
        tabs = sheets.read_tabs(file["id"], [MEETINGS_TAB.tab, ATTENDANCE_TAB.tab])  # one read per spreadsheet
        held = set()
        for record in _records(tabs[MEETINGS_TAB.tab][1]):
            when = parse_when(record.get(MEETINGS_TAB.header("lead", "when"), ""), zone)
            if when is None or not start <= when.date() <= end:
                continue
            entry.meetings += 1
            held.add(record.get(MEETINGS_TAB.header("tool", "response_id"), ""))
            line = " ".join(record.get(MEETINGS_TAB.header("lead", "what_changed"), "").split())
            if line:
                entry.changes.append((when.strftime(DAY), line))
        for record in _records(tabs[ATTENDANCE_TAB.tab][1]):
            mark = record.get(ATTENDANCE_TAB.header("lead", "attendance"), "").strip()
            if record.get(ATTENDANCE_TAB.header("tool", "meeting_id"), "") in held and mark in ATTENDANCE_MARKS:
                entry.marked += 1
                entry.attended += mark == ATTENDED
                entry.apologies += mark == APOLOGIES
        entry.changes.sort()
    return report


def format_impact(report: list[Impact], start: date, end: date) -> str:
    lines = [f"Meetings and what changed because of partners, {start.isoformat()} to {end.isoformat()}"]
    for entry in report:
        lines += ["", entry.group, f"  meetings held: {entry.meetings}"]
        if entry.marked:
            lines.append(
                f"  partners attending: {entry.attended} of {entry.marked} places marked "
                f"({round(100 * entry.attended / entry.marked)}%), apologies {entry.apologies}"
            )
        lines.append(f"  what changed because of partners: {len(entry.changes)}")
        lines += [f"  - {day}: {line}" for day, line in entry.changes]
    return "\n".join(lines)


def _records(values: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(values[0], line)) for line in values[1:] if any(line)] if values else []
