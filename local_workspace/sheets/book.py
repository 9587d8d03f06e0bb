"""One spreadsheet in memory: its metadata and, loaded on demand, each sheet's grid.

Stored as one JSON row of metadata plus one JSON blob per sheet (a list of rows, each a list
of cells, trailing empties trimmed), so writing thousands of rows is one statement.
"""

from __future__ import annotations

import json
import random

from ..errors import InvalidArgument

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sheets_spreadsheets (id TEXT PRIMARY KEY, meta TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sheets_grids (spreadsheet_id TEXT NOT NULL, sheet_id INTEGER NOT NULL, "
    "cells TEXT NOT NULL, PRIMARY KEY (spreadsheet_id, sheet_id))",
)
DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26
MAX_CELLS = 10_000_000


def new_sheet_properties(sheet_id: int, title: str, index: int) -> dict:
    return {
        "sheetId": sheet_id,
        "title": title,
        "index": index,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": DEFAULT_ROWS, "columnCount": DEFAULT_COLUMNS},
    }


class Book:
    def __init__(self, db, spreadsheet_id: str, meta: dict, title: str):
        self.db = db
        self.id = spreadsheet_id
        self.meta = meta
        self.title = title
        self._grids: dict[int, list[list]] = {}
        self._dirty: set[int] = set()
        self._dropped: set[int] = set()

    @classmethod
    def load(cls, db, spreadsheet_id: str, title: str) -> Book | None:
        row = db.execute("SELECT meta FROM sheets_spreadsheets WHERE id = ?", (spreadsheet_id,)).fetchone()
        return None if row is None else cls(db, spreadsheet_id, json.loads(row["meta"]), title)

    def save(self) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO sheets_spreadsheets (id, meta) VALUES (?, ?)", (self.id, json.dumps(self.meta))
        )
        for sheet_id in self._dropped:
            self.db.execute("DELETE FROM sheets_grids WHERE spreadsheet_id = ? AND sheet_id = ?", (self.id, sheet_id))
        for sheet_id in self._dirty - self._dropped:
            self.db.execute(
                "INSERT OR REPLACE INTO sheets_grids (spreadsheet_id, sheet_id, cells) VALUES (?, ?, ?)",
                (self.id, sheet_id, json.dumps(_trimmed(self._grids[sheet_id]))),
            )
        self._dirty.clear()
        self._dropped.clear()

    # sheets

    @property
    def sheets(self) -> list[dict]:
        """Internal sheet records, in index order: {"properties", "protectedRanges", ...}."""
        return self.meta["sheets"]

    def sheet(self, sheet_id) -> dict:
        for sheet in self.sheets:
            if sheet["properties"]["sheetId"] == sheet_id:
                return sheet
        raise InvalidArgument(f"No grid with id: {sheet_id}")

    def sheet_titled(self, title: str) -> dict | None:
        for sheet in self.sheets:
            if sheet["properties"]["title"].lower() == title.lower():
                return sheet
        return None

    def new_sheet_id(self) -> int:
        taken = {s["properties"]["sheetId"] for s in self.sheets}
        while True:
            candidate = random.randrange(1, 2**31)
            if candidate not in taken:
                return candidate

    def reindex(self) -> None:
        for index, sheet in enumerate(self.sheets):
            sheet["properties"]["index"] = index

    def drop_grid(self, sheet_id: int) -> None:
        self._grids.pop(sheet_id, None)
        self._dropped.add(sheet_id)

    def total_cells(self) -> int:
        return sum(
            s["properties"]["gridProperties"]["rowCount"] * s["properties"]["gridProperties"]["columnCount"]
            for s in self.sheets
        )

    # grids

    def grid(self, sheet_id: int) -> list[list]:
        if sheet_id not in self._grids:
            row = self.db.execute(
                "SELECT cells FROM sheets_grids WHERE spreadsheet_id = ? AND sheet_id = ?", (self.id, sheet_id)
            ).fetchone()
            self._grids[sheet_id] = json.loads(row["cells"]) if row else []
            self._dropped.discard(sheet_id)
        return self._grids[sheet_id]

    def changed(self, sheet_id: int) -> list[list]:
        """The grid, marked to be saved."""
        grid = self.grid(sheet_id)
        self._dirty.add(sheet_id)
        return grid


def _trimmed(grid: list[list]) -> list[list]:
    for row in grid:
        while row and row[-1] is None:
            row.pop()
    while grid and not grid[-1]:
        grid.pop()
    return grid


# grid operations: rows are lists that may be shorter than the sheet is wide


def read(grid: list[list], row0: int, row1: int, col0: int, col1: int) -> list[list]:
    """Stored values of the box, row by row, each row cut to the box (may be ragged/short)."""
    return [row[col0:col1] for row in grid[row0:row1]]


def write(grid: list[list], row0: int, col0: int, rows: list[list], missing) -> None:
    """Put `rows` at (row0, col0); cells equal to `missing` are left as they are."""
    if len(grid) < row0 + len(rows):
        grid.extend([] for _ in range(row0 + len(rows) - len(grid)))
    for offset, values in enumerate(rows):
        row = grid[row0 + offset]
        if len(row) < col0 + len(values):
            row.extend([None] * (col0 + len(values) - len(row)))
        for index, value in enumerate(values):
            if value is not missing:
                row[col0 + index] = value


def clear(grid: list[list], row0: int, row1: int, col0: int, col1: int) -> None:
    for row in grid[row0:row1]:
        for index in range(col0, min(col1, len(row))):
            row[index] = None


def insert_rows(grid: list[list], at: int, count: int) -> None:
    if at < len(grid):
        grid[at:at] = [[] for _ in range(count)]


def delete_rows(grid: list[list], start: int, end: int) -> None:
    del grid[start:end]


def insert_columns(grid: list[list], at: int, count: int) -> None:
    for row in grid:
        if at < len(row):
            row[at:at] = [None] * count


def delete_columns(grid: list[list], start: int, end: int) -> None:
    for row in grid:
        del row[start:end]


def truncate(grid: list[list], rows: int, columns: int) -> None:
    del grid[rows:]
    for row in grid:
        del row[columns:]
