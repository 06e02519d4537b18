"""Run a widget's button handler on the event loop the widget was made on (the kernel's main loop).

JupyterLab 4.6 with ipykernel 7 can deliver comm messages on a *subshell*: another thread with its own
event loop. A click handled there would create a job on that loop (its locks and events then belong to the
wrong loop, and the job fails on its second request). ``HomeLoop.run(fn)`` calls ``fn`` at once when it is
already on the home loop (or when there is none, as in a plain script), else hands it to the home loop.

Example:
    >>> home = HomeLoop()            # outside a running loop: handlers run at once
    >>> home.run(lambda: print("clicked"))
    clicked
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ..jobs.runtime import running_loop

__all__ = ["HomeLoop"]


class HomeLoop:
    """The loop running where this was created (the kernel's), and a way to run handlers there."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = running_loop()

    def run(self, handler: Callable[[], object]) -> None:
        """Call ``handler()`` on the home loop: now if this is it, else as soon as that loop is free."""
        home = self.loop
        if home is None or home.is_closed() or not home.is_running() or running_loop() is home:
            handler()
            return
        home.call_soon_threadsafe(handler)
