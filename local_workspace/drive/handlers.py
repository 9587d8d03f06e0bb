"""Drive v3 REST handlers: parse, call the state, serialise."""

from __future__ import annotations

from ..errors import PermissionDenied
from ..routing import ApiCall
from .state import present

SEND_NOTIFICATION_REFUSED = (
    "The sendNotificationEmail parameter is only applicable for permissions of type 'user' or 'group', "
    "and must not be specified for other permission types."
)

EDIT_PAGES = {
    "application/vnd.google-apps.spreadsheet": "spreadsheets",
    "application/vnd.google-apps.form": "forms",
}


def _with_link(call: ApiCall, file: dict) -> dict:
    """The file as the caller sees it, with webViewLink: where a person opens it (the local workspace's pages)."""
    file = present(file)
    page = EDIT_PAGES.get(file.get("mimeType", ""))
    if page:
        file = {**file, "webViewLink": f"{call.base_url}/{page}/d/{file['id']}/edit"}
    return file


def files_create(ws, call: ApiCall) -> dict:
    return _with_link(
        call, ws.drive.create_file(call.body or {}, ignore_default_visibility=call.flag("ignoreDefaultVisibility"))
    )


def files_get(ws, call: ApiCall, file_id: str) -> dict:
    return _with_link(call, ws.drive.get_file(file_id))


def files_update(ws, call: ApiCall, file_id: str) -> dict:
    return _with_link(call, ws.drive.update_file(file_id, call.body or {}))


def files_delete(ws, call: ApiCall, file_id: str) -> None:
    ws.drive.delete_file(file_id)


def files_list(ws, call: ApiCall) -> dict:
    listed = ws.drive.list_files(
        call.params.get("q"), call.integer("pageSize"), call.params.get("pageToken"), call.params.get("orderBy")
    )
    return {**listed, "files": [_with_link(call, file) for file in listed.get("files", [])]}


def permissions_create(ws, call: ApiCall, file_id: str) -> dict:
    body = call.body or {}
    if "sendNotificationEmail" in call.params and body.get("type") not in ("user", "group"):
        # Google refuses the parameter itself, whatever its value: "not allowed for other requests"
        # (discovery document, drive.permissions.create).
        raise PermissionDenied(SEND_NOTIFICATION_REFUSED, reason="forbidden")
    notify = str(call.params.get("sendNotificationEmail", "true")).lower() != "false"  # true for users by default
    return ws.drive.create_permission(file_id, body, notify=notify)


def permissions_list(ws, call: ApiCall, file_id: str) -> dict:
    """`view: published` grants (who may respond to a form) only with includePermissionsForView=published."""
    include_published = call.params.get("includePermissionsForView") == "published"
    permissions = [p for p in ws.drive.list_permissions(file_id) if p.get("view") != "published" or include_published]
    return {"kind": "drive#permissionList", "permissions": permissions}


def permissions_delete(ws, call: ApiCall, file_id: str, permission_id: str) -> None:
    ws.drive.delete_permission(file_id, permission_id)
