"""ReframeWidget without a browser: resolution choice, framing preview, submit, results, errors."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from ideogram_widgets.api import AsyncClient, InputError, Resolution
from ideogram_widgets.samples import sample_image
from ideogram_widgets.widgets._reframe_widget import ReframeWidget
from tests._timing import wait_until_async

IMAGE = sample_image(300, 200)


@pytest.fixture
def widget(make_widget):
    return make_widget(ReframeWidget, IMAGE)


def test_starts_on_the_resolution_closest_to_the_image(widget):
    assert widget.resolution == Resolution.closest_to(IMAGE) == Resolution.parse("1248x832")
    labels = [label for label, _ in widget.picker.choice.options]
    assert sum("★" in label for label in labels) == 1
    assert widget.picker.orientation.value == "landscape"


def test_all_69_are_reachable_grouped_and_ordered(widget):
    seen = []
    for orientation in ("landscape", "square", "portrait"):
        widget.picker.orientation.value = orientation
        values = [value for _, value in widget.picker.choice.options]
        ratios = [Resolution.parse(v).ratio for v in values]
        assert ratios == sorted(ratios, reverse=True)
        seen += values
    assert len(seen) == len(set(seen)) == 69


def test_a_new_orientation_reaches_the_page_as_one_list_with_its_choice(widget):
    """The refilled list and the kernel's choice in it go in one message: were they two, a size the user
    picked as soon as the list showed would be overwritten by the choice arriving after it."""
    choice = widget.picker.choice
    sent: list[dict] = []
    send = choice._send

    def recording(msg: dict, buffers: object = None) -> None:
        sent.append(msg)
        send(msg, buffers)

    choice._send = recording
    widget.picker.orientation.value = "portrait"
    widget.set_image(sample_image(200, 300))  # the closest star moves: the list is refilled again
    choice._send = send
    states = [msg["state"] for msg in sent if msg.get("method") == "update"]
    assert len(states) == 2
    for state in states:
        assert {"_options_labels", "index"} <= state.keys()
        assert state["_options_labels"][state["index"]] == choice.label


def test_choosing_a_resolution_redraws_the_preview(widget):
    widget.resolution = "640x1536"
    assert widget.picker.orientation.value == "portrait"
    assert widget.preview.resolution.value == "640:1536 (5:12)"
    left, top, w, h = widget.preview.placement
    assert (left, w) == (0, 640)  # a landscape source fills the width of a portrait frame
    assert top > 0
    assert abs(top * 2 + h - 1536) <= 1  # centred


def test_a_bad_resolution_from_python_is_a_clear_error(widget):
    with pytest.raises(InputError, match="69"):
        widget.resolution = "1000x1000"


async def test_submit_runs_in_the_background_and_shows_the_result(widget):
    widget.resolution = "1536x640"
    job = widget.submit()
    assert job.state == "submitting"  # returned at once; the kernel stays free
    assert widget.jobs == [job]
    output = await job
    assert output.image.size == (1536, 640)
    # the panel observes the job and prepares the pictures on a thread: they follow the await shortly
    await wait_until_async(
        lambda: widget.panel.result_box.layout.display == "flex" and widget.panel.strip.children,
        what="the result shown",
    )
    assert widget.result is not None
    assert widget.result.size == (1536, 640)
    assert "done in" in widget.panel.rows.children[0].status.value
    assert bytes(widget.panel.view.after).startswith(b"\x89PNG")
    assert len(widget.panel.strip.children) == 1


async def test_keep_seed_reuses_it_and_random_rolls_a_new_one(widget):
    widget.controls.seed.keep.value = True
    widget.controls.seed.value_box.value = 1234
    first = widget.submit()
    second = widget.submit()
    assert first.params["seed"] == second.params["seed"] == 1234
    widget.controls.seed.keep.value = False
    third = widget.submit()
    assert third.params["seed"] != 1234
    await asyncio.gather(first, second, third)


async def test_use_as_input_makes_the_result_the_new_source(widget):
    widget.resolution = "1024x1024"
    await widget.submit()
    # None until the panel shows the result (its last update may follow the await by a tick)
    image = await wait_until_async(widget.panel.use_as_input, what="the result to use as input")
    assert image.size == (1024, 1024)
    assert widget.image.size == (1024, 1024)
    assert widget.preview.placement == (0, 0, 1024, 1024)  # a square source fills a square frame


async def test_copy_as_code_reproduces_the_run_without_the_token(sandbox_url, tmp_path):
    client = AsyncClient("tok-SECRET-123", base_url=sandbox_url + "/v1")
    widget = ReframeWidget(IMAGE, "1024x1024", client=client, journal=tmp_path, rendering_speed="TURBO")
    await widget.submit()
    code = widget.panel.show_code()
    assert code is not None
    assert "tok-SECRET-123" not in code
    assert "iw.ReframeInput(" in code
    assert "resolution='1024:1024 (1:1)'" in code
    path = code.split("'")[1]
    assert np.array_equal(np.asarray(__import__("PIL.Image").Image.open(path)), np.asarray(IMAGE))


def test_the_sandbox_banner_shows_without_a_token(monkeypatch, tmp_path):
    monkeypatch.delenv("RUNCOMFY_API_TOKEN", raising=False)
    widget = ReframeWidget(IMAGE, journal=tmp_path)
    assert "local sandbox" in widget.banner.value
    assert "not Ideogram" in widget.banner.value
    assert widget.banner.layout.display == "block"
    assert widget.token.has_token is False


def test_a_token_entered_in_the_field_switches_backend_but_never_becomes_state(monkeypatch, tmp_path):
    monkeypatch.delenv("RUNCOMFY_API_TOKEN", raising=False)
    widget = ReframeWidget(IMAGE, journal=tmp_path)
    widget.token._receive(widget.token, {"type": "set_token", "token": "tok-ABC-999"}, [])
    assert widget.manager.client.has_token
    assert widget.manager.client.label == "RunComfy Model API"
    assert widget.banner.layout.display == "none"
    state = str(widget.token.get_state()) + str(widget.get_state())
    assert "tok-ABC-999" not in state
    widget.token._receive(widget.token, {"type": "clear_token"}, [])
    assert not widget.manager.client.has_token
    assert "local sandbox" in widget.banner.value


def _starred(widget: ReframeWidget) -> list[str]:
    """Every resolution that carries the star, across the three orientations."""
    starred = []
    chosen = widget.resolution
    for orientation in ("landscape", "square", "portrait"):
        widget.picker.orientation.value = orientation
        starred += [value for label, value in widget.picker.choice.options if "★" in label]
    widget.resolution = chosen  # looking through the groups moved the choice: put it back
    return starred


def test_a_new_image_moves_the_closest_star_and_keeps_the_choice(widget):
    widget.resolution = "1536x640"
    assert _starred(widget) == ["1248:832 (3:2)"]
    portrait = sample_image(200, 300)
    widget.set_image(portrait)
    assert widget.resolution == Resolution.parse("1536x640")  # the user's choice is not changed
    closest = Resolution.closest_to(portrait)
    assert closest.orientation == "portrait"
    assert _starred(widget) == [closest.value]
    widget.picker.orientation.value = "portrait"  # switching group lands on the new closest
    assert widget.resolution == closest
