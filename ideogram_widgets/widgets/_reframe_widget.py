"""ReframeWidget: pick one of the 69 output resolutions, see where the image will sit, submit.

Example (a notebook cell)::

    import ideogram_widgets as iw
    widget = iw.ReframeWidget(iw.sample_image())
    widget                              # pick a resolution, press Submit
    widget.resolution = "1536x640"      # or drive it from Python
    job = widget.submit()
    (await job).image.size              # (1536, 640)
"""

from __future__ import annotations

import os
from typing import Any

import ipywidgets as w

from ..api import AsyncClient, InputError, ReframeInput, Resolution
from ..api._media import ImageSource
from ..api._resolution import Orientation
from ..jobs import Journal
from ._controls import ErrorLabel, GenerationControls
from ._framing import FramingPreview
from ._studio import Studio

__all__ = ["ReframeWidget"]


class ResolutionPicker(w.VBox):
    """The 69 resolutions grouped by orientation, ordered by aspect ratio, the closest one starred."""

    def __init__(self, closest: Resolution, value: Resolution) -> None:
        self.closest = closest
        self.groups = Resolution.grouped()
        self.orientation = w.ToggleButtons(
            options=["landscape", "square", "portrait"],
            value=value.orientation,
            tooltips=["wider than tall", "1:1", "taller than wide"],
        )
        self.orientation.style.button_width = "90px"
        self.choice = w.Select(
            rows=9,
            description="size",
            style={"description_width": "32px"},
            layout=w.Layout(width="300px"),
        )
        self.choice.add_class("iw-resolution-list")
        self.error = ErrorLabel()
        self._fill(value.orientation)
        self.choice.value = value.value
        self.orientation.observe(self._orientation_changed, "value")
        super().__init__([self.orientation, self.choice, self.error])

    def _fill(self, orientation: Orientation) -> None:
        self.choice.options = [
            (r.label + ("  ★ closest to the image" if r == self.closest else ""), r.value)
            for r in self.groups[orientation]
        ]

    def set_closest(self, closest: Resolution) -> None:
        """Star ``closest`` (the resolution nearest a new image's aspect), keeping the current choice."""
        if closest == self.closest:
            return
        self.closest = closest
        chosen = self.choice.value
        with self.choice.hold_sync():  # one message: the page never shows the refilled list unchosen
            self._fill(self.orientation.value)
            self.choice.value = chosen

    def _orientation_changed(self, change: Any) -> None:
        group = self.groups[change.new]
        # the new list and its choice reach the page in one message: a size picked as soon as the list
        # shows is never overwritten by a choice that comes after it
        with self.choice.hold_sync():
            self._fill(change.new)
            self.choice.value = (self.closest if self.closest in group else group[len(group) // 2]).value

    @property
    def value(self) -> Resolution:
        """The chosen resolution."""
        return Resolution.parse(self.choice.value)

    @value.setter
    def value(self, resolution: Resolution | str | tuple[int, int]) -> None:
        res = Resolution.parse(resolution)
        if self.orientation.value != res.orientation:
            self.orientation.value = res.orientation
        self.choice.value = res.value


class ReframeWidget(Studio):
    """Outpaint an image to one of the 69 resolutions, with a framing preview and background jobs.

    Args:
        image: a PIL image, numpy array, path, bytes, or an http(s) URL (downloaded once to show it;
            the URL itself is sent).
        resolution: the initial choice (default: the closest to the image's aspect ratio).
        rendering_speed, seed: initial control values.
        client: an AsyncClient (default: the hosted service with ``RUNCOMFY_API_TOKEN``, else the sandbox).
        journal: where jobs are recorded (default: the user's data directory).
    """

    run_kind = "reframe"

    def __init__(
        self,
        image: ImageSource,
        resolution: Resolution | str | tuple[int, int] | None = None,
        *,
        rendering_speed: str = "BALANCED",
        seed: int | None = None,
        client: AsyncClient | None = None,
        journal: Journal | str | os.PathLike[str] | None = None,
    ) -> None:
        controls = GenerationControls(prompt=False, rendering_speed=rendering_speed, seed=seed)
        super().__init__(image, controls, client=client, journal=journal, submit_label="Reframe")
        closest = Resolution.closest_to(self.image)
        start = Resolution.parse(resolution) if resolution is not None else closest
        self.picker = ResolutionPicker(closest, start)
        self.preview = FramingPreview(self.image, start)
        self.picker.choice.observe(self._resolution_changed, "value")
        left = w.VBox(
            [
                w.HTML("<b class='iw-heading'>Output resolution</b>"),
                self.picker,
                w.HTML("<b class='iw-heading'>Framing</b>"),
                self.preview,
                self.preview.caption,
            ]
        )
        self.arrange(left, "iw-reframe-widget")

    def _resolution_changed(self, change: Any) -> None:
        if change.new:
            self.preview.show(change.new)
            self.validate()

    @property
    def resolution(self) -> Resolution:
        """The chosen output resolution (settable with any spelling Resolution.parse accepts)."""
        return self.picker.value

    @resolution.setter
    def resolution(self, value: Resolution | str | tuple[int, int]) -> None:
        try:
            self.picker.value = value
        except InputError as err:
            self.picker.error.show(err.reason or str(err))
            raise
        self.picker.error.show(None)

    def set_image(self, image: ImageSource) -> None:
        """Make ``image`` the new input: the preview is redrawn and the resolution closest to its aspect
        gets the star (the choice stays as it was)."""
        super().set_image(image)
        self.picker.set_closest(Resolution.closest_to(self.image))
        self.preview.set_source(self.image)

    def build_input(self, *, new_seed: bool) -> ReframeInput:
        """The validated ReframeInput for the current choices."""
        return ReframeInput(self.sent_image, self.picker.value, **self.controls.options(new_seed=new_seed))

    def route_error(self, error: InputError) -> None:
        """Resolution errors go under the picker; the rest as usual."""
        if error.field == "resolution":
            self.picker.error.show(error.reason or str(error))
        else:
            super().route_error(error)
