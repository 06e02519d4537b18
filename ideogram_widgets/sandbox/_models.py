"""The two models the sandbox serves, their schemas, and a small JSON-schema check.

The schemas are package data in ``schemas/`` (copies of the service's published ones). The
edit schema copy adds ``"mask": {"type": "string"}`` to ``properties``: the published schema
lists ``mask`` as required but leaves it out of ``properties``.

Only the keywords these schemas use are checked (``type``, ``required``, ``properties``,
``enum``, ``minimum``, ``maximum``): the sandbox may depend on nothing but the standard
library, starlette, uvicorn, numpy, pillow and anyio, so no ``jsonschema``.

Example:
    >>> errors = check_input(EDIT, {"image": "x", "mask": "y"})
    >>> errors[0]["loc"], errors[0]["type"]
    (['body', 'prompt'], 'missing')
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from ..api import EDIT_MODEL, REFRAME_MODEL, RenderingSpeed
from ._errors import field_error

EDIT = EDIT_MODEL  # the model ids, as the client names them
REFRAME = REFRAME_MODEL

_SCHEMA_DIR = Path(__file__).parent / "schemas"
_SCHEMA_FILES = {EDIT: "edit.input.schema.json", REFRAME: "reframe.input.schema.json"}

#: Seconds a job takes per rendering speed, before ``speed_scale``.
DURATIONS: dict[str, float] = {
    RenderingSpeed.TURBO.value: 1.0,
    RenderingSpeed.BALANCED.value: 2.0,
    RenderingSpeed.QUALITY.value: 4.0,
}


def model_ids() -> tuple[str, ...]:
    """The model ids this sandbox knows."""
    return tuple(_SCHEMA_FILES)


@cache
def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return data


def input_schema(model_id: str) -> dict[str, Any]:
    """A fresh copy of the model's input schema. Raises KeyError for an unknown model."""
    return json.loads(json.dumps(_load(_SCHEMA_FILES[model_id])))  # type: ignore[no-any-return]


def output_schema() -> dict[str, Any]:
    """A fresh copy of the output schema (``{"output": {...}}``)."""
    return json.loads(json.dumps(_load("output.schema.json")))  # type: ignore[no-any-return]


def catalogue_entry(model_id: str) -> dict[str, Any]:
    """The ``GET /v1/models/{model_id}`` answer. Raises KeyError for an unknown model."""
    kind = "edit (inpainting)" if model_id == EDIT else "reframe (outpainting)"
    return {
        "model_id": model_id,
        "name": f"local sandbox: classical {kind}, not the hosted model",
        "provider": "local sandbox",
        "price": {"amount": 0.0, "currency": "USD", "unit": "image"},
        "input_schema": input_schema(model_id),
        "output_schema": output_schema(),
    }


def _type_ok(value: Any, expected: str) -> bool:
    if expected == "string":
        return isinstance(value, str)
    if expected == "integer":
        if isinstance(value, bool):
            return False
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    if expected == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected == "object":
        return isinstance(value, dict)
    if expected == "array":
        return isinstance(value, list)
    if expected == "boolean":
        return isinstance(value, bool)
    return True


def check_input(model_id: str, data: Any) -> list[dict[str, Any]]:
    """Check ``data`` against the model's input schema; return ``detail`` entries (empty = ok).

    Unknown fields are allowed (the schemas do not forbid them).
    """
    schema = _load(_SCHEMA_FILES[model_id])
    if not isinstance(data, dict):
        return [{"loc": ["body"], "msg": "the input must be a JSON object", "type": "type_error"}]
    errors: list[dict[str, Any]] = []
    for name in schema.get("required", []):
        if name not in data:
            errors.append(field_error(name, "field required", "missing"))
    for name, prop in schema.get("properties", {}).items():
        if name not in data:
            continue
        value = data[name]
        expected = prop.get("type")
        if expected and not _type_ok(value, expected):
            errors.append(field_error(name, f"must be of type {expected}", "type_error"))
            continue
        if "enum" in prop and value not in prop["enum"]:
            shown = ", ".join(map(str, prop["enum"][:8]))
            more = f" … ({len(prop['enum'])} values)" if len(prop["enum"]) > 8 else ""
            errors.append(field_error(name, f"must be one of: {shown}{more}", "enum"))
        if "minimum" in prop and value < prop["minimum"]:
            errors.append(field_error(name, f"must be >= {prop['minimum']}", "minimum"))
        if "maximum" in prop and value > prop["maximum"]:
            errors.append(field_error(name, f"must be <= {prop['maximum']}", "maximum"))
    return errors
