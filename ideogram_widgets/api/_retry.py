"""When and how long to wait before asking the service again.

How soon to poll a job again (:class:`PollCadence`: fast after every change of state, slower while nothing
changes) is decided here once, for ``AsyncClient.wait`` and the jobs poller (which adds its own caps and
learned run times on top). Capped exponential backoff with jitter (:func:`backoff`) is written here once
too: the client's retries and the jobs poller's waits after failed polls both use it. A ``Retry-After`` the
service sends is honoured up to a cap.

Example:
    >>> policy = RetryPolicy(base_delay=0.5, max_delay=8.0, jitter=0.0)
    >>> [policy.delay(n) for n in range(6)]
    [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    >>> policy.delay(0, retry_after=3.0)
    3.0
    >>> parse_retry_after("120")
    120.0
    >>> backoff(3, base=1.0, cap=30.0), backoff(10, base=1.0, cap=30.0)
    (8.0, 30.0)
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

__all__ = ["PollCadence", "RetryPolicy", "backoff", "parse_retry_after"]


@dataclass(frozen=True)
class RetryPolicy:
    """How the client retries status, result, cancel and download calls (and submits that never left).

    ``attempts`` counts every try, the first included. The n-th wait is ``base_delay * 2**n`` capped at
    ``max_delay``, then scaled by a random factor in ``[1 - jitter, 1]``. A ``Retry-After`` replaces the
    computed wait, capped at ``max_retry_after``.
    """

    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: float = 0.5

    def delay(self, retry: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (0-based): :func:`backoff` with this policy."""
        return backoff(
            retry,
            base=self.base_delay,
            cap=self.max_delay,
            jitter=self.jitter,
            retry_after=retry_after,
            max_retry_after=self.max_retry_after,
            rng=rng,
        )


def backoff(
    retry: int,
    *,
    base: float,
    cap: float,
    jitter: float = 0.0,
    retry_after: float | None = None,
    max_retry_after: float = float("inf"),
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before retry number ``retry`` (0-based) after something failed.

    ``base * 2**retry`` capped at ``cap``, then scaled by a random factor in ``[1 - jitter, 1]`` (never
    above the cap, and many clients that failed together spread out). A ``retry_after`` the service sent
    (seconds, >= 0) replaces the computed wait, capped at ``max_retry_after``.

    Example:
        >>> [backoff(n, base=0.5, cap=8.0) for n in range(6)]
        [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
        >>> 0.25 <= backoff(0, base=0.5, cap=8.0, jitter=0.5) <= 0.5
        True
        >>> backoff(2, base=0.5, cap=8.0, retry_after=3600.0, max_retry_after=60.0)
        60.0
    """
    if retry_after is not None and retry_after >= 0:
        return min(retry_after, max_retry_after)
    wait = min(cap, base * (2.0 ** min(max(0, retry), 64)))  # 2.0**1024 overflows
    if jitter:
        wait *= 1.0 - jitter * (rng or random).random()
    return wait


@dataclass
class PollCadence:
    """How soon to poll one job again: ``first`` right after its state changed, then ``growth`` times the
    last wait while nothing changes, never more than ``longest``.

    ``state`` is the last state seen, ``interval`` the last wait (0 when none since the change).

    Example:
        >>> cadence = PollCadence()
        >>> cadence.saw("in_queue")
        True
        >>> [cadence.next_wait(0.25, 1.0) for _ in range(5)]
        [0.25, 0.375, 0.5625, 0.84375, 1.0]
        >>> cadence.saw("in_queue"), cadence.saw("in_progress"), cadence.next_wait(0.25, 1.0)
        (False, True, 0.25)
    """

    state: str = ""
    interval: float = 0.0

    def saw(self, state: str) -> bool:
        """Record the state an answer gave; True when it changed (the waits start again from ``first``)."""
        if state == self.state:
            return False
        self.state, self.interval = state, 0.0
        return True

    def next_wait(self, first: float, longest: float, growth: float = 1.5) -> float:
        """The wait before the next poll (and remember it: the one after grows from it)."""
        step = first if self.interval <= 0 else self.interval * growth
        self.interval = min(step, longest)
        return self.interval


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date; None if absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - (now or datetime.now(timezone.utc))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)
