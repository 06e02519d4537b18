"""The sandbox's image work: classical, deterministic for a seed, numpy + Pillow only.

* :func:`inpaint` fills the edit area from its surroundings with a push-pull pyramid
  (weighted averages pulled down to coarse levels, bilinearly pushed back up, then a few
  smoothing passes), adds a subtle seed-dependent texture, and copies every other pixel
  unchanged.
* :func:`reframe` scales the whole source to fit inside W×H (aspect kept), centres it, and
  fills the new area with the same pyramid fill.

Example:
    >>> import numpy as np
    >>> img = np.full((64, 64, 3), 120, np.uint8)
    >>> edit = np.zeros((64, 64), bool)
    >>> edit[20:40, 20:40] = True
    >>> out = inpaint(img, edit, seed=1)
    >>> bool((out[~edit] == img[~edit]).all()), abs(int(out[30, 30, 0]) - 120) < 12
    (True, True)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageFilter

from ..api import IdeogramWidgetsError, InputError, MaskPolarity
from ..api._intake import decode_bytes, open_image  # decoded the way the client decodes: upright, sRGB, 8-bit
from ..api._png import encode_png
from ..api._resolution import fit_inside  # one placement for the preview, the client and the sandbox

#: Largest image the sandbox decodes (pixels); above this a 422 says so.
MAX_PIXELS = 40_000_000
#: Image formats accepted as input.
FORMATS = ("PNG", "JPEG", "WEBP")

FloatArray = np.ndarray
Pixels = np.ndarray  # H×W×C uint8, C = 3 (RGB) or 4 (RGBA)
#: ``guide(ys, xs) -> (colours N×C, weights N)``: colours to blend into a smooth fill.
Guide = Callable[[np.ndarray, np.ndarray], tuple[FloatArray, FloatArray]]


class BadImageError(IdeogramWidgetsError, ValueError):
    """An input that cannot be used; the message says why in plain words (answered as a 422)."""


def decode(data: bytes) -> Image.Image:
    """Open PNG/JPEG/WEBP bytes fully, upright (EXIF orientation), sRGB and 8-bit, through the client's own
    door (:func:`~ideogram_widgets.api._intake.decode_bytes`: the size refused before decoding, so no
    bombs; then ``open_image``); raise :class:`BadImageError` with its reason.

    Example:
        >>> decode(b"not an image")
        Traceback (most recent call last):
        ...
        ideogram_widgets.sandbox._imaging.BadImageError: not a readable image (UnidentifiedImageError)
    """
    try:
        img = decode_bytes(data, max_pixels=MAX_PIXELS)
    except InputError as exc:
        raise BadImageError(exc.reason or str(exc)) from exc
    if img.format not in FORMATS:
        raise BadImageError(f"has format {img.format}; PNG, JPEG or WEBP expected")
    try:
        return open_image(img)
    except InputError as exc:
        raise BadImageError(f"has pixels that cannot be used ({exc.reason or exc})") from exc


def to_pixels(img: Image.Image) -> Pixels:
    """RGB (or RGBA when the image has transparency) as an H×W×C uint8 array."""
    has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
    pixels: Pixels = np.array(img.convert("RGBA" if has_alpha else "RGB"), dtype=np.uint8)
    return pixels


def edit_area(mask: Image.Image, polarity: MaskPolarity | str = MaskPolarity.BLACK_IS_EDIT) -> np.ndarray:
    """The boolean edit area of a mask image, read as the service reads it: grey < 128 is edit for
    ``black_is_edit``, ≥ 128 for ``white_is_edit``."""
    gray = np.asarray(mask.convert("L"))
    black = MaskPolarity.coerce(polarity, "mask_polarity") is MaskPolarity.BLACK_IS_EDIT
    return gray < 128 if black else gray >= 128


RESULT_PNG_LEVEL = 1
"""zlib level of the result PNGs: fast, and deterministic for a seed like the pixels."""


def result_png(pixels: Pixels) -> bytes:
    """PNG bytes of an H×W×3/4 uint8 array, by the api's one encoder.

    Example:
        >>> result_png(np.zeros((2, 3, 3), np.uint8))[:4]
        b'\x89PNG'
    """
    return encode_png(Image.fromarray(pixels), compress_level=RESULT_PNG_LEVEL)


# -- the pyramid fill ------------------------------------------------------------------------
#
# Level 0 is the image; level k+1 averages the known pixels of each 2×2 block of level k
# ("pull") until every pixel of a level is known. Going back up ("push"), the unknown pixels of
# each level take the bilinear upsampling of the level above, then a few smoothing passes.
# Level 0 is never computed as a whole: only its unknown pixels are interpolated from level 1,
# so the cost at full resolution is proportional to the edit area.


def _upsample2(a: FloatArray, shape: tuple[int, int]) -> FloatArray:
    """Bilinear ×2 upsampling (pixel centres at half steps), cropped to ``shape``."""
    up = np.concatenate([a[:1], a[:-1]], axis=0)
    down = np.concatenate([a[1:], a[-1:]], axis=0)
    rows = np.empty((a.shape[0] * 2, *a.shape[1:]), a.dtype)
    rows[0::2] = 0.75 * a + 0.25 * up
    rows[1::2] = 0.75 * a + 0.25 * down
    left = np.concatenate([rows[:, :1], rows[:, :-1]], axis=1)
    right = np.concatenate([rows[:, 1:], rows[:, -1:]], axis=1)
    out = np.empty((rows.shape[0], rows.shape[1] * 2, *rows.shape[2:]), a.dtype)
    out[:, 0::2] = 0.75 * rows + 0.25 * left
    out[:, 1::2] = 0.75 * rows + 0.25 * right
    return out[: shape[0], : shape[1]]


def _sum2x2(a: np.ndarray, dtype: type) -> np.ndarray:
    """Sum of each 2×2 block in ``dtype`` (odd sizes padded with zeros)."""
    h, w = a.shape[:2]
    if h % 2 or w % 2:
        a = np.pad(a, [(0, h % 2), (0, w % 2)] + [(0, 0)] * (a.ndim - 2))
    total: np.ndarray = a[0::2, 0::2].astype(dtype)
    total += a[1::2, 0::2]
    total += a[0::2, 1::2]
    total += a[1::2, 1::2]
    return total


def _pull(pre: np.ndarray, count: np.ndarray) -> tuple[FloatArray, np.ndarray]:
    """Colour (mean of the known children) and known-ness of the next coarser level."""
    colour = pre.astype(np.float32) / np.maximum(count, 1).astype(np.float32)[..., None]
    return colour, count > 0


def _smooth(colour: FloatArray, unknown: np.ndarray, passes: int) -> None:
    """A few Jacobi passes of the 4-neighbour average on the unknown pixels, in place."""
    where = unknown[..., None]
    for _ in range(passes):
        p = np.pad(colour, [(1, 1), (1, 1), (0, 0)], mode="edge")
        avg = (p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:]) * np.float32(0.25)
        np.copyto(colour, avg, where=where)


def _coarse_fill(pixels: Pixels, known: np.ndarray) -> FloatArray:
    """Level 1 (half size) of the pyramid, every pixel filled."""
    masked = pixels * known[..., None]
    levels = [_pull(_sum2x2(masked, np.uint16), _sum2x2(known, np.uint8))]
    while min(levels[-1][1].shape) > 1 and not levels[-1][1].all():
        colour, k = levels[-1]
        levels.append(_pull(_sum2x2(colour * k[..., None], np.float32), _sum2x2(k, np.uint8)))
    colour, k = levels[-1]
    if not k.all():  # the top level is a single row or column: use the global mean
        mean = pixels[known].reshape(-1, pixels.shape[2]).mean(axis=0)
        colour[~k] = mean.astype(np.float32)
    for depth in range(len(levels) - 2, -1, -1):
        finer, k = levels[depth]
        np.copyto(finer, _upsample2(colour, k.shape), where=~k[..., None])
        _smooth(finer, ~k, 2 if depth == 0 else 4)
        colour = finer
    return colour


def _interpolate(coarse: FloatArray, ys: np.ndarray, xs: np.ndarray) -> FloatArray:
    """Bilinear ×2 upsampling of ``coarse`` (h×w×C) evaluated only at full-size pixels (ys, xs).

    Full-size pixel y lies at y/2 - 1/4 in coarse coordinates: between coarse rows
    (y-1)//2 and (y+1)//2, with weight 3/4 on the nearer one.
    """
    h, w, c = coarse.shape
    flat = coarse.reshape(h * w, c)
    y0 = np.clip((ys - 1) // 2, 0, h - 1) * w
    y1 = np.clip((ys + 1) // 2, 0, h - 1) * w
    x0 = np.clip((xs - 1) // 2, 0, w - 1)
    x1 = np.clip((xs + 1) // 2, 0, w - 1)
    fy = np.where(ys & 1, np.float32(0.25), np.float32(0.75))[:, None]
    fx = np.where(xs & 1, np.float32(0.25), np.float32(0.75))[:, None]
    top: FloatArray = np.take(flat, y0 + x0, axis=0)
    top += fx * (np.take(flat, y0 + x1, axis=0) - top)
    bottom = np.take(flat, y1 + x0, axis=0)
    bottom += fx * (np.take(flat, y1 + x1, axis=0) - bottom)
    top += fy * (bottom - top)
    return top


def _blotches(shape: tuple[int, int], rng: np.random.Generator) -> FloatArray:
    """Smooth unit-ish noise of ``shape`` (features of about 8 pixels)."""
    h, w = shape
    grid = rng.standard_normal((h // 8 + 2, w // 8 + 2)).astype(np.float32)
    big = Image.fromarray(grid).resize((w, h), Image.Resampling.BICUBIC)
    return np.asarray(big, dtype=np.float32)


def _grain_amplitude(pixels: Pixels, known: np.ndarray) -> float:
    """Texture strength: an eighth of the surroundings' spread, between 1 and 4 levels."""
    step = max(1, int(np.sqrt(known.size / 250_000)))
    sample = pixels[::step, ::step][known[::step, ::step]][:, :3]
    if sample.size == 0:
        return 1.0
    return float(np.clip(sample.std(axis=0).mean() / 8.0, 1.0, 4.0))


def _fill_with_texture(pixels: Pixels, unknown: np.ndarray, seed: int, guide: Guide | None = None) -> Pixels:
    """``pixels`` with the ``unknown`` ones filled from the rest plus seed-dependent grain.

    ``guide(ys, xs)`` may return ``(colours, weights)`` to blend into the smooth fill first.
    """
    known = ~unknown
    amplitude = np.float32(_grain_amplitude(pixels, known))
    rng = np.random.default_rng(seed)
    coarse = _coarse_fill(pixels, known)
    # Grain: blotches of about 16 px, drawn at half size and interpolated with the colours
    # (as one extra channel), plus a finer per-pixel part.
    blotches = _blotches(coarse.shape[:2], rng)
    ys, xs = np.nonzero(unknown)
    both = _interpolate(np.concatenate([coarse, blotches[..., None]], axis=2), ys, xs)
    values, grain = both[:, :-1], both[:, -1]
    if guide is not None:
        colours, weights = guide(ys, xs)
        values += weights[:, None] * (colours - values)
    grain += rng.standard_normal(len(ys), dtype=np.float32) * np.float32(0.5)
    values[:, :3] += (grain * amplitude)[:, None]
    out: Pixels = pixels.copy()
    out[unknown] = np.clip(np.rint(values), 0, 255).astype(np.uint8)
    return out


def inpaint(pixels: Pixels, edit: np.ndarray, seed: int) -> Pixels:
    """Fill ``edit`` (H×W bool) from its surroundings; every other pixel stays bit-identical.

    Example:
        >>> img = np.zeros((8, 8, 3), np.uint8)
        >>> m = np.zeros((8, 8), bool)
        >>> m[2:4, 2:4] = True
        >>> inpaint(img, m, 0).shape
        (8, 8, 3)
    """
    if edit.shape != pixels.shape[:2]:
        raise ValueError(f"mask {edit.shape} and image {pixels.shape[:2]} differ in size")
    out: Pixels = pixels.copy()
    if not edit.any():
        return out
    rows = np.flatnonzero(edit.any(axis=1))
    cols = np.flatnonzero(edit.any(axis=0))
    y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    margin = max(16, (y1 - y0 + x1 - x0) // 2)
    h, w = edit.shape
    y0, y1 = max(0, y0 - margin), min(h, y1 + margin)
    x0, x1 = max(0, x0 - margin), min(w, x1 + margin)
    box = (slice(y0, y1), slice(x0, x1))
    filled = _fill_with_texture(pixels[box], edit[box], seed)
    region = out[box]
    region[edit[box]] = filled[edit[box]]
    return out


def _edge_guide(placed: Image.Image, box: tuple[int, int, int, int], size: tuple[int, int]) -> Guide:
    """Edge extension of the placed source: each outside pixel takes the colour of the nearest
    source pixel, blurred more and more with the distance, and fades slowly into the smooth
    fill (so sky stays above and ground below instead of everything tending to the mean)."""
    left, top, nw, nh = box
    near = np.asarray(placed.filter(ImageFilter.GaussianBlur(max(1.0, min(nw, nh) / 150))), np.float32)
    far = np.asarray(placed.filter(ImageFilter.GaussianBlur(max(2.0, min(nw, nh) / 10))), np.float32)
    gap = max(left, top, size[0] - left - nw, size[1] - top - nh, 1)
    blur_reach = np.float32(max(8.0, 0.15 * min(nw, nh)))
    fade_reach = np.float32(max(16.0, 1.5 * gap))

    def guide(ys: np.ndarray, xs: np.ndarray) -> tuple[FloatArray, FloatArray]:
        cy = np.clip(ys - top, 0, nh - 1)
        cx = np.clip(xs - left, 0, nw - 1)
        dist = np.hypot(ys - top - cy, xs - left - cx).astype(np.float32)
        t = (1 - np.exp(-dist / blur_reach))[:, None]
        colours = near[cy, cx] * (1 - t) + far[cy, cx] * t
        return colours, np.exp(-dist / fade_reach)

    return guide


def reframe(img: Image.Image, size: tuple[int, int], seed: int) -> Pixels:
    """Exactly ``size`` (W, H): the whole ``img`` fitted and centred, the rest filled from it.

    The source lands where ``Resolution.placement`` says (:func:`fit_inside`), resized with Lanczos
    (untouched when the size matches).

    Example:
        >>> reframe(Image.new("RGB", (40, 30), "red"), (64, 32), seed=3).shape
        (32, 64, 3)
    """
    pixels = to_pixels(img)
    box = left, top, nw, nh = fit_inside(img.size, size)
    placed = img.convert("RGBA" if pixels.shape[2] == 4 else "RGB")
    if placed.size != (nw, nh):
        placed = placed.resize((nw, nh), Image.Resampling.LANCZOS)
    big_w, big_h = size
    canvas = np.zeros((big_h, big_w, pixels.shape[2]), np.uint8)
    canvas[top : top + nh, left : left + nw] = np.asarray(placed, dtype=np.uint8)
    unknown = np.ones((big_h, big_w), bool)
    unknown[top : top + nh, left : left + nw] = False
    if not unknown.any():
        return canvas
    return _fill_with_texture(canvas, unknown, seed, _edge_guide(placed, box, size))
