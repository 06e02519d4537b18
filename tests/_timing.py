"""Time in tests: wait on a condition with a deadline that fails the test, never a fixed sleep; and a fake
clock for the sandbox's job durations and result expiry (``SandboxConfig(clock=...)``).

A passing test waits only as long as the condition takes; the deadline is there to fail a test that
would otherwise hang, so it is generous (a loaded 2-core CI machine), never a performance threshold.

Example:
    >>> wait_until(lambda: 6 * 7, what="the answer")
    42
    >>> clock = FakeClock(100.0)
    >>> clock.now += 5
    >>> clock()
    105.0
    >>> gate = GateClock(100.0)  # stands still until released, then runs at the real rate
    >>> gate()
    100.0
    >>> gate.release()
    >>> 100.0 <= gate() < 101.0
    True
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar, cast

T = TypeVar("T")


class _Waiting(Generic[T]):
    """One wait: ``ready()`` looks at the condition once and raises once the deadline has passed."""

    def __init__(self, condition: Callable[[], T], timeout: float, what: str) -> None:
        self.condition = condition
        self.timeout = timeout
        self.what = what or repr(condition)
        self.deadline = time.monotonic() + timeout
        self.value: T | None = None
        self.last_error: Exception | None = None

    def ready(self) -> bool:
        try:
            self.value = self.condition()
            if self.value:
                return True
        except Exception as exc:  # "not yet": the thing it checks may still be starting
            self.last_error = exc
        if time.monotonic() > self.deadline:
            detail = f" (last error: {self.last_error!r})" if self.last_error else ""
            raise TimeoutError(f"timed out after {self.timeout} s waiting for {self.what}{detail}")
        return False


def wait_until(
    condition: Callable[[], T], *, timeout: float = 30.0, interval: float = 0.05, what: str = ""
) -> T:
    """Poll ``condition`` until it returns something truthy and return that; fail after ``timeout`` s.

    An exception from ``condition`` counts as "not yet"; the last one is named in the failure.
    """
    waiting = _Waiting(condition, timeout, what)
    while not waiting.ready():
        time.sleep(interval)
    return cast(T, waiting.value)


async def wait_until_async(
    condition: Callable[[], T], *, timeout: float = 30.0, interval: float = 0.005, what: str = ""
) -> T:
    """:func:`wait_until` on the running event loop: the loop runs (background tasks advance) meanwhile."""
    waiting = _Waiting(condition, timeout, what)
    while not waiting.ready():  # noqa: ASYNC110 - nothing signals these conditions: they are polled
        await asyncio.sleep(interval)
    return cast(T, waiting.value)


class FakeClock:
    """A clock that stands still until a test moves ``now`` (pass it as ``SandboxConfig(clock=...)``;
    after moving it, ``poke`` the sandbox's queue so its workers look at the time again)."""

    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now  # by default it starts at the real time

    def __call__(self) -> float:
        return self.now


class GateClock:
    """``now`` stands still (at the real time by default) until :meth:`release`; from then on it moves
    at the real rate, from where it stood. After releasing, poke the sandbox's queue
    (``queue.poke()``) so its workers look at the time again."""

    def __init__(self, now: float | None = None) -> None:
        self._frozen = time.time() if now is None else now
        self._released_at: float | None = None
        self._lock = threading.Lock()

    def release(self) -> None:
        """Let the clock run (idempotent)."""
        with self._lock:
            if self._released_at is None:
                self._released_at = time.monotonic()

    def __call__(self) -> float:
        released = self._released_at
        if released is None:
            return self._frozen
        return self._frozen + (time.monotonic() - released)
