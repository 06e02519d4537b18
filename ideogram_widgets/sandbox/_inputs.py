"""Turning a submit's JSON input into a ready-to-run :class:`~._jobqueue.Job`.

Runs in a worker thread (``anyio.to_thread``): it decodes images, which can take a moment.
Every problem raises a 422 :class:`~._errors.SandboxError` naming the field and the reason.

Example:
    >>> load_bytes("image", "ftp://x", accept_data_uris=True, files=None)
    Traceback (most recent call last):
    ...
    ideogram_widgets.sandbox._errors.SandboxError: image: must be an http(s) URL or a data: URI
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from PIL import Image

from ..api import DEFAULT_RESOLUTION, MaskPolarity, RenderingSpeed, Resolution
from . import _imaging as imaging
from ._errors import BAD_IMAGE, BAD_MASK, URL_NOT_ALLOWED, invalid_input
from ._files import FileStore
from ._jobqueue import Job
from ._models import DURATIONS, EDIT
from ._service import Sandbox

_DATA_URI = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(;[^,;]*)*?),(?P<data>.*)$", re.S)
_FILES_PATH = re.compile(r"^/files/(?P<name>[^/]+)$")

#: Renders the result PNG for a seed (runs in a worker thread).
Render = Callable[[int], bytes]


def load_bytes(
    field: str, value: str, accept_data_uris: bool, files: FileStore | None, own_host: str = ""
) -> bytes:
    """The bytes behind an input string: a data URI, or a URL of this sandbox's own files.

    The sandbox cannot reach the internet: any other URL is refused with a clear message.
    ``own_host`` (the ``host:port`` the request came to) tells an expired result URL of this
    sandbox from someone else's URL.
    """
    if value.startswith("data:"):
        if not accept_data_uris:
            raise invalid_input(
                field,
                "data: URIs are not accepted by this local sandbox (accept_data_uris=False); "
                "send an https URL",
                "url_required",
                URL_NOT_ALLOWED,
            )
        match = _DATA_URI.match(value)
        if not match or ";base64" not in match.group("params"):
            raise invalid_input(field, "a data URI must look like data:image/png;base64,…", "data_uri")
        try:
            return base64.b64decode(match.group("data"), validate=False)
        except (binascii.Error, ValueError) as exc:
            raise invalid_input(field, "the data URI's base64 is malformed", "data_uri") from exc
    if value.startswith(("http://", "https://")):
        url = urlsplit(value)
        path_match = _FILES_PATH.match(url.path)
        data = files.read(path_match.group("name")) if path_match and files is not None else None
        if data is not None:
            return data
        if path_match and url.netloc == own_host:
            raise invalid_input(
                field,
                "this URL names a local sandbox result file that has expired or never existed",
                "url_not_found",
                URL_NOT_ALLOWED,
            )
        raise invalid_input(
            field,
            "the local sandbox cannot fetch URLs from the internet; send a data: URI or one of "
            "its own result URLs (/files/…)",
            "url_unreachable",
            URL_NOT_ALLOWED,
        )
    raise invalid_input(field, "must be an http(s) URL or a data: URI", "url_or_data_uri")


def load_image(sandbox: Sandbox, field: str, value: str, own_host: str = "") -> Image.Image:
    """Fetch and decode one image input."""
    data = load_bytes(field, value, sandbox.config.accept_data_uris, sandbox.files, own_host)
    try:
        return imaging.decode(data)
    except imaging.BadImageError as exc:
        raise invalid_input(field, str(exc), "image", BAD_IMAGE) from exc


def _edit_renderer(sandbox: Sandbox, body: dict[str, Any], own_host: str) -> Render:
    image = load_image(sandbox, "image", body["image"], own_host)
    mask = load_image(sandbox, "mask", body["mask"], own_host)
    if mask.size != image.size:
        raise invalid_input(
            "mask",
            f"is {mask.size[0]}×{mask.size[1]} but the image is {image.size[0]}×{image.size[1]}; "
            "they must be the same size",
            "mask_size",
            BAD_MASK,
        )
    polarity = MaskPolarity.coerce(sandbox.config.mask_polarity, "mask_polarity")
    edit = imaging.edit_area(mask, polarity)
    colour = "black (< 128)" if polarity is MaskPolarity.BLACK_IS_EDIT else "white (>= 128)"
    for bad, word, what in ((not edit.any(), "empty", "no pixel is"), (edit.all(), "full", "every pixel is")):
        if bad:
            raise invalid_input(
                "mask",
                f"is {word}: {what} marked for editing (here {colour} means edit); the mask must be partial",
                f"mask_{word}",
                BAD_MASK,
            )
    pixels = imaging.to_pixels(image)
    return lambda seed: imaging.result_png(imaging.inpaint(pixels, edit, seed))


def _reframe_renderer(sandbox: Sandbox, body: dict[str, Any], own_host: str) -> Render:
    image = load_image(sandbox, "image", body["image"], own_host)
    resolution = Resolution.parse(body.get("resolution", DEFAULT_RESOLUTION))  # the schema checked it
    size = (resolution.width, resolution.height)
    return lambda seed: imaging.result_png(imaging.reframe(image, size, seed))


def prepare_job(
    sandbox: Sandbox, model_id: str, body: dict[str, Any], request_id: str, own_host: str = ""
) -> Job:
    """A validated, ready-to-queue job for ``body`` (already checked against the schema).

    Raises a 422 :class:`~._errors.SandboxError` for an unusable image or mask.
    """
    render = (_edit_renderer if model_id == EDIT else _reframe_renderer)(sandbox, body, own_host)
    speed = body.get("rendering_speed", RenderingSpeed.BALANCED.value)
    given = body.get("seed")
    # Drawn only once the input is known good, so rejected submits do not shift the stream.
    seed, fail = sandbox.draw_job(None if given is None else int(given))
    return Job(
        request_id=request_id,
        model=model_id,
        duration=sandbox.draw_duration(DURATIONS.get(speed, DURATIONS[RenderingSpeed.BALANCED.value])),
        work=functools.partial(render, seed),
        prompt=body.get("prompt"),
        seed=seed,
        rendering_speed=speed,
        resolution=None if model_id == EDIT else body.get("resolution", DEFAULT_RESOLUTION.value),
        fail=fail,
    )
