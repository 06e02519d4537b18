"""Payloads built once: the image and mask strings of an input, cached by (image, mask, settings).

Encoding a photo's working-size PNG takes a few hundred milliseconds; widgets build it in a thread as soon
as the image or the mask changes (:meth:`EditInput.prepare <.inputs.EditInput.prepare>`), and the submit
reuses it. The cache keys on the image object itself (its identity, kept alive by nothing: an entry whose
image is gone is dropped) and on a digest of the mask, so a new mask re-encodes only the mask, and two
builds asked for at once are done once.

Example:
    >>> from PIL import Image
    >>> img = Image.new("RGB", (40, 30), "white")
    >>> first = sent_image(img, DEFAULT_LIMITS, None)
    >>> sent_image(img, DEFAULT_LIMITS, None) is first
    True
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, TypeVar

import numpy as np
from PIL import Image

from ._errors import InputError
from ._masks import MaskArray
from ._media import DEFAULT_LIMITS, PayloadLimits, Uploader, mask_to_png, png_payload
from ._options import MaskPolarity
from ._working import SentImage, scale_mask, send_image

__all__ = ["DEFAULT_LIMITS", "PayloadCache", "mask_digest", "sent_image", "sent_mask"]

T = TypeVar("T")


class PayloadCache:
    """A small thread-safe cache of built payload parts; concurrent asks for one key build it once."""

    def __init__(self, max_entries: int = 8) -> None:
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, tuple[weakref.ref[Any] | None, Future[Any]]] = OrderedDict()

    def get(self, key: Hashable, build: Callable[[], T], owner: object | None = None) -> T:
        """The value for ``key``, built by ``build()`` the first time (errors are not cached).
        ``owner``: the entry is valid only while this very object lives (keys hold its ``id``)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] is not None and entry[0]() is not owner:
                entry = None  # the id was reused by another object
            if entry is None:
                future: Future[Any] = Future()
                self._entries[key] = (weakref.ref(owner) if owner is not None else None, future)
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
                mine = True
            else:
                self._entries.move_to_end(key)
                future, mine = entry[1], False
        if not mine:
            value: T = future.result()
            return value
        try:
            value = build()
        except BaseException as exc:
            with self._lock:
                if self._entries.get(key, (None, None))[1] is future:
                    del self._entries[key]
            future.set_exception(exc)
            raise
        future.set_result(value)
        return value

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()


CACHE = PayloadCache()
"""The cache every input uses."""


def mask_digest(mask: MaskArray) -> str:
    """A short digest of a mask's pixels and shape."""
    arr = np.asarray(mask, dtype=bool)
    return hashlib.blake2b(np.packbits(arr).tobytes() + repr(arr.shape).encode(), digest_size=16).hexdigest()


def sent_image(
    image: Image.Image, limits: PayloadLimits, uploader: Uploader | None, field: str = "image"
) -> SentImage:
    """The image as sent (at its working size), built once per image object and settings."""
    key = ("image", id(image), limits, id(uploader) if uploader else None, field)
    return CACHE.get(key, lambda: send_image(image, limits, uploader, field), owner=image)


def sent_mask(
    mask: MaskArray,
    size: tuple[int, int],
    limits: PayloadLimits,
    polarity: MaskPolarity,
    uploader: Uploader | None,
) -> str:
    """The mask as sent: scaled to the working ``size``, in the service's polarity, built once."""
    key = ("mask", mask_digest(mask), size, limits, polarity, id(uploader) if uploader else None)

    def build() -> str:
        scaled = scale_mask(mask, size)
        if scaled.all():
            raise InputError(
                "mask",
                "a mask that is full at the working size",
                "a partial mask",
                reason=f"at the size sent, {size[0]}×{size[1]}, the mask covers the whole image; "
                "leave more of it unmasked",
            )
        return png_payload(mask_to_png(scaled, polarity), "mask", limits, uploader)

    return CACHE.get(key, build)
