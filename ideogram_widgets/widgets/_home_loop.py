"""Run a widget's button handler on the event loop the widget was made on (the kernel's main loop), and
run slow work (decoding, encoding, reading files) in a thread with its result handed back to that loop.

JupyterLab 4.6 with ipykernel 7 can deliver comm messages on a *subshell*: another thread with its own
event loop. A click handled there would create a job on that loop (its locks and events then belong to the
wrong loop, and the job fails on its second request). ``HomeLoop.run(fn)`` calls ``fn`` at once when it is
already on the home loop (or when there is none, as in a plain script), else hands it to the home loop.

``HomeLoop.in_thread(work, then)`` keeps the loop free: ``work()`` runs on a widgets thread and
``then(result)`` (which only sets traits) runs on the home loop; with no running home loop (a plain
script) both run at once, in order.

Example:
    >>> home = HomeLoop()            # outside a running loop: handlers run at once
    >>> home.run(lambda: print("clicked"))
    clicked
    >>> home.in_thread(lambda: 6 * 7, print)
    42
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from ..jobs._runtime import running_loop

__all__ = ["HomeLoop"]

T = TypeVar("T")
log = logging.getLogger("ideogram_widgets.widgets")
_pool: concurrent.futures.ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _widget_pool() -> concurrent.futures.ThreadPoolExecutor:
    """The widgets' own threads (two: one picture decodes while the next is encoded)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="iw-widgets")
        return _pool


class HomeLoop:
    """The loop running where this was created (the kernel's), and a way to run handlers there."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = running_loop()

    @property
    def running(self) -> bool:
        """Whether the home loop is there and running (else handlers run at once, where they are)."""
        home = self.loop
        return home is not None and not home.is_closed() and home.is_running()

    def run(self, handler: Callable[[], object]) -> None:
        """Call ``handler()`` on the home loop: now if this is it, else as soon as that loop is free."""
        home = self.loop
        if home is None or not self.running or running_loop() is home:
            handler()
            return
        home.call_soon_threadsafe(handler)

    def in_thread(
        self,
        work: Callable[[], T],
        then: Callable[[T], object],
        *,
        failed: Callable[[Exception], object] | None = None,
    ) -> None:
        """Run ``work()`` on a widgets thread, then ``then(result)`` on the home loop (``failed(error)``
        there instead when ``work`` raised; without ``failed`` the error is logged, never printed)."""

        def deliver(result: T | None, error: Exception | None) -> None:
            if error is None:
                then(result)  # type: ignore[arg-type]
            elif failed is not None:
                failed(error)
            else:
                log.warning("a widget update failed: %s", error, exc_info=error)

        if not self.running:
            try:
                value = work()
            except Exception as exc:  # handed to ``failed``, as on a thread
                deliver(None, exc)
            else:
                deliver(value, None)
            return

        def done(future: concurrent.futures.Future[T]) -> None:
            error = future.exception()
            if error is not None and not isinstance(error, Exception):  # KeyboardInterrupt & co
                return
            self.run(lambda: deliver(None if error else future.result(), error))

        _widget_pool().submit(work).add_done_callback(done)
