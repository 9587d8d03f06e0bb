"""What a route table holds, and what an API handler receives."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from werkzeug.wrappers import Request

from .errors import InvalidArgument


@dataclass(frozen=True)
class Route:
    http_method: str
    rule: str
    endpoint: Callable
    method_id: str | None = None  # an API method ("forms.forms.get"); None for pages and controls
    default_fields: str | None = None  # the fields Google returns when none are asked for

    @property
    def api(self) -> str | None:
        return self.method_id.split(".")[0] if self.method_id else None


@dataclass
class ApiCall:
    request: Request
    params: dict
    body: dict | None
    base_url: str = field(default="")

    def flag(self, name: str) -> bool:
        return str(self.params.get(name, "false")).lower() == "true"

    def integer(self, name: str) -> int | None:
        value = self.params.get(name)
        return None if value in (None, "") else int(value)


def control_body(request: Request) -> dict:
    """A /_local/ control's JSON object body ({} when empty), refused in Google's words when it is not one."""
    raw = request.get_data()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise InvalidArgument("Invalid JSON payload received.") from None
    if not isinstance(body, dict):
        raise InvalidArgument("Expected a JSON object.")
    return body
