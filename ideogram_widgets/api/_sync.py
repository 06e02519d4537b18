"""A blocking facade over :class:`~ideogram_widgets.api._client.AsyncClient`, for scripts.

In a Jupyter kernel (whose event loop is running) use the async client with ``await`` instead: a blocking
call there would freeze the kernel, so it raises :class:`BlockingCallError` saying so. That refusal and
running a coroutine from synchronous code are written once, here (:func:`refuse_blocking`,
:func:`run_blocking`): the jobs layer's blocking waits and the live check's ``check()`` use them too.

Example (a plain Python script)::

    from ideogram_widgets.api import Client
    with Client() as client:                          # token from RUNCOMFY_API_TOKEN
        result = client.reframe("photo.png", "1024x1024", rendering_speed="TURBO")
        result.save("reframed.png")
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, TypeVar

from ._client import AsyncClient
from ._errors import BlockingCallError
from ._inputs import EditInput, ReframeInput
from ._media import ImageSource, MaskSource
from ._resolution import DEFAULT_RESOLUTION, Resolution
from ._result import Result
from ._wire import CancelOutcome, JobResult, JobStatus, Submission

__all__ = ["Client", "refuse_blocking", "run_blocking"]

T = TypeVar("T")


def refuse_blocking(what: str, instead: str, work: object = None) -> None:
    """Raise :class:`BlockingCallError` when this thread runs an event loop (a Jupyter kernel's cell does):
    blocking there would freeze the loop, and with it the kernel and every widget. ``what`` names the
    blocking call, ``instead`` the code to write instead; ``work`` (a coroutine that will not run) is
    closed first.

    Example:
        >>> refuse_blocking("job.wait()", "await job")   # no loop runs here: nothing to refuse
        >>> async def in_a_cell() -> None:
        ...     refuse_blocking("job.wait()", "await job")
        >>> try:
        ...     asyncio.run(in_a_cell())
        ... except BlockingCallError as exc:
        ...     print(exc)  # doctest: +ELLIPSIS
        job.wait() would block the running event loop ... use `await job` instead
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    if asyncio.iscoroutine(work):
        work.close()  # never awaited: close it rather than leave a warning behind
    raise BlockingCallError(
        f"{what} would block the running event loop (a Jupyter kernel runs one), freezing the kernel and "
        f"every widget: use `{instead}` instead"
    )


def run_blocking(
    coro: Coroutine[Any, Any, T],
    *,
    what: str,
    instead: str,
    loop: Callable[[], asyncio.AbstractEventLoop] | None = None,
) -> T:
    """Run ``coro`` to its end from synchronous code (a script), on ``loop()`` (a loop the caller keeps,
    asked for only when no loop runs here) or else on a fresh one, closed afterwards (``asyncio.run``).

    Inside a running event loop it raises :class:`BlockingCallError` (see :func:`refuse_blocking`).

    Example:
        >>> async def answer() -> int:
        ...     return 42
        >>> run_blocking(answer(), what="answer()", instead="await answer()")
        42
    """
    refuse_blocking(what, instead, coro)
    if loop is None:
        return asyncio.run(coro)
    return loop().run_until_complete(coro)


class Client:
    """The same calls as :class:`AsyncClient`, blocking. Takes the same arguments, or ``wrap=`` an
    existing AsyncClient (which must not be used from another event loop afterwards)."""

    def __init__(self, token: str | None = None, *, wrap: AsyncClient | None = None, **options: Any) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None  # made on first use, outside any running loop
        self.aio = wrap if wrap is not None else AsyncClient(token, **options)

    def __repr__(self) -> str:
        return repr(self.aio).replace("AsyncClient(", "Client(", 1)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        name = getattr(coro, "__name__", "call")
        return run_blocking(
            coro, what=f"Client.{name}()", instead=f"await AsyncClient(...).{name}(...)", loop=self._own_loop
        )

    def _own_loop(self) -> asyncio.AbstractEventLoop:
        """The private loop every call runs on (made on first use, outside any running loop)."""
        if self._loop is None or self._loop.is_closed():
            self._loop = asyncio.new_event_loop()
        return self._loop

    def close(self) -> None:
        """Close the connections and the private event loop."""
        if self._loop is not None and not self._loop.is_closed():
            self._run(self.aio.aclose())
            self._loop.close()

    def submit(self, model_id: str, payload: Mapping[str, Any]) -> Submission:
        """See :meth:`AsyncClient.submit`."""
        return self._run(self.aio.submit(model_id, payload))

    def submit_input(self, job: EditInput | ReframeInput) -> Submission:
        """See :meth:`AsyncClient.submit_input`."""
        return self._run(self.aio.submit_input(job))

    def status(self, request_id: str) -> JobStatus:
        """See :meth:`AsyncClient.status`."""
        return self._run(self.aio.status(request_id))

    def result(self, request_id: str) -> JobResult:
        """See :meth:`AsyncClient.result`."""
        return self._run(self.aio.result(request_id))

    def cancel(self, request_id: str) -> CancelOutcome:
        """See :meth:`AsyncClient.cancel`."""
        return self._run(self.aio.cancel(request_id))

    def model_info(self, model_id: str) -> dict[str, Any]:
        """See :meth:`AsyncClient.model_info`."""
        return self._run(self.aio.model_info(model_id))

    def wait(self, request_id: str, *, timeout: float = 1800.0) -> JobResult:
        """See :meth:`AsyncClient.wait`."""
        return self._run(self.aio.wait(request_id, timeout=timeout))

    def download(self, url: str) -> bytes:
        """See :meth:`AsyncClient.download`."""
        return self._run(self.aio.download(url))

    def run(self, job: EditInput | ReframeInput, *, timeout: float = 1800.0) -> Result:
        """See :meth:`AsyncClient.run`."""
        return self._run(self.aio.run(job, timeout=timeout))

    def edit(self, image: ImageSource, mask: MaskSource, prompt: str, **options: Any) -> Result:
        """See :meth:`AsyncClient.edit`."""
        return self._run(self.aio.edit(image, mask, prompt, **options))

    def reframe(
        self,
        image: ImageSource,
        resolution: Resolution | str | tuple[int, int] = DEFAULT_RESOLUTION,
        **options: Any,
    ) -> Result:
        """See :meth:`AsyncClient.reframe`."""
        return self._run(self.aio.reframe(image, resolution, **options))
