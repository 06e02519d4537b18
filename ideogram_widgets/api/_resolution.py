"""The 69 output resolutions of Ideogram 3.0 reframe, in the service's own order.

A :class:`Resolution` knows its pixel size and aspect ratio, prints as the exact string the service
expects (``"1152:864 (4:3)"``) and can find the one closest to an image's shape.

Example:
    >>> r = Resolution.parse("1152x864")
    >>> r.width, r.height, r.aspect, str(r)
    (1152, 864, '4:3', '1152:864 (4:3)')
    >>> Resolution.closest_to((1920, 1080)).value
    '1312:736 (41:23)'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from ._errors import InputError

__all__ = ["DEFAULT_RESOLUTION", "RESOLUTIONS", "Orientation", "Resolution", "fit_inside"]

Orientation = Literal["landscape", "square", "portrait"]

# The service's enum, verbatim and in its order (reframe.input.schema.json).
_VALUES = (
    "1536:640 (12:5)", "1536:576 (8:3)", "1536:512 (3:1)", "1472:704 (23:11)", "1472:640 (23:10)",
    "1472:576 (23:9)", "1408:704 (2:1)", "1408:640 (11:5)", "1408:576 (22:9)", "1344:768 (7:4)",
    "1344:704 (21:11)", "1344:640 (21:10)", "1312:736 (41:23)", "1280:800 (8:5)", "1280:768 (5:3)",
    "1280:704 (20:11)", "1248:832 (3:2)", "1216:832 (19:13)", "1216:768 (19:12)", "1216:704 (19:11)",
    "1152:896 (9:7)", "1152:864 (4:3)", "1152:832 (18:13)", "1152:704 (18:11)", "1120:896 (5:4)",
    "1088:960 (17:15)", "1088:896 (17:14)", "1088:832 (17:13)", "1088:768 (17:12)", "1024:1024 (1:1)",
    "1024:960 (16:15)", "1024:896 (8:7)", "1024:832 (16:13)", "960:1088 (15:17)", "960:1024 (15:16)",
    "960:896 (15:14)", "960:832 (15:13)", "896:1152 (7:9)", "896:1120 (4:5)", "896:1088 (14:17)",
    "896:1024 (7:8)", "896:960 (14:15)", "864:1152 (3:4)", "832:1248 (2:3)", "832:1216 (13:19)",
    "832:1152 (13:18)", "832:1088 (13:17)", "832:1024 (13:16)", "832:960 (13:15)", "800:1280 (5:8)",
    "768:1344 (4:7)", "768:1280 (3:5)", "768:1216 (12:19)", "768:1088 (12:17)", "736:1312 (23:41)",
    "704:1472 (11:23)", "704:1408 (1:2)", "704:1344 (11:21)", "704:1280 (11:20)", "704:1216 (11:19)",
    "704:1152 (11:18)", "640:1536 (5:12)", "640:1472 (10:23)", "640:1408 (5:11)", "640:1344 (10:21)",
    "576:1536 (3:8)", "576:1472 (9:23)", "576:1408 (9:22)", "512:1536 (1:3)",
)  # fmt: skip

_WIRE = re.compile(r"^\s*(\d+)\s*:\s*(\d+)\s*\((\d+):(\d+)\)\s*$")
_SIZE = re.compile(r"^\s*(\d+)\s*[x×:*,]\s*(\d+)\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=False)
class Resolution:
    """One of the 69 reframe output sizes.

    ``width`` and ``height`` are the output size in pixels, ``aspect`` the reduced ratio as the service
    writes it (``"4:3"``); ``str(r)`` and ``r.value`` give the wire string.
    """

    width: int
    height: int
    aspect: str

    @property
    def value(self) -> str:
        """The exact string the service expects, e.g. ``"1152:864 (4:3)"``."""
        return f"{self.width}:{self.height} ({self.aspect})"

    @property
    def ratio(self) -> float:
        """Width divided by height."""
        return self.width / self.height

    @property
    def orientation(self) -> Orientation:
        """``"landscape"``, ``"square"`` or ``"portrait"``."""
        if self.width == self.height:
            return "square"
        return "landscape" if self.width > self.height else "portrait"

    @property
    def label(self) -> str:
        """A short human label, e.g. ``"1152×864 (4:3)"``."""
        return f"{self.width}×{self.height} ({self.aspect})"

    def __str__(self) -> str:
        return self.value

    def placement(self, source: object) -> tuple[int, int, int, int]:
        """Where the whole ``source`` (a ``(width, height)`` pair or an image) sits in this output when
        scaled to fit and centred: ``(left, top, width, height)`` in output pixels. The rest is generated.

        The service does not document its exact placement; this is the natural one (and the sandbox's).

        Example:
            >>> Resolution.parse("1536x640").placement((800, 600))
            (341, 0, 853, 640)
        """
        return fit_inside(_size_of(source), (self.width, self.height))

    @classmethod
    def all(cls) -> tuple[Resolution, ...]:
        """All 69 resolutions in the service's order."""
        return RESOLUTIONS

    @classmethod
    def parse(cls, value: object, field: str = "resolution") -> Resolution:
        """Accept a Resolution, its wire string, ``"WxH"`` / ``"W:H"`` text or a ``(W, H)`` pair.

        Raises InputError (naming ``field``) when the size is not one of the 69.
        """
        if isinstance(value, Resolution):
            return value
        size: tuple[int, int] | None = None
        if isinstance(value, str):
            match = _WIRE.match(value) or _SIZE.match(value)
            if match:
                size = (int(match.group(1)), int(match.group(2)))
        elif isinstance(value, tuple | list) and len(value) == 2:
            try:
                size = (int(value[0]), int(value[1]))
            except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite float
                size = None
        if size is not None and size in _BY_SIZE:
            return _BY_SIZE[size]
        raise InputError(
            field,
            value,
            'one of the 69 reframe resolutions, e.g. "1152:864 (4:3)", "1024x1024" or (1344, 768); '
            "see Resolution.all()",
        )

    @classmethod
    def closest_to(cls, size: object) -> Resolution:
        """The resolution whose aspect ratio is closest to ``size`` (a ``(width, height)`` pair or anything
        with a ``.size`` such as a PIL image), comparing ratios on a log scale; ties go to the larger area.
        """
        width, height = _size_of(size)
        target = math.log(width / height)
        return min(RESOLUTIONS, key=lambda r: (abs(math.log(r.ratio) - target), -r.width * r.height))

    @classmethod
    def grouped(cls) -> dict[Orientation, list[Resolution]]:
        """The 69 grouped by orientation, each group ordered from widest to tallest aspect ratio."""
        groups: dict[Orientation, list[Resolution]] = {
            "landscape": [],
            "square": [],
            "portrait": [],
        }
        for r in sorted(RESOLUTIONS, key=lambda r: (-r.ratio, -r.width * r.height)):
            groups[r.orientation].append(r)
        return groups


def fit_inside(src: tuple[int, int], dst: tuple[int, int]) -> tuple[int, int, int, int]:
    """Where a ``src`` (w, h) image lands inside ``dst`` (W, H) when scaled to fit (aspect kept, up or
    down) and centred: ``(left, top, width, height)``.

    Example:
        >>> fit_inside((100, 100), (200, 100))
        (50, 0, 100, 100)
    """
    (w, h), (big_w, big_h) = src, dst
    scale = min(big_w / w, big_h / h)
    nw = min(big_w, max(1, round(w * scale)))
    nh = min(big_h, max(1, round(h * scale)))
    return (big_w - nw) // 2, (big_h - nh) // 2, nw, nh


def _size_of(size: object) -> tuple[int, int]:
    candidate = getattr(size, "size", size)
    if isinstance(candidate, tuple | list) and len(candidate) == 2:
        try:
            width, height = int(candidate[0]), int(candidate[1])
        except (TypeError, ValueError):
            width = height = 0
        if width > 0 and height > 0:
            return width, height
    raise InputError("size", size, "a (width, height) pair of positive integers or an image")


def _build() -> tuple[Resolution, ...]:
    out = []
    for text in _VALUES:
        match = _WIRE.match(text)
        assert match, text
        w, h, a, b = (int(g) for g in match.groups())
        out.append(Resolution(w, h, f"{a}:{b}"))
    return tuple(out)


RESOLUTIONS: tuple[Resolution, ...] = _build()
"""All 69 reframe resolutions, in the service's order."""

_BY_SIZE: dict[tuple[int, int], Resolution] = {(r.width, r.height): r for r in RESOLUTIONS}

DEFAULT_RESOLUTION: Resolution = _BY_SIZE[(1152, 864)]
"""The service's default, ``"1152:864 (4:3)"``."""
