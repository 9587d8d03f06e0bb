"""Writes cut into requests under Google's recommended 2 MB payload, fewest requests first.

Sheets "Usage limits" (https://developers.google.com/workspace/sheets/api/limits): "To speed up requests,
we recommend a 2 MB maximum payload"; past 10 MiB Google refuses the request outright (docs/google-fidelity.md).
A block of rows too large for one request is cut by rows, each piece at its own A1 range; ranges are
packed in order, so a later write to a cell still lands after an earlier one.
"""

from __future__ import annotations

import json
import re

MAX_PAYLOAD = 2_000_000  # bytes of JSON per request: under Google's recommended 2 MB (2 * 1,000,000)
ENVELOPE = 200  # bytes of a request besides its ranges (valueInputOption, braces), with room to spare
RANGE_OVERHEAD = 64  # bytes of one range's keys besides its A1 text and values

Range = tuple[str, list[list[str]]]
_A1 = re.compile(r"^(?P<tab>.*)!(?P<c1>[A-Z]+)(?P<r1>\d+):(?P<c2>[A-Z]+)(?P<r2>\d+)$")


def _row_size(row: list[str]) -> int:
    return len(json.dumps(row)) + 2  # as requests sends JSON (ASCII-escaped), with its ", "


def _split(a1: str, rows: list[list[str]], limit: int) -> list[Range]:
    """One range's rows in pieces each under `limit` bytes (a single row larger than that stays whole:
    cells are cut at Google's 50,000 characters before they get here)."""
    match = _A1.match(a1)
    if not match:
        return [(a1, rows)]
    first = int(match["r1"])
    pieces: list[Range] = []
    start, size = first, 0
    block: list[list] = []
    for offset, row in enumerate(rows):
        row_size = _row_size(row)
        if block and size + row_size > limit:
            pieces.append((_rows_range(match, start, first + offset - 1), block))
            start, size, block = first + offset, 0, []
        block.append(row)
        size += row_size
    if block:
        pieces.append((_rows_range(match, start, first + len(rows) - 1), block))
    return pieces


def _rows_range(match: re.Match, first: int, last: int) -> str:
    return f"{match['tab']}!{match['c1']}{first}:{match['c2']}{last}"


def chunked(ranges: list[Range], limit: int = MAX_PAYLOAD) -> list[list[Range]]:
    """The ranges of one write as the ranges of successive requests, each under `limit` bytes."""
    budget = limit - ENVELOPE
    requests: list[list[Range]] = []
    current: list[Range] = []
    used = 0
    for a1, rows in ranges:
        for piece_a1, piece in _split(a1, rows, budget - RANGE_OVERHEAD - len(a1) * 2):
            size = RANGE_OVERHEAD + len(json.dumps(piece_a1)) + sum(_row_size(row) for row in piece)
            if current and used + size > budget:
                requests.append(current)
                current, used = [], 0
            current.append((piece_a1, piece))
            used += size
    if current:
        requests.append(current)
    return requests
