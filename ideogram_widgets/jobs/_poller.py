"""The life of a job in this process: record, submit once, poll adaptively, download at once.

Runs as one asyncio task per job on the loop the job belongs to (the kernel's). Everything slow or blocking
(building payloads, hashing and writing files, decoding images) runs on the jobs' own threads; the
task only sets the Job's traits. Every failure ends up on the Job (``error`` + ``exception``), never in a
traceback nobody sees. Transient trouble (network, 5xx, 429) is retried with growing waits (the
service's ``Retry-After`` honoured) and shown in ``job.warning``, until ``max_wait`` — which bounds the
whole job, downloads included. The poller's bookkeeping is a :class:`~._follow.Follow` of its own.

Example (what :func:`ideogram_widgets.submit` does)::

    follow = Follow(loop, base_url=client.base_url, label=client.label)
    job = Job(follow=follow, job_id=journal.new_id(), model_id=inp.model_id, params=inp.settings())
    spawn(run_job(job, follow, manager, inp), loop=follow.loop, name="job")
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from ..api import (
    APIError,
    AuthenticationError,
    EditInput,
    InsufficientBalanceError,
    JobResult,
    JobStatus,
    NotFoundError,
    PermissionDeniedError,
    ReframeInput,
    UnknownModelError,
)
from ._collect import download
from ._errors import JournalError, PollingStoppedError, describe, error_from_record
from ._follow import Follow
from ._history import record_of
from ._job import Job
from ._owner import Owner
from ._rows import instant
from ._runtime import run_io
from ._saving import Superseded, save
from ._schedule import Track
from ._submission import submit

if TYPE_CHECKING:
    from ._manager import JobManager

__all__ = ["JournalError", "cancel_job", "run_job"]

log = logging.getLogger("ideogram_widgets.jobs")

# Answers after which polling again cannot help until the user changes something.
_FATAL = (AuthenticationError, PermissionDeniedError, InsufficientBalanceError, UnknownModelError)


async def run_job(
    job: Job, follow: Follow, manager: JobManager, inp: EditInput | ReframeInput | None = None
) -> None:
    """Submit (when ``inp`` is given), follow and download one job; every outcome lands on the Job."""
    follow.deadline = time.monotonic() + manager.max_wait
    try:
        if inp is not None and not await submit(job, follow, manager, inp):
            return
        if follow.stop_reason:
            job.mark_stopped()
            await _let_go(job, follow, manager)
            return
        if follow.needs_download:
            answer: JobResult | None = await _final_answer(job, follow, manager)
        else:
            answer = await _follow(job, follow, manager)
        if answer is not None:
            await _collect(job, follow, manager, answer)
    except Superseded as superseded:
        _adopt(job, follow, manager, superseded.entry)
    except asyncio.CancelledError:
        job.mark_stopped()
        raise
    except Exception as exc:  # an unexpected failure: show it on the job rather than lose it
        log.exception("job %s failed unexpectedly", job.job_id)
        job.finish(settle=False, exc=exc)
        try:
            await save(job, follow, manager)
        except Superseded as superseded:
            _adopt(job, follow, manager, superseded.entry)
    finally:
        if job.state == "stopped" and not follow.submitting:
            await asyncio.shield(_let_go(job, follow, manager))
        job.settle()  # waiters wake once the journal has the final word


async def _let_go(job: Job, follow: Follow, manager: JobManager) -> None:
    """No longer followed here: let any process's resume() take the job at once."""
    try:
        await run_io(manager.journal.release, job.job_id, follow.owner)
    except Exception as exc:  # the lease then simply runs out
        log.debug("could not release job %s: %s", job.job_id, exc)


def _adopt(job: Job, follow: Follow, manager: JobManager, entry: dict[str, Any] | None) -> None:
    """The journal has the last word (another process finished or took the job): show it, stop here."""
    record = record_of(entry, manager.journal) if entry else None
    output = record.output() if record is not None and record.state == "completed" else None
    if output is not None:
        job.finish(settle=False, state="completed", output=output)
    elif record is not None and record.finished:
        job.finish(
            settle=False, state=record.state, exc=error_from_record(record.error_record or record.state)
        )
    else:
        holder = Owner.from_record(entry.get("owner")) if entry else None
        who = holder.describe() if holder is not None and holder != follow.owner else "another process"
        follow.stop_reason = f"{who} follows this job now"
        job.finish(settle=False, state="stopped", exc=PollingStoppedError(job.request_id, follow.stop_reason))


async def _follow(job: Job, follow: Follow, manager: JobManager) -> JobResult | None:
    """Poll until the service says the job is over; return its final answer (None if ended otherwise)."""
    policy = manager.policy
    track, follow.track = follow.track, None
    kind = manager.kind(job)
    if track is not None:  # just submitted: the first poll comes min_interval later
        await job.sleep(policy.next_delay(track, time.monotonic(), manager.durations.estimate(kind)))
    else:  # attached after a restart: ask at once
        track = Track.start(time.monotonic(), submitted=False, state=job.state)
    deadline = _deadline(follow, manager)
    while True:
        aimed = track.aimed
        if not aimed:
            await manager.pace(job)  # background polls share a budget; a poll aimed at the end does not wait
        sent = time.monotonic()
        # aimed at the learned end, ask for the result itself: it answers the current state while the job
        # runs, and the output at once when it is done (one request and one round trip fewer than
        # status-then-result)
        try:
            answer, track.errors = await _ask(job, follow, manager, aimed, track.errors, deadline)
        except _Ended:
            return None
        if answer is None:
            continue
        received = time.monotonic()
        previous = job.state
        state = answer.state
        position = answer.queue_position if isinstance(answer, JobStatus) and state == "in_queue" else None
        track.observe(state, sent, received, position)
        if state != previous or position != job.queue_position or (job.warning and follow.unsaved is None):
            job.apply(state=state, queue_position=position, **({} if follow.unsaved else {"warning": ""}))
        job.tick()
        if state != previous or follow.unsaved is not None:
            await save(job, follow, manager, durable=False)
        if answer.is_terminal:
            final = answer if isinstance(answer, JobResult) else await _final_answer(job, follow, manager)
            if final is None:
                return None
            if final.is_terminal:
                if final.state == "completed":
                    _learn(manager, kind, track, received, final)
                return final
        if time.monotonic() > deadline:
            _stop_following(job, follow, manager)
            return None
        await job.sleep(policy.next_delay(track, time.monotonic(), manager.durations.estimate(kind)))


async def _poll_ended(job: Job, follow: Follow, manager: JobManager, exc: APIError) -> None:
    """A poll answered something that ends following here: the request is unknown or expired, or the
    token/account was refused (then the job is ``stopped``, and the journal keeps the last state seen so
    resume() can try again later)."""
    if isinstance(exc, NotFoundError):
        await _end(job, follow, manager, "expired", exc)
        return
    job.finish(state="stopped", settle=False, exc=exc)
    await save(job, follow, manager)


def _stop_following(job: Job, follow: Follow, manager: JobManager) -> None:
    """Past ``max_wait``: stop here; the job goes on at the service and ``resume()`` can pick it up."""
    follow.stop_reason = f"stopped following after {manager.max_wait:g} s"
    job.mark_stopped()


def _learn(manager: JobManager, kind: Hashable, track: Track, seen_done: float, answer: JobResult) -> None:
    run_time = track.run_time(seen_done, _server_total(answer))
    if run_time is not None:
        manager.durations.add(kind, run_time)


def _server_total(answer: JobResult) -> float | None:
    """``finished_at - created_at`` as the service reported them (None when it did not, or not sanely)."""
    created, finished = instant(answer.created_at), instant(answer.finished_at)
    if created is None or finished is None:
        return None
    total = finished - created
    return total if 0 < total < 86_400 else None


async def _final_answer(job: Job, follow: Follow, manager: JobManager) -> JobResult | None:
    """The result answer (retried through transient trouble until the deadline); None when the job ended
    otherwise."""
    deadline, errors = _deadline(follow, manager), 0
    try:
        while True:
            answer, errors = await _ask(job, follow, manager, True, errors, deadline)
            if isinstance(answer, JobResult):
                return answer
    except _Ended:
        return None


class _Ended(Exception):  # noqa: N818 (control flow inside the poller, never shown to users)
    """Following ends here: the job's outcome is on it already."""


def _deadline(follow: Follow, manager: JobManager) -> float:
    return follow.deadline if follow.deadline is not None else time.monotonic() + manager.max_wait


async def _ask(
    job: Job, follow: Follow, manager: JobManager, result: bool, errors: int, deadline: float
) -> tuple[JobStatus | JobResult | None, int]:
    """One status (or, with ``result``, result) request, in one of the client's slots: ``(answer, 0)``;
    after transient trouble ``(None, errors + 1)`` once the backoff wait is over. Raises :class:`_Ended`
    when following ends here: the request is unknown or refused, or the deadline passed while the
    service kept failing (it is not followed forever)."""
    try:
        async with manager.slots:
            client = manager.client
            return await (client.result if result else client.status)(job.request_id), 0
    except (NotFoundError, *_FATAL) as exc:
        await _poll_ended(job, follow, manager, exc)
        raise _Ended from None
    except APIError as exc:
        job.apply(warning=f"{describe(exc)} — retrying")
        if time.monotonic() > deadline:
            _stop_following(job, follow, manager)
            raise _Ended from None
        await job.sleep(manager.policy.error_wait(errors + 1, getattr(exc, "retry_after", None)))
        return None, errors + 1


async def _collect(job: Job, follow: Follow, manager: JobManager, answer: JobResult) -> None:
    try:
        manager.client.finished(answer)
    except APIError as exc:
        state = answer.state if answer.state in ("failed", "cancelled") else "failed"
        await _end(job, follow, manager, state, exc)
        return
    if job.state != "completed" or job.urls != list(answer.image_urls):
        job.apply(state="completed", queue_position=None, urls=list(answer.image_urls))
        await save(job, follow, manager, durable=False)
    await download(job, follow, manager, answer.image_urls)


async def _end(job: Job, follow: Follow, manager: JobManager, state: str, exc: BaseException) -> None:
    job.finish(settle=False, state=state, exc=exc)
    await save(job, follow, manager)


async def cancel_job(job: Job, follow: Follow, manager: JobManager) -> bool:
    """Ask the service to cancel ``job``; True only when it confirmed. Sets ``job.cancel_outcome``."""
    if job.done:
        return False
    if not job.request_id:
        await follow.submitted.wait()
    if not job.request_id or job.done:
        return False
    job.apply(cancel_outcome="requested")
    try:
        async with manager.slots:
            outcome = await manager.client.cancel(job.request_id)
    except APIError as exc:
        job.apply(cancel_outcome="unconfirmed", warning=f"the cancel was not confirmed: {describe(exc)}")
        return False
    if outcome.cancelled:
        job.apply(cancel_outcome="cancelled")
    elif outcome.outcome == "not_cancellable":
        job.apply(cancel_outcome="not_cancellable")
    else:
        job.apply(cancel_outcome="unconfirmed")
    job.poll_soon()
    return outcome.cancelled
