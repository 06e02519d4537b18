"""The poller's own bookkeeping for one job it follows: typed, passed along, never hung on the Job.

A :class:`~._job.Job` is what users see (traits, ``await``, ``cancel()``, ``stop()``); a :class:`Follow`
is what this process needs to follow it: which backend, who owns it, what the journal still has to
record, the task, the deadline. The Job holds one to answer ``stop()`` and ``cancel()``; everything else
reads it here, not through the Job's private attributes.

Example:
    >>> import asyncio
    >>> loop = asyncio.new_event_loop()
    >>> follow = Follow(loop, base_url="http://127.0.0.1:8123/v1", label="sandbox")
    >>> follow.last_state, follow.downloaded, follow.unsaved is None
    ('submitting', False, True)
    >>> loop.close()
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from ._errors import StorageError
from ._owner import Owner
from ._schedule import Track

__all__ = ["Follow"]


@dataclass(eq=False)
class Follow:
    """What this process knows and needs about one job it follows."""

    loop: asyncio.AbstractEventLoop
    base_url: str = ""
    label: str = ""
    owner: Owner = field(default_factory=Owner.current)
    keep_images: bool = True
    needs_download: bool = False
    """Completed on the service but not downloaded yet (found so by ``resume()``)."""
    last_state: str = "submitting"
    """The last state the service gave (what the journal keeps while the Job shows ``stopped``)."""
    submit_stage: str = ""
    """``sending`` (about to be handed to the transport), ``leaving`` (the body is about to be written,
    flushed), ``sent`` (the body is being written): see :mod:`._submission`."""
    file_refs: list[dict[str, Any]] = field(default_factory=list)
    composite_refs: list[dict[str, Any]] = field(default_factory=list)
    downloaded: bool = False
    download_error: dict[str, Any] | None = None
    track: Track | None = None
    submitting: bool = False
    stop_reason: str | None = None
    deadline: float | None = None
    """``time.monotonic()`` past which this process stops following (``max_wait``, downloads included)."""
    original: Image.Image | None = None
    mask: npt.NDArray[np.bool_] | None = None
    """The edit's upright full-size original and mask (True = edit), for the composite."""
    unsaved: StorageError | None = None
    """Why the last journal write failed; every later change writes the whole entry again."""
    task: asyncio.Task[Any] | None = None
    canceller: Callable[[], Coroutine[Any, Any, bool]] | None = None
    submitted: asyncio.Event = field(default_factory=asyncio.Event)
    journal_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
