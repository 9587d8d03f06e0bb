"""Sheets v4: spreadsheets, batchUpdate and the values API; models and rules, no HTTP.

A spreadsheet is also a Drive file (same id, its name is the title). One made through Drive's
files.create gets its grid the first time the Sheets API opens it.
"""

from __future__ import annotations

import copy
from typing import Any

from ..drive.state import SPREADSHEET_MIME, DriveState
from ..errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ..store import Store
from . import a1, cells, defaults, developer_metadata, updates
from . import book as books
from .book import Book

INPUT_OPTIONS = ("RAW", "USER_ENTERED")
INSERT_OPTIONS = ("OVERWRITE", "INSERT_ROWS")


def _box_text(sheet: dict, row0: int, row1: int, col0: int, col1: int) -> str:
    return a1.format_box(sheet["properties"]["title"], row0, row1, col0, col1)


class SheetsState:
    def __init__(self, store: Store, drive: DriveState):
        self.store = store
        self.drive = drive
        with store.transaction() as db:
            for statement in books.SCHEMA:
                db.execute(statement)

    def owner_email(self) -> str:
        return self.drive.owner_email

    def rename(self, book: Book, title: str) -> None:
        self.drive.update_file(book.id, {"name": title})
        book.title = title

    def _open(self, db, spreadsheet_id: str) -> Book:
        try:
            file = self.drive.get_file(spreadsheet_id)
        except NotFound:
            raise NotFound("Requested entity was not found.") from None
        if file["mimeType"] != SPREADSHEET_MIME:
            raise FailedPrecondition("This operation is not supported for this document")
        book = Book.load(db, spreadsheet_id, file["name"])
        if book is None:
            book = Book(db, spreadsheet_id, _new_meta(), file["name"])
            book.save()
        return book

    # spreadsheets

    def create(self, body: dict) -> dict:
        unsupported = sorted(set(body) - {"properties", "sheets", "spreadsheetId", "spreadsheetUrl"})
        if unsupported:
            raise InvalidArgument(f"The local workspace cannot create a spreadsheet with {', '.join(unsupported)}.")
        properties = copy.deepcopy(body.get("properties") or {})
        title = properties.pop("title", None) or "Untitled spreadsheet"
        with self.store.transaction() as db:
            file = self.drive.create_file({"name": title, "mimeType": SPREADSHEET_MIME}, trusted=True)
            book = Book(db, file["id"], _new_meta(), title)
            book.meta["properties"].update(properties)
            given = body.get("sheets") or []
            if given:
                book.meta["sheets"] = []
            for number, sheet in enumerate(given):
                extra = sorted(set(sheet) - {"properties"})
                if extra:
                    raise InvalidArgument(f"sheets[{number}]: the local workspace cannot create {', '.join(extra)}.")
                wanted = copy.deepcopy(sheet.get("properties") or {})
                if number == 0:
                    wanted.setdefault("sheetId", 0)
                updates.add_sheet(self, book, {"properties": wanted})
            updates.check_cell_limit(book)
            book.save()
            return self._render(book)

    def get(self, spreadsheet_id: str, ranges: list[str] | None = None, grid_data: bool = False) -> dict:
        with self.store.transaction() as db:
            book = self._open(db, spreadsheet_id)
            boxes: dict[int, list[Any]] | None = None
            if ranges:
                boxes = {}
                for text in ranges:
                    sheet, box = self._read_box(book, text)
                    boxes.setdefault(sheet["properties"]["sheetId"], []).append(box)
            return self._render(book, boxes, grid_data)

    def batch_update(self, spreadsheet_id: str, body: dict) -> dict:
        with self.store.transaction() as db:
            book = self._open(db, spreadsheet_id)
            replies = []
            for number, request in enumerate(body.get("requests") or []):
                kinds = [k for k, v in request.items() if v is not None]
                if len(kinds) != 1:
                    raise InvalidArgument(
                        f"Invalid requests[{number}]: a request must set exactly one kind "
                        f"of update (got {', '.join(kinds) or 'none'})."
                    )
                kind = kinds[0]
                handler = updates.HANDLERS.get(kind)
                if handler is None:
                    raise InvalidArgument(
                        f"Invalid requests[{number}].{kind}: the local workspace does not support this request."
                    )
                try:
                    reply = handler(self, book, request[kind])
                    updates.check_cell_limit(book)
                except InvalidArgument as error:
                    raise InvalidArgument(f"Invalid requests[{number}].{kind}: {error.message}") from None
                replies.append(reply or {})
            book.save()
            result: dict[str, Any] = {"spreadsheetId": spreadsheet_id, "replies": replies}
            if body.get("includeSpreadsheetInResponse"):
                result["updatedSpreadsheet"] = self._render(book, None, bool(body.get("responseIncludeGridData")))
            return result

    def search_developer_metadata(self, spreadsheet_id: str, body: dict) -> dict:
        with self.store.transaction() as db:
            return developer_metadata.search(self._open(db, spreadsheet_id), body)

    def _render(self, book: Book, boxes: dict | None = None, grid_data: bool = False) -> dict:
        sheets = []
        all_metadata = developer_metadata.all_of(book)
        for sheet in book.sheets:
            sheet_id = sheet["properties"]["sheetId"]
            if boxes is not None and sheet_id not in boxes:
                continue
            shown = {"properties": copy.deepcopy(sheet["properties"])}
            if grid_data:
                shown["data"] = [
                    self._grid_data(book, sheet, box) for box in (boxes or {}).get(sheet_id) or [self._whole(sheet)]
                ]
            for key in ("protectedRanges", "conditionalFormats", "basicFilter"):
                if sheet.get(key):
                    shown[key] = copy.deepcopy(sheet[key])
            own = [m for m in all_metadata if m["location"].get("sheetId") == sheet_id]
            if own:
                shown["developerMetadata"] = copy.deepcopy(own)
            sheets.append(shown)
        result = {
            "spreadsheetId": book.id,
            "properties": {"title": book.title, **copy.deepcopy(book.meta["properties"])},
            "sheets": sheets,
        }
        top = [m for m in all_metadata if m["location"].get("spreadsheet")]
        if top:
            result["developerMetadata"] = copy.deepcopy(top)
        return result

    def _grid_data(self, book: Book, sheet: dict, box: tuple) -> dict:
        row0, row1, col0, col1 = box
        rows = books.read(book.grid(sheet["properties"]["sheetId"]), row0, row1, col0, col1)
        row_data = []
        for r in range(row0, row1):
            values = rows[r - row0] if r - row0 < len(rows) else []
            cells_out = []
            for c in range(col0, col1):
                value = values[c - col0] if c - col0 < len(values) else None
                cells_out.append(_cell_data(value, updates.validation_at(sheet, r, c)))
            while cells_out and not cells_out[-1]:
                cells_out.pop()
            row_data.append({"values": cells_out} if cells_out else {})
        while row_data and not row_data[-1]:
            row_data.pop()
        data = {"rowData": row_data} if row_data else {}
        if row0:
            data["startRow"] = row0
        if col0:
            data["startColumn"] = col0
        return data

    # values

    def values_get(self, spreadsheet_id: str, text: str, major: str | None, render: str | None) -> dict:
        with self.store.transaction() as db:
            book = self._open(db, spreadsheet_id)
            return self._value_range(book, text, major, render)

    def values_batch_get(self, spreadsheet_id: str, ranges: list[str], major: str | None, render: str | None) -> dict:
        with self.store.transaction() as db:
            book = self._open(db, spreadsheet_id)
            return {
                "spreadsheetId": spreadsheet_id,
                "valueRanges": [self._value_range(book, text, major, render) for text in ranges],
            }

    def values_update(self, spreadsheet_id: str, text: str, body: dict, params: dict) -> dict:
        option = _input_option(params.get("valueInputOption"))
        _same_range(text, body.get("range"))
        with self.store.transaction() as db:
            book = self._open(db, spreadsheet_id)
            result, _ = self._update(book, text, body, option, params)
            book.save()
            return result

    def values_batch_update(self, spreadsheet_id: str, body: dict) -> dict:
        option = _input_option(body.get("valueInputOption"))
        params = {k: body[k] for k in ("includeValuesInResponse", "responseValueRenderOption") if k in body}
        with self.store.transaction() as db:
            book = self._open(db, spreadsheet_id)
            responses, rows, columns, sheets, total = [], set(), set(), set(), 0
            for value_range in body.get("data") or []:
                if not value_range.get("range"):
                    raise InvalidArgument("Every entry of data needs a range.")
                result, written = self._update(book, value_range["range"], value_range, option, params)
                responses.append(result)
                for sheet_id, row, col in written:
                    rows.add((sheet_id, row))
                    columns.add((sheet_id, col))
                    sheets.add(sheet_id)
                total += len(written)
            book.save()
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet_id}
        if responses:
            answer.update(
                totalUpdatedRows=len(rows),
                totalUpdatedColumns=len(columns),
                totalUpdatedCells=total,
                totalUpdatedSheets=len(sheets),
                responses=responses,
            )
        return answer

    def values_append(self, spreadsheet_id: str, text: str, body: dict, params: dict) -> dict:
        option = _input_option(params.get("valueInputOption"))
        insert = params.get("insertDataOption") or "OVERWRITE"
        _same_range(text, body.get("range"))
        with self.store.transaction() as db:
            book = self._open(db, spreadsheet_id)
            sheet, ref = self._resolve(book, text)
            row0, row1, col0, col1 = self._bounded(sheet, ref)
            if ref is not None and ref.anchor:
                row1, col1 = _counts(sheet)
            grid = book.grid(sheet["properties"]["sheetId"])
            table = _find_table(grid, row0, row1, col0, col1)
            start_row, start_col = (table[1], table[2]) if table else (row0, col0)
            rows = _input_rows(body, option)
            height = len(rows)
            width = max((len(r) for r in rows), default=0)
            properties = sheet["properties"]["gridProperties"]
            if start_col + width > properties["columnCount"]:
                raise _beyond_grid(sheet, start_row, start_row + max(height, 1), start_col, start_col + width)
            if insert == "INSERT_ROWS" and height:
                updates.insert_dimension(
                    self,
                    book,
                    {
                        "range": {
                            "sheetId": sheet["properties"]["sheetId"],
                            "dimension": "ROWS",
                            "startIndex": min(start_row, properties["rowCount"]),
                            "endIndex": min(start_row, properties["rowCount"]) + height,
                        }
                    },
                )
            if start_row + height > properties["rowCount"]:
                properties["rowCount"] = start_row + height
                updates.check_cell_limit(book)
            result, _ = self._write(book, sheet, start_row, start_col, rows, params)
            book.save()
        answer = {"spreadsheetId": spreadsheet_id, "updates": result}
        if table:
            answer["tableRange"] = _box_text(sheet, *table)
        return answer

    def values_clear(self, spreadsheet_id: str, text: str) -> dict:
        with self.store.transaction() as db:
            book = self._open(db, spreadsheet_id)
            cleared = self._clear(book, text)
            book.save()
        return {"spreadsheetId": spreadsheet_id, "clearedRange": cleared}

    def values_batch_clear(self, spreadsheet_id: str, body: dict) -> dict:
        with self.store.transaction() as db:
            book = self._open(db, spreadsheet_id)
            cleared = [self._clear(book, text) for text in body.get("ranges") or []]
            book.save()
        answer: dict[str, Any] = {"spreadsheetId": spreadsheet_id}
        if cleared:
            answer["clearedRanges"] = cleared
        return answer

    # the lead's page

    def open_for_page(self, spreadsheet_id: str) -> dict:
        """Everything the page shows: title, and per sheet its rows and each cell's kind."""
        with self.store.transaction() as db:
            book = self._open(db, spreadsheet_id)
            return {
                "id": book.id,
                "title": book.title,
                "sheets": [_page_sheet(sheet, book.grid(sheet["properties"]["sheetId"])) for sheet in book.sheets],
            }

    def save_from_page(self, spreadsheet_id: str, changes: dict[tuple[int, int, int], str]) -> int:
        """Write the cells a lead changed ((sheetId, row, col) -> text); refuses read-only cells."""
        with self.store.transaction() as db:
            book = self._open(db, spreadsheet_id)
            written = 0
            for (sheet_id, row, col), text in sorted(changes.items()):
                sheet = book.sheet(sheet_id)
                rows_count, cols_count = _counts(sheet)
                if row >= rows_count or col >= cols_count:
                    raise InvalidArgument(f"{a1.cell_name(row, col)} is outside the sheet.")
                cell = _page_cell(sheet, book.grid(sheet_id), row, col)
                if cell["value"] == text:
                    continue
                if cell["kind"] == "text":
                    raise PermissionDenied(
                        f"{a1.cell_name(row, col)} on {sheet['properties']['title']} "
                        "is protected: it cannot be changed here."
                    )
                if cell["kind"] == "select" and text and text not in cell["options"]:
                    raise InvalidArgument(f"{text!r} is not one of the choices for {a1.cell_name(row, col)}.")
                books.write(book.changed(sheet_id), row, col, [[cells.from_input(text, "USER_ENTERED")]], cells.Missing)
                written += 1
            book.save()
            return written

    # helpers

    def _resolve(self, book: Book, text: str) -> tuple[dict, a1.Cells | None]:
        ref = a1.parse(text)
        if ref.sheet is None:
            named = book.sheet_titled(ref.text) if "!" not in ref.text else None
            return (named, None) if named else (book.sheets[0], ref.cells)
        sheet = book.sheet_titled(ref.sheet)
        if sheet is None:
            raise a1.unparsable(text)
        return sheet, ref.cells

    def _bounded(self, sheet: dict, ref: a1.Cells | None) -> tuple[int, int, int, int]:
        """The box of `ref` cut to the grid; an error when it starts outside the grid."""
        rows, columns = _counts(sheet)
        if ref is None:
            return 0, rows, 0, columns
        row0, col0 = ref.row0 or 0, ref.col0 or 0
        row1 = rows if ref.row1 is None else ref.row1
        col1 = columns if ref.col1 is None else ref.col1
        if row0 >= rows or col0 >= columns:
            raise _beyond_grid(sheet, row0, row1, col0, col1)
        return row0, min(row1, rows), col0, min(col1, columns)

    def _read_box(self, book: Book, text: str) -> tuple[dict, tuple[int, int, int, int]]:
        sheet, ref = self._resolve(book, text)
        return sheet, self._bounded(sheet, ref)

    @staticmethod
    def _whole(sheet: dict) -> tuple[int, int, int, int]:
        rows, columns = _counts(sheet)
        return 0, rows, 0, columns

    def _value_range(self, book: Book, text: str, major: str | None, render: str | None) -> dict:
        sheet, (row0, row1, col0, col1) = self._read_box(book, text)
        rows = books.read(book.grid(sheet["properties"]["sheetId"]), row0, row1, col0, col1)
        return _shown(_box_text(sheet, row0, row1, col0, col1), rows, major, render)

    def _update(self, book: Book, text: str, body: dict, option: str, params: dict):
        sheet, ref = self._resolve(book, text)
        rows = _input_rows(body, option)
        total_rows, total_columns = _counts(sheet)
        row0 = (ref.row0 or 0) if ref else 0
        col0 = (ref.col0 or 0) if ref else 0
        height, width = len(rows), max((len(r) for r in rows), default=0)
        if ref is not None and not ref.anchor:
            if ref.col1 is not None and col0 + width > ref.col1:
                raise InvalidArgument(
                    f"Requested writing within range [{text}], but tried writing to column "
                    f"[{a1.column_letters(ref.col1)}]"
                )
            if ref.row1 is not None and row0 + height > ref.row1:
                raise InvalidArgument(
                    f"Requested writing within range [{text}], but tried writing to row [{ref.row1 + 1}]"
                )
        if row0 >= total_rows or col0 >= total_columns or row0 + height > total_rows or col0 + width > total_columns:
            raise _beyond_grid(sheet, row0, row0 + max(height, 1), col0, col0 + max(width, 1))
        return self._write(book, sheet, row0, col0, rows, params)

    def _write(self, book: Book, sheet: dict, row0: int, col0: int, rows: list[list], params: dict):
        sheet_id = sheet["properties"]["sheetId"]
        height, width = len(rows), max((len(r) for r in rows), default=0)
        result: dict[str, Any] = {"spreadsheetId": book.id}
        written = [
            (sheet_id, row0 + r, col0 + c)
            for r, values in enumerate(rows)
            for c, value in enumerate(values)
            if value is not cells.Missing
        ]
        if not height or not width:
            return result, written
        books.write(book.changed(sheet_id), row0, col0, rows, cells.Missing)
        box = (row0, row0 + height, col0, col0 + width)
        result.update(
            updatedRange=_box_text(sheet, *box),
            updatedRows=len({r for _, r, _ in written}),
            updatedColumns=len({c for _, _, c in written}),
            updatedCells=len(written),
        )
        if str(params.get("includeValuesInResponse", "false")).lower() == "true":
            stored = books.read(book.grid(sheet_id), *box)
            result["updatedData"] = _shown(
                _box_text(sheet, *box), stored, "ROWS", params.get("responseValueRenderOption")
            )
        return result, written

    def _clear(self, book: Book, text: str) -> str:
        sheet, box = self._read_box(book, text)
        books.clear(book.changed(sheet["properties"]["sheetId"]), *box)
        return _box_text(sheet, *box)


def _new_meta() -> dict:
    return {
        "properties": copy.deepcopy(defaults.SPREADSHEET_PROPERTIES),
        "sheets": [{"properties": books.new_sheet_properties(0, "Sheet1", 0)}],
        "developerMetadata": [],
    }


def _counts(sheet: dict) -> tuple[int, int]:
    grid = sheet["properties"]["gridProperties"]
    return grid["rowCount"], grid["columnCount"]


def _beyond_grid(sheet: dict, row0: int, row1: int, col0: int, col1: int) -> InvalidArgument:
    rows, columns = _counts(sheet)
    return InvalidArgument(
        f"Range ({_box_text(sheet, row0, max(row1, row0 + 1), col0, max(col1, col0 + 1))}) "
        f"exceeds grid limits. Max rows: {rows}, max columns: {columns}"
    )


def _input_option(option: str | None) -> str:
    if not option:
        raise InvalidArgument("'valueInputOption' is required but not specified")
    if option not in INPUT_OPTIONS:
        raise InvalidArgument(f"Invalid valueInputOption: {option}")
    return option


def _same_range(url_range: str, body_range: str | None) -> None:
    if body_range is None:
        return
    given, wanted = a1.parse(body_range), a1.parse(url_range)
    if ((given.sheet or "").lower(), given.cells) != ((wanted.sheet or "").lower(), wanted.cells):
        raise InvalidArgument(f"Requested entity range [{body_range}] must match the range in the URL [{url_range}].")


def _input_rows(body: dict, option: str) -> list[list]:
    values = body.get("values") or []
    if not all(isinstance(row, list) for row in values):
        raise InvalidArgument("Invalid values: each entry of values must be a list.")
    rows = [[cells.from_input(v, option) for v in row] for row in values]
    if (body.get("majorDimension") or "ROWS") == "COLUMNS":
        height = max((len(column) for column in rows), default=0)
        rows = [[column[r] if r < len(column) else cells.Missing for column in rows] for r in range(height)]
    return rows


def _shown(range_text: str, rows: list[list], major: str | None, render: str | None) -> dict:
    """A ValueRange as values.get answers it: trailing empty cells and rows trimmed."""
    major = major if major in ("ROWS", "COLUMNS") else "ROWS"
    render = render or "FORMATTED_VALUE"
    if major == "COLUMNS":
        width = max((len(r) for r in rows), default=0)
        rows = [[row[c] if c < len(row) else None for row in rows] for c in range(width)]
    shown = []
    for row in rows:
        end = len(row)
        while end and row[end - 1] is None:
            end -= 1
        shown.append([cells.render(v, render) for v in row[:end]])
    while shown and not shown[-1]:
        shown.pop()
    answer: dict[str, Any] = {"range": range_text, "majorDimension": major}
    if shown:
        answer["values"] = shown
    return answer


def _find_table(grid: list[list], row0: int, row1: int, col0: int, col1: int):
    """(row0, row1, col0, col1) of the first block of filled rows in the box, or None."""

    def filled(r: int) -> list[int]:
        row = grid[r] if r < len(grid) else []
        return [c for c in range(col0, min(col1, len(row))) if row[c] is not None]

    first = next((r for r in range(row0, min(row1, len(grid))) if filled(r)), None)
    if first is None:
        return None
    last, used = first, filled(first)
    while last + 1 < min(row1, len(grid)) and filled(last + 1):
        last += 1
        used += filled(last)
    return first, last + 1, min(used), max(used) + 1


def _cell_data(value, rule: dict | None) -> dict:
    data: dict[str, Any] = {}
    if value is not None:
        if isinstance(value, dict):
            data["userEnteredValue"] = {"formulaValue": value["f"]}
        elif isinstance(value, bool):
            data["userEnteredValue"] = data["effectiveValue"] = {"boolValue": value}
        elif isinstance(value, (int, float)):
            data["userEnteredValue"] = data["effectiveValue"] = {"numberValue": value}
        else:
            data["userEnteredValue"] = data["effectiveValue"] = {"stringValue": value}
        data["formattedValue"] = cells.formatted(value)
    if rule:
        data["dataValidation"] = copy.deepcopy(rule)
    return data


def _page_sheet(sheet: dict, grid: list[list]) -> dict:
    rows_count, cols_count = _counts(sheet)
    header = grid[0] if grid else []
    width = min(cols_count, max([len(header)] + [len(r) for r in grid] or [0]))
    # Under the last row with values, one empty row to type a new row into: Sheets shows the whole grid,
    # empty rows and all, and any of them can be typed into.
    height = min(rows_count, len(grid) + 1) if len(grid) > 1 or any(header) else min(rows_count, len(grid))
    rows = [[_page_cell(sheet, grid, r, c) for c in range(width)] for r in range(1, height)]
    for cell in rows[-1] if height > len(grid) and rows else []:
        cell["new"] = True  # the empty row: labelled "new row", so it is never taken for a row with values
    return {
        "sheetId": sheet["properties"]["sheetId"],
        "title": sheet["properties"]["title"],
        "header": [cells.formatted(header[c] if c < len(header) else None) for c in range(width)],
        "tool_columns": [
            c for c in range(width) if updates.protected_at(sheet, 0, c) or updates.protected_at(sheet, 1, c)
        ],
        "widths": _column_widths(sheet, width),
        "rows": rows,
    }


DEFAULT_COLUMN_WIDTH = 100  # pixels: a new Sheets column's width until pixelSize is set


def _column_widths(sheet: dict, count: int) -> list[int]:
    """Each column's width in pixels, as set by updateDimensionProperties with pixelSize (the last set wins)
    https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/sheets#DimensionProperties"""
    widths = [DEFAULT_COLUMN_WIDTH] * count
    for entry in sheet.get("dimensionProperties", []):
        size = entry["properties"].get("pixelSize")
        if entry["dimension"] != "COLUMNS" or size is None or not _sets_pixel_size(entry["fields"]):
            continue
        start, end = entry["range"].get("startColumnIndex", 0), entry["range"].get("endColumnIndex", count)
        for column in range(start, min(end, count)):
            widths[column] = int(size)
    return widths


def _sets_pixel_size(fields: str) -> bool:
    return fields.strip() == "*" or "pixelSize" in (part.strip() for part in fields.split(","))


def _page_cell(sheet: dict, grid: list[list], row: int, col: int) -> dict:
    """How the page shows one cell: read-only text, a select (ONE_OF_LIST), or a text input."""
    stored = grid[row][col] if row < len(grid) and col < len(grid[row]) else None
    cell = {
        "row": row,
        "col": col,
        "name": f"{sheet['properties']['sheetId']}!{a1.cell_name(row, col)}",
        "value": cells.formatted(stored),
        "kind": "text",
    }
    if row == 0 or updates.protected_at(sheet, row, col) or updates.protected_at(sheet, 0, col):
        return cell
    rule = updates.validation_at(sheet, row, col)
    condition = (rule or {}).get("condition") or {}
    if condition.get("type") == "ONE_OF_LIST":
        cell["kind"] = "select"
        cell["options"] = [v.get("userEnteredValue", "") for v in condition.get("values", [])]
    else:
        cell["kind"] = "input"
    return cell
