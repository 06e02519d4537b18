"""Validated inputs for the two models: :class:`EditInput` (inpaint) and :class:`ReframeInput` (outpaint).

Construction checks everything the service's schema says and a little more (a partial mask of the same
size as the image, a non-empty prompt); nothing is sent until ``to_payload`` builds the JSON body.

Example:
    >>> import numpy as np
    >>> from PIL import Image
    >>> img = Image.new("RGB", (64, 64), "white")
    >>> mask = np.zeros((64, 64), bool); mask[:, :32] = True
    >>> job = EditInput(img, mask, "a red door", seed=7, rendering_speed="turbo")
    >>> sorted(job.to_payload())
    ['image', 'magic_prompt', 'mask', 'prompt', 'rendering_speed', 'seed']
    >>> ReframeInput(img, "1024x1024").to_payload()["resolution"]
    '1024:1024 (1:1)'
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from ._composite import put_back
from ._errors import InputError
from ._media import (
    DEFAULT_LIMITS,
    ImageSource,
    MaskArray,
    MaskSource,
    PayloadLimits,
    Uploader,
    check_mask,
    check_remote,
    image_or_url,
    is_remote,
    load_image,
    load_mask,
)
from ._options import MagicPrompt, MaskPolarity, RenderingSpeed, check_seed
from ._palette import ColorPalette, palette_payload
from ._resolution import DEFAULT_RESOLUTION, Resolution
from ._style import Style, style_payload
from ._working import working_size

__all__ = ["EDIT_MODEL", "MAX_PROMPT_CHARS", "REFRAME_MODEL", "EditInput", "Prepared", "ReframeInput"]

MAX_PROMPT_CHARS = 10_000
"""The longest prompt accepted. Real prompts, even magic-prompt expansions, are a few hundred to about
2,000 characters, and the model reads only the start of a long text; 10,000 (≈ 1,500 words) leaves room for
any prompt a person writes and still stops a pasted file or a runaway string before it is sent."""

EDIT_MODEL = "ideogram/ideogram-v3/edit"
REFRAME_MODEL = "ideogram/ideogram-v3/reframe"

PaletteLike = ColorPalette | Mapping[str, Any] | str | None
StyleLike = Style | Mapping[str, Any] | str | None


def check_prompt(prompt: object) -> str:
    """The prompt, stripped: non-empty, valid Unicode, no control characters, at most MAX_PROMPT_CHARS."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise InputError(
            "prompt",
            prompt,
            "a non-empty text describing the change",
            reason="the prompt is empty: describe what the masked area should become",
        )
    text = prompt.strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            "prompt",
            f"text with a lone surrogate at character {exc.start}",
            "valid Unicode text",
            reason=f"the prompt holds a lone surrogate (\\u{ord(text[exc.start]):04x}) at character "
            f"{exc.start}, which cannot be sent as UTF-8",
        ) from None
    for i, char in enumerate(text):
        if char not in "\t\n\r" and unicodedata.category(char) == "Cc":
            raise InputError(
                "prompt",
                f"text with control character U+{ord(char):04X} at character {i}",
                "text without control characters (tabs and line breaks are fine)",
                reason=f"the prompt holds control character U+{ord(char):04X} at character {i}",
            )
    if len(text) > MAX_PROMPT_CHARS:
        raise InputError(
            "prompt",
            f"{len(text):,} characters",
            f"at most {MAX_PROMPT_CHARS:,} characters",
            reason=f"the prompt is {len(text):,} characters long; at most {MAX_PROMPT_CHARS:,} are sent",
        )
    return text


@dataclass(frozen=True)
class Prepared:
    """The image and mask strings of an input as they will be sent, and the size sent (None for a URL).

    Built by :meth:`EditInput.prepare` / :meth:`ReframeInput.prepare`, cached, reused by ``to_payload``.
    """

    image: str
    mask: str | None
    sent_size: tuple[int, int] | None
    original_size: tuple[int, int] | None


def _kept(image: object) -> Image.Image | str:
    """The image an input holds once constructed (a loaded PIL image or a checked URL)."""
    assert isinstance(image, Image.Image | str)
    return image


def _prepare_image(
    image: Image.Image | str, limits: PayloadLimits, uploader: Uploader | None
) -> tuple[str, tuple[int, int] | None]:
    from ._preflight import sent_image  # preflight imports media and working; kept out of import time

    if isinstance(image, str):
        return image, None
    sent = sent_image(image, limits, uploader)
    return sent.uri, sent.size


def _check_request_size(payload: Mapping[str, Any], limits: PayloadLimits) -> None:
    size = len(json.dumps(payload))
    if size > limits.max_request_bytes:
        raise InputError(
            "image",
            f"a {size / 2**20:.1f} MiB request",
            f"a request of at most {limits.max_request_bytes / 2**20:.0f} MiB",
            reason="the image and mask together are too large to send inline; pass uploader= to host them",
        )


class _Request:
    """What an edit and a reframe share: the options both models take, the working size, and the JSON
    body put together from :meth:`prepare` (image, mask) and :meth:`settings` (everything else)."""

    image: ImageSource
    seed: int | None
    rendering_speed: RenderingSpeed | str
    color_palette: PaletteLike
    style: StyleLike
    limits: PayloadLimits

    def _check_options(self) -> None:
        """Validate (and normalise) the options both models take; called by ``__post_init__``."""
        if self.seed is not None:
            object.__setattr__(self, "seed", check_seed(self.seed))
        object.__setattr__(self, "rendering_speed", RenderingSpeed.coerce(self.rendering_speed))
        palette_payload(self.color_palette)  # validates
        style_payload(self.style)

    def prepare(
        self, *, polarity: MaskPolarity = MaskPolarity.BLACK_IS_EDIT, uploader: Uploader | None = None
    ) -> Prepared:
        raise NotImplementedError  # pragma: no cover (each model says what it sends)

    def _model_settings(self) -> dict[str, Any]:
        raise NotImplementedError  # pragma: no cover

    @property
    def sent_size(self) -> tuple[int, int] | None:
        """The size the image is sent at (its working size, see ``PayloadLimits.max_side``); None for a
        URL. A very detailed picture may go smaller still to fit the inline limit: ``prepare()`` says."""
        image = _kept(self.image)
        return None if isinstance(image, str) else working_size(image.size, self.limits.max_side)

    def settings(self) -> dict[str, Any]:
        """Every field but the image and mask, as JSON values (for history, journals and copy-as-code)."""
        out = self._model_settings()
        out["rendering_speed"] = RenderingSpeed.coerce(self.rendering_speed).value
        if self.seed is not None:
            out["seed"] = self.seed
        palette = palette_payload(self.color_palette)
        if palette is not None:
            out["color_palette"] = palette
        style = style_payload(self.style)
        if style is not None:
            out["style"] = style
        return out

    def to_payload(
        self,
        *,
        polarity: MaskPolarity = MaskPolarity.BLACK_IS_EDIT,
        uploader: Uploader | None = None,
    ) -> dict[str, Any]:
        """The JSON body for the service, the mask (an edit's) in its ``polarity``: image and mask at the
        working size, built once (see :meth:`prepare`), then :meth:`settings`."""
        prepared = self.prepare(polarity=polarity, uploader=uploader)
        payload: dict[str, Any] = {"image": prepared.image}
        if prepared.mask is not None:
            payload["mask"] = prepared.mask
        payload.update(self.settings())
        _check_request_size(payload, self.limits)
        return payload


@dataclass(frozen=True, eq=False)
class EditInput(_Request):
    """An inpainting request: change the masked part of ``image`` as ``prompt`` says.

    ``image``: a PIL image, numpy array, path, bytes or URL. ``mask``: True / white / opaque = edit (see
    :func:`~ideogram_widgets.api._media.load_mask`); it must be partial and the image's size. ``seed``: 0 to
    2147483647, or None for a random one chosen by the service. Palettes and styles take the typed helpers,
    a preset / style-type name, or a raw dict that is sent unchanged.
    """

    image: ImageSource
    mask: MaskSource
    prompt: str
    seed: int | None = None
    rendering_speed: RenderingSpeed | str = RenderingSpeed.BALANCED
    magic_prompt: MagicPrompt | str = MagicPrompt.ON
    color_palette: PaletteLike = None
    style: StyleLike = None
    limits: PayloadLimits = field(default=DEFAULT_LIMITS, repr=False)
    original: Image.Image | None = field(default=None, repr=False)
    """For an ``image`` given as a URL: the picture behind it (downloaded), for the mask's size and the
    composite. Ignored for local images (the image is its own original)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "prompt", check_prompt(self.prompt))
        self._check_options()
        object.__setattr__(self, "magic_prompt", MagicPrompt.coerce(self.magic_prompt))
        image = image_or_url(self.image, limits=self.limits)
        object.__setattr__(self, "image", image)
        if isinstance(image, Image.Image):
            object.__setattr__(self, "original", image)
        elif self.original is not None:
            object.__setattr__(self, "original", load_image(self.original, field="original"))
        if isinstance(self.mask, str) and is_remote(self.mask):
            object.__setattr__(self, "mask", check_remote(self.mask, field="mask"))
            return
        size = self.original.size if self.original is not None else None
        object.__setattr__(self, "mask", check_mask(self.mask, size))

    @property
    def model_id(self) -> str:
        """``ideogram/ideogram-v3/edit``."""
        return EDIT_MODEL

    @property
    def mask_array(self) -> MaskArray | None:
        """The mask as a boolean array (True = edit), or None when it was given as a URL."""
        return None if isinstance(self.mask, str) else load_mask(self.mask)

    def prepare(
        self, *, polarity: MaskPolarity = MaskPolarity.BLACK_IS_EDIT, uploader: Uploader | None = None
    ) -> Prepared:
        """Build (or reuse) the image and mask strings: blocking, so run it in a thread. Raises
        InputError when they cannot be sent."""
        image, size = _prepare_image(_kept(self.image), self.limits, uploader)
        if isinstance(self.mask, str):
            mask = self.mask
        else:
            from ._preflight import sent_mask

            arr = load_mask(self.mask)
            mask = sent_mask(arr, size or (arr.shape[1], arr.shape[0]), self.limits, polarity, uploader)
        original = self.original.size if self.original is not None else None
        return Prepared(image, mask, size, original)

    def composite(self, output: Image.Image) -> Image.Image:
        """The service's ``output`` put back into the full-size upright original inside the mask (grown
        and feathered a little); every other pixel is the original's. Needs the original (a local image,
        or ``original=`` for a URL) and a local mask."""
        mask = self.mask_array
        if self.original is None or mask is None:
            raise InputError(
                "image",
                "a URL without original=",
                "a local image, or original= the picture behind the URL, and a local mask",
                reason="the composite needs the original picture and the mask",
            )
        return put_back(self.original, mask, output)

    def _model_settings(self) -> dict[str, Any]:
        return {"prompt": self.prompt, "magic_prompt": MagicPrompt.coerce(self.magic_prompt).value}


@dataclass(frozen=True, eq=False)
class ReframeInput(_Request):
    """An outpainting request: place the whole ``image`` in a ``resolution``-sized frame and fill the rest.

    ``resolution``: one of the 69 (a :class:`Resolution`, ``"1152:864 (4:3)"``, ``"1152x864"`` or
    ``(1152, 864)``); default ``1152:864 (4:3)``. Use ``Resolution.closest_to(image)`` for the nearest
    aspect.
    """

    image: ImageSource
    resolution: Resolution | str | tuple[int, int] = DEFAULT_RESOLUTION
    seed: int | None = None
    rendering_speed: RenderingSpeed | str = RenderingSpeed.BALANCED
    color_palette: PaletteLike = None
    style: StyleLike = None
    limits: PayloadLimits = field(default=DEFAULT_LIMITS, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "resolution", Resolution.parse(self.resolution))
        self._check_options()
        object.__setattr__(self, "image", image_or_url(self.image, limits=self.limits))

    @property
    def model_id(self) -> str:
        """``ideogram/ideogram-v3/reframe``."""
        return REFRAME_MODEL

    def prepare(
        self, *, polarity: MaskPolarity = MaskPolarity.BLACK_IS_EDIT, uploader: Uploader | None = None
    ) -> Prepared:
        """Build (or reuse) the image string: blocking, so run it in a thread (``polarity`` is accepted
        for symmetry: a reframe has no mask)."""
        held = _kept(self.image)
        image, size = _prepare_image(held, self.limits, uploader)
        original = None if isinstance(held, str) else held.size
        return Prepared(image, None, size, original)

    def _model_settings(self) -> dict[str, Any]:
        return {"resolution": str(self.resolution)}
