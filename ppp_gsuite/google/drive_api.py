"""Drive v3 calls: finding the tool's files by appProperties, and who may open them."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ..errors import PppError
from .errors import GoogleApiError, call
from .once_http import once_http
from .retry import RetryPolicy, default_policy

APP_KEY = "ppp_gsuite"  # appProperties marker: the value says what the file is ("form", ...)
FILE_FIELDS = "nextPageToken, files(id, name, mimeType, appProperties, webViewLink, writersCanShare, createdTime)"
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
FORM_MIME = "application/vnd.google-apps.form"
DONE: dict = {}  # what `applied` answers for a change that returns nothing (a permission deleted): not None
# Drive's reasons for refusing to share with one address (a positive signal, never "any 400 or 403"):
# outside the domains the organisation allows (shareOutNotPermitted, as GAM's release notes record it;
# ...ToUser for one user), and invalidSharingRequest (Drive "Resolve errors": "ACL change not allowed",
# or an address with no Google account), as on a shared drive's file (cannotShareTeamDriveWithNonGoogleAccounts).
OUTSIDE_ALLOWED_DOMAINS = {"shareOutNotPermitted", "shareOutNotPermittedToUser"}
SHARE_REFUSALS = OUTSIDE_ALLOWED_DOMAINS | {"invalidSharingRequest", "cannotShareTeamDriveWithNonGoogleAccounts"}


class DriveApi:
    def __init__(self, service, retry: RetryPolicy | None = None):
        self._files = service.files()
        self._permissions = service.permissions()
        self.retry = retry or default_policy()

    def find(self, kind: str) -> list[dict]:
        """files.list on appProperties: state lives in the Workspace, so cron needs no local file."""
        return self._list(f"appProperties has {{ key='{APP_KEY}' and value='{kind}' }} and trashed = false")

    def untagged(self, mime_type: str, name: str) -> list[dict]:
        """This app's files of a type and name that carry no tag: what a create whose answer was lost (or
        a run stopped before tagging) left behind. drive.file lists only the files this app made."""
        quoted = name.replace("\\", "\\\\").replace("'", "\\'")
        query = f"mimeType = '{mime_type}' and name = '{quoted}' and trashed = false"
        return [f for f in self._list(query) if APP_KEY not in (f.get("appProperties") or {})]

    def trash(self, file_id: str) -> dict:
        """files.update trashed=true: to the bin, where its owner can still restore it for 30 days (a spare
        copy, the doctor's throw-away files; the tool never deletes anything for good). Safe to repeat."""
        method = "drive.files.update"
        return self.retry.write(
            method,
            lambda: call(self._files.update(fileId=file_id, body={"trashed": True}, fields="id, trashed"), method),
            safe=True,
        )

    def _list(self, query: str) -> list[dict]:
        found, token = [], None
        while True:
            request = self._files.list(q=query, fields=FILE_FIELDS, pageSize=1000, pageToken=token, spaces="drive")
            page = self.retry.read("drive.files.list", partial(call, request, "drive.files.list"))
            found.extend(page.get("files", []))
            token = page.get("nextPageToken")
            if not token:
                return found

    def create_spreadsheet(self, name: str, properties: dict[str, str]) -> dict:
        """files.create: a spreadsheet tagged for finding again, that editors cannot share further, and
        that only its owner can open before anything is written into it (docs/decisions.md §6).

        ignoreDefaultVisibility: a Workspace can make new files visible to the whole domain by default,
        and that applies to files created through the API without it (discovery document,
        drive.files.create). Who can open it is checked too (one permissions.list): a folder's or a
        policy's sharing would otherwise reach personal data before the first sync checks again."""
        body = {
            "name": name,
            "mimeType": SPREADSHEET_MIME,
            "appProperties": properties,
            "writersCanShare": False,
        }
        file = self._create(body, lambda: self._created(properties))
        wider = [permission_in_words(p) for p in self.permissions(file["id"]) if p.get("role") != "owner"]
        if wider:
            raise SharedWhenCreated(
                f"the new spreadsheet {name!r} could be opened by more than its owner as soon as it "
                f"was created ({'; '.join(wider)}), so nothing was written into it. Remove that "
                "sharing in Google Drive (Share) and ask your Workspace administrator whether new files "
                "are shared by default, then run sync again"
            )
        return file

    def _create(self, body: dict, applied: Callable[[], dict | None]) -> dict:
        """files.create, sent once (once_http); after a lost answer, made again only if `applied` finds nothing."""

        def create_once() -> dict:
            request = self._files.create(
                body=body, fields="id, name, webViewLink, appProperties", ignoreDefaultVisibility=True
            )
            return call(request, "drive.files.create", once_http(request))

        return self.retry.write("drive.files.create", create_once, applied=applied)

    def _created(self, properties: dict[str, str]) -> dict | None:
        """The spreadsheet a create whose answer was lost made, found by its tags; None when none was made."""
        kind, target = properties.get(APP_KEY, ""), properties.get("target")
        found = [f for f in self.find(kind) if (f.get("appProperties") or {}).get("target") == target]
        return oldest(found)[0] if found else None

    def share(self, file_id: str, email: str, role: str) -> dict:
        """permissions.create for one person (a lead as writer, say), who is told by Google's own email
        (sendNotificationEmail is true for users unless sent). `ShareRefused` when Google will not share
        with that address: the top-level message of that answer says only "Bad Request", so what to do
        is worked out here from its reason and the address."""
        body = {"type": "user", "role": role, "emailAddress": email}
        method = "drive.permissions.create"

        def granted() -> dict | None:
            return next(
                (
                    p
                    for p in self.permissions(file_id)
                    if (p.get("emailAddress") or "").lower() == email.lower() and p.get("role") == role
                ),
                None,
            )

        try:
            return self.retry.write(
                method, lambda: call(self._permissions.create(fileId=file_id, body=body), method), applied=granted
            )
        except GoogleApiError as error:
            if error.code in (400, 403) and error.reason in SHARE_REFUSALS:
                raise ShareRefused(email, error.reason) from None
            raise

    def unshare(self, file_id: str, permission_id: str) -> None:
        """permissions.delete: ends one person's access (a lead contact the config no longer names)."""
        method = "drive.permissions.delete"

        def gone() -> dict | None:
            return DONE if all(p.get("id") != permission_id for p in self.permissions(file_id)) else None

        self.retry.write(
            method,
            lambda: call(self._permissions.delete(fileId=file_id, permissionId=permission_id), method),
            applied=gone,
        )

    def set_app_properties(self, file_id: str, properties: dict[str, str | None]) -> dict:
        """Set each property; a None value deletes it."""
        method = "drive.files.update"
        return self.retry.write(
            method,
            lambda: call(
                self._files.update(fileId=file_id, body={"appProperties": properties}, fields="id, appProperties"),
                method,
            ),
            safe=True,
        )

    def permissions(self, file_id: str) -> list[dict]:
        """Every grant, `view: published` ones too: Drive lists those only when asked
        (includePermissionsForView=published, as python-samples forms/snippets/anyone_with_link_responder.py does)."""
        fields = "nextPageToken, permissions(id, type, role, emailAddress, domain, view)"
        found, token = [], None
        while True:
            request = self._permissions.list(
                fileId=file_id, fields=fields, pageToken=token, includePermissionsForView="published"
            )
            page = self.retry.read("drive.permissions.list", partial(call, request, "drive.permissions.list"))
            found.extend(page.get("permissions", []))
            token = page.get("nextPageToken")
            if not token:
                return found

    def share_with_responders(self, file_id: str) -> dict:
        """permissions.create anyone/reader/published: what lets people without an account fill the form.

        No sendNotificationEmail: Drive refuses it (403 forbidden, whatever its value) on anything but a
        user or group grant; python-samples forms/snippets/anyone_with_link_responder.py omits it too."""
        body = {"type": "anyone", "role": "reader", "view": "published"}
        method = "drive.permissions.create"

        def granted() -> dict | None:
            return next((p for p in self.permissions(file_id) if p.get("type") == "anyone"), None)

        return self.retry.write(
            method, lambda: call(self._permissions.create(fileId=file_id, body=body), method), applied=granted
        )


def oldest(files: list[dict]) -> list[dict]:
    """Files tagged for one thing, the one made first first (the one kept: later ones are spares)."""
    return sorted(files, key=lambda f: (f.get("createdTime", ""), f.get("id", "")))


class SharedWhenCreated(PppError):
    """A new spreadsheet was shared beyond its owner from the start: nothing personal goes into it."""


class ShareRefused(PppError):
    """Google will not share a file with this address: the organisation's sharing settings, or no Google account."""

    def __init__(self, email: str, reason: str):
        self.email, self.reason = email, reason
        domain = email.rpartition("@")[2]
        if reason in OUTSIDE_ALLOWED_DOMAINS:
            why = (
                f"your organisation's Google Drive settings do not allow sharing with addresses at {domain}. Put "
                "the person's organisation address in ppp-gsuite.yaml instead, or ask your Workspace administrator "
                f"to allow sharing with {domain} (Admin console > Apps > Google Workspace > Drive and Docs > "
                "Sharing settings)"
            )
        else:
            why = (
                "that address has no Google account, or your organisation's Google Drive settings do not allow "
                "sharing with it. Put the address the person signs in to Google with (their organisation address) "
                f"in ppp-gsuite.yaml instead, or ask them to make a Google account for {email}"
            )
        super().__init__(f"Google refused to share it with {email} ({reason}): {why}; then run sync again")


def permission_in_words(permission: dict) -> str:
    kind, role = permission.get("type"), permission.get("role")
    if kind == "anyone":
        return f"anyone with the link can open it ({role})"
    if kind == "domain":
        return f"everyone at {permission.get('domain', 'a domain')} can open it ({role})"
    return f"{permission.get('emailAddress', 'someone')} can open it ({role})"
