"""The run's log for operators: one line per step on stderr, the run's summary last.

`text`: `2026-11-30T21:00:00Z INFO read responses: responses=12 pages=3`. `json`: one JSON object a line
in the shape Cloud Logging reads from a container's output (`severity`, `message`, `timestamp`, and the
step's fields beside them). Callers pass counts, states and durations only: never a name, an address,
an answer or a token (the fields are numbers, booleans, fixed words, or dicts of those).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from .vocabulary import utc_stamp

LOG_FORMATS = ("text", "json")


class RunLog:
    def __init__(
        self, log_format: str = "text", stream: TextIO | None = None, clock: Callable[[], datetime] | None = None
    ):
        if log_format not in LOG_FORMATS:
            raise ValueError(f"log format {log_format!r} is not one of {', '.join(LOG_FORMATS)}")
        self.format, self.stream = log_format, stream
        self.clock = clock or (lambda: datetime.now(UTC))
        self.summary: dict = {}  # the run's summary fields, filled as it goes and written last

    def step(self, message: str, severity: str = "INFO", **fields) -> None:
        stream = self.stream or sys.stderr
        stamp = utc_stamp(self.clock())
        if self.format == "json":
            entry = {"severity": severity, "message": message, "timestamp": stamp, **fields}
            stream.write(json.dumps(entry, sort_keys=False) + "\n")
        else:
            words = " ".join(f"{key}={_text(value)}" for key, value in fields.items())
            stream.write(f"{stamp} {severity} {message}" + (f": {words}" if words else "") + "\n")
        stream.flush()

    def progress(self, message: str, fields: dict) -> None:
        """A step of the sync (Sync.progress)."""
        self.step(message, **fields)

    def finish(self, exit_code: int, message: str = "sync finished") -> None:
        severity = "INFO" if exit_code == 0 else "ERROR"
        self.step(message, severity, exit_code=exit_code, **self.summary)


def _text(value) -> str:
    if isinstance(value, dict):
        return ",".join(f"{key}:{item}" for key, item in value.items()) or "none"
    return str(value)
