"""The sandbox's job queue: a FIFO served by daemon worker threads.

(Named ``jobqueue`` so it never shadows the standard library's ``queue``.)

Threads, not asyncio tasks, so the queue works the same under uvicorn and in-process through
``httpx.ASGITransport`` (which runs no lifespan events and may be driven from several event
loops over its life). Workers start lazily on the first submit; :meth:`JobQueue.close` stops
them. Every state change happens under one lock.

Example:
    >>> q = JobQueue(workers=1, result_ttl=60.0, store_result=lambda data, ttl: "f.png")
    >>> job = Job(request_id="r1", model="m", duration=0.0, work=lambda: b"png")
    >>> q.submit(job)
    >>> q.wait_finished("r1", timeout=5.0).state
    'completed'
    >>> q.close()
"""

from __future__ import annotations

import collections
import copy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import INJECTED_JOB_FAILURE, INTERNAL

IN_QUEUE, IN_PROGRESS, COMPLETED, CANCELLED, FAILED = (
    "in_queue",
    "in_progress",
    "completed",
    "cancelled",
    "failed",
)
STATES = (IN_QUEUE, IN_PROGRESS, COMPLETED, CANCELLED, FAILED)
FINISHED = (COMPLETED, CANCELLED, FAILED)


@dataclass
class Job:
    """One request. ``work`` renders the result PNG in a worker thread.

    Times are wall-clock seconds since the epoch (``time.time()``).
    """

    request_id: str
    model: str
    duration: float
    work: Callable[[], bytes] | None = None
    prompt: str | None = None
    seed: int | None = None
    rendering_speed: str | None = None
    resolution: str | None = None
    fail: bool = False
    state: str = IN_QUEUE
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    files: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None
    expired: bool = False
    queue_position: int | None = None

    def summary(self) -> dict[str, Any]:
        """A JSON-ready description (for ``/_sandbox/jobs``)."""
        return {
            "request_id": self.request_id,
            "model": self.model,
            "state": self.state,
            "prompt": self.prompt,
            "seed": self.seed,
            "rendering_speed": self.rendering_speed,
            "resolution": self.resolution,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "files": list(self.files),
            "error": self.error,
            "expired": self.expired,
        }


class JobQueue:
    """FIFO of jobs, ``workers`` threads, expiry of finished jobs after ``result_ttl`` seconds.

    ``store_result(png, ttl)`` saves a result and returns its file name;
    ``remove_file(name)`` deletes one when its job expires.
    """

    def __init__(
        self,
        workers: int,
        result_ttl: float,
        store_result: Callable[[bytes, float], str],
        remove_file: Callable[[str], None] = lambda name: None,
    ) -> None:
        self._workers = workers
        self._ttl = result_ttl
        self._store_result = store_result
        self._remove_file = remove_file
        self._cond = threading.Condition()
        self._pending: collections.deque[Job] = collections.deque()
        self._jobs: dict[str, Job] = {}
        self._history: list[Job] = []
        self._finished: collections.deque[tuple[float, str]] = collections.deque()
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._closed = False

    # -- requests ------------------------------------------------------------------------

    def submit(self, job: Job) -> None:
        """Queue ``job`` (starting the workers on first use). Raises RuntimeError once closed."""
        with self._cond:
            if self._closed:
                raise RuntimeError("the local sandbox's queue is closed")
            self._jobs[job.request_id] = job
            self._history.append(job)
            self._pending.append(job)
            self._ensure_workers()
            self._cond.notify()

    def get(self, request_id: str) -> Job | None:
        """A snapshot of the job (with ``queue_position`` while queued), None if unknown/expired."""
        with self._cond:
            self._purge()
            job = self._jobs.get(request_id)
            return None if job is None else self._snapshot(job)

    def cancel(self, request_id: str) -> tuple[Job, bool] | None:
        """Cancel a queued job atomically: ``(snapshot, cancelled?)``; None if unknown/expired."""
        with self._cond:
            self._purge()
            job = self._jobs.get(request_id)
            if job is None:
                return None
            done = job.state == IN_QUEUE
            if done:
                self._pending.remove(job)
                job.state = CANCELLED
                job.work = None
                self._finish(job)
            return self._snapshot(job), done

    def wait_finished(self, request_id: str, timeout: float) -> Job | None:
        """Block until the job has finished (or ``timeout``); return its snapshot."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                job = self._jobs.get(request_id)
                left = deadline - time.monotonic()
                if job is None or job.state in FINISHED or left <= 0:
                    return None if job is None else self._snapshot(job)
                self._cond.wait(left)

    def counts(self) -> dict[str, Any]:
        """Jobs by state (live ones), plus how many were ever created and have expired."""
        with self._cond:
            self._purge()
            by_state = dict.fromkeys(STATES, 0)
            for job in self._jobs.values():
                by_state[job.state] = by_state.get(job.state, 0) + 1
            expired = sum(1 for job in self._history if job.expired)
            return {"jobs": by_state, "created": len(self._history), "expired": expired}

    def history(self) -> list[dict[str, Any]]:
        """Every job ever created, oldest first (expired ones flagged)."""
        with self._cond:
            self._purge()
            return [job.summary() for job in self._history]

    def close(self, timeout: float = 5.0) -> None:
        """Stop the workers (a running job is abandoned); later submits raise RuntimeError."""
        with self._cond:
            self._closed = True
            self._stop.set()
            self._cond.notify_all()
            threads = list(self._threads)
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout)

    # -- internals (call with the lock held) ------------------------------------------------

    def _snapshot(self, job: Job) -> Job:
        snap = copy.copy(job)
        snap.work = None
        snap.files = list(job.files)
        snap.queue_position = self._pending.index(job) if job.state == IN_QUEUE else None
        return snap

    def _finish(self, job: Job) -> None:
        job.finished_at = time.time()
        self._finished.append((time.monotonic() + self._ttl, job.request_id))
        self._cond.notify_all()

    def _purge(self) -> None:
        now = time.monotonic()
        while self._finished and self._finished[0][0] <= now:
            _, request_id = self._finished.popleft()
            job = self._jobs.pop(request_id, None)
            if job is not None:
                job.expired = True
                for name in job.files:
                    self._remove_file(name)

    def _ensure_workers(self) -> None:
        while len(self._threads) < self._workers:
            thread = threading.Thread(
                target=self._run, name=f"sandbox-worker-{len(self._threads)}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    # -- the workers ----------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                job = self._pending.popleft()
                job.state = IN_PROGRESS
                job.started_at = time.time()
                work, job.work = job.work, None
            if self._stop.wait(job.duration):
                return
            self._complete(job, work)

    def _complete(self, job: Job, work: Callable[[], bytes] | None) -> None:
        error: dict[str, Any] | None = None
        name: str | None = None
        if job.fail:
            error = {
                "error_code": INJECTED_JOB_FAILURE,
                "message": "local sandbox: this job failed on purpose (fail_rate)",
            }
        else:
            try:
                if work is None:
                    raise RuntimeError("the job has nothing to render")
                name = self._store_result(work(), self._ttl)
            except Exception as exc:
                error = {
                    "error_code": INTERNAL,
                    "message": f"local sandbox: image processing failed: {exc}",
                }
        with self._cond:
            if name is not None:
                job.files.append(name)
            job.state = COMPLETED if error is None else FAILED
            job.error = error
            self._finish(job)
