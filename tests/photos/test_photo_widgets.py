"""The editing widgets with photos: upright, sized by the upright picture, the size sent said before
Submit, URLs downloaded once (the URL is what is sent), and a payload that cannot go caught beforehand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from ideogram_widgets.api import AsyncClient, InputError
from ideogram_widgets.widgets import EditWidget, ReframeWidget
from tests._timing import wait_until

from .photos import phone_jpeg, quadrant_colour, upright_picture

PORTRAIT = (1512, 2016)  # a phone photo at half the sensor's resolution, upright portrait
WIDGET_OPTIONS: dict[str, Any] = {"rendering_speed": "TURBO"}


@pytest.fixture(scope="module")
def portrait_jpeg() -> bytes:
    return phone_jpeg(upright_picture(PORTRAIT), 6)  # stored 2016×1512, "rotate 90° to view"


def client(sandbox: Any, **options: Any) -> AsyncClient:
    return AsyncClient(base_url=sandbox.url + "/v1", **options)


def test_a_portrait_phone_jpeg_opens_upright_and_says_the_size_sent(sandbox, portrait_jpeg, tmp_path):
    widget = EditWidget(portrait_jpeg, "a door", client=client(sandbox), journal=tmp_path, **WIDGET_OPTIONS)
    assert widget.image.size == PORTRAIT
    assert widget.painter.mask_array.shape == (PORTRAIT[1], PORTRAIT[0])  # sized by the upright picture
    mask = np.zeros((PORTRAIT[1], PORTRAIT[0]), bool)
    mask[800:1200, 500:1000] = True
    widget.mask = mask
    assert not widget.submit_button.disabled
    assert "sent at 1152×1536; the result is put back into your 1512×2016 original" in widget.reason.value


def test_a_small_picture_says_nothing_about_the_size_sent(sandbox, tmp_path):
    widget = EditWidget(upright_picture((400, 300)), "x", client=client(sandbox), journal=tmp_path)
    mask = np.zeros((300, 400), bool)
    mask[100:200, 100:200] = True
    widget.mask = mask
    assert "sent at" not in widget.reason.value


@pytest.fixture(scope="module")
def hosted(sandbox: Any, portrait_jpeg: bytes) -> str:
    """The portrait photo hosted by the sandbox (its upload endpoint), as a URL."""
    answer = httpx.post(sandbox.url + "/_sandbox/uploads", content=portrait_jpeg, timeout=30)
    answer.raise_for_status()
    return str(answer.json()["url"])


async def test_an_edit_widget_given_a_url_downloads_it_once_and_sends_the_url(sandbox, hosted, tmp_path):
    widget = EditWidget(hosted, "a door", client=client(sandbox), journal=tmp_path, **WIDGET_OPTIONS)
    assert widget.image.size == PORTRAIT  # shown, and the mask sized, by the downloaded picture
    assert quadrant_colour(widget.image, "top-left")[0] > 150  # upright: red at the top left
    mask = np.zeros((PORTRAIT[1], PORTRAIT[0]), bool)
    mask[800:1200, 500:1000] = True
    widget.mask = mask
    inp = widget.build_input(new_seed=False)
    assert inp.to_payload()["image"] == hosted
    job = widget.submit()
    result = await job
    assert result.image.size == PORTRAIT  # the sandbox edited the picture behind the URL


def test_a_reframe_widget_given_a_url_sends_the_url(sandbox, hosted, tmp_path):
    widget = ReframeWidget(hosted, client=client(sandbox), journal=tmp_path)
    assert widget.image.size == PORTRAIT
    assert widget.build_input(new_seed=False).to_payload()["image"] == hosted


@pytest.mark.parametrize(
    ("url", "phrase"),
    [("http://127.0.0.1:9/photo.jpg", "downloading it failed"), ("https://", "no host")],
)
def test_a_url_that_cannot_be_downloaded_is_a_typed_error(url, phrase, tmp_path):
    with pytest.raises(InputError) as info:
        EditWidget(url, journal=tmp_path)
    assert info.value.field == "image"
    assert phrase in str(info.value)


def test_a_url_that_is_not_an_image_is_a_typed_error(sandbox, tmp_path):
    with pytest.raises(InputError, match="not a readable image"):
        EditWidget(sandbox.url + "/", journal=tmp_path)  # the sandbox's JSON index page


def test_a_payload_that_cannot_go_disables_submit_before_anything_is_sent(
    sandbox: Any, tmp_path: Path
) -> None:
    widget = EditWidget(upright_picture((3200, 400)), "x", client=client(sandbox), journal=tmp_path)
    mask = np.ones((400, 3200), bool)
    mask[:, 1600] = False  # partial at full size; at the 1536-px working size every pixel is edit
    widget.mask = mask
    wait_until(lambda: widget.submit_button.disabled, what="the preflight to disable Submit")
    assert "at the size sent, 1536×192, the mask covers the whole image" in widget.reason.value
    widget.prompt = "y"  # another change that does not fix it keeps Submit disabled, with the reason
    assert widget.submit_button.disabled
    assert "covers the whole image" in widget.reason.value
    assert widget.jobs == []
