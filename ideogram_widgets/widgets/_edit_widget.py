"""EditWidget: paint the area to change, describe the change, submit, keep working.

Example (a notebook cell)::

    import ideogram_widgets as iw
    widget = iw.EditWidget(iw.sample_image(), prompt="a crescent moon")
    widget                                   # paint over the sun, press Submit
    widget.mask = my_mask                    # or drive it from Python
    job = widget.submit()
    (await job).image
    widget.result                            # the newest finished result
"""

from __future__ import annotations

import os
from typing import Any

import ipywidgets as w
from PIL import Image

from ..api import AsyncClient, EditInput, InputError
from ..api._media import ImageSource, MaskSource
from ..jobs import Journal
from ._controls import ErrorLabel, GenerationControls
from ._mask_painter import MaskPainter
from ._studio import Studio

__all__ = ["EditWidget"]


class EditWidget(Studio):
    """Inpaint an image: a MaskPainter, a prompt, rendering speed, magic prompt, seed, style and palette,
    and background jobs with results, comparison and history.

    Args:
        image: a PIL image, numpy array, path, bytes, or an http(s) URL (downloaded once to show it;
            the URL itself is sent).
        prompt: the initial prompt.
        mask: an initial mask (True / white / opaque = edit).
        rendering_speed, magic_prompt, seed: initial control values.
        client: an AsyncClient (default: the hosted service with ``RUNCOMFY_API_TOKEN``, else the sandbox).
        journal: where jobs are recorded (default: the user's data directory).
        height: the drawing area's height in CSS pixels.
    """

    run_kind = "edit"

    def __init__(
        self,
        image: ImageSource,
        prompt: str = "",
        *,
        mask: MaskSource | None = None,
        rendering_speed: str = "BALANCED",
        magic_prompt: str = "ON",
        seed: int | None = None,
        client: AsyncClient | None = None,
        journal: Journal | str | os.PathLike[str] | None = None,
        height: int = 480,
    ) -> None:
        controls = GenerationControls(
            prompt=True, rendering_speed=rendering_speed, magic_prompt=magic_prompt, seed=seed
        )
        super().__init__(image, controls, client=client, journal=journal, submit_label="Submit")
        self.painter = MaskPainter(self.image, mask=mask, height=height)
        self.mask_error = ErrorLabel()
        controls.prompt.value = prompt
        controls.prompt.observe(self.validate, "value")
        self.painter.observe(self.validate, "mask_version")
        left = w.VBox([self.painter, self.mask_error], layout=w.Layout(flex="1 1 520px", min_width="320px"))
        self.arrange(left, "iw-edit-widget")

    # ----------------------------------------------------------------- Python-first access

    @property
    def prompt(self) -> str:
        """The prompt text."""
        return str(self.controls.prompt.value)

    @prompt.setter
    def prompt(self, text: str) -> None:
        self.controls.prompt.value = text

    @property
    def mask(self) -> Image.Image:
        """The mask as a PIL "L" image, 255 = edit; set it from a PIL image, array, path or bytes."""
        return self.painter.mask

    @mask.setter
    def mask(self, value: MaskSource) -> None:
        try:
            self.painter.mask = value
        except InputError as err:
            self.mask_error.show(err.reason or str(err))
            raise
        self.mask_error.show(None)

    def set_image(self, image: ImageSource) -> None:
        """Make ``image`` the new input (the mask is cleared). A non-image raises InputError, also shown
        under the painter."""
        try:
            self.painter.set_image(image)
        except InputError as err:
            self.mask_error.show(err.reason or str(err))
            raise
        self.mask_error.show(None)
        super().set_image(self.painter.image)

    # ----------------------------------------------------------------- submitting

    def build_input(self, *, new_seed: bool) -> EditInput:
        """The validated EditInput for the current mask, prompt and controls."""
        options = self.controls.options(new_seed=new_seed)
        return EditInput(self.sent_image, self.painter.mask_array, original=self.image, **options)

    def route_error(self, error: InputError) -> None:
        """Mask and image errors go under the painter; the rest as usual."""
        if error.field in ("mask", "image"):
            self.mask_error.show(error.reason or str(error))
        else:
            super().route_error(error)

    def validate(self, _: Any = None) -> str | None:
        """Check the input (on every prompt or mask change); clears the painter's error when fine."""
        reason = super().validate()
        if reason is None:
            self.mask_error.show(None)
        return reason
