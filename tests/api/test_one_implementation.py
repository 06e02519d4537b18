"""One implementation per idea: every layer reaches the api's one function, and gets the same bytes/words."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ideogram_widgets.api import EditInput, InputError, ReframeInput
from ideogram_widgets.api import _masks as masks
from ideogram_widgets.api import _media as media
from ideogram_widgets.api import _png as png
from ideogram_widgets.api._intake import check_size, open_image
from ideogram_widgets.api._masks import check_mask_size, mask_image, mask_to_png, read_mask
from ideogram_widgets.api._options import MaskPolarity
from ideogram_widgets.jobs import Journal
from ideogram_widgets.widgets import MaskPainter, _mask_codec


def _mask() -> np.ndarray:
    mask = np.zeros((37, 53), bool)  # odd sizes: the 1-bit rows are padded to whole bytes
    mask[5:20, 7:41] = True
    mask[30, 52] = True
    return mask


def _pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("L"))


def test_the_png_encoder_is_one_function_wherever_it_is_imported() -> None:
    assert media.encode_png is png.encode_png
    assert _mask_codec.encode_png is png.encode_png  # type: ignore[attr-defined]
    assert media.data_uri is png.data_uri
    assert media.mask_to_png is masks.mask_to_png


def test_the_service_payload_mask_is_8_bit_in_either_polarity() -> None:
    mask = _mask()
    black = _pixels(mask_to_png(mask, MaskPolarity.BLACK_IS_EDIT))
    white = _pixels(mask_to_png(mask, MaskPolarity.WHITE_IS_EDIT))
    assert Image.open(io.BytesIO(mask_to_png(mask))).mode == "L"
    assert np.array_equal(black == 0, mask)
    assert np.array_equal(white == 255, mask)
    assert set(np.unique(black)) == {0, 255}


def test_the_painters_mask_png_is_the_api_mask_png_in_one_bit() -> None:
    mask = _mask()
    data = _mask_codec.encode_mask(mask)
    assert data == mask_to_png(mask, MaskPolarity.WHITE_IS_EDIT, bits=1, compress_level=6)
    assert Image.open(io.BytesIO(data)).mode == "1"
    assert np.array_equal(_mask_codec.decode_mask(data), mask)


def test_the_journal_keeps_the_api_mask_image(tmp_path: Path) -> None:
    mask = _mask()
    ref = Journal(tmp_path).store_mask(mask)
    with Image.open(tmp_path / ref["path"]) as stored:
        kept = np.asarray(stored)
    assert ref["meaning"] == "white = edit"
    assert np.array_equal(kept, np.asarray(mask_image(mask, MaskPolarity.WHITE_IS_EDIT)))
    assert np.array_equal(kept == 255, mask)


def test_a_mask_image_refuses_what_is_not_2_d() -> None:
    with pytest.raises(ValueError, match="2-D"):
        mask_image(np.zeros((2, 2, 2), bool), MaskPolarity.WHITE_IS_EDIT)


def _message(call: Callable[[], object]) -> str:
    with pytest.raises(InputError) as caught:
        call()
    return str(caught.value)


def test_one_mask_size_check_from_the_painter_the_inputs_and_the_client() -> None:
    image = Image.new("RGB", (50, 40), "white")
    wrong = np.zeros((10, 10), bool)
    wrong[2:5, 2:5] = True
    painter = MaskPainter(image)
    words = {
        "api": _message(lambda: check_mask_size(wrong, (50, 40))),
        "media.check_mask": _message(lambda: media.check_mask(wrong, (50, 40))),
        "EditInput": _message(lambda: EditInput(image, wrong, "a door")),
        "painter.mask": _message(lambda: setattr(painter, "mask", wrong)),
        "painter.set_image": _message(lambda: painter.set_image(image, mask=wrong)),
    }
    expected = "mask: the mask is 10×10 but the image is 50×40 (upright); expected the image's size, 50×40"
    assert words == dict.fromkeys(words, expected)


def test_one_no_pixels_wording_for_images_and_masks_however_they_come() -> None:
    words = [
        _message(lambda: open_image(Image.new("RGB", (0, 5)), field="image")),
        _message(lambda: open_image(np.zeros((5, 0, 3), np.uint8), field="image")),
        _message(lambda: check_size((0, 5), "image", None)),
    ]
    assert words == ["image: the image is 0×5: it has no pixels; expected at least 1×1 pixels"] * 3
    masks_words = [
        _message(lambda: read_mask(Image.new("L", (0, 5)))),
        _message(lambda: read_mask(np.zeros((5, 0), bool))),
        _message(lambda: media.check_mask(np.zeros((5, 0), np.uint8), None)),
    ]
    assert masks_words == ["mask: the mask is 0×5: it has no pixels; expected at least 1×1 pixels"] * 3


def test_edit_and_reframe_build_their_body_with_one_method() -> None:
    image = Image.new("RGB", (64, 48), "white")
    mask = np.zeros((48, 64), bool)
    mask[:, :20] = True
    edit = EditInput(image, mask, "a door", seed=3, rendering_speed="turbo", style="REALISTIC")
    reframe = ReframeInput(image, "1024x1024", seed=3, rendering_speed="turbo", style="REALISTIC")
    assert EditInput.to_payload is ReframeInput.to_payload
    assert EditInput.settings is ReframeInput.settings
    edit_body, reframe_body = edit.to_payload(), reframe.to_payload()
    assert list(edit_body) == ["image", "mask", "prompt", "magic_prompt", "rendering_speed", "seed", "style"]
    assert list(reframe_body) == ["image", "resolution", "rendering_speed", "seed", "style"]
    shared = ("rendering_speed", "seed", "style")
    assert (
        [edit_body[k] for k in shared]
        == [reframe_body[k] for k in shared]
        == ["TURBO", 3, {"style_type": "REALISTIC"}]
    )
    assert edit.sent_size == reframe.sent_size == (64, 48)


def test_palettes_and_styles_become_json_by_one_rule() -> None:
    from ideogram_widgets.api._palette import ColorPalette, palette_payload
    from ideogram_widgets.api._style import Style, style_payload

    assert palette_payload("ember") == ColorPalette.preset("EMBER").to_payload() == {"name": "EMBER"}
    assert style_payload("realistic") == Style(style_type="REALISTIC").to_payload()
    raw = {"anything": ["kept", "as", "given"]}
    assert palette_payload(raw) == style_payload(raw) == raw
    assert palette_payload(None) is style_payload(None) is None
    for payload, field in ((palette_payload, "color_palette"), (style_payload, "style")):
        with pytest.raises(InputError, match=f"^{field}: 3 is not allowed; expected a "):
            payload(3)  # type: ignore[arg-type]


def test_status_and_result_answers_share_one_terminal_rule() -> None:
    from ideogram_widgets.api._wire import TERMINAL_STATES, JobResult, JobStatus

    assert JobStatus.is_terminal is JobResult.is_terminal
    for state in ("in_queue", "in_progress", *TERMINAL_STATES):
        status, result = JobStatus.parse({"status": state}), JobResult.parse({"status": state})
        assert status.is_terminal is result.is_terminal is (state in TERMINAL_STATES)


def test_one_process_probe_for_journal_owners_and_sandbox_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The journal's owners and the sandbox's stored jobs ask ``process_exists``; on Windows, where
    ``os.kill(pid, 0)`` would send CTRL_C or terminate the process, nothing is signalled at all."""
    import os
    import socket
    import subprocess
    import sys

    from ideogram_widgets.api._process import process_exists
    from ideogram_widgets.jobs._owner import Owner
    from ideogram_widgets.sandbox._state import owner_alive as sandbox_owner_alive

    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    assert process_exists(os.getpid()) is True
    assert process_exists(done.pid) is False
    assert not Owner(socket.gethostname(), done.pid, "").alive()
    assert not sandbox_owner_alive(done.pid)
    assert sandbox_owner_alive(os.getppid())  # another live process
    assert not sandbox_owner_alive(os.getpid())  # this sandbox itself is no other owner

    signalled: list[tuple[int, int]] = []
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(os, "kill", lambda pid, sig: signalled.append((pid, sig)))
    assert process_exists(done.pid) is None
    assert Owner(socket.gethostname(), os.getppid(), "").alive()  # unknown: its lease decides
    assert not sandbox_owner_alive(os.getppid())  # unknown: the sandbox takes the job over
    assert signalled == []
