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
import time
from dataclasses import dataclass, replace

from . import discovery
from .errors import InsufficientScopes, Unauthenticated
from .store import Store

SCOPE_PREFIX = "https://www.googleapis.com/auth/"
PER_FILE_SCOPES = frozenset({SCOPE_PREFIX + "drive.file", SCOPE_PREFIX + "drive.appdata"})
TOKEN_LIFETIME_SECONDS = 3599  # what Google's token endpoint answers
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS oauth_tokens (token_hash TEXT PRIMARY KEY, user TEXT NOT NULL, "
    "client_id TEXT NOT NULL, scopes TEXT NOT NULL, expires_at REAL, grant_id TEXT)"
)
ADDED_COLUMNS = {"expires_at": "REAL", "grant_id": "TEXT"}  # a store made before tokens expired


def now() -> float:
    """The clock tokens expire by (tests move it)."""
    return time.time()


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
            columns = {row["name"] for row in db.execute("PRAGMA table_info(oauth_tokens)")}
            for column, kind in ADDED_COLUMNS.items():
                if column not in columns:
                    db.execute(f"ALTER TABLE oauth_tokens ADD COLUMN {column} {kind}")

    def issue(self, user: str, client_id: str, scopes: list[str], grant_id: str | None = None) -> dict:
        """A new access token, valid for TOKEN_LIFETIME_SECONDS (of a sign-in's grant, when one is given)."""
        token = "ya29.local-" + secrets.token_urlsafe(32)
        granted = sorted({full_scope(s) for s in scopes})
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO oauth_tokens (token_hash, user, client_id, scopes, expires_at, grant_id) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (_hash(token), user, client_id, " ".join(granted), now() + TOKEN_LIFETIME_SECONDS, grant_id),
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
        row = self._live(token.strip())
        if row is None:
            raise Unauthenticated(
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
                "or other valid authentication credential.",
                reason="authError",
            )
        return Caller(row["user"], row["client_id"], frozenset(row["scopes"].split()))

    def _live(self, token: str):
        """The stored row of an access token that has neither expired nor been revoked, else None."""
        with self.store.transaction() as db:
            row = db.execute("SELECT * FROM oauth_tokens WHERE token_hash = ?", (_hash(token),)).fetchone()
        if row is None or (row["expires_at"] is not None and row["expires_at"] <= now()):
            return None
        return row

    def info(self, token: str) -> dict | None:
        """What Google's tokeninfo endpoint tells of a live access token: client, scopes, expiry."""
        row = self._live(token)
        if row is None:
            return None
        expires_in = max(0, int(row["expires_at"] - now())) if row["expires_at"] is not None else TOKEN_LIFETIME_SECONDS
        return {
            "azp": row["client_id"],
            "aud": row["client_id"],
            "scope": row["scopes"],
            "exp": str(int(now()) + expires_in),
            "expires_in": str(expires_in),
            "access_type": "offline" if row["grant_id"] else "online",
        }

    def grant_of(self, token: str) -> str | None:
        row = self._live(token)
        return row["grant_id"] if row is not None else None

    def revoke_token(self, token: str) -> bool:
        """Revoke one access token that belongs to no grant; whether there was one to revoke."""
        with self.store.transaction() as db:
            return db.execute("DELETE FROM oauth_tokens WHERE token_hash = ?", (_hash(token),)).rowcount > 0

    def revoke_grant(self, grant_id: str) -> None:
        with self.store.transaction() as db:
            db.execute("DELETE FROM oauth_tokens WHERE grant_id = ?", (grant_id,))


def for_method(caller: Caller, api: str, method_id: str) -> Caller:
    """`caller` allowed to call `method_id`, with the reach its scopes give; InsufficientScopes if none fits."""
    accepted = frozenset(discovery.method(api, method_id).get("scopes", []))
    held = caller.scopes & accepted
    if not held:
        raise InsufficientScopes(api, method_id)
    return replace(caller, app_files_only=held <= PER_FILE_SCOPES)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
