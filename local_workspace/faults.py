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
`after` lets that many matching calls through first; `times` is how many then fail.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import asdict, dataclass

from werkzeug.wrappers import Request, Response

from . import discovery
from .errors import InvalidArgument, LocalApiError
from .routing import Route
from .store import Store

MODES = ("apply_then_drop", "drop_before_apply", "error_500", "hang", "substitute_ids")
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


class Faults:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._armed: list[Fault] = []
        self._wake = threading.Event()

    def add(self, spec: dict) -> Fault:
        fault = _read_fault(spec)
        with self._lock:
            self._armed.append(fault)
        return fault

    def armed(self) -> list[dict]:
        with self._lock:
            return [asdict(f) for f in self._armed]

    def clear(self) -> None:
        with self._lock:
            self._armed = []
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
    return Fault(method_id, mode, times, after, float(seconds))


def _json(value) -> Response:
    return Response(json.dumps(value), mimetype="application/json")


def arm(ws, request: Request) -> Response:
    try:
        spec = json.loads(request.get_data() or b"{}")
    except ValueError:
        raise InvalidArgument("Invalid JSON payload received.") from None
    if not isinstance(spec, dict):
        raise InvalidArgument("Expected a JSON object.")
    return _json(asdict(ws.faults.add(spec)))


def list_armed(ws, request: Request) -> Response:
    return _json({"faults": ws.faults.armed()})


def disarm(ws, request: Request) -> Response:
    ws.faults.clear()
    return _json({})


ROUTES = [
    Route("POST", "/_local/faults", arm),
    Route("GET", "/_local/faults", list_armed),
    Route("DELETE", "/_local/faults", disarm),
]
