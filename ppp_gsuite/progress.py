"""What a person at a terminal sees while a run waits for Google's per-minute quotas: a progress bar
of the wait. Nothing when stderr is not a terminal (cron's log gets the summary line only)."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

import click

from .google.pacing import QUOTAS, Wait

SHOWN_FROM_SECONDS = 1.0  # shorter waits pass without a bar


def wait_display(stream=None) -> Callable[[Wait, Callable[[float], None]], None] | None:
    """A Pacer's on_wait for a terminal; None when `stream` (stderr by default) is not one."""
    stream = stream or sys.stderr
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return None

    def on_wait(wait: Wait, sleep: Callable[[float], None]) -> None:
        if wait.seconds < SHOWN_FROM_SECONDS:
            sleep(wait.seconds)
            return
        steps = math.ceil(wait.seconds)
        label = f"{wait.requests} requests to Google so far; pausing for the per-minute quota of {QUOTAS[wait.quota]}"
        with click.progressbar(length=steps, label=label, file=stream, show_eta=True) as bar:
            for _ in range(steps):
                sleep(wait.seconds / steps)
                bar.update(1)

    return on_wait
