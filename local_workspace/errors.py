"""Errors of the local workspace, serialised once to Google's error envelope."""

from __future__ import annotations

import json

from werkzeug.wrappers import Response


class LocalApiError(Exception):
    code = 500
    status = "INTERNAL"
    reason = "backendError"

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.message = message
        if reason:
            self.reason = reason

    def envelope(self) -> dict:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "status": self.status,
                "errors": [{"message": self.message, "domain": "global", "reason": self.reason}],
            }
        }

    def response(self) -> Response:
        return Response(json.dumps(self.envelope()), status=self.code, mimetype="application/json")


class InvalidArgument(LocalApiError):
    code = 400
    status = "INVALID_ARGUMENT"
    reason = "invalid"


class FailedPrecondition(LocalApiError):
    code = 400
    status = "FAILED_PRECONDITION"
    reason = "failedPrecondition"


class Unauthenticated(LocalApiError):
    code = 401
    status = "UNAUTHENTICATED"
    reason = "authError"


class PermissionDenied(LocalApiError):
    code = 403
    status = "PERMISSION_DENIED"
    reason = "forbidden"


class NotFound(LocalApiError):
    code = 404
    status = "NOT_FOUND"
    reason = "notFound"


class MethodNotAllowed(LocalApiError):
    code = 405
    status = "UNIMPLEMENTED"
    reason = "methodNotAllowed"
