"""Gmail v1 `users.messages.send`, over a transport that never re-sends (docs/decisions.md §5).

Not googleapiclient: it runs over httplib2, which silently sends a request a second time
when the connection drops before the status line arrives, even with `num_retries=0`; for a
send that means a duplicate email that the caller reports as sent once. Here the POST goes
through a `requests.Session` (on Google, `google.auth.transport.requests.AuthorizedSession`)
with urllib3 retries off and redirects not followed, so each `send` is at most one request.
AuthorizedSession repeats a request only after a 401, which Google answers without sending.

Three outcomes: the message id (sent); `NotSent` (`SendRefused`: Google refused it with a
4xx; `SendNotAttempted`: no connection was made); `SendOutcomeUnknown` (the request may have
reached Google and no clear answer came back). An unknown outcome is for a person to check:
never retry it. Nothing here logs the message or its addresses.
"""

from __future__ import annotations

import google.auth.exceptions
import requests
import urllib3
from requests.adapters import HTTPAdapter

from ..errors import PppError

GOOGLE_URL = "https://gmail.googleapis.com"
SEND_PATH = "/gmail/v1/users/me/messages/send"
SEND_AS_PATH = "/gmail/v1/users/me/settings/sendAs"
TIMEOUT = (10, 60)  # seconds to connect, seconds to wait for the answer


class NotSent(PppError):
    """The message was certainly not sent."""


class SendRefused(NotSent):
    """Google answered with a 4xx: the message was not sent."""

    def __init__(self, code: int, status: str, message: str, reason: str = ""):
        self.code, self.status, self.message, self.reason = code, status, message, reason
        super().__init__(f"Gmail refused the message: {code} {status}: {message}")


class SendNotAttempted(NotSent):
    """No connection to Gmail was made (refused, unreachable, timed out connecting)."""


class SendOutcomeUnknown(PppError):
    """The request may have reached Gmail and no clear answer came back: never re-send it."""


def no_retry_adapter() -> HTTPAdapter:
    return HTTPAdapter(
        max_retries=urllib3.Retry(
            total=0, connect=0, read=0, redirect=0, status=0, raise_on_redirect=False, raise_on_status=False
        )
    )


class GmailSender:
    def __init__(self, session: requests.Session, base_url: str = GOOGLE_URL, timeout=TIMEOUT):
        session.mount("https://", no_retry_adapter())
        session.mount("http://", no_retry_adapter())
        self.session = session
        self.url = base_url.rstrip("/") + SEND_PATH
        self.send_as_url = base_url.rstrip("/") + SEND_AS_PATH
        self.timeout = timeout

    def send_as(self) -> list[dict]:
        """users.settings.sendAs.list: the account (isPrimary) and its send-as addresses.

        Needs a Gmail settings scope: ppp-gsuite asks Google only for gmail.send, so this is for
        the local workspace (on Google it would answer 403).
        """
        try:
            response = self.session.get(self.send_as_url, timeout=self.timeout, allow_redirects=False)
        except requests.exceptions.RequestException as error:
            raise NotSent(f"could not ask Gmail for the send-as addresses ({type(error).__name__})") from None
        if response.status_code != 200:
            raise _refusal(response)
        return response.json().get("sendAs", [])

    def send(self, raw: str) -> str:
        """Send one base64url RFC 2822 message; return Gmail's message id."""
        try:
            response = self.session.post(self.url, json={"raw": raw}, timeout=self.timeout, allow_redirects=False)
        except requests.exceptions.RequestException as error:
            raise _classify(error) from None
        except google.auth.exceptions.GoogleAuthError as error:
            # The token refresh runs before the send (or after a 401, which Google sends nothing on).
            raise SendNotAttempted(f"could not sign in to Gmail ({type(error).__name__})") from None
        if 200 <= response.status_code < 300:
            try:
                return response.json()["id"]
            except (ValueError, KeyError, TypeError):
                raise SendOutcomeUnknown(f"Gmail answered {response.status_code} without a message id") from None
        if 400 <= response.status_code < 500:
            raise _refusal(response)
        raise SendOutcomeUnknown(f"Gmail answered {response.status_code}; the message may have been sent")


def _classify(error: requests.exceptions.RequestException) -> PppError:
    if isinstance(
        error,
        (
            requests.exceptions.ConnectTimeout,
            requests.exceptions.InvalidURL,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        ),
    ):
        return SendNotAttempted(f"could not connect to Gmail ({type(error).__name__})")
    if isinstance(error, requests.exceptions.ConnectionError) and _never_connected(error):
        return SendNotAttempted("could not connect to Gmail (connection refused or unreachable)")
    if isinstance(error, requests.exceptions.ReadTimeout):
        return SendOutcomeUnknown("no answer from Gmail before the timeout; the message may have been sent")
    return SendOutcomeUnknown(
        f"the connection to Gmail failed after sending ({type(error).__name__}); the message may have been sent"
    )


def _never_connected(error: requests.exceptions.ConnectionError) -> bool:
    """True when urllib3 failed to open the connection, so no byte of the request left."""
    cause = error.args[0] if error.args else None
    if isinstance(cause, urllib3.exceptions.MaxRetryError):
        cause = cause.reason
    return isinstance(cause, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError))


def _refusal(response: requests.Response) -> SendRefused:
    status, message, reason = "", response.reason or "", ""
    try:
        body = response.json()["error"]
        status, message = body.get("status", ""), body.get("message", message)
        reason = (body.get("errors") or [{}])[0].get("reason", "")
    except (ValueError, KeyError, TypeError, AttributeError, IndexError):
        pass
    return SendRefused(response.status_code, status, message, reason)
