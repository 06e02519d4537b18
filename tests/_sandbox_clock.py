"""Run an in-process sandbox's jobs by a :class:`~tests._timing.FakeClock` the test moves.

A sandbox built with ``SandboxConfig(clock=clock)`` keeps every job running (or queued behind it) until the
test decides it is done: :func:`finish` waits until the job shows ``in_progress`` in the sandbox (the worker
sets its start from the clock when it picks it up), moves the clock to the job's end (exactly: the job ran
its own duration by the sandbox's clock), pokes the workers and waits until the job has finished there.
:func:`finish_blocking` is the same for a test without a running loop.

Example::

    clock = FakeClock()
    client, app = inproc(SandboxConfig(clock=clock))
    job = JobManager(client).submit(edit())
    await finish(app, clock, job)
    await job
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from starlette.applications import Starlette

from ideogram_widgets.sandbox._job import FINISHED
from ideogram_widgets.sandbox._job import Job as SandboxJob
from ideogram_widgets.sandbox._jobqueue import JobQueue
from tests._timing import FakeClock, wait_until, wait_until_async

__all__ = ["finish", "finish_blocking", "running", "running_in"]


class _HasRequestId(Protocol):
    @property
    def request_id(self) -> str: ...


Which = str | _HasRequestId
"""A request id, or something with one (a jobs-layer Job, read each time: it may not be submitted yet)."""


Where = Starlette | JobQueue
"""An in-process sandbox app, or the queue itself (``serve_in_thread(...).sandbox.queue``)."""


def _queue(where: Where) -> JobQueue:
    queue = where if isinstance(where, JobQueue) else where.state.sandbox.queue
    assert isinstance(queue, JobQueue)
    return queue


def _request_id(which: Which) -> str:
    return which if isinstance(which, str) else which.request_id


def running(app: Starlette, which: Which) -> SandboxJob | None:
    """The sandbox's snapshot of the job if it is ``in_progress`` in ``app``, else None."""
    return running_in(_queue(app), which)


def running_in(queue: JobQueue, which: Which) -> SandboxJob | None:
    """The sandbox's snapshot of the job if it is ``in_progress`` in ``queue`` (a worker started it: its
    ``due_at`` is set), else None."""
    request_id = _request_id(which)
    found = queue.get(request_id) if request_id else None
    return found if found is not None and found.state == "in_progress" else None


def _run_out(queue: JobQueue, clock: FakeClock, started: SandboxJob, ran: float | None) -> SandboxJob:
    assert started.due_at is not None, started
    assert started.started_at is not None, started
    end = started.due_at if ran is None else max(started.due_at, started.started_at + ran)
    clock.now = max(clock.now, end)
    queue.poke()
    finished = queue.wait_finished(started.request_id, 30.0)
    assert finished is not None, f"the sandbox no longer knows {started.request_id}"
    assert finished.state in FINISHED, f"{started.request_id} is still {finished.state} in the sandbox"
    return finished


def _what(which: Which) -> str:
    return f"{_request_id(which) or 'the job'} to run in the sandbox"


async def finish(where: Where, clock: FakeClock, which: Which, *, ran: float | None = None) -> SandboxJob:
    """Wait until the job runs in the sandbox (``where``: its app or its queue), move ``clock`` to its end
    (``ran`` seconds after its start, if given and later than its own duration) and wait until it finished
    there (on a thread: the workers are threads); return the sandbox's snapshot."""
    queue = _queue(where)
    started = await wait_until_async(lambda: running_in(queue, which), what=_what(which))
    assert started is not None  # what the wait returns is truthy
    return await asyncio.to_thread(_run_out, queue, clock, started, ran)


def finish_blocking(where: Where, clock: FakeClock, which: Which, *, ran: float | None = None) -> SandboxJob:
    """:func:`finish` for a test with no running loop (the jobs' own loop only runs in their ``wait()``)."""
    queue = _queue(where)
    started = wait_until(lambda: running_in(queue, which), interval=0.005, what=_what(which))
    assert started is not None  # what the wait returns is truthy
    return _run_out(queue, clock, started, ran)
