"""A :class:`Job`: one submitted edit or reframe, observable (traitlets) and awaitable.

A background task on the event loop updates its traits as the service answers; widgets and users observe
them (``job.observe(callback, "state")``) or simply ``await job``. Traits to observe:

=================  =========================================================================================
``state``          ``submitting`` → ``submitted`` → ``in_queue`` → ``in_progress`` → ``completed``; or
                   ``failed``, ``cancelled``, ``expired`` (the service no longer knows the request),
                   ``stopped`` (this process stopped following it; ``resume()`` takes it up again),
                   ``not_sent`` (``resume()`` found its submit cut short before the request left this
                   machine: nothing reached the service, nothing was paid); unknown states as the service
                   sent them. (The journal also records how far a submit got — ``sending``, ``leaving``,
                   ``sent``, see :mod:`._submission` — the Job shows ``submitting`` throughout.)
``done``           True once nothing more will change here (result downloaded, or an error)
``queue_position`` the place in the queue while ``in_queue`` (else None)
``request_id``     the service's id (empty until the submit is answered)
``model_id``       ``ideogram/ideogram-v3/edit`` or ``…/reframe``; ``params``: the settings (no images)
``error``          a human-readable line when something went wrong; ``exception``: the typed error
``warning``        a transient problem (e.g. the network) while polling goes on; cleared when it passes;
                   also a journal that cannot be written (``storage_error``: the typed error), the job
                   going on with what it holds in memory
``result``         an :class:`Output` once downloaded: ``.images`` (PIL), ``.paths``, ``.urls``,
                   ``.composite`` (an edit put back into its full-size original);
                   ``files`` (local paths) and ``urls`` (the service's, which expire) as plain lists
``created_at``     epoch seconds; also ``submitted_at``, ``updated_at``, ``finished_at``, ``elapsed`` (s)
``cancel_outcome`` ``requested``, ``cancelled``, ``not_cancellable`` or ``unconfirmed`` after ``cancel()``
=================  =========================================================================================

Example (a notebook cell)::

    job = ideogram_widgets.submit(EditInput(image, mask, "a red door"))
    job.observe(lambda change: print(change.new), "state")   # or let a widget observe it
    output = await job                                       # the result, or the typed error raised
    output.image
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Generator
from typing import Any

from PIL import Image
from traitlets import Bool, Dict, Float, HasTraits, Instance, Int, List, Unicode

from ..api import WaitTimeoutError
from ..api._wire import TERMINAL_STATES
from ._errors import PollingStoppedError, StorageError, describe
from ._follow import Follow
from ._output import Output
from ._runtime import block_on, current_loop, running_loop, spawn

__all__ = ["FINAL_STATES", "Job", "Output"]

log = logging.getLogger("ideogram_widgets.jobs")

FINAL_STATES = TERMINAL_STATES | {"expired", "stopped", "not_sent"}
"""States after which a Job does not change any more (``completed`` waits for its download: see ``done``)."""


class Job(HasTraits):
    """One edit or reframe job. Created by :func:`ideogram_widgets.submit` or :func:`resume`, not directly.

    ``await job`` returns its :class:`Output` or raises its typed error (``JobFailedError``,
    ``JobCancelledError``, ``NotFoundError`` for an expired request, ``SubmitUncertainError``, ...).
    ``job.wait()`` does the same from a plain script; in a kernel it raises ``BlockingCallError``.

    Example (a notebook cell)::

        job = ideogram_widgets.submit(ReframeInput(photo, "1024x1024"))
        job.state, job.queue_position      # e.g. ('in_queue', 2), updated in the background
        await job.cancel()                  # True if the service confirmed (only queued jobs can be)
    """

    job_id = Unicode("", help="this job's id in the journal")
    request_id = Unicode("", help="the service's request id ('' until the submit is answered)")
    model_id = Unicode("")
    backend = Unicode("", help="which service runs the job (e.g. 'local sandbox')")
    state = Unicode("submitting")
    queue_position = Int(None, allow_none=True)
    done = Bool(False)
    error = Unicode("", help="what went wrong, in one human line")
    exception = Instance(BaseException, allow_none=True, help="the typed error behind `error`")
    warning = Unicode("", help="a transient problem; polling goes on")
    storage_error = Instance(StorageError, allow_none=True, help="why the journal could not be written")
    created_at = Float(0.0)
    submitted_at = Float(None, allow_none=True)
    updated_at = Float(0.0)
    finished_at = Float(None, allow_none=True)
    elapsed = Float(0.0)
    params = Dict(help="the job's settings: prompt, speed, seed, resolution... (no images)")
    inputs = Dict(help="references to the input files kept in the journal")
    result = Instance(Output, allow_none=True)
    files = List(Unicode(), help="local paths of the downloaded results")
    urls = List(Unicode(), help="the service's result URLs (they expire)")
    cancel_outcome = Unicode("")

    def __init__(
        self,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        follow: Follow | None = None,
        **traits: Any,
    ) -> None:
        now = time.time()
        traits.setdefault("created_at", now)
        traits.setdefault("updated_at", traits["created_at"])
        super().__init__(**traits)
        self._loop = follow.loop if follow is not None else (loop or current_loop())
        self._follow = follow
        self._done_event = asyncio.Event()
        self._wakeup: asyncio.Future[None] | None = None
        self._done_callbacks: list[Callable[[Job], Any]] = []
        if follow is not None:
            follow.last_state = self.state

    # ----------------------------------------------------------------- reading

    def __repr__(self) -> str:
        what = self.model_id.rsplit("/", 1)[-1] or "job"
        prompt = self.params.get("prompt") or self.params.get("resolution") or ""
        parts = [what, repr(prompt[:40]) if prompt else "", self.state]
        if self.queue_position is not None and self.state == "in_queue":
            parts.append(f"#{self.queue_position}")
        if self.request_id:
            parts.append(f"request={self.request_id}")
        parts.append(f"{self.elapsed:.1f}s")
        if self.error:
            parts.append(f"error={self.error[:80]!r}")
        return f"<Job {' '.join(p for p in parts if p)}>"

    @property
    def images(self) -> list[Image.Image]:
        """The result images (empty until downloaded)."""
        return self.result.images if self.result is not None else []

    @property
    def image(self) -> Image.Image | None:
        """The first result image, or None until downloaded."""
        return self.result.image if self.result is not None and len(self.result) else None

    @property
    def submitted(self) -> bool:
        """True once the service gave a request id (and the journal recorded it)."""
        return bool(self.request_id)

    # ----------------------------------------------------------------- waiting

    def __await__(self) -> Generator[Any, None, Output]:
        return self._wait().__await__()

    async def _wait(self) -> Output:
        if not self._done_event.is_set():
            await self._done_event.wait()
        return self._outcome()

    def _outcome(self) -> Output:
        if self.exception is not None:
            raise self.exception.with_traceback(None)
        if self.result is None:  # pragma: no cover - done always sets one of the two
            raise PollingStoppedError(self.request_id or None, "the job ended without a result")
        return self.result

    def wait(self, timeout: float | None = None) -> Output:
        """Block until the job is done; return its Output or raise its typed error (plain scripts).

        In a Jupyter kernel this raises BlockingCallError: use ``await job``. After ``timeout`` seconds it
        raises WaitTimeoutError; the job is not cancelled and goes on.
        """
        if self._done_event.is_set():
            return self._outcome()
        try:
            block_on(
                self._wait_event(), what="job.wait()", instead="await job", timeout=timeout, loop=self._loop
            )
        except TimeoutError:
            raise WaitTimeoutError(self.request_id or "(not submitted yet)", timeout or 0.0) from None
        return self._outcome()

    async def _wait_event(self) -> None:
        await self._done_event.wait()

    def add_done_callback(self, callback: Callable[[Job], Any]) -> None:
        """Call ``callback(job)`` once the job is done (at once if it already is). Errors are logged."""
        if self._done_event.is_set():
            _call(callback, self)
        else:
            self._done_callbacks.append(callback)

    # ----------------------------------------------------------------- acting

    def cancel(self) -> asyncio.Task[bool]:
        """Ask the service to cancel the job; the task's result says whether it took effect.

        Only queued jobs can be cancelled. In a notebook: ``await job.cancel()``; a button handler can call
        ``job.cancel()`` and forget it. In a script the call waits for the answer, so
        ``job.cancel().result()`` is the outcome. ``cancel_outcome`` records it either way.
        """
        canceller = self._follow.canceller if self._follow is not None else None
        if canceller is None:
            raise RuntimeError("this job cannot be cancelled from here (it is not followed)")
        task = spawn(canceller(), loop=self._loop, name=f"cancel {self.job_id}")
        if running_loop() is None and not self._loop.is_running():
            block_on(task, what="job.cancel()")
        return task

    def stop(self) -> bool:
        """Stop following the job here (nothing is cancelled on the service; ``resume()`` re-attaches).

        A submit already on its way finishes first, so its request id is recorded. Returns True if the job
        was being followed.
        """
        if self.done:
            return False
        follow = self._follow
        if follow is not None:
            follow.stop_reason = follow.stop_reason or "polling was stopped"
            if follow.submitting:
                return True  # stops right after the submit is answered and recorded
            if follow.task is not None and not follow.task.done():
                follow.task.cancel()
        self.mark_stopped()
        return True

    # ----------------------------------------------------------------- used by the poller

    def apply(self, **changes: Any) -> None:
        """Set several traits at once, with one batch of notifications; an observer's error is logged."""
        changes.setdefault("updated_at", time.time())
        if self._follow is not None and changes.get("state", "stopped") != "stopped":
            self._follow.last_state = changes["state"]
        try:
            with self.hold_trait_notifications():
                for name, value in changes.items():
                    setattr(self, name, value)
        except Exception:
            log.exception("an observer of job %s raised", self.job_id)

    def tick(self) -> None:
        """Refresh ``elapsed`` (to a tenth of a second; only ``elapsed`` changes)."""
        end = self.finished_at if self.finished_at is not None else time.time()
        elapsed = round(max(0.0, end - self.created_at), 1)
        if elapsed != self.elapsed:
            try:
                self.elapsed = elapsed
            except Exception:
                log.exception("an observer of job %s raised", self.job_id)

    def finish(
        self,
        *,
        state: str | None = None,
        output: Output | None = None,
        exc: BaseException | None = None,
        settle: bool = True,
    ) -> None:
        """Mark the job done with its output or its error; with ``settle``, also wake everything waiting
        for it (the poller settles later, once the journal has the final word)."""
        if self.done:
            if settle:
                self.settle()
            return
        now = time.time()
        changes: dict[str, Any] = {"done": True, "finished_at": now, "queue_position": None}
        changes["elapsed"] = round(max(0.0, now - self.created_at), 1)
        if state is not None:
            changes["state"] = state
        if output is not None:
            changes.update(result=output, files=[str(p) for p in output.paths], urls=list(output.urls))
        if exc is not None:
            changes.update(exception=exc, error=describe(exc))
        if self._follow is None or self._follow.unsaved is None:
            changes["warning"] = ""
        if self._follow is not None:
            self._follow.submitted.set()
        self.apply(**changes)
        if settle:
            self.settle()

    def settle(self) -> None:
        """Wake whatever waits for the job and run its done-callbacks (once it is done)."""
        if not self.done or self._done_event.is_set():
            return
        self._done_event.set()
        callbacks, self._done_callbacks = self._done_callbacks, []
        for callback in callbacks:
            _call(callback, self)

    def mark_stopped(self) -> None:
        """Finish as ``stopped`` (this process no longer follows the job)."""
        reason = (self._follow.stop_reason if self._follow else None) or "polling was stopped"
        self.finish(state="stopped", exc=PollingStoppedError(self.request_id or None, reason))

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or less if something (a cancel) asks for an early poll."""
        loop = asyncio.get_running_loop()
        wakeup: asyncio.Future[None] = loop.create_future()
        handle = loop.call_later(max(0.0, seconds), _wake, wakeup)
        self._wakeup = wakeup
        try:
            await wakeup
        finally:
            handle.cancel()
            self._wakeup = None

    def poll_soon(self) -> None:
        """Wake the poller now (e.g. after a cancel)."""
        if self._wakeup is not None:
            _wake(self._wakeup)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _call(callback: Callable[[Job], Any], job: Job) -> None:
    try:
        callback(job)
    except Exception:
        log.exception("a done-callback of job %s raised", job.job_id)
