"""`ppp-gsuite watch`: a sync within seconds of a response, from Forms API watches on Cloud Pub/Sub.

Each deployed form keeps one RESPONSES watch on the configured topic (forms.watches.create), renewed
(forms.watches.renew) once it is within `renew_hours_before_expiry` of its seven-day expiry; one left
on another topic (the config changed) is replaced. Notifications are pulled from the subscription;
those naming one of our forms start one sync (the same run as `ppp-gsuite sync`, which reads the new
responses since the last run), and are acknowledged only after it finished, so a notification whose
sync failed is delivered again. No HTTP here: the adapters (FormWatches, PubSub) speak to Google.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .google.errors import GoogleApiError, Unreachable
from .google.form_watches import RESPONSES

if TYPE_CHECKING:
    from .google.form_watches import FormWatches
    from .google.pubsub_api import PubSub

CREATED, RENEWED, REPLACED, KEPT = "created", "renewed", "replaced", "kept"
# A pulled message is on lease for the subscription's ack deadline (10 seconds unless set); a sync takes
# longer, so the messages are held for Pub/Sub's longest lease first, or the acknowledgement after it would
# come too late, be ignored, and the same notification start another sync.
HOLD_SECONDS = 600


def parse_time(text: str) -> datetime:
    """An RFC 3339 time as Google writes it (Z or an offset, with or without fractions)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def keep_watches(
    watches: FormWatches, deployed: dict[str, dict], topic: str, now: datetime, renew_within: timedelta
) -> dict[str, str]:
    """One live RESPONSES watch on `topic` for each deployed form; returns form key -> what was done."""
    done = {}
    for key, file in sorted(deployed.items()):
        mine = [w for w in watches.list(file["id"]) if w.get("eventType") == RESPONSES]
        watch = mine[0] if mine else None
        if watch is not None and watch.get("target", {}).get("topic", {}).get("topicName") != topic:
            watches.delete(file["id"], watch["id"])  # one watch per event type per form: make room
            watches.create(file["id"], topic)
            done[key] = REPLACED
        elif watch is None:
            watches.create(file["id"], topic)
            done[key] = CREATED
        elif watch.get("state") != "ACTIVE" or parse_time(watch["expireTime"]) - now <= renew_within:
            watches.renew(file["id"], watch["id"])
            done[key] = RENEWED
        else:
            done[key] = KEPT
    return done


@dataclass
class Notifications:
    """What one pull brought: the forms (by key) that had responses, and every ack id to acknowledge."""

    forms: set[str] = field(default_factory=set)
    ack_ids: list[str] = field(default_factory=list)


def read_notifications(received: list[dict], deployed: dict[str, dict]) -> Notifications:
    """Messages of RESPONSES on our forms name a form to sync; every message is acknowledged (one about
    another form, or a SCHEMA change, needs nothing from us)."""
    by_id = {file["id"]: key for key, file in deployed.items()}
    found = Notifications()
    for item in received:
        attributes = item.get("message", {}).get("attributes", {})
        if attributes.get("eventType") == RESPONSES and attributes.get("formId") in by_id:
            found.forms.add(by_id[attributes["formId"]])
        found.ack_ids.append(item["ackId"])
    return found


@dataclass
class Watcher:
    """The loop: watches checked every `check_every`, then pull, sync when a form changed, acknowledge."""

    watches: FormWatches
    pubsub: PubSub
    topic: str
    subscription: str
    find_forms: Callable[[], dict[str, dict]]  # form key -> its Drive file (appProperties target)
    sync: Callable[[set[str]], None]  # runs one sync for the forms that changed; raises if it failed
    clock: Callable[[], datetime]
    renew_within: timedelta
    check_every: timedelta
    say: Callable[[str], None] = print
    warn: Callable[[str], None] = print  # to stderr
    _checked: datetime | None = None
    _deployed: dict[str, dict] = field(default_factory=dict)

    def step(self) -> int:
        """One round; returns how many forms' notifications were synced."""
        now = self.clock()
        if self._checked is None or now - self._checked >= self.check_every:
            self._deployed = self.find_forms()
            done = keep_watches(self.watches, self._deployed, self.topic, now, self.renew_within)
            counts = {what: sum(1 for d in done.values() if d == what) for what in (CREATED, RENEWED, REPLACED, KEPT)}
            self.say("watches: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
            self._checked = now
        try:
            received = self.pubsub.pull(self.subscription)
        except (GoogleApiError, Unreachable) as error:
            # Pub/Sub's pull may answer UNAVAILABLE or DEADLINE_EXCEEDED, or not at all: the messages wait.
            if isinstance(error, GoogleApiError) and error.code != 429 and error.code < 500:
                raise
            self.warn(f"warning: {error}; the pull is tried again next round")
            return 0
        notifications = read_notifications(received, self._deployed)
        if notifications.forms:
            self.say(f"responses notified on: {', '.join(sorted(notifications.forms))}")
            self.pubsub.hold(self.subscription, notifications.ack_ids, HOLD_SECONDS)
            try:
                self.sync(notifications.forms)
            except BaseException:  # not acknowledged, and handed back now: Pub/Sub delivers them again
                with contextlib.suppress(Exception):  # or at the lease's end: the sync's error is the one to tell
                    self.pubsub.hold(self.subscription, notifications.ack_ids, 0)
                raise
        if notifications.ack_ids:
            self.pubsub.acknowledge(self.subscription, notifications.ack_ids)
        return len(notifications.forms)
