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
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from .errors import InputError
from .media import (
    DEFAULT_LIMITS,
    ImageSource,
    MaskArray,
    MaskSource,
    PayloadLimits,
    Uploader,
    check_mask,
    image_payload,
    is_remote,
    load_image,
    load_mask,
    mask_to_png,
    png_payload,
)
from .options import MagicPrompt, MaskPolarity, RenderingSpeed, check_seed
from .palette import ColorPalette, palette_payload
from .resolution import DEFAULT_RESOLUTION, Resolution
from .style import Style, style_payload

__all__ = ["EDIT_MODEL", "REFRAME_MODEL", "EditInput", "ReframeInput"]

EDIT_MODEL = "ideogram/ideogram-v3/edit"
REFRAME_MODEL = "ideogram/ideogram-v3/reframe"

PaletteLike = ColorPalette | Mapping[str, Any] | str | None
StyleLike = Style | Mapping[str, Any] | str | None


def _local_or_url(image: ImageSource, limits: PayloadLimits) -> Image.Image | str:
    if isinstance(image, str) and is_remote(image):
        return image
    return load_image(image, limits=limits)


def _common_payload(
    seed: int | None, speed: RenderingSpeed, palette: PaletteLike, style: StyleLike
) -> dict[str, Any]:
    payload: dict[str, Any] = {"rendering_speed": speed.value}
    if seed is not None:
        payload["seed"] = seed
    pal = palette_payload(palette)
    if pal is not None:
        payload["color_palette"] = pal
    sty = style_payload(style)
    if sty is not None:
        payload["style"] = sty
    return payload


def _check_request_size(payload: Mapping[str, Any], limits: PayloadLimits) -> None:
    size = len(json.dumps(payload))
    if size > limits.max_request_bytes:
        raise InputError(
            "image",
            f"a {size / 2**20:.1f} MiB request",
            f"a request of at most {limits.max_request_bytes / 2**20:.0f} MiB",
            reason="the image and mask together are too large to send inline; pass uploader= to host them",
        )


@dataclass(frozen=True, eq=False)
class EditInput:
    """An inpainting request: change the masked part of ``image`` as ``prompt`` says.

    ``image``: a PIL image, numpy array, path, bytes or URL. ``mask``: True / white / opaque = edit (see
    :func:`~ideogram_widgets.api.media.load_mask`); it must be partial and the image's size. ``seed``: 0 to
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

    def __post_init__(self) -> None:
        if not isinstance(self.prompt, str) or not self.prompt.strip():
            raise InputError(
                "prompt",
                self.prompt,
                "a non-empty text describing the change",
                reason="the prompt is empty: describe what the masked area should become",
            )
        object.__setattr__(self, "prompt", self.prompt.strip())
        if self.seed is not None:
            object.__setattr__(self, "seed", check_seed(self.seed))
        object.__setattr__(self, "rendering_speed", RenderingSpeed.coerce(self.rendering_speed))
        object.__setattr__(self, "magic_prompt", MagicPrompt.coerce(self.magic_prompt))
        palette_payload(self.color_palette)  # validates
        style_payload(self.style)
        image = _local_or_url(self.image, self.limits)
        object.__setattr__(self, "image", image)
        if isinstance(self.mask, str) and is_remote(self.mask):
            return
        size = image.size if isinstance(image, Image.Image) else None
        object.__setattr__(self, "mask", check_mask(self.mask, size))

    @property
    def model_id(self) -> str:
        """``ideogram/ideogram-v3/edit``."""
        return EDIT_MODEL

    @property
    def mask_array(self) -> MaskArray | None:
        """The mask as a boolean array (True = edit), or None when it was given as a URL."""
        return None if isinstance(self.mask, str) else load_mask(self.mask)

    def settings(self) -> dict[str, Any]:
        """Every field but the image and mask, as JSON values (for history, journals and copy-as-code)."""
        speed = RenderingSpeed.coerce(self.rendering_speed)
        out = {"prompt": self.prompt, "magic_prompt": MagicPrompt.coerce(self.magic_prompt).value}
        out.update(_common_payload(self.seed, speed, self.color_palette, self.style))
        return out

    def to_payload(
        self,
        *,
        polarity: MaskPolarity = MaskPolarity.BLACK_IS_EDIT,
        uploader: Uploader | None = None,
    ) -> dict[str, Any]:
        """The JSON body for the service, the mask in its ``polarity``."""
        payload: dict[str, Any] = {
            "image": image_payload(self.image, limits=self.limits, uploader=uploader),
        }
        if isinstance(self.mask, str):
            payload["mask"] = self.mask
        else:
            png = mask_to_png(load_mask(self.mask), polarity)
            payload["mask"] = png_payload(png, "mask", self.limits, uploader)
        payload.update(self.settings())
        _check_request_size(payload, self.limits)
        return payload


@dataclass(frozen=True, eq=False)
class ReframeInput:
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
        if self.seed is not None:
            object.__setattr__(self, "seed", check_seed(self.seed))
        object.__setattr__(self, "rendering_speed", RenderingSpeed.coerce(self.rendering_speed))
        palette_payload(self.color_palette)
        style_payload(self.style)
        object.__setattr__(self, "image", _local_or_url(self.image, self.limits))

    @property
    def model_id(self) -> str:
        """``ideogram/ideogram-v3/reframe``."""
        return REFRAME_MODEL

    def settings(self) -> dict[str, Any]:
        """Every field but the image, as JSON values."""
        out: dict[str, Any] = {"resolution": str(self.resolution)}
        speed = RenderingSpeed.coerce(self.rendering_speed)
        out.update(_common_payload(self.seed, speed, self.color_palette, self.style))
        return out

    def to_payload(
        self,
        *,
        polarity: MaskPolarity = MaskPolarity.BLACK_IS_EDIT,
        uploader: Uploader | None = None,
    ) -> dict[str, Any]:
        """The JSON body for the service (``polarity`` is accepted for symmetry and unused)."""
        payload: dict[str, Any] = {"image": image_payload(self.image, limits=self.limits, uploader=uploader)}
        payload.update(self.settings())
        _check_request_size(payload, self.limits)
        return payload
