"""A sandbox clock that stands still until the test lets it go, then runs at the real rate.

For the tests whose point needs jobs that cannot end before some moment (every job of a batch running at
once, all of them stopped before any finished) and that then need the jobs to run as usual, each for its
own duration (a :class:`~tests._timing.FakeClock` moved by hand ends every running job at once).

Example:
    >>> clock = GateClock(100.0)
    >>> clock()
    100.0
    >>> clock.release()
    >>> 100.0 <= clock() < 101.0
    True
"""

from __future__ import annotations

import threading
import time


class GateClock:
    """``now`` stands still (at the real time by default) until :meth:`release`; from then on it moves
    at the real rate, from where it stood. After releasing, poke the sandbox's queue
    (``queue.poke()``) so its workers look at the time again."""

    def __init__(self, now: float | None = None) -> None:
        self._frozen = time.time() if now is None else now
        self._released_at: float | None = None
        self._lock = threading.Lock()

    @property
    def released(self) -> bool:
        """Whether :meth:`release` was called."""
        return self._released_at is not None

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
