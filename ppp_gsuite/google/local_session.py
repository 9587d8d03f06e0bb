"""A requests.Session that sends gspread's calls to the local workspace instead of Google.

    session = LocalSession("http://127.0.0.1:8470")
    client = gspread.Client(auth=None, session=session)

gspread builds absolute https://sheets.googleapis.com/... and https://www.googleapis.com/...
URLs; this session swaps those hosts for the local workspace's address, and leaves any other
URL alone.
"""

from __future__ import annotations

import requests

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")


class LocalSession(requests.Session):
    def __init__(self, base_url: str):
        super().__init__()
        self.base_url = base_url.rstrip("/")
        self.headers["Authorization"] = "Bearer local-workspace"

    def rewrite(self, url: str) -> str:
        for host in GOOGLE_HOSTS:
            if url == host or url.startswith(host + "/"):
                return self.base_url + url[len(host):]
        return url

    def request(self, method, url, *args, **kwargs):
        return super().request(method, self.rewrite(str(url)), *args, **kwargs)
