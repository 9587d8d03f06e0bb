"""Cloud Pub/Sub v1, pulled: the notifications of the Forms API watches arrive on a subscription.

The watch command pulls (no public endpoint needed: it runs where cron runs), acknowledges a message
only once the sync it caused has finished, so a message whose sync failed is delivered again.
"""

from __future__ import annotations

import json

import httplib2
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build

from ..config import TimeoutSettings, Workspace
from ..errors import PppError
from .errors import GoogleApiError, call

PUBSUB_SCOPE = "https://www.googleapis.com/auth/pubsub"


class PubSub:
    def __init__(self, service):
        self._projects = service.projects()

    def pull(self, subscription: str, max_messages: int = 100) -> list[dict]:
        """subscriptions.pull: up to `max_messages` received messages ({ackId, message}); often fewer."""
        request = self._projects.subscriptions().pull(subscription=subscription, body={"maxMessages": max_messages})
        return call(request, "pubsub.projects.subscriptions.pull").get("receivedMessages", [])

    def acknowledge(self, subscription: str, ack_ids: list[str]) -> None:
        """subscriptions.acknowledge: done with these messages (Pub/Sub refuses an empty list)."""
        request = self._projects.subscriptions().acknowledge(subscription=subscription, body={"ackIds": ack_ids})
        call(request, "pubsub.projects.subscriptions.acknowledge")

    def hold(self, subscription: str, ack_ids: list[str], seconds: int) -> None:
        """subscriptions.modifyAckDeadline: these messages stay on lease `seconds` from now (600 at most)."""
        request = self._projects.subscriptions().modifyAckDeadline(
            subscription=subscription, body={"ackIds": ack_ids, "ackDeadlineSeconds": seconds}
        )
        call(request, "pubsub.projects.subscriptions.modifyAckDeadline")

    def ensure(self, topic: str, subscription: str) -> None:
        """The topic and a pull subscription to it, made when missing (the local workspace only: on Google
        they are made once with gcloud, as the README says, by someone allowed to)."""
        for request, method in (
            (self._projects.topics().create(name=topic, body={}), "pubsub.projects.topics.create"),
            (
                self._projects.subscriptions().create(name=subscription, body={"topic": topic}),
                "pubsub.projects.subscriptions.create",
            ),
        ):
            try:
                call(request, method)
            except GoogleApiError as error:
                if error.code != 409:  # ALREADY_EXISTS: made by an earlier run
                    raise


def pubsub_service(credentials, endpoint: str | None = None, timeouts: TimeoutSettings | None = None):
    timeouts = timeouts or TimeoutSettings()
    http = AuthorizedHttp(credentials, http=httplib2.Http(timeout=max(timeouts.connect_seconds, timeouts.read_seconds)))
    options = {"api_endpoint": endpoint} if endpoint else None
    return build("pubsub", "v1", client_options=options, http=http, cache_discovery=False, static_discovery=True)


def google_pubsub(workspace: Workspace) -> PubSub:
    """Pub/Sub on Google: a service account key pulls as the service account itself (give it
    roles/pubsub.subscriber on the subscription); a staff member's token must have been granted the
    pubsub scope as well as the tool's two."""
    from google.oauth2 import credentials as user_credentials
    from google.oauth2 import service_account

    from .clients import SCOPES

    settings = workspace.config.google
    assert settings is not None
    info = json.loads(workspace.resolve(settings.credentials).read_text())
    if info.get("type") == "service_account":
        credentials = service_account.Credentials.from_service_account_info(info, scopes=[PUBSUB_SCOPE])
    elif info.get("type") == "authorized_user":
        credentials = user_credentials.Credentials.from_authorized_user_info(info, scopes=[*SCOPES, PUBSUB_SCOPE])
    else:
        raise PppError("google.credentials is neither an authorised-user token nor a service-account key")
    return PubSub(pubsub_service(credentials, timeouts=workspace.config.timeouts))


def local_pubsub(url: str, token: str, timeouts: TimeoutSettings | None = None) -> PubSub:
    from google.oauth2.credentials import Credentials

    return PubSub(pubsub_service(Credentials(token=token), url.rstrip("/"), timeouts))
