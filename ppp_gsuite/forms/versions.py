"""Which version of a form a response was given under: the deploy history kept in the form's Drive
appProperties (pure: no Google calls).

deploy-forms records each revision it leaves live as `deployed:<UTC stamp to the millisecond>` = revision, besides
`revision` (the latest). A response's version is the revision deployed last at or before its
submission, so a later redeploy never changes what an old row says. Drive allows 30 appProperties
per app on a file, 124 bytes each: the latest HISTORY_KEPT deploys are kept (a response older than
them already has its row, whose version is never rewritten).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..vocabulary import parse_stamp, precise_stamp

REVISION = "revision"  # appProperty: the revision deploy-forms left live last
DEPLOYED_PREFIX = "deployed:"  # appProperty key prefix: deployed:<UTC stamp> -> the revision then left live
LONG_AGO = datetime(1970, 1, 1, tzinfo=UTC)  # when a revision recorded before the history was kept went live
HISTORY_KEPT = 20  # with the form's other appProperties, within Drive's 30 per app on a file


@dataclass(frozen=True)
class FormVersions:
    """A form's deploy history, oldest first, and the revision live now."""

    history: tuple[tuple[datetime, str], ...] = field(default_factory=tuple)
    current: str = ""

    def at(self, submitted: str) -> str:
        """The revision live when a response was submitted (RFC 3339); the current one when the history
        does not reach back (a form deployed before the history was kept) or the time cannot be read."""
        if not self.history or not submitted:
            return self.current
        try:
            when = parse_stamp(submitted)
        except ValueError:
            return self.current
        index = bisect_right([moment for moment, _ in self.history], when)
        return self.history[index - 1][1] if index else self.history[0][1]


def versions_of(app_properties: dict[str, str]) -> FormVersions:
    history = []
    for key, revision in app_properties.items():
        if key.startswith(DEPLOYED_PREFIX):
            try:
                history.append((parse_stamp(key[len(DEPLOYED_PREFIX) :]), revision))
            except ValueError:
                continue
    return FormVersions(tuple(sorted(history)), app_properties.get(REVISION, ""))


def record_deploy(app_properties: dict[str, str], revision: str, now: datetime) -> dict[str, str | None]:
    """The appProperties changes that record `revision` as live from `now` (None deletes the oldest kept)."""
    changes: dict[str, str | None] = {REVISION: revision, f"{DEPLOYED_PREFIX}{precise_stamp(now)}": revision}
    kept = sorted(key for key in app_properties if key.startswith(DEPLOYED_PREFIX))
    if not kept and app_properties.get(REVISION):  # deployed before the history was kept: live until now
        changes[f"{DEPLOYED_PREFIX}{precise_stamp(LONG_AGO)}"] = app_properties[REVISION]
        kept = [""]
    for key in kept[: max(0, len(kept) + 1 - HISTORY_KEPT)]:
        changes[key] = None
    return changes
