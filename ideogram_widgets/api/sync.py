"""A blocking facade over :class:`~ideogram_widgets.api.client.AsyncClient`, for scripts.

In a Jupyter kernel (whose event loop is running) use the async client with ``await`` instead: a blocking
call there would freeze the kernel, so it raises :class:`BlockingCallError` saying so.

Example (a plain Python script)::

    from ideogram_widgets.api import Client
    with Client() as client:                          # token from RUNCOMFY_API_TOKEN
        result = client.reframe("photo.png", "1024x1024", rendering_speed="TURBO")
        result.save("reframed.png")
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Mapping
from typing import Any, TypeVar

from .client import AsyncClient, Result
from .errors import BlockingCallError
from .inputs import EditInput, ReframeInput
from .media import ImageSource, MaskSource
from .resolution import DEFAULT_RESOLUTION, Resolution
from .wire import CancelOutcome, JobResult, JobStatus, Submission

__all__ = ["Client"]

T = TypeVar("T")


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
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            if self._loop is None or self._loop.is_closed():
                self._loop = asyncio.new_event_loop()
            return self._loop.run_until_complete(coro)
        coro.close()
        raise BlockingCallError(
            "this blocking call would freeze the running event loop (a Jupyter kernel runs one): "
            "use ideogram_widgets.api.AsyncClient and `await client.edit(...)` instead"
        )

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
