"""Mileage at the HMRC rates in the config: the car rate drops after 10,000 miles in a tax year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..config import MileageRate

CAR_THRESHOLD = Decimal(10_000)
PENCE = Decimal("0.01")
MODE_RATE = {"car": "car", "motorcycle": "motorcycle", "bicycle": "bicycle"}


@dataclass(frozen=True)
class Journey:
    key: str  # the response id
    partner: str  # the partner's reference
    day: date
    mode: str  # the answer, e.g. "Car or van"
    miles: Decimal


def tax_year(day: date) -> int:
    """UK tax years run 6 April to 5 April; named by the year they start."""
    return day.year if (day.month, day.day) >= (4, 6) else day.year - 1


def rate_on(rates: list[MileageRate], day: date) -> MileageRate:
    applicable = [rate for rate in rates if rate.starts <= day]
    return max(applicable, key=lambda rate: rate.starts) if applicable else min(rates, key=lambda rate: rate.starts)


def mode_of(answer: str) -> str | None:
    words = answer.lower()
    for word, mode in MODE_RATE.items():
        if word in words:
            return mode
    return None


def mileage(journeys: list[Journey], rates: list[MileageRate]) -> dict[str, Decimal]:
    """Pounds owed per journey, counting each partner's car miles through the tax year in date order."""
    owed: dict[str, Decimal] = {}
    car_miles: dict[tuple[str, int], Decimal] = {}
    for journey in sorted(journeys, key=lambda j: (j.day, j.key)):
        mode = mode_of(journey.mode)
        if mode is None:
            continue
        rate = rate_on(rates, journey.day)
        if mode != "car":
            amount = journey.miles * getattr(rate, mode)
        else:
            year = (journey.partner, tax_year(journey.day))
            before = car_miles.get(year, Decimal(0))
            at_full = max(Decimal(0), min(journey.miles, CAR_THRESHOLD - before))
            amount = at_full * rate.car + (journey.miles - at_full) * rate.car_over_10000
            car_miles[year] = before + journey.miles
        owed[journey.key] = amount.quantize(PENCE, rounding=ROUND_HALF_UP)
    return owed
