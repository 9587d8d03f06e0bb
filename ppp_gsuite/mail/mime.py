"""Build one-recipient MIME messages that applicant text cannot bend (docs/decisions.md §7).

Python 3.11's email package has had header-injection bugs, so names are cleaned before they reach a
header, addresses are checked by email-validator plus a few stricter rules, and every header is built
through headerregistry.Address rather than by formatting strings.
"""

from __future__ import annotations

import base64
import email.policy
import email.utils
import re
import unicodedata
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage

from email_validator import EmailNotValidError, validate_email

from ..errors import PppError
from .templates import RenderedEmail

MAX_NAME = 78
_ENCODED_WORD = re.compile(r"=\?|\?=")


class InvalidAddress(PppError):
    """An address we will not send to; the message names whose address it is, never the address."""


def clean_text(value: str) -> str:
    """One line with no control or format characters and no encoded-word markers (=? ?=)."""
    chars = []
    for char in str(value):
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp"):
            chars.append(" ")
        elif category != "Cf":
            chars.append(char)
    text = "".join(chars)
    while _ENCODED_WORD.search(text):  # removing one marker can join the halves of another
        text = _ENCODED_WORD.sub("", text)
    return " ".join(text.split())


def clean_name(name: str) -> str:
    return clean_text(name)[:MAX_NAME].rstrip()


def check_address(addr: str, who: str = "the address") -> str:
    """The address in the ASCII form we send to, or InvalidAddress saying whose address is wrong."""
    addr = str(addr)
    if not addr:
        raise InvalidAddress(f"{who} is empty")
    if any(char in addr for char in ',<>;"') or any(char.isspace() for char in addr):
        raise InvalidAddress(f"{who} contains a comma, bracket, quote or space; it must be one plain email address")
    if addr.count("@") != 1:
        raise InvalidAddress(f"{who} must contain exactly one @")
    if _ENCODED_WORD.search(addr):
        raise InvalidAddress(f"{who} contains '=?' or '?=', which no real address needs")
    try:
        result = validate_email(addr, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        # The validator's message may quote parts of the address, which is personal data.
        raise InvalidAddress(f"{who} is not a valid email address; check it for typing mistakes") from exc
    return result.ascii_email or result.normalized


def make_address(name: str, addr: str, who: str = "the address") -> Address:
    return Address(display_name=clean_name(name or ""), addr_spec=check_address(addr, who))


def build_message(
    sender: tuple[str, str],
    to: tuple[str, str],
    rendered: RenderedEmail,
    reply_to: tuple[str, str] | list[tuple[str, str]] | None = None,
    *,
    who: str = "the address",
) -> EmailMessage:
    """`who` describes the recipient in errors, e.g. "the applicant's email address"; `reply_to` is one
    (name, address) or several (the expenses approvers)."""
    from_address = make_address(*sender, who="the sender's address (sender.email in the config)")
    to_address = make_address(*to, who=who)
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = from_address
    message["To"] = to_address
    replies = [reply_to] if isinstance(reply_to, tuple) else (reply_to or [])
    if replies:
        message["Reply-To"] = tuple(
            make_address(*pair, who="the reply-to address (the lead contact's or an approver's email)")
            for pair in replies
        )
    message["Subject"] = clean_text(rendered.subject)
    message["Date"] = email.utils.format_datetime(datetime.now(UTC))
    message["Message-ID"] = email.utils.make_msgid(domain=from_address.domain)
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    if len(message["To"].addresses) != 1:  # belt and braces: never more than one recipient
        raise InvalidAddress(f"{who} did not make exactly one recipient")
    return message


def encode_raw(message: EmailMessage) -> str:
    """base64url of the RFC 2822 bytes, for Gmail's users.messages.send {"raw": ...}."""
    return base64.urlsafe_b64encode(message.as_bytes()).decode()
