"""One sync (or purge, or erase) at a time on this machine: cron may start a run while one is sending."""

from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path

from .errors import PppError


class AlreadyRunning(PppError):
    pass


@contextlib.contextmanager
def single_run(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(
                "another sync, purge or erase is still running here; this one stops without doing anything"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
