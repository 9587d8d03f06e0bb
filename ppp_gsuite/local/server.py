"""A threaded HTTP server for the local workspace (tests use port 0; the CLI port 8470)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import LocalWorkspaceApp
from .store import Store

DEFAULT_PORT = 8470
DEFAULT_HOST = "127.0.0.1"


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def start(store_path: str | Path, port: int = 0, host: str = DEFAULT_HOST, public_url: str | None = None,
          quiet: bool = True) -> tuple[str, Callable[[], None]]:
    """Serve in a background thread; returns the base URL and a function that stops it.

    `public_url` is the address people use (form links, responderUri) when it differs from
    this server's, e.g. an in-process server on a free port standing in for `local serve`.
    """
    store = Store(store_path)
    server = make_server(host, port, LocalWorkspaceApp(store, public_url), threaded=True,
                         request_handler=_QuietHandler if quiet else WSGIRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="ppp-gsuite-local", daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        thread.join()
        server.server_close()
        store.close()

    return f"http://{host}:{server.server_port}", stop


def serve_forever(store_path: str | Path, port: int = DEFAULT_PORT, host: str = DEFAULT_HOST) -> None:
    """Serve in the foreground until interrupted (for the CLI)."""
    store = Store(store_path)
    server = make_server(host, port, LocalWorkspaceApp(store), threaded=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.close()
