"""The sandbox speaks the api's vocabulary: one definition of the seed range, resolutions, speeds,
polarity, model ids, job states, PNG encoding and error codes, imported (not copied) from ``api/``."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ideogram_widgets.api import _errors as api_errors
from ideogram_widgets.api import _wire as wire
from ideogram_widgets.api._inputs import EDIT_MODEL, REFRAME_MODEL
from ideogram_widgets.api._options import SEED_MAX, MaskPolarity, RenderingSpeed
from ideogram_widgets.api._png import encode_png
from ideogram_widgets.api._resolution import DEFAULT_RESOLUTION, RESOLUTIONS
from ideogram_widgets.sandbox import SandboxConfig
from ideogram_widgets.sandbox import _config as config
from ideogram_widgets.sandbox import _errors as errors
from ideogram_widgets.sandbox import _faults as faults
from ideogram_widgets.sandbox import _imaging as imaging
from ideogram_widgets.sandbox import _jobqueue as jobqueue
from ideogram_widgets.sandbox import _models as models
from ideogram_widgets.sandbox import _service as service


def test_the_seed_range_is_the_apis() -> None:
    assert service.MAX_SEED is SEED_MAX


def test_model_ids_states_and_speeds_are_the_apis() -> None:
    assert (models.EDIT, models.REFRAME) == (EDIT_MODEL, REFRAME_MODEL)
    assert models.model_ids() == (EDIT_MODEL, REFRAME_MODEL)
    assert jobqueue.IN_QUEUE is wire.IN_QUEUE
    assert set(jobqueue.FINISHED) == wire.TERMINAL_STATES
    assert set(models.DURATIONS) == {speed.value for speed in RenderingSpeed}


def test_the_schemas_copied_from_the_service_agree_with_the_api() -> None:
    edit, reframe = models.input_schema(EDIT_MODEL), models.input_schema(REFRAME_MODEL)
    speeds = [speed.value for speed in RenderingSpeed]
    for schema in (edit, reframe):
        assert schema["properties"]["rendering_speed"]["enum"] == speeds
        assert schema["properties"]["seed"]["maximum"] == SEED_MAX
    assert reframe["properties"]["resolution"]["enum"] == [r.value for r in RESOLUTIONS]
    assert reframe["properties"]["resolution"]["default"] == DEFAULT_RESOLUTION.value


def test_mask_polarity_is_the_apis_enum() -> None:
    assert tuple(p.value for p in MaskPolarity) == config.MASK_POLARITIES
    assert SandboxConfig().mask_polarity == MaskPolarity.BLACK_IS_EDIT.value
    mask = Image.fromarray(np.array([[0, 255]], np.uint8))
    for polarity in (MaskPolarity.BLACK_IS_EDIT, MaskPolarity.BLACK_IS_EDIT.value):
        assert imaging.edit_area(mask, polarity).tolist() == [[True, False]]
    assert imaging.edit_area(mask, MaskPolarity.WHITE_IS_EDIT).tolist() == [[False, True]]
    with pytest.raises(ValueError, match="mask_polarity"):
        imaging.edit_area(mask, "grey")


def test_result_pngs_come_from_the_apis_encoder() -> None:
    pixels = np.arange(4 * 5 * 3, dtype=np.uint8).reshape(4, 5, 3)
    data = imaging.result_png(pixels)
    assert data == encode_png(Image.fromarray(pixels), compress_level=imaging.RESULT_PNG_LEVEL)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), pixels)


def test_one_table_of_error_codes_for_the_routes_and_the_faults() -> None:
    for name in ("UNKNOWN_MODEL", "BAD_TOKEN", "NOT_READY", "NOT_FOUND"):
        assert getattr(errors, name) is getattr(api_errors, name)
    assert faults.FAULT_CODES is errors.FAULT_CODES
    assert errors.FAULT_CODES["429"] == errors.RATE_LIMITED == 429001
    assert errors.FAULT_CODES["error_200"] == errors.INJECTED_ERROR_200
    assert [errors.FAULT_CODES[k] for k in ("500", "502", "503")] == [500000, 502000, 503000]
    kinds = set(config.FAULT_KINDS) - {"drop", "slow"}  # the two that answer no error body
    assert set(errors.FAULT_CODES) == kinds


def test_the_client_types_the_sandboxs_service_codes() -> None:
    for code, cls in (
        (errors.UNKNOWN_MODEL, api_errors.UnknownModelError),
        (errors.BAD_TOKEN, api_errors.AuthenticationError),
        (errors.NOT_FOUND, api_errors.NotFoundError),
    ):
        body = errors.SandboxError(400, code, "x").body()
        assert type(api_errors.error_from_response(400, body)) is cls


def test_the_sandbox_decodes_through_the_clients_door() -> None:
    def png_of(image: Image.Image) -> bytes:
        return encode_png(image, compress_level=1)

    big = png_of(Image.new("1", (8000, 5001)))  # 40.008 MP: refused from its header, before decoding
    with pytest.raises(imaging.BadImageError, match=r"8000×5001 = 40\.0 megapixels is too large"):
        imaging.decode(big)
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    with pytest.raises(imaging.BadImageError, match="has format GIF; PNG, JPEG or WEBP expected"):
        imaging.decode(gif.getvalue())
    with pytest.raises(imaging.BadImageError, match=r"not a readable image \(UnidentifiedImageError\)"):
        imaging.decode(b"<html>")
    assert imaging.decode(png_of(Image.new("L", (3, 2), 7))).size == (3, 2)
