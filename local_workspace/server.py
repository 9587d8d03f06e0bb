"""A threaded HTTP server for the local workspace (tests use port 0; the CLI port 8470)."""

from __future__ import annotations

import errno
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import API_CALL, LocalWorkspaceApp
from .store import Store

DEFAULT_PORT = 8470
DEFAULT_HOST = "127.0.0.1"


class PortInUse(Exception):
    """The port `serve_forever` was asked for is taken (most likely by a running local workspace)."""

    def __init__(self, port: int, host: str = DEFAULT_HOST):
        super().__init__(
            f"port {port} is in use, probably by a local workspace that is already running: keep using it "
            f"(set PPP_GSUITE_LOCAL_URL=http://{host}:{port}), or choose another port with --port N"
        )
        self.port = port


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


class _PlainLogHandler(WSGIRequestHandler):
    """One plain line per page view or failed request; successful API calls only counted."""

    api_calls = 0  # successful API calls since the last line, shared by the server's threads
    _lock = threading.Lock()

    def log_request(self, code="-", size="-") -> None:
        code = str(code)
        is_api = bool(getattr(self, "environ", {}).get(API_CALL))
        with self._lock:
            if is_api and code.isdigit() and int(code) < 400:
                _PlainLogHandler.api_calls += 1
                return
            counted, _PlainLogHandler.api_calls = _PlainLogHandler.api_calls, 0
        path = urlsplit(getattr(self, "path", "") or "").path  # no query: prefilled answers stay out of the log
        line = f"{self.command or '-'} {_printable(path)} {code}"
        if counted:
            line += f"  ({counted} API call{'' if counted == 1 else 's'} since the previous line)"
        self.log("info", "%s", line)

    def log(self, type: str, message: str, *args) -> None:
        text = message % args if args else message
        sys.stderr.write(f"{time.strftime('%H:%M:%S')} {text.rstrip()}\n")
        sys.stderr.flush()


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)


def _check_port(host: str, port: int) -> None:
    """Raise PortInUse if nothing can listen on (host, port); Werkzeug would print and exit instead."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUse(port, host) from None
            raise


def start(
    store_path: str | Path, port: int = 0, host: str = DEFAULT_HOST, public_url: str | None = None, quiet: bool = True
) -> tuple[str, Callable[[], None]]:
    """Serve in a background thread; returns the base URL and a function that stops it.

    `public_url` is the address people use (form links, responderUri) when it differs from
    this server's, e.g. an in-process server on a free port standing in for `local serve`.
    """
    store = Store(store_path)
    server = make_server(
        host,
        port,
        LocalWorkspaceApp(store, public_url),
        threaded=True,
        request_handler=_QuietHandler if quiet else _PlainLogHandler,
    )
    thread = threading.Thread(target=server.serve_forever, name="ppp-gsuite-local", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join()
        server.server_close()
        store.close()

    return f"http://{host}:{server.server_port}", stop


def serve_forever(store_path: str | Path, port: int = DEFAULT_PORT, host: str = DEFAULT_HOST, on_ready=None) -> None:
    """Serve in the foreground until interrupted (for the CLI); PortInUse if the port is taken.

    Logs one plain line per page view or failed request to stderr; successful API calls are
    counted into the next line.
    """
    _check_port(host, port)
    store = Store(store_path)
    server = make_server(host, port, LocalWorkspaceApp(store), threaded=True, request_handler=_PlainLogHandler)
    if on_ready:
        on_ready()  # only once the port is ours, so "serving" is never printed before a failure
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.close()
