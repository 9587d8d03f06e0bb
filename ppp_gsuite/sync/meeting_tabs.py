"""The meeting tabs of an opportunity's spreadsheet (pure): the Meetings the lead fills in, and the
Attendance the tool lays out (a row per meeting and partner) for the lead to mark from a dropdown.

Both are found like every tab the tool keeps: rows by their id column, columns by header, so a lead
may sort, filter and insert columns. A meeting row the lead adds gets its Meeting ID from the next
sync; copy a row to start another meeting and the copy gets an id of its own.
"""

from __future__ import annotations

from ..sheets.layout import SheetColumn, TabLayout
from ..vocabulary import ATTENDANCE_MARKS

MEETINGS_TAB = TabLayout(
    "meetings",
    "",
    "Meetings",
    (
        SheetColumn("lead", "when", "Date and time", 150, plain_text=True),  # 2027-03-09 10:00 (or 09/03/2027 10:00)
        SheetColumn("lead", "where", "Place or Teams link", 240),
        SheetColumn("lead", "papers_link", "Papers link", 220),
        SheetColumn("lead", "papers_due", "Papers due", 120, plain_text=True),
        SheetColumn("lead", "pre_meet", "Pre-meet offered", 110, ("Yes", "No")),
        SheetColumn("lead", "pre_meet_when", "Pre-meet when", 150, plain_text=True),
        SheetColumn("lead", "what_changed", "What changed because of partners", 320),
        SheetColumn("tool", "flags", "Needs checking", 220),
        SheetColumn("tool", "told_of", "Partners told of", 150),  # the date and time the first notices gave
        SheetColumn("tool", "response_id", "Meeting ID", 110),
    ),
)
ATTENDANCE_TAB = TabLayout(
    "attendance",
    "",
    "Attendance",
    (
        SheetColumn("tool", "meeting", "Meeting", 150),
        SheetColumn("tool", "partner_name", "Name", 180),
        SheetColumn("lead", "attendance", "Attendance", 140, ATTENDANCE_MARKS),
        SheetColumn("tool", "meeting_id", "Meeting ID", 110),
        SheetColumn("tool", "partner_reference", "Reference", 140),
        SheetColumn("tool", "response_id", "Row ID", 110),
    ),
)
MEETING_TABS = (MEETINGS_TAB, ATTENDANCE_TAB)

# On each partner's expression-of-interest row, filled by the meeting step (never by the row's answers).
PAPERS_ACCESS = SheetColumn("tool", "papers_access", "Papers and access", 260)
ATTENDANCE_RATE = SheetColumn("tool", "attendance", "Attendance", 220)


def with_meeting_tabs(config, tabs: tuple[TabLayout, ...]) -> tuple[TabLayout, ...]:
    """An opportunity's tabs, with the meeting tabs and the partner columns when the config has meetings:
    the two columns go on the expression-of-interest tab just before its "Needs checking"."""
    if config.meetings is None:
        return tabs
    eoi, rest = tabs[0], tabs[1:]
    columns = list(eoi.columns)
    at = next((i for i, column in enumerate(columns) if column.key == "flags"), len(columns))
    columns[at:at] = [PAPERS_ACCESS, ATTENDANCE_RATE]
    return (TabLayout(eoi.name, eoi.form, eoi.tab, tuple(columns)), *rest, *MEETING_TABS)
