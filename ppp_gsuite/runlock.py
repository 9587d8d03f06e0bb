"""One sync (or purge, or erase) at a time on this machine: cron may start a run while one is sending.
Across machines the run's lease in the Workspace does the same (runlease.py, leased_run.py)."""

from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path

from .errors import PppError

DEFAULT_LOCK = ".ppp-gsuite/sync.lock"


class AlreadyRunning(PppError):
    pass


def lock_file(config_file: Path) -> Path:
    """The lock of one config, beside it: ./ppp-gsuite.yaml keeps .ppp-gsuite/sync.lock, and each other
    config its own (orgs/a.yaml: orgs/.ppp-gsuite/a.sync.lock), so organisations whose configs sit side
    by side in one folder run at the same time, and each still one run at a time."""
    config_file = Path(config_file).resolve()
    name = "sync.lock" if config_file.name == "ppp-gsuite.yaml" else f"{config_file.stem}.sync.lock"
    return config_file.parent / Path(DEFAULT_LOCK).parent / name


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
