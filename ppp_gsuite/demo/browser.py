"""The demo's people at their browsers: filling in the forms' web pages, and reading their email.

This is the one module of the product, outside the Google adapters, that speaks HTTP (an allowed
exception in pyproject.toml's import contracts): it plays applicants and partners in front of the
local workspace's own pages, GETting a form's link and POSTing each page back as a browser does
(hidden fields, page history, Next, Submit), and reads the stand-in's outbox. It never talks to
Google: the demo refuses `backend: google` before anything here runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests

from ..errors import PppError

RECORDED = "Your response has been recorded."
MAX_PAGES = 30  # a form with skip logic that loops would otherwise keep a browser busy forever


class PageRefused(PppError):
    """A form page did not accept what the demo's person filled in (which form and page only)."""


@dataclass
class _Page:
    action: str = ""
    hidden: list[tuple[str, str]] = field(default_factory=list)
    defaults: dict[str, list[str]] = field(default_factory=dict)  # visible fields as the page shows them
    visible: list[str] = field(default_factory=list)  # names of fields a person can fill in, in order
    buttons: list[str] = field(default_factory=list)  # values of name="navigate" buttons
    text: list[str] = field(default_factory=list)


class _FormParser(HTMLParser):
    """What a browser needs from a form page: the form's action, its fields and its buttons."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = _Page()
        self._textarea: str | None = None
        self._select: str | None = None
        self._option: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        name = a.get("name", "")
        if tag == "form" and not self.page.action:
            self.page.action = a.get("action", "")
        elif tag == "input" and name:
            kind = a.get("type", "text")
            if kind == "hidden":
                self.page.hidden.append((name, a.get("value", "")))
                return
            self._visible(name)
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.page.defaults.setdefault(name, []).append(a.get("value", "on"))
            elif a.get("value"):
                self.page.defaults[name] = [a["value"]]
        elif tag == "textarea" and name:
            self._visible(name)
            self._textarea = name
        elif tag == "select" and name:
            self._visible(name)
            self._select = name
        elif tag == "option" and self._select:
            self._option = a.get("value", "")
            if "selected" in a and self._option:
                self.page.defaults[self._select] = [self._option]
        elif tag == "button" and name == "navigate":
            self.page.buttons.append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea and data.strip():
            self.page.defaults[self._textarea] = [data]
        if data.strip():
            self.page.text.append(data.strip())

    def _visible(self, name: str) -> None:
        if name not in self.page.visible:
            self.page.visible.append(name)


def _parse(html: str) -> _Page:
    parser = _FormParser()
    parser.feed(html)
    return parser.page


class Browser:
    """A person's browser. Links people get name the address the workspace is served at for them
    (`public_url`, e.g. `local serve`'s http://127.0.0.1:8470); while the demo runs, the workspace
    answers at `server_url` instead, so links are opened there, as LocalSession does for Google's hosts."""

    def __init__(self, public_url: str, server_url: str):
        self.public_url, self.server_url = public_url.rstrip("/"), server_url.rstrip("/")
        self.session = requests.Session()

    def _here(self, url: str) -> str:
        if url == self.public_url or url.startswith(self.public_url + "/"):
            return self.server_url + url[len(self.public_url) :]
        return url

    def fill_in(self, link: str, answers: dict[str, list[str]], what: str) -> None:
        """Open `link` (a form's link, perhaps prefilled), answer each page with `answers` (by field
        name, `entry.N`; fields not answered keep what the page shows), press Next until Submit.
        `what` names the form in a refusal, never the answers."""
        response = self.session.get(self._here(link), timeout=30)
        for page_number in range(1, MAX_PAGES + 1):
            if response.status_code != 200:
                raise PageRefused(f"{what}: page {page_number} answered HTTP {response.status_code}")
            page = _parse(response.text)
            if RECORDED in page.text:
                return
            if not page.action:
                raise PageRefused(f"{what}: page {page_number} has no form to fill in: {' '.join(page.text[:3])}")
            data: list[tuple[str, str]] = list(page.hidden)
            for name in page.visible:
                for value in answers.get(name, page.defaults.get(name, [])):
                    data.append((name, value))
            button = "submit" if "submit" in page.buttons else "next"
            data.append(("navigate", button))
            response = self.session.post(urljoin(response.url, page.action), data=data, timeout=30)
        raise PageRefused(f"{what}: still not submitted after {MAX_PAGES} pages")

    def quotas_off(self) -> None:
        """Switch off the demo's own in-process workspace's per-minute quotas (its /_local/ control):
        the demo plays an hour of cron runs in seconds, which Google's 60 Sheets reads a minute would
        refuse. `local serve` afterwards starts with them on again."""
        response = self.session.post(f"{self.server_url}/_local/quotas", json={"enforce": False}, timeout=30)
        response.raise_for_status()

    def outbox(self) -> list[dict]:
        """Every message the workspace has sent (the stand-in's outbox), oldest first."""
        response = self.session.get(f"{self.server_url}/_local/gmail/messages", timeout=30)
        response.raise_for_status()
        return response.json()["messages"]
