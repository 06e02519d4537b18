"""Colour palettes: Ideogram's named presets or custom colours with weights.

The RunComfy pages only say ``color_palette`` is an object; these helpers emit the shapes Ideogram itself
documents (``{"name": "EMBER"}`` or ``{"members": [{"color_hex": "#RRGGBB", "color_weight": w}]}``).
A plain dict passes through unchanged, for when the service turns out to want something else.

Example:
    >>> ColorPalette.preset("ember").to_payload()
    {'name': 'EMBER'}
    >>> ColorPalette.custom([("#ff0000", 0.7), "#00FF00"]).to_payload()["members"]
    [{'color_hex': '#FF0000', 'color_weight': 0.7}, {'color_hex': '#00FF00', 'color_weight': 1.0}]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ._errors import InputError
from ._options import option_payload

__all__ = ["PALETTE_PRESETS", "ColorPalette", "PaletteColor", "palette_payload"]

PALETTE_PRESETS: dict[str, tuple[str, ...]] = {
    # Names from Ideogram's API; the swatch colours are this package's approximations for display only.
    "EMBER": ("#2B0A0A", "#8C1C13", "#E0542E", "#F2A541", "#F6D8AE"),
    "FRESH": ("#F4F9E9", "#A8D5BA", "#4FB286", "#2E8B57", "#F9C74F"),
    "JUNGLE": ("#0B3D2E", "#1E5631", "#4C9A2A", "#A4DE02", "#D9ED92"),
    "MAGIC": ("#2D1E4A", "#5B2A86", "#9A48D0", "#E56399", "#FCD5CE"),
    "MELON": ("#F9DCC4", "#FEC89A", "#FFB5A7", "#F08080", "#88B04B"),
    "MOSAIC": ("#264653", "#2A9D8F", "#E9C46A", "#F4A261", "#E76F51"),
    "PASTEL": ("#FFD6E0", "#FFEFCF", "#D4F0F0", "#CCE2CB", "#C6DEF1"),
    "ULTRAMARINE": ("#03045E", "#023E8A", "#0077B6", "#00B4D8", "#CAF0F8"),
}
"""Ideogram's palette presets, each with display swatches."""

_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")
WEIGHT_MIN, WEIGHT_MAX = 0.05, 1.0
MAX_MEMBERS = 16


@dataclass(frozen=True)
class PaletteColor:
    """One custom colour: ``hex`` as ``#RRGGBB`` and a ``weight`` from 0.05 to 1.0."""

    hex: str
    weight: float = 1.0

    def __post_init__(self) -> None:
        match = _HEX.match(self.hex) if isinstance(self.hex, str) else None
        if not match:
            raise InputError("color_palette", self.hex, 'a colour as "#RRGGBB"')
        object.__setattr__(self, "hex", "#" + match.group(1).upper())
        weight = self.weight
        if isinstance(weight, bool) or not isinstance(weight, int | float):
            raise InputError("color_palette", weight, f"a weight from {WEIGHT_MIN} to {WEIGHT_MAX}")
        if not WEIGHT_MIN <= float(weight) <= WEIGHT_MAX:
            raise InputError("color_palette", weight, f"a weight from {WEIGHT_MIN} to {WEIGHT_MAX}")
        object.__setattr__(self, "weight", float(weight))


@dataclass(frozen=True)
class ColorPalette:
    """Either a preset ``name`` or custom ``members``; build one with :meth:`preset` or :meth:`custom`."""

    name: str | None = None
    members: tuple[PaletteColor, ...] = ()

    def __post_init__(self) -> None:
        if (self.name is None) == (not self.members):
            raise InputError(
                "color_palette",
                self,
                "either a preset name or one or more custom colours, not both",
            )

    @classmethod
    def preset(cls, name: str) -> ColorPalette:
        """A named preset: one of EMBER, FRESH, JUNGLE, MAGIC, MELON, MOSAIC, PASTEL, ULTRAMARINE."""
        wanted = name.strip().upper() if isinstance(name, str) else None
        if wanted not in PALETTE_PRESETS:
            raise InputError("color_palette", name, "one of " + " | ".join(PALETTE_PRESETS))
        return cls(name=wanted)

    @classmethod
    def custom(cls, colors: Iterable[str | tuple[str, float] | PaletteColor]) -> ColorPalette:
        """Custom colours: ``"#RRGGBB"`` (weight 1.0), ``("#RRGGBB", weight)`` or PaletteColor items."""
        members: list[PaletteColor] = []
        for item in colors:
            if isinstance(item, PaletteColor):
                members.append(item)
            elif isinstance(item, str):
                members.append(PaletteColor(item))
            elif isinstance(item, tuple) and len(item) == 2:
                members.append(PaletteColor(item[0], item[1]))
            else:
                raise InputError("color_palette", item, '"#RRGGBB" or ("#RRGGBB", weight)')
        if not 1 <= len(members) <= MAX_MEMBERS:
            raise InputError("color_palette", len(members), f"1 to {MAX_MEMBERS} custom colours")
        return cls(members=tuple(members))

    def to_payload(self) -> dict[str, Any]:
        """The JSON object sent as ``color_palette``."""
        if self.name is not None:
            return {"name": self.name}
        return {"members": [{"color_hex": m.hex, "color_weight": m.weight} for m in self.members]}


def palette_payload(value: ColorPalette | Mapping[str, Any] | str | None) -> dict[str, Any] | None:
    """Turn a ColorPalette, a preset name or a raw dict (passed through as is) into the payload."""
    allowed = "a ColorPalette, a preset name such as 'EMBER', or a dict"
    return option_payload(value, ColorPalette, ColorPalette.preset, "color_palette", allowed)
