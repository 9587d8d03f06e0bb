"""The spreadsheets.batchUpdate request kinds the local workspace applies, one function each.

Each takes (state, book, request body) and returns its reply, or None for Google's empty `{}`.
"""

from __future__ import annotations

import copy
import random

from .. import fields as field_masks
from ..errors import InvalidArgument
from . import book as books
from . import cells, gridrange
from . import developer_metadata as metadata

ANCHORED = ("protectedRanges", "validations", "formats", "dimensionProperties")


# sheets


def add_sheet(state, book, body) -> dict:
    wanted = copy.deepcopy(body.get("properties") or {})
    sheet_id = wanted.get("sheetId")
    if sheet_id is None:
        sheet_id = book.new_sheet_id()
    elif any(s["properties"]["sheetId"] == sheet_id for s in book.sheets):
        raise InvalidArgument(f"A sheet with id {sheet_id} already exists.")
    title = wanted.get("title") or _next_sheet_title(book)
    _check_title(book, title)
    index = wanted.get("index", len(book.sheets))
    properties = books.new_sheet_properties(sheet_id, title, index)
    for key in ("hidden", "tabColor", "tabColorStyle", "rightToLeft"):
        if key in wanted:
            properties[key] = wanted[key]
    if wanted.get("sheetType", "GRID") != "GRID":
        raise InvalidArgument("The local workspace only makes GRID sheets.")
    properties["gridProperties"].update(wanted.get("gridProperties") or {})
    _check_grid(properties["gridProperties"])
    book.sheets.insert(min(max(index, 0), len(book.sheets)), {"properties": properties})
    book.reindex()
    return {"addSheet": {"properties": copy.deepcopy(properties)}}


def delete_sheet(state, book, body) -> None:
    sheet = book.sheet(body.get("sheetId", 0))
    if len(book.sheets) == 1:
        raise InvalidArgument("You can't remove all the sheets in a document.")
    book.sheets.remove(sheet)
    book.drop_grid(sheet["properties"]["sheetId"])
    book.meta["developerMetadata"] = [
        m for m in book.meta.get("developerMetadata", []) if metadata.sheet_of(m) != sheet["properties"]["sheetId"]
    ]
    book.reindex()


def update_sheet_properties(state, book, body) -> None:
    wanted = body.get("properties") or {}
    sheet = book.sheet(wanted.get("sheetId", 0))
    before = copy.deepcopy(sheet["properties"])
    properties = copy.deepcopy(before)
    _apply_mask(properties, wanted, _mask(body.get("fields")))
    properties["sheetId"] = before["sheetId"]
    grid = properties.setdefault("gridProperties", {})
    grid.setdefault("rowCount", before["gridProperties"]["rowCount"])
    grid.setdefault("columnCount", before["gridProperties"]["columnCount"])
    _check_grid(grid)
    if properties["title"] != before["title"]:
        _check_title(book, properties["title"], ignore=sheet)
    sheet["properties"] = properties
    if (
        grid["rowCount"] < before["gridProperties"]["rowCount"]
        or grid["columnCount"] < before["gridProperties"]["columnCount"]
    ):
        books.truncate(book.changed(before["sheetId"]), grid["rowCount"], grid["columnCount"])
    if properties.get("index", before["index"]) != before["index"]:
        book.sheets.remove(sheet)
        book.sheets.insert(min(max(properties["index"], 0), len(book.sheets)), sheet)
    book.reindex()


def update_spreadsheet_properties(state, book, body) -> None:
    properties = {"title": book.title, **copy.deepcopy(book.meta["properties"])}
    _apply_mask(properties, body.get("properties") or {}, _mask(body.get("fields")))
    title = properties.pop("title", None) or book.title
    if title != book.title:
        state.rename(book, title)
    book.meta["properties"] = properties


# dimensions


def append_dimension(state, book, body) -> None:
    sheet = book.sheet(body.get("sheetId", 0))
    dimension, length = body.get("dimension"), int(body.get("length", 0))
    if dimension not in gridrange.SIDES:
        raise InvalidArgument("dimension must be ROWS or COLUMNS.")
    if length < 1:
        raise InvalidArgument("length must be at least 1.")
    sheet["properties"]["gridProperties"][gridrange.SIDES[dimension][2]] += length


def insert_dimension(state, book, body) -> None:
    dimension_range = body.get("range") or {}
    sheet = book.sheet(dimension_range.get("sheetId", 0))
    dimension = dimension_range.get("dimension")
    if dimension not in gridrange.SIDES:
        raise InvalidArgument("range.dimension must be ROWS or COLUMNS.")
    count_key = gridrange.SIDES[dimension][2]
    total = sheet["properties"]["gridProperties"][count_key]
    start, end = int(dimension_range.get("startIndex", 0)), int(dimension_range.get("endIndex", 0))
    if start < 0 or end <= start or start > total:
        raise InvalidArgument(f"Invalid dimension range: startIndex {start}, endIndex {end}.")
    if body.get("inheritFromBefore") and start == 0:
        raise InvalidArgument(
            f"Cannot inherit properties from before when inserting at the first {dimension.lower()[:-1]}."
        )
    sheet_id = sheet["properties"]["sheetId"]
    grid = book.changed(sheet_id)
    (books.insert_rows if dimension == "ROWS" else books.insert_columns)(grid, start, end - start)
    sheet["properties"]["gridProperties"][count_key] += end - start
    _move_anchored(book, sheet, lambda r: gridrange.shifted(r, sheet_id, dimension, start, end - start))


def delete_dimension(state, book, body) -> None:
    sheet, dimension, start, end = gridrange.dimension_bounds(book, body.get("range") or {})
    count_key = gridrange.SIDES[dimension][2]
    if end - start >= sheet["properties"]["gridProperties"][count_key]:
        raise InvalidArgument(f"You can't delete all the {dimension.lower()} on the sheet.")
    sheet_id = sheet["properties"]["sheetId"]
    grid = book.changed(sheet_id)
    (books.delete_rows if dimension == "ROWS" else books.delete_columns)(grid, start, end)
    sheet["properties"]["gridProperties"][count_key] -= end - start
    frozen_key = "frozenRowCount" if dimension == "ROWS" else "frozenColumnCount"
    grid_properties = sheet["properties"]["gridProperties"]
    if grid_properties.get(frozen_key, 0) >= grid_properties[count_key]:
        grid_properties[frozen_key] = grid_properties[count_key] - 1
        if not grid_properties[frozen_key]:
            grid_properties.pop(frozen_key)
    _move_anchored(book, sheet, lambda r: gridrange.cut(r, sheet_id, dimension, start, end))


def update_dimension_properties(state, book, body) -> None:
    sheet, dimension, start, end = gridrange.dimension_bounds(book, body.get("range") or {})
    if not body.get("fields"):
        raise InvalidArgument("At least one field must be specified in 'fields'.")
    side0, side1, _ = gridrange.SIDES[dimension]
    anchor = {"sheetId": sheet["properties"]["sheetId"], side0: start, side1: end}
    _remember(
        sheet,
        "dimensionProperties",
        {"range": anchor, "dimension": dimension, "properties": body.get("properties") or {}, "fields": body["fields"]},
    )


def auto_resize_dimensions(state, book, body) -> None:
    dimensions = body.get("dimensions")
    if dimensions:
        gridrange.dimension_bounds(book, dimensions)


# cells


def repeat_cell(state, book, body) -> None:
    sheet, row0, row1, col0, col1 = gridrange.bounds(book, body.get("range") or {})
    mask = _mask(body.get("fields"))
    cell = body.get("cell") or {}
    anchor = _anchor(sheet, body.get("range") or {})
    if "userEnteredValue" in mask or "*" in mask:
        value = _extended_value(cell.get("userEnteredValue"))
        grid = book.changed(sheet["properties"]["sheetId"])
        books.write(grid, row0, col0, [[value] * (col1 - col0)] * (row1 - row0), cells.Missing)
    if "dataValidation" in mask or "*" in mask:
        _set_validation(sheet, anchor, cell.get("dataValidation"))
    formats = {k: v for k, v in mask.items() if k not in ("userEnteredValue", "dataValidation")}
    if formats:
        _remember(sheet, "formats", {"range": anchor, "cell": cell, "fields": body["fields"]})


def set_data_validation(state, book, body) -> None:
    sheet, *_ = gridrange.bounds(book, body.get("range") or {})
    rule = body.get("rule")
    if rule:
        condition = rule.get("condition") or {}
        kind = condition.get("type")
        values = condition.get("values") or []
        if kind == "ONE_OF_LIST" and not values:
            raise InvalidArgument("ONE_OF_LIST must have at least one value.")
        if kind == "BOOLEAN" and len(values) > 2:
            raise InvalidArgument("BOOLEAN takes at most two values.")
        if kind is None:
            raise InvalidArgument("A data validation rule needs a condition type.")
    _set_validation(sheet, _anchor(sheet, body.get("range") or {}), rule)


def _set_validation(sheet, anchor: dict, rule: dict | None) -> None:
    _remember(sheet, "validations", {"range": anchor, "rule": rule}, key=("range",))


def validation_at(sheet: dict, row: int, col: int) -> dict | None:
    """The data validation rule of one cell (the last one set over it wins)."""
    for entry in reversed(sheet.get("validations", [])):
        if gridrange.contains(entry["range"], sheet["properties"]["sheetId"], row, col):
            return entry["rule"]
    return None


def add_conditional_format_rule(state, book, body) -> None:
    rule = copy.deepcopy(body.get("rule") or {})
    if not rule.get("ranges"):
        raise InvalidArgument("A conditional format rule needs at least one range.")
    if ("booleanRule" in rule) == ("gradientRule" in rule):
        raise InvalidArgument("A conditional format rule needs exactly one of booleanRule or gradientRule.")
    sheet_ids = {r.get("sheetId", 0) for r in rule["ranges"]}
    if len(sheet_ids) != 1:
        raise InvalidArgument("All ranges of a conditional format rule must be on the same sheet.")
    for grid_range in rule["ranges"]:
        gridrange.bounds(book, grid_range)
    sheet = book.sheet(sheet_ids.pop())
    rules = sheet.setdefault("conditionalFormats", [])
    index = body.get("index", 0)
    if not 0 <= index <= len(rules):
        raise InvalidArgument(f"Invalid index {index}: there are {len(rules)} conditional format rules.")
    rules.insert(index, rule)


def delete_conditional_format_rule(state, book, body) -> dict:
    sheet = book.sheet(body.get("sheetId", 0))
    rules = sheet.get("conditionalFormats", [])
    index = body.get("index", 0)
    if not 0 <= index < len(rules):
        raise InvalidArgument(f"No conditional format on sheet {sheet['properties']['sheetId']} at index {index}")
    rule = rules.pop(index)
    if not rules:
        sheet.pop("conditionalFormats")
    return {"deleteConditionalFormatRule": {"rule": rule}}


# protection and filters


def add_protected_range(state, book, body) -> dict:
    protected = copy.deepcopy(body.get("protectedRange") or {})
    if protected.get("namedRangeId"):
        raise InvalidArgument("The local workspace does not support named ranges.")
    if "range" not in protected:
        raise InvalidArgument("A protected range needs a range.")
    sheet, *_ = gridrange.bounds(book, protected["range"])
    taken = {p["protectedRangeId"] for s in book.sheets for p in s.get("protectedRanges", [])}
    if protected.get("protectedRangeId") in taken:
        raise InvalidArgument(f"A protected range with id {protected['protectedRangeId']} already exists.")
    if protected.get("warningOnly") and protected.get("editors"):
        raise InvalidArgument("A warning-only protected range cannot have editors.")
    protected.setdefault("protectedRangeId", _new_id(taken))
    protected["requestingUserCanEdit"] = True
    if not protected.get("warningOnly"):
        protected["editors"] = protected.get("editors") or {"users": [state.owner_email()]}
    protected["range"].setdefault("sheetId", sheet["properties"]["sheetId"])
    sheet.setdefault("protectedRanges", []).append(protected)
    return {"addProtectedRange": {"protectedRange": copy.deepcopy(protected)}}


def delete_protected_range(state, book, body) -> None:
    wanted = body.get("protectedRangeId")
    for sheet in book.sheets:
        for protected in sheet.get("protectedRanges", []):
            if protected["protectedRangeId"] == wanted:
                sheet["protectedRanges"].remove(protected)
                if not sheet["protectedRanges"]:
                    sheet.pop("protectedRanges")
                return
    raise InvalidArgument(f"No protected range with id: {wanted}")


def protected_at(sheet: dict, row: int, col: int) -> dict | None:
    for protected in sheet.get("protectedRanges", []):
        if gridrange.contains(protected["range"], sheet["properties"]["sheetId"], row, col):
            if not any(
                gridrange.contains(u, sheet["properties"]["sheetId"], row, col)
                for u in protected.get("unprotectedRanges", [])
            ):
                return protected
    return None


def sort_range(state, book, body) -> None:
    """sortRange: the range's rows reordered by its sort specs, as shown (numbers by value); blanks last."""
    sheet, row0, row1, col0, col1 = gridrange.bounds(book, body.get("range") or {})
    grid = book.changed(sheet["properties"]["sheetId"])
    width = col1 - col0
    rows = [row + [None] * (width - len(row)) for row in books.read(grid, row0, row1, col0, col1)]
    rows += [[None] * width for _ in range(row1 - row0 - len(rows))]
    for spec in reversed(body.get("sortSpecs") or []):
        index = int(spec.get("dimensionIndex", 0)) - col0
        if not 0 <= index < width:
            raise InvalidArgument(f"Invalid sortSpecs: dimensionIndex {index + col0} is outside the range.")
        filled = [row for row in rows if row[index] is not None]
        blank = [row for row in rows if row[index] is None]
        filled.sort(key=lambda row: _sort_key(row[index]), reverse=spec.get("sortOrder") == "DESCENDING")
        rows = filled + blank
    books.clear(grid, row0, row1, col0, col1)
    books.write(grid, row0, col0, rows, missing=None)


def _sort_key(value):
    return (
        (0, value, "")
        if isinstance(value, (int, float)) and not isinstance(value, bool)
        else (1, 0, cells.formatted(value).lower())
    )


def set_basic_filter(state, book, body) -> None:
    basic_filter = copy.deepcopy(body.get("filter") or {})
    sheet, *_ = gridrange.bounds(book, basic_filter.get("range") or {})
    basic_filter.setdefault("range", {"sheetId": sheet["properties"]["sheetId"]})
    sheet["basicFilter"] = basic_filter


def clear_basic_filter(state, book, body) -> None:
    book.sheet(body.get("sheetId", 0)).pop("basicFilter", None)


HANDLERS = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "appendDimension": append_dimension,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
    "updateDimensionProperties": update_dimension_properties,
    "autoResizeDimensions": auto_resize_dimensions,
    "repeatCell": repeat_cell,
    "setDataValidation": set_data_validation,
    "addConditionalFormatRule": add_conditional_format_rule,
    "deleteConditionalFormatRule": delete_conditional_format_rule,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "sortRange": sort_range,
    "setBasicFilter": set_basic_filter,
    "clearBasicFilter": clear_basic_filter,
    "createDeveloperMetadata": metadata.create,
    "updateDeveloperMetadata": metadata.update,
    "deleteDeveloperMetadata": metadata.delete,
}


# helpers


def _mask(fields: str | None) -> dict:
    if not fields:
        raise InvalidArgument("At least one field must be specified in 'fields'.")
    return field_masks.parse(fields.replace(".", "/"))


def _apply_mask(target: dict, source: dict, mask: dict) -> None:
    if "*" in mask:
        target.clear()
        target.update(copy.deepcopy(source))
        return
    for key, sub in mask.items():
        if sub is None or not isinstance(source.get(key, {}), dict):
            if key in source:
                target[key] = copy.deepcopy(source[key])
            else:
                target.pop(key, None)
        else:
            inner = target.setdefault(key, {})
            _apply_mask(inner, source.get(key) or {}, sub)
    grid = target.get("gridProperties")
    if isinstance(grid, dict):
        for key in ("frozenRowCount", "frozenColumnCount"):
            if not grid.get(key):
                grid.pop(key, None)
        for key in ("hideGridlines", "rowGroupControlAfter", "columnGroupControlAfter"):
            if grid.get(key) is False:
                grid.pop(key)
    for key in ("hidden", "rightToLeft"):
        if target.get(key) is False:
            target.pop(key)


def _check_grid(grid: dict) -> None:
    rows, columns = grid.get("rowCount", 0), grid.get("columnCount", 0)
    if rows < 1:
        raise InvalidArgument("You can't delete all the rows on the sheet.")
    if columns < 1:
        raise InvalidArgument("You can't delete all the columns on the sheet.")
    if grid.get("frozenRowCount", 0) >= rows:
        raise InvalidArgument("You can't freeze all visible rows on the sheet.")
    if grid.get("frozenColumnCount", 0) >= columns:
        raise InvalidArgument("You can't freeze all visible columns on the sheet.")


def check_cell_limit(book) -> None:
    if book.total_cells() > books.MAX_CELLS:
        raise InvalidArgument(
            "This action would increase the number of cells in the workbook above "
            f"the limit of {books.MAX_CELLS} cells."
        )


def _check_title(book, title: str, ignore=None) -> None:
    if not title.strip():
        raise InvalidArgument("A sheet's title can't be empty.")
    clash = book.sheet_titled(title)
    if clash is not None and clash is not ignore:
        raise InvalidArgument(f'A sheet with the name "{title}" already exists. Please enter another name.')


def _next_sheet_title(book) -> str:
    number = len(book.sheets) + 1
    while book.sheet_titled(f"Sheet{number}"):
        number += 1
    return f"Sheet{number}"


def _new_id(taken) -> int:
    while True:
        candidate = random.randrange(1, 2**31)
        if candidate not in taken:
            return candidate


def _anchor(sheet: dict, grid_range: dict) -> dict:
    return {**grid_range, "sheetId": sheet["properties"]["sheetId"]}


def _remember(sheet: dict, kind: str, entry: dict, key=("range", "fields")) -> None:
    """Add an entry, replacing one set before over the same range (so repeated syncs do not pile up)."""
    entries = sheet.setdefault(kind, [])
    entries[:] = [e for e in entries if any(e.get(k) != entry.get(k) for k in key)]
    entries.append(entry)


def _move_anchored(book, sheet: dict, move) -> None:
    for kind in ANCHORED:
        kept = []
        for entry in sheet.get(kind, []):
            moved = move(entry["range"])
            if moved is not None:
                kept.append({**entry, "range": moved})
        if kind in sheet:
            sheet[kind] = kept
    if not sheet.get("protectedRanges"):
        sheet.pop("protectedRanges", None)
    rules = []
    for rule in sheet.get("conditionalFormats", []):
        ranges = [r for r in (move(r) for r in rule["ranges"]) if r is not None]
        if ranges:
            rules.append({**rule, "ranges": ranges})
    if "conditionalFormats" in sheet:
        sheet["conditionalFormats"] = rules
        if not rules:
            sheet.pop("conditionalFormats")
    if "basicFilter" in sheet:
        moved = move(sheet["basicFilter"]["range"])
        if moved is None:
            sheet.pop("basicFilter")
        else:
            sheet["basicFilter"]["range"] = moved


def _extended_value(value: dict | None):
    if not value:
        return None
    if "stringValue" in value:
        return cells.from_input(value["stringValue"], "RAW")
    if "numberValue" in value:
        return value["numberValue"]
    if "boolValue" in value:
        return value["boolValue"]
    if "formulaValue" in value:
        return {"f": value["formulaValue"]}
    raise InvalidArgument("The local workspace cannot store that kind of value.")
