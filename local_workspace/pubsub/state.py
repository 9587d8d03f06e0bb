"""Cloud Pub/Sub v1: topics, pull subscriptions and their messages; models and rules, no HTTP.

A message published to a topic goes to every subscription the topic has at that moment (none before
it was made: https://cloud.google.com/pubsub/docs/subscription-overview). A pulled message is out
on lease for the subscription's ackDeadlineSeconds (10 by default, 10 to 600); unacknowledged by
then, it is delivered again with a new ackId (at-least-once delivery). Names are
projects/PROJECT/topics/TOPIC and projects/PROJECT/subscriptions/SUBSCRIPTION.

Who may use a project's topics and subscriptions is IAM on Google; here, as the strictest simple
reading, only callers whose OAuth client is that project (a local OAuth client's Cloud project is
named after its client id): anyone else is refused with PERMISSION_DENIED.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import timedelta

from .. import timestamps
from ..errors import InvalidArgument, LocalApiError, NotFound, PermissionDenied
from ..store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS pubsub_topics (name TEXT PRIMARY KEY, resource TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pubsub_subscriptions (name TEXT PRIMARY KEY, topic TEXT NOT NULL, resource TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pubsub_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription TEXT NOT NULL,
    message TEXT NOT NULL,
    ack_id TEXT,
    lease_until TEXT,
    acked INTEGER NOT NULL DEFAULT 0
);
"""
# https://cloud.google.com/pubsub/docs/create-topic#resource_names: a letter first, 3 to 255 characters
# of letters, digits, - _ . ~ + %, not starting with "goog".
_ID = r"[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}"
TOPIC = re.compile(rf"projects/([^/]+)/topics/({_ID})\Z")
SUBSCRIPTION = re.compile(rf"projects/([^/]+)/subscriptions/({_ID})\Z")
DEFAULT_ACK_DEADLINE = 10
MAX_PULL = 1000  # PullRequest.maxMessages is capped by the service


class AlreadyExists(LocalApiError):
    code = 409
    status = "ALREADY_EXISTS"
    reason = "alreadyExists"


def project_of(name: str) -> str:
    return name.split("/")[1]


class PubSubState:
    def __init__(self, store: Store):
        self.store = store
        with store.transaction() as db:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)

    # topics

    def create_topic(self, name: str, project: str, body: dict | None) -> dict:
        if not TOPIC.match(name) or name.split("/")[3].startswith("goog"):
            raise InvalidArgument(f"Invalid [topics] name: ({name})")
        self._check_project(name, project)
        topic = {**(body or {}), "name": name}
        with self.store.transaction() as db:
            if db.execute("SELECT 1 FROM pubsub_topics WHERE name = ?", (name,)).fetchone():
                raise AlreadyExists(f"Resource already exists in the project (resource={name.split('/')[3]}).")
            db.execute("INSERT INTO pubsub_topics (name, resource) VALUES (?, ?)", (name, json.dumps(topic)))
        return topic

    def topic_exists(self, name: str) -> bool:
        with self.store.transaction() as db:
            return db.execute("SELECT 1 FROM pubsub_topics WHERE name = ?", (name,)).fetchone() is not None

    def publish(self, topic: str, attributes: dict[str, str], data: str = "") -> str | None:
        """A message to each of the topic's subscriptions; its messageId, or None when the topic is gone."""
        with self.store.transaction() as db:
            if not self.topic_exists(topic):
                return None
            subscriptions = [
                r["name"] for r in db.execute("SELECT name FROM pubsub_subscriptions WHERE topic = ?", (topic,))
            ]
            message_id = str(self.store.get_setting("pubsub.next_message_id", 767437830000) + 1)
            self.store.set_setting("pubsub.next_message_id", int(message_id))
            message = {"attributes": attributes, "messageId": message_id}
            message["publishTime"] = timestamps.format_time(timestamps.now())
            if data:
                message["data"] = data
            for subscription in subscriptions:
                db.execute(
                    "INSERT INTO pubsub_messages (subscription, message) VALUES (?, ?)",
                    (subscription, json.dumps(message)),
                )
        return message_id

    # subscriptions

    def create_subscription(self, name: str, project: str, body: dict | None) -> dict:
        body = dict(body or {})
        if not SUBSCRIPTION.match(name):
            raise InvalidArgument(f"Invalid [subscriptions] name: ({name})")
        self._check_project(name, project)
        topic = body.get("topic") or ""
        if not topic:
            raise InvalidArgument("The request must specify a topic.")
        if not TOPIC.match(topic):
            raise InvalidArgument(f"Invalid [topics] name: ({topic})")
        deadline = body.get("ackDeadlineSeconds", DEFAULT_ACK_DEADLINE) or DEFAULT_ACK_DEADLINE
        if not 10 <= int(deadline) <= 600:
            raise InvalidArgument("The ack deadline must be between 10 and 600 seconds.")
        if body.get("pushConfig", {}).get("pushEndpoint"):
            raise InvalidArgument("The local workspace serves pull subscriptions only (no pushConfig.pushEndpoint).")
        subscription = {**body, "name": name, "topic": topic, "ackDeadlineSeconds": int(deadline)}
        with self.store.transaction() as db:
            if not self.topic_exists(topic):
                raise NotFound(f"Resource not found (resource={topic.split('/')[3]}).")
            if db.execute("SELECT 1 FROM pubsub_subscriptions WHERE name = ?", (name,)).fetchone():
                raise AlreadyExists(f"Resource already exists in the project (resource={name.split('/')[3]}).")
            db.execute(
                "INSERT INTO pubsub_subscriptions (name, topic, resource) VALUES (?, ?, ?)",
                (name, topic, json.dumps(subscription)),
            )
        return subscription

    def pull(self, name: str, project: str, max_messages: int) -> dict:
        if max_messages is None or max_messages <= 0:
            raise InvalidArgument("max_messages must be greater than 0.")
        subscription = self._subscription(name, project)
        now = timestamps.now()
        lease = timestamps.format_time(now + timedelta(seconds=subscription["ackDeadlineSeconds"]))
        received: list[dict] = []
        with self.store.transaction() as db:
            rows = db.execute(
                "SELECT seq, message, lease_until FROM pubsub_messages WHERE subscription = ? AND acked = 0 "
                "ORDER BY seq",
                (name,),
            ).fetchall()
            for row in rows:
                if len(received) >= min(max_messages, MAX_PULL):
                    break
                if row["lease_until"] and timestamps.parse_time(row["lease_until"]) > now:
                    continue  # out on lease: not again until its deadline passes
                ack_id = secrets.token_urlsafe(24)
                db.execute(
                    "UPDATE pubsub_messages SET ack_id = ?, lease_until = ? WHERE seq = ?", (ack_id, lease, row["seq"])
                )
                received.append({"ackId": ack_id, "message": json.loads(row["message"])})
        return {"receivedMessages": received}

    def acknowledge(self, name: str, project: str, ack_ids: list[str]) -> dict:
        self._subscription(name, project)
        if not ack_ids:
            raise InvalidArgument("No ack ids specified.")
        with self.store.transaction() as db:
            for ack_id in ack_ids:  # an ack id whose lease ran out is ignored, as Pub/Sub does
                db.execute(
                    "UPDATE pubsub_messages SET acked = 1 WHERE subscription = ? AND ack_id = ? AND lease_until > ?",
                    (name, ack_id, timestamps.format_time(timestamps.now())),
                )
        return {}

    def modify_ack_deadline(self, name: str, project: str, ack_ids: list[str], seconds) -> dict:
        """A lease set to `seconds` from now (0: delivered again at once); an ack id whose lease ran out is
        ignored, as for acknowledge."""
        self._subscription(name, project)
        if not ack_ids:
            raise InvalidArgument("No ack ids specified.")
        if seconds is None or not 0 <= int(seconds) <= 600:
            raise InvalidArgument("The ack deadline must be between 0 and 600 seconds.")
        now = timestamps.now()
        lease = timestamps.format_time(now + timedelta(seconds=int(seconds)))
        with self.store.transaction() as db:
            for ack_id in ack_ids:
                db.execute(
                    "UPDATE pubsub_messages SET lease_until = ? WHERE subscription = ? AND ack_id = ? AND acked = 0 "
                    "AND lease_until > ?",
                    (lease, name, ack_id, timestamps.format_time(now)),
                )
        return {}

    def ack_deadlines_pass(self, seconds: float | None = None) -> int:
        """A test control: every message out on lease is due again, as once its ack deadline passed; or, given
        `seconds`, each lease as that much time later (those then run out are due again)."""
        with self.store.transaction() as db:
            if seconds is None:
                return db.execute("UPDATE pubsub_messages SET lease_until = NULL WHERE acked = 0").rowcount
            rows = db.execute(
                "SELECT seq, lease_until FROM pubsub_messages WHERE acked = 0 AND lease_until IS NOT NULL"
            ).fetchall()
            for row in rows:
                moved = timestamps.parse_time(row["lease_until"]) - timedelta(seconds=seconds)
                db.execute(
                    "UPDATE pubsub_messages SET lease_until = ? WHERE seq = ?",
                    (timestamps.format_time(moved), row["seq"]),
                )
            return len(rows)

    def _subscription(self, name: str, project: str) -> dict:
        if not SUBSCRIPTION.match(name):
            raise InvalidArgument(f"Invalid [subscriptions] name: ({name})")
        self._check_project(name, project)
        with self.store.transaction() as db:
            row = db.execute("SELECT resource FROM pubsub_subscriptions WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFound(f"Resource not found (resource={name.split('/')[3]}).")
        return json.loads(row["resource"])

    @staticmethod
    def _check_project(name: str, project: str) -> None:
        if project_of(name) != project:
            raise PermissionDenied("User not authorized to perform this action.")
