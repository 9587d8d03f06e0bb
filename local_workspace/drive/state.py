"""Drive v3 files and permissions: models and rules, no HTTP."""

from __future__ import annotations

import base64
import json
from typing import Any

from .. import auth, ids, timestamps
from ..errors import BadRequest, InvalidArgument, NotFound, PermissionDenied
from ..store import Store
from . import query

FORM_MIME = "application/vnd.google-apps.form"
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
FOLDER_MIME = "application/vnd.google-apps.folder"

OWNER_EMAIL = "staff@example.org"
FORBID_ANYONE = "drive.forbid_anyone"
# An organisation's Drive policy (Admin console > Drive and Docs > Sharing settings): new files
# visible to the whole domain by default ("domainWithLink"), or not ("none"). It applies to files
# created through the API unless files.create is given ignoreDefaultVisibility=true (discovery
# document, drive.files.create); forms.create and spreadsheets.create have no such parameter.
DEFAULT_VISIBILITY = "drive.default_visibility"
VISIBILITIES = ("none", "domainWithLink")
# Admin console > Drive and Docs > Sharing settings, "Sharing outside of <organisation>": None is on
# (Google's default); a list allows only those domains besides the organisation's own ([]: off).
ALLOWED_SHARING_DOMAINS = "drive.allowed_sharing_domains"
# Addresses that are no Google account (no Workspace user, no consumer account): Drive refuses to
# share with them. The strict reading: the organisation does not allow invitations to people who are not
# using a Google account (visitor sharing is off), so a notified share is refused as well.
WITHOUT_GOOGLE_ACCOUNT = "drive.addresses_without_google_account"

WRITABLE_ON_UPDATE = {
    "name",
    "description",
    "appProperties",
    "properties",
    "trashed",
    "starred",
    "mimeType",
    "writersCanShare",
    "copyRequiresWriterPermission",
    "viewersCanCopyContent",
}
WRITABLE_ON_CREATE = WRITABLE_ON_UPDATE | {"id", "parents", "createdTime", "modifiedTime"}
ROLES = {"owner", "organizer", "fileOrganizer", "writer", "commenter", "reader"}
TYPES = {"user", "group", "domain", "anyone"}
MAX_APP_PROPERTIES = 30
MAX_PROPERTY_BYTES = 124
# Kept on each stored file, never answered: the OAuth client that created it, and each app's own
# appProperties (private to the app that set them).
CREATED_BY_APP = "_createdByApp"
APP_PROPERTIES_BY_APP = "_appPropertiesByApp"
PRIVATE_KEYS = (CREATED_BY_APP, APP_PROPERTIES_BY_APP)


class DriveState:
    def __init__(self, store: Store, owner_email: str = OWNER_EMAIL):
        self.store = store
        self.owner_email = owner_email

    # files

    def create_file(self, metadata: dict, trusted: bool = False, ignore_default_visibility: bool = False) -> dict:
        """A new file; `trusted` is for other local APIs (a form is also a Drive file)."""
        if not trusted:
            _refuse_unwritable(metadata, WRITABLE_ON_CREATE)
        moment = timestamps.format_time(timestamps.now())
        caller = auth.current()
        owner = caller.user if caller else self.owner_email
        file: dict[str, Any] = {
            "kind": "drive#file",
            "id": metadata.get("id") or ids.new_file_id(),
            "name": metadata.get("name") or "Untitled",
            "mimeType": metadata.get("mimeType") or "application/octet-stream",
            "trashed": False,
            "starred": False,
            "createdTime": metadata.get("createdTime") or moment,
            "modifiedTime": metadata.get("modifiedTime") or moment,
            "owners": [{"kind": "drive#user", "emailAddress": owner, "me": True, "displayName": _display_name(owner)}],
            "writersCanShare": True,
            CREATED_BY_APP: caller.client_id if caller else "",
        }
        for key in (
            "description",
            "parents",
            "starred",
            "writersCanShare",
            "copyRequiresWriterPermission",
            "viewersCanCopyContent",
        ):
            if metadata.get(key) is not None:
                file[key] = metadata[key]
        if metadata.get("properties"):
            file["properties"] = _merge_properties({}, metadata["properties"], "properties")
        if metadata.get("appProperties"):
            _set_app_properties(file, _merge_properties({}, metadata["appProperties"], "appProperties"))
        with self.store.transaction() as db:
            if db.execute("SELECT 1 FROM files WHERE id = ?", (file["id"],)).fetchone():
                raise InvalidArgument(f"A file already exists with the provided ID {file['id']}.", reason="fileIdInUse")
            db.execute("INSERT INTO files (id, resource) VALUES (?, ?)", (file["id"], json.dumps(file)))
            self._put_permission(db, file["id"], self._owner_permission(owner))
            if not ignore_default_visibility and self.default_visibility() == "domainWithLink":
                domain = owner.rpartition("@")[2]
                self._put_permission(
                    db,
                    file["id"],
                    {
                        "kind": "drive#permission",
                        "id": ids.stable_numeric_id("domain:" + domain),
                        "type": "domain",
                        "role": "reader",
                        "domain": domain,
                        "allowFileDiscovery": False,
                    },
                )
        return file

    def get_file(self, file_id: str) -> dict:
        with self.store.transaction() as db:
            row = db.execute("SELECT resource FROM files WHERE id = ?", (file_id,)).fetchone()
        if row is None:
            raise NotFound(f"File not found: {file_id}.")
        return json.loads(row["resource"])

    def delete_file(self, file_id: str) -> None:
        """Deleted for good (not trashed); a form's or spreadsheet's own API then answers 404."""
        with self.store.transaction() as db:
            self.get_file(file_id)
            db.execute("DELETE FROM files WHERE id = ?", (file_id,))
            db.execute("DELETE FROM permissions WHERE file_id = ?", (file_id,))

    def update_file(self, file_id: str, changes: dict) -> dict:
        if "parents" in changes:
            raise PermissionDenied(
                "The parents field is not directly writable in update requests. "
                "Use the addParents and removeParents parameters instead.",
                reason="fieldNotWritable",
            )
        _refuse_unwritable(changes, WRITABLE_ON_UPDATE)
        with self.store.transaction() as db:
            file = self.get_file(file_id)
            for key, value in changes.items():
                if key == "appProperties":
                    _set_app_properties(file, _merge_properties(_app_properties(file), value or {}, key))
                elif key == "properties":
                    merged = _merge_properties(file.get(key, {}), value or {}, key)
                    if merged:
                        file[key] = merged
                    else:
                        file.pop(key, None)
                elif value is None:
                    file.pop(key, None)
                else:
                    file[key] = value
            file["modifiedTime"] = timestamps.format_time(timestamps.now())
            db.execute("UPDATE files SET resource = ? WHERE id = ?", (json.dumps(file), file_id))
        return file

    def list_files(
        self, q: str | None, page_size: int | None, page_token: str | None, order_by: str | None = None
    ) -> dict:
        matches = query.compile_query(q or "")
        caller = auth.current()
        with self.store.transaction() as db:
            rows = db.execute("SELECT resource FROM files ORDER BY seq").fetchall()
            stored = [json.loads(r["resource"]) for r in rows]
            stored = [f for f in stored if caller is None or self._can_reach(db, f, caller)]
        files = [f for f in (present(f) for f in stored) if matches(f)]
        files = _ordered(files, order_by)
        size = min(page_size or 100, 1000)
        start = _read_token(page_token, q)
        page = files[start : start + size]
        result = {"kind": "drive#fileList", "incompleteSearch": False, "files": page}
        if start + size < len(files):
            result["nextPageToken"] = _make_token(start + size, q)
        return result

    def exists(self, file_id: str) -> bool:
        with self.store.transaction() as db:
            return db.execute("SELECT 1 FROM files WHERE id = ?", (file_id,)).fetchone() is not None

    def reachable(self, file_id: str, caller: auth.Caller) -> bool:
        """Whether `caller` may use the file: a user it is shared with, through an app that created it
        when the call holds only drive.file. A file that does not exist is left to the API (404)."""
        with self.store.transaction() as db:
            row = db.execute("SELECT resource FROM files WHERE id = ?", (file_id,)).fetchone()
            return row is None or self._can_reach(db, json.loads(row["resource"]), caller)

    def _can_reach(self, db, file: dict, caller: auth.Caller) -> bool:
        if caller.app_files_only and file.get(CREATED_BY_APP) != caller.client_id:
            return False
        rows = db.execute("SELECT resource FROM permissions WHERE file_id = ?", (file["id"],)).fetchall()
        domain = caller.user.rpartition("@")[2].lower()
        for permission in (json.loads(r["resource"]) for r in rows):
            kind = permission["type"]
            if kind in ("user", "group") and permission.get("emailAddress", "").lower() == caller.user.lower():
                return True
            if kind == "domain" and permission.get("domain", "").lower() == domain:
                return True
            if kind == "anyone" and permission.get("view") != "published":
                return True
        return False

    # permissions

    def create_permission(self, file_id: str, body: dict, notify: bool = True) -> dict:
        kind, role = body.get("type"), body.get("role")
        if not kind:
            raise InvalidArgument("The permission type field is required.", reason="required")
        if not role:
            raise InvalidArgument("The permission role field is required.", reason="required")
        if kind not in TYPES:
            raise InvalidArgument(f"The permission type {kind!r} is not valid.", reason="invalid")
        if role not in ROLES:
            raise InvalidArgument(f"The permission role {role!r} is not valid.", reason="invalid")
        if role == "owner":
            raise PermissionDenied(
                "Ownership transfer is not supported by the local workspace.",
                reason="consentRequiredForOwnershipTransfer",
            )
        if kind in ("user", "group") and not body.get("emailAddress"):
            raise InvalidArgument(
                "The permission emailAddress field is required for the specified permission type.", reason="required"
            )
        if kind == "domain" and not body.get("domain"):
            raise InvalidArgument(
                "The permission domain field is required for the specified permission type.", reason="required"
            )
        file = self.get_file(file_id)
        view = body.get("view")
        if view not in (None, "published", "metadata"):
            raise InvalidArgument(f"The permission view {view!r} is not valid.", reason="invalid")
        if view == "published" and file["mimeType"] != FORM_MIME:
            raise InvalidArgument("The published view is only available on published forms.", reason="invalid")
        if kind in ("user", "group", "domain"):
            self._refuse_sharing_out(file, body, notify)
        if kind == "anyone" and self.store.get_setting(FORBID_ANYONE, False):
            raise PermissionDenied(
                "The user does not have sufficient permissions for this file: sharing with anyone "
                "who has the link is turned off by the organisation's administrator.",
                reason="publishOutNotPermitted",
            )
        permission = {"kind": "drive#permission", "type": kind, "role": role}
        if kind in ("user", "group"):
            email = body["emailAddress"]
            permission.update(emailAddress=email, displayName=_display_name(email), id=ids.stable_numeric_id(email))
        elif kind == "domain":
            permission.update(
                domain=body["domain"],
                id=ids.stable_numeric_id("domain:" + body["domain"]),
                allowFileDiscovery=bool(body.get("allowFileDiscovery", False)),
            )
        else:
            permission.update(id="anyoneWithLink", allowFileDiscovery=bool(body.get("allowFileDiscovery", False)))
        if view:
            permission["view"] = view
            permission["id"] += f"-{view}"
        with self.store.transaction() as db:
            self._put_permission(db, file_id, permission)
        return permission

    def list_permissions(self, file_id: str) -> list[dict]:
        self.get_file(file_id)
        with self.store.transaction() as db:
            rows = db.execute("SELECT resource FROM permissions WHERE file_id = ? ORDER BY seq", (file_id,)).fetchall()
        return [json.loads(r["resource"]) for r in rows]

    def delete_permission(self, file_id: str, permission_id: str) -> None:
        with self.store.transaction() as db:
            permission = next((p for p in self.list_permissions(file_id) if p["id"] == permission_id), None)
            if permission is None:
                raise NotFound(f"Permission not found: {permission_id}.")
            if permission["role"] == "owner":
                raise PermissionDenied("The owner of a file cannot be removed.", reason="cannotRemoveOwner")
            db.execute("DELETE FROM permissions WHERE file_id = ? AND id = ?", (file_id, permission_id))

    def has_published_view(self, file_id: str) -> bool:
        """Whether anyone with the link may respond (anyone/reader with view=published)."""
        return any(p["type"] == "anyone" and p.get("view") == "published" for p in self.list_permissions(file_id))

    def _refuse_sharing_out(self, file: dict, body: dict, notify: bool) -> None:
        """The organisation's sharing settings, as Drive applies them to a user, group or domain grant."""
        email = body.get("emailAddress") or ""
        domain = (body.get("domain") or email.rpartition("@")[2]).lower()
        allowed = self.allowed_sharing_domains()
        own = {owner["emailAddress"].rpartition("@")[2].lower() for owner in file.get("owners", [])}
        if allowed is not None and domain not in own | set(allowed):
            # As observed (GAM's release notes): 400, reason shareOutNotPermitted.
            raise BadRequest(
                f'Bad Request. User message: "{email or domain} is not a Google account in a domain '
                'your administrator allows sharing with."',
                reason="shareOutNotPermitted",
            )
        if email.lower() in self.addresses_without_google_account():
            if not notify:
                raise BadRequest(
                    f'Bad Request. User message: "You are trying to invite {email}. Since there is no '
                    "Google account associated with this email address, you must check the 'Notify "
                    "people' box to invite this recipient.\"",
                    reason="invalidSharingRequest",
                )
            raise BadRequest('Bad Request. User message: "ACL change not allowed."', reason="invalidSharingRequest")

    def set_allowed_sharing_domains(self, domains: list[str] | None) -> None:
        self.store.set_setting(
            ALLOWED_SHARING_DOMAINS, None if domains is None else sorted({d.lower() for d in domains})
        )

    def set_addresses_without_google_account(self, addresses: list[str]) -> None:
        self.store.set_setting(WITHOUT_GOOGLE_ACCOUNT, sorted({a.lower() for a in addresses}))

    def allowed_sharing_domains(self) -> list[str] | None:
        return self.store.get_setting(ALLOWED_SHARING_DOMAINS, None)

    def addresses_without_google_account(self) -> list[str]:
        return self.store.get_setting(WITHOUT_GOOGLE_ACCOUNT, [])

    def forbid_anyone(self, forbidden: bool) -> None:
        self.store.set_setting(FORBID_ANYONE, forbidden)

    def anyone_forbidden(self) -> bool:
        return bool(self.store.get_setting(FORBID_ANYONE, False))

    def set_default_visibility(self, visibility: str) -> None:
        if visibility not in VISIBILITIES:
            raise InvalidArgument(f"defaultVisibility must be one of {', '.join(VISIBILITIES)}.")
        self.store.set_setting(DEFAULT_VISIBILITY, visibility)

    def default_visibility(self) -> str:
        return self.store.get_setting(DEFAULT_VISIBILITY, "none")

    @staticmethod
    def _owner_permission(owner: str) -> dict:
        return {
            "kind": "drive#permission",
            "id": ids.stable_numeric_id(owner),
            "type": "user",
            "role": "owner",
            "emailAddress": owner,
            "displayName": _display_name(owner),
        }

    @staticmethod
    def _put_permission(db, file_id: str, permission: dict) -> None:
        """Insert, or update the existing one: Drive answers a repeated grant with the same id."""
        db.execute(
            "INSERT INTO permissions (file_id, id, resource) VALUES (?, ?, ?) "
            "ON CONFLICT (file_id, id) DO UPDATE SET resource = excluded.resource",
            (file_id, permission["id"], json.dumps(permission)),
        )


def present(file: dict) -> dict:
    """A stored file as the current caller sees it: its own app's appProperties, nothing private."""
    shown = {key: value for key, value in file.items() if key not in PRIVATE_KEYS}
    own = _app_properties(file)
    if own:
        shown["appProperties"] = own
    return shown


def _app_key() -> str:
    caller = auth.current()
    return caller.client_id if caller else ""


def _app_properties(file: dict) -> dict:
    return dict(file.get(APP_PROPERTIES_BY_APP, {}).get(_app_key(), {}))


def _set_app_properties(file: dict, properties: dict) -> None:
    by_app = dict(file.get(APP_PROPERTIES_BY_APP, {}))
    if properties:
        by_app[_app_key()] = properties
    else:
        by_app.pop(_app_key(), None)
    file[APP_PROPERTIES_BY_APP] = by_app


def _refuse_unwritable(body: dict, writable: set[str]) -> None:
    unwritable = sorted(set(body) - writable)
    if unwritable:
        raise PermissionDenied(
            "The resource body includes fields which are not directly writable: " + ", ".join(unwritable),
            reason="fieldNotWritable",
        )


def _merge_properties(current: dict, changes: dict, name: str) -> dict:
    merged = dict(current)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
            continue
        if len(key.encode()) + len(str(value).encode()) > MAX_PROPERTY_BYTES:
            raise InvalidArgument(
                f"{name}: the key and value of {key!r} exceed {MAX_PROPERTY_BYTES} bytes.", reason="invalidProperty"
            )
        merged[key] = value
    if len(merged) > MAX_APP_PROPERTIES:
        raise InvalidArgument(
            f"{name}: at most {MAX_APP_PROPERTIES} entries per file.", reason="propertiesLimitExceeded"
        )
    return merged


def _ordered(files: list[dict], order_by: str | None) -> list[dict]:
    for term in reversed([t.strip() for t in (order_by or "").split(",") if t.strip()]):
        field, _, direction = term.partition(" ")
        if field not in ("createdTime", "modifiedTime", "name", "name_natural", "starred"):
            raise InvalidArgument(f"Invalid Value: orderBy {term!r}", reason="invalid")
        key = "name" if field == "name_natural" else field
        files = sorted(files, key=lambda f: str(f.get(key, "")), reverse=direction.strip() == "desc")
    return files


def _make_token(offset: int, q: str | None) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset, "q": q or ""}).encode()).decode()


def _read_token(token: str | None, q: str | None) -> int:
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        if data["q"] != (q or ""):
            raise ValueError
        return int(data["offset"])
    except (ValueError, KeyError, TypeError):
        raise InvalidArgument("Invalid Value: pageToken", reason="invalid") from None


def _display_name(email: str) -> str:
    return email.split("@")[0].replace(".", " ").title()
