"""Identifiers shaped like Google's."""

import hashlib
import secrets


def new_file_id() -> str:
    """A Drive file id: 44 url-safe characters starting with 1, as Google's are."""
    return "1" + secrets.token_urlsafe(33)[:43]


def new_hex_id(taken=()) -> str:
    """An 8-hex-digit item or question id, as the Forms API assigns."""
    while True:
        candidate = secrets.token_hex(4)
        if candidate not in taken:
            return candidate


def new_response_id() -> str:
    return "ACYDBN" + secrets.token_urlsafe(40)[:50]


def stable_numeric_id(text: str) -> str:
    """A Drive permission id for a user, group or domain: the same on every file."""
    return str(int(hashlib.sha256(text.lower().encode()).hexdigest()[:15], 16)).rjust(20, "0")
