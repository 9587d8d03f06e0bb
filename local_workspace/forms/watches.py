"""Forms v1 watches: create, list, renew, delete, and the notifications they publish to Pub/Sub.

As forms.v1.json and https://developers.google.com/workspace/forms/api/reference/rest/v1/forms.watches
say: a watch belongs to the invoking Cloud project (here: the caller's OAuth client, see pubsub.state);
each project may hold one watch per event type per form (two in all); a watch expires seven days after
it was created or last renewed, and an expired watch is gone (renew answers NOT_FOUND, list leaves it
out, nothing is delivered for it); the target topic must exist and belong to the calling project; a
watchId given must be unused and 4 to 63 characters of a-z and '-'; output-only fields of the watch
(id, createTime, expireTime, state, errorType) may not be set. A RESPONSES watch publishes a message
with the attributes formId, watchId and eventType, and no data, for each response submitted or
edited; a SCHEMA watch, for each change to the form's content or settings.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta

from .. import timestamps
from ..errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from ..pubsub.state import TOPIC, PubSubState, project_of
from ..store import Store

LIFETIME = timedelta(days=7)
EVENT_TYPES = ("SCHEMA", "RESPONSES")
OUTPUT_ONLY = ("id", "createTime", "expireTime", "state", "errorType")
WATCH_ID = re.compile(r"[a-z-]{4,63}\Z")
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS form_watches (form_id TEXT NOT NULL, id TEXT NOT NULL, project TEXT NOT NULL, "
    "resource TEXT NOT NULL, PRIMARY KEY (form_id, id))"
)


class WatchesState:
    def __init__(self, store: Store, pubsub: PubSubState):
        self.store, self.pubsub = store, pubsub
        with store.transaction() as db:
            db.execute(SCHEMA)

    def create(self, form_id: str, project: str, body: dict) -> dict:
        watch = dict((body or {}).get("watch") or {})
        if not watch:
            raise InvalidArgument("watch is required.")
        given = [name for name in OUTPUT_ONLY if name in watch]
        if given:
            raise InvalidArgument(f"Output only fields cannot be set: {', '.join(given)} (use watchId for the id).")
        event_type = watch.get("eventType")
        if event_type not in EVENT_TYPES:
            raise InvalidArgument("watch.event_type must be SCHEMA or RESPONSES.")
        topic = ((watch.get("target") or {}).get("topic") or {}).get("topicName") or ""
        if not TOPIC.match(topic):
            raise InvalidArgument(
                "watch.target.topic.topic_name must be a fully qualified topic name (projects/PROJECT/topics/TOPIC)."
            )
        if project_of(topic) != project:
            raise PermissionDenied("Only the project that owns a topic may create a watch with it.")
        if not self.pubsub.topic_exists(topic):
            raise FailedPrecondition(f"The topic {topic} does not exist.")
        watch_id = (body or {}).get("watchId")
        if watch_id is not None and not WATCH_ID.match(watch_id):
            raise InvalidArgument("watch_id must be 4-63 characters, each a lower-case letter or '-'.")
        now = timestamps.now()
        with self.store.transaction() as db:
            live = self._live(db, form_id, project, now)
            if any(w["eventType"] == event_type for w in live):
                raise FailedPrecondition(
                    f"This project already has a {event_type} watch on this form (one per event type per form)."
                )
            watch_id = watch_id or str(uuid.uuid4())
            if db.execute("SELECT 1 FROM form_watches WHERE form_id = ? AND id = ?", (form_id, watch_id)).fetchone():
                raise InvalidArgument(f"The watch id {watch_id} is already in use.")
            resource = {
                "id": watch_id,
                "target": {"topic": {"topicName": topic}},
                "eventType": event_type,
                "createTime": timestamps.format_time(now),
                "expireTime": timestamps.format_time(now + LIFETIME),
                "state": "ACTIVE",
            }
            db.execute(
                "INSERT INTO form_watches (form_id, id, project, resource) VALUES (?, ?, ?, ?)",
                (form_id, watch_id, project, json.dumps(resource)),
            )
        return resource

    def list_watches(self, form_id: str, project: str) -> dict:
        with self.store.transaction() as db:
            return {"watches": self._live(db, form_id, project, timestamps.now())}

    def renew(self, form_id: str, project: str, watch_id: str) -> dict:
        now = timestamps.now()
        with self.store.transaction() as db:
            watch = next((w for w in self._live(db, form_id, project, now) if w["id"] == watch_id), None)
            if watch is None:
                raise NotFound("Requested entity was not found.")
            watch["expireTime"] = timestamps.format_time(now + LIFETIME)
            watch["state"] = "ACTIVE"
            watch.pop("errorType", None)
            self._save(db, form_id, watch)
        return watch

    def delete(self, form_id: str, project: str, watch_id: str) -> None:
        with self.store.transaction() as db:
            found = db.execute(
                "DELETE FROM form_watches WHERE form_id = ? AND id = ? AND project = ?", (form_id, watch_id, project)
            )
            if not found.rowcount:
                raise NotFound("Requested entity was not found.")

    def notify(self, form_id: str, event_type: str) -> int:
        """Publish the event to the topic of each live watch of that type on the form; how many were sent."""
        sent = 0
        with self.store.transaction() as db:
            rows = db.execute("SELECT project FROM form_watches WHERE form_id = ?", (form_id,)).fetchall()
            for project in {row["project"] for row in rows}:
                for watch in self._live(db, form_id, project, timestamps.now()):
                    if watch["eventType"] == event_type and watch["state"] == "ACTIVE":
                        attributes = {"eventType": event_type, "formId": form_id, "watchId": watch["id"]}
                        sent += self.pubsub.publish(watch["target"]["topic"]["topicName"], attributes) is not None
        return sent

    def age(self, form_id: str, watch_id: str, by: timedelta) -> dict:
        """A test control: the watch as if created (or last renewed) `by` earlier."""
        with self.store.transaction() as db:
            row = db.execute(
                "SELECT resource FROM form_watches WHERE form_id = ? AND id = ?", (form_id, watch_id)
            ).fetchone()
            if row is None:
                raise NotFound("Requested entity was not found.")
            watch = json.loads(row["resource"])
            for key in ("createTime", "expireTime"):
                watch[key] = timestamps.format_time(timestamps.parse_time(watch[key]) - by)
            self._save(db, form_id, watch)
        return watch

    def _live(self, db, form_id: str, project: str, now: datetime) -> list[dict]:
        """The project's watches on the form that have not expired (an expired one is deleted)."""
        live = []
        for row in db.execute(
            "SELECT id, resource FROM form_watches WHERE form_id = ? AND project = ? ORDER BY rowid", (form_id, project)
        ).fetchall():
            watch = json.loads(row["resource"])
            if timestamps.parse_time(watch["expireTime"]) <= now:
                db.execute("DELETE FROM form_watches WHERE form_id = ? AND id = ?", (form_id, row["id"]))
            else:
                live.append(watch)
        return live

    @staticmethod
    def _save(db, form_id: str, watch: dict) -> None:
        db.execute(
            "UPDATE form_watches SET resource = ? WHERE form_id = ? AND id = ?",
            (json.dumps(watch), form_id, watch["id"]),
        )
