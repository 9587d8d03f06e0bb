"""Google's error envelope, wrapped once, so callers see code, status and message."""
from __future__ import annotations

import json
import socket

import requests
from googleapiclient.errors import HttpError

from ..errors import PppError


class GoogleApiError(PppError):
    def __init__(self, code: int, status: str, message: str, method: str = "", reason: str = ""):
        self.code, self.status, self.message, self.method, self.reason = code, status, message, method, reason
        super().__init__(f"{method + ': ' if method else ''}Google answered {code} {status}: {message}")

    @classmethod
    def from_http_error(cls, error: HttpError, method: str = "") -> "GoogleApiError":
        status, message, reason = "", str(error.reason or ""), ""
        try:
            body = json.loads(error.content.decode("utf-8"))["error"]
            status, message = body.get("status", ""), body.get("message", message)
            reason = (body.get("errors") or [{}])[0].get("reason", "")
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            pass
        return cls(int(error.resp.status), status, message, method, reason)


class NoAnswer(PppError):
    """A call to Google stalled or could not connect within the configured timeouts: the run stops.

    Not a GoogleApiError: nothing handles it per file; the whole run ends (exit 1) and the next
    run starts from what is in Google, as after any interrupted run.
    """

    def __init__(self, method: str, cause: BaseException):
        self.method = method
        super().__init__(
            f"{method}: no answer from Google ({type(cause).__name__}: it stalled past the timeout or the "
            "connection failed); this run stopped. "
            "Nothing is lost: the next run carries on from what Google holds. If it keeps happening, check the "
            "network and https://www.google.com/appsstatus, or raise timeouts.read_seconds in ppp-gsuite.yaml.")


# What a stalled or unreachable call raises: httplib2 (googleapiclient) and requests (gspread).
NO_ANSWER = (socket.timeout, TimeoutError, ConnectionError, requests.exceptions.Timeout,
             requests.exceptions.ConnectionError)


def call(request, method: str):
    """Execute one googleapiclient request; reads may be retried by the caller, never sends."""
    try:
        return request.execute()
    except HttpError as error:
        raise GoogleApiError.from_http_error(error, method) from None
    except NO_ANSWER as error:
        raise NoAnswer(method, error) from None
