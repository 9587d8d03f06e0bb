"""The outbox page: every sent message, newest first.

A message's HTML is shown in an iframe with an empty `sandbox` (no scripts, no forms, no
same-origin) through an escaped `srcdoc`, and as escaped source; it never becomes part of
this page. The Content-Security-Policy also stops remote images (tracking pixels) loading.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from werkzeug.wrappers import Request, Response

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent), autoescape=True, trim_blocks=True, lstrip_blocks=True
)
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'"


def show(ws, request: Request) -> Response:
    html = _templates.get_template("outbox.html").render(messages=ws.gmail.messages(newest_first=True))
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = POLICY
    return response
