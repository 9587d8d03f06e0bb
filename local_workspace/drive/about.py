"""Drive's about.get: who the signed-in user is (any Drive scope, drive.file included, may ask).

Drive v3 answers 400 when `fields` is missing: about has no default fields
(https://developers.google.com/workspace/drive/api/reference/rest/v3/about/get).
"""

from __future__ import annotations

import hashlib

from .. import auth
from ..errors import InvalidArgument
from ..oauth import STAFF_ACCOUNTS
from ..routing import ApiCall


def about_get(ws, call: ApiCall) -> dict:
    if not call.params.get("fields"):
        raise InvalidArgument("The 'fields' parameter is required for this method.", reason="required")
    caller = auth.current()
    assert caller is not None, "an API call has a caller"
    name = next((name for email, name, _ in STAFF_ACCOUNTS if email == caller.user), caller.user.split("@")[0])
    return {
        "kind": "drive#about",
        "user": {
            "kind": "drive#user",
            "displayName": name,
            "me": True,
            "permissionId": str(int(hashlib.sha256(caller.user.encode()).hexdigest()[:16], 16)),
            "emailAddress": caller.user,
        },
    }
