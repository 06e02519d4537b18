"""Style and palette changes re-validate the input at once: a bad setting disables Submit, says why under
its own section (never a traceback) and clears itself when put right."""

from __future__ import annotations

import numpy as np
import pytest

from ideogram_widgets.api import InputError
from ideogram_widgets.samples import sample_image
from ideogram_widgets.widgets import EditWidget, ReframeWidget

IMAGE = sample_image(240, 160)
MASK = np.zeros((160, 240), bool)
MASK[10:60, 170:230] = True


@pytest.fixture
def edit(make_widget):
    widget = make_widget(EditWidget, IMAGE, prompt="a crescent moon")
    widget.mask = MASK
    assert not widget.submit_button.disabled
    return widget


def test_a_style_type_with_style_codes_is_refused_under_the_style_section_at_once(edit):
    style = edit.controls.style
    style.codes.value = "0A1B2C3D"
    assert not edit.submit_button.disabled  # codes alone are fine
    style.style_type.value = "AUTO"  # codes exclude a style type: no Submit needed to find out
    label = edit.controls.errors["style"]
    assert edit.submit_button.disabled
    assert "style_codes" in label.value or "style type" in label.value
    assert label.layout.display == "block"
    assert "Traceback" not in label.value + edit.reason.value
    assert edit.controls.errors["color_palette"].value == ""
    style.style_type.value = ""
    assert not edit.submit_button.disabled
    assert label.value == ""
    assert label.layout.display == "none"


def test_malformed_style_codes_say_what_is_allowed(edit):
    edit.controls.style.codes.value = "0A1B2C3D, not-hex"
    label = edit.controls.errors["style"]
    assert edit.submit_button.disabled
    assert "8 hexadecimal digits" in label.value
    edit.controls.style.codes.value = "0A1B2C3D, 00FF00AA"
    assert label.value == ""
    assert not edit.submit_button.disabled


def test_a_custom_palette_colour_that_is_not_hex_is_refused_under_the_palette(make_widget):
    widget = make_widget(ReframeWidget, IMAGE)
    palette = widget.controls.palette
    palette.mode.value = "custom"
    assert not widget.submit_button.disabled
    palette.colors[1].value = "red"  # a colour picker takes CSS names; the service takes #RRGGBB
    label = widget.controls.errors["color_palette"]
    assert widget.submit_button.disabled
    assert "#RRGGBB" in label.value
    assert "Traceback" not in label.value
    with pytest.raises(InputError, match="color_palette"):
        widget.submit()
    palette.count.value = 1  # the bad colour is no longer used
    assert not widget.submit_button.disabled
    assert label.value == ""
