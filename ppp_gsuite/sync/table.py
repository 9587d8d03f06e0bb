"""Where a tab's rows go: rows found by response id, columns by header, never by position.

A lead may sort, filter, insert or move columns; the tool reads the tab, finds each row by the
Response ID column and each column by its header, and writes only the cells that differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..sheets.a1 import cell_range, column_index, runs
from ..sheets.layout import TabLayout
from ..sheets.unread import UNREAD
from .rows import Row


@dataclass
class TabWrites:
    title: str
    ranges: list[tuple[str, list[list[str]]]] = field(default_factory=list)
    rows_needed: int = 0
    columns_needed: int = 0
    added: int = 0
    updated: int = 0
    restored_headers: list[str] = field(default_factory=list)


def existing_rows(layout: TabLayout, values: list[list[str]]) -> dict[str, int]:
    """response id -> sheet row number (1-based), from the tab as read."""
    headers = values[0] if values else []
    key = layout.column("tool", "response_id")  # a tab the tool rewrites whole (counts) has none
    if key is None or key.header not in headers:
        return {}
    column = headers.index(key.header)
    return {row[column]: number for number, row in enumerate(values[1:], start=2) if len(row) > column and row[column]}


def merge_rows(rows: list[Row]) -> list[Row]:
    """Several rows for one response (its answers, a status note, its last email) become one."""
    merged: dict[str, Row] = {}
    for row in rows:
        if row.response_id in merged:
            first = merged[row.response_id]
            merged[row.response_id] = Row(
                first.response_id,
                first.last_edited or row.last_edited,
                {**first.cells, **row.cells},
                {**row.new_row_defaults, **first.new_row_defaults},
                first.flags + row.flags,
            )
        else:
            merged[row.response_id] = row
    return list(merged.values())


def plan_tab(layout: TabLayout, title: str, values: list[list[str]], rows: list[Row]) -> TabWrites:
    rows = merge_rows(rows)
    writes = TabWrites(title)
    headers = list(values[0]) if values else []
    index = {header: i for i, header in enumerate(headers) if header and header not in headers[:i]}
    for header in layout.header_row():
        if header not in index:
            # A header a lead renamed or deleted: put it back at the end rather than guess.
            index[header] = len(headers)
            headers.append(header)
            writes.restored_headers.append(header)
            writes.ranges.append((cell_range(title, 1, index[header], index[header]), [[header]]))
    found = existing_rows(layout, values)
    note_columns = {
        index[c.header] for c in layout.columns if c.kind == "tool" and c.key in ("status_seen", "last_email")
    }
    next_row = max([i + 1 for i, row in enumerate(values) if any(row)] + [1]) + 1
    new_block: list[list[str]] = []
    block_start = next_row
    for row in rows:
        number = found.get(row.response_id)
        if number is None:
            line = [""] * len(headers)
            for header, value in {**row.new_row_defaults, **row.cells}.items():
                line[index[header]] = value
            new_block.append(line)
            found[row.response_id] = next_row
            next_row += 1
            writes.added += 1
            continue
        current = values[number - 1] if number - 1 < len(values) else []
        changed = {
            index[header]: value
            for header, value in row.cells.items()
            if (now := current[index[header]] if index[header] < len(current) else "") != value and now is not UNREAD
        }  # a cell the sync did not read back (sheets.unread) is as it was written: never compared, never written
        for first, last in runs(changed):
            writes.ranges.append(
                (cell_range(title, number, first, last), [[changed[c] for c in range(first, last + 1)]])
            )
        writes.updated += any(column not in note_columns for column in changed)  # a response changed, not a note
    if new_block:
        writes.ranges.append((cell_range(title, block_start, 0, len(headers) - 1, next_row - 1), new_block))
    writes.rows_needed = next_row - 1
    writes.columns_needed = len(headers)
    return writes


def apply_writes(values: list[list[str]], ranges: list[tuple[str, list[list[str]]]]) -> set[int]:
    """Update a tab's values as read with what was just written (our own A1 ranges), so later
    writes in the same run find the rows without reading the tab again. Returns the lines changed
    (0-based)."""
    changed = set()
    for a1, block in ranges:
        start = a1.rsplit("!", 1)[1].split(":")[0]
        letters = "".join(ch for ch in start if ch.isalpha())
        row = int(start[len(letters) :])
        column = column_index(letters)
        for offset, line in enumerate(block):
            index = row - 1 + offset
            while len(values) <= index:
                values.append([])
            target = values[index]
            if len(target) < column + len(line):
                target.extend([""] * (column + len(line) - len(target)))
            target[column : column + len(line)] = line
            changed.add(index)
    return changed
