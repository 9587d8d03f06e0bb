"""Google's answers and silences, wrapped once: callers see `PppError`s, never an HTTP library's.

`GoogleApiError` is Google's error envelope (code, status, message); `Unreachable` is a request that
never got an answer (no connection, a timeout, TLS), whichever transport it went over.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import json
import socket
import ssl

import google.auth.exceptions
import httplib2
import requests
from googleapiclient.errors import HttpError

from ..errors import PppError


class GoogleApiError(PppError):
    def __init__(
        self, code: int, status: str, message: str, method: str = "", reason: str = "", retry_after: float | None = None
    ):
        self.code, self.status, self.message, self.method, self.reason = code, status, message, method, reason
        self.retry_after = retry_after  # seconds Google asked the caller to wait (its Retry-After header), if any
        super().__init__(f"{method + ': ' if method else ''}Google answered {code} {status}: {message}")

    @classmethod
    def from_http_error(cls, error: HttpError, method: str = "") -> GoogleApiError:
        status, message, reason = "", str(error.reason or ""), ""
        try:
            body = json.loads(error.content.decode("utf-8"))["error"]
            status, message = body.get("status", ""), body.get("message", message)
            reason = (body.get("errors") or [{}])[0].get("reason", "")
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            pass
        return cls(
            int(error.resp.status), status, message, method, reason, retry_after_seconds(error.resp.get("retry-after"))
        )


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header (RFC 9110 §10.2.3: seconds, or an HTTP date) as seconds from now; None if absent."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from datetime import UTC, datetime
    from email.utils import parsedate_to_datetime

    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


class Unreachable(PppError):
    """A request got no answer: Google (or the local workspace standing in for it) could not be reached."""

    complete = False  # whether the message already says what did not answer and what to do

    def __init__(self, method: str, cause: BaseException):
        self.method, self.cause = method, type(cause).__name__
        super().__init__(f"{method}: no answer ({self.cause}: {cause})")


class NoAnswer(Unreachable):
    """A call stalled past the configured timeouts: the run stops (exit 1) and the next run starts from
    what is in Google, as after any interrupted run."""

    def __init__(self, method: str, cause: BaseException):
        super().__init__(method, cause)
        self.args = (
            f"{method}: no answer from Google ({type(cause).__name__}: it stalled past the timeout or the "
            "connection failed); this run stopped. "
            "Nothing is lost: the next run carries on from what Google holds. If it keeps happening, check the "
            "network and https://www.google.com/appsstatus, or raise timeouts.read_seconds in ppp-gsuite.yaml.",
        )

    def __str__(self) -> str:
        return str(self.args[0])


class SignInRefused(PppError):
    """Google would not refresh the credentials (a revoked or expired token, a wrong key)."""

    def __init__(self, method: str, cause: BaseException):
        super().__init__(
            f"{method}: Google refused the sign-in ({type(cause).__name__}); "
            "renew the credentials (see the README, 'Using it with Google')"
        )


# What each transport raises when no answer came: httplib2 (googleapiclient), requests (gspread,
# Gmail), google-auth refreshing a token over either, and the sockets under them all (httplib2 lets
# those through as they are). Not every OSError: a full disk is not a network failure.
TRANSPORT_FAILURES = (
    httplib2.HttpLib2Error,
    requests.RequestException,
    google.auth.exceptions.TransportError,
    http.client.HTTPException,
    ssl.SSLError,
    socket.gaierror,
    ConnectionError,
    TimeoutError,
)
STALLS = (socket.timeout, TimeoutError, requests.exceptions.Timeout)  # past the configured timeouts
NETWORK_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN, errno.EADDRNOTAVAIL}


def translated(method: str, error: BaseException) -> PppError | None:
    """The PppError for a transport's failure, or None when it is not one (a bug, a full disk)."""
    if isinstance(error, STALLS):
        return NoAnswer(method, error)
    if isinstance(error, TRANSPORT_FAILURES) or (isinstance(error, OSError) and error.errno in NETWORK_ERRNOS):
        return Unreachable(method, error)
    if isinstance(error, google.auth.exceptions.RefreshError):
        return SignInRefused(method, error)
    return None


@contextlib.contextmanager
def transport_failures_translated(method: str):
    """Inside it, a transport's failure comes out as `Unreachable` (or `SignInRefused`); all else as it was."""
    try:
        yield
    except Exception as error:
        wrapped = translated(method, error)
        if wrapped is None:
            raise
        raise wrapped from error


def call(request, method: str, http=None):
    """Execute one googleapiclient request (over `http` instead of its own, when given); the retry
    policy (retry.py) decides what may be repeated, never sends."""
    with transport_failures_translated(method):
        try:
            return request.execute(http=http) if http is not None else request.execute()
        except HttpError as error:
            raise GoogleApiError.from_http_error(error, method) from None
