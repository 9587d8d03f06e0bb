"""Forms v1 calls the tool makes."""

from __future__ import annotations

from ..errors import PppError
from .errors import GoogleApiError, call


class StaleRevision(PppError):
    """The form changed after the read a batch was planned from (someone edited it meanwhile)."""


class FormsApi:
    def __init__(self, service):
        self._forms = service.forms()

    def get(self, form_id: str) -> dict:
        """forms.get: the live form the planner diffs against."""
        return call(self._forms.get(formId=form_id), "forms.get")

    def create(self, body: dict) -> dict:
        """forms.create, unpublished: it takes only the title; publishing comes after the items."""
        return call(self._forms.create(body=body, unpublished=True), "forms.create")

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
            return call(self._forms.batchUpdate(formId=form_id, body=body), "forms.batchUpdate")
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
        return call(self._forms.setPublishSettings(formId=form_id, body=body), "forms.setPublishSettings")

    def list_responses(self, form_id: str, since: str | None = None) -> tuple[list[dict], int]:
        """forms.responses.list, every page (5000 a page): the responses submitted or edited after `since`.

        Returns the responses and the number of pages read.
        """
        responses, token, pages = [], None, 0
        query = {"formId": form_id, "pageSize": 5000}
        if since:
            query["filter"] = f"timestamp > {since}"
        while True:
            page = call(self._forms.responses().list(pageToken=token, **query), "forms.responses.list")
            pages += 1
            responses.extend(page.get("responses", []))
            token = page.get("nextPageToken")
            if not token:
                return responses, pages
