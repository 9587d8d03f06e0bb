"""Who is calling: OAuth access tokens, the user and the app (OAuth client) each names, and its scopes.

Google reads the `Authorization: Bearer` token of every API call. The local workspace issues tokens
through a test control (`POST /_local/tokens`, see controls.py), so a test or the product's local
backend can be a given user, signed in through a given OAuth client, with given scopes:

- no token, or one it never issued: 401 UNAUTHENTICATED;
- a method called without any scope its discovery document accepts: 403 `insufficientPermissions`
  with the ErrorInfo reason `ACCESS_TOKEN_SCOPE_INSUFFICIENT`, as Google answers;
- with `drive.file` as the only accepted scope it holds, an app sees and changes only the files that
  app created (https://developers.google.com/workspace/drive/api/guides/about-auth), and
  `appProperties` are private to the app that set them
  (https://developers.google.com/workspace/drive/api/guides/properties).

Tokens are stored hashed and never logged.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import secrets
from dataclasses import dataclass, replace

from . import discovery
from .errors import InsufficientScopes, Unauthenticated
from .store import Store

SCOPE_PREFIX = "https://www.googleapis.com/auth/"
PER_FILE_SCOPES = frozenset({SCOPE_PREFIX + "drive.file", SCOPE_PREFIX + "drive.appdata"})
TOKEN_LIFETIME_SECONDS = 3599  # what Google's token endpoint answers
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS oauth_tokens (token_hash TEXT PRIMARY KEY, user TEXT NOT NULL, "
    "client_id TEXT NOT NULL, scopes TEXT NOT NULL)"
)


@dataclass(frozen=True)
class Caller:
    user: str
    client_id: str
    scopes: frozenset[str]
    app_files_only: bool = False  # this call reaches only the files its app created (drive.file)


_current: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("local_workspace_caller", default=None)


def current() -> Caller | None:
    """The caller of the API call being answered; None for pages and controls (the workspace itself)."""
    return _current.get()


@contextlib.contextmanager
def acting_as(caller: Caller | None):
    reset = _current.set(caller)
    try:
        yield caller
    finally:
        _current.reset(reset)


def full_scope(scope: str) -> str:
    return scope if scope.startswith("https://") else SCOPE_PREFIX + scope


class Tokens:
    def __init__(self, store: Store):
        self.store = store
        with store.transaction() as db:
            db.execute(SCHEMA)

    def issue(self, user: str, client_id: str, scopes: list[str]) -> dict:
        token = "ya29.local-" + secrets.token_urlsafe(32)
        granted = sorted({full_scope(s) for s in scopes})
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO oauth_tokens (token_hash, user, client_id, scopes) VALUES (?, ?, ?, ?)",
                (_hash(token), user, client_id, " ".join(granted)),
            )
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECONDS,
            "scope": " ".join(granted),
        }

    def caller(self, authorization: str | None) -> Caller:
        """The caller a request's Authorization header names, or Unauthenticated."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(
                "Request is missing required authentication credential. Expected OAuth 2 access token, login "
                "cookie or other valid authentication credential.",
                reason="required",
            )
        with self.store.transaction() as db:
            row = db.execute(
                "SELECT user, client_id, scopes FROM oauth_tokens WHERE token_hash = ?", (_hash(token.strip()),)
            ).fetchone()
        if row is None:
            raise Unauthenticated(
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
                "or other valid authentication credential.",
                reason="authError",
            )
        return Caller(row["user"], row["client_id"], frozenset(row["scopes"].split()))


def for_method(caller: Caller, api: str, method_id: str) -> Caller:
    """`caller` allowed to call `method_id`, with the reach its scopes give; InsufficientScopes if none fits."""
    accepted = frozenset(discovery.method(api, method_id).get("scopes", []))
    held = caller.scopes & accepted
    if not held:
        raise InsufficientScopes(api, method_id)
    return replace(caller, app_files_only=held <= PER_FILE_SCOPES)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
