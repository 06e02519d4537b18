"""When to ask the service again: adaptive polling intervals and learned job durations.

The poller asks fast right after a submit and after every change of state, then backs off (×``growth``)
while nothing changes (the :class:`~ideogram_widgets.api._retry.PollCadence` that ``AsyncClient.wait``
follows too), never waiting longer than ``relative`` × the time already waited (so a late
detection costs at most a few percent of the job's duration) nor ``max_interval``. Once a few jobs of the
same kind (model + rendering speed) have run, :class:`DurationModel` knows how long they take: a running
job is then left alone until just after its usual end (or, when run times vary, a fine step after the
earliest one) and polled finely from there, which finds the completion sooner *and* with fewer requests
than a fixed interval. Every delay carries jitter so many jobs do not poll in lockstep; after failed
polls the waits are the client's :func:`~ideogram_widgets.api._retry.backoff`.

Example:
    >>> policy = PollPolicy(jitter=0.0)
    >>> track = Track.start(now=0.0)
    >>> [round(policy.next_delay(track, now=t), 3) for t in (0.0, 2.0, 4.0, 30.0)]
    [0.1, 0.15, 0.225, 0.338]
    >>> model = DurationModel()
    >>> for s in (2.0, 2.1, 1.9):
    ...     model.add("edit/TURBO", s)
    >>> model.estimate("edit/TURBO")
    Estimate(lo=1.9, mid=2.0, hi=2.1, samples=3)
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field

from ..api._retry import PollCadence, backoff

__all__ = ["DurationModel", "Estimate", "PollPolicy", "Track"]

RUNNING = "in_progress"
WAITING = frozenset({"submitted", "in_queue", "unknown"})


@dataclass(frozen=True)
class Estimate:
    """How long jobs of one kind run, from starting to completing: quantiles of recent samples."""

    lo: float
    mid: float
    hi: float
    samples: int


class DurationModel:
    """Learns job run times per kind (a hashable key), from the last ``window`` completed jobs.

    Thread-safe; one model is shared by every job of a process.
    """

    def __init__(self, window: int = 40) -> None:
        self._window = window
        self._samples: dict[Hashable, deque[float]] = {}
        self._lock = threading.Lock()

    def add(self, key: Hashable, seconds: float) -> None:
        """Record that a job of kind ``key`` ran for ``seconds``."""
        if not seconds > 0:
            return
        with self._lock:
            self._samples.setdefault(key, deque(maxlen=self._window)).append(seconds)

    def estimate(self, key: Hashable) -> Estimate | None:
        """The 10th, 50th and 90th percentiles of the recent run times, or None before any sample."""
        with self._lock:
            samples = sorted(self._samples.get(key, ()))
        if not samples:
            return None
        n = len(samples)

        def q(p: float) -> float:
            return samples[min(n - 1, max(0, round(p * (n - 1))))]

        return Estimate(q(0.1), q(0.5), q(0.9), n)

    def clear(self) -> None:
        """Forget everything learned."""
        with self._lock:
            self._samples.clear()


@dataclass
class Track(PollCadence):
    """What the poller has seen of one job (monotonic seconds).

    A :class:`~ideogram_widgets.api._retry.PollCadence` (the last state and wait, the rule
    ``AsyncClient.wait`` follows too), plus what the learned run times need: ``before_start`` is a time
    the job certainly had not started yet (the submit was sent, or a poll saw it waiting);
    ``first_running`` / ``last_running`` bracket what was seen of its run.
    """

    state: str = "submitted"
    waiting_since: float = 0.0
    before_start: float | None = None
    first_running: float | None = None
    last_running: float | None = None
    queue_position: int | None = None
    errors: int = 0
    aimed: bool = False
    submitted: float | None = None
    queued: bool = False

    @classmethod
    def start(
        cls, now: float, *, submitted: bool = True, answered: float | None = None, state: str = "submitted"
    ) -> Track:
        """A track for a job whose submit was sent at ``now`` and ``answered`` then (or attached to, when
        ``submitted`` is False). The service creates a job between the two; ``answered`` bounds it."""
        if not submitted:
            return cls(state=state, waiting_since=now)
        sent = answered if answered is not None else now
        return cls(state=state, waiting_since=now, before_start=now, submitted=sent)

    def observe(self, state: str, sent: float, received: float, queue_position: int | None = None) -> bool:
        """Record a status answer (request sent at ``sent``, answer at ``received``); True if it changed."""
        self.errors = 0
        changed = state != self.state or queue_position != self.queue_position
        if state in WAITING:
            self.before_start = sent
            self.queued = self.queued or state == "in_queue"
        elif state == RUNNING:
            if self.first_running is None:
                self.first_running = received
            self.last_running = sent
        self.saw(state)
        self.queue_position = queue_position
        return changed

    def start_estimate(self) -> float | None:
        """When the job's run is counted from: the submit itself when it never waited in a queue (the
        service starts it at once), else the middle of the bracket in which it was seen to start."""
        if self.submitted is not None and not self.queued:
            return self.submitted
        if self.before_start is None or self.first_running is None:
            return None
        return (self.before_start + self.first_running) / 2

    def run_time(self, seen_done: float, server_total: float | None = None) -> float | None:
        """How long the job ran, counted from :meth:`start_estimate`, given when an answer showed it done.

        ``server_total``: the service's own ``finished_at - created_at`` when it gave them (exact, one
        clock). Without it the end must have been seen closely (polls less than 15 % of the run apart),
        else None: a wide bracket would teach a wrong duration.
        """
        start = self.start_estimate()
        if start is None:
            return None
        if server_total is not None and self.submitted is not None:
            run = server_total - (start - self.submitted)
            return run if run > 0 else None
        if self.last_running is None or self.first_running is None:
            return None
        if seen_done - self.last_running > 0.15 * (seen_done - start):
            return None
        end = (self.last_running + seen_done) / 2
        return end - start if end > start else None


@dataclass(frozen=True)
class PollPolicy:
    """How often to poll. All times in seconds.

    Attributes:
        min_interval: the first wait after a submit or a change of state.
        floor: backing off, the wait may always grow to this (however short the time waited so far).
        max_interval: the longest wait while backing off.
        growth: each unchanged answer multiplies the wait by this.
        relative: a wait never exceeds this fraction of the time already waited (bounds late detection).
        fine_fraction: near a learned end, poll every this fraction of the usual run time
            (bounded by ``min_fine`` and ``max_fine``).
        min_fine / max_fine: the shortest and longest interval near a learned end.
        max_sleep: the longest single wait while trusting a learned duration.
        jitter: delays are scaled by a random factor in ``[1 - jitter, 1 + jitter]`` (when aiming at a
            learned end, only shortened, by at most 10 ms).
        error_delay / max_error_delay: after ``n`` failed polls: ``error_delay * 2**(n-1)`` up to the cap
            (jitter only shortens it), or the service's ``Retry-After`` instead (up to twice the cap).
        max_rate: background polls (not those aimed at a learned end) of all the jobs on one client are
            spread to at most this many per second, so hundreds of jobs cost the kernel (and the
            service's rate limit) a bounded amount.
    """

    min_interval: float = 0.1
    floor: float = 0.25
    max_interval: float = 5.0
    growth: float = 1.5
    relative: float = 0.1
    fine_fraction: float = 0.04
    min_fine: float = 0.05
    max_fine: float = 1.0
    max_sleep: float = 30.0
    jitter: float = 0.1
    error_delay: float = 1.0
    max_error_delay: float = 30.0
    max_rate: float = 50.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def _jitter(self, delay: float, *, early_only: bool = False) -> float:
        if not self.jitter:
            return delay
        low = 1.0 - self.jitter
        high = 1.0 if early_only else 1.0 + self.jitter
        return delay * self.rng.uniform(low, high)

    def fine(self, estimate: Estimate) -> float:
        """The interval used around a learned end."""
        return min(self.max_fine, max(self.min_fine, self.fine_fraction * estimate.mid))

    def next_delay(self, track: Track, now: float, estimate: Estimate | None = None) -> float:
        """Seconds to wait before the next poll of the job ``track`` follows (``track.aimed`` tells
        whether that poll is aimed at a learned end rather than a background check)."""
        track.aimed = False
        if track.state == RUNNING and estimate is not None and track.before_start is not None:
            delay = self._aimed(track, now, estimate)
            if delay is not None:
                track.aimed = True
                return delay
        anchor = track.waiting_since
        if track.state == RUNNING and track.before_start is not None:
            anchor = max(anchor, min(track.before_start, now))
        cap = min(self.max_interval, max(self.floor, self.relative * (now - anchor)))
        if (
            estimate is not None
            and track.state in WAITING
            and track.queue_position is not None
            and track.queue_position <= 1
        ):
            # next in line: poll often enough to see the start, which the learned end is measured from
            cap = min(cap, max(self.min_interval, 0.25 * estimate.lo))
        return self._jitter(track.next_wait(self.min_interval, cap, self.growth))

    def _aimed(self, track: Track, now: float, estimate: Estimate) -> float | None:
        # Learned run times are measured from the middle of the bracket in which the job was seen to
        # start; aiming from the same point makes the bracket's bias cancel out.
        start = track.start_estimate()
        if start is None:
            return None
        fine = self.fine(estimate)
        # just after the usual end when run times are tight, else one fine step after the earliest end
        aim = start + min(estimate.hi, estimate.lo + fine)
        if now < aim - 0.001:
            wait = aim - now
            if self.jitter:  # jobs aim at their own ends already: a little jitter is enough
                wait -= self.rng.uniform(0.0, min(0.01 * wait, 0.01))
            return min(self.max_sleep, wait)
        if now <= (track.first_running or now) + estimate.hi + 2 * fine:
            track.interval = fine
            return self._jitter(fine)
        return None  # overdue: the estimate did not hold for this job; back off as without one

    def error_wait(self, errors: int, retry_after: float | None = None) -> float:
        """The wait after ``errors`` failed polls in a row: the client's capped exponential
        :func:`~ideogram_widgets.api._retry.backoff` from ``error_delay`` up to ``max_error_delay``; the
        service's ``retry_after`` instead when it sent one (up to twice that cap)."""
        return backoff(
            errors - 1,
            base=self.error_delay,
            cap=self.max_error_delay,
            jitter=self.jitter,
            retry_after=retry_after,
            max_retry_after=2 * self.max_error_delay,
            rng=self.rng,
        )
