"""Forms v1 watches: notifications of new responses on a Cloud Pub/Sub topic (forms.watches.*)."""

from __future__ import annotations

from .errors import call
from .retry import RetryPolicy, default_policy

RESPONSES = "RESPONSES"


class FormWatches:
    def __init__(self, forms_service, retry: RetryPolicy | None = None):
        self._watches = forms_service.forms().watches()
        self.retry = retry or default_policy()  # a refusal (429) waited out, as every other call's

    def list(self, form_id: str) -> list[dict]:
        """forms.watches.list: this Cloud project's live watches on the form (at most one per event type)."""
        method = "forms.watches.list"
        return self.retry.read(method, lambda: call(self._watches.list(formId=form_id), method)).get("watches", [])

    def create(self, form_id: str, topic: str, event_type: str = RESPONSES) -> dict:
        """forms.watches.create: notifications of `event_type` on the form, to `topic`, for seven days."""
        body = {"watch": {"target": {"topic": {"topicName": topic}}, "eventType": event_type}}
        method = "forms.watches.create"  # not repeated after a lost answer: one watch per event type per form
        return self.retry.write(method, lambda: call(self._watches.create(formId=form_id, body=body), method))

    def renew(self, form_id: str, watch_id: str) -> dict:
        """forms.watches.renew: seven more days from now (NOT_FOUND once it has expired)."""
        method = "forms.watches.renew"  # renewing twice leaves what renewing once does: seven days from now
        return self.retry.write(
            method, lambda: call(self._watches.renew(formId=form_id, watchId=watch_id, body={}), method), safe=True
        )

    def delete(self, form_id: str, watch_id: str) -> None:
        method = "forms.watches.delete"
        self.retry.write(method, lambda: call(self._watches.delete(formId=form_id, watchId=watch_id), method))
