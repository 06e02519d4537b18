"""When and how long to wait before asking the service again.

Capped exponential backoff with jitter (:func:`backoff`, the one implementation: the client's retries and
the jobs poller's waits after failed polls both use it); a ``Retry-After`` the service sends is honoured up
to a cap.

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

__all__ = ["RetryPolicy", "backoff", "parse_retry_after"]


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
