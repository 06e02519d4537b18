"""The life of a job in this process: record, submit once, poll adaptively, download at once.

Runs as one asyncio task per job on the loop the job belongs to (the kernel's). Everything slow or blocking
(building payloads, hashing and writing files, decoding images) runs on the jobs' own threads; the
task only sets the Job's traits. Every failure ends up on the Job (``error`` + ``exception``), never in a
traceback nobody sees. Transient trouble (network, 5xx, 429) is retried forever with growing waits (the
service's ``Retry-After`` honoured) and shown in ``job.warning``: a paid job is never abandoned because the
Wi-Fi dropped.

Example (what :func:`ideogram_widgets.submit` does)::

    job = Job(job_id=journal.new_id(), model_id=inp.model_id, params=inp.settings())
    spawn(run_job(job, manager, inp), loop=job._loop, name="job")
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import Hashable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from PIL import Image

from ..api.client import AsyncClient
from ..api.errors import (
    APIError,
    AuthenticationError,
    IdeogramWidgetsError,
    InsufficientBalanceError,
    NotFoundError,
    PermissionDeniedError,
    UnknownModelError,
)
from ..api.inputs import EditInput, ReframeInput
from ..api.wire import JobResult, JobStatus
from .errors import describe, error_record
from .job import Job, Output
from .journal import Journal
from .records import entry_of
from .runtime import run_io
from .schedule import Track

if TYPE_CHECKING:
    from .manager import JobManager

__all__ = ["JournalError", "cancel_job", "run_job", "save"]

log = logging.getLogger("ideogram_widgets.jobs")

# Answers after which polling again cannot help until the user changes something.
_FATAL = (AuthenticationError, PermissionDeniedError, InsufficientBalanceError, UnknownModelError)


class JournalError(IdeogramWidgetsError, OSError):
    """The journal could not be written before a submit, so nothing was sent."""


async def save(
    job: Job, manager: JobManager, *, strict: bool = False, durable: bool = True, **ahead: Any
) -> None:
    """Write the job's entry (off the loop; one write at a time per job, the newest state last).

    ``strict``: raise JournalError when it cannot be written; ``durable=False``: no fsync (intermediate
    states the next poll would restore anyway); ``ahead``: fields to record before the Job shows them."""
    if job._journal_lock is None:
        job._journal_lock = asyncio.Lock()
    async with job._journal_lock:
        entry = {**entry_of(job), **ahead}
        try:
            await run_io(manager.journal.write, entry, durable=durable)
        except OSError as exc:
            if strict:
                raise JournalError(
                    f"could not write the job journal in {manager.journal.home}: {exc}; nothing was sent"
                ) from exc
            log.warning("could not update the journal entry of %s: %s", job.job_id, exc)
            job.apply(warning=f"could not update the job journal: {exc}")


async def run_job(job: Job, manager: JobManager, inp: EditInput | ReframeInput | None = None) -> None:
    """Submit (when ``inp`` is given), follow and download one job; every outcome lands on the Job."""
    try:
        if inp is not None and not await _submit(job, manager, inp):
            return
        if job._stop_reason:
            job.mark_stopped()
            return
        if job._extra.get("needs_download"):
            answer: JobResult | None = await _final_answer(job, manager, time.monotonic() + manager.max_wait)
        else:
            answer = await _follow(job, manager)
        if answer is not None:
            await _collect(job, manager, answer)
    except asyncio.CancelledError:
        job.mark_stopped()
        raise
    except Exception as exc:  # an unexpected failure: show it on the job rather than lose it
        log.exception("job %s failed unexpectedly", job.job_id)
        job.finish(settle=False, exc=exc)
        await save(job, manager)
    finally:
        job.settle()  # waiters wake once the journal has the final word


async def _submit(job: Job, manager: JobManager, inp: EditInput | ReframeInput) -> bool:
    journal, client = manager.journal, manager.client
    job._submitting = True
    try:
        try:
            # one trip to the I/O threads: keep the inputs, record the job, then build the payload
            inputs, payload = await run_io(_prepare, journal, inp, entry_of(job), client)
        except OSError as exc:
            if not isinstance(exc, JournalError):
                exc = JournalError(
                    f"could not write the job journal in {journal.home}: {exc}; nothing was sent"
                )
            job.finish(settle=False, state="failed", exc=exc)
            return False
        except Exception as exc:  # the payload cannot be built (InputError): recorded, nothing sent
            job.finish(settle=False, state="failed", exc=exc)
            await save(job, manager)
            return False
        job.apply(inputs=inputs)
        try:
            async with manager.submit_slots:
                sent = time.monotonic()
                submission = await client.submit(inp.model_id, payload)
        except Exception as exc:  # SubmitUncertainError, refusals: typed, and never resent
            job.finish(settle=False, state="failed", exc=exc)
            await save(job, manager)
            return False
        job._extra["track"] = Track.start(sent, answered=time.monotonic())
        accepted: dict[str, Any] = {
            "request_id": submission.request_id,
            "submitted_at": time.time(),
            "state": "submitted",
        }
        await save(job, manager, **accepted)  # recorded before anyone can see (and rely on) the id
        job.apply(**accepted)
        return True
    finally:
        job._submitting = False
        job._submitted_event.set()


def _prepare(
    journal: Journal, inp: EditInput | ReframeInput, entry: dict[str, Any], client: AsyncClient
) -> tuple[dict[str, Any], dict[str, Any]]:
    inputs = _store_inputs(journal, inp)
    journal.write({**entry, "inputs": inputs})  # durable: it exists before anything is sent
    payload = inp.to_payload(polarity=client.mask_polarity, uploader=client.uploader)
    return inputs, payload


def _store_inputs(journal: Journal, inp: EditInput | ReframeInput) -> dict[str, Any]:
    refs: dict[str, Any] = {}
    image = inp.image
    refs["image"] = journal.store_image(image) if isinstance(image, Image.Image) else {"url": str(image)}
    if isinstance(inp, EditInput):
        mask = inp.mask
        refs["mask"] = {"url": mask} if isinstance(mask, str) else journal.store_mask(inp.mask_array)  # type: ignore[arg-type]
    return refs


async def _follow(job: Job, manager: JobManager) -> JobResult | None:
    """Poll until the service says the job is over; return its final answer (None if ended otherwise)."""
    client, policy = manager.client, manager.policy
    track = job._extra.pop("track", None)
    kind = manager.kind(job)
    if isinstance(track, Track):  # just submitted: the first poll comes min_interval later
        await job.sleep(policy.next_delay(track, time.monotonic(), manager.durations.estimate(kind)))
    else:  # attached after a restart: ask at once
        track = Track.start(time.monotonic(), submitted=False, state=job.state)
    deadline = time.monotonic() + manager.max_wait
    while True:
        aimed = track.aimed
        if not aimed:
            await manager.pace(job)  # background polls share a budget; a poll aimed at the end does not wait
        sent = time.monotonic()
        try:
            async with manager.slots:
                # aimed at the learned end, ask for the result itself: it answers the current state while
                # the job runs, and the output at once when it is done (one request and one round trip
                # fewer than status-then-result)
                answer = await (client.result if aimed else client.status)(job.request_id)
        except (NotFoundError, *_FATAL) as exc:
            await _poll_ended(job, manager, exc)
            return None
        except APIError as exc:
            track.errors += 1
            job.apply(warning=f"{describe(exc)} — retrying")
            if time.monotonic() > deadline:  # a service that keeps failing is not followed forever
                _stop_following(job, manager)
                return None
            await job.sleep(policy.error_wait(track.errors, getattr(exc, "retry_after", None)))
            continue
        received = time.monotonic()
        previous = job.state
        state = answer.state
        position = answer.queue_position if isinstance(answer, JobStatus) and state == "in_queue" else None
        track.observe(state, sent, received, position)
        if state != previous or position != job.queue_position or job.warning:
            job.apply(state=state, queue_position=position, warning="")
        job.tick()
        if state != previous:
            await save(job, manager, durable=False)
        if answer.is_terminal:
            final = answer if isinstance(answer, JobResult) else await _final_answer(job, manager, deadline)
            if final is None:
                return None
            if final.is_terminal:
                if final.state == "completed":
                    _learn(manager, kind, track, received, final)
                return final
        if time.monotonic() > deadline:
            _stop_following(job, manager)
            return None
        await job.sleep(policy.next_delay(track, time.monotonic(), manager.durations.estimate(kind)))


async def _poll_ended(job: Job, manager: JobManager, exc: APIError) -> None:
    """A poll answered something that ends following here: the request is unknown or expired, or the
    token/account was refused (then the job is ``stopped``, and the journal keeps the last state seen so
    resume() can try again later)."""
    if isinstance(exc, NotFoundError):
        await _end(job, manager, "expired", exc)
        return
    job.finish(state="stopped", settle=False, exc=exc)
    await save(job, manager)


def _stop_following(job: Job, manager: JobManager) -> None:
    """Past ``max_wait``: stop here; the job goes on at the service and ``resume()`` can pick it up."""
    job._stop_reason = f"stopped following after {manager.max_wait:g} s"
    job.mark_stopped()


def _learn(manager: JobManager, kind: Hashable, track: Track, seen_done: float, answer: JobResult) -> None:
    run_time = track.run_time(seen_done, _server_total(answer))
    if run_time is not None:
        manager.durations.add(kind, run_time)


def _server_total(answer: JobResult) -> float | None:
    """``finished_at - created_at`` as the service reported them (None when it did not, or not sanely)."""
    try:
        created = _instant(answer.created_at)
        finished = _instant(answer.finished_at)
    except ValueError:
        return None
    if created is None or finished is None:
        return None
    total = finished - created
    return total if 0 < total < 86_400 else None


def _instant(text: str | None) -> float | None:
    if not text:
        return None
    when = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


async def _final_answer(job: Job, manager: JobManager, deadline: float) -> JobResult | None:
    """The result answer (retried through transient trouble until ``deadline``); None when the job ended
    otherwise."""
    errors = 0
    while True:
        try:
            async with manager.slots:
                return await manager.client.result(job.request_id)
        except (NotFoundError, *_FATAL) as exc:
            await _poll_ended(job, manager, exc)
            return None
        except APIError as exc:
            errors += 1
            job.apply(warning=f"{describe(exc)} — retrying")
            if time.monotonic() > deadline:
                _stop_following(job, manager)
                return None
            await job.sleep(manager.policy.error_wait(errors, getattr(exc, "retry_after", None)))


async def _collect(job: Job, manager: JobManager, answer: JobResult) -> None:
    try:
        manager.client.finished(answer)
    except APIError as exc:
        state = answer.state if answer.state in ("failed", "cancelled") else "failed"
        await _end(job, manager, state, exc)
        return
    if job.state != "completed" or job.urls != list(answer.image_urls):
        job.apply(state="completed", queue_position=None, urls=list(answer.image_urls))
        await save(job, manager, durable=False)
    await _download(job, manager, answer.image_urls)


async def _download(job: Job, manager: JobManager, urls: tuple[str, ...]) -> None:
    client, journal = manager.client, manager.journal
    try:
        files = []
        for url in urls:
            async with manager.slots:
                files.append(await client.download(url, request_id=job.request_id))
    except NotFoundError as exc:  # the file is gone for good (result URLs expire)
        job._extra["download_error"] = error_record(exc)
        await _end(job, manager, "expired", exc)
        return
    except APIError as exc:
        job._extra["download_error"] = error_record(exc)
        # completed on the service; resume() retries the download
        job.finish(settle=False, state="completed", exc=exc)
        await save(job, manager)
        return
    keep = bool(job._extra.get("keep_images", True))
    refs, kept = await run_io(_keep_results, journal, files, keep)
    paths = tuple(journal.path(str(ref["path"])) for ref in refs)
    job._extra.update(file_refs=refs, downloaded=True)
    job._extra.pop("needs_download", None)
    output = Output(job.request_id, job.model_id, paths, tuple(urls), kept)
    job.finish(settle=False, state="completed", output=output)
    await save(job, manager)


def _keep_results(
    journal: Journal, files: list[bytes], keep_images: bool
) -> tuple[list[dict[str, Any]], tuple[Image.Image, ...] | None]:
    refs = [journal.store_result(data) for data in files]
    if not keep_images:
        return refs, None
    images = []
    for data in files:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            images.append(img)
    return refs, tuple(images)


async def _end(job: Job, manager: JobManager, state: str, exc: BaseException) -> None:
    job.finish(settle=False, state=state, exc=exc)
    await save(job, manager)


async def cancel_job(job: Job, manager: JobManager) -> bool:
    """Ask the service to cancel ``job``; True only when it confirmed. Sets ``job.cancel_outcome``."""
    if job.done:
        return False
    if not job.request_id:
        await job._submitted_event.wait()
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
