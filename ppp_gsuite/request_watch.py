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


class RequestWatch:
    def __init__(self) -> None:
        self.by_api: Counter = Counter()
        self.before: list[Callable[[], None]] = []  # each runs before every request; may raise to stop it

    def attach(self, clients) -> RequestWatch:
        """Watch every request the clients make: Forms and Drive (one httplib2 transport), Sheets (gspread's
        session) and Gmail (the sender's session)."""
        http = getattr(getattr(clients.forms, "_http", None), "request", None)
        if http is not None:
            clients.forms._http.request = self._wrap(http, lambda args, kwargs: args[0] if args else kwargs["uri"])
        drive_http = getattr(clients.drive, "_http", None)
        if drive_http is not None and drive_http is not getattr(clients.forms, "_http", None):
            drive_http.request = self._wrap(drive_http.request, lambda args, kwargs: args[0] if args else kwargs["uri"])
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
