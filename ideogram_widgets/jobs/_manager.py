"""Submitting jobs: one shared HTTP client, one journal, one polling policy.

:func:`submit` is what a notebook user types; :class:`JobManager` is the same with explicit settings (a
client for another backend, a journal in another folder, a different polling policy).

Example (a notebook cell)::

    import ideogram_widgets as iw
    job = iw.submit(iw.EditInput(photo, mask, "a red door", rendering_speed="TURBO"))
    job                      # <Job edit 'a red door' in_progress request=… 1.2s>, updated in the background
    output = await job       # the result (or the typed error raised)

In a plain script ``submit`` returns once the service has answered and the journal has the request id,
and ``job.wait()`` blocks until the result is downloaded.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from ..api import AsyncClient, EditInput, ReframeInput
from ._errors import NoDefaultClientError
from ._follow import Follow
from ._job import Job
from ._journal import Journal
from ._leases import hold, let_go
from ._poller import cancel_job, run_job
from ._runtime import block_on, current_loop, register_stopper, running_loop, spawn, unregister_stopper
from ._schedule import DurationModel, PollPolicy

__all__ = [
    "DURATIONS",
    "JobManager",
    "NoDefaultClientError",
    "default_manager",
    "live_jobs",
    "set_default_client",
    "submit",
]

DURATIONS = DurationModel()
"""Run times learned in this process, shared by every manager (keyed by backend, model and speed)."""

_live: dict[str, tuple[Job, Follow]] = {}
_factory: Callable[[], AsyncClient] | None = None
_factory_lock = threading.Lock()
_paces: weakref.WeakKeyDictionary[AsyncClient, list[float]] = weakref.WeakKeyDictionary()
_slots: weakref.WeakKeyDictionary[AsyncClient, tuple[asyncio.Semaphore, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)
_defaults: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, JobManager] = weakref.WeakKeyDictionary()


def live_jobs() -> list[Job]:
    """The jobs this process follows right now."""
    return [job for job, _ in _live.values()]


def set_default_client(factory: Callable[[], AsyncClient]) -> None:
    """Install how a manager without an explicit client gets one (``ideogram_widgets`` installs its
    backend choice on import: the hosted service with a token, else the embedded sandbox).

    ``jobs`` never picks a backend itself. Example::

        from ideogram_widgets.jobs import set_default_client
        set_default_client(lambda: AsyncClient(base_url="http://127.0.0.1:8123/v1"))
    """
    global _factory
    if not callable(factory):
        raise TypeError(f"set_default_client() takes a callable returning an AsyncClient, not {factory!r}")
    with _factory_lock:
        _factory = factory


def default_client() -> AsyncClient:
    """A client from the installed factory (a clear error when none is installed)."""
    with _factory_lock:
        factory = _factory
    if factory is None:
        raise NoDefaultClientError(
            "no default client is installed: pass client=AsyncClient(...) or import ideogram_widgets "
            "(which installs its default backend with ideogram_widgets.jobs.set_default_client)"
        )
    client = factory()
    if not isinstance(client, AsyncClient):
        raise TypeError(f"the default client factory returned {type(client).__name__}, not an AsyncClient")
    return client


class JobManager:
    """Submits and follows jobs with one client, one journal and one polling policy.

    Args:
        client: the AsyncClient to use (shared by every job of this manager); default the installed
            default client (:func:`set_default_client`; the top-level package installs its backend
            choice: the hosted service with a token, else the sandbox).
        journal: a :class:`Journal` or its folder; default the user's data directory.
        policy: how to poll (:class:`PollPolicy`).
        keep_images: keep decoded result images in memory (``False`` reads them from disk on demand).
        max_wait: stop following a job after this many seconds, downloads included (it goes on on the
            service; ``resume()`` picks it up).
        max_requests: at most this many polls/results/downloads (and as many submits) in flight at
            once on the client (shared by every manager of that client): hundreds of jobs then reuse a few
            keep-alive connections instead of queueing in (and slowing down) the connection pool.

    Example::

        manager = JobManager(AsyncClient(base_url="http://127.0.0.1:8123/v1"), journal="/tmp/jobs")
        job = manager.submit(ReframeInput(photo, "1024x1024"))
    """

    def __init__(
        self,
        client: AsyncClient | None = None,
        journal: Journal | str | os.PathLike[str] | None = None,
        *,
        policy: PollPolicy | None = None,
        keep_images: bool = True,
        max_wait: float = 6 * 3600.0,
        durations: DurationModel | None = None,
        max_requests: int = 8,
    ) -> None:
        self._client = client
        self._owns_client = client is None  # made here (on first use): closed by aclose()
        self.max_requests = max_requests
        self.journal = journal if isinstance(journal, Journal) else Journal(journal)
        self.policy = policy or PollPolicy()
        self.keep_images = keep_images
        self.max_wait = max_wait
        self.durations = durations if durations is not None else DURATIONS

    def __repr__(self) -> str:
        return f"JobManager(client={self._client!r}, journal={self.journal!r})"

    @property
    def client(self) -> AsyncClient:
        """The shared client (created on first use)."""
        if self._client is None:
            self._client = default_client()
        return self._client

    def _semaphores(self) -> tuple[asyncio.Semaphore, asyncio.Semaphore]:
        client = self.client
        pair = _slots.get(client)
        if pair is None:
            pair = _slots[client] = (
                asyncio.Semaphore(self.max_requests),
                asyncio.Semaphore(self.max_requests),
            )
        return pair

    @property
    def slots(self) -> asyncio.Semaphore:
        """Bounds the polls, result answers, downloads and cancels in flight on this manager's client."""
        return self._semaphores()[0]

    @property
    def submit_slots(self) -> asyncio.Semaphore:
        """Bounds the submits in flight (separately, so a burst of submits never delays the polls)."""
        return self._semaphores()[1]

    async def pace(self, job: Job) -> None:
        """Wait for this client's next free background-poll slot (``policy.max_rate`` per second)."""
        if self.policy.max_rate <= 0:
            return
        next_free = _paces.setdefault(self.client, [0.0])
        now = time.monotonic()
        slot = max(now, next_free[0])
        next_free[0] = slot + 1.0 / self.policy.max_rate
        if slot > now:
            await job.sleep(slot - now)

    def kind(self, job: Job) -> Hashable:
        """What makes jobs comparable in duration: backend, model and rendering speed."""
        return (self.client.base_url, job.model_id, str(job.params.get("rendering_speed", "")))

    def submit(self, inp: EditInput | ReframeInput, *, keep_images: bool | None = None) -> Job:
        """Record ``inp`` in the journal, submit it once, and follow it in the background.

        Returns the Job at once in a notebook (``state == "submitting"``); in a plain script, once the
        service has answered and the request id is recorded. Errors, including a submit that may or may
        not have reached the service (``SubmitUncertainError``: it is never resent), land on the Job.
        """
        if not isinstance(inp, EditInput | ReframeInput):
            raise TypeError(
                f"submit() takes an EditInput or a ReframeInput, not {type(inp).__name__}: build one with "
                "ideogram_widgets.EditInput(image, mask, prompt) or ReframeInput(image, resolution)"
            )
        client = self.client
        keep = self.keep_images if keep_images is None else keep_images
        follow = Follow(current_loop(), base_url=client.base_url, label=client.label, keep_images=keep)
        job = Job(
            follow=follow,
            job_id=Journal.new_id(),
            model_id=inp.model_id,
            backend=client.label,
            params=inp.settings(),
            state="submitting",
        )
        self.follow(job, follow, inp)
        if running_loop() is None:
            block_on(follow.submitted.wait(), what="submit()")
        return job

    def follow(self, job: Job, follow: Follow, inp: EditInput | ReframeInput | None = None) -> Job:
        """Start the background task that submits (with ``inp``) and/or follows ``job``; this process
        holds the job's lease (renewed in the background) until it is done or stopped."""
        _live[job.job_id] = (job, follow)
        key = id(job)
        register_stopper(key, job.stop)
        hold(self.journal, job.job_id, follow.owner)

        def forget(done: Job) -> None:
            unregister_stopper(key)
            let_go(self.journal, done.job_id)
            if _live.get(done.job_id, (None,))[0] is done:
                del _live[done.job_id]

        job.add_done_callback(forget)
        follow.canceller = lambda: cancel_job(job, follow, self)
        follow.task = spawn(
            run_job(job, follow, self, inp), loop=follow.loop, name=f"ideogram job {job.job_id}"
        )
        _start_clock(follow.loop)
        return job

    async def aclose(self) -> None:
        """Close the client if this manager created it (a client passed in is the caller's: it stays
        open and usable).

        Example::

            manager = JobManager(client)        # the caller's client
            await manager.aclose()              # client is still open
        """
        if self._owns_client and self._client is not None:
            client, self._client = self._client, None
            await client.aclose()


_clocks: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def _start_clock(loop: asyncio.AbstractEventLoop) -> None:
    """One task per loop refreshes every followed job's ``elapsed`` once a second (a job may sleep for
    long stretches between polls); it ends when no job is left."""
    if loop in _clocks:
        return
    _clocks.add(loop)

    async def tick() -> None:
        try:
            while any(follow.loop is loop for _, follow in _live.values()):
                await asyncio.sleep(1.0)
                for job, follow in list(_live.values()):
                    if follow.loop is loop and not job.done:
                        job.tick()
        finally:
            _clocks.discard(loop)

    spawn(tick(), loop=loop, name="ideogram jobs clock")


def default_manager() -> JobManager:
    """The manager :func:`submit` uses: one per event loop, with the default client and journal."""
    loop = current_loop()
    manager = _defaults.get(loop)
    if manager is None:
        manager = _defaults[loop] = JobManager()
    return manager


def manager_for(
    client: AsyncClient | None, journal: Journal | str | os.PathLike[str] | None, **options: Any
) -> JobManager:
    """The default manager, or a new one when a client, journal or option is given."""
    if client is None and journal is None and not options:
        return default_manager()
    return JobManager(client, journal, **options)


def submit(
    inp: EditInput | ReframeInput,
    *,
    client: AsyncClient | None = None,
    journal: Journal | str | os.PathLike[str] | None = None,
    keep_images: bool = True,
) -> Job:
    """Submit an edit or reframe and follow it in the background; returns its :class:`Job`.

    The job is recorded in the journal before anything is sent and submitted exactly once; a background
    task on the kernel's event loop polls it and downloads the result the moment it exists.

    Example (a notebook cell)::

        job = ideogram_widgets.submit(ideogram_widgets.EditInput(photo, mask, "a red door"))
        output = await job          # or, in a plain script: job.wait()
        output.image
    """
    return manager_for(client, journal).submit(inp, keep_images=keep_images)
