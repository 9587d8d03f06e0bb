"""Signing in: the installed-app OAuth flow, the token file, a service-account key, and what Google
says of a token (`auth check`). Every failure is a PppError with one plain line, never a secret.

The OAuth client file (the Cloud console's "Download JSON" of a desktop client) says where to sign
in (`auth_uri`) and where tokens come from (`token_uri`): Google's, or a local workspace's.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
import urllib.parse
import webbrowser
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import google.auth.exceptions
import requests
from google.auth.transport.requests import Request as AuthRequest

from ..errors import EXIT_INVALID, PppError
from .errors import Unreachable

SCOPES = (
    "https://www.googleapis.com/auth/drive.file",
    "https://www.googleapis.com/auth/gmail.send",
)
LOGIN_AGAIN = "run `ppp-gsuite auth login` again"
TESTING_TOKEN_DAYS = 7  # refresh tokens of an app whose consent screen is in Testing last 7 days
LOGIN_WAIT_SECONDS = 600  # how long `auth login` waits for the person to approve in the browser
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class CredentialsUnusable(PppError):
    """A credentials or OAuth client file that cannot be used as it is (a config problem: exit 2)."""

    exit_code = EXIT_INVALID


class SignInRefused(PppError):
    """Google would not give an access token for the stored credentials."""


# Reading credentials files


def read_json(path: Path, what: str) -> dict:
    """The JSON object in `path`; CredentialsUnusable (never its content) if it is missing or not JSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CredentialsUnusable(f"{what} {path} does not exist; see the README, 'Using it with Google'") from None
    except UnicodeDecodeError:
        raise CredentialsUnusable(f"{what} {path} is not a text (JSON) file; {_expected(what)}") from None
    try:
        info = json.loads(text)
    except ValueError as error:
        where = f"line {error.lineno}" if isinstance(error, json.JSONDecodeError) else "it"
        raise CredentialsUnusable(f"{what} {path} is not valid JSON ({where}); {_expected(what)}") from None
    if not isinstance(info, dict):
        raise CredentialsUnusable(f"{what} {path} is JSON but not an object; {_expected(what)}")
    return info


def _expected(what: str) -> str:
    if what == "the OAuth client file":
        return "download the desktop OAuth client's JSON again from the Google Cloud console (APIs & Services > Credentials)"
    return f"it should be the token `ppp-gsuite auth login` writes, or a service-account key: {LOGIN_AGAIN}"


def credentials_from_file(path: Path, subject: str | None, token_uri: str | None = None):
    """Credentials for the token or service-account key in `path` (CredentialsUnusable if neither).

    `token_uri` replaces the token's own (a local workspace is the same one on whatever port it runs)."""
    from google.oauth2 import credentials as user_credentials
    from google.oauth2 import service_account

    info = read_json(path, "the Google credentials file")
    kind = info.get("type")
    if kind is None and {"refresh_token", "client_id", "client_secret"} <= info.keys():
        kind = "authorized_user"  # the token.json of Google's quickstarts leaves the type out
    if "installed" in info or "web" in info:
        raise CredentialsUnusable(
            f"{path} is an OAuth client file, not a token: point google.oauth_client at it and run "
            "`ppp-gsuite auth login` to write the token"
        )
    try:
        if kind == "service_account":
            if not subject:
                raise CredentialsUnusable(
                    "a service account cannot own forms or send mail itself; set google.subject to the staff "
                    "account it acts for"
                )
            if token_uri:
                info = {**info, "token_uri": token_uri}
            return service_account.Credentials.from_service_account_info(info, scopes=SCOPES, subject=subject)
        if kind == "authorized_user":
            credentials = user_credentials.Credentials.from_authorized_user_info(info, scopes=list(SCOPES))
            if token_uri:  # google-auth always refreshes at Google's endpoint, whatever the file says
                credentials = credentials.with_token_uri(token_uri)
            return credentials
    except (ValueError, KeyError, google.auth.exceptions.GoogleAuthError) as error:
        # The library's message names missing fields, never values; a bad key's parse error is not shown.
        detail = str(error) if "missing fields" in str(error) else type(error).__name__
        raise CredentialsUnusable(
            f"{path} could not be read as a {kind} credential ({detail}); {LOGIN_AGAIN}"
        ) from None
    raise CredentialsUnusable(f"{path} is neither an authorised-user token nor a service-account key; {LOGIN_AGAIN}")


# Getting an access token


class _TimedRequest(AuthRequest):
    """google-auth's transport with the configured timeouts (its own default is 120 s)."""

    def __init__(self, session: requests.Session, timeout: tuple[float, float]):
        super().__init__(session)
        self.timeout = timeout

    def __call__(self, *args, timeout=None, **kwargs):
        return super().__call__(*args, timeout=timeout or self.timeout, **kwargs)


def refresh(credentials, path: Path, timeout: tuple[float, float] = (10, 60)) -> None:
    """Get a fresh access token now, so a refusal or an unreachable Google is one plain message."""
    session = requests.Session()
    try:
        credentials.refresh(_TimedRequest(session, timeout))
    except google.auth.exceptions.RefreshError as error:
        raise SignInRefused(refusal_message(error, credentials, path)) from None
    except (google.auth.exceptions.TransportError, requests.RequestException, OSError) as error:
        raise SignInUnreachable(_token_host(credentials), error) from None
    finally:
        session.close()


class SignInUnreachable(Unreachable):
    """The token endpoint did not answer: no network, no DNS, a proxy, or the local workspace stopped."""

    complete = True

    def __init__(self, host: str, cause: BaseException):
        super().__init__("sign in", cause)
        dns = "resolve" in str(cause).lower() or "name or service" in str(cause).lower()
        self.args = (
            f"cannot reach the sign-in server {host} ({'its name does not resolve: DNS' if dns else self.cause}); "
            "check this machine's network connection (and any proxy), then try again",
        )

    def __str__(self) -> str:
        return str(self.args[0])


def _token_host(credentials) -> str:
    uri = getattr(credentials, "_token_uri", None) or getattr(credentials, "token_uri", None) or ""
    return urllib.parse.urlsplit(uri).netloc or "oauth2.googleapis.com"


def refusal_message(error: google.auth.exceptions.RefreshError, credentials, path: Path) -> str:
    """What a refused refresh most likely means, and what to do; never the token or the answer's body."""
    code = _error_code(error)
    if getattr(credentials, "service_account_email", None):
        client = key_client_id(path) or "the service account's client ID"
        if code == "unauthorized_client":
            return (
                f"Google refused the service account ({code}): the Workspace administrator has not granted it "
                f"domain-wide delegation for {' and '.join(SCOPES)} (Admin console > Security > API controls, "
                f"client ID {client})"
            )
        return (
            f"Google refused the service account ({code or 'refused'}): the key may have been deleted or the "
            "subject is not a user of the domain; make a new key and run `ppp-gsuite auth login --service-account KEY "
            "--subject USER`"
        )
    if code == "invalid_grant":
        age_days = (time.time() - path.stat().st_mtime) / 86400 if path.exists() else 0
        if age_days >= TESTING_TOKEN_DAYS - 0.5:
            likely = (
                f"it is {age_days:.0f} days old, so most likely the app's OAuth consent screen is in Testing, whose "
                "tokens end after 7 days (publish it, or make it Internal), or it was revoked"
            )
        else:
            likely = (
                "most likely it was revoked (signed out of the app, a password change, or by an administrator); "
                "if it is about a week old, the OAuth consent screen may be in Testing, whose tokens end after 7 days"
            )
        return f"Google no longer accepts the stored sign-in (invalid_grant): {likely}; {LOGIN_AGAIN}"
    if code == "invalid_client":
        return (
            "Google does not know the OAuth client of the stored sign-in (invalid_client): it was deleted or its "
            "secret was reset; download the client's JSON again and run `ppp-gsuite auth login`"
        )
    return f"Google refused the stored sign-in ({code or 'refused'}); {LOGIN_AGAIN}"


def key_client_id(path: Path) -> str | None:
    """The client ID in a service-account key (what the administrator grants delegation to), if readable."""
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get("client_id")
    except (OSError, ValueError, AttributeError):
        return None
    return str(value) if isinstance(value, str | int) else None


def _error_code(error: google.auth.exceptions.RefreshError) -> str:
    for arg in error.args[1:]:
        if isinstance(arg, dict) and isinstance(arg.get("error"), str):
            return arg["error"][:60]
    first = str(error.args[0]) if error.args else ""
    word = first.split(":", 1)[0].strip()
    return word if word.replace("_", "").isalpha() and len(word) < 40 else ""


# auth login


def login(config: dict, token_path: Path, open_browser: bool) -> dict:
    """The installed-app flow (loopback redirect, PKCE) for the two scopes, through the OAuth client
    `config` (a desktop client's JSON); writes the token (0600). Returns {"scopes", "client_id"} granted."""
    from google_auth_oauthlib.flow import InstalledAppFlow, WSGITimeoutError

    kind = "installed" if "installed" in config else "web" if "web" in config else None
    if kind != "installed" or not isinstance(config["installed"], dict):
        raise CredentialsUnusable(
            f"the OAuth client file is not a desktop app's ({'a web client' if kind else 'not a client file'}); "
            "create an OAuth client of type Desktop app in the Google Cloud console and download its JSON"
        )
    client = config["installed"]
    missing = [k for k in ("client_id", "client_secret", "auth_uri", "token_uri") if not client.get(k)]
    if missing:
        raise CredentialsUnusable(f"the OAuth client file lacks {', '.join(missing)}; download the client's JSON again")
    with _oauthlib_settings(client["token_uri"]):
        flow = InstalledAppFlow.from_client_config(config, scopes=list(SCOPES))
        prompt = (
            "Sign in and allow access in the browser (a page has opened there); if none opened, open this link "
            "on this machine:\n{url}"
            if open_browser
            else "Open this link in a browser on this machine, sign in and allow access:\n{url}"
        )
        try:
            credentials = flow.run_local_server(
                host="127.0.0.1",
                port=0,
                open_browser=open_browser,
                authorization_prompt_message=prompt,
                success_message="Signed in: you can close this tab and go back to the terminal.",
                timeout_seconds=LOGIN_WAIT_SECONDS,
                access_type="offline",
                prompt="consent",
            )
        except WSGITimeoutError:
            raise PppError(
                f"nobody approved the sign-in within {LOGIN_WAIT_SECONDS // 60} minutes; {LOGIN_AGAIN}"
            ) from None
        except webbrowser.Error:
            raise PppError(
                "no browser could be opened on this machine: run `ppp-gsuite auth login --no-browser` and open "
                "the link it prints in a browser on this machine"
            ) from None
        except (requests.RequestException, OSError) as error:
            raise SignInUnreachable(urllib.parse.urlsplit(client["token_uri"]).netloc, error) from None
        except Exception as error:  # oauthlib's errors: access_denied, invalid_grant, a mismatched state
            raise SignInRefused(f"the sign-in did not complete ({_oauthlib_error(error)}); {LOGIN_AGAIN}") from None
    scope = flow.oauth2session.token.get("scope") or SCOPES  # absent: as asked (RFC 6749 §5.1)
    granted = set(scope.split() if isinstance(scope, str) else scope)
    missing_scopes = [scope for scope in SCOPES if scope not in granted]
    if missing_scopes:
        raise SignInRefused(
            f"access was not allowed for {', '.join(s.rsplit('/', 1)[-1] for s in missing_scopes)}: tick every box "
            f"on the consent page when you run `ppp-gsuite auth login` again; nothing was saved"
        )
    if not credentials.refresh_token:
        raise SignInRefused(
            f"Google gave no refresh token, so the tool could not sign in again tomorrow; {LOGIN_AGAIN}"
        )
    write_private(token_path, json.dumps({"type": "authorized_user", **json.loads(credentials.to_json())}, indent=2))
    return {"scopes": sorted(granted), "client_id": client["client_id"]}


def _oauthlib_error(error: Exception) -> str:
    name = getattr(error, "error", None)
    if isinstance(name, str) and name:
        return name
    return type(error).__name__


@contextlib.contextmanager
def _oauthlib_settings(token_uri: str):
    """oauthlib refuses plain http, and a narrower grant than asked: allow http only for a loopback
    token endpoint (a local workspace), and check the granted scopes here instead."""
    saved = {k: os.environ.get(k) for k in ("OAUTHLIB_INSECURE_TRANSPORT", "OAUTHLIB_RELAX_TOKEN_SCOPE")}
    os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"
    if urllib.parse.urlsplit(token_uri).hostname in LOOPBACK:
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def store_service_account_key(key_file: Path, token_path: Path) -> str:
    """Copy a service-account key to where the config keeps credentials (0600); its client email."""
    info = read_json(key_file, "the service-account key")
    if info.get("type") != "service_account":
        raise CredentialsUnusable(
            f"{key_file} is not a service-account key (its type should be service_account); create a key for the "
            "service account in the Google Cloud console (IAM & Admin > Service accounts > Keys) and download it as JSON"
        )
    missing = [k for k in ("client_email", "private_key", "token_uri", "client_id") if not info.get(k)]
    if missing:
        raise CredentialsUnusable(f"{key_file} lacks {', '.join(missing)}; download the key again")
    if key_file.resolve() != token_path.resolve():
        write_private(token_path, json.dumps(info, indent=2))
    else:
        os.chmod(token_path, 0o600)
    return str(info["client_email"])


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` readable by this user only (0600), replacing it whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


# auth check


@dataclass
class SignInReport:
    account: str
    client: str
    scopes: list[str]
    expires: datetime | None
    can_refresh: bool
    kind: str  # "user" or "service account"


def check(credentials, path: Path, drive_url: str = "https://www.googleapis.com/drive/v3") -> SignInReport:
    """Refresh now, then ask who this is (Drive about.get) and what the token carries (tokeninfo)."""
    refresh(credentials, path)
    expires = credentials.expiry.replace(tzinfo=UTC) if credentials.expiry else None
    if getattr(credentials, "service_account_email", None):
        return SignInReport(
            who_is(credentials, drive_url),
            f"service account {credentials.service_account_email} (client ID {key_client_id(path) or 'unknown'})",
            list(SCOPES),
            expires,
            True,  # a key signs a new assertion each time
            "service account",
        )
    info = token_info(credentials)
    scopes = (info.get("scope") or "").split() or list(getattr(credentials, "granted_scopes", None) or [])
    return SignInReport(
        who_is(credentials, drive_url),
        str(info.get("azp") or credentials.client_id or "unknown"),
        sorted(scopes),
        expires,
        bool(credentials.refresh_token),
        "user",
    )


def token_info(credentials) -> dict:
    """Google's tokeninfo for the access token (beside the token endpoint: .../token -> .../tokeninfo)."""
    token_uri = getattr(credentials, "token_uri", None) or "https://oauth2.googleapis.com/token"
    url = token_uri.rsplit("/", 1)[0] + "/tokeninfo"
    try:
        answer = requests.post(url, data={"access_token": credentials.token}, timeout=(10, 30))
    except requests.RequestException as error:
        raise SignInUnreachable(urllib.parse.urlsplit(url).netloc, error) from None
    if answer.status_code != 200:
        return {}
    try:
        info = answer.json()
    except ValueError:
        return {}
    return info if isinstance(info, dict) else {}


def who_is(credentials, drive_url: str, timeout: tuple[float, float] = (10, 60)) -> str:
    """The signed-in account's address, from Drive's about.get (which drive.file may call)."""
    try:
        answer = requests.get(
            f"{drive_url.rstrip('/')}/about",
            params={"fields": "user(emailAddress)"},
            headers={"Authorization": f"Bearer {credentials.token}"},
            timeout=timeout,
        )
    except requests.RequestException as error:
        raise SignInUnreachable(urllib.parse.urlsplit(drive_url).netloc, error) from None
    if answer.status_code != 200:
        try:
            envelope = answer.json()["error"]
            said = f"{envelope.get('status') or answer.status_code}: {envelope.get('message', '')}"
        except (ValueError, KeyError, TypeError, AttributeError):
            said = str(answer.status_code)
        raise SignInRefused(f"signed in, but Drive would not say who this is ({said[:200]})")
    return str(answer.json().get("user", {}).get("emailAddress") or "unknown")
