"""Per-user, per-minute request quotas, as Google publishes them; past one, a 429 in Google's envelope.

    Sheets  https://developers.google.com/workspace/sheets/api/limits   60 reads, 60 writes
    Forms   https://developers.google.com/workspace/forms/api/limits    390 reads, 180 responses.list
                                                                        ("expensive reads"), 150 writes
    Gmail   https://developers.google.com/workspace/gmail/api/reference/quota
                                                                        6,000 units; messages.send is 100

A user is the caller's bearer token (kept in memory, never logged). Each quota counts in whole
clock minutes, as Google's per-minute quotas refill. Drive's quotas are far higher and not kept.

    POST /_local/quotas {"enforce": false}           off (unit tests that do not test quotas)
    POST /_local/quotas {"limits": {"sheets.write": 2}}  a lower limit, for a test
    POST /_local/quotas {"clear": true}              forget the counts (as if a minute had passed)
    POST /_local/quotas {"advance_seconds": 60}      move the quotas' clock on (a test's fast clock,
                                                     so pacing is tested without waiting real minutes)
    GET  /_local/quotas                              the limits, whether they are enforced, and how many
                                                     calls were refused (429) since the last reset

On by default, and again after /_local/reset: the local workspace is never kinder than Google.
"""

from __future__ import annotations

import json
import threading
import time

from werkzeug.wrappers import Request, Response

from .errors import InvalidArgument, LocalApiError
from .routing import Route, control_body

LIMITS = {
    "sheets.read": 60,
    "sheets.write": 60,
    "forms.read": 390,
    "forms.expensiveRead": 180,
    "forms.write": 150,
    "gmail.units": 6000,
}
GMAIL_UNITS = {"gmail.users.messages.send": 100, "gmail.users.settings.sendAs.list": 1}
SHEETS_READS = ("get", "batchGet", "batchGetByDataFilter", "getByDataFilter", "search")
QUOTA_NAMES = {
    "sheets.read": ("Read requests", "sheets.googleapis.com"),
    "sheets.write": ("Write requests", "sheets.googleapis.com"),
    "forms.read": ("Read requests", "forms.googleapis.com"),
    "forms.expensiveRead": ("Expensive read requests", "forms.googleapis.com"),
    "forms.write": ("Write requests", "forms.googleapis.com"),
    "gmail.units": ("Queries", "gmail.googleapis.com"),
}


class ResourceExhausted(LocalApiError):
    code = 429
    status = "RESOURCE_EXHAUSTED"
    reason = "rateLimitExceeded"


def charge_of(method_id: str) -> tuple[str, int] | None:
    """The quota a call counts against, and how much of it; None for calls not counted."""
    api, _, rest = method_id.partition(".")
    verb = rest.rsplit(".", 1)[-1]
    if api == "sheets":
        return ("sheets.read" if verb in SHEETS_READS else "sheets.write"), 1
    if api == "forms":
        if method_id == "forms.forms.responses.list":
            return "forms.expensiveRead", 1
        return ("forms.read" if verb in ("get", "list") else "forms.write"), 1
    if api == "gmail":
        return "gmail.units", GMAIL_UNITS.get(method_id, 5)
    return None


class Quotas:
    def __init__(self, clock=time.time):
        self._wall = clock
        self._offset = 0.0  # seconds the quotas' clock was moved on (advance_seconds)
        self._lock = threading.Lock()
        self.reset()

    def _clock(self) -> float:
        return self._wall() + self._offset

    def reset(self) -> None:
        with self._lock:
            self.enforce = True
            self.limits = dict(LIMITS)
            self._counts: dict[tuple[str, str, int], int] = {}
            self._offset = 0.0
            self.refused = 0  # calls answered 429 since the reset (GET /_local/quotas shows it)

    def clear(self) -> None:
        with self._lock:
            self._counts = {}

    def charge(self, method_id: str, user: str) -> None:
        """Count one call by `user` (the signed-in account, whichever app or token it calls through);
        raise ResourceExhausted (the call not made) when it would pass a limit."""
        charge = charge_of(method_id)
        if charge is None:
            return
        quota, units = charge
        minute = int(self._clock() // 60)
        key = (user, quota, minute)
        with self._lock:
            if not self.enforce:
                return
            used = self._counts.get(key, 0)
            limit = self.limits[quota]
            if used + units > limit:
                self.refused += 1
                metric, service = QUOTA_NAMES[quota]
                raise ResourceExhausted(
                    f"Quota exceeded for quota metric '{metric}' and limit '{metric} per minute per user' "
                    f"of service '{service}' for consumer 'project_number:local'."
                )
            self._counts = {k: v for k, v in self._counts.items() if k[2] == minute}
            self._counts[key] = used + units

    def settings(self) -> dict:
        with self._lock:
            return {"enforce": self.enforce, "limits": dict(self.limits), "refused": self.refused}

    def configure(self, body: dict) -> dict:
        limits = body.get("limits") or {}
        unknown = [name for name in limits if name not in LIMITS]
        if unknown or not all(isinstance(v, int) and v >= 0 for v in limits.values()):
            raise InvalidArgument(f"limits: integers >= 0 for any of {', '.join(LIMITS)}")
        advance = body.get("advance_seconds", 0)
        if not isinstance(advance, (int, float)) or isinstance(advance, bool) or advance < 0:
            raise InvalidArgument("advance_seconds: a number of seconds >= 0")
        with self._lock:
            if "enforce" in body:
                self.enforce = bool(body["enforce"])
            self.limits.update(limits)
            if body.get("clear"):
                self._counts = {}
            self._offset += advance
        return self.settings()


def _json(value) -> Response:
    return Response(json.dumps(value), mimetype="application/json")


def configure(ws, request: Request) -> Response:
    return _json(ws.quotas.configure(control_body(request)))


def show(ws, request: Request) -> Response:
    return _json(ws.quotas.settings())


ROUTES = [
    Route("POST", "/_local/quotas", configure),
    Route("GET", "/_local/quotas", show),
]
