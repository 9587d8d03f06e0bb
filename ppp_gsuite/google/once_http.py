"""A transport for googleapiclient requests that must reach Google at most once (files.create, forms.create).

httplib2, under googleapiclient, sends a request again by itself when the connection drops before
the answer (even a POST, even with num_retries=0): after Google applied a create, that makes a
second file nobody asked for. `execute_once` sends the same request (its URL, body and headers as
googleapiclient built them) through a requests session with urllib3's retries off, signed in with
the service's own credentials, as Gmail sends already go (gmail_api). A lost answer then comes out
as `Unreachable`, and the caller reconciles (finds the file by its appProperties) instead of guessing.
"""

from __future__ import annotations

import httplib2
import requests
from google.auth.transport.requests import AuthorizedSession

from .gmail_api import no_retry_adapter
from .pacing import PacedHttp


class OnceHttp(httplib2.Http):
    """httplib2.Http's one method that googleapiclient's execute calls, over requests, never re-sent."""

    def __init__(self, session: requests.Session, timeout):
        super().__init__(timeout=timeout)
        session.mount("https://", no_retry_adapter())
        session.mount("http://", no_retry_adapter())
        self.session, self.timeout = session, timeout

    def request(self, uri, method="GET", body=None, headers=None, redirections=None, connection_type=None):
        answer = self.session.request(
            method, uri, data=body, headers=headers, timeout=self.timeout, allow_redirects=False
        )
        info = {key.lower(): value for key, value in answer.headers.items()}
        info["status"] = str(answer.status_code)
        return httplib2.Response(info), answer.content


def once_http(request) -> OnceHttp | PacedHttp | None:
    """A never-re-sending transport signed in as the request's own http is; None when that http has no
    credentials to sign in with (a test's recorded answers), where the request's own http is used."""
    http = getattr(request, "http", None)
    credentials = getattr(http, "credentials", None)
    if credentials is None:
        return None
    timeout = getattr(getattr(http, "http", None), "timeout", None) or 60
    once = OnceHttp(AuthorizedSession(credentials), timeout)
    watch = getattr(http, "watch_requests", None)  # the run's request_watch: counted, and its lease checked
    if watch is not None:
        once.request = watch(once.request)  # type: ignore[method-assign]
    if isinstance(http, PacedHttp):  # paced as every other request of the run (pacing.pace)
        return PacedHttp(once, http.pacer)
    return once
