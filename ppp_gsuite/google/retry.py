"""The one retry policy of the Google adapters: what is safe to repeat is repeated, what is not is reconciled.

Truncated exponential backoff with full jitter (a wait drawn from 0 to first_wait x 2^n, at most
longest_wait), never shorter than a Retry-After Google sent; capped by attempts per call and by the
seconds one run may spend waiting, after which the error ends the run as before. Google asks for
exactly this on a 429 and on 5xx errors (Sheets, Drive and Gmail usage-limit and error pages).

What may be repeated:
- a refusal that says nothing was done (429, 403 rateLimitExceeded): any call;
- an ambiguous failure (a 5xx, a dropped connection: it may have been applied) only for reads and for
  writes that leave the same result when applied twice (`safe=True`: RAW values.batchUpdate of whole
  rows by id, idempotent batchUpdate requests, setting appProperties);
- anything else that is ambiguous only through `applied`: asked before each new attempt, it looks at
  what Google holds (re-read and compare, find by appProperties) and returns what was done, or None
  when it was not, so it is tried again.
A stall past the configured timeouts (NoAnswer) is not repeated: it ends the run, as it did before.
Email sends never come here (gmail_api, docs/decisions.md §5).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception

from ..config import RetrySettings
from ..errors import PppError
from .errors import GoogleApiError, NoAnswer, Unreachable

T = TypeVar("T")
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
SERVER_ERRORS = {500, 502, 503, 504}


def refused_for_now(error: BaseException) -> bool:
    """Google refused the call and did nothing (a quota or rate limit): always safe to try again.
    (Gmail's SendRefused carries the same code and reason: a 429 is a send that certainly did not go.)"""
    code, reason = getattr(error, "code", None), getattr(error, "reason", "")
    return isinstance(error, PppError) and (code == 429 or (code == 403 and reason in RATE_REASONS))


def ambiguous(error: BaseException) -> bool:
    """The call may or may not have been applied: a server error, or a connection lost on the way."""
    if isinstance(error, NoAnswer):
        return False  # a stall ends the run (test_timeouts): it is not waited for again
    return isinstance(error, Unreachable) or (isinstance(error, GoogleApiError) and error.code in SERVER_ERRORS)


@dataclass
class RetryPolicy:
    attempts: int = 6  # per call, the first included
    first_wait: float = 1.0  # seconds: the ceiling of the first jittered wait
    longest_wait: float = 32.0  # seconds: no wait is drawn from a wider range than this
    budget: float = 300.0  # seconds one run may spend waiting, over all its calls
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    waited: float = 0.0  # seconds waited so far in this run
    retries: dict[str, int] = field(default_factory=dict)  # method -> attempts repeated (for reports and tests)

    def read(self, method: str, do: Callable[[], T]) -> T:
        """A call that changes nothing: repeated on a refusal or an ambiguous failure."""
        return self._run(method, do, safe=True, applied=None)

    def write(
        self, method: str, do: Callable[[], T], *, safe: bool = False, applied: Callable[[], T | None] | None = None
    ) -> T:
        """A change: repeated on a refusal; after an ambiguous failure only when `safe` (applying it twice
        leaves what applying it once does), or once `applied()` found it was not applied."""
        return self._run(method, do, safe=safe, applied=applied)

    def _run(self, method: str, do: Callable[[], T], safe: bool, applied: Callable[[], T | None] | None) -> T:
        unsure = [False]  # an attempt failed in a way that may have applied it

        def attempt() -> T:
            if unsure[0] and applied is not None:
                found = applied()
                if found is not None:
                    return found
                unsure[0] = False
            try:
                return do()
            except PppError as error:
                unsure[0] = unsure[0] or ambiguous(error)
                raise

        def worth_repeating(error: BaseException) -> bool:
            return refused_for_now(error) or (ambiguous(error) and (safe or applied is not None))

        retrying = Retrying(
            retry=retry_if_exception(worth_repeating),
            wait=self._wait,
            stop=self._stop,
            sleep=self._sleep,
            before_sleep=lambda state: self._count(method),
            reraise=True,
        )
        return retrying(attempt)

    def _wait(self, state: RetryCallState) -> float:
        ceiling = min(self.longest_wait, self.first_wait * 2 ** (state.attempt_number - 1))
        jittered = self.rng.uniform(0, ceiling)
        error = state.outcome.exception() if state.outcome else None
        asked = getattr(error, "retry_after", None) or 0.0
        return max(jittered, asked)

    def _stop(self, state: RetryCallState) -> bool:
        upcoming = state.upcoming_sleep or 0.0
        return state.attempt_number >= self.attempts or self.waited + upcoming > self.budget

    def _sleep(self, seconds: float) -> None:
        self.waited += seconds
        self.sleep(seconds)

    def _count(self, method: str) -> None:
        self.retries[method] = self.retries.get(method, 0) + 1


def policy_for(settings: RetrySettings) -> RetryPolicy:
    """A run's policy, as the config's `retries:` section sets it."""
    return RetryPolicy(
        attempts=settings.attempts,
        first_wait=settings.first_wait_seconds,
        longest_wait=settings.longest_wait_seconds,
        budget=settings.budget_seconds,
    )


def default_policy() -> RetryPolicy:
    """A policy for one run (its budget is the run's): each adapter made without one gets its own."""
    return RetryPolicy()
