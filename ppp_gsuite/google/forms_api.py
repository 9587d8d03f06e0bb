"""Forms v1 calls the tool makes."""
from __future__ import annotations

from .errors import call


class FormsApi:
    def __init__(self, service):
        self._forms = service.forms()

    def get(self, form_id: str) -> dict:
        """forms.get: the live form the planner diffs against."""
        return call(self._forms.get(formId=form_id), "forms.get")

    def create(self, body: dict) -> dict:
        """forms.create, unpublished: it takes only the title; publishing comes after the items."""
        return call(self._forms.create(body=body, unpublished=True), "forms.create")

    def batch_update(self, form_id: str, requests: list[dict]) -> dict:
        return call(self._forms.batchUpdate(formId=form_id, body={"requests": requests}), "forms.batchUpdate")

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
