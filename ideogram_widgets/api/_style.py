"""Style: Ideogram's style type, a named style preset, or style codes.

The RunComfy pages only say ``style`` is an object; :class:`Style` emits the fields Ideogram documents
(``style_type``, ``style_preset``, ``style_codes``) and a plain dict passes through unchanged.

Example:
    >>> Style(style_type="realistic").to_payload()
    {'style_type': 'REALISTIC'}
    >>> Style(style_codes=["0a1b2c3d"]).to_payload()
    {'style_codes': ['0A1B2C3D']}
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._errors import InputError
from ._options import _Choice, option_payload

__all__ = ["STYLE_PRESETS", "Style", "StyleType", "style_payload"]


class StyleType(_Choice):
    """Ideogram's broad style families."""

    AUTO = "AUTO"
    GENERAL = "GENERAL"
    REALISTIC = "REALISTIC"
    DESIGN = "DESIGN"
    FICTION = "FICTION"


STYLE_PRESETS: tuple[str, ...] = (
    # A selection of Ideogram 3.0's named presets; any UPPER_SNAKE name is sent as is.
    "80S_ILLUSTRATION", "90S_NOSTALGIA", "ABSTRACT_ORGANIC", "ANALOG_NOSTALGIA", "ART_BRUT",
    "ART_DECO", "ART_POSTER", "AURA", "AVANT_GARDE", "BAUHAUS", "BLUEPRINT", "BLURRY_MOTION",
    "BRIGHT_ART", "C4D_CARTOON", "CHILDRENS_BOOK", "COLLAGE", "COLORING_BOOK_I", "CUBISM",
    "DARK_AURA", "DOODLE", "DOUBLE_EXPOSURE", "DRAMATIC_CINEMA", "EDITORIAL", "EMOTIONAL_MINIMAL",
    "ETHEREAL_PARTY", "EXPIRED_FILM", "FLAT_ART", "FLAT_VECTOR", "FOREST_REVERIE", "GEO_MINIMALIST",
    "GLASS_PRISM", "GOLDEN_HOUR", "GRAFFITI_I", "HALFTONE_PRINT", "HIGH_CONTRAST", "HIPPIE_ERA",
    "ICONIC", "JAPANDI_FUSION", "JAZZY", "LONG_EXPOSURE", "MAGAZINE_EDITORIAL", "MINIMAL_ILLUSTRATION",
    "MIXED_MEDIA", "MONOCHROME", "NIGHTLIFE", "OIL_PAINTING", "OLD_CARTOONS", "PAINT_GESTURE",
    "POP_ART", "RETRO_ETCHING", "RIVIERA_POP", "SPOTLIGHT_80S", "STYLIZED_RED", "SURREAL_COLLAGE",
    "TRAVEL_POSTER", "VINTAGE_GEO", "VINTAGE_POSTER", "WATERCOLOR", "WEIRD", "WOODBLOCK_PRINT",
)  # fmt: skip
"""Named style presets offered in the widgets."""

_PRESET = re.compile(r"^[A-Z0-9][A-Z0-9_]{1,63}$")
_CODE = re.compile(r"^[0-9A-Fa-f]{8}$")


@dataclass(frozen=True)
class Style:
    """A style for edit or reframe. ``style_codes`` cannot be combined with ``style_type``."""

    style_type: StyleType | str | None = None
    style_preset: str | None = None
    style_codes: Sequence[str] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.style_type is not None:
            object.__setattr__(self, "style_type", StyleType.coerce(self.style_type, "style.style_type"))
        if self.style_preset is not None:
            preset = self.style_preset.strip().upper() if isinstance(self.style_preset, str) else None
            if preset is None or not _PRESET.match(preset):
                raise InputError(
                    "style.style_preset", self.style_preset, "a preset name such as 'WATERCOLOR'"
                )
            object.__setattr__(self, "style_preset", preset)
        if isinstance(self.style_codes, str):
            raise InputError("style.style_codes", self.style_codes, "a list of 8-hex-digit codes")
        codes = []
        for code in self.style_codes:
            if not isinstance(code, str) or not _CODE.match(code):
                raise InputError("style.style_codes", code, "8 hexadecimal digits such as '0A1B2C3D'")
            codes.append(code.upper())
        object.__setattr__(self, "style_codes", tuple(codes))
        if codes and self.style_type is not None:
            raise InputError(
                "style",
                self,
                "style_codes or style_type, not both",
                reason="style_codes cannot be combined with style_type",
            )
        if self.style_type is None and self.style_preset is None and not codes:
            raise InputError("style", self, "at least one of style_type, style_preset, style_codes")

    def to_payload(self) -> dict[str, Any]:
        """The JSON object sent as ``style``."""
        out: dict[str, Any] = {}
        if self.style_type is not None:
            out["style_type"] = str(self.style_type)
        if self.style_preset is not None:
            out["style_preset"] = self.style_preset
        if self.style_codes:
            out["style_codes"] = list(self.style_codes)
        return out


def style_payload(value: Style | Mapping[str, Any] | str | None) -> dict[str, Any] | None:
    """Turn a Style, a style type name (``"REALISTIC"``) or a raw dict (passed through) into the payload."""
    allowed = "a Style, a style type such as 'REALISTIC', or a dict"
    return option_payload(value, Style, lambda name: Style(style_type=name), "style", allowed)
