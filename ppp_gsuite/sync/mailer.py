"""Send due emails exactly once, or flag them for a person — never twice, never silently lost.

Record the intent, send, record the result (docs/decisions.md §5). Each send's intent is written
together with the previous send's result, in one write, before it is sent: a run stopped anywhere
leaves at most the one email whose send was under way with an outcome nobody knows, and a fault on any
other call (a log write, a read) stops the run before a send, never between a send and its record.
One write per send matches Gmail's own pace (its per-minute quota allows about one send a second).
Unknown outcomes are marked for a person ("unknown") and never sent again automatically; a person who
checked settles it either way (`ppp-gsuite email settle KEY --sent | --retry`, or "sent" / "retry"
typed into its State). A 429 from Gmail (nothing sent) is waited for and tried again under the run's
retry policy, then held for a later run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..config import Config
from ..errors import ValidationFailed
from ..google.gmail_api import NotSent, SendNotAttempted, SendOutcomeUnknown, SendRefused
from ..google.retry import RetryPolicy
from ..mail.mime import InvalidAddress, build_message, encode_raw
from ..mail.templates import render
from ..vocabulary import (
    LOG_EMAIL,
    LOG_KEY,
    LOG_MESSAGE_ID,
    LOG_STATE,
    LOG_TIME,
    LOG_TO,
    NOT_SENT,
    RETRY,
    SENDING,
    SENT,
    UNKNOWN,
)
from .emails import DueEmail
from .rows import Row

__all__ = ["Mailer", "MailReport", "RETRY", "SENDING", "SENT", "UNKNOWN"]


@dataclass
class MailReport:
    sent: int = 0
    unknown: int = 0  # new in this run
    failed: int = 0
    held: int = 0  # over the daily cap: sent by a later run
    waiting_for_a_person: int = 0  # every unknown in the log


SETTLED_BY_HAND = (SENT, RETRY)  # what a person who checked the Sent mail types into State (or `email settle`)


def log_state(record: dict[str, str]) -> str:
    """The State of a log entry; "Sent " or "Retry" as a person types them in the sheet read as sent and retry."""
    state = record.get(LOG_STATE, "")
    typed = state.strip().lower()
    return typed if typed in SETTLED_BY_HAND else state


def needs_a_person(record: dict[str, str]) -> bool:
    """An outcome nobody knows: an intent a crashed run left, or a send that may or may not have gone."""
    return log_state(record) in (UNKNOWN, SENDING)


class Mailer:
    """One a run: every email of the run goes through it, so its log and its report are the run's.

    It writes nothing itself: `deliver` yields the log rows that must be stored before it sends on
    (the caller writes them, then asks for more), and keeps the last results in `unwritten` for the
    run's last write."""

    def __init__(
        self,
        config: Config,
        templates: Path,
        send: Callable[[str], str],
        log: dict[str, dict[str, str]],
        now: datetime,
        local_time: str,
        retry: RetryPolicy | None = None,
    ):
        self.config, self.templates, self.send = config, templates, send
        self.retry = retry or RetryPolicy(attempts=1)  # without the run's policy, a 429 holds at once
        self.log, self.now, self.local_time = log, now, local_time
        self.report = MailReport()
        self.report.waiting_for_a_person = sum(1 for r in log.values() if needs_a_person(r))
        # Intents a crashed run left: nobody knows whether they went. Marked for a person with the first write.
        self.unwritten = [
            self._entry(key, record.get(LOG_EMAIL, ""), record.get(LOG_TO, ""), UNKNOWN, "")
            for key, record in log.items()
            if log_state(record) == SENDING
        ]

    def is_due(self, key: str) -> bool:
        return key not in self.log or log_state(self.log[key]) == RETRY

    def _due(self, email: DueEmail) -> bool:
        """Due, or refused for its address before and now to an address a lead corrected: tried again
        (sent is final, so it goes once; a corrected address refused too says so again, sending nothing)."""
        refused_address = log_state(self.log.get(email.key, {})).startswith(f"{NOT_SENT}: {email.who}")
        return self.is_due(email.key) or (email.corrected and refused_address)

    def sent_today(self) -> int:
        today = self.local_time[:10]
        return sum(1 for r in self.log.values() if log_state(r) == SENT and r.get(LOG_TIME, "").startswith(today))

    def take_unwritten(self) -> list[Row]:
        rows, self.unwritten = self.unwritten, []
        return rows

    def deliver(self, due: list[DueEmail]) -> Iterator[list[Row]]:
        """Send what is due, one at a time, yielding before each send the log rows to be written first: its
        intent, with the previous send's result (and any refusals found while building). The last result
        stays in `unwritten`, for the caller to write at once."""
        pending = self.take_unwritten()
        unique = {}
        for email in due:
            if self._due(email) and email.key not in unique:
                unique[email.key] = email
        emails = list(unique.values())
        allowed = max(0, self.config.email.daily_cap - self.sent_today())
        self.report.held += max(0, len(emails) - allowed)
        ready = []
        for email in emails[:allowed]:  # every message is made before the first send: nothing but sends between them
            raw = self._build(email, pending)
            if raw is not None:
                ready.append((email, raw))
        for position, (email, raw) in enumerate(ready):
            yield pending + [self._entry(email.key, email.template, email.who, SENDING, "")]
            pending = []
            if not self._send_one(email, raw, pending):
                self.report.held += len(ready) - position - 1 if self._held_by_gmail else 0
                break
        self.unwritten += pending

    def _build(self, email: DueEmail, pending: list[Row]) -> str | None:
        sender = (self.config.sender.name, self.config.sender.email)
        try:
            rendered = render(self.templates, email.template, email.context)
            message = build_message(sender, (email.to_name, email.to_email), rendered, email.reply_to, who=email.who)
        except InvalidAddress as problem:
            self._failed(email, f"{NOT_SENT}: {problem}", pending)
            return None
        except ValidationFailed:
            self._failed(email, f"{NOT_SENT}: the template could not be filled in; run ppp-gsuite validate", pending)
            return None
        return encode_raw(message)

    _held_by_gmail = False  # the last send stopped on Gmail's own limits: the rest are held

    def _send_one(self, email: DueEmail, raw: str, pending: list[Row]) -> bool:
        """Send one message and note its result; False when sending must stop for this run (Gmail cannot be
        reached, or its own limits: the rest wait for the next run, their intents never written)."""
        try:
            message_id = self.retry.write("gmail.users.messages.send", lambda: self.send(raw))
        except SendOutcomeUnknown:
            pending.append(self._entry(email.key, email.template, email.who, UNKNOWN, ""))
            self.report.unknown += 1
            return True
        except SendNotAttempted:
            pending.append(self._entry(email.key, email.template, email.who, RETRY, ""))
            return False
        except SendRefused as refused:
            if refused.code == 429 or (refused.code == 403 and "imit" in (refused.reason or "")):
                # Gmail's own limits (they count mail staff send by hand too), still there after waiting: hold.
                pending.append(self._entry(email.key, email.template, email.who, RETRY, ""))
                self.report.held += 1
                self._held_by_gmail = True
                return False
            self._failed(email, f"{NOT_SENT}: Gmail refused it ({refused})", pending)
            return True
        except NotSent as refused:
            self._failed(email, f"{NOT_SENT}: Gmail refused it ({refused})", pending)
            return True
        pending.append(self._entry(email.key, email.template, email.who, SENT, message_id))
        self.report.sent += 1
        return True

    def _failed(self, email: DueEmail, state: str, pending: list[Row]) -> None:
        pending.append(self._entry(email.key, email.template, email.who, state, ""))
        self.report.failed += 1

    def _entry(self, key: str, template: str, who: str, state: str, message_id: str) -> Row:
        cells = {
            LOG_KEY: key,
            LOG_EMAIL: template,
            LOG_TO: who,
            LOG_STATE: state,
            LOG_MESSAGE_ID: message_id,
            LOG_TIME: self.local_time,
        }
        self.log[key] = cells
        return Row(key, "", cells)
