"""The sandbox's job queue: a FIFO served by daemon worker threads.

(Named ``jobqueue`` so it never shadows the standard library's ``queue``.)

Threads, not asyncio tasks, so the queue works the same under uvicorn and in-process through
``httpx.ASGITransport`` (which runs no lifespan events and may be driven from several event
loops over its life). Workers start lazily on the first submit; :meth:`JobQueue.close` stops
them. Every state change happens under one lock.

Jobs run by the ``clock`` (wall-clock seconds, injectable): a job is due ``duration`` seconds after
it started. With a ``store`` (:class:`~._state.JobStore`) every change is written to disk, and
:meth:`JobQueue.restore` takes back what a previous process left: jobs that came due while nobody
served them are rendered at once and dated when they came due, as a service that never stopped
would have. A test that moves its clock forward calls :meth:`JobQueue.poke` to wake the workers.

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
import heapq
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from ..api._wire import CANCELLED, COMPLETED, FAILED, IN_PROGRESS, IN_QUEUE  # the service's own names
from ._errors import INJECTED_JOB_FAILURE, INTERNAL
from ._job import FINISHED, STATES, Job
from ._state import JobStore, owner_alive

__all__ = [
    "CANCELLED",
    "COMPLETED",
    "FAILED",
    "FINISHED",
    "IN_PROGRESS",
    "IN_QUEUE",
    "STATES",
    "Job",
    "JobQueue",
]

Clock = Callable[[], float]


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
        *,
        store: JobStore | None = None,
        clock: Clock = time.time,
    ) -> None:
        self._workers = workers
        self._ttl = result_ttl
        self._store_result = store_result
        self._remove_file = remove_file
        self._store = store
        self._clock = clock
        self._cond = threading.Condition()
        self._pending: collections.deque[Job] = collections.deque()
        self._jobs: dict[str, Job] = {}
        self._history: list[Job] = []
        self._finished: list[tuple[float, str]] = []  # a heap of (expires_at, request_id)
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._closed = False
        self._seq = 0
        self._replay: Callable[[Job], Callable[[], bytes]] | None = None

    # -- requests ------------------------------------------------------------------------

    def submit(self, job: Job) -> None:
        """Queue ``job`` (starting the workers on first use). Raises RuntimeError once closed."""
        with self._cond:
            if self._closed:
                raise RuntimeError("the local sandbox's queue is closed")
            job.created_at = self._clock()
            self._seq += 1
            job.seq, job.pid = self._seq, os.getpid()
            self._jobs[job.request_id] = job
            self._history.append(job)
            self._pending.append(job)
            self._save(job)
            self._ensure_workers()
            self._cond.notify_all()  # all: a worker waiting for its job's due time must not take the call

    def restore(self, jobs: list[Job]) -> None:
        """Take back the jobs a previous process left (oldest first), as if it had never stopped.

        Finished ones are served until they expire (those already expired are forgotten). Unfinished ones
        are replayed on a virtual schedule of ``workers`` slots from their recorded times: a job that
        would have finished by now is rendered at once (``late``), one that would have started runs for
        what is left of its duration, and the rest wait in the queue, in their order. Unfinished jobs of
        another live process (a second kernel's sandbox on the same folder) are left to it."""
        now = self._clock()
        with self._cond:
            jobs = [j for j in jobs if j.state in FINISHED or not owner_alive(j.pid)]
            for job in jobs:
                if job.state not in FINISHED:
                    job.pid = os.getpid()
                    if job.work is None and self._replay is not None:
                        job.work = self._replay(job)
            slots = [
                j.started_at + j.duration for j in jobs if j.state == IN_PROGRESS and j.started_at is not None
            ]
            slots += [float("-inf")] * max(0, self._workers - len(slots))
            heapq.heapify(slots)
            started: list[Job] = []
            waiting: list[Job] = []
            jobs = sorted(jobs, key=lambda j: (j.created_at, j.seq))
            self._seq = max([self._seq, *(j.seq for j in jobs)])
            for job in jobs:
                if job.state in FINISHED:
                    expires = (job.finished_at or job.created_at) + self._ttl
                    if expires <= now:
                        self._forget(job)
                        continue
                    heapq.heappush(self._finished, (expires, job.request_id))
                elif job.state == IN_PROGRESS and job.started_at is not None:
                    job.due_at = job.started_at + job.duration
                    started.append(job)
                else:
                    begins = max(job.created_at, heapq.heappop(slots))
                    heapq.heappush(slots, begins + job.duration)
                    if begins <= now:
                        job.state, job.started_at, job.due_at = IN_PROGRESS, begins, begins + job.duration
                        started.append(job)
                    else:
                        job.state, job.started_at, job.due_at = IN_QUEUE, None, None
                        waiting.append(job)
                self._jobs[job.request_id] = job
                self._history.append(job)
            started.sort(key=lambda j: float(j.due_at or 0.0))
            for job in started:
                job.late = (job.due_at or 0.0) <= now
                self._save(job)
            # started jobs first (they hold their slots), then the queue in its order
            self._pending.extend(started + waiting)
            if self._pending:
                self._ensure_workers()
                self._cond.notify_all()

    def set_replay(self, replay: Callable[[Job], Callable[[], bytes]]) -> None:
        """How to render a job taken back from the store (its ``work`` did not survive the process)."""
        self._replay = replay

    def poke(self) -> None:
        """Wake the workers to look at the clock again (after a test moved its clock forward)."""
        with self._cond:
            self._cond.notify_all()

    def get(self, request_id: str) -> Job | None:
        """A snapshot of the job (with ``queue_position`` while queued), None if unknown/expired."""
        with self._cond:
            self._purge()
            job = self._find(request_id)
            return None if job is None else self._snapshot(job)

    def cancel(self, request_id: str) -> tuple[Job, bool] | None:
        """Cancel a queued job atomically: ``(snapshot, cancelled?)``; None if unknown/expired."""
        with self._cond:
            self._purge()
            job = self._find(request_id)
            if job is None:
                return None
            done = job.state == IN_QUEUE and job in self._pending
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

    def _find(self, request_id: str) -> Job | None:
        """A job of this queue; else one a store shared with other processes holds: taken over when it
        is finished or its process is gone, else (another live sandbox runs it) shown as it recorded it."""
        job = self._jobs.get(request_id)
        if job is not None or self._store is None:
            return job
        record = self._store.record(request_id)
        try:
            found = Job.from_record(record) if record is not None else None
        except (TypeError, ValueError):
            return None
        if found is None or (found.state not in FINISHED and owner_alive(found.pid)):
            return found  # another process's job: a view of its last record, not ours to run
        self.restore([found])
        return self._jobs.get(request_id)

    def _snapshot(self, job: Job) -> Job:
        snap = copy.copy(job)
        snap.work = None
        snap.files = list(job.files)
        snap.queue_position = self._position(job) if job.state == IN_QUEUE else None
        return snap

    def _position(self, job: Job) -> int | None:
        """How many queued jobs are ahead (restored jobs that already started wait for a worker in the
        same deque, but they are running by the clock: they do not count)."""
        ahead = 0
        for other in self._pending:
            if other is job:
                return ahead
            ahead += other.state == IN_QUEUE
        return None

    def _save(self, job: Job) -> None:
        if self._store is not None:
            self._store.save(job.record())

    def _finish(self, job: Job) -> None:
        if job.finished_at is None:
            job.finished_at = self._clock()
        heapq.heappush(self._finished, (job.finished_at + self._ttl, job.request_id))
        self._save(job)
        if self._store is not None:
            self._store.drop_input(job.request_id)
        self._cond.notify_all()

    def _forget(self, job: Job) -> None:
        job.expired = True
        for name in job.files:
            self._remove_file(name)
        if self._store is not None:
            self._store.remove(job.request_id)

    def _purge(self) -> None:
        now = self._clock()
        while self._finished and self._finished[0][0] <= now:
            _, request_id = heapq.heappop(self._finished)
            job = self._jobs.pop(request_id, None)
            if job is not None:
                self._forget(job)

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
                if job.started_at is None:
                    job.started_at = self._clock()
                    job.due_at = job.started_at + job.duration
                    self._save(job)
                job.due_at = job.started_at + job.duration
                work, job.work = job.work, None
                # runs by the clock: wait until the job is due (woken early by close() or poke())
                while not self._closed and (left := job.due_at - self._clock()) > 0:
                    self._cond.wait(left)
                if self._closed:
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
            if job.late and job.due_at is not None:
                job.finished_at = job.due_at  # it would have been done then, had anyone served it
            self._finish(job)
