"""The spreadsheets the tool owns, during one run: found or created, read once, laid out, written in batches.

Each spreadsheet costs a constant handful of requests whatever the number of rows: one read of all
its tabs, at most one batchUpdate (layout or a larger grid), one values write. Before personal data
is written, who can open the spreadsheet is checked (docs/decisions.md §6).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from ..errors import PppError
from ..google.drive_api import APP_KEY, DriveApi, ShareRefused, oldest
from ..google.errors import GoogleApiError
from ..google.sheets_api import SheetsApi
from ..sheets.a1 import cell_range, column_index
from ..sheets.formatting import ROWS, grid_columns, tab_requests
from ..sheets.layout import TabLayout
from ..sheets.unread import UNREAD
from .destinations import ADMIN, Destination
from .rows import Row
from .sharing import sharing_problems
from .table import TabWrites, apply_writes, existing_rows, plan_tab

SHEET_KIND = "spreadsheet"
DEFAULT_SHEET = "Sheet1"  # what Drive's files.create gives a new spreadsheet
GROWTH = 500  # rows added beyond what is needed when a grid must grow
# Google's limit on one spreadsheet, all its tabs together ("Files you can store in Google Drive",
# https://support.google.com/drive/answer/37603): past it, Google refuses the write that would grow it.
MAX_CELLS = 10_000_000
LINK_SECRET = "link_secret"  # the admin spreadsheet's app property holding the secret of people's link codes
# A line of a tab the run appends to but keeps nothing of (Spreadsheets.let_go): a row is there (appends go
# below it), its cells not known. A tuple, shared by every such line: writing into one fails loudly.
LET_GO = cast(list[str], (UNREAD,))


@dataclass
class SheetRun:
    """One spreadsheet during a run."""

    dest: Destination
    id: str
    link: str
    fresh: bool = False  # created in this run: known to be empty
    laid_out: bool = True
    values: dict[str, list[list[str]]] = field(default_factory=dict)
    grid: dict[str, tuple[int, int]] = field(default_factory=dict)
    rows: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))
    read: bool = False
    replace: dict[str, list[list[str]]] = field(default_factory=dict)  # tabs the tool rewrites whole
    cells: list[tuple[str, list[list[str]]]] = field(default_factory=list)  # ids given to rows a lead added
    broken: bool = False  # a person renamed what the tool finds rows by: nothing is written there this run
    writers_can_share: bool | None = None
    sharing_checked: bool | None = None  # None: not asked yet this run; True: only the configured people
    let_go: set[str] = field(default_factory=set)  # tabs whose lines are not kept once read or written (LET_GO)


def only_removes(wanted: list[list[str]], current: list[list[str]]) -> bool:
    """Whether rewriting a tab from `current` to `wanted` only takes lines away (adds and changes nothing)."""

    def line(cells: list[str]) -> tuple[str, ...]:
        cells = list(cells)
        while cells and cells[-1] == "":
            cells.pop()
        return tuple(cells)

    return bool(current) and {line(cells) for cells in wanted} <= {line(cells) for cells in current}


def sheet_id_for(title: str) -> int:
    """Tabs get ids derived from their titles, so a later run can address them without a read."""
    return int(hashlib.sha256(title.encode()).hexdigest()[:8], 16) % 2_000_000_000 + 1


def _grid(answered_range: str) -> tuple[int, int]:
    """'Tab'!A1:Z1000 -> (1000, 26): values.batchGet answers a whole tab's range clamped to its grid."""
    match = re.search(r"!\$?([A-Z]+)?\$?(\d+)?:\$?([A-Z]+)\$?(\d+)$", answered_range)
    if not match:
        return (0, 0)
    return int(match.group(4)), column_index(match.group(3)) + 1


class Spreadsheets:
    def __init__(self, drive: DriveApi, sheets: SheetsApi, destinations: dict[str, Destination], report):
        self.drive, self.sheets, self.destinations, self.report = drive, sheets, destinations, report
        self.runs: dict[str, SheetRun] = {}
        self.link_secret = ""  # the secret of people's link codes (consent.link_code), read by open()
        # Set by the sync alone (read_back.unread_headers): a tab -> the headers of its columns not read back
        # (their cells UNREAD). Every other command (erase, purge, preview) reads whole tabs.
        self.unread: Callable[[TabLayout], frozenset[str]] | None = None
        # Responses submitted after their form's high-water mark (not yet known to be written as they are now):
        # only their rows' unread cells are read and compared; one listed again with no change since (the overlap
        # before the mark, a rescan) has its long answers as the run that set the mark wrote them.
        self.fresh: set[str] = set()

    def open(self) -> None:
        found: dict[str, list[dict]] = defaultdict(list)
        for f in self.drive.find(SHEET_KIND):
            found[f["appProperties"].get("target")].append(f)
        for target, dest in self.destinations.items():
            file = self._one(dest, found.get(target, []))
            if file is None:
                properties = {APP_KEY: SHEET_KIND, "target": target, "layout": "pending"}
                if target == ADMIN:
                    properties[LINK_SECRET] = secrets.token_urlsafe(24)
                file = self.drive.create_spreadsheet(dest.name, properties)
                run = SheetRun(dest, file["id"], file.get("webViewLink", ""), fresh=True, laid_out=False, read=True)
                for tab in dest.tabs:
                    run.values[tab.tab], run.grid[tab.tab] = [], (ROWS, grid_columns(tab))
                self.report.created.append(dest.name)
                self._share(run, dest.writers)
            else:
                run = SheetRun(
                    dest,
                    file["id"],
                    file.get("webViewLink", ""),
                    laid_out=file["appProperties"].get("layout") == dest.layout_hash,
                    writers_can_share=file.get("writersCanShare"),
                )
            self.runs[target] = run
            self.report.sheets[dest.name] = run.link
            if target == ADMIN:
                self.link_secret = self._link_secret(file)

    def _one(self, dest: Destination, files: list[dict]) -> dict | None:
        """The spreadsheet tagged for `dest` (the laid-out one, else the oldest). A spare tagged for the same
        (a create whose answer was lost, made again) is reported, and trashed while nothing was written into it."""
        if len(files) < 2:
            return files[0] if files else None
        ordered = sorted(oldest(files), key=lambda f: f["appProperties"].get("layout") == "pending")
        kept = ordered[0]
        for spare in ordered[1:]:
            if spare["appProperties"].get("layout") == "pending":
                self.drive.trash(spare["id"])
                self.report.spares.append(f"{dest.name}: a spare empty copy was moved to the bin")
            else:
                self.report.spares.append(
                    f"{dest.name}: another spreadsheet is tagged for it and holds rows ({spare.get('webViewLink', spare['id'])}); "
                    f"the tool uses {kept.get('webViewLink', kept['id'])}. Check the other one, then delete it"
                )
        return kept

    def _laid_out_as(self, run: SheetRun, needs: dict[str, tuple[int, int]]):
        """For a layout or growth batch whose answer was lost: {} when the spreadsheet shows it applied (every
        tab there, each grid at least as large as needed), None when it does not (batchUpdate is atomic)."""

        def check() -> dict | None:
            sheets = {s["properties"]["title"]: s["properties"] for s in self.sheets.metadata(run.id).get("sheets", [])}
            for title, (rows, columns) in needs.items():
                grid = sheets.get(title, {}).get("gridProperties")
                if grid is None or grid.get("rowCount", 0) < rows or grid.get("columnCount", 0) < columns:
                    return None
            return {}

        return check

    def _link_secret(self, admin: dict) -> str:
        """Kept in the admin spreadsheet's app properties, which only this tool's own account (the app that
        set them) can read: never in a cell a person sees. Made once, when first needed."""
        secret = admin.get("appProperties", {}).get(LINK_SECRET, "")
        if not secret:
            secret = secrets.token_urlsafe(24)
            self.drive.set_app_properties(admin["id"], {LINK_SECRET: secret})
        return secret

    def read(self, run: SheetRun) -> SheetRun:
        """All tabs in one request. A tab renamed, or a Response ID column renamed, by a person stops
        writes to that spreadsheet only (rows are found by them), with a message saying what to do."""
        if not run.read:
            run.read = True
            if not run.laid_out:
                self._repair(run)
                if run.broken:
                    return run
            titles = [t.tab for t in run.dest.tabs]
            try:
                tabs = self._read_tabs(run, titles)
            except GoogleApiError as error:
                if error.code != 400 or run.dest.target == ADMIN:
                    raise
                self._broken(
                    run,
                    f"a tab was renamed or removed; the tool needs these tabs: {', '.join(titles)}. "
                    "Rename it back (or undo the removal), then run sync again",
                )
                return run
            for title, (grid, values) in tabs.items():
                run.values[title], run.grid[title] = values, grid
            for tab in run.dest.tabs:
                values = run.values.get(tab.tab, [])
                key = tab.column("tool", "response_id")
                if key and len(values) > 1 and key.header not in values[0]:
                    self._broken(
                        run,
                        f"the column {key.header!r} in the tab {tab.tab!r} was renamed or removed; the tool "
                        "finds rows by it, so nothing was written there. Rename it back, then run sync again",
                    )
        return run

    def _read_tabs(self, run: SheetRun, titles: list[str]) -> dict[str, tuple[tuple[int, int], list[list[str]]]]:
        """title -> (its grid as (rows, columns), its rows): the columns the sync reads back, or whole tabs."""
        if self.unread is not None:
            unread = {tab.tab: self.unread(tab) for tab in run.dest.tabs if tab.tab in titles}
            return self.sheets.read_columns(run.id, titles, unread)
        read = self.sheets.read_tabs(run.id, titles)
        return {title: (_grid(answered), values) for title, (answered, values) in read.items()}

    def _read_cells_to_compare(self, run: SheetRun, tab: TabLayout, rows: list[Row]) -> None:
        """The cells not read back (UNREAD) that these rows would write, read now for the rows of responses
        submitted since the last run (`fresh`; new ones are appended whole), so each is compared with what it
        holds and written only when it differs, as with a whole read. Other rows' unread cells are left as
        they are (table.plan_tab never writes an UNREAD cell)."""
        values = run.values.get(tab.tab, [])
        if self.unread is None or len(values) < 2:
            return
        index = {header: i for i, header in reversed(list(enumerate(values[0])))}  # a repeated header: its first
        found = existing_rows(tab, values)
        wanted: dict[int, set[int]] = {}
        edited = tab.column("tool", "last_edited")
        at = index.get(edited.header) if edited else None
        for row in rows:
            number = found.get(row.response_id)
            line = values[number - 1] if number else []
            shown = line[at] if at is not None and at < len(line) else None
            # submitted since the last run, or edited since its row was written (an edit Google listed late)
            if row.response_id not in self.fresh and (edited is None or shown == row.cells.get(edited.header, shown)):
                continue
            for header in row.cells:
                column = index.get(header)
                if column is not None and column < len(line) and line[column] is UNREAD:
                    wanted.setdefault(number or 0, set()).add(column)
        if not wanted:
            return
        cells = self.sheets.read_cells(run.id, tab.tab, sorted(wanted), sorted(set().union(*wanted.values())))
        for number, columns in wanted.items():
            for column in columns:
                values[number - 1][column] = cells.get((number, column), "")

    def _broken(self, run: SheetRun, problem: str, problems: dict[str, list[str]] | None = None) -> None:
        """Nothing is written to this spreadsheet this run; `problem` goes to the report (`refused` by default)."""
        run.broken = True
        run.values = {t.tab: [] for t in run.dest.tabs}
        (self.report.refused if problems is None else problems).setdefault(run.dest.name, []).append(problem)

    def _share(self, run: SheetRun, emails) -> bool:
        """Share with each person; whether all were. One Google refuses stops this spreadsheet only: nothing with
        personal data goes where the person who should see it cannot, and, its layout left unconfirmed, the next
        run shares again (once the address in the config, or the organisation's settings, are put right)."""
        shared = True
        for email in emails:
            try:
                self.drive.share(run.id, email, run.dest.role)
            except ShareRefused as refused:
                self._broken(run, str(refused), self.report.not_shared)
                shared = False
        return shared

    def _repair(self, run: SheetRun) -> None:
        """A spreadsheet whose layout changed (or whose creation was interrupted): add what is missing."""
        sheets = {
            s["properties"]["title"]: s["properties"]["sheetId"] for s in self.sheets.metadata(run.id).get("sheets", [])
        }
        requests = []
        for tab in run.dest.tabs:
            if tab.tab not in sheets:
                requests += tab_requests(tab, sheet_id_for(tab.tab), add=True)
                run.grid[tab.tab] = (ROWS, grid_columns(tab))
        if sheets.get(DEFAULT_SHEET) == 0 and DEFAULT_SHEET not in {t.tab for t in run.dest.tabs}:
            requests.append({"deleteSheet": {"sheetId": 0}})  # left by a creation that was interrupted
        if requests:
            added = {tab.tab: (0, 0) for tab in run.dest.tabs}
            self.sheets.batch_update(run.id, requests, applied=self._laid_out_as(run, added))
        wanted = {email.lower() for email in run.dest.writers}
        shared = set()
        for permission in self.drive.permissions(run.id):
            email = (permission.get("emailAddress") or "").lower()
            if permission.get("type") == "user" and permission.get("role") != "owner" and email not in wanted:
                # Someone the config no longer names (a lead contact replaced): their access ends here.
                self.drive.unshare(run.id, permission["id"])
                self.report.unshared.append(f"{run.dest.name}: {email}")
            else:
                shared.add(email)
        if not self._share(run, [email for email in run.dest.writers if email.lower() not in shared]):
            return
        self.drive.set_app_properties(run.id, {"layout": run.dest.layout_hash})
        run.laid_out = True

    def write_now(self, run: SheetRun, tab: TabLayout, rows: list[Row]) -> None:
        """Write rows at once (the email log's intents must be stored before the sends)."""
        if self.refused(run):
            raise PppError(f"{run.dest.name} is shared more widely than the config says: nothing was written there")
        self._ensure_laid_out(run)
        self._read_cells_to_compare(run, tab, rows)
        writes = plan_tab(tab, tab.tab, run.values.setdefault(tab.tab, []), rows)
        growth = self._growth(run, tab, writes)
        if self._too_many_cells(run, growth):
            raise PppError(f"{run.dest.name}: {self.report.too_large[run.dest.name][-1]}")
        if growth:
            needs = {tab.tab: (writes.rows_needed, writes.columns_needed)}
            self.sheets.batch_update(run.id, growth, applied=self._laid_out_as(run, needs))
            self._grown(run, needs)
        if writes.ranges:
            self.sheets.write(run.id, writes.ranges)
            self._keep_as_written(run, tab, writes.ranges)

    def write_notes(self, run: SheetRun, rows_by_tab: dict[str, list[Row]]) -> None:
        """A few cells of existing rows, after the run's main write (the last email, after the sends): the tabs
        are read again first, so a row a lead moved meanwhile is found where it is now, and a row no longer
        there is left alone. One read and one small write."""
        if run.broken or not rows_by_tab or self.refused(run):
            return
        layouts = {tab.tab: tab for tab in run.dest.tabs}
        fresh = self._read_tabs(run, list(rows_by_tab))
        ranges = []
        for title, rows in rows_by_tab.items():
            values = fresh.get(title, ("", []))[1]
            present = existing_rows(layouts[title], values)
            writes = plan_tab(layouts[title], title, values, [row for row in rows if row.response_id in present])
            if not writes.restored_headers:  # a column renamed meanwhile: the next run puts it back, and notes then
                ranges += writes.ranges
        if ranges:
            self.sheets.write(run.id, ranges)

    def flush(self, runs: list[SheetRun]) -> None:
        for run in runs:
            replaced = self._replacements(run)
            if run.broken or (not any(run.rows.values()) and not replaced and not run.cells and run.laid_out):
                continue
            if not run.fresh and not run.laid_out:
                self._repair(run)
            requests = self._first_layout(run) if not run.laid_out else []  # sent with the growth, in one request
            ranges, added, updated, restored = list(replaced) + run.cells, 0, 0, []
            needs = {tab.tab: (0, 0) for tab in run.dest.tabs}
            planned: list[tuple[TabLayout, list]] = []
            for tab in run.dest.tabs:
                rows = run.rows.get(tab.tab, [])
                if not rows and run.values.get(tab.tab):
                    continue
                self._read_cells_to_compare(run, tab, rows)
                writes = plan_tab(tab, tab.tab, run.values.get(tab.tab, []), rows)
                ranges += writes.ranges
                planned.append((tab, writes.ranges))
                requests += self._growth(run, tab, writes)
                needs[tab.tab] = (writes.rows_needed, writes.columns_needed)
                if tab.form:  # response rows, not the tool's own records
                    added, updated = added + writes.added, updated + writes.updated
                if run.values.get(tab.tab):
                    restored += [f"{run.dest.name} / {tab.tab}: {h}" for h in writes.restored_headers]
            if ranges and self.refused(run) and not self._only_removes(run):
                continue  # removing personal data is always allowed; only adding it is refused
            if self._too_many_cells(run, requests):
                continue
            self.report.added += added
            self.report.updated += updated
            self.report.restored_headers += restored
            if requests:
                self.sheets.batch_update(run.id, requests, applied=self._laid_out_as(run, needs))
                self._grown(run, needs)
            if ranges:
                self.sheets.write(run.id, ranges)
            if not run.laid_out:
                self.drive.set_app_properties(run.id, {"layout": run.dest.layout_hash})
                run.laid_out = True
            self._as_written(run, planned)

    def let_go(self, run: SheetRun, title: str) -> None:
        """Keep none of a tab's lines, now or once written (LET_GO), only that they are there: for a log the run
        only appends to, whose lines it has taken what it needs from (the consent log, two records a response).
        Its rows are not found by id any more: the caller appends only records the log did not hold as read
        (Sync.logged)."""
        run.let_go.add(title)
        values = run.values.get(title, [])
        values[1:] = [LET_GO] * (len(values) - 1)

    def _as_written(self, run: SheetRun, planned: list[tuple[TabLayout, list]]) -> None:
        """After a flush: the values as written and nothing left to write, so a later flush in the same run (the
        rows are written form by form, the notes after) finds every row where it now is and writes only what is
        new. Cells the sync does not read back are let go once written (UNREAD, as a read would leave them): a
        first sync at 100,000 responses does not hold every applicant's long answers until its end."""
        for title, wanted in run.replace.items():
            run.values[title] = [list(line) for line in wanted]
        for tab, ranges in planned:
            self._keep_as_written(run, tab, ranges)
            run.rows.pop(tab.tab, None)
        run.replace.clear()
        run.cells.clear()

    def _keep_as_written(self, run: SheetRun, tab: TabLayout, ranges: list) -> None:
        """A tab's values with what was just written: its unread cells UNREAD again, a let-go tab's lines let go."""
        values = run.values.setdefault(tab.tab, [])
        written = apply_writes(values, ranges) - {0}
        unread = self.unread(tab) if self.unread is not None else frozenset()
        if unread and written:
            columns = [i for i, header in enumerate(values[0]) if header in unread]
            for number in written:
                line = values[number]
                for i in columns:
                    if i < len(line):
                        line[i] = UNREAD
        if tab.tab in run.let_go:
            self.let_go(run, tab.tab)

    def refused(self, run: SheetRun) -> bool:
        """Personal data goes only where the configured people (and the owner) alone can read it.
        Asked once a run per spreadsheet (one permissions.list)."""
        if run.fresh:
            return False
        if run.sharing_checked is None:
            problems = sharing_problems(run.dest.writers, self.drive.permissions(run.id), run.writers_can_share)
            if problems:
                self.report.refused.setdefault(run.dest.name, []).extend(problems)
            run.sharing_checked = not problems
        return not run.sharing_checked

    @staticmethod
    def _only_removes(run: SheetRun) -> bool:
        return (
            run.laid_out
            and not any(run.rows.values())
            and all(only_removes(wanted, run.values.get(title, [])) for title, wanted in run.replace.items())
        )

    @staticmethod
    def _replacements(run: SheetRun) -> list[tuple[str, list[list[str]]]]:
        """Ranges that make a whole-rewritten tab equal its new content, blanking rows no longer there."""
        ranges = []
        for title, wanted in run.replace.items():
            current = run.values.get(title, [])
            width = max([len(line) for line in wanted + current] + [1])
            height = max(len(wanted), len(current))
            padded = [line + [""] * (width - len(line)) for line in wanted] + [[""] * width] * (height - len(wanted))
            now = [line + [""] * (width - len(line)) for line in current] + [[""] * width] * (height - len(current))
            if padded != now:
                ranges.append((cell_range(title, 1, 0, width - 1, height), padded))
        return ranges

    @staticmethod
    def _first_layout(run: SheetRun) -> list[dict]:
        requests = []
        for tab in run.dest.tabs:
            requests += tab_requests(tab, sheet_id_for(tab.tab), add=True)
        return requests + [{"deleteSheet": {"sheetId": 0}}]

    def _ensure_laid_out(self, run: SheetRun) -> None:
        if run.laid_out:
            return
        if not run.fresh:
            self._repair(run)
            return
        added = {tab.tab: (0, 0) for tab in run.dest.tabs}
        self.sheets.batch_update(run.id, self._first_layout(run), applied=self._laid_out_as(run, added))
        self.drive.set_app_properties(run.id, {"layout": run.dest.layout_hash})
        run.laid_out = True

    def _too_many_cells(self, run: SheetRun, requests: list[dict]) -> bool:
        """Whether growing the grid as `requests` ask would pass Google's 10 million cells: then nothing is
        written there and the run says so, before Google refuses it half-way (once: the run writes nothing more there)."""
        if run.dest.name in self.report.too_large:
            return True
        grid = dict(run.grid)
        for request in requests:
            grow = request.get("appendDimension")
            if grow:
                title = next((t.tab for t in run.dest.tabs if sheet_id_for(t.tab) == grow["sheetId"]), "")
                rows, columns = grid.get(title, (ROWS, 26))
                if grow["dimension"] == "ROWS":
                    grid[title] = (rows + grow["length"], columns)
                else:
                    grid[title] = (rows, columns + grow["length"])
        cells = sum(rows * columns for rows, columns in grid.values())
        if cells <= MAX_CELLS:
            return False
        self.report.too_large.setdefault(run.dest.name, []).append(
            f"it would hold {cells:,} cells, past Google's limit of {MAX_CELLS:,} for one spreadsheet, so nothing "
            "was written there. Move old rows out to another spreadsheet (or run purge), then run sync again"
        )
        return True

    @staticmethod
    def _grown(run: SheetRun, needs: dict[str, tuple[int, int]]) -> None:
        """The grids as a growth batch (_growth) left them, so a later write in the run does not grow them again."""
        for title, (rows, columns) in needs.items():
            rows_now, columns_now = run.grid.get(title, (ROWS, 26))
            if rows > rows_now:
                rows_now = rows + GROWTH
            run.grid[title] = (rows_now, max(columns_now, columns))

    def _growth(self, run: SheetRun, tab: TabLayout, writes: TabWrites) -> list[dict]:
        rows, columns = run.grid.get(tab.tab, (ROWS, 26))
        sheet = sheet_id_for(tab.tab)
        requests = []
        if writes.rows_needed > rows:
            requests.append(
                {
                    "appendDimension": {
                        "sheetId": sheet,
                        "dimension": "ROWS",
                        "length": writes.rows_needed - rows + GROWTH,
                    }
                }
            )
        if writes.columns_needed > columns:
            requests.append(
                {
                    "appendDimension": {
                        "sheetId": sheet,
                        "dimension": "COLUMNS",
                        "length": writes.columns_needed - columns,
                    }
                }
            )
        return requests
