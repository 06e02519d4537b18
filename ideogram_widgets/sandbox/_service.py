"""The state behind one sandbox app: config, queue, files, seeded randomness and counters.

One :class:`Sandbox` lives in ``app.state.sandbox``; ``app.state.sandbox.close()`` stops its
worker threads and deletes its files.

Example:
    >>> sb = Sandbox(SandboxConfig(fault_rate=1.0, faults=("503",)))
    >>> sb.draw_fault()
    '503'
    >>> sb.close()
"""

from __future__ import annotations

import collections
import random
import threading
from pathlib import Path
from typing import Any

from ..api._options import SEED_MAX as MAX_SEED  # one seed range for the client and the sandbox
from ._config import FAULT_KINDS, SandboxConfig
from ._files import FileStore
from ._jobqueue import JobQueue
from ._state import JobStore

__all__ = ["MAX_SEED", "Sandbox"]


class Sandbox:
    """Everything one sandbox app holds. Thread-safe."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.store = JobStore(config.state_dir) if config.state_dir is not None else None
        self.files = FileStore(
            Path(config.state_dir) / "files" if config.state_dir is not None else None,
            ttl=config.result_ttl,
            clock=config.clock,
        )
        self.queue = JobQueue(
            workers=config.workers,
            result_ttl=config.result_ttl,
            store_result=self.files.add,
            remove_file=self.files.remove,
            store=self.store,
            clock=config.clock,
        )
        self._lock = threading.Lock()
        # Two streams, so turning faults on does not change which jobs fail or their seeds.
        self._fault_rng = random.Random(f"faults-{config.seed}")
        self._job_rng = random.Random(f"jobs-{config.seed}")
        self._duration_rng = random.Random(f"durations-{config.seed}")  # a third: jitter shifts no seeds
        self._requests: collections.Counter[str] = collections.Counter()
        self._faults: collections.Counter[str] = collections.Counter()
        self._submits = 0
        self._rejected = 0
        self._closed = False

    # -- randomness ------------------------------------------------------------------------

    def draw_fault(self) -> str | None:
        """Which fault (if any) to inject into the next /v1 request; counts it."""
        cfg = self.config
        if cfg.fault_rate <= 0:
            return None
        with self._lock:
            if self._fault_rng.random() >= cfg.fault_rate:
                return None
            kind = self._fault_rng.choice(cfg.faults)
            self._faults[kind] += 1
            return kind

    def draw_job(self, seed: int | None) -> tuple[int, bool]:
        """``(seed, fail)`` for a new job: the given seed or a drawn one; fail per fail_rate."""
        with self._lock:
            drawn = self._job_rng.randint(0, MAX_SEED)
            fail = self._job_rng.random() < self.config.fail_rate
        return (drawn if seed is None else seed), fail

    def draw_duration(self, base: float) -> float:
        """A job's duration: ``base`` × speed_scale, spread by ± duration_jitter."""
        cfg = self.config
        seconds = base * cfg.speed_scale
        if cfg.duration_jitter <= 0:
            return seconds
        with self._lock:
            spread = self._duration_rng.uniform(-cfg.duration_jitter, cfg.duration_jitter)
        return seconds * (1.0 + spread)

    # -- counters --------------------------------------------------------------------------

    def count_request(self, endpoint: str) -> None:
        """Count one incoming request by endpoint name."""
        with self._lock:
            self._requests[endpoint] += 1

    def count_submit(self, accepted: bool) -> None:
        """Count a submit that reached the handler (and whether it was rejected)."""
        with self._lock:
            self._submits += 1
            if not accepted:
                self._rejected += 1

    def stats(self) -> dict[str, Any]:
        """The ``/_sandbox/stats`` answer."""
        counts = self.queue.counts()
        with self._lock:
            return {
                "submits": self._submits,
                "rejected_submits": self._rejected,
                "created": counts["created"],
                "expired": counts["expired"],
                "jobs": counts["jobs"],
                "requests": dict(self._requests),
                "faults": {kind: self._faults.get(kind, 0) for kind in FAULT_KINDS},
                "files": self.files.count(),
                "workers": self.config.workers,
            }

    # -- life ------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once :meth:`close` ran."""
        return self._closed

    def close(self) -> None:
        """Stop the worker threads and delete the result files (kept with a ``state_dir``). Safe to call
        twice."""
        self._closed = True
        self.queue.close()
        self.files.close()
