"""Fault injection: make the next matching API call fail the way networks and Google do.

    POST   /_local/faults  {"method_id": "gmail.users.messages.send", "mode": MODE, "times": 1, "after": 0}
    GET    /_local/faults  the faults still armed
    DELETE /_local/faults  disarm all (so does /_local/reset), waking any hung request

Modes: apply_then_drop (perform the call, then close the connection with no status line),
drop_before_apply (close it without performing the call), error_500 (Google's 500 envelope,
call not performed), hang (perform the call, then hold the answer for `seconds`, at most 30),
substitute_ids (forms.forms.batchUpdate only: the form gets ids of its own choosing instead of the
itemId and questionId each createItem asked for, and the replies say so; Google documents that
these ids are assigned by the server when not given, and nothing promises it keeps given ones).
error_429 (Google's 429 RESOURCE_EXHAUSTED, call not performed; with `retry_after` seconds, a
Retry-After header), error_500_after_apply (perform the call, then answer Google's 500: the write
happened, the caller is told it failed).
`after` lets that many matching calls through first; `times` is how many then fail.

    POST   /_local/faults/storm  {"seed": 1, "rate_limited": 0.10, "error_after_apply": 0.05,
                                  "dropped_after_apply": 0.02, "retry_after": null}
    GET    /_local/faults        while a storm is on, also its settings and what it did ("injected")

A storm answers a share of every API call with a fault drawn from a seeded random generator, so a
test is reproducible: rate_limited of them 429 (not performed), error_after_apply 500 after being
performed, dropped_after_apply performed and then the connection closed with no answer. Armed
faults come first; DELETE /_local/faults (or a reset) ends the storm.
"""

from __future__ import annotations

import json
import random
import socket
import threading
from dataclasses import asdict, dataclass, field

from werkzeug.wrappers import Request, Response

from . import discovery
from .errors import InvalidArgument, LocalApiError
from .quotas import ResourceExhausted
from .routing import Route, control_body
from .store import Store

MODES = (
    "apply_then_drop",
    "drop_before_apply",
    "error_500",
    "error_500_after_apply",
    "error_429",
    "hang",
    "substitute_ids",
)
STORM_MODES = {
    "rate_limited": "error_429",
    "error_after_apply": "error_500_after_apply",
    "dropped_after_apply": "apply_then_drop",
}
SUBSTITUTE_IDS = "local_workspace.substitute_ids"  # set in the WSGI environ of a call the fault rewrites
SUBSTITUTES_FOR = "forms.forms.batchUpdate"
MAX_HANG_SECONDS = 30.0


@dataclass
class Fault:
    method_id: str
    mode: str
    times: int = 1
    after: int = 0
    seconds: float = MAX_HANG_SECONDS
    retry_after: float | None = None  # error_429: the Retry-After header's seconds, if any


@dataclass
class Storm:
    """Faults drawn at random (seeded) on every API call: shares of calls per storm mode."""

    seed: int
    rates: dict[str, float]  # storm mode -> share of calls
    retry_after: float | None = None
    injected: list[dict] = field(default_factory=list)  # {"methodId", "mode"}, in order

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def draw(self, method_id: str) -> Fault | None:
        roll, floor = self._random.random(), 0.0
        for name, rate in self.rates.items():
            floor += rate
            if roll < floor:
                self.injected.append({"methodId": method_id, "mode": STORM_MODES[name]})
                return Fault(method_id, STORM_MODES[name], retry_after=self.retry_after)
        return None

    def settings(self) -> dict:
        return {"seed": self.seed, **self.rates, "retry_after": self.retry_after, "injected": list(self.injected)}


class Faults:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._armed: list[Fault] = []
        self._wake = threading.Event()
        self._storm: Storm | None = None

    def add(self, spec: dict) -> Fault:
        fault = _read_fault(spec)
        with self._lock:
            self._armed.append(fault)
        return fault

    def armed(self) -> list[dict]:
        with self._lock:
            return [asdict(f) for f in self._armed]

    def storm(self, spec: dict) -> dict:
        storm = _read_storm(spec)
        with self._lock:
            self._storm = storm
            return storm.settings()

    def storm_settings(self) -> dict | None:
        with self._lock:
            return self._storm.settings() if self._storm else None

    def clear(self) -> None:
        with self._lock:
            self._armed = []
            self._storm = None
            self._wake.set()
            self._wake = threading.Event()

    def _take(self, method_id: str) -> tuple[Fault | None, threading.Event]:
        with self._lock:
            for fault in self._armed:
                if fault.method_id != method_id:
                    continue
                if fault.after > 0:
                    fault.after -= 1
                    return None, self._wake
                fault.times -= 1
                if fault.times <= 0:
                    self._armed.remove(fault)
                return fault, self._wake
            if self._storm is not None:
                return self._storm.draw(method_id), self._wake
            return None, self._wake

    def intercept(self, route: Route, request: Request, call) -> Response:
        """Answer an API request, through the fault armed for its method if there is one."""
        assert route.method_id, "only API routes are intercepted"
        fault, wake = self._take(route.method_id)
        if fault is None:
            return call()
        request.get_data()  # the whole request has arrived before anything fails
        if fault.mode == "error_500":
            self.store.log_request(request.method, request.path, route.method_id)
            return LocalApiError("Internal error encountered.").response()
        if fault.mode == "error_429":
            self.store.log_request(request.method, request.path, route.method_id)
            response = ResourceExhausted(
                "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute per user'."
            ).response()
            if fault.retry_after is not None:
                response.headers["Retry-After"] = f"{fault.retry_after:g}"
            return response
        if fault.mode == "error_500_after_apply":
            call()  # done: Google applied it, then answered that something failed
            return LocalApiError("Internal error encountered.").response()
        if fault.mode == "drop_before_apply":
            self.store.log_request(request.method, request.path, route.method_id)
            _drop(request)
            return Response()
        if fault.mode == "substitute_ids":
            request.environ[SUBSTITUTE_IDS] = True
            return call()
        if fault.mode == "apply_then_drop":
            try:
                call()
            finally:
                _drop(request)
            return Response()
        try:
            return call()
        finally:
            wake.wait(fault.seconds)


def _drop(request: Request) -> None:
    """Close the TCP connection before any byte of a response: the client sees EOF, no status line.

    Werkzeug's dev server then fails writing the response (BrokenPipeError) and treats it
    as a dropped connection.
    """
    sock = request.environ.get("werkzeug.socket")
    if sock is None:
        raise RuntimeError("dropping a connection needs Werkzeug's server (werkzeug.socket)")
    sock.shutdown(socket.SHUT_RDWR)


def _read_fault(spec: dict) -> Fault:
    method_id, mode = spec.get("method_id"), spec.get("mode")
    if not isinstance(method_id, str) or "." not in method_id:
        raise InvalidArgument("method_id: an API method id such as gmail.users.messages.send is required")
    try:
        discovery.method(method_id.split(".")[0], method_id)
    except (ValueError, KeyError):
        raise InvalidArgument(f"method_id: no API method {method_id!r}") from None
    if mode not in MODES:
        raise InvalidArgument(f"mode: one of {', '.join(MODES)}")
    if mode == "substitute_ids" and method_id != SUBSTITUTES_FOR:
        raise InvalidArgument(f"mode: substitute_ids applies to {SUBSTITUTES_FOR} only")
    times, after = spec.get("times", 1), spec.get("after", 0)
    if not (isinstance(times, int) and times >= 1) or not (isinstance(after, int) and after >= 0):
        raise InvalidArgument("times must be an integer >= 1 and after an integer >= 0")
    seconds = spec.get("seconds", MAX_HANG_SECONDS)
    if not isinstance(seconds, (int, float)) or not 0 <= seconds <= MAX_HANG_SECONDS:
        raise InvalidArgument(f"seconds must be a number from 0 to {MAX_HANG_SECONDS:g}")
    retry_after = spec.get("retry_after")
    if retry_after is not None and not (isinstance(retry_after, (int, float)) and 0 <= retry_after <= 3600):
        raise InvalidArgument("retry_after must be a number of seconds from 0 to 3600, or null")
    return Fault(method_id, mode, times, after, float(seconds), retry_after)


def _read_storm(spec: dict) -> Storm:
    seed = spec.get("seed", 0)
    if not isinstance(seed, int):
        raise InvalidArgument("seed must be an integer")
    rates = {}
    for name in STORM_MODES:
        rate = spec.get(name, 0)
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise InvalidArgument(f"{name} must be a share of calls from 0 to 1")
        rates[name] = float(rate)
    if sum(rates.values()) > 1:
        raise InvalidArgument("the shares of calls add up to more than 1")
    retry_after = spec.get("retry_after")
    if retry_after is not None and not (isinstance(retry_after, (int, float)) and 0 <= retry_after <= 3600):
        raise InvalidArgument("retry_after must be a number of seconds from 0 to 3600, or null")
    return Storm(seed, rates, retry_after)


def _json(value) -> Response:
    return Response(json.dumps(value), mimetype="application/json")


def arm(ws, request: Request) -> Response:
    return _json(asdict(ws.faults.add(control_body(request))))


def list_armed(ws, request: Request) -> Response:
    storm = ws.faults.storm_settings()
    return _json({"faults": ws.faults.armed(), **({"storm": storm} if storm else {})})


def start_storm(ws, request: Request) -> Response:
    return _json(ws.faults.storm(control_body(request)))


def disarm(ws, request: Request) -> Response:
    ws.faults.clear()
    return _json({})


ROUTES = [
    Route("POST", "/_local/faults", arm),
    Route("GET", "/_local/faults", list_armed),
    Route("DELETE", "/_local/faults", disarm),
    Route("POST", "/_local/faults/storm", start_storm),
]
