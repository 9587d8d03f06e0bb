"""Google's error envelope, wrapped once, so callers see code, status and message."""
from __future__ import annotations

import json

from googleapiclient.errors import HttpError

from ..errors import PppError


class GoogleApiError(PppError):
    def __init__(self, code: int, status: str, message: str, method: str = "", reason: str = ""):
        self.code, self.status, self.message, self.method, self.reason = code, status, message, method, reason
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
        return cls(int(error.resp.status), status, message, method, reason)


def call(request, method: str):
    """Execute one googleapiclient request; reads may be retried by the caller, never sends."""
    try:
        return request.execute()
    except HttpError as error:
        raise GoogleApiError.from_http_error(error, method) from None
