"""Equal-opportunities monitoring as counts, with small numbers hidden (ppp-gsuite report diversity).

Pure: it takes the rows of the monitoring sheet (header -> answer) and returns counts per
characteristic, for all responses and for each opportunity. Every answer the form offers is listed
(with "Not answered"), so that a listed answer says nothing about whether someone gave it.

What is hidden, so that no count from 1 to threshold - 1 can be worked out from what is shown:
- a group (all responses, or one opportunity's) smaller than the threshold gets no breakdown at
  all, and neither do the answers "Prefer not to say" and "Not answered" to the opportunity
  question: they are answers, not opportunities, and are counted in "All responses" only;
- every count from 1 to threshold - 1;
- more counts where the sums a reader can make would give a small count away. The sums are: each
  table (its counts add up to the total of its part of the report), each answer across the
  opportunities (with the breakdowns not printed, they add up to the count for all responses), and
  the numbers of responses by opportunity. The reader is assumed to know every zero (hidden or
  not): a small count that such a reader cannot work out, from the sums with every shown number in
  them, cannot be worked out either by one who also knows no count is negative;
- a zero in a table that hides anything, so that "hidden" does not tell a zero from a small count.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..sheets.layout import TabLayout
from ..specs.models import FormSpec

NOT_ANSWERED = "Not answered"
PREFER_NOT_TO_SAY = "Prefer not to say"
HIDDEN = "hidden"
ALL = None  # the part of the report covering every response
# A number in a report: ("total", group) or ("count", group, header, value); the group is ALL or an opportunity.
_Key = tuple[str | None, ...]
_Sum = tuple[_Key, list[_Key]]  # a total, and the numbers that add up to it
Key = tuple[Any, ...]  # ("total", part) or ("count", part, header, value)


@dataclass(frozen=True)
class Characteristic:
    """One question of the monitoring form: its column header, its label in the report, its choices."""

    header: str
    label: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """One characteristic: each answer, with its count as shown (a number or "hidden")."""

    label: str
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Part:
    """All responses, or the responses for one opportunity."""

    title: str
    total: str
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class Report:
    threshold: int
    overall: Part  # its first table is the responses by opportunity, when shown
    opportunities: tuple[Part, ...]  # only those with a breakdown of their own


def diversity_report(
    rows: list[dict[str, str]],
    characteristics: list[Characteristic],
    opportunity: Characteristic,
    threshold: int = 5,
) -> Report:
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    answers = {c.header: _values(c, rows) for c in (opportunity, *characteristics)}
    groups = answers[opportunity.header]  # every answer to the opportunity question is a group
    members = {g: [r for r in rows if _answer(r, opportunity.header) == g] for g in groups}

    # Every number a report could hold, keyed ("total", group) or ("count", group, header, value).
    counts: dict[_Key, int] = {("total", ALL): len(rows)}
    for group in (ALL, *groups):
        people = rows if group is ALL else members[group]
        counts[("total", group)] = len(people)
        for c in characteristics:
            tally = Counter(_answer(r, c.header) for r in people)
            for value in answers[c.header]:
                counts[("count", group, c.header, value)] = tally[value]

    # Sums a reader could subtract from: (a total, the numbers that add up to it).
    sums: list[_Sum] = [(("total", ALL), [("total", g) for g in groups])]
    for group in (ALL, *groups):
        for c in characteristics:
            sums.append((("total", group), [("count", group, c.header, v) for v in answers[c.header]]))
    for c in characteristics:
        for value in answers[c.header]:
            sums.append((("count", ALL, c.header, value), [("count", g, c.header, value) for g in groups]))

    # What is printed: the number of responses; with enough of them, the responses by opportunity and
    # the breakdown of all responses; and the breakdown of each opportunity with enough responses.
    broken_down: list[str | None] = [ALL] if len(rows) >= threshold else []
    if broken_down:
        broken_down += [
            g for g in groups if g not in (PREFER_NOT_TO_SAY, NOT_ANSWERED) and len(members[g]) >= threshold
        ]
    printed: set[_Key] = {("total", ALL)} | ({("total", g) for g in groups} if broken_down else set())
    printed |= {key for key in counts if key[0] == "count" and key[1] in broken_down}
    for group in broken_down:
        printed.add(("total", group))

    hidden = {key for key in counts if key not in printed or 0 < counts[key] < threshold}
    small = {key for key, n in counts.items() if 0 < n < threshold}
    _hide_what_gives_small_counts_away(counts, sums, printed, hidden, small)

    # A zero beside anything hidden is hidden too.
    tables = [sums[0]] + [(total, m) for total, m in sums[1:] if total[0] == "total"]
    for total, numbers in tables:
        if any(k in hidden for k in (total, *numbers) if k in printed):
            hidden |= {k for k in numbers if counts[k] == 0}

    def show(key: _Key) -> str:
        return HIDDEN if key in hidden else str(counts[key])

    def part_of(group: str | None) -> Part:
        found = []
        if group is ALL and broken_down:
            found.append(Table(opportunity.label, tuple((g, show(("total", g))) for g in groups)))
        if group in broken_down:
            found += [
                Table(c.label, tuple((v, show(("count", group, c.header, v))) for v in answers[c.header]))
                for c in characteristics
            ]
        return Part("All responses" if group is ALL else group, show(("total", group)), tuple(found))

    return Report(threshold, part_of(ALL), tuple(part_of(g) for g in broken_down if g is not ALL))


def monitoring_report(
    spec: FormSpec, tab: TabLayout, rows: list[dict[str, str]], opportunity_key: str = "opportunity"
) -> Report:
    """The report of the monitoring form's answers, as they stand in its tab (header -> answer)."""
    questions = {}
    for item in spec.items():
        column = tab.column("answer", item.key) if item.is_question else None
        if column is not None:
            questions[item.key] = Characteristic(column.header, item.title, tuple(c.label for c in item.choices or ()))
    opportunity = questions.pop(opportunity_key)
    return diversity_report(rows, list(questions.values()), opportunity)


def _hide_what_gives_small_counts_away(
    counts: dict[_Key, int], sums: list[_Sum], printed: set[_Key], hidden: set[_Key], small: set[_Key]
) -> None:
    """Hide more printed numbers until no small count follows from the sums (hidden zeros taken as known)."""

    def unknown(key: _Key) -> bool:
        return key in hidden and counts[key] != 0

    def smallest(keys: list[_Key]) -> _Key | None:
        shown = [k for k in keys if k in printed and k not in hidden and counts[k] != 0]
        return min(shown, key=lambda k: (counts[k], repr(k))) if shown else None

    while True:
        changed = True
        while changed:  # a sum with exactly one unknown in it gives that one away: hide one more
            changed = False
            for total, members in sums:
                unknowns = [k for k in (total, *members) if unknown(k)]
                if len(unknowns) == 1 and unknowns[0] in small:
                    pick = smallest(members) or smallest([total])
                    if pick is not None:
                        hidden.add(pick)
                        changed = True
        # Sums can still be combined to pin a small count down; if they do, hide a number near it.
        exposed = sorted(small & _worked_out({k for k in hidden if unknown(k)}, sums), key=repr)
        if not exposed:
            return
        near = [k for total, members in sums if exposed[0] in (total, *members) for k in (total, *members)]
        pick = smallest(near) or smallest(list(counts))
        if pick is None:  # cannot happen: with nothing shown, nothing can be worked out
            return
        hidden.add(pick)


def _worked_out(unknown: set[_Key], sums: list[_Sum]) -> set[_Key]:
    """The unknown numbers that the sums, with every other number filled in, fix exactly.

    Each sum is an equation in the unknowns; reduce them (Gauss-Jordan) and an unknown is fixed when
    its pivot row holds nothing else.
    """
    pivots: dict[
        _Key, dict[_Key, Fraction]
    ] = {}  # unknown key -> its row, with 1 for itself and 0 for every other pivot
    for total, members in sums:
        row: dict[_Key, Fraction] = {}
        for m in members:
            if m in unknown:
                row[m] = row.get(m, Fraction(0)) + 1
        if total in unknown:
            row[total] = row.get(total, Fraction(0)) - 1
        for key, pivot_row in pivots.items():
            factor = row.get(key)
            if factor:
                for k, v in pivot_row.items():
                    row[k] = row.get(k, Fraction(0)) - factor * v
        row = {k: v for k, v in row.items() if v}
        if not row:
            continue
        key = min(row, key=repr)
        row = {k: v / row[key] for k, v in row.items()}
        for other, other_row in pivots.items():
            factor = other_row.get(key)
            if factor:
                merged = {
                    k: other_row.get(k, Fraction(0)) - factor * row.get(k, Fraction(0))
                    for k in other_row.keys() | row.keys()
                }
                pivots[other] = {k: v for k, v in merged.items() if v}
        pivots[key] = row
    return {key for key, row in pivots.items() if len(row) == 1}


def _answer(row: dict[str, str], header: str) -> str:
    return (row.get(header) or "").strip() or NOT_ANSWERED


def _values(characteristic: Characteristic, rows: list[dict[str, str]]) -> list[str]:
    """The form's choices in its order, then any other answer found (a choice since removed), then
    "Not answered"; "Prefer not to say" comes last but one."""
    offered = [c for c in characteristic.choices if c not in (PREFER_NOT_TO_SAY, NOT_ANSWERED)]
    others = sorted(
        {_answer(r, characteristic.header) for r in rows} - {*offered, PREFER_NOT_TO_SAY, NOT_ANSWERED},
        key=str.casefold,
    )
    return [*offered, *others, PREFER_NOT_TO_SAY, NOT_ANSWERED]


def format_report(report: Report) -> str:
    """Plain text tables for a terminal. The report holds counts only, never anyone's answers."""
    t = report.threshold
    lines = [
        "Equal opportunities monitoring",
        "",
        f'A count shown as "{HIDDEN}" is from 0 to {t - 1}, or is hidden so that one from 1 to {t - 1}',
        f"cannot be worked out from the others. A group of fewer than {t} responses, and the answers",
        '"Prefer not to say" and "Not answered" to the opportunity, get no breakdown of their own.',
    ]
    for part in (report.overall, *report.opportunities):
        heading = part.title if part is report.overall else f"Opportunity: {part.title}"
        lines += ["", f"== {heading}: {part.total} responses =="]
        for table in part.tables:
            lines += ["", *_table(table.label, list(table.rows))]
    return "\n".join(lines) + "\n"


def counts_of_sheet(
    spec: FormSpec, tab: TabLayout, values: list[list[str]], new: Sequence[Mapping[str, str]]
) -> list[list[str]]:
    """The counts tab for the monitoring answers as their tab holds them (`values`, its header first)
    with the rows about to be written (`new`, header -> cell) in place of those they update."""
    key = tab.column("tool", "response_id")
    rows = {str(n): dict(zip(values[0], line)) for n, line in enumerate(values[1:]) if any(line)} if values else {}
    by_id = {row.get(key.header, ""): n for n, row in rows.items()} if key else {}
    for number, row in enumerate(new):
        rows[by_id.get(row.get(key.header, "") if key else "", f"new {number}")] = dict(row)
    return counts_tab(monitoring_report(spec, tab, list(rows.values())))


def counts_tab(report: Report) -> list[list[str]]:
    """The report as rows for a spreadsheet tab: (responses, question, answer, count)."""
    out = [list(COUNTS_HEADER)]
    for part in (report.overall, *report.opportunities):
        out.append([part.title, "Number of responses", "", part.total])
        for table in part.tables:
            out += [[part.title, table.label, value, count] for value, count in table.rows]
    return out


COUNTS_HEADER = ("Responses", "Question", "Answer", "Count")


def _table(label: str, rows: list[tuple[str, str]]) -> list[str]:
    width = max([len(label), *(len(v) for v, _ in rows)])
    count_width = max([len("Count"), *(len(c) for _, c in rows)])
    out = [f"{label:<{width}}  {'Count':>{count_width}}", f"{'-' * width}  {'-' * count_width}"]
    out += [f"{value:<{width}}  {count:>{count_width}}" for value, count in rows]
    return out
