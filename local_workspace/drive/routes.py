from ..routing import Route
from . import about, handlers

FILE = "kind,id,name,mimeType"
PERMISSION = "kind,id,type,role"

ROUTES = [
    Route("GET", "/drive/v3/about", about.about_get, "drive.about.get", "kind,user"),
    Route(
        "GET",
        "/drive/v3/files",
        handlers.files_list,
        "drive.files.list",
        f"kind,incompleteSearch,nextPageToken,files({FILE})",
    ),
    Route("POST", "/drive/v3/files", handlers.files_create, "drive.files.create", FILE),
    Route("GET", "/drive/v3/files/<id:file_id>", handlers.files_get, "drive.files.get", FILE),
    Route("PATCH", "/drive/v3/files/<id:file_id>", handlers.files_update, "drive.files.update", FILE),
    Route("DELETE", "/drive/v3/files/<id:file_id>", handlers.files_delete, "drive.files.delete"),
    Route(
        "POST",
        "/drive/v3/files/<id:file_id>/permissions",
        handlers.permissions_create,
        "drive.permissions.create",
        PERMISSION,
    ),
    Route(
        "GET",
        "/drive/v3/files/<id:file_id>/permissions",
        handlers.permissions_list,
        "drive.permissions.list",
        f"kind,nextPageToken,permissions({PERMISSION})",
    ),
    Route(
        "DELETE",
        "/drive/v3/files/<id:file_id>/permissions/<id:permission_id>",
        handlers.permissions_delete,
        "drive.permissions.delete",
    ),
]
