"""The only code that builds API clients: Google itself, or the local workspace over HTTP.

Scopes are drive.file and gmail.send alone (DESIGN.md §9): every Forms, Sheets and Drive method
used accepts drive.file, which reaches only the files this app created.
"""
from __future__ import annotations

from dataclasses import dataclass

import requests
from google.auth.transport.requests import AuthorizedSession
from googleapiclient.discovery import build
from gspread.http_client import HTTPClient

from ..config import Workspace
from ..errors import PppError
from .gmail_api import GmailSender
from .local_session import LocalSession

SCOPES = (
    "https://www.googleapis.com/auth/drive.file",
    "https://www.googleapis.com/auth/gmail.send",
)


@dataclass
class Clients:
    forms: object
    drive: object
    sheets: HTTPClient  # gspread's HTTP client: Sheets goes through gspread (DESIGN.md §1)
    mail: GmailSender  # never googleapiclient: httplib2 re-sends a dropped send (DESIGN.md §5)
    backend: str  # "google" or "local"
    public_url: str | None = None  # the local workspace's address for people (links), when local
    identity: str = ""  # who signs in, through which OAuth client: drive.file and appProperties are that app's


SAME_IDENTITY = ("drive.file lets each OAuth client see only the files it created, so deploy-forms and sync must "
                 "run with the same credentials")


def load_credentials(workspace: Workspace):
    """A staff member's authorised-user token, or a service account acting for `subject`."""
    from google.oauth2 import credentials as user_credentials
    from google.oauth2 import service_account

    settings = workspace.config.google
    assert settings is not None  # the config requires a google: section with backend google
    path = workspace.resolve(settings.credentials)
    if not path.exists():
        raise PppError(f"the Google credentials file {path} does not exist; see the README, 'Using it with Google'")
    import json

    info = json.loads(path.read_text())
    if info.get("type") == "service_account":
        if not settings.subject:
            raise PppError("a service account cannot own forms or send mail itself; set google.subject to the staff account it acts for")
        return service_account.Credentials.from_service_account_info(info, scopes=SCOPES, subject=settings.subject)
    if info.get("type") == "authorized_user":
        return user_credentials.Credentials.from_authorized_user_info(info, scopes=SCOPES)
    raise PppError(f"{path} is neither an authorised-user token nor a service-account key")


def _local_credentials(token: str):
    from google.oauth2.credentials import Credentials

    return Credentials(token=token)


def identity_of(credentials) -> str:
    """Who the credentials sign in as and through which OAuth client, in words (never a token)."""
    if getattr(credentials, "service_account_email", None):
        subject = getattr(credentials, "_subject", None)
        return f"service account {credentials.service_account_email}" + (f" acting for {subject}" if subject else "")
    return f"the signed-in account through OAuth client {getattr(credentials, 'client_id', None) or 'unknown'}"


def build_clients(credentials, forms_endpoint: str | None = None, drive_endpoint: str | None = None, http=None) -> tuple:
    common = {"cache_discovery": False, "static_discovery": True}
    if http is not None:
        common["http"] = http
    else:
        common["credentials"] = credentials
    forms_options = {"api_endpoint": forms_endpoint} if forms_endpoint else None
    drive_options = {"api_endpoint": drive_endpoint} if drive_endpoint else None
    forms = build("forms", "v1", client_options=forms_options, **common)
    drive = build("drive", "v3", client_options=drive_options, **common)
    return forms, drive


def local_clients(url: str, public_url: str | None = None, *, token: str, identity: str = "") -> Clients:
    """Clients for a local workspace at `url`, signed in with an access token it issued."""
    url = url.rstrip("/")
    forms, drive = build_clients(_local_credentials(token), url, f"{url}/drive/v3/")
    # gspread reads auth only when it makes its own session; this session signs in with the token.
    sheets = HTTPClient(auth=None, session=LocalSession(url, token))  # type: ignore[arg-type]
    mail_session = requests.Session()
    mail_session.headers["Authorization"] = f"Bearer {token}"
    return Clients(forms, drive, sheets, GmailSender(mail_session, url), "local", public_url or url, identity)


def google_clients(workspace: Workspace) -> Clients:
    """Clients for Google itself, signed in with the configured credentials."""
    credentials = load_credentials(workspace)
    forms, drive = build_clients(credentials)
    mail = GmailSender(AuthorizedSession(credentials))
    return Clients(forms, drive, HTTPClient(auth=credentials), mail, "google", identity=identity_of(credentials))
