"""Pacing: every request to Google waits for room under the per-user, per-minute quotas.

Google counts each user's requests per minute and answers 429 past a quota. A first sync of many
responses, or a deploy of many forms, would pass them; paced, it slows down instead. The pacer sits
under the adapters, at the transports (googleapiclient's httplib2 for Forms and Drive, gspread's
session for Sheets, Gmail's session), so every request that leaves counts, a retried one too.

Each quota is a sliding window of 60 seconds: a request waits until fewer than the limit were made
in the last minute. A request is counted from before it is sent until a minute after its answer came
back, so however Google aligns its minutes (its quotas "are refilled every minute") and however long
the answer took, no minute of Google's holds more than the limit.

    Sheets  https://developers.google.com/workspace/sheets/api/limits   60 reads, 60 writes a minute per user
    Forms   https://developers.google.com/workspace/forms/api/limits    390 reads, 180 responses.list
                                                                        ("expensive reads"), 150 writes
    Gmail   https://developers.google.com/workspace/gmail/api/reference/quota
                                                                        6,000 units (messages.send is 100)
    Drive   https://developers.google.com/workspace/drive/api/guides/limits
                                                                        far higher; 12,000 requests is kept

The limits come from the config (`pacing:`), Google's figures by default (config.PacingSettings). Nothing here logs a URL
beyond its API method, a body or a token.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..config import PacingSettings

WINDOW = 60.0  # seconds: Google's quotas are per minute

# quota -> what a person reads (Google's figures are the defaults of config.PacingSettings, once)
QUOTAS = {
    "sheets.read": "Sheets read requests",
    "sheets.write": "Sheets write requests",
    "forms.read": "Forms read requests",
    "forms.expensiveRead": "Forms responses.list requests",
    "forms.write": "Forms write requests",
    "gmail.units": "Gmail sends and calls",
    "drive.requests": "Drive requests",
}
GMAIL_SEND_UNITS = 100  # users.messages.send (Gmail quota page)
GMAIL_OTHER_UNITS = 5  # the tool makes no other Gmail call on Google; the stricter of the page's figures
SHEETS_READ_SUFFIXES = (":batchGet", ":batchGetByDataFilter", ":getByDataFilter")


def quota_of(http_method: str, url: str) -> tuple[str, int] | None:
    """The quota a request counts against and how many units, from its method and URL alone (the same on
    Google's hosts and on the local workspace's paths); None for what no per-minute quota counts (sign-in)."""
    path = urlsplit(url).path
    verb = http_method.upper()
    if "/v4/spreadsheets" in path:
        read = verb == "GET" or path.endswith(SHEETS_READ_SUFFIXES)
        return ("sheets.read" if read else "sheets.write"), 1
    if "/v1/forms" in path:
        if verb == "GET" and path.rstrip("/").endswith("/responses"):
            return "forms.expensiveRead", 1
        return ("forms.read" if verb == "GET" else "forms.write"), 1
    if "/gmail/v1/" in path:
        return "gmail.units", GMAIL_SEND_UNITS if path.endswith("/messages/send") else GMAIL_OTHER_UNITS
    if "/drive/v3/" in path:
        return "drive.requests", 1
    return None


@dataclass
class Wait:
    """One wait for room under a quota: what the progress display shows."""

    quota: str
    seconds: float
    requests: int  # requests made so far by this pacer


@dataclass
class PacingStats:
    requests: Counter = field(default_factory=Counter)  # quota -> requests
    units: Counter = field(default_factory=Counter)  # quota -> units (Gmail counts units, the rest requests)
    waits: int = 0
    waited_seconds: float = 0.0
    too_many: int = 0  # answers of 429 that still came back (another program using the same account's quota)


class _Entry:
    __slots__ = ("units", "done_at")

    def __init__(self, units: int):
        self.units = units
        self.done_at: float | None = None  # None while the request is in flight: it counts


class Pacer:
    def __init__(
        self,
        limits: dict[str, int] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        on_wait: Callable[[Wait, Callable[[float], None]], None] | None = None,
    ):
        self.limits = PacingSettings().limits() | (limits or {})
        self.clock, self.sleep, self.on_wait = clock, sleep, on_wait
        self.stats = PacingStats()
        self._windows: dict[str, deque[_Entry]] = {name: deque() for name in self.limits}
        self._lock = threading.Lock()

    def _used(self, quota: str, now: float) -> tuple[int, float | None]:
        """Units counted in the last minute, and when the oldest finished one leaves the window."""
        window = self._windows[quota]
        while window and window[0].done_at is not None and window[0].done_at + WINDOW <= now:
            window.popleft()
        used = sum(entry.units for entry in window)
        finished = [entry.done_at for entry in window if entry.done_at is not None]
        return used, (min(finished) + WINDOW if finished else None)

    def reserve(self, quota: str, units: int) -> _Entry:
        """Wait until `units` more fit under `quota` in the last minute, then count them."""
        limit = self.limits[quota]
        while True:
            with self._lock:
                now = self.clock()
                used, frees_at = self._used(quota, now)
                if used + units <= limit or used == 0:
                    entry = _Entry(units)
                    self._windows[quota].append(entry)
                    self.stats.requests[quota] += 1
                    self.stats.units[quota] += units
                    return entry
                seconds = (frees_at - now) if frees_at is not None else 0.05  # others still in flight
            seconds = max(seconds, 0.001)
            self.stats.waits += 1
            self.stats.waited_seconds += seconds
            if self.on_wait:  # it sleeps, showing the wait (a progress bar on a terminal)
                self.on_wait(Wait(quota, seconds, sum(self.stats.requests.values())), self.sleep)
            else:
                self.sleep(seconds)

    def done(self, entry: _Entry) -> None:
        with self._lock:
            entry.done_at = self.clock()

    @contextlib.contextmanager
    def paced(self, http_method: str, url: str) -> Iterator[Callable[[int], None]]:
        """Around one request: waits for room first; the request counts until a minute after its answer.
        Yields a function to call with the answer's status (a 429 is counted: pacing should prevent them)."""
        charge = quota_of(http_method, url)
        if charge is None:
            yield lambda status: None
            return
        entry = self.reserve(*charge)

        def answered(status: int) -> None:
            if status == 429:
                self.stats.too_many += 1

        try:
            yield answered
        finally:
            self.done(entry)

    def quota_minutes(self) -> dict[str, float]:
        """Minutes of each quota this pacer's requests used: units over the per-minute limit."""
        return {quota: units / self.limits[quota] for quota, units in self.stats.units.items() if units}

    def summary(self) -> str:
        """One line for the run's output: requests per quota and the minutes of quota they are."""
        minutes = self.quota_minutes()
        if not minutes:
            return "Google quota used: none"
        parts = [
            f"{self.stats.requests[quota]} {QUOTAS[quota]}"
            + (f" ({self.stats.units[quota]} units)" if quota == "gmail.units" else "")
            + f" = {minutes[quota]:.2f} min"
            for quota in sorted(minutes, key=lambda q: -minutes[q])
        ]
        line = f"Google quota used: {'; '.join(parts)}; at least {max(minutes.values()):.2f} minutes of quota"
        if self.stats.waits:
            line += f"; paced: waited {self.stats.waited_seconds:.0f} s"
        if self.stats.too_many:
            line += f"; {self.stats.too_many} answered 429 all the same (another program using this account?)"
        return line


class PacedHttp:
    """An httplib2-like object (googleapiclient's transport) whose every request is paced."""

    def __init__(self, http, pacer: Pacer):
        self._http, self.pacer = http, pacer

    def request(self, uri, method="GET", *args, **kwargs):
        with self.pacer.paced(method, uri) as answered:
            response, content = self._http.request(uri, method, *args, **kwargs)
            answered(int(getattr(response, "status", 0) or 0))
            return response, content

    def __getattr__(self, name):
        return getattr(self._http, name)


def pace_session(session, pacer: Pacer) -> None:
    """Every request of a requests.Session (gspread's, Gmail's) paced; the session keeps its adapters."""
    if getattr(session, "_ppp_paced", False):
        return
    unpaced = session.request

    def request(method, url, *args, **kwargs):
        with pacer.paced(method, url) as answered:
            response = unpaced(method, url, *args, **kwargs)
            answered(response.status_code)
            return response

    session.request = request
    session._ppp_paced = True


def pace(clients, pacer: Pacer):
    """The clients of google.clients with every request paced by `pacer` (kept as `clients.pacer`).
    Call before building the adapters (FormsApi, DriveApi...): they take the transports as they are."""
    for service in (clients.forms, clients.drive):
        if not isinstance(service._http, PacedHttp):
            service._http = PacedHttp(service._http, pacer)
    pace_session(clients.sheets.session, pacer)
    pace_session(clients.mail.session, pacer)
    clients.pacer = pacer
    return clients
