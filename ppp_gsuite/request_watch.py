"""Counts a run's requests by API (for the run's record and its log) and runs a check before each one
(the run's lease renews itself there). Requests are counted when they are made, retries included."""

from __future__ import annotations

import urllib.parse
from collections import Counter
from collections.abc import Callable

API_NAMES = ("forms", "drive", "sheets", "gmail")


def api_of(url: str) -> str:
    """Which API a request URL belongs to, on Google or the local workspace (same paths)."""
    parts = urllib.parse.urlsplit(url)
    host, path = parts.hostname or "", parts.path
    if path.startswith("/drive/") or path.startswith("/upload/drive/"):
        return "drive"
    if path.startswith("/gmail/") or host.startswith("gmail."):
        return "gmail"
    if host.startswith("sheets.") or path.startswith("/v4/spreadsheets"):
        return "sheets"
    if host.startswith("forms.") or path.startswith("/v1/forms"):
        return "forms"
    return "other"


def _uri_of(args, kwargs) -> str:
    return args[0] if args else kwargs["uri"]


class RequestWatch:
    def __init__(self) -> None:
        self.by_api: Counter = Counter()
        self.before: list[Callable[[], None]] = []  # each runs before every request; may raise to stop it

    def attach(self, clients) -> RequestWatch:
        """Watch every request the clients make: Forms and Drive (one httplib2 transport), Sheets (gspread's
        session) and Gmail (the sender's session)."""
        forms_http, drive_http = getattr(clients.forms, "_http", None), getattr(clients.drive, "_http", None)
        for http in (forms_http, drive_http if drive_http is not forms_http else None):
            if http is not None and getattr(http, "request", None) is not None:
                http.request = self._wrap(http.request, _uri_of)
                # Creates go out once through a transport of their own (google.once_http): watched the same.
                http.watch_requests = lambda request: self._wrap(request, _uri_of)
        for session in (getattr(clients.sheets, "session", None), getattr(clients.mail, "session", None)):
            if session is not None:
                session.send = self._wrap(session.send, lambda args, kwargs: args[0].url)
        return self

    def _wrap(self, function, url_of):
        def watched(*args, **kwargs):
            for check in self.before:
                check()
            self.by_api[api_of(str(url_of(args, kwargs)))] += 1
            return function(*args, **kwargs)

        return watched

    def counts(self) -> dict[str, int]:
        return {api: count for api, count in sorted(self.by_api.items()) if count}
