"""Sheet layouts as code (sheet_layouts/*.yaml): which answers become which columns, under what headers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from ..errors import Problem, ValidationFailed
from ..models import Label, Model, parse
from ..specs.models import FormSpec, Key
from ..vocabulary import JOINED_FORMS, MONITORING_FORM, RESPONSE_ID, SPEC_NAMES
from ..yamlload import load, shown

ToolKey = Literal[
    "response_id",
    "reference",
    "partner_reference",
    "partner_name",
    "opportunity",
    "submitted",
    "submitted_date",
    "last_edited",
    "form_version",
    "flags",
    "mileage",
    "total",
    "status_seen",
    "last_email",
    "confidentiality",
]
TOOL_HEADERS = {"response_id": RESPONSE_ID}
ANONYMOUS_FORMS = {MONITORING_FORM}  # no reference, never joined to a person


class Column(Model):
    tool: ToolKey | None = None
    answer: Key | None = None
    answers: Literal["rest"] | None = None
    lead: Key | None = None
    header: Label | None = None
    width: int = Field(default=120, ge=20, le=1000)
    choices: list[Label] | None = None
    default: Label | None = None
    check: Literal["email", "number", "money"] | None = None
    role: Literal["journey_date", "travel_mode", "miles"] | None = None  # what mileage is worked out from

    @model_validator(mode="after")
    def _one_kind(self) -> Column:
        kinds = [k for k in ("tool", "answer", "answers", "lead") if getattr(self, k)]
        if len(kinds) != 1:
            raise ValueError("a column is exactly one of tool:, answer:, answers: rest or lead:")
        if not self.answers and not self.header:
            raise ValueError("the column needs a header: the text leads see at the top")
        if (self.choices or self.default) and not self.lead:
            raise ValueError("choices and default belong to lead columns only")
        if (self.check or self.role) and not self.answer:
            raise ValueError("check and role belong to answer columns only")
        if self.default and self.choices and self.default not in self.choices:
            raise ValueError(f"default {self.default!r} is not one of the choices")
        return self


class Layout(Model):
    spreadsheet: Literal["opportunity", "expenses", "admin", "monitoring", "scheme"]
    form: Literal[SPEC_NAMES]  # type: ignore[valid-type]
    tab: Label
    columns: list[Column] = Field(min_length=1)


@dataclass(frozen=True)
class SheetColumn:
    kind: str  # tool | answer | lead
    key: str
    header: str
    width: int = 120
    choices: tuple[str, ...] = ()
    default: str = ""
    check: str | None = None
    role: str | None = None
    plain_text: bool = False  # a date a lead types stays the text typed (not a date value in the sheet's locale)
    long_text: bool = False  # the answer to a paragraph question: written once, not read back unless used


@dataclass(frozen=True)
class TabLayout:
    """A layout resolved against one filled-in spec: the columns of one tab, in order."""

    name: str  # layout file stem
    form: str
    tab: str
    columns: tuple[SheetColumn, ...]

    def header_row(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, kind: str, key: str) -> SheetColumn | None:
        return next((c for c in self.columns if c.kind == kind and c.key == key), None)

    def header(self, kind: str, key: str) -> str:
        """The header of a column the tool relies on (such as its response id): missing is a bug."""
        column = self.column(kind, key)
        if column is None:
            raise KeyError(f"the tab {self.tab} has no {kind} column {key}")
        return column.header

    def with_role(self, role: str) -> SheetColumn | None:
        return next((c for c in self.columns if c.role == role), None)


def load_layouts(directory: Path) -> dict[str, Layout]:
    layouts, problems = {}, []
    for path in sorted(directory.glob("*.yaml")):
        try:
            layouts[path.stem] = parse(Layout, load(path), shown(path))
        except ValidationFailed as failed:
            problems.extend(failed.problems)
    if not layouts and not problems:
        problems.append(Problem(shown(directory), None, "no sheet layouts found; add sheet_layouts/*.yaml"))
    if problems:
        raise ValidationFailed(problems)
    return layouts


def resolve(name: str, layout: Layout, spec: FormSpec) -> TabLayout:
    """Columns for one spec: answers of questions the spec lacks are left out, `answers: rest` expands."""
    listed = {c.answer for c in layout.columns if c.answer}
    columns: list[SheetColumn] = []
    for column in layout.columns:
        if column.tool:
            columns.append(SheetColumn("tool", column.tool, column.header or "", column.width))
        elif column.lead:
            columns.append(
                SheetColumn(
                    "lead",
                    column.lead,
                    column.header or "",
                    column.width,
                    tuple(column.choices or ()),
                    column.default or "",
                )
            )
        elif column.answer:
            item = spec.item(column.answer)
            if item is not None and item.type != "link_code":  # a person's link code is never shown
                columns.append(
                    SheetColumn(
                        "answer",
                        column.answer,
                        column.header or "",
                        column.width,
                        check=column.check,
                        role=column.role,
                        long_text=item.type == "paragraph",
                    )
                )
        else:
            for item in spec.items():
                if item.is_question and item.type not in ("reference", "link_code") and item.key not in listed:
                    long_text = item.type == "paragraph"
                    columns.append(
                        SheetColumn("answer", item.key, item.title, 220 if long_text else 160, long_text=long_text)
                    )
    return TabLayout(name, layout.form, layout.tab, tuple(_unique_headers(columns)))


def _unique_headers(columns: list[SheetColumn]) -> list[SheetColumn]:
    """Two questions with the same wording get their key added, since headers find columns."""
    seen: set[str] = set()
    unique = []
    for column in columns:
        header = column.header if column.header not in seen else f"{column.header} ({column.key})"
        seen.add(header)
        unique.append(column if header == column.header else replace(column, header=header))
    return unique


def check_layouts(
    layouts: dict[str, Layout], specs: dict[str, FormSpec], directory: Path, extra_keys: dict[str, set[str]]
) -> list[Problem]:
    """Layouts against the specs: answers that exist, one response id column, unique headers."""
    problems = []
    for name, layout in layouts.items():
        file = shown(directory / f"{name}.yaml")
        spec = specs.get(layout.form)
        known = {item.key for item in spec.items()} | extra_keys.get(layout.form, set()) if spec else set()
        for column in layout.columns:
            if column.answer and column.answer not in known:
                problems.append(
                    Problem(
                        file,
                        column.line,
                        f"answer {column.answer} is not a question of the {layout.form} form; use one of its keys",
                    )
                )
        problems += _repeated_headers(layout, file)
        tools = [c.tool for c in layout.columns if c.tool]
        if tools.count("response_id") != 1:
            problems.append(
                Problem(
                    file, layout.line, "a layout needs exactly one {tool: response_id} column: rows are found by it"
                )
            )
        if layout.form in JOINED_FORMS and "partner_reference" not in tools:
            problems.append(
                Problem(
                    file,
                    layout.line,
                    f"the {layout.form} form is joined to the partner by reference; add {{tool: partner_reference, header: Reference}}",
                )
            )
        if spec:
            headers = resolve(name, layout, spec).header_row()
            for header in {h for h in headers if headers.count(h) > 1}:
                problems.append(
                    Problem(
                        file,
                        layout.line,
                        f"the header {header!r} appears twice; headers find columns, so make each unique",
                    )
                )
    return problems


def _repeated_headers(layout: Layout, file: str) -> list[Problem]:
    """A header written twice in a layout: columns are found by header, so the second is refused."""
    problems, seen = [], set()
    for column in layout.columns:
        if column.header is None:
            continue
        if column.header in seen:
            problems.append(
                Problem(
                    file,
                    column.line,
                    f"the header {column.header!r} appears twice; headers find columns, so give this column its own",
                )
            )
        seen.add(column.header)
    return problems
