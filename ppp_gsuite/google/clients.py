"""The only code that builds API clients: Google itself, or the local workspace over HTTP.

Scopes are drive.file and gmail.send alone (docs/decisions.md §9): every Forms, Sheets and Drive method
used accepts drive.file, which reaches only the files this app created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httplib2
import requests
from google.auth.transport.requests import AuthorizedSession
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from gspread.http_client import HTTPClient

from ..config import TimeoutSettings, Workspace
from .gmail_api import GmailSender
from .local_session import LocalAuthorizedSession, LocalSession
from .signin import SCOPES, credentials_from_file, refresh

__all__ = ["SCOPES", "Clients", "google_clients", "local_clients", "load_credentials"]


@dataclass
class Clients:
    forms: object
    drive: object
    sheets: HTTPClient  # gspread's HTTP client: Sheets goes through gspread (docs/decisions.md §1)
    mail: GmailSender  # never googleapiclient: httplib2 re-sends a dropped send (docs/decisions.md §5)
    backend: str  # "google" or "local"
    public_url: str | None = None  # the local workspace's address for people (links), when local
    identity: str = ""  # who signs in, through which OAuth client: drive.file and appProperties are that app's
    # Lists the account's send-as addresses: only where it can be asked (the local workspace, with a
    # settings-scoped token the tool never asks Google for); None on Google, which would answer 403.
    send_as: Callable[[], list[dict]] | None = None
    api_url: str | None = None  # where these clients' calls go, when local (may differ from public_url)
    pacer: object | None = None  # google.pacing.Pacer, once paced (connect does): keeps under Google's quotas


SAME_IDENTITY = (
    "drive.file lets each OAuth client see only the files it created, so deploy-forms and sync must "
    "run with the same credentials"
)


def load_credentials(workspace: Workspace):
    """A staff member's authorised-user token, or a service account acting for `subject`."""
    settings = workspace.config.google
    assert settings is not None  # the config requires a google: section with backend google
    return credentials_from_file(workspace.resolve(settings.credentials), settings.subject)


def _local_credentials(token: str):
    from google.oauth2.credentials import Credentials

    return Credentials(token=token)


def identity_of(credentials) -> str:
    """Who the credentials sign in as and through which OAuth client, in words (never a token)."""
    if getattr(credentials, "service_account_email", None):
        subject = getattr(credentials, "_subject", None)
        return f"service account {credentials.service_account_email}" + (f" acting for {subject}" if subject else "")
    return f"the signed-in account through OAuth client {getattr(credentials, 'client_id', None) or 'unknown'}"


def build_clients(
    credentials,
    forms_endpoint: str | None = None,
    drive_endpoint: str | None = None,
    http=None,
    timeouts: TimeoutSettings | None = None,
) -> tuple:
    """googleapiclient's Forms and Drive clients, over an httplib2 with a timeout (it has none by default).

    httplib2 takes one socket timeout, for connecting and for each read: the longer of the two.
    """
    common = {"cache_discovery": False, "static_discovery": True}
    if http is None:
        timeouts = timeouts or TimeoutSettings()
        http = AuthorizedHttp(
            credentials, http=httplib2.Http(timeout=max(timeouts.connect_seconds, timeouts.read_seconds))
        )
    common["http"] = http
    forms_options = {"api_endpoint": forms_endpoint} if forms_endpoint else None
    drive_options = {"api_endpoint": drive_endpoint} if drive_endpoint else None
    forms = build("forms", "v1", client_options=forms_options, **common)
    drive = build("drive", "v3", client_options=drive_options, **common)
    return forms, drive


def _sheets(http: HTTPClient, timeouts: TimeoutSettings) -> HTTPClient:
    http.set_timeout(_pair(timeouts))  # gspread waits for ever by default
    return http


def _pair(timeouts: TimeoutSettings) -> tuple[float, float]:
    return (timeouts.connect_seconds, timeouts.read_seconds)


def local_clients(
    url: str,
    public_url: str | None = None,
    *,
    token: str | None = None,
    credentials=None,
    identity: str = "",
    timeouts: TimeoutSettings | None = None,
    settings_token: str | None = None,
) -> Clients:
    """Clients for a local workspace at `url`, signed in with an access token it issued, or with
    refreshable `credentials` (a sign-in from `auth login`)."""
    url, timeouts = url.rstrip("/"), timeouts or TimeoutSettings()
    if credentials is not None:
        forms, drive = build_clients(credentials, url, f"{url}/drive/v3/", timeouts=timeouts)
        session: requests.Session = LocalAuthorizedSession(url, credentials)
        mail_session: requests.Session = AuthorizedSession(credentials)  # as on Google (google_clients)
    else:
        assert token is not None, "a token or credentials"
        forms, drive = build_clients(_local_credentials(token), url, f"{url}/drive/v3/", timeouts=timeouts)
        session = LocalSession(url, token)
        mail_session = requests.Session()
        mail_session.headers["Authorization"] = f"Bearer {token}"
    # gspread reads auth only when it makes its own session; this session signs in.
    sheets = _sheets(HTTPClient(auth=None, session=session), timeouts)  # type: ignore[arg-type]
    mail = GmailSender(mail_session, url, timeout=_pair(timeouts))
    send_as = None
    if settings_token:
        settings_session = requests.Session()
        settings_session.headers["Authorization"] = f"Bearer {settings_token}"
        send_as = GmailSender(settings_session, url, timeout=_pair(timeouts)).send_as
    return Clients(forms, drive, sheets, mail, "local", public_url or url, identity, send_as, url)


def google_clients(workspace: Workspace) -> Clients:
    """Clients for Google itself, signed in with the configured credentials."""
    credentials = load_credentials(workspace)
    timeouts = workspace.config.timeouts
    assert workspace.config.google is not None
    # Signed in before the first call, so a refused or unreachable sign-in is one message for every command.
    refresh(credentials, workspace.resolve(workspace.config.google.credentials), _pair(timeouts))
    forms, drive = build_clients(credentials, timeouts=timeouts)
    mail = GmailSender(AuthorizedSession(credentials), timeout=_pair(timeouts))
    return Clients(
        forms, drive, _sheets(HTTPClient(auth=credentials), timeouts), mail, "google", identity=identity_of(credentials)
    )
