"""Signing in as Google's OAuth 2.0 server does for an installed (desktop) app: OAuth clients,
authorisation codes with PKCE, refresh tokens, access tokens that expire, and revocation.

What it keeps of Google (docs/google-fidelity.md has a row for each, with its source):

- a desktop client has an id and a secret; the token endpoint answers 401 `invalid_client` for an id
  it does not know or a wrong secret;
- a desktop client may redirect to any port of the loopback address (http://127.0.0.1:PORT or
  http://localhost:PORT); any other redirect_uri is `redirect_uri_mismatch`;
- an authorisation code is used once, within 10 minutes, by the client and redirect_uri it was
  issued for, with the PKCE code_verifier whose S256 (or plain) challenge came with the request;
- an access token lasts 3599 seconds; a refresh token lasts until it is revoked (or, for a client
  whose consent screen is in Testing, 7 days), and each refresh gives a new access token of the grant;
- revoking either token of a grant revokes the grant: its refresh token then answers `invalid_grant`
  ("Token has been expired or revoked.") and its access tokens are refused (401).

Tokens and codes are stored hashed and never logged.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import urllib.parse
from dataclasses import dataclass

from . import auth
from .auth import Tokens, full_scope
from .service_accounts import JWT_BEARER, ServiceAccounts
from .store import Store

CODE_LIFETIME_SECONDS = 600
TESTING_REFRESH_LIFETIME_SECONDS = 7 * 24 * 3600  # a consent screen left in Testing
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
# The fictional staff of the organisation whose Workspace this stands in for: who can sign in.
STAFF_ACCOUNTS = (
    ("staff@example.org", "Sam Okafor", "Engagement officer"),
    ("involvement@example.org", "Involvement team", "Shared team account"),
    ("lead@example.org", "Priya Shah", "Recruiting lead"),
)
SCHEMA = """
CREATE TABLE IF NOT EXISTS oauth_clients (client_id TEXT PRIMARY KEY, client_secret TEXT NOT NULL,
    name TEXT NOT NULL, testing INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS oauth_codes (code_hash TEXT PRIMARY KEY, client_id TEXT NOT NULL, user TEXT NOT NULL,
    scopes TEXT NOT NULL, redirect_uri TEXT NOT NULL, challenge TEXT NOT NULL, method TEXT NOT NULL,
    expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS oauth_grants (grant_id TEXT PRIMARY KEY, refresh_hash TEXT UNIQUE NOT NULL,
    client_id TEXT NOT NULL, user TEXT NOT NULL, scopes TEXT NOT NULL, expires_at REAL, revoked INTEGER NOT NULL);
"""


def now() -> float:
    return auth.now()  # one clock for codes, refresh tokens and access tokens


class OAuthError(Exception):
    """An answer of Google's token endpoint: {"error", "error_description"} with its HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status = error, description, status

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    name: str
    testing: bool


@dataclass(frozen=True)
class AuthorizationRequest:
    """The checked parameters of a request to the authorisation endpoint."""

    client: Client
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    challenge: str
    method: str


class SignIn:
    def __init__(self, store: Store, tokens: Tokens):
        self.store, self.tokens = store, tokens
        self.service_accounts = ServiceAccounts(store, tokens)
        with store.transaction() as db:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)

    # OAuth clients (made in the Cloud console on Google; by a control here)

    def register_client(self, client_id: str | None, name: str, testing: bool) -> Client:
        """The client with this id (made now if new); a new id when none is given."""
        client_id = client_id or f"{secrets.randbelow(10**12):012d}-local.apps.googleusercontent.com"
        existing = self.client(client_id)
        if existing is not None:
            return existing
        client = Client(client_id, "GOCSPX-" + secrets.token_urlsafe(21), name, testing)
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO oauth_clients (client_id, client_secret, name, testing) VALUES (?, ?, ?, ?)",
                (client.client_id, client.client_secret, client.name, int(client.testing)),
            )
        return client

    def client(self, client_id: str) -> Client | None:
        with self.store.transaction() as db:
            row = db.execute("SELECT * FROM oauth_clients WHERE client_id = ?", (client_id,)).fetchone()
        return (
            None if row is None else Client(row["client_id"], row["client_secret"], row["name"], bool(row["testing"]))
        )

    # The authorisation endpoint

    def check_request(self, params: dict[str, str]) -> AuthorizationRequest:
        """The request's parameters checked as Google's authorisation endpoint does (OAuthError if not)."""
        client = self.client(params.get("client_id", ""))
        if client is None:
            raise OAuthError("invalid_client", "The OAuth client was not found.", 401)
        redirect_uri = params.get("redirect_uri", "")
        if not is_loopback(redirect_uri):
            raise OAuthError(
                "redirect_uri_mismatch",
                "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. "
                "A desktop app must redirect to a loopback address.",
            )
        if params.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", f"Invalid response_type: {params.get('response_type', '')}")
        scopes = tuple(dict.fromkeys(full_scope(s) for s in params.get("scope", "").split()))
        if not scopes:
            raise OAuthError("invalid_request", "Missing required parameter: scope")
        unknown = [s for s in scopes if not s.startswith("https://www.googleapis.com/auth/")]
        if unknown:
            raise OAuthError(
                "invalid_scope", "Some requested scopes were invalid. {invalid=[" + ", ".join(unknown) + "]}"
            )
        method = params.get("code_challenge_method", "plain") if params.get("code_challenge") else ""
        if method not in ("", "plain", "S256"):
            raise OAuthError("invalid_request", "Invalid code_challenge_method value.")
        return AuthorizationRequest(
            client, redirect_uri, scopes, params.get("state"), params.get("code_challenge", ""), method
        )

    def approve(self, request: AuthorizationRequest, user: str) -> str:
        """The redirect that carries a new authorisation code for `user` back to the app."""
        if user not in {account for account, _, _ in STAFF_ACCOUNTS}:
            raise OAuthError("invalid_request", "Choose an account.")
        code = "4/0local-" + secrets.token_urlsafe(32)
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO oauth_codes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    _hash(code),
                    request.client.client_id,
                    user,
                    " ".join(request.scopes),
                    request.redirect_uri,
                    request.challenge,
                    request.method,
                    now() + CODE_LIFETIME_SECONDS,
                ),
            )
        return redirect_to(request, {"code": code, "scope": " ".join(request.scopes)})

    # The token endpoint

    def token(self, form: dict[str, str]) -> dict:
        grant_type = form.get("grant_type", "")
        if not grant_type:
            raise OAuthError("unsupported_grant_type", "Invalid grant_type: ")
        if grant_type == "authorization_code":
            return self._exchange_code(form)
        if grant_type == "refresh_token":
            return self._refresh(form)
        if grant_type == JWT_BEARER:
            staff = {account for account, _, _ in STAFF_ACCOUNTS}
            return self.service_accounts.exchange(form.get("assertion", ""), staff, OAuthError)
        raise OAuthError("unsupported_grant_type", f"Invalid grant_type: {grant_type}")

    def _authenticated_client(self, form: dict[str, str]) -> Client:
        client = self.client(form.get("client_id", ""))
        if client is None:
            raise OAuthError("invalid_client", "The OAuth client was not found.", 401)
        if not secrets.compare_digest(form.get("client_secret", ""), client.client_secret):
            raise OAuthError("invalid_client", "Unauthorized", 401)
        return client

    def _exchange_code(self, form: dict[str, str]) -> dict:
        for name in ("code", "redirect_uri"):
            if not form.get(name):
                raise OAuthError("invalid_request", f"Missing required parameter: {name}")
        client = self._authenticated_client(form)
        with self.store.transaction() as db:
            row = db.execute("SELECT * FROM oauth_codes WHERE code_hash = ?", (_hash(form["code"]),)).fetchone()
            # A code is used once, whatever the outcome (Google refuses a second exchange).
            db.execute("DELETE FROM oauth_codes WHERE code_hash = ?", (_hash(form["code"]),))
        if row is None or row["expires_at"] < now() or row["client_id"] != client.client_id:
            raise OAuthError("invalid_grant", "Bad Request")
        if row["redirect_uri"] != form["redirect_uri"]:
            raise OAuthError("redirect_uri_mismatch", "Bad Request")
        if row["method"]:
            verifier = form.get("code_verifier", "")
            if not verifier:
                raise OAuthError("invalid_grant", "Missing code verifier.")
            if not secrets.compare_digest(challenge_of(verifier, row["method"]), row["challenge"]):
                raise OAuthError("invalid_grant", "Invalid code verifier.")
        refresh_token = "1//0local-" + secrets.token_urlsafe(40)
        grant_id = secrets.token_hex(16)
        expires_at = now() + TESTING_REFRESH_LIFETIME_SECONDS if client.testing else None
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO oauth_grants VALUES (?, ?, ?, ?, ?, ?, 0)",
                (grant_id, _hash(refresh_token), client.client_id, row["user"], row["scopes"], expires_at),
            )
        answer = self.tokens.issue(row["user"], client.client_id, row["scopes"].split(), grant_id=grant_id)
        answer["refresh_token"] = refresh_token
        if expires_at is not None:
            answer["refresh_token_expires_in"] = TESTING_REFRESH_LIFETIME_SECONDS - 1  # as 3599 for an hour
        return answer

    def _refresh(self, form: dict[str, str]) -> dict:
        if not form.get("refresh_token"):
            raise OAuthError("invalid_request", "Missing required parameter: refresh_token")
        client = self._authenticated_client(form)
        with self.store.transaction() as db:
            row = db.execute(
                "SELECT * FROM oauth_grants WHERE refresh_hash = ?", (_hash(form["refresh_token"]),)
            ).fetchone()
        if row is None or row["client_id"] != client.client_id:
            raise OAuthError("invalid_grant", "Bad Request")
        if row["revoked"] or (row["expires_at"] is not None and row["expires_at"] < now()):
            raise OAuthError("invalid_grant", "Token has been expired or revoked.")
        scopes = row["scopes"].split()
        if form.get("scope"):  # a refresh may narrow the scopes, never widen them
            asked = {full_scope(s) for s in form["scope"].split()}
            if not asked <= set(scopes):
                raise OAuthError("invalid_scope", "The requested scope is not a subset of the granted scopes.")
            scopes = sorted(asked)
        return self.tokens.issue(row["user"], client.client_id, scopes, grant_id=row["grant_id"])

    # The revocation endpoint

    def revoke(self, token: str) -> None:
        """Revoke the grant `token` (a refresh or an access token) belongs to."""
        grant_id = None
        with self.store.transaction() as db:
            row = db.execute(
                "SELECT grant_id FROM oauth_grants WHERE refresh_hash = ? AND revoked = 0", (_hash(token),)
            ).fetchone()
            if row is not None:
                grant_id = row["grant_id"]
        if grant_id is None:
            grant_id = self.tokens.grant_of(token)
        if grant_id is None and not self.tokens.revoke_token(token):
            raise OAuthError("invalid_token", "Token expired or revoked")
        if grant_id is not None:
            with self.store.transaction() as db:
                db.execute("UPDATE oauth_grants SET revoked = 1 WHERE grant_id = ?", (grant_id,))
            self.tokens.revoke_grant(grant_id)

    def account_name(self, user: str) -> str:
        return next((name for account, name, _ in STAFF_ACCOUNTS if account == user), user)


def is_loopback(uri: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(uri)
        parts.port  # noqa: B018 (a port that is not a number raises ValueError)
    except ValueError:
        return False
    return parts.scheme == "http" and parts.netloc.rsplit(":", 1)[0] in LOOPBACK_HOSTS and not parts.fragment


def challenge_of(verifier: str, method: str) -> str:
    if method == "plain":
        return verifier
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def redirect_to(request: AuthorizationRequest, values: dict[str, str]) -> str:
    if request.state is not None:
        values = {"state": request.state, **values}
    separator = "&" if "?" in request.redirect_uri else "?"
    return request.redirect_uri + separator + urllib.parse.urlencode(values)


def client_config(client: Client, base_url: str) -> dict:
    """The client as the Cloud console's "Download JSON" gives it, pointing at this workspace."""
    return {
        "installed": {
            "client_id": client.client_id,
            "project_id": "local-workspace",
            "auth_uri": f"{base_url}/o/oauth2/auth",
            "token_uri": f"{base_url}/token",
            "client_secret": client.client_secret,
            "redirect_uris": ["http://localhost"],
        }
    }


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
