"""The lead's page: each sheet as an HTML table in its column widths; each tab's editable cells are
one plain HTML form with its own Save button.

Cells under a ONE_OF_LIST validation are a <select>, cells in a protected range (or under a
protected header) are read-only text, the rest text inputs. A POST writes only the cells whose
text changed, as USER_ENTERED (what typing into Google Sheets does).
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from werkzeug.wrappers import Request, Response

from ..errors import LocalApiError, NotFound
from . import a1

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent), autoescape=True, trim_blocks=True, lstrip_blocks=True
)


def show(ws, request: Request, spreadsheet_id: str, message: str = "", status: int = 200) -> Response:
    try:
        book = ws.sheets.open_for_page(spreadsheet_id)
    except (NotFound, LocalApiError):
        return _not_found()
    saved = request.args.get("saved")
    if saved is not None and not message:
        message = f"Saved {saved} cell{'' if saved == '1' else 's'}."
    for sheet in book["sheets"]:
        sheet["lead_titles"] = [t for c, t in enumerate(sheet["header"]) if t and c not in sheet["tool_columns"]]
        sheet["can_save"] = any(cell["kind"] != "text" for row in sheet["rows"] for cell in row)
        sheet["filled"] = sum(1 for row in sheet["rows"] if any(cell["value"] for cell in row))
        for row in sheet["rows"]:
            for cell in row:
                cell["clipped"] = _may_be_clipped(cell["value"], sheet["widths"][cell["col"]])
    html = _templates.get_template("spreadsheet.html").render(book=book, message=message, error=status >= 400)
    return Response(html, status=status, mimetype="text/html")


SHOWN_LINES = 7  # a cell shows this many lines (the .cell max-height), then scrolls within itself
NARROWEST_CHARACTER = 6  # pixels: an overestimate of the lines a text wraps to


def _may_be_clipped(text: str, width: int) -> bool:
    """Whether a cell's text may need more lines than the cell shows: then the cell scrolls and must be
    reachable by keyboard (tabindex). Errs towards yes, which costs only a tab stop."""
    per_line = max(1, (width - 12) // NARROWEST_CHARACTER)
    lines = sum(max(1, -(-len(line) // per_line)) for line in text.split("\n"))
    return lines > SHOWN_LINES // 2


def save(ws, request: Request, spreadsheet_id: str) -> Response:
    changes = {}
    for name, text in request.form.items():
        cell = _cell_of(name)
        if cell is not None:
            changes[cell] = text.replace("\r\n", "\n")
    try:
        written = ws.sheets.save_from_page(spreadsheet_id, changes)
    except NotFound:
        return _not_found()
    except LocalApiError as error:
        return show(ws, request, spreadsheet_id, message=error.message, status=error.code)
    tab = request.form.get("sheet", "")
    anchor = f"#sheet-{tab}" if tab.isdigit() else ""
    return Response(status=303, headers={"Location": f"{request.path}?saved={written}{anchor}"})


def _cell_of(name: str) -> tuple[int, int, int] | None:
    """(sheetId, row, col) from a field named like "0!F2"."""
    sheet, _, ref = name.partition("!")
    if not sheet.isdigit():
        return None
    try:
        cells = a1.parse_cells(ref, name)
    except LocalApiError:
        return None
    if not cells.anchor or cells.row0 is None or cells.col0 is None:  # an anchor has both
        return None
    return int(sheet), cells.row0, cells.col0


def _not_found() -> Response:
    html = _templates.get_template("spreadsheet.html").render(book=None, message="", error=True)
    return Response(html, status=404, mimetype="text/html")
