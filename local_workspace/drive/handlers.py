"""Drive v3 REST handlers: parse, call the state, serialise."""

from __future__ import annotations

from ..routing import ApiCall

EDIT_PAGES = {
    "application/vnd.google-apps.spreadsheet": "spreadsheets",
    "application/vnd.google-apps.form": "forms",
}


def _with_link(call: ApiCall, file: dict) -> dict:
    """webViewLink: where a person opens the file (the local workspace's own pages)."""
    page = EDIT_PAGES.get(file.get("mimeType", ""))
    if page:
        file = {**file, "webViewLink": f"{call.base_url}/{page}/d/{file['id']}/edit"}
    return file


def files_create(ws, call: ApiCall) -> dict:
    return _with_link(call, ws.drive.create_file(call.body or {}))


def files_get(ws, call: ApiCall, file_id: str) -> dict:
    return _with_link(call, ws.drive.get_file(file_id))


def files_update(ws, call: ApiCall, file_id: str) -> dict:
    return _with_link(call, ws.drive.update_file(file_id, call.body or {}))


def files_delete(ws, call: ApiCall, file_id: str) -> None:
    ws.drive.delete_file(file_id)


def files_list(ws, call: ApiCall) -> dict:
    listed = ws.drive.list_files(call.params.get("q"), call.integer("pageSize"), call.params.get("pageToken"),
                                 call.params.get("orderBy"))
    return {**listed, "files": [_with_link(call, file) for file in listed.get("files", [])]}


def permissions_create(ws, call: ApiCall, file_id: str) -> dict:
    return ws.drive.create_permission(file_id, call.body or {})


def permissions_list(ws, call: ApiCall, file_id: str) -> dict:
    return {"kind": "drive#permissionList", "permissions": ws.drive.list_permissions(file_id)}


def permissions_delete(ws, call: ApiCall, file_id: str, permission_id: str) -> None:
    ws.drive.delete_permission(file_id, permission_id)
