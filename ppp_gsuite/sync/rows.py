"""A form response as the cells of its row: pure, no Google calls."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from ..forms.items import question_id
from ..sheets.layout import SheetColumn, TabLayout
from ..specs.models import FormSpec
from ..vocabulary import JOINED_FORMS, corrected, local_time, parse_stamp
from .line_record import LineRecord, positions

KEPT_BY_OTHERS = {
    "flags",
    "status_seen",
    "last_email",
    "papers_access",
    "attendance",
}  # tool columns the email step writes, or built last
WRITTEN_ONCE = {"form_version"}  # tool columns written on a new row only: what it was answered under stays
CELL_LIMIT = 50_000  # Google Sheets refuses a longer cell
CUT_MARKER = " […cut: longer than a spreadsheet cell holds; the whole answer is in the form's responses]"
EMAIL = re.compile(r"^[^@\s<>,;\"']+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
NO_DEFAULTS: Mapping[str, str] = MappingProxyType({})  # shared by every Row without defaults
MONEY = re.compile(r"^£?\s*(\d+(\.\d{1,2})?)$")


@dataclass(frozen=True, slots=True)
class Partner:
    """The person behind a reference: found on their expression-of-interest row."""

    reference: str
    response_id: str
    name: str
    opportunity: str  # the opportunity key
    opportunity_group: str
    email: str = ""


def reference_for(response_id: str) -> str:
    """The partner's reference in prefilled links: derived from the (secret, random) response id,
    so it is unguessable, never a row number or an address, and the same after a crash."""
    digest = hashlib.sha256(f"ppp-gsuite reference:{response_id}".encode()).digest()
    return base64.b32encode(digest).decode()[:16].lower()


def typed_reference(text: str) -> str:
    """A reference as a person may type it (capitals, spaces) as the tool wrote it."""
    return "".join(text.split()).lower()


@dataclass(slots=True)
class Row:
    """One row to write, by response id. Slotted, its empty defaults shared (never changed in place): a
    first sync at 100,000 responses holds a Row for each response and two for each consent record."""

    response_id: str
    last_edited: str
    cells: MutableMapping[str, str]  # header -> value, tool and answer columns only (a dict or a LineRecord)
    new_row_defaults: Mapping[str, str] = field(default_factory=lambda: NO_DEFAULTS)  # lead columns of a new row
    flags: tuple[str, ...] = ()


def answers_by_key(spec_name: str, spec: FormSpec, response: dict) -> dict[str, str]:
    """Each question's answer as text; several choices joined with '; '."""
    answers = response.get("answers", {})
    found = {}
    for item in spec.items():
        if not item.is_question:
            continue
        answer = answers.get(question_id(spec_name, item.key))
        if answer:
            values = [a.get("value", "") for a in answer.get("textAnswers", {}).get("answers", [])]
            found[item.key] = "; ".join(values)
    return found


def readable_time(timestamp: str, zone: str) -> str:
    """RFC 3339 from Google as the organisation's local time a lead reads and sorts: 2026-11-24 14:05."""
    return local_time(parse_stamp(timestamp), zone) if timestamp else ""


def parse_money(text: str) -> Decimal | None:
    match = MONEY.match(text.strip().replace(",", ""))
    return Decimal(match.group(1)) if match else None


def parse_number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


def check_answer(check: str | None, header: str, value: str) -> str | None:
    """A check the Forms API cannot enforce; a failure flags the row, the answer is still written."""
    if not value or check is None:
        return None
    if check == "email" and not EMAIL.match(value.strip()):
        return f"{header}: does not look like an email address"
    if check == "number" and parse_number(value) is None:
        return f"{header}: is not a number"
    if check == "money" and parse_money(value) is None:
        return f"{header}: is not an amount in pounds"
    return None


def answer_problem(tab: TabLayout, column: SheetColumn, value: str, correction: str = "") -> str | None:
    """An answer's check, or the check of the lead's correction of it when there is one (corrected_<key>)."""
    fix, fixed = tab.column("lead", corrected(column.key)), correction.strip()
    problem = check_answer(column.check, fix.header if fix and fixed else column.header, fixed or value)
    if problem and fix and column.check == "email":
        return (
            f"the email address is not valid: correct it in {fix.header}"
            if not fixed
            else f"the email address in {fix.header} is not valid either"
        )
    return problem


def refreshed_flags(tab: TabLayout, flags: str, column: SheetColumn, value: str, correction: str) -> str:
    """A row's Needs checking with the flag of one checked answer as it stands now (a lead corrected it)."""
    stale = {
        answer_problem(tab, column, value),
        answer_problem(tab, column, value, "x"),
    }  # uncorrected, corrected wrongly
    kept = [flag for flag in flags.split("; ") if flag and flag not in stale]
    problem = answer_problem(tab, column, value, correction)
    return "; ".join(kept + ([problem] if problem else []))


def fit_cell(value: str) -> tuple[str, bool]:
    if len(value) <= CELL_LIMIT:
        return value, False
    return value[: CELL_LIMIT - len(CUT_MARKER)] + CUT_MARKER, True


def build_row(
    tab: TabLayout,
    spec_name: str,
    spec: FormSpec,
    response: dict,
    form_version: str,
    partner: Partner | None = None,
    tool_values: dict[str, str] | None = None,
    answers: dict[str, str] | None = None,
    *,
    zone: str,
    corrections: dict[str, str] | None = None,
) -> Row:
    """The tool and answer cells of one response; `tool_values` supplies reference, mileage and total;
    `answers` are the response's answers already decoded (answers_by_key), decoded here if not given;
    times are written in `zone`, the organisation's (config email.timezone); `corrections` are the lead's
    corrected answers as read (answer key -> value): an answer failing its check is flagged unless corrected."""
    answers = answers_by_key(spec_name, spec, response) if answers is None else answers
    flags: list[str] = []
    known = {
        "response_id": response["responseId"],
        "submitted": readable_time(response.get("createTime") or response["lastSubmittedTime"], zone),
        "submitted_date": readable_time(response.get("createTime") or response["lastSubmittedTime"], zone)[:10],
        "last_edited": readable_time(response.get("lastSubmittedTime", ""), zone),
        "form_version": form_version,
        "partner_reference": answers.get("reference", ""),
        "partner_name": partner.name if partner else "",
        "opportunity": partner.opportunity_group if partner else "",
        **(tool_values or {}),
    }
    if tab.form in JOINED_FORMS and partner is None:
        flags.append("reference not found: this person could not be matched to an expression of interest")
    index, written = _row_shape(tab)
    line: list[str] = []
    for column in written:
        if column.kind == "answer":
            value = answers.get(column.key, "")
            problem = answer_problem(tab, column, value, (corrections or {}).get(column.key, ""))
            if problem:
                flags.append(problem)
        elif column.key == "flags":
            value = ""  # once every other cell is known
        else:
            value = known.get(column.key, "")
        value, cut = fit_cell(value)
        if cut:
            flags.append(f"{column.header}: cut to fit a cell")
        line.append(value)
    if tab.column("tool", "flags"):
        line[index[tab.header("tool", "flags")][-1]] = "; ".join(flags)
    defaults = {c.header: c.default for c in tab.columns if c.kind == "lead" and c.default}
    defaults |= {c.header: known[c.key] for c in tab.columns if c.kind == "tool" and c.key in WRITTEN_ONCE}
    # the cells as one line over the tab's shared header positions: a dict of 30 headers for each of
    # 100,000 new rows was the largest part of a first sync's memory
    cells = LineRecord(index, line)
    return Row(response["responseId"], response.get("lastSubmittedTime", ""), cells, defaults, tuple(flags))


_SHAPES: dict[int, tuple[TabLayout, dict[str, tuple[int, ...]], tuple[SheetColumn, ...]]] = {}


def _row_shape(tab: TabLayout) -> tuple[dict[str, tuple[int, ...]], tuple[SheetColumn, ...]]:
    """The columns a response's row writes (tool and answer columns, its flags last), and their positions:
    worked out once a layout (kept by identity: hashing a layout of 30 columns for each row costs more)."""
    known = _SHAPES.get(id(tab))
    if known is not None and known[0] is tab:
        return known[1], known[2]
    written = tuple(
        c
        for c in tab.columns
        if c.kind == "answer" or (c.kind == "tool" and c.key not in KEPT_BY_OTHERS | WRITTEN_ONCE)
    )
    flags = tab.column("tool", "flags")
    written += (flags,) if flags else ()
    _SHAPES[id(tab)] = (tab, positions([c.header for c in written]), written)
    return _SHAPES[id(tab)][1], written
