"""GridRange and DimensionRange: bounds on a sheet, and how they move when rows or columns do."""

from __future__ import annotations

from ..errors import InvalidArgument

SIDES = {
    "ROWS": ("startRowIndex", "endRowIndex", "rowCount"),
    "COLUMNS": ("startColumnIndex", "endColumnIndex", "columnCount"),
}


def bounds(book, grid_range: dict) -> tuple[dict, int, int, int, int]:
    """(sheet, row0, row1, col0, col1) of a GridRange; open sides reach the grid's edge."""
    sheet = book.sheet(grid_range.get("sheetId", 0))
    grid = sheet["properties"]["gridProperties"]
    row0, row1 = _side(grid_range, "startRowIndex", "endRowIndex", grid["rowCount"], "row")
    col0, col1 = _side(grid_range, "startColumnIndex", "endColumnIndex", grid["columnCount"], "column")
    return sheet, row0, row1, col0, col1


def _side(grid_range: dict, start_key: str, end_key: str, count: int, name: str) -> tuple[int, int]:
    start = int(grid_range.get(start_key, 0))
    end = int(grid_range[end_key]) if grid_range.get(end_key) is not None else count
    if start < 0 or end < start:
        raise InvalidArgument(f"Invalid range: {start_key} {start}, {end_key} {end}.")
    if start > count or end > count:
        raise InvalidArgument(f"Range ({name}s {start}-{end}) exceeds grid limits. Max {name}s: {count}")
    return start, end


def dimension_bounds(book, dimension_range: dict) -> tuple[dict, str, int, int]:
    sheet = book.sheet(dimension_range.get("sheetId", 0))
    dimension = dimension_range.get("dimension")
    if dimension not in SIDES:
        raise InvalidArgument("range.dimension must be ROWS or COLUMNS.")
    count = sheet["properties"]["gridProperties"][SIDES[dimension][2]]
    start = int(dimension_range.get("startIndex", 0))
    end = int(dimension_range["endIndex"]) if dimension_range.get("endIndex") is not None else count
    if start < 0 or end <= start:
        raise InvalidArgument(f"Invalid dimension range: startIndex {start}, endIndex {end}.")
    if end > count:
        raise InvalidArgument(
            f"Invalid dimension range: endIndex {end} is past the last {dimension.lower()[:-1]} ({count})."
        )
    return sheet, dimension, start, end


def contains(grid_range: dict, sheet_id: int, row: int, col: int) -> bool:
    if grid_range.get("sheetId", 0) != sheet_id:
        return False
    return grid_range.get("startRowIndex", 0) <= row < (
        grid_range.get("endRowIndex") or float("inf")
    ) and grid_range.get("startColumnIndex", 0) <= col < (grid_range.get("endColumnIndex") or float("inf"))


def shifted(grid_range: dict, sheet_id: int, dimension: str, at: int, count: int) -> dict:
    """The range after `count` rows/columns were inserted at `at`."""
    if grid_range.get("sheetId", 0) != sheet_id:
        return grid_range
    start_key, end_key, _ = SIDES[dimension]
    moved = dict(grid_range)
    if moved.get(start_key, 0) >= at and start_key in moved:
        moved[start_key] += count
    if moved.get(end_key) is not None and moved[end_key] > at:
        moved[end_key] += count
    return moved


def cut(grid_range: dict, sheet_id: int, dimension: str, start: int, end: int) -> dict | None:
    """The range after rows/columns start..end were deleted; None when nothing is left of it."""
    if grid_range.get("sheetId", 0) != sheet_id:
        return grid_range
    start_key, end_key, _ = SIDES[dimension]
    moved = dict(grid_range)

    def place(index: int) -> int:
        return index if index <= start else max(start, index - (end - start))

    first = moved.get(start_key, 0)
    last = moved.get(end_key)
    new_first = place(first)
    new_last = None if last is None else place(last)
    if new_last is not None and new_last <= new_first:
        return None
    if start_key in moved:
        moved[start_key] = new_first
    if new_last is not None:
        moved[end_key] = new_last
    return moved
