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


class BadRequest(LocalApiError):
    """Drive's answer to a refused share, as its "Resolve errors" guide shows it (invalidSharingRequest):
    the top-level message says only "Bad Request"; what happened is in errors[0].message."""

    code = 400
    status = "INVALID_ARGUMENT"
    reason = "badRequest"

    def envelope(self) -> dict:
        return {
            "error": {
                "code": self.code,
                "message": "Bad Request",
                "errors": [{"domain": "global", "reason": self.reason, "message": self.message}],
            }
        }


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


class InsufficientScopes(LocalApiError):
    """A token without any scope the method accepts, in Google's envelope (with its ErrorInfo)."""

    code = 403
    status = "PERMISSION_DENIED"
    reason = "insufficientPermissions"
    SERVICES = {
        "forms": "forms.googleapis.com",
        "drive": "drive.googleapis.com",
        "sheets": "sheets.googleapis.com",
        "gmail": "gmail.googleapis.com",
    }

    def __init__(self, api: str, method_id: str):
        super().__init__("Request had insufficient authentication scopes.")
        self.api, self.method_id = api, method_id

    def envelope(self) -> dict:
        envelope = super().envelope()
        envelope["error"]["errors"][0]["message"] = "Insufficient Permission"
        envelope["error"]["details"] = [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                "domain": "googleapis.com",
                "metadata": {"service": self.SERVICES.get(self.api, self.api), "method": self.method_id},
            }
        ]
        return envelope


class NotFound(LocalApiError):
    code = 404
    status = "NOT_FOUND"
    reason = "notFound"


class MethodNotAllowed(LocalApiError):
    code = 405
    status = "UNIMPLEMENTED"
    reason = "methodNotAllowed"
