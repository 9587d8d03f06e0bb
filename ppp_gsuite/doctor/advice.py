"""What Google said when a doctor step failed, and what to do about it, in one line."""

from __future__ import annotations

from ..errors import PppError
from ..forms.deploy import RESPONDERS_REFUSED, SHARING_POLICY_REASONS
from ..google.drive_api import SharedWhenCreated
from ..google.errors import GoogleApiError, NoAnswer, SignInRefused, Unreachable
from ..google.gmail_api import SendOutcomeUnknown, SendRefused

SIGN_IN_AGAIN = (
    "run `ppp-gsuite auth login` again and allow both things Google asks for (the Drive files this app uses, "
    "and sending email as you); for a service account, your Workspace administrator must grant it both scopes "
    "(drive.file and gmail.send) in its domain-wide delegation"
)
ADMIN_APP_ACCESS = (
    "if your Workspace administrator restricts which third-party apps may use Drive or Gmail, ask them to "
    "trust this app's OAuth client (Admin console > Security > Access and data control > API controls > "
    "App access control)"
)
ANOTHER_CLIENT = (
    "Google could not find a file this run had just made: the calls did not all sign in through the same "
    "OAuth client, and drive.file lets each OAuth client reach only the files it created. Use one "
    "credentials file (google.credentials) made by one OAuth client for everything, and run doctor again"
)
QUOTA = (
    "Google's per-minute limit for this account was reached (another program may be using it too); wait a "
    "minute and run doctor again. The sync stops and carries on in the next run when this happens"
)
SCOPE_REASONS = {"insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}
NOT_FOUND_REASONS = {"notFound"}


def advice(error: Exception, made_here: bool = False) -> str:
    """`made_here`: the call was about a file this run made (a 404 or 403 then means another OAuth client)."""
    if isinstance(error, SharedWhenCreated):
        return str(error)
    if isinstance(error, GoogleApiError):
        said = f"Google answered {error.code} {error.status or ''}".rstrip() + f": {error.message}"
        return f"{said}. {what_to_do(error.code, error.reason, error.message, made_here)}"
    if isinstance(error, SendRefused):
        said = f"Gmail answered {error.code} {error.status or ''}".rstrip() + f": {error.message}"
        return f"{said}. {what_to_do(error.code, error.reason, error.message, False)}"
    if isinstance(error, SendOutcomeUnknown):
        return f"{error}: look in this account's inbox for the doctor's message; if it is not there, run doctor again"
    if isinstance(error, NoAnswer):
        return str(error)
    if isinstance(error, Unreachable):
        return f"{error}: check the network connection (and any proxy), then run doctor again"
    if isinstance(error, SignInRefused):
        return f"{error}; {SIGN_IN_AGAIN}"
    if isinstance(error, PppError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def what_to_do(code: int, reason: str, message: str, made_here: bool) -> str:
    if code == 429:
        return QUOTA[0].upper() + QUOTA[1:] + "."
    if code == 401:
        return "Google did not accept the sign-in: " + SIGN_IN_AGAIN + "."
    if code == 403 and reason in SHARING_POLICY_REASONS:
        return RESPONDERS_REFUSED[0].upper() + RESPONDERS_REFUSED[1:] + "."
    if code == 403 and (reason in SCOPE_REASONS or "insufficient authentication scopes" in message):
        return "The sign-in lacks a permission this call needs: " + SIGN_IN_AGAIN + "."
    if made_here and (code == 404 or (code == 403 and reason not in SCOPE_REASONS)):
        return ANOTHER_CLIENT + "."
    if code == 403:
        return "Google refused it: " + ADMIN_APP_ACCESS + "."
    if code >= 500:
        return "Google had a problem of its own; wait a few minutes and run doctor again."
    return "Please send this line (and the recording, if you made one with --record) to whoever supports ppp-gsuite."
