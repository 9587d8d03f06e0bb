"""Service accounts and domain-wide delegation, as Google's token endpoint answers them.

A service account signs a JWT with its key and trades it at the token endpoint (grant type
`urn:ietf:params:oauth:grant-type:jwt-bearer`); with `sub` naming a user of the domain, the token
acts for that user, but only for the scopes a Workspace administrator granted the account's client
ID (Admin console > Security > API controls > Domain-wide delegation). Otherwise 401
`unauthorized_client`. `POST /_local/service-accounts` plays the Cloud console's "Create key (JSON)";
`POST /_local/domain-wide-delegation` plays the administrator.
"""

from __future__ import annotations

import base64
import json
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.crypt import RSAVerifier

from . import auth
from .auth import Tokens, full_scope
from .store import Store

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # the audience every assertion names
MAX_ASSERTION_SECONDS = 3600
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS service_account_keys (key_id TEXT PRIMARY KEY, client_email TEXT NOT NULL, "
    "client_id TEXT NOT NULL, public_pem TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS domain_wide_delegation (client_id TEXT PRIMARY KEY, scopes TEXT NOT NULL)",
)
UNAUTHORIZED = (
    "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of "
    "the scopes requested."
)


class ServiceAccounts:
    def __init__(self, store: Store, tokens: Tokens):
        self.store, self.tokens = store, tokens
        with store.transaction() as db:
            for statement in SCHEMA:
                db.execute(statement)

    def create_key(self, name: str, token_uri: str) -> dict:
        """A new service account and its JSON key, as the Cloud console downloads it."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        client_email = f"{name}@local-workspace.iam.gserviceaccount.com"
        key_id = secrets.token_hex(20)
        with self.store.transaction() as db:  # another key of an account keeps its client ID (and the old key)
            row = db.execute(
                "SELECT client_id FROM service_account_keys WHERE client_email = ?", (client_email,)
            ).fetchone()
            client_id = row["client_id"] if row else str(10**20 + secrets.randbelow(10**20))
            db.execute(
                "INSERT INTO service_account_keys VALUES (?, ?, ?, ?)",
                (key_id, client_email, client_id, public.decode()),
            )
        return {
            "type": "service_account",
            "project_id": "local-workspace",
            "private_key_id": key_id,
            "private_key": private.decode(),
            "client_email": client_email,
            "client_id": client_id,
            "auth_uri": token_uri.rsplit("/", 1)[0] + "/o/oauth2/auth",
            "token_uri": token_uri,
        }

    def delegate(self, client_id: str, scopes: list[str]) -> None:
        """The administrator's grant of domain-wide delegation (no scopes: taken away)."""
        with self.store.transaction() as db:
            if scopes:
                granted = " ".join(sorted({full_scope(s) for s in scopes}))
                db.execute("INSERT OR REPLACE INTO domain_wide_delegation VALUES (?, ?)", (client_id, granted))
            else:
                db.execute("DELETE FROM domain_wide_delegation WHERE client_id = ?", (client_id,))

    def exchange(self, assertion: str, staff: set[str], error) -> dict:
        """The token answer for a signed assertion; `error(code, description, status)` raises."""
        try:
            header_b64, payload_b64, signature_b64 = assertion.split(".")
            header = json.loads(_unbase64(header_b64))
            payload = json.loads(_unbase64(payload_b64))
            signature = _unbase64(signature_b64)
        except ValueError:
            raise error("invalid_grant", "Invalid JWT Signature.", 400) from None
        with self.store.transaction() as db:
            account = db.execute(
                "SELECT * FROM service_account_keys WHERE key_id = ? AND client_email = ?",
                (str(header.get("kid")), str(payload.get("iss"))),
            ).fetchone()
        signed = f"{header_b64}.{payload_b64}".encode()
        if account is None or not RSAVerifier.from_string(account["public_pem"]).verify(signed, signature):
            raise error("invalid_grant", "Invalid JWT Signature.", 400)
        if payload.get("aud") != GOOGLE_TOKEN_URI:
            raise error("invalid_grant", "Invalid JWT: Failed audience check.", 400)
        now = auth.now()
        if (
            not (payload.get("iat", 0) - 300 <= now <= payload.get("exp", 0))
            or payload["exp"] - payload["iat"] > MAX_ASSERTION_SECONDS
        ):
            raise error(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.",
                400,
            )
        scopes = [full_scope(s) for s in str(payload.get("scope", "")).split()]
        subject = payload.get("sub")
        if subject is None:
            return self.tokens.issue(account["client_email"], account["client_id"], scopes)
        if subject not in staff:
            raise error("invalid_grant", "Invalid email or User ID", 400)
        with self.store.transaction() as db:
            row = db.execute(
                "SELECT scopes FROM domain_wide_delegation WHERE client_id = ?", (account["client_id"],)
            ).fetchone()
        if row is None or not scopes or not set(scopes) <= set(row["scopes"].split()):
            raise error("unauthorized_client", UNAUTHORIZED, 401)
        return self.tokens.issue(subject, account["client_id"], scopes)


def _unbase64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
