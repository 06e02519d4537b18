"""Opening a picture given as a URL: downloaded once, by the same rules as result files.

Widgets need the pixels of an ``https://…`` image to show it and to size the mask; the URL itself is what
is sent to the service. The download is the result download's own (``_transport.fetch``): no token (a
separate HTTP client without auth), a size cap, redirects never from https to anything else, plus a
deadline for the whole download; then the bytes must be an image (:func:`~._intake.open_image`: upright,
sRGB, 8-bit, under the pixel limit). Every failure is an :class:`InputError` naming the field.

Example (a notebook cell)::

    from ideogram_widgets.api._fetching import fetch_image
    picture = await fetch_image("https://example.com/photo.jpg")
"""

from __future__ import annotations

import asyncio
import concurrent.futures

import httpx
from PIL import Image

from .._version import __version__
from ._errors import APIError, InputError
from ._intake import open_image
from ._media import DEFAULT_LIMITS, check_remote
from ._transport import Retryable, fetch

__all__ = ["DEFAULT_DEADLINE", "MAX_IMAGE_BYTES", "fetch_image", "fetch_image_blocking"]

MAX_IMAGE_BYTES = 64 * 1024 * 1024
"""The largest file downloaded (the result download's cap)."""
DEFAULT_DEADLINE = 60.0
"""Seconds the whole download may take."""


async def fetch_image(
    url: str,
    *,
    field: str = "image",
    deadline: float = DEFAULT_DEADLINE,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_pixels: int = DEFAULT_LIMITS.max_pixels,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Image.Image:
    """Download ``url`` (no token, capped, within ``deadline`` seconds) and open it as an image."""
    if not url.lower().startswith(("http://", "https://")):
        raise InputError(field, url, "an http(s) URL", reason="only http(s) URLs are downloaded")
    check_remote(url, field=field)
    headers = {"User-Agent": f"ideogram-widgets/{__version__}"}
    timeout = httpx.Timeout(min(30.0, deadline), connect=min(10.0, deadline))
    async with httpx.AsyncClient(timeout=timeout, transport=transport, headers=headers) as files:
        try:
            data = await asyncio.wait_for(fetch(files, url, request_id=None, max_bytes=max_bytes), deadline)
        except TimeoutError:
            raise InputError(
                field, url, "a URL that answers in time", reason=f"the download took over {deadline:g} s"
            ) from None
        except Retryable as exc:
            raise InputError(field, url, "a reachable image URL", reason=_said(exc.error)) from None
        except APIError as exc:
            raise InputError(field, url, "a reachable image URL", reason=_said(exc)) from None
    return await asyncio.to_thread(open_image, data, field=field, max_pixels=max_pixels)


def _said(error: APIError) -> str:
    # the wire's messages speak of "the result file"; here it is the picture the user gave
    return "downloading it failed: " + str(error.message).replace("the result file", "the file")


def fetch_image_blocking(url: str, **options: object) -> Image.Image:
    """:func:`fetch_image` for synchronous code (a widget's constructor): runs the download on its own
    event loop in a worker thread, so it works inside a running kernel loop too."""
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="iw-fetch") as pool:
        return pool.submit(asyncio.run, fetch_image(url, **options)).result()  # type: ignore[arg-type]
