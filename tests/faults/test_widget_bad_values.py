"""Every control of EditWidget and ReframeWidget fed bad values, from Python and as the browser would.

For each bad value: a clear message appears next to the control that caused it, Submit is disabled (and
says why) or ``submit()`` raises ``InputError``, nothing reaches the service (the sandbox's counters stay
at zero), and no widget anywhere in the tree holds traceback text. Values the browser's own controls clamp
(numbers in bounded boxes and sliders) must end up in range; updates a control refuses must leave it as it
was.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import ipywidgets as w
import numpy as np
import pytest
from starlette.applications import Starlette
from traitlets import TraitError

from ideogram_widgets.api import AsyncClient, InputError
from ideogram_widgets.api._options import SEED_MAX
from ideogram_widgets.jobs import JournalError, stop_all
from ideogram_widgets.samples import sample_image
from ideogram_widgets.sandbox import SandboxConfig
from ideogram_widgets.widgets import EditWidget, ReframeWidget
from ideogram_widgets.widgets._controls import ErrorLabel
from ideogram_widgets.widgets._studio import Studio

from .conftest import all_widgets, png_bytes

IMAGE = sample_image(120, 80)
MASK = np.zeros((80, 120), bool)
MASK[10:40, 60:110] = True


# ---------------------------------------------------------------------------------------------- fixtures


@pytest.fixture
def backend(sandbox_app: Callable[..., Starlette]) -> Iterator[tuple[AsyncClient, Starlette]]:
    """A client on a fresh in-process sandbox (and the app, to read its counters)."""
    app = sandbox_app(SandboxConfig(speed_scale=0.01, workers=2))
    client = AsyncClient(None, base_url="http://sandbox/v1", transport=httpx.ASGITransport(app=app))
    yield client, app
    stop_all()


@pytest.fixture
def edit(backend: tuple[AsyncClient, Starlette], tmp_path: Path) -> EditWidget:
    """An EditWidget whose input is valid until a test breaks it."""
    widget = EditWidget(
        IMAGE,
        "a crescent moon",
        mask=MASK,
        client=backend[0],
        journal=tmp_path / "journal",
        rendering_speed="TURBO",
        seed=7,
    )
    assert widget.validate() is None
    return widget


@pytest.fixture
def reframe(backend: tuple[AsyncClient, Starlette], tmp_path: Path) -> ReframeWidget:
    widget = ReframeWidget(
        IMAGE, "1024x1024", client=backend[0], journal=tmp_path / "journal", rendering_speed="TURBO"
    )
    assert widget.validate() is None
    return widget


def submits(app: Starlette) -> int:
    """Submit requests the sandbox received (faulted or not, accepted or not)."""
    stats: dict[str, Any] = app.state.sandbox.stats()
    return int(stats["requests"].get("submit", 0)) + int(stats["submits"])


def no_traceback_anywhere(root: w.Widget) -> None:
    for widget in all_widgets(root):
        text = json.dumps(
            widget.get_state(), default=lambda v: "<bytes>" if isinstance(v, bytes) else repr(v)
        )
        assert "Traceback" not in text, f"{type(widget).__name__} shows a traceback"
        assert 'File "' not in text


def shown(label: ErrorLabel) -> str:
    """The text of an error label, or '' when it is hidden."""
    return str(label.value) if label.layout.display == "block" else ""


def refused(widget: Studio, app: Starlette, label: ErrorLabel, words: str) -> None:
    """The input is refused: Submit disabled with a reason, submit() raises InputError, the message is
    next to ``label``'s control, nothing was sent, no traceback anywhere."""
    reason = widget.validate()
    assert reason, "the input was accepted"
    assert widget.submit_button.disabled
    assert widget.reason.value
    with pytest.raises(InputError):
        widget.submit()
    assert words.lower() in shown(label).lower(), (words, label.value)
    assert submits(app) == 0
    assert widget.jobs == []
    no_traceback_anywhere(widget)


# ---------------------------------------------------------------------------------------------- cases

Case = Callable[[Studio], ErrorLabel]


def _prompt(text: str) -> Case:
    def apply(widget: Studio) -> ErrorLabel:
        widget.controls.prompt.value = text
        return widget.controls.errors["prompt"]

    return apply


def _codes(codes: str, style_type: str | None = None) -> Case:
    def apply(widget: Studio) -> ErrorLabel:
        widget.controls.style.style_type.value = style_type
        widget.controls.style.codes.value = codes
        return widget.controls.errors["style"]

    return apply


def _colour(value: str, weight: float = 1.0) -> Case:
    def apply(widget: Studio) -> ErrorLabel:
        palette = widget.controls.palette
        palette.mode.value = "custom"
        palette.colors[0].value = value
        palette.weights[0].set_state({"value": weight})  # as the browser's slider sends it
        return widget.controls.errors["color_palette"]

    return apply


CONTROL_CASES: dict[str, tuple[Case, str]] = {
    "style codes that are not hex": (_codes("zzzzzzzz"), "8 hexadecimal digits"),
    "a style code of 7 digits": (_codes("0A1B2C3"), "8 hexadecimal digits"),
    "a good and a bad style code": (_codes("0A1B2C3D, <script>"), "8 hexadecimal digits"),
    "a style code of 10 kB": (_codes("A" * 10_000), "8 hexadecimal digits"),
    "style codes with a style type": (_codes("0A1B2C3D", "REALISTIC"), "cannot be combined"),
    "a palette colour by name": (_colour("red"), "#RRGGBB"),
    "a palette colour of 3 digits": (_colour("#f00"), "#RRGGBB"),
    "a palette weight that is not a number": (_colour("#112233", float("nan")), "weight"),
}
EDIT_CASES: dict[str, tuple[Case, str]] = {
    "an empty prompt": (_prompt(""), "prompt is empty"),
    "a prompt of whitespace": (_prompt(" \n\t\u3000 "), "prompt is empty"),
    **CONTROL_CASES,
}


@pytest.mark.parametrize("case", sorted(EDIT_CASES))
def test_edit_controls_refuse_bad_values(
    case: str, edit: EditWidget, backend: tuple[AsyncClient, Starlette]
) -> None:
    apply, words = EDIT_CASES[case]
    label = apply(edit)
    refused(edit, backend[1], label, words)


@pytest.mark.parametrize("case", sorted(CONTROL_CASES))
def test_reframe_controls_refuse_bad_values(
    case: str, reframe: ReframeWidget, backend: tuple[AsyncClient, Starlette]
) -> None:
    apply, words = CONTROL_CASES[case]
    label = apply(reframe)
    refused(reframe, backend[1], label, words)


def test_a_message_goes_away_once_the_value_is_fixed(edit: EditWidget) -> None:
    _codes("nothex!!")(edit)
    with pytest.raises(InputError):
        edit.submit()
    assert shown(edit.controls.errors["style"])
    edit.controls.style.codes.value = "0A1B2C3D"
    assert edit.validate() is None
    assert not edit.submit_button.disabled


def test_a_huge_prompt_is_checked_quickly_and_shown_without_harm(edit: EditWidget) -> None:
    """A 1 MB prompt is over the documented cap (MAX_PROMPT_CHARS): refused before sending, with
    the reason beside Submit, and nothing may break."""
    edit.controls.prompt.value = "a moon " * 150_000
    reason = edit.validate()
    assert reason is not None
    assert "at most 10,000 are sent" in reason
    assert edit.submit_button.disabled
    no_traceback_anywhere(edit)


# ---------------------------------------------------------------------------------------------- seeds


@pytest.mark.parametrize(("typed", "expected"), [(-5, 0), (-(2**63), 0), (2**40, SEED_MAX), (1.9, 1)])
def test_seeds_typed_into_the_box_end_up_in_range(
    typed: float, expected: int, edit: EditWidget, backend: tuple[AsyncClient, Starlette]
) -> None:
    edit.controls.seed.keep.value = True
    edit.controls.seed.value_box.set_state({"value": typed})  # what the browser's box sends
    assert edit.controls.seed.value == expected
    inp = edit.build_input(new_seed=True)
    assert inp.seed == expected
    assert edit.validate() is None


@pytest.mark.parametrize("typed", ["abc", "", None, [1], {"x": 1}])
def test_a_seed_that_is_not_a_number_is_refused_and_the_box_keeps_its_value(
    typed: Any, edit: EditWidget
) -> None:
    with pytest.raises(TraitError):
        edit.controls.seed.value_box.set_state({"value": typed})
    assert edit.controls.seed.value == 7
    assert edit.validate() is None


@pytest.mark.parametrize("seed", [-1, SEED_MAX + 1, 2**64, "abc", 1.5, True])
def test_a_bad_initial_seed_is_a_typed_error(
    seed: Any, backend: tuple[AsyncClient, Starlette], tmp_path: Path
) -> None:
    for make in (
        lambda: EditWidget(IMAGE, "x", client=backend[0], journal=tmp_path, seed=seed),
        lambda: ReframeWidget(IMAGE, client=backend[0], journal=tmp_path, seed=seed),
    ):
        with pytest.raises(InputError, match="seed"):
            make()


# ---------------------------------------------------------------------------------------------- choices


@pytest.mark.parametrize(
    ("control", "state"),
    [
        ("speed", {"index": 99}),
        ("speed", {"index": -2}),
        ("magic", {"index": 3}),
        ("style.style_type", {"index": 1000}),
        ("style.preset", {"index": 10**6}),
        ("palette.mode", {"index": 5}),
        ("palette.preset", {"index": 42}),
        ("palette.colors.0", {"value": "javascript:alert(1)"}),
        ("palette.colors.0", {"value": "#GGGGGG"}),
    ],
)
def test_choices_refuse_updates_outside_their_options(
    control: str, state: dict[str, Any], edit: EditWidget
) -> None:
    target: Any = edit.controls
    for part in control.split("."):
        target = target[int(part)] if part.isdigit() else getattr(target, part)
    before = target.get_state()
    with pytest.raises(TraitError):
        target.set_state(state)
    assert target.get_state() == before
    assert edit.validate() is None


@pytest.mark.parametrize(("typed", "expected"), [(0, 1), (-3, 1), (99, 5)])
def test_palette_colour_counts_end_up_in_range(typed: int, expected: int, edit: EditWidget) -> None:
    palette = edit.controls.palette
    palette.mode.value = "custom"
    palette.count.set_state({"value": typed})
    assert palette.count.value == expected
    assert edit.validate() is None
    assert len(edit.build_input(new_seed=False).settings()["color_palette"]["members"]) == expected


@pytest.mark.parametrize("weight", [-1.0, 0.0, 7.5, float("inf")])
def test_palette_weights_end_up_in_range(weight: float, edit: EditWidget) -> None:
    palette = edit.controls.palette
    palette.mode.value = "custom"
    palette.weights[0].set_state({"value": weight})
    assert 0.05 <= palette.weights[0].value <= 1.0
    assert edit.validate() is None


# ---------------------------------------------------------------------------------------------- masks


def browser_mask(widget: EditWidget, png: bytes, version_step: int = 1) -> None:
    """What the browser sends at the end of a stroke: the PNG as a binary buffer and a newer version."""
    widget.painter._handle_msg(
        {
            "content": {
                "data": {
                    "method": "update",
                    "state": {"mask_version": widget.painter.mask_version + version_step, "mask_png": None},
                    "buffer_paths": [["mask_png"]],
                }
            },
            "buffers": [memoryview(png)],
        }
    )


def mask_png(mask: np.ndarray) -> bytes:
    from ideogram_widgets.widgets._mask_codec import encode_mask

    return encode_mask(mask)


def test_an_empty_mask_is_refused_under_the_painter(
    edit: EditWidget, backend: tuple[AsyncClient, Starlette]
) -> None:
    edit.painter.clear()
    refused(edit, backend[1], edit.mask_error, "marks nothing")


def test_a_full_mask_is_refused_under_the_painter(
    edit: EditWidget, backend: tuple[AsyncClient, Starlette]
) -> None:
    browser_mask(edit, mask_png(np.ones((80, 120), bool)))
    refused(edit, backend[1], edit.mask_error, "whole image")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (np.ones((10, 10), bool), "10×10"),
        (np.ones((80, 120, 3), bool), "2-D"),
        (np.zeros((0, 0), bool), "0×0"),
        (b"not an image at all", "not a readable image"),
        (png_bytes((120, 81)), "120×81"),
        ("https://example.com/mask.png", "local mask"),
        (object(), "PIL image"),
    ],
)
def test_a_bad_mask_from_python_is_refused_under_the_painter(
    value: Any, words: str, edit: EditWidget, backend: tuple[AsyncClient, Starlette]
) -> None:
    version = edit.painter.mask_version
    with pytest.raises(InputError):
        edit.mask = value
    assert words in shown(edit.mask_error)
    assert edit.painter.mask_version == version  # the mask it had is kept
    assert submits(backend[1]) == 0
    no_traceback_anywhere(edit)


@pytest.mark.parametrize(
    "png",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"\0" * 40, id="a broken PNG"),
        pytest.param(png_bytes((10, 10)), id="the wrong size"),
        pytest.param(png_bytes((120, 80), fmt="JPEG"), id="a JPEG"),
    ],
)
def test_a_bad_mask_from_the_browser_is_dropped_and_the_kept_one_sent_back(
    png: bytes, edit: EditWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent_back: list[Any] = []
    monkeypatch.setattr(edit.painter, "send_state", lambda key=None: sent_back.append(key))
    version = edit.painter.mask_version
    browser_mask(edit, png)  # a message from the browser: nothing to raise to, it is answered instead
    assert edit.painter.mask_version == version
    assert np.array_equal(edit.painter.mask_array, MASK)  # the mask it had is kept...
    assert sent_back == [["mask_png", "mask_version", "coverage"]]  # ...and shown in the browser again
    assert edit.validate() is None
    assert not edit.submit_button.disabled
    assert shown(edit.mask_error) == ""
    no_traceback_anywhere(edit)


def test_an_empty_mask_from_the_browser_is_a_cleared_mask(
    edit: EditWidget, backend: tuple[AsyncClient, Starlette]
) -> None:
    version = edit.painter.mask_version
    browser_mask(edit, b"")  # b"" is how the painter sends "nothing marked"
    assert edit.painter.mask_version == version + 1
    assert not edit.painter.mask_array.any()
    assert edit.painter.mask_array.shape == (80, 120)
    refused(edit, backend[1], edit.mask_error, "marks nothing")


def test_a_stale_browser_mask_is_ignored(edit: EditWidget) -> None:
    version = edit.painter.mask_version
    browser_mask(edit, mask_png(np.ones((80, 120), bool)), version_step=0)
    assert edit.painter.mask_version == version
    assert np.array_equal(edit.painter.mask_array, MASK)


@pytest.mark.parametrize(
    ("image", "words"),
    [
        (b"<html>not an image</html>", "not a readable image"),
        ("/no/such/file.png", "no such file"),
        (np.zeros((5, 5, 7), np.uint8), "shape"),
        (png_bytes((1, 1))[:20], "not a readable image"),
    ],
)
def test_a_non_image_as_the_new_input_is_refused_with_a_message(
    image: Any, words: str, edit: EditWidget, reframe: ReframeWidget
) -> None:
    for widget, label in ((edit, edit.mask_error), (reframe, reframe.submit_error)):
        before = widget.image
        with pytest.raises(InputError):
            widget.set_image(image)  # what "use as input" does with a result
        assert widget.image is before
        assert words in shown(label), (type(widget).__name__, label.value)
        no_traceback_anywhere(widget)


# ---------------------------------------------------------------------------------------------- resolution


@pytest.mark.parametrize(
    "value",
    [
        "banana",
        "",
        "1024x1023",
        "0x0",
        "-1024x-1024",
        "99999999999999999999x1",
        "1024:1024 (4:3)x",
        (1024,),
        (float("inf"), 1024),
        (float("nan"), 1024),
        ("a", "b"),
        None,
        1024,
    ],
)
def test_a_bad_resolution_from_python_is_refused_under_the_picker(
    value: Any, reframe: ReframeWidget, backend: tuple[AsyncClient, Starlette]
) -> None:
    before = reframe.resolution
    with pytest.raises(InputError, match="69"):
        reframe.resolution = value
    assert reframe.resolution == before
    assert "69" in shown(reframe.picker.error)
    reframe.resolution = "1536x640"  # a good one clears the message
    assert not shown(reframe.picker.error)
    assert submits(backend[1]) == 0
    no_traceback_anywhere(reframe)


def test_a_bad_initial_resolution_is_a_typed_error(backend: tuple[AsyncClient, Starlette]) -> None:
    with pytest.raises(InputError, match="69"):
        ReframeWidget(IMAGE, "1000x1000", client=backend[0])


def test_the_resolution_list_refuses_an_unknown_entry(reframe: ReframeWidget) -> None:
    before = reframe.resolution
    with pytest.raises(TraitError):
        reframe.picker.choice.set_state({"index": 999})
    assert reframe.resolution == before
    assert reframe.validate() is None


# ---------------------------------------------------------------------------------------------- token field


@pytest.mark.parametrize(
    "content",
    [
        {"type": "set_token", "token": ""},
        {"type": "set_token", "token": "   "},
        {"type": "set_token", "token": None},
        {"type": "set_token", "token": 12345},
        {"type": "set_token", "token": ["a", "b"]},
        {"type": "set_token", "token": "two\nlines"},
        {"type": "set_token"},
        {"type": "unknown"},
        ["set_token", "x"],
        "set_token",
    ],
)
def test_the_token_field_ignores_what_is_not_a_token(
    content: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("RUNCOMFY_API_TOKEN", raising=False)
    widget = EditWidget(IMAGE, "x", mask=MASK, journal=tmp_path)
    client = widget.manager.client
    widget.token._receive(widget.token, content, [])
    assert widget.manager.client is client
    assert not widget.token.has_token
    no_traceback_anywhere(widget)


@pytest.mark.parametrize("token", ["ab\rcd", "\x00abc", "tab\there", "line\u2028sep", "del\x7f"])
def test_a_token_with_control_characters_is_refused_with_a_message(
    token: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("RUNCOMFY_API_TOKEN", raising=False)
    widget = EditWidget(IMAGE, "x", mask=MASK, journal=tmp_path)
    client = widget.manager.client
    widget.token._receive(widget.token, {"type": "set_token", "token": token}, [])  # must not raise
    assert widget.manager.client is client
    assert not widget.token.has_token
    assert "token" in widget.token.message
    assert token not in json.dumps(widget.token.get_state())
    no_traceback_anywhere(widget)


# ---------------------------------------------------------------------------------------------- files


async def test_unwritable_save_paths_say_so(edit: EditWidget, tmp_path: Path) -> None:
    job = edit.submit()
    await job
    panel = edit.panel
    for target, words in [
        ("/proc/no-such-dir/result.png", "could not save"),
        (str(tmp_path), "could not save"),  # a folder
        ("x" * 300 + ".png", "could not save"),  # a name too long
        ("bad\x00name.png", "could not save"),
        ("   ", "type a file name"),
    ]:
        assert panel.save(target) is None, target
        assert words in panel.message.value, (target, panel.message.value)
        assert "iw-state-error" in panel.message.value  # shown as an error
        no_traceback_anywhere(edit)
    good = tmp_path / "ok.png"
    assert panel.save(good) == good


async def test_an_unwritable_journal_sends_nothing(
    backend: tuple[AsyncClient, Starlette], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    widget = EditWidget(IMAGE, "x", mask=MASK, client=backend[0], journal=blocker / "journal")
    job = widget.submit()
    with pytest.raises(JournalError, match="nothing was sent"):
        await job
    assert job.state == "failed"
    assert "journal" in job.error
    assert submits(backend[1]) == 0
    no_traceback_anywhere(widget)
