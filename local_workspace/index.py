"""The index page at /: what the local workspace holds, with links to its pages."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader
from werkzeug.wrappers import Request, Response

from .drive.state import FORM_MIME, SPREADSHEET_MIME
from .errors import NotFound
from .routing import Route

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent), autoescape=True, trim_blocks=True, lstrip_blocks=True
)
POLICY = "default-src 'none'; style-src 'unsafe-inline'"


def show(ws, request: Request) -> Response:
    html = _templates.get_template("index.html").render(
        forms=_published_forms(ws),
        spreadsheets=[
            {"name": f["name"], "link": f"/spreadsheets/d/{f['id']}/edit"} for f in _files(ws, SPREADSHEET_MIME)
        ],
        message_count=ws.gmail.count(),
    )
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = POLICY
    return response


def _files(ws, mime: str) -> list[dict]:
    return ws.drive.list_files(f"mimeType = '{mime}' and trashed = false", 1000, None)["files"]


def _published_forms(ws) -> list[dict]:
    shown = []
    for file in _files(ws, FORM_MIME):
        try:
            form = ws.forms.load_for_page(file["id"])
        except NotFound:
            continue
        state = form.get("publishSettings", {}).get("publishState", {})
        if not state.get("isPublished"):
            continue
        if not ws.drive.has_published_view(file["id"]):
            status = "published, but not shared with anyone who has the link"
        else:
            status = "accepting responses" if state.get("isAcceptingResponses") else "closed"
        shown.append(
            {
                "title": form["info"].get("title") or file["name"],
                "status": status,
                "link": f"/forms/d/e/{file['id']}/viewform",
            }
        )
    return shown


# A plain green square, so a browser's request for /favicon.ico finds an icon rather than an API error.
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#00703c"/></svg>'
)


def favicon(ws, request: Request) -> Response:
    response = Response(FAVICON, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "max-age=86400"
    return response


ROUTES = [Route("GET", "/", show), Route("GET", "/favicon.ico", favicon)]
