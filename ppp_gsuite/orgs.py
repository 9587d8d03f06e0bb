"""Many organisations: one config each, synced side by side, or one per Cloud Run task.

Each organisation's state lives in its own Workspace, so runs share nothing: each config is synced
by its own `ppp-gsuite --config FILE sync` process (its own sign-in, its own lock, its own clients),
at most `parallel` at a time. The exit code is the worst of theirs. Each process's output is passed
on whole once it ends (the same counts and links a single sync prints), then one summary line per
organisation: the config, the organisation's name, how it ended and how long it took.

In a Cloud Run job with one task per organisation, `CLOUD_RUN_TASK_INDEX` picks the config from the
sorted list of matches, and `CLOUD_RUN_TASK_COUNT` must equal their number (otherwise some
organisation would never be synced, or a task would have none): every task then refuses (exit 2).
"""

from __future__ import annotations

import glob
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .errors import EXIT_INVALID, EXIT_NEEDS_A_PERSON, PppError

TASK_INDEX_ENV = "CLOUD_RUN_TASK_INDEX"
TASK_COUNT_ENV = "CLOUD_RUN_TASK_COUNT"
DEFAULT_PARALLEL = 4
OUTCOMES = {0: "ok", EXIT_NEEDS_A_PERSON: "needs a person (see its output)", EXIT_INVALID: "config or specs wrong"}


class NoConfigs(PppError):
    exit_code = EXIT_INVALID


@dataclass
class OrgRun:
    config: Path
    name: str  # the organisation's name from its config, or the file's when it cannot be read
    exit_code: int
    seconds: float
    stdout: str
    stderr: str

    @property
    def summary(self) -> str:
        outcome = OUTCOMES.get(self.exit_code, "stopped")
        return f"organisation {self.name} ({self.config}): exit {self.exit_code}, {outcome}, {self.seconds:.1f} s"


def config_files(pattern: str, env: Mapping[str, str]) -> list[Path]:
    """The configs matching `pattern`, sorted; in a Cloud Run task only the one its index picks."""
    files = sorted(Path(p) for p in glob.glob(pattern) if Path(p).is_file())
    if not files:
        raise NoConfigs(f"no config matches {pattern!r} (from {Path.cwd()}); quote the pattern so the shell leaves it")
    if TASK_INDEX_ENV not in env:
        return files
    try:
        index = int(env[TASK_INDEX_ENV])
        count = int(env.get(TASK_COUNT_ENV, len(files)))
    except ValueError:
        raise NoConfigs(f"{TASK_INDEX_ENV} and {TASK_COUNT_ENV} must be whole numbers") from None
    if count != len(files) or not 0 <= index < len(files):
        raise NoConfigs(
            f"{pattern!r} matches {len(files)} configs but the Cloud Run job runs {count} tasks (this is task "
            f"{index}): set the job's task count (--tasks) to {len(files)}, one task per organisation"
        )
    return [files[index]]


def organisation_name(config: Path) -> str:
    """The organisation's name (no personal data), or the file's name when the config cannot be read."""
    from .config import load_config

    try:
        return load_config(config).config.organisation.name
    except Exception:  # noqa: BLE001 - its own run reports what is wrong with it
        return config.stem


def worst(codes: Sequence[int]) -> int:
    """The exit code of the whole: the worst of the runs (a run killed by a signal needs a person)."""
    return max((code if code >= 0 else EXIT_NEEDS_A_PERSON for code in codes), default=0)


class Runner:
    """Runs one `sync` process per config, at most `parallel` at once; a SIGTERM (Cloud Run stopping
    the task, systemd stopping the service) is passed on to the processes still running, and after it or
    a Ctrl-C no other begins."""

    def __init__(self, sync_args: Sequence[str], parallel: int, env: Mapping[str, str] | None = None):
        self.sync_args = list(sync_args)
        self.parallel = max(1, parallel)
        self.env = dict(os.environ if env is None else env)
        self._running: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self._stopping = False

    def command(self, config: Path) -> list[str]:
        return [sys.executable, "-m", "ppp_gsuite.cli", "--config", str(config), "sync", *self.sync_args]

    def run_one(self, config: Path) -> OrgRun:
        started = time.monotonic()
        with self._lock:
            if self._stopping:  # told to stop before this one began: it does not begin
                return OrgRun(config, organisation_name(config), -signal.SIGTERM, 0.0, "", "")
            process = subprocess.Popen(
                self.command(config), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env
            )
            self._running.add(process)
        try:
            stdout, stderr = process.communicate()
        finally:
            with self._lock:
                self._running.discard(process)
        return OrgRun(config, organisation_name(config), process.returncode, time.monotonic() - started, stdout, stderr)

    def run(self, configs: Sequence[Path], on_done: Callable[[OrgRun], None]) -> list[OrgRun]:
        previous = _on_sigterm(self.stop)
        try:
            with ThreadPoolExecutor(max_workers=self.parallel) as pool:
                futures = [pool.submit(self.run_one, config) for config in configs]
                runs = []
                try:
                    for future in futures:  # in the configs' order, each as soon as it and those before it end
                        runs.append(future.result())
                        on_done(runs[-1])
                except BaseException:  # Ctrl-C: the pool would otherwise start every sync still waiting
                    self.stop()
                    raise
            return runs
        finally:
            _on_sigterm(previous)

    def stop(self, *_ignored) -> None:
        with self._lock:
            self._stopping = True
            for process in self._running:
                process.terminate()


def _on_sigterm(handler):
    if threading.current_thread() is not threading.main_thread():
        return None  # only the main thread may set a signal handler (tests run it in others)
    return signal.signal(signal.SIGTERM, handler if handler is not None else signal.SIG_DFL)
