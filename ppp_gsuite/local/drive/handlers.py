"""Drive v3 REST handlers: parse, call the state, serialise."""

from __future__ import annotations

from ..routing import ApiCall


def files_create(ws, call: ApiCall) -> dict:
    return ws.drive.create_file(call.body or {})


def files_get(ws, call: ApiCall, file_id: str) -> dict:
    return ws.drive.get_file(file_id)


def files_update(ws, call: ApiCall, file_id: str) -> dict:
    return ws.drive.update_file(file_id, call.body or {})


def files_delete(ws, call: ApiCall, file_id: str) -> None:
    ws.drive.delete_file(file_id)


def files_list(ws, call: ApiCall) -> dict:
    return ws.drive.list_files(call.params.get("q"), call.integer("pageSize"), call.params.get("pageToken"),
                               call.params.get("orderBy"))


def permissions_create(ws, call: ApiCall, file_id: str) -> dict:
    return ws.drive.create_permission(file_id, call.body or {})


def permissions_list(ws, call: ApiCall, file_id: str) -> dict:
    return {"kind": "drive#permissionList", "permissions": ws.drive.list_permissions(file_id)}


def permissions_delete(ws, call: ApiCall, file_id: str, permission_id: str) -> None:
    ws.drive.delete_permission(file_id, permission_id)
