"""Clients for the configured backend, starting the embedded local workspace when none is running.

The one place (with the CLI) that may import `local_workspace`: the library layers and the Google
adapters never do, so the stand-in stays an independent oracle of Google.
"""

from __future__ import annotations

import contextlib
import os
import socket
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

from .config import LocalSettings, TimeoutSettings, Workspace
from .google.clients import SCOPES, Clients, google_clients, identity_of, local_clients
from .google.local_session import LocalControlCredentials, local_access_token
from .google.signin import credentials_from_file, refresh

# The stand-in can be asked which addresses Gmail sends from (users.settings.sendAs.list, a settings
# scope); the tool never asks Google for that scope, so on Google the check says it cannot be made.
GMAIL_SETTINGS_SCOPE = "https://www.googleapis.com/auth/gmail.settings.basic"
LOCAL_URL_ENV = "PPP_GSUITE_LOCAL_URL"


def serving_note(store: Path) -> Path:
    """Where `local serve` notes its address while it runs (`--port N` may differ from the config's)."""
    return Path(f"{store}.serving")


def served_url(store: Path) -> str | None:
    """The address `local serve` is running at on this store, for the links people open; None if none
    (or if the note outlived a server that was killed: nothing answers there)."""
    try:
        url = serving_note(store).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    address = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((address.hostname or "127.0.0.1", address.port or 80), timeout=1):
            return url
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def connect(workspace: Workspace) -> Iterator[Clients]:
    """Clients for the configured backend; for `local` with no running server, one started in-process."""
    if workspace.config.backend == "google":
        yield paced(google_clients(workspace), workspace)
        return
    with local_workspace_url(workspace) as (url, public):
        yield paced(
            signed_in_local_clients(url, workspace.config.local, public, workspace.config.timeouts, workspace),
            workspace,
        )


@contextlib.contextmanager
def local_workspace_url(workspace: Workspace) -> Iterator[tuple[str, str | None]]:
    """(where to call, where people open links) of the local workspace: the one PPP_GSUITE_LOCAL_URL
    names, else one started in-process on the config's store for as long as this lasts."""
    settings = workspace.config.local
    url = os.environ.get(LOCAL_URL_ENV)
    if url:
        yield url, None
        return
    from local_workspace.server import start

    store = workspace.resolve(settings.store)
    Path(store).parent.mkdir(parents=True, exist_ok=True)
    public = served_url(store) or f"http://127.0.0.1:{settings.port}"
    url, stop = start(str(store), port=0, public_url=public)
    try:
        yield url, public
    finally:
        stop()


def paced(clients: Clients, workspace: Workspace) -> Clients:
    """Every request under the config's per-minute limits (Google's by default), a progress bar on a terminal
    while it waits."""
    from .google.pacing import Pacer, pace
    from .progress import wait_display

    return pace(clients, Pacer(workspace.config.pacing.limits(), on_wait=wait_display()))


def signed_in_local_clients(
    url: str,
    settings: LocalSettings,
    public_url: str | None = None,
    timeouts: TimeoutSettings | None = None,
    workspace: Workspace | None = None,
) -> Clients:
    """Clients signed in to the local workspace: with the token `auth login` wrote (local.credentials),
    or else as the configured account and OAuth client."""
    if settings.credentials and workspace is not None:
        credentials = local_credentials(workspace, url)
        # As on Google, a signed-in token has no Gmail settings scope: the sender check says it cannot be made.
        return local_clients(
            url, public_url, credentials=credentials, identity=identity_of(credentials), timeouts=timeouts
        )
    identity = f"{settings.account} through OAuth client {settings.client_id}"
    return local_clients(
        url,
        public_url,
        # Renewed at the workspace's control when it expires, as a Google sign-in refreshes.
        credentials=LocalControlCredentials(url, settings.account, settings.client_id, SCOPES),
        identity=identity,
        timeouts=timeouts,
        settings_token=local_token(url, settings, (GMAIL_SETTINGS_SCOPE,)),
    )


def local_credentials(workspace: Workspace, url: str):
    """The local sign-in's credentials, refreshed at this workspace's token endpoint (the workspace is
    its store, whatever port it runs on now)."""
    path = local_token_path(workspace)
    credentials = credentials_from_file(path, workspace.config.local.subject, token_uri=f"{url.rstrip('/')}/token")
    refresh(credentials, path)
    return credentials


def local_token_path(workspace: Workspace) -> Path:
    assert workspace.config.local.credentials, "only with local.credentials set"
    return workspace.resolve(workspace.config.local.credentials)


def local_token(url: str, settings: LocalSettings, scopes: tuple[str, ...] = SCOPES) -> str:
    """An access token from the local workspace's control, for the configured account and OAuth client."""
    return local_access_token(url, settings.account, settings.client_id, scopes)


def pubsub_for(workspace: Workspace, clients: Clients):
    """Pub/Sub for `ppp-gsuite watch`: Google's, or the local workspace's (where the topic and the
    subscription of the config are made when missing, as an operator makes them once on Google)."""
    from .google.pubsub_api import PUBSUB_SCOPE, google_pubsub, local_pubsub

    if workspace.config.backend == "google":
        return google_pubsub(workspace)
    assert clients.api_url
    settings = workspace.config.local
    pubsub = local_pubsub(
        clients.api_url, local_token(clients.api_url, settings, (PUBSUB_SCOPE,)), workspace.config.timeouts
    )
    watch = workspace.config.watch
    if watch:
        pubsub.ensure(watch.topic, watch.subscription)
    return pubsub
