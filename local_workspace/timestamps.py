"""RFC 3339 timestamps as Google writes them (UTC, milliseconds, Z)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_RFC3339 = re.compile(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})\Z")


def now() -> datetime:
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(text: str, zulu_only: bool = False) -> datetime:
    """Parse RFC 3339; ValueError when it is not (or, with zulu_only, not in UTC 'Z')."""
    match = _RFC3339.match(text.strip())
    if not match or (zulu_only and match.group(4) != "Z"):
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}")
    date, clock, fraction, zone = match.groups()
    micros = int((fraction or "0").ljust(6, "0")[:6])
    base = datetime.fromisoformat(f"{date}T{clock}{'+00:00' if zone == 'Z' else zone}")
    return base.replace(microsecond=micros).astimezone(UTC)


def later_than(previous: str, moment: datetime) -> datetime:
    """`moment`, pushed just past `previous` so an edit always moves time forward."""
    floor = parse_time(previous) + timedelta(milliseconds=1)
    return max(moment, floor)
