"""Gmail v1 users.messages.send and settings.sendAs.list: parse the RFC 2822 message, keep it;
models and rules, no HTTP.

Gmail keeps a message's From only when it is the signed-in account or one of its verified send-as
aliases; otherwise it sends the message as the account, silently
(https://support.google.com/mail/answer/22370, "Send emails from a different address or alias").
The account's aliases are a local setting (/_local/gmail/send-as).
"""

from __future__ import annotations

import base64
import binascii
import email
import email.headerregistry
import email.policy
import secrets
from typing import Any

from .. import auth, timestamps
from ..errors import InvalidArgument
from ..store import Store

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS gmail_messages (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
    "id TEXT UNIQUE NOT NULL, thread_id TEXT NOT NULL, sent_time TEXT NOT NULL, sender TEXT NOT NULL, "
    "recipient TEXT NOT NULL, reply_to TEXT NOT NULL, subject TEXT NOT NULL, text TEXT NOT NULL, "
    "html TEXT NOT NULL, raw BLOB NOT NULL)",
)
COLUMNS = "id, thread_id, sent_time, sender, recipient, reply_to, subject, text, html, raw"
RECIPIENT_HEADERS = ("To", "Cc", "Bcc")
SEND_AS = "gmail.send_as"  # + ":" + an account: that account's verified send-as aliases (a store setting)


def _send_as_key(account: str) -> str:
    return f"{SEND_AS}:{account.strip().lower()}"


NO_MESSAGE = "'raw' RFC822 payload message string or uploading message via /upload/* URL required"


class GmailState:
    def __init__(self, store: Store, owner_email: str):
        self.store = store
        self.owner_email = owner_email
        with store.transaction() as db:
            for statement in SCHEMA:
                db.execute(statement)

    def send(self, body: dict) -> dict:
        if not body or not body.get("raw"):
            raise InvalidArgument(NO_MESSAGE)
        extra = sorted(set(body) - {"raw"})
        if extra:
            raise InvalidArgument(f'The local workspace sends only {{"raw": ...}} messages (got {", ".join(extra)}).')
        raw = _decode_raw(body["raw"])
        message = email.message_from_bytes(raw, policy=email.policy.default)
        recipient = _one_recipient(message)
        sender, raw = self._sent_as(message, raw)
        message_id = secrets.token_hex(8)
        row = (
            message_id,
            message_id,
            timestamps.format_time(timestamps.now()),
            sender,
            recipient,
            _header(message, "Reply-To"),
            _header(message, "Subject"),
            _body(message, "plain"),
            _body(message, "html"),
            raw,
        )
        with self.store.transaction() as db:
            db.execute(f"INSERT INTO gmail_messages ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        return {"id": message_id, "threadId": message_id, "labelIds": ["SENT"]}

    @property
    def account(self) -> str:
        """The Gmail account a call acts as: the signed-in user ("me"), or the workspace's owner for
        pages and controls."""
        caller = auth.current()
        return caller.user if caller else self.owner_email

    def aliases(self, account: str | None = None) -> list[str]:
        """The verified send-as addresses of `account` (the calling account by default): each Gmail
        account verifies its own, so one account's alias is nothing to another."""
        return list(self.store.get_setting(_send_as_key(account or self.account), []) or [])

    def set_aliases(self, addresses: list[str], account: str | None = None) -> list[str]:
        if not isinstance(addresses, list) or not all(isinstance(a, str) and "@" in a for a in addresses):
            raise InvalidArgument("aliases: a list of email addresses")
        self.store.set_setting(_send_as_key(account or self.account), sorted({a.strip().lower() for a in addresses}))
        return self.aliases(account)

    def send_as_list(self) -> dict:
        """users.settings.sendAs.list: the account itself (primary), then each verified alias."""
        entries = [
            {
                "sendAsEmail": self.account,
                "displayName": "",
                "replyToAddress": "",
                "signature": "",
                "isPrimary": True,
                "isDefault": True,
            }
        ]
        entries += [
            {
                "sendAsEmail": alias,
                "displayName": "",
                "replyToAddress": "",
                "signature": "",
                "treatAsAlias": True,
                "verificationStatus": "accepted",
            }
            for alias in self.aliases()
        ]
        return {"sendAs": entries}

    def _sent_as(self, message, raw: bytes) -> tuple[str, bytes]:
        """The From the recipient sees, and the message as sent: the account's address when the
        given From is neither the account nor a verified alias (Gmail does this without an error)."""
        given = _header(message, "From")
        try:
            addresses: tuple[Any, ...] = tuple(message["From"].addresses) if message["From"] is not None else ()
        except Exception:
            addresses = ()
        address = addresses[0].addr_spec.lower() if len(addresses) == 1 else ""
        if address and address in {self.account.lower(), *self.aliases()}:
            return given, raw
        name = addresses[0].display_name if len(addresses) == 1 else ""
        rewritten = email.headerregistry.Address(display_name=name, addr_spec=self.account)
        del message["From"]
        message["From"] = rewritten
        return str(rewritten), message.as_bytes()

    def count(self) -> int:
        with self.store.transaction() as db:
            return db.execute("SELECT COUNT(*) FROM gmail_messages").fetchone()[0]

    def messages(self, newest_first: bool = False) -> list[dict]:
        order = "DESC" if newest_first else "ASC"
        with self.store.transaction() as db:
            rows = db.execute(f"SELECT {COLUMNS} FROM gmail_messages ORDER BY seq {order}").fetchall()
        return [_public(row) for row in rows]


def _decode_raw(text) -> bytes:
    if not isinstance(text, str):
        raise InvalidArgument(NO_MESSAGE)
    try:  # Gmail takes base64url with or without padding
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidArgument("Invalid value at 'message.raw' (TYPE_BYTES), Base64 decoding failed.") from None


def _one_recipient(message) -> str:
    """The single recipient across To, Cc and Bcc. Gmail takes many; ppp-gsuite must send one."""
    addresses = []
    try:
        for name in RECIPIENT_HEADERS:
            for header in message.get_all(name) or []:
                addresses.extend(header.addresses)
    except Exception:  # the email package's header parser can raise on hostile input
        raise InvalidArgument("Invalid To header") from None
    if not addresses:
        raise InvalidArgument("Recipient address required")
    if len(addresses) > 1:
        raise InvalidArgument(
            f"Invalid To header: {len(addresses)} recipients across To, Cc and Bcc; "
            "the local workspace accepts one (ppp-gsuite sends one message per person)."
        )
    if message.get_all("To") is None or "@" not in addresses[0].addr_spec:
        raise InvalidArgument("Invalid To header")
    return str(addresses[0])


def _header(message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:
        return ""
    return "" if value is None else str(value)


def _body(message, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    if part is None:
        return ""
    try:
        return part.get_content()
    except (LookupError, ValueError, UnicodeError):
        return (part.get_payload(decode=True) or b"").decode("utf-8", "replace")


def _public(row) -> dict:
    return {
        "id": row["id"],
        "threadId": row["thread_id"],
        "time": row["sent_time"],
        "from": row["sender"],
        "to": row["recipient"],
        "replyTo": row["reply_to"],
        "subject": row["subject"],
        "text": row["text"],
        "html": row["html"],
        "raw": base64.urlsafe_b64encode(row["raw"]).decode("ascii"),
    }
