"""Expense claims: mileage at the configured rates and a total, for new claims and the partner's others."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..config import Config
from ..sheets.layout import TabLayout
from .mileage import Journey, mileage
from .rows import Row, parse_money, parse_number
from .spreadsheets import SheetRun


def add_money(config: Config, run: SheetRun, tab: TabLayout, new_rows: list[Row]) -> list[Row]:
    """Mileage and totals for new claims (filled into their rows), and again for the partner's other claims
    the car rate affects (returned: rows to write)."""
    found = {
        "day": tab.with_role("journey_date"),
        "mode": tab.with_role("travel_mode"),
        "miles": tab.with_role("miles"),
        "partner": tab.column("tool", "partner_reference"),
        "id": tab.column("tool", "response_id"),
        "mileage": tab.column("tool", "mileage"),
        "total": tab.column("tool", "total"),
    }
    money = [c.header for c in tab.columns if c.check == "money"]
    if not all(found.values()):
        return []
    columns = {name: column for name, column in found.items() if column is not None}
    values = run.values.get(tab.tab, [])
    claims = {}
    for line in values[1:]:
        cells = dict(zip(values[0], line))
        if cells.get(columns["id"].header):
            claims[cells[columns["id"].header]] = cells
    for row in new_rows:
        claims[row.response_id] = {**claims.get(row.response_id, {}), **row.cells}
    touched = {claims[row.response_id].get(columns["partner"].header) for row in new_rows}
    mine = {rid: c for rid, c in claims.items() if c.get(columns["partner"].header) in touched}
    journeys = []
    for response_id, claim in mine.items():
        miles, day = parse_number(claim.get(columns["miles"].header, "")), _date(claim.get(columns["day"].header, ""))
        if miles is not None and day is not None:
            journeys.append(
                Journey(
                    response_id, claim[columns["partner"].header], day, claim.get(columns["mode"].header, ""), miles
                )
            )
    owed = mileage(journeys, config.mileage_rates)
    by_id = {row.response_id: row for row in new_rows}
    others = []
    for response_id, claim in mine.items():
        amount = owed.get(response_id, Decimal(0))
        costs = sum((parse_money(claim.get(header, "")) or Decimal(0)) for header in money)
        cells = {columns["mileage"].header: f"{amount:.2f}", columns["total"].header: f"{amount + costs:.2f}"}
        if response_id in by_id:
            by_id[response_id].cells.update(cells)
        elif any(claim.get(h, "") != v for h, v in cells.items()):
            others.append(Row(response_id, "", cells))
    return others


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None
