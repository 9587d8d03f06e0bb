"""Equal-opportunities monitoring as counts, with small numbers hidden (ppp-gsuite report diversity).

Pure: it takes the rows of the monitoring sheet (header -> answer) and returns counts per
characteristic, for all responses and for each opportunity. A count from 1 to threshold - 1 is
hidden ("fewer than 5"), and so is an opportunity's total under the threshold. So that a hidden
number cannot be worked out by subtraction, no sum may have exactly one hidden number in it: where it
would, the next smallest count is hidden too. The sums are: each table (its counts add up to the
total of its part of the report), each answer across the opportunities (they add up to the count
for all responses), and the opportunities' totals (they add up to the number of responses).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

NOT_ANSWERED = "Not answered"
PREFER_NOT_TO_SAY = "Prefer not to say"
ALL = None  # the part of the report covering every response
Key = tuple[Any, ...]  # ("total", part) or ("count", part, header, value)


@dataclass(frozen=True)
class Table:
    """One characteristic: each answer given, with its count as shown (a number or "fewer than 5")."""

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
    overall: Part
    opportunities: tuple[Part, ...]


def diversity_report(
    rows: list[dict[str, str]],
    characteristics: list[tuple[str, str]],
    opportunity_header: str,
    threshold: int = 5,
) -> Report:
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    by_opportunity: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_opportunity.setdefault(_answer(row, opportunity_header), []).append(row)
    opportunities = sorted(by_opportunity, key=_order)
    parts = [ALL, *opportunities]
    values = {header: sorted({_answer(r, header) for r in rows}, key=_order) for header, _ in characteristics}

    # Every number in the report, keyed ("total", part) or ("count", part, header, value).
    counts: dict[Key, int] = {}
    for part in parts:
        responses = rows if part is ALL else by_opportunity[part]
        counts[("total", part)] = len(responses)
        for header, _ in characteristics:
            tally = Counter(_answer(r, header) for r in responses)
            for value in values[header]:
                counts[("count", part, header, value)] = tally[value]

    # Sums a reader could subtract from: (a total, the counts that add up to it).
    sums: list[tuple[Key, list[Key]]] = [(("total", ALL), [("total", o) for o in opportunities])]
    for part in parts:
        for header, _ in characteristics:
            sums.append((("total", part), [("count", part, header, v) for v in values[header]]))
    for header, _ in characteristics:
        for value in values[header]:
            sums.append((("count", ALL, header, value), [("count", o, header, value) for o in opportunities]))

    # A sum with exactly one hidden number in it (the total or one of its counts) gives that number
    # away: hide one more, the smallest count above zero (a zero, or the total, only if nothing else
    # is left; "fewer than 5" is true of zero too). Repeat until no sum gives anything away. Sums
    # can still be combined to pin a small count down; if they do, hide a count near it and repeat.
    small = {key for key, n in counts.items() if 0 < n < threshold}
    hidden = set(small)
    def smallest(keys: list[Key]) -> Key:
        return min(keys, key=lambda k: (counts[k] == 0, counts[k]))

    while True:
        changed = True
        while changed:
            changed = False
            for total, members in sums:
                if members and sum(k in hidden for k in (total, *members)) == 1:
                    shown = [m for m in members if m not in hidden]
                    hidden.add(smallest(shown) if shown else total)
                    changed = True
        exposed = sorted(small & _worked_out(hidden, sums), key=repr)
        if not exposed:
            break
        near = [k for total, members in sums if exposed[0] in (total, *members) for k in (total, *members)]
        candidates = [k for k in near if k not in hidden] or [k for k in counts if k not in hidden]
        if not candidates:  # cannot happen: with nothing shown, nothing can be worked out
            break
        hidden.add(smallest(candidates))

    def show(key: Key) -> str:
        return f"fewer than {threshold}" if key in hidden else str(counts[key])

    def part_of(part: str | None) -> Part:
        tables = tuple(
            Table(label, tuple((v, show(("count", part, header, v))) for v in values[header]))
            for header, label in characteristics
        )
        return Part("All responses" if part is ALL else part, show(("total", part)), tables)

    return Report(threshold, part_of(ALL), tuple(part_of(o) for o in opportunities))


def _worked_out(hidden: set[Key], sums: list[tuple[Key, list[Key]]]) -> set[Key]:
    """The hidden numbers that the sums, with the shown numbers filled in, fix exactly.

    Each sum is an equation in the hidden numbers; reduce them (Gauss-Jordan) and a hidden number is
    fixed when its pivot row holds nothing else.
    """
    pivots: dict[Key, dict[Key, Fraction]] = {}  # hidden key -> its row, with 1 for itself and 0 for every other pivot
    for total, members in sums:
        row = {m: Fraction(1) for m in members if m in hidden}
        if total in hidden:
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
                merged = {k: other_row.get(k, Fraction(0)) - factor * row.get(k, Fraction(0)) for k in other_row.keys() | row.keys()}
                pivots[other] = {k: v for k, v in merged.items() if v}
        pivots[key] = row
    return {key for key, row in pivots.items() if len(row) == 1}


def _answer(row: dict[str, str], header: str) -> str:
    return (row.get(header) or "").strip() or NOT_ANSWERED


def _order(value: str) -> tuple[int, str]:
    """Answers in alphabetical order, with "Prefer not to say" and "Not answered" last."""
    return ({PREFER_NOT_TO_SAY: 1, NOT_ANSWERED: 2}.get(value, 0), value.casefold())


def format_report(report: Report) -> str:
    """Plain text tables for a terminal. The report holds counts only, never anyone's answers."""
    lines = [
        "Equal opportunities monitoring",
        "",
        f"Counts from 1 to {report.threshold - 1} are shown as \"fewer than {report.threshold}\".",
        "A few other counts are hidden the same way, so that the small ones cannot be worked out.",
    ]
    if report.opportunities:
        lines += ["", *_table("Responses by opportunity", [(p.title, p.total) for p in report.opportunities])]
    for part in (report.overall, *report.opportunities):
        heading = part.title if part is report.overall else f"Opportunity: {part.title}"
        lines += ["", f"== {heading}: {part.total} responses =="]
        for table in part.tables:
            lines += ["", *_table(table.label, list(table.rows))]
    return "\n".join(lines) + "\n"


def _table(label: str, rows: list[tuple[str, str]]) -> list[str]:
    width = max([len(label), *(len(v) for v, _ in rows)])
    count_width = max([len("Count"), *(len(c) for _, c in rows)])
    out = [f"{label:<{width}}  {'Count':>{count_width}}", f"{'-' * width}  {'-' * count_width}"]
    out += [f"{value:<{width}}  {count:>{count_width}}" for value, count in rows]
    return out
