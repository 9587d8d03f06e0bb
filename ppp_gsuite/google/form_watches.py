"""Forms v1 watches: notifications of new responses on a Cloud Pub/Sub topic (forms.watches.*)."""

from __future__ import annotations

from .errors import call

RESPONSES = "RESPONSES"


class FormWatches:
    def __init__(self, forms_service):
        self._watches = forms_service.forms().watches()

    def list(self, form_id: str) -> list[dict]:
        """forms.watches.list: this Cloud project's live watches on the form (at most one per event type)."""
        return call(self._watches.list(formId=form_id), "forms.watches.list").get("watches", [])

    def create(self, form_id: str, topic: str, event_type: str = RESPONSES) -> dict:
        """forms.watches.create: notifications of `event_type` on the form, to `topic`, for seven days."""
        body = {"watch": {"target": {"topic": {"topicName": topic}}, "eventType": event_type}}
        return call(self._watches.create(formId=form_id, body=body), "forms.watches.create")

    def renew(self, form_id: str, watch_id: str) -> dict:
        """forms.watches.renew: seven more days from now (NOT_FOUND once it has expired)."""
        return call(self._watches.renew(formId=form_id, watchId=watch_id, body={}), "forms.watches.renew")

    def delete(self, form_id: str, watch_id: str) -> None:
        call(self._watches.delete(formId=form_id, watchId=watch_id), "forms.watches.delete")
