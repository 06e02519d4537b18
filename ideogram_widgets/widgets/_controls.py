"""The generation controls shared by EditWidget and ReframeWidget.

Each control shows its own error message right under it; :class:`GenerationControls` gathers their values
as keyword arguments for :class:`~ideogram_widgets.api.EditInput` or
:class:`~ideogram_widgets.api.ReframeInput` and routes an :class:`~ideogram_widgets.api.InputError` back
to the control that caused it.

Example:
    >>> controls = GenerationControls(prompt=True)
    >>> controls.speed.value = "TURBO"
    >>> controls.options(new_seed=False)["rendering_speed"]
    'TURBO'
"""

from __future__ import annotations

import html
import random
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..api import (
    PALETTE_PRESETS,
    STYLE_PRESETS,
    ColorPalette,
    InputError,
    MagicPrompt,
    RenderingSpeed,
    Style,
    StyleType,
)
from ..api._options import SEED_MAX, check_seed

__all__ = ["ErrorLabel", "GenerationControls", "PalettePicker", "Section", "SeedControl", "StylePicker"]

_SPEED_TIPS = {
    "TURBO": "fastest and cheapest; good for trying ideas",
    "BALANCED": "the service's default",
    "QUALITY": "slowest; finest detail",
}
_MAGIC_TIPS = {
    "AUTO": "the service decides whether to rewrite your prompt",
    "ON": "the service expands your prompt with detail (its default)",
    "OFF": "your prompt is used exactly as written",
}


class ErrorLabel(w.HTML):
    """A red message under a control; empty (and taking no space) when there is nothing wrong."""

    def __init__(self) -> None:
        super().__init__(value="", layout=w.Layout(display="none", margin="0 0 4px 0"))
        self.add_class("iw-error")

    def show(self, message: str | None) -> None:
        """Show ``message`` (plain text), or hide the label when it is None or empty."""
        if message:
            self.value = f'<span class="iw-error-text" role="alert">⚠ {html.escape(message)}</span>'
            self.layout.display = "block"
        else:
            self.value = ""
            self.layout.display = "none"


def _labelled(label: str, control: w.Widget, error: ErrorLabel, tip: str = "") -> w.VBox:
    """A heading, the control, an optional hint and the control's error line."""
    parts: list[w.Widget] = [w.HTML(f'<b class="iw-heading">{html.escape(label)}</b>')] if label else []
    parts.append(control)
    if tip:
        parts.append(w.HTML(f'<span class="iw-muted">{html.escape(tip)}</span>'))
    return w.VBox([*parts, error], layout=w.Layout(margin="0 0 6px 0"))


class Section(w.VBox):
    """A heading button that shows or hides its body: reached with Tab, opened with Enter or Space.

    (ipywidgets' Accordion headers cannot be focused, so the keyboard never reached them.)
    """

    def __init__(self, title: str, body: w.Widget, *, expanded: bool = False) -> None:
        self.title = title
        self.body = body
        self.toggle = w.ToggleButton(value=expanded, tooltip=f"show or hide the {title.lower()} settings")
        self.toggle.add_class("iw-section-toggle")
        self.toggle.observe(lambda _: self._show(), "value")
        super().__init__([self.toggle, body], layout=w.Layout(width="100%"))
        self.add_class("iw-section")
        self._show()

    @property
    def is_open(self) -> bool:
        """Whether the body is shown."""
        return bool(self.toggle.value)

    def _show(self) -> None:
        with self.hold_sync():
            self.toggle.description = ("▾ " if self.toggle.value else "▸ ") + self.title
            self.body.layout.display = "flex" if self.toggle.value else "none"


class SeedControl(w.HBox):
    """A seed box with a "random" button and a "keep" switch.

    With ``keep`` off, every submit rolls a new seed first (so repeated submits give variations and each
    run's seed is recorded); with ``keep`` on, the shown seed is reused (to compare prompts or speeds).
    """

    def __init__(self, seed: int | None = None, keep: bool = False) -> None:
        if seed is not None:
            seed = check_seed(seed)  # InputError: the box would silently clamp it (or fail untyped)
        self._rng = random.Random()
        self.value_box = w.BoundedIntText(
            value=self._roll() if seed is None else seed,
            min=0,
            max=SEED_MAX,
            description="Seed",
            style={"description_width": "36px"},
            layout=w.Layout(width="176px"),
        )
        self.random_button = w.Button(
            description="",
            icon="random",
            tooltip="pick a new random seed",
            layout=w.Layout(width="36px"),
        )
        self.keep = w.Checkbox(value=keep, description="keep", indent=False, layout=w.Layout(width="70px"))
        self.keep.tooltip = "reuse this seed on the next submit instead of rolling a new one"
        self.random_button.on_click(lambda _: self.roll())
        super().__init__([self.value_box, self.random_button, self.keep])

    def _roll(self) -> int:
        return self._rng.randint(0, SEED_MAX)

    def roll(self) -> int:
        """Pick and show a new random seed."""
        self.value_box.value = self._roll()
        return int(self.value_box.value)

    def next_seed(self) -> int:
        """The seed for the next submit: the shown one when ``keep`` is on, else a freshly rolled one."""
        return int(self.value_box.value) if self.keep.value else self.roll()

    @property
    def value(self) -> int:
        """The shown seed."""
        return int(self.value_box.value)


class StylePicker(w.VBox):
    """Ideogram's style type, a named preset, or style codes (which exclude a style type)."""

    def __init__(self) -> None:
        # "" rather than None for "none": a Dropdown whose value is None shows a blank box
        wide = {"description_width": "56px"}
        self.style_type = w.Dropdown(
            options=[("none", "")] + [(t.value.lower(), t.value) for t in StyleType],
            value="",
            description="type",
            style=wide,
            layout=w.Layout(width="100%", max_width="340px"),
        )
        self.preset = w.Dropdown(
            options=[("none", "")] + [(p.replace("_", " ").lower(), p) for p in STYLE_PRESETS],
            value="",
            description="preset",
            style=wide,
            layout=w.Layout(width="100%", max_width="340px"),
        )
        self.codes = w.Text(
            placeholder="8 hex digits, comma separated",
            description="codes",
            style=wide,
            layout=w.Layout(width="100%", max_width="340px"),
        )
        super().__init__([self.style_type, self.preset, self.codes], layout=w.Layout(width="100%"))

    def value(self) -> Style | None:
        """The chosen style, or None. Raises InputError for a bad combination or bad codes."""
        codes = [c.strip() for c in self.codes.value.replace(";", ",").split(",") if c.strip()]
        style_type = self.style_type.value or None
        preset = self.preset.value or None
        if style_type is None and preset is None and not codes:
            return None
        return Style(style_type=style_type, style_preset=preset, style_codes=codes)


def _swatches(colors: tuple[str, ...] | list[str], size: int = 14) -> str:
    cells = "".join(
        f'<span class="iw-swatch" style="width:{size}px;height:{size}px;background:{c}"></span>'
        for c in colors
    )
    return f'<span class="iw-swatches" aria-hidden="true">{cells}</span>'


class PalettePicker(w.VBox):
    """Ideogram's palette presets as swatches, or custom colours with weights."""

    MAX_CUSTOM = 5

    def __init__(self) -> None:
        self.mode = w.ToggleButtons(
            options=["none", "preset", "custom"],
            value="none",
            tooltips=["no palette", "one of Ideogram's named palettes", "up to five colours with weights"],
        )
        self.mode.style.button_width = "70px"
        self.preset = w.RadioButtons(
            options=list(PALETTE_PRESETS), value="EMBER", layout=w.Layout(width="140px")
        )
        preview_rows = "".join(
            f'<div style="height:21px;line-height:21px">{_swatches(colors)}</div>'
            for colors in PALETTE_PRESETS.values()
        )
        self.preset_box = w.HBox([self.preset, w.HTML(f'<div style="padding-top:2px">{preview_rows}</div>')])
        self.colors = [
            w.ColorPicker(
                concise=True,
                value=c,
                description=f"colour {i + 1}",
                style={"description_width": "56px"},
                layout=w.Layout(width="110px"),
            )
            for i, c in enumerate(("#E0542E", "#2A9D8F", "#F4A261", "#264653", "#E9C46A"))
        ]
        # number boxes, not sliders: a real <input> with its own label, typed or stepped from the keyboard
        self.weights = [
            w.BoundedFloatText(
                value=1.0,
                min=0.05,
                max=1.0,
                step=0.05,
                description="weight",
                style={"description_width": "46px"},
                layout=w.Layout(width="130px"),
            )
            for _ in self.colors
        ]
        self.count = w.BoundedIntText(
            value=2, min=1, max=self.MAX_CUSTOM, description="colours", layout=w.Layout(width="140px")
        )
        self.rows = [w.HBox([c, s]) for c, s in zip(self.colors, self.weights, strict=True)]
        self.custom_box = w.VBox([self.count, *self.rows])
        super().__init__([self.mode])
        self.mode.observe(lambda _: self._layout(), "value")
        self.count.observe(lambda _: self._layout(), "value")
        self._layout()

    def _layout(self) -> None:
        for i, row in enumerate(self.rows):
            row.layout.display = "flex" if i < self.count.value else "none"
        extra = {"preset": [self.preset_box], "custom": [self.custom_box]}.get(self.mode.value, [])
        self.children = [self.mode, *extra]

    def value(self) -> ColorPalette | None:
        """The chosen palette, or None."""
        if self.mode.value == "preset":
            return ColorPalette.preset(self.preset.value)
        if self.mode.value == "custom":
            pairs = [(self.colors[i].value, float(self.weights[i].value)) for i in range(self.count.value)]
            return ColorPalette.custom(pairs)
        return None


class GenerationControls(w.VBox):
    """Prompt (edit only), rendering speed, magic prompt (edit only), seed, style and palette.

    ``options()`` returns keyword arguments for EditInput / ReframeInput; ``show_error(field, message)``
    puts a message under the matching control and ``clear_errors()`` removes them all.
    """

    def __init__(
        self,
        *,
        prompt: bool = True,
        rendering_speed: str = "BALANCED",
        magic_prompt: str = "ON",
        seed: int | None = None,
    ) -> None:
        self.has_prompt = prompt
        self.prompt = w.Textarea(
            placeholder="Describe what the painted area should become…",
            layout=w.Layout(width="100%", height="64px"),
        )
        self.speed = w.ToggleButtons(
            options=[s.value for s in RenderingSpeed],
            value=RenderingSpeed.coerce(rendering_speed).value,
            tooltips=[_SPEED_TIPS[s.value] for s in RenderingSpeed],
        )
        self.speed.style.button_width = "100px"
        self.magic = w.ToggleButtons(
            options=[m.value for m in MagicPrompt],
            value=MagicPrompt.coerce(magic_prompt).value,
            tooltips=[_MAGIC_TIPS[m.value] for m in MagicPrompt],
        )
        self.magic.style.button_width = "60px"
        self.seed = SeedControl(seed, keep=seed is not None)
        self.style = StylePicker()
        self.palette = PalettePicker()
        self.errors = {
            name: ErrorLabel()
            for name in ("prompt", "rendering_speed", "magic_prompt", "seed", "style", "color_palette")
        }
        sections = []
        if prompt:
            sections.append(_labelled("Prompt", self.prompt, self.errors["prompt"]))
        sections.append(
            _labelled("Rendering speed", self.speed, self.errors["rendering_speed"], "TURBO is the cheapest")
        )
        if prompt:
            sections.append(_labelled("Magic prompt", self.magic, self.errors["magic_prompt"]))
        sections.append(_labelled("", self.seed, self.errors["seed"], "same seed + same input = same result"))
        self.sections = [
            Section("Style", _labelled("", self.style, self.errors["style"])),
            Section("Colour palette", _labelled("", self.palette, self.errors["color_palette"])),
        ]
        super().__init__([*sections, *self.sections], layout=w.Layout(width="100%"))

    def options(self, *, new_seed: bool = True) -> dict[str, Any]:
        """Keyword arguments for an input. Rolls the seed first unless ``keep`` is on (or ``new_seed`` is
        False). Raises InputError (from the style or palette pickers) for bad values."""
        out: dict[str, Any] = {
            "rendering_speed": self.speed.value,
            "seed": self.seed.next_seed() if new_seed else self.seed.value,
        }
        if self.has_prompt:
            out["prompt"] = self.prompt.value
            out["magic_prompt"] = self.magic.value
        style = self.style.value()
        if style is not None:
            out["style"] = style
        palette = self.palette.value()
        if palette is not None:
            out["color_palette"] = palette
        return out

    def on_change(self, callback: Callable[[Any], object]) -> None:
        """Call ``callback(change)`` whenever a style or palette setting changes (the widget re-validates:
        a bad combination shows under its section at once, not only at Submit)."""
        style, palette = self.style, self.palette
        for control in (style.style_type, style.preset, style.codes, palette.mode, palette.preset):
            control.observe(callback, "value")
        for control in (*palette.colors, *palette.weights, palette.count):
            control.observe(callback, "value")

    def show_setting_error(self, error: InputError | None) -> None:
        """Show ``error`` under the style or palette section it belongs to, and clear the other; None
        clears both (the settings are fine)."""
        owner = error.field.split(".", 1)[0] if error is not None else None
        for name in ("style", "color_palette"):
            self.errors[name].show(
                (error.reason or str(error)) if error is not None and owner == name else None
            )

    def show_error(self, field: str, message: str) -> bool:
        """Show ``message`` under the control for ``field`` (``style.style_codes`` → style). Returns False
        when no control here owns that field."""
        label = self.errors.get(field.split(".", 1)[0])
        if label is None:
            return False
        label.show(message)
        return True

    def clear_errors(self) -> None:
        """Hide every error message."""
        for label in self.errors.values():
            label.show(None)
