"""Forms v1 calls the tool makes."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ..errors import PppError
from .errors import GoogleApiError, call
from .once_http import once_http
from .retry import RetryPolicy, default_policy


class StaleRevision(PppError):
    """The form changed after the read a batch was planned from (someone edited it meanwhile)."""


class FormsApi:
    def __init__(self, service, retry: RetryPolicy | None = None):
        self._forms = service.forms()
        self.retry = retry or default_policy()

    def get(self, form_id: str) -> dict:
        """forms.get: the live form the planner diffs against."""
        return self.retry.read("forms.get", lambda: call(self._forms.get(formId=form_id), "forms.get"))

    def create(self, body: dict, applied: Callable[[], dict | None] | None = None) -> dict:
        """forms.create, unpublished: it takes only the title; publishing comes after the items.

        Sent once (once_http: never re-sent by the transport). After a lost answer it is made again
        only when `applied()` finds no form it made (it returns that form when it did)."""

        def create_once() -> dict:
            request = self._forms.create(body=body, unpublished=True)
            return call(request, "forms.create", once_http(request))

        return self.retry.write("forms.create", create_once, applied=applied)

    def batch_update(self, form_id: str, requests: list[dict], revision: str | None = None) -> dict:
        """forms.batchUpdate; with `revision` (the revisionId the requests were planned from) as
        writeControl.requiredRevisionId, so an index never lands on a form changed since that read.

        Google answers a stale revision with a 400 and documents no distinct status for it, so a
        400 is StaleRevision only when the form's revisionId has moved on (one forms.get to check).
        """
        body: dict = {"requests": requests}
        if revision:
            body["writeControl"] = {"requiredRevisionId": revision}
        try:
            # With a required revision, a repeat of a batch that was applied is refused (the revision moved
            # on): StaleRevision below, and deploy plans again from the form as it is.
            return self.retry.write(
                "forms.batchUpdate",
                lambda: call(self._forms.batchUpdate(formId=form_id, body=body), "forms.batchUpdate"),
                safe=bool(revision),
            )
        except GoogleApiError as error:
            if revision and error.code == 400 and self.get(form_id).get("revisionId") != revision:
                raise StaleRevision(
                    f"form {form_id} was changed by someone else while deploy-forms was updating it"
                ) from None
            raise

    def set_publish_state(self, form_id: str, published: bool, accepting: bool) -> dict:
        """forms.setPublishSettings: forms made by the API are unpublished until this (2026)."""
        body = {
            "publishSettings": {"publishState": {"isPublished": published, "isAcceptingResponses": accepting}},
            "updateMask": "publishState",
        }
        method = "forms.setPublishSettings"
        return self.retry.write(
            method, lambda: call(self._forms.setPublishSettings(formId=form_id, body=body), method), safe=True
        )

    def list_responses(self, form_id: str, since: str | None = None) -> tuple[list[dict], int]:
        """forms.responses.list, every page (5000 a page): the responses submitted or edited after `since`.

        Returns the responses and the number of pages read.
        """
        responses, token, pages = [], None, 0
        query = {"formId": form_id, "pageSize": 5000}
        if since:
            query["filter"] = f"timestamp > {since}"
        while True:
            request = self._forms.responses().list(pageToken=token, **query)
            page = self.retry.read("forms.responses.list", partial(call, request, "forms.responses.list"))
            pages += 1
            responses.extend(page.get("responses", []))
            token = page.get("nextPageToken")
            if not token:
                return responses, pages
