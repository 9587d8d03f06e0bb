"""Clients for the configured backend, starting the embedded local workspace when none is running.

The one place (with the CLI) that may import `local_workspace`: the library layers and the Google
adapters never do, so the stand-in stays an independent oracle of Google.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from .config import Workspace
from .google.clients import Clients, google_clients, local_clients

LOCAL_URL_ENV = "PPP_GSUITE_LOCAL_URL"


@contextlib.contextmanager
def connect(workspace: Workspace) -> Iterator[Clients]:
    """Clients for the configured backend; for `local` with no running server, one started in-process."""
    if workspace.config.backend == "google":
        yield google_clients(workspace)
        return
    url = os.environ.get(LOCAL_URL_ENV)
    if url:
        yield local_clients(url, timeouts=workspace.config.timeouts)
        return
    from local_workspace.server import start

    settings = workspace.config.local
    store = workspace.resolve(settings.store)
    Path(store).parent.mkdir(parents=True, exist_ok=True)
    public = f"http://127.0.0.1:{settings.port}"
    url, stop = start(str(store), port=0, public_url=public)
    try:
        yield local_clients(url, public, workspace.config.timeouts)
    finally:
        stop()
