"""Test helpers for the sandbox tests: images, masks, data URIs, schemas, and a raw API client.

``RawClient`` is written only from the service's API description (submit / status / result /
cancel with raw httpx), not from any project code. Every body it sends is validated against
``tests/schemas`` and every result answer's ``output`` against ``output.schema.json``.
"""

from __future__ import annotations

import base64
import io
import json
import time
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import numpy as np
from PIL import Image

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
EDIT = "ideogram/ideogram-v3/edit"
REFRAME = "ideogram/ideogram-v3/reframe"
FINISHED = {"completed", "cancelled", "failed"}


def _schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return data


INPUT_SCHEMAS = {EDIT: _schema("edit.input.schema.json"), REFRAME: _schema("reframe.input.schema.json")}
OUTPUT_SCHEMA = _schema("output.schema.json")["output"]


def validate_input(model: str, body: dict[str, Any]) -> None:
    """The body must match the published input schema of ``model``."""
    jsonschema.validate(body, INPUT_SCHEMAS[model])


def validate_output(output: Any) -> None:
    """A result's ``output`` must match the published output schema."""
    jsonschema.validate(output, OUTPUT_SCHEMA)


# -- images -----------------------------------------------------------------------------------


def png_bytes(img: Image.Image, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def data_uri(img: Image.Image, fmt: str = "PNG") -> str:
    mime = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}[fmt]
    return f"data:{mime};base64," + base64.b64encode(png_bytes(img, fmt)).decode()


def decode(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def scene(width: int = 96, height: int = 64, mode: str = "RGB") -> Image.Image:
    """A smooth gradient with a small bright square in it (varied, deterministic)."""
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack(
        [40 + 150 * x / max(width - 1, 1), 60 + 120 * y / max(height - 1, 1), 180 - 0 * x], -1
    ).astype(np.uint8)
    rgb[height // 4 : height // 2, width // 4 : width // 2] = (250, 30, 30)
    if mode == "RGBA":
        alpha = np.full((height, width, 1), 255, np.uint8)
        alpha[: height // 8] = 90
        return Image.fromarray(np.concatenate([rgb, alpha], -1))
    return Image.fromarray(rgb)


def box_mask(
    size: tuple[int, int], box: tuple[int, int, int, int], polarity: str = "black_is_edit"
) -> Image.Image:
    """An "L" mask whose ``box`` (left, top, right, bottom) is the edit area."""
    edit, keep = (0, 255) if polarity == "black_is_edit" else (255, 0)
    mask = Image.new("L", size, keep)
    mask.paste(edit, box)
    return mask


def edit_body(image: str, mask: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"image": image, "mask": mask, "prompt": "a calm lake"}
    body.update(extra)
    return body


# -- a raw client written from the API description ----------------------------------------------


class RawClient:
    """submit → status → result → cancel with raw httpx, as API.md describes them."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 10.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.base = base_url.rstrip("/")
        self.http = httpx.Client(base_url=self.base, headers=headers, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit_raw(self, model: str, body: dict[str, Any]) -> httpx.Response:
        validate_input(model, body)
        return self.http.post(f"/v1/models/{model}", json=body)

    def submit(self, model: str, body: dict[str, Any]) -> str:
        r = self.submit_raw(model, body)
        assert r.is_success, r.text
        answer = r.json()
        request_id = answer["request_id"]
        for key, tail in (("status_url", "status"), ("result_url", "result"), ("cancel_url", "cancel")):
            assert answer[key] == f"{self.base}/v1/requests/{request_id}/{tail}"
        return str(request_id)

    def status(self, request_id: str) -> dict[str, Any]:
        r = self.http.get(f"/v1/requests/{request_id}/status")
        assert r.status_code == 200, r.text
        answer: dict[str, Any] = r.json()
        assert answer["request_id"] == request_id
        assert ("queue_position" in answer) == (answer["status"] == "in_queue"), answer
        assert answer["status_url"].endswith(f"/v1/requests/{request_id}/status")
        assert answer["result_url"].endswith(f"/v1/requests/{request_id}/result")
        return answer

    def result(self, request_id: str) -> dict[str, Any]:
        r = self.http.get(f"/v1/requests/{request_id}/result")
        assert r.status_code == 200, r.text
        answer: dict[str, Any] = r.json()
        assert answer["request_id"] == request_id
        if "output" in answer:
            validate_output(answer["output"])
        return answer

    def cancel(self, request_id: str) -> dict[str, Any]:
        r = self.http.post(f"/v1/requests/{request_id}/cancel")
        assert r.status_code == 200, r.text
        answer: dict[str, Any] = r.json()
        assert answer["outcome"] in ("cancelled", "not_cancellable")
        return answer

    def wait(self, request_id: str, timeout: float = 60.0, until: set[str] = FINISHED) -> str:
        """Poll the status until it is one of ``until``; ``timeout`` is a hang guard (a render takes
        seconds on a loaded machine), not a limit the work must beat."""
        deadline = time.monotonic() + timeout
        while True:
            state = str(self.status(request_id)["status"])
            if state in until:
                return state
            assert time.monotonic() < deadline, f"{request_id} still {state}"
            time.sleep(0.01)

    def run(self, model: str, body: dict[str, Any]) -> dict[str, Any]:
        """Submit, wait, and return the result answer."""
        request_id = self.submit(model, body)
        self.wait(request_id)
        return self.result(request_id)

    def download(self, url: str) -> bytes:
        """Fetch an output URL WITHOUT the bearer token, as the vendor's CDN is used."""
        r = httpx.get(url, timeout=10.0)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "image/png"
        return r.content
