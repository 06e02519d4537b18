"""Bringing a completed job home: download every file at once (URLs expire), keep it, make the composite.

Downloads are bounded by the job's deadline (``max_wait`` covers them too). The files go into the
journal's cache; for an edit the composite (the output put back into the full-size original inside the
mask, :func:`~ideogram_widgets.api._composite.put_back`, on a thread) is kept next to them. The original
and mask come from memory for a job submitted here, from the journal's copies for a resumed one. When
the disk refuses, the bytes and images stay in memory, the Output says ``stored=False`` and the job shows
a typed warning: nothing downloaded is thrown away.

Example (what the poller does once the service says completed)::

    await download(job, follow, manager, answer.image_urls)
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from ..api import APIError, NotFoundError
from ..api._composite import put_back
from ..api._png import encode_png
from ._errors import PollingStoppedError, StorageError, error_record
from ._follow import Follow
from ._job import Job, Output
from ._journal import Journal
from ._output import read_images
from ._runtime import run_io
from ._saving import save

if TYPE_CHECKING:
    from ._manager import JobManager

__all__ = ["download"]

log = logging.getLogger("ideogram_widgets.jobs")


async def download(job: Job, follow: Follow, manager: JobManager, urls: tuple[str, ...]) -> None:
    """Download, keep and show the result files of a completed job; every outcome lands on the Job."""
    client, journal = manager.client, manager.journal
    remaining = None if follow.deadline is None else follow.deadline - time.monotonic()
    try:
        files = await asyncio.wait_for(_fetch_all(job, manager, urls), remaining)
    except asyncio.TimeoutError:
        follow.stop_reason = f"stopped following after {manager.max_wait:g} s (the download had not finished)"
        job.finish(settle=False, state="stopped", exc=PollingStoppedError(job.request_id, follow.stop_reason))
        await save(job, follow, manager)
        return
    except NotFoundError as exc:  # the file is gone for good (result URLs expire)
        follow.download_error = error_record(exc)
        job.finish(settle=False, state="expired", exc=exc)
        await save(job, follow, manager)
        return
    except APIError as exc:
        follow.download_error = error_record(exc)
        # completed on the service; resume() retries the download
        job.finish(settle=False, state="completed", exc=exc)
        await save(job, follow, manager)
        return
    del client
    edit = await _edit_sources(job, follow, journal)
    kept = await run_io(_keep, journal, files, follow.keep_images, edit)
    follow.needs_download = False
    follow.file_refs, follow.composite_refs = kept.refs, kept.composite_refs
    follow.downloaded = kept.stored
    output = Output(
        job.request_id,
        job.model_id,
        tuple(journal.path(str(r["path"])) for r in kept.refs) if kept.stored else (),
        tuple(urls),
        kept.images,
        composite_paths=tuple(journal.path(str(r["path"])) for r in kept.composite_refs),
        composites_kept=kept.composites,
        data=None if kept.stored else tuple(files),
        stored=kept.stored,
    )
    job.finish(settle=False, state="completed", output=output)
    await save(job, follow, manager)
    if kept.error is not None:  # said last, so no later message hides it
        job.apply(
            storage_error=kept.error,
            warning=f"the result could not be kept on disk ({kept.error.reason}); it is held in memory "
            "only: save it with job.result.save(path)",
        )


async def _fetch_all(job: Job, manager: JobManager, urls: tuple[str, ...]) -> list[bytes]:
    files = []
    for url in urls:
        async with manager.slots:
            files.append(await manager.client.download(url, request_id=job.request_id))
    return files


async def _edit_sources(
    job: Job, follow: Follow, journal: Journal
) -> tuple[Image.Image, npt.NDArray[np.bool_]] | None:
    """The edit's original and mask (None for a reframe, or when they are not known here)."""
    if not job.model_id.endswith("/edit"):
        return None
    if follow.original is not None and follow.mask is not None:
        return follow.original, follow.mask
    image, mask = job.inputs.get("image"), job.inputs.get("mask")
    if not (isinstance(image, dict) and isinstance(mask, dict) and image.get("path") and mask.get("path")):
        return None
    try:
        return await run_io(_load_sources, journal, str(image["path"]), str(mask["path"]))
    except (OSError, ValueError) as exc:
        log.warning("job %s: its stored original or mask cannot be read: %s", job.job_id, exc)
        return None


def _load_sources(journal: Journal, image: str, mask: str) -> tuple[Image.Image, npt.NDArray[np.bool_]]:
    original, edit = read_images([journal.path(image), journal.path(mask)])
    return original, np.asarray(edit.convert("L")) > 127


class _Kept:
    def __init__(self) -> None:
        self.refs: list[dict[str, Any]] = []
        self.composite_refs: list[dict[str, Any]] = []
        self.images: tuple[Image.Image, ...] | None = None
        self.composites: tuple[Image.Image, ...] | None = None
        self.stored = True
        self.error: StorageError | None = None


def _keep(
    journal: Journal,
    files: list[bytes],
    keep_images: bool,
    edit: tuple[Image.Image, npt.NDArray[np.bool_]] | None,
) -> _Kept:
    kept = _Kept()
    try:
        kept.refs = [journal.store_result(data) for data in files]
    except StorageError as exc:
        kept.stored, kept.error, kept.refs = False, exc, []
    images = read_images(files) if (keep_images or not kept.stored or edit) else []
    if keep_images or not kept.stored:
        kept.images = tuple(images)
    if edit is not None:
        composites = []
        for output in images:
            try:
                composites.append(put_back(edit[0], edit[1], output))
            except (ValueError, OSError) as exc:  # an unusable original: the output alone is shown
                log.warning("could not build the composite: %s", exc)
        try:
            # rebuildable from the original, the mask and the output: not flushed
            kept.composite_refs = [journal.store_result(encode_png(c), durable=False) for c in composites]
        except StorageError as exc:
            kept.composite_refs, kept.error = [], kept.error or exc
        if keep_images or not kept.composite_refs:
            kept.composites = tuple(composites)
    return kept
