"""Submitting once, and knowing afterwards whether the submit can have left the machine.

Before the request is handed to the transport the entry is recorded as ``sending`` (with the inputs
kept); the moment the connection is about to write the request's body (:mod:`._wiretap`) it becomes
``leaving`` (flushed to the disk), then ``sent`` (not flushed: microseconds). Each is recorded before the
next step may happen. So a process killed at any instant leaves an entry that says either "certainly not
sent" (``sending``; or ``leaving`` on the same boot of the machine: killed during the flush, before the
body) or "may have reached the service" (``sent``; or ``leaving`` after a reboot, when unflushed writes
may have been lost).

Example (what the poller does for a new job)::

    accepted = await submit(job, follow, manager, inp)
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from PIL import Image

from ..api import AsyncClient, EditInput, ReframeInput
from ._errors import JournalError, StorageError
from ._follow import Follow
from ._job import Job
from ._journal import Journal
from ._records import entry_of
from ._runtime import run_io
from ._saving import save
from ._schedule import Track
from ._wiretap import on_the_wire

if TYPE_CHECKING:
    from ._manager import JobManager

__all__ = ["submit"]


async def submit(job: Job, follow: Follow, manager: JobManager, inp: EditInput | ReframeInput) -> bool:
    """Record, send once, record the answer; False when the job ended (its error is on the Job)."""
    journal, client = manager.journal, manager.client
    follow.submitting = True
    try:
        try:
            # one trip to the I/O threads: keep the inputs, build the payload, record the job
            inputs, payload = await run_io(_prepare, journal, inp, job, follow, client)
        except (StorageError, OSError) as exc:
            reason = exc.reason if isinstance(exc, StorageError) else str(exc)
            where = exc.path if isinstance(exc, StorageError) else journal.home
            job.finish(settle=False, state="failed", exc=JournalError(where, f"{reason}; nothing was sent"))
            return False
        except Exception as exc:  # the payload cannot be built (InputError): recorded, nothing sent
            job.finish(settle=False, state="failed", exc=exc)
            await save(job, follow, manager)
            return False
        job.apply(inputs=inputs)
        if (
            isinstance(inp, EditInput)
            and isinstance(inp.image, Image.Image)
            and not isinstance(inp.mask, str)
        ):
            follow.original, follow.mask = inp.image, inp.mask_array
        try:

            async def on_sent() -> None:
                # flushed first (a power cut must not forget that the body may have left), then
                # marked once more without a flush: killed during that flush, the entry says
                # "leaving", and on the same boot (the page cache intact) that means "never left"
                follow.submit_stage = "leaving"
                await save(job, follow, manager, strict=True)
                follow.submit_stage = "sent"
                await save(job, follow, manager, strict=True, durable=False)

            async with manager.submit_slots:
                sent = time.monotonic()
                with on_the_wire(client, on_sent) as wire:
                    if not wire.hooked:
                        await wire.fire()
                    submission = await client.submit(inp.model_id, payload)
        except Exception as exc:  # SubmitUncertainError, refusals, JournalError: typed, never resent
            if follow.submit_stage in ("sending", "leaving"):
                follow.submit_stage = ""  # certainly not sent: the entry says so
            job.finish(settle=False, state="failed", exc=exc)
            await save(job, follow, manager)
            return False
        follow.track = Track.start(sent, answered=time.monotonic())
        follow.submit_stage = ""
        accepted: dict[str, Any] = {
            "request_id": submission.request_id,
            "submitted_at": time.time(),
            "state": "submitted",
        }
        # recorded before anyone can see (and rely on) the id; unflushed: a power cut that loses it leaves
        # ``sent`` (flushed), i.e. "may have reached the service" — less helpful, never wrong
        await save(job, follow, manager, durable=False, **accepted)
        job.apply(**accepted)
        return True
    finally:
        follow.submitting = False
        follow.submitted.set()


def _prepare(
    journal: Journal, inp: EditInput | ReframeInput, job: Job, follow: Follow, client: AsyncClient
) -> tuple[dict[str, Any], dict[str, Any]]:
    inputs = _store_inputs(journal, inp)
    payload = inp.to_payload(polarity=client.mask_polarity, uploader=client.uploader)
    follow.submit_stage = "sending"
    entry = {**entry_of(job, follow), "inputs": inputs}
    # Recorded before the transport has the request. No flush needed: until ``sent`` (flushed) is
    # recorded the body cannot leave, so a power cut that loses this write loses nothing sent.
    if not journal.write(entry, owner=follow.owner, durable=False):
        raise JournalError(journal.home, "the journal already holds this job; nothing was sent")
    return inputs, payload


def _store_inputs(journal: Journal, inp: EditInput | ReframeInput) -> dict[str, Any]:
    refs: dict[str, Any] = {}
    image = inp.image
    refs["image"] = journal.store_image(image) if isinstance(image, Image.Image) else {"url": str(image)}
    if isinstance(inp, EditInput):
        mask = inp.mask
        refs["mask"] = {"url": mask} if isinstance(mask, str) else journal.store_mask(inp.mask_array)  # type: ignore[arg-type]
    return refs
