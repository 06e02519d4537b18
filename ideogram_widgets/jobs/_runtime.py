"""Where job tasks run: the kernel's own event loop, or a private loop in a plain script.

In a Jupyter kernel a loop is already running in the main thread; jobs run there as asyncio tasks and
advance while the kernel is idle. ``asyncio.run`` is never called there, and a blocking wait raises
:class:`~ideogram_widgets.api._errors.BlockingCallError` telling to ``await`` instead. In a plain script no
loop runs: jobs go on a private loop of the calling thread, which a blocking ``wait()`` runs until the job
is done (every other job advances meanwhile).

Every task is kept in a registry with a strong reference (asyncio keeps only weak ones, and ipykernel
neither cancels background tasks on interrupt nor finalises them on restart); :func:`stop_all` stops them.

Example:
    >>> async def answer() -> int:
    ...     return 42
    >>> task = spawn(answer(), loop=current_loop(), name="demo")
    >>> block_on(task, what="demo")
    42
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import functools
import logging
import threading
import weakref
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from ..api._sync import refuse_blocking

__all__ = [
    "block_on",
    "current_loop",
    "io_pool",
    "live_stoppers",
    "run_io",
    "running_loop",
    "spawn",
    "stop_all",
]

T = TypeVar("T")
log = logging.getLogger("ideogram_widgets.jobs")

_tasks: set[asyncio.Task[Any]] = set()
_stoppers: dict[int, Callable[[], bool]] = {}
_local = threading.local()
_private: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
_pool: concurrent.futures.ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The loop running in this thread (a kernel's), or None in plain synchronous code."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def current_loop() -> asyncio.AbstractEventLoop:
    """The running loop, else this thread's private loop (created once, run by blocking waits)."""
    loop = running_loop()
    if loop is not None:
        return loop
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _local.loop = loop
        _private.add(loop)
    return loop


def _wind_down() -> None:
    """At exit, let the unfinished jobs of private loops stop cleanly (their journal entries stay open
    for ``resume()``) instead of being destroyed mid-flight."""
    for loop in list(_private):
        if loop.is_closed() or loop.is_running():
            continue
        tasks = [t for t in _tasks if t.get_loop() is loop and not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            with contextlib.suppress(Exception):
                loop.run_until_complete(asyncio.wait(tasks, timeout=5.0))


atexit.register(_wind_down)


def spawn(coro: Coroutine[Any, Any, T], *, loop: asyncio.AbstractEventLoop, name: str) -> asyncio.Task[T]:
    """Start ``coro`` as a task on ``loop`` (from that loop's thread) and keep it referenced until it ends.

    An exception escaping the task is logged (the job layer turns expected ones into Job errors first).
    """
    task = loop.create_task(coro, name=name)
    _tasks.add(task)
    task.add_done_callback(_forget)
    return task


def _forget(task: asyncio.Task[Any]) -> None:
    _tasks.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("background task %s failed", task.get_name(), exc_info=task.exception())


def block_on(
    awaitable: Awaitable[T],
    *,
    what: str,
    instead: str = "await",
    timeout: float | None = None,
    loop: asyncio.AbstractEventLoop | None = None,
) -> T:
    """Wait for ``awaitable`` from synchronous code: a task or future of some loop, or a coroutine to run
    on ``loop`` (default this thread's private loop). When another thread runs that loop (an app that keeps
    its asyncio loop in a worker thread), the work is handed to it and this thread waits.

    Raises BlockingCallError when called from a thread whose loop is running (a kernel's cell):
    blocking there would freeze the loop the awaited work needs; the message says to use ``instead``
    (:func:`~ideogram_widgets.api._sync.refuse_blocking`, the one refusal of the package).
    Raises TimeoutError after ``timeout`` seconds (the work itself goes on).
    """
    refuse_blocking(what, instead, awaitable)
    if loop is None:
        loop = awaitable.get_loop() if isinstance(awaitable, asyncio.Future) else current_loop()
    if loop.is_closed():
        if asyncio.iscoroutine(awaitable):
            awaitable.close()
        raise RuntimeError(f"{what}: the event loop this work belongs to is closed")
    if loop.is_running():  # another thread runs it: hand the work over, thread-safely
        handed: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(_await(awaitable), loop)
        try:
            return handed.result(timeout)
        except concurrent.futures.TimeoutError:
            raise TimeoutError(f"{what} timed out after {timeout:g} s") from None
    future = asyncio.ensure_future(awaitable, loop=loop)
    if timeout is None:
        return loop.run_until_complete(future)
    try:
        return loop.run_until_complete(asyncio.wait_for(asyncio.shield(future), timeout))
    except asyncio.TimeoutError:
        raise TimeoutError(f"{what} timed out after {timeout:g} s") from None


async def _await(awaitable: Awaitable[T]) -> T:
    return await awaitable


def io_pool() -> concurrent.futures.ThreadPoolExecutor:
    """The jobs layer's own threads for file work (journal writes, hashing, encoding, decoding).

    Separate from the loop's default executor, so a burst of jobs never queues behind (or starves) the
    user's own ``to_thread`` work, nor the HTTP client's.
    """
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = concurrent.futures.ThreadPoolExecutor(
                max_workers=8, thread_name_prefix="ideogram-jobs-io"
            )
        return _pool


async def run_io(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run ``fn(*args, **kwargs)`` on :func:`io_pool` without blocking the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(io_pool(), functools.partial(fn, *args, **kwargs))


def register_stopper(key: int, stop: Callable[[], bool]) -> None:
    """Let :func:`stop_all` stop something (a job, a batch): ``stop()`` returns True if it was running."""
    _stoppers[key] = stop


def unregister_stopper(key: int) -> None:
    """Forget a stopper (its owner has finished)."""
    _stoppers.pop(key, None)


def live_stoppers() -> int:
    """How many jobs and batches are being followed right now."""
    return len(_stoppers)


def stop_all() -> int:
    """Stop following every job and batch of this process; returns how many jobs/batches were stopped.

    Nothing is cancelled on the service: a stopped job keeps running there, its journal entry stays open,
    and ``resume()`` re-attaches to it. A submit already on its way is let finish (and recorded) first, so
    its request id is never lost.

    Example:
        >>> stop_all()
        0
    """
    stopped = 0
    for key, stop in list(_stoppers.items()):
        try:
            if stop():
                stopped += 1
        except Exception:  # pragma: no cover - a stopper must not keep the others from running
            log.exception("stopping %s failed", key)
    return stopped
