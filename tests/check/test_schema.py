"""The catalogue's schema against the package's types: the sandbox's matches; altered ones are caught."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ideogram_widgets.api import AsyncClient
from ideogram_widgets.check import Status, run_check
from ideogram_widgets.check._schema import compare_model, expected_fields, schema_result

from .helpers import client_for, config

EDIT = "ideogram/ideogram-v3/edit"
REFRAME = "ideogram/ideogram-v3/reframe"
PUBLISHED = Path(__file__).parents[1] / "schemas"  # the service's published schemas, as copied for tests


@pytest.fixture(scope="module")
def catalogue() -> dict[str, dict[str, Any]]:
    """The sandbox's catalogue entries, read over HTTP once for the module."""
    import asyncio

    from ideogram_widgets.sandbox import serve_in_thread

    async def read(url: str) -> dict[str, dict[str, Any]]:
        async with client_for(url) as client:
            return {m: await client.model_info(m) for m in (EDIT, REFRAME)}

    with serve_in_thread(config()) as running:
        return asyncio.run(read(running.url))


def differs(findings: list[Any]) -> list[str]:
    return [f.line for f in findings if f.kind == "differs"]


def test_the_sandbox_catalogue_matches(catalogue: dict[str, dict[str, Any]]) -> None:
    result = schema_result(catalogue)
    assert result.status is Status.OK, result.details
    assert result.data["compared"] == ["edit", "reframe"]


def test_the_published_schemas_match_with_a_note_about_mask() -> None:
    entries = {
        EDIT: {"input_schema": json.loads((PUBLISHED / "edit.input.schema.json").read_text())},
        REFRAME: {"input_schema": json.loads((PUBLISHED / "reframe.input.schema.json").read_text())},
    }
    result = schema_result(entries)
    assert result.status is Status.OK, result.details
    assert any("edit.mask: required but not described" in d for d in result.details)


def test_expected_fields_come_from_the_types() -> None:
    fields, required, always = expected_fields(EDIT)
    assert fields == [
        "image", "mask", "prompt", "seed", "rendering_speed", "magic_prompt", "color_palette", "style",
    ]  # fmt: skip
    assert required == {"image", "mask", "prompt"}
    assert always == {"image", "mask", "prompt", "rendering_speed", "magic_prompt"}


def alter(entry: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    schema = copy.deepcopy(entry["input_schema"])
    change(schema)
    return schema


@pytest.mark.parametrize(
    ("model", "change", "expected"),
    [
        (EDIT, lambda s: s["properties"]["rendering_speed"]["enum"].append("ULTRA"),
         "edit.rendering_speed: the service also accepts ULTRA"),
        (EDIT, lambda s: s["properties"]["magic_prompt"]["enum"].remove("AUTO"),
         "edit.magic_prompt: the package offers AUTO, which the service does not accept"),
        (REFRAME, lambda s: s["properties"]["resolution"]["enum"].pop(),
         "reframe.resolution: the package offers 512:1536 (1:3)"),
        (EDIT, lambda s: s["properties"]["seed"].update(maximum=99999),
         "edit.seed: the service's maximum is 99999"),
        (EDIT, lambda s: s["properties"].pop("style"),
         "edit.style: the package sends it, but the service's schema does not declare it"),
        (EDIT, lambda s: s["required"].append("seed"),
         "edit.seed: the service requires it, but the package sends it only when it is given"),
        (EDIT, lambda s: (s["properties"].update(strength={}), s["required"].append("strength")),
         "edit.strength: the service declares it (required)"),
        (EDIT, lambda s: s["properties"]["seed"].update(type="string"),
         "edit.seed: the service expects string, the package sends integer"),
    ],
)  # fmt: skip
def test_an_altered_schema_is_caught(
    catalogue: dict[str, dict[str, Any]], model: str, change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    lines = differs(compare_model(model, alter(catalogue[model], change)))
    assert any(line.startswith(expected) for line in lines), lines


def test_an_optional_unknown_property_is_a_note(catalogue: dict[str, dict[str, Any]]) -> None:
    schema = alter(catalogue[EDIT], lambda s: s["properties"].update(aspect_ratio={"type": "string"}))
    findings = compare_model(EDIT, schema)
    assert [f.kind for f in findings if f.field == "aspect_ratio"] == ["note"]


def test_declared_inner_shapes_are_shown_and_compared(catalogue: dict[str, dict[str, Any]]) -> None:
    def declare(s: dict[str, Any]) -> None:
        s["$defs"] = {
            "Member": {
                "type": "object",
                "properties": {"hex": {"type": "string"}, "weight": {"type": "number"}},
            }
        }
        s["properties"]["color_palette"] = {
            "type": "object",
            "oneOf": [
                {"properties": {"name": {"type": "string", "enum": ["EMBER", "FRESH"]}}},
                {"properties": {"members": {"type": "array", "items": {"$ref": "#/$defs/Member"}}}},
            ],
        }
        s["properties"]["style"] = {
            "type": "object",
            "properties": {
                "style_type": {"type": "string", "enum": ["AUTO", "GENERAL", "REALISTIC", "DESIGN"]}
            },
        }

    findings = compare_model(EDIT, alter(catalogue[EDIT], declare))
    notes = [f.line for f in findings if f.kind == "note"]
    assert (
        "edit.color_palette: declared shape: {name: EMBER|FRESH, members: [{hex: string, weight: number}]}"
        in notes
    )
    lines = differs(findings)
    assert any(line.startswith("edit.color_palette: name values differ") for line in lines)
    assert any("members take hex, weight" in line for line in lines)
    assert any(line.startswith("edit.style: Style can send style_codes, style_preset") for line in lines)
    assert any(
        line.startswith("edit.style: style_type values differ from Style's: FICTION") for line in lines
    )
    result = schema_result({EDIT: {"input_schema": alter(catalogue[EDIT], declare)}})
    assert result.status is Status.DIFFERS
    assert result.setting is not None
    assert "raw dict" in result.setting


def test_no_catalogue_is_unknown_not_a_crash() -> None:
    result = schema_result({EDIT: "GET failed: HTTP 404", REFRAME: {"price": 0.08}})
    assert result.status is Status.UNKNOWN
    assert "not compared: edit: GET failed: HTTP 404" in result.details
    assert "not compared: reframe: the catalogue entry has no input_schema" in result.details


async def test_run_check_reports_an_altered_catalogue(
    sandbox_server: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sandbox_server(config())
    original = AsyncClient.model_info

    async def altered(self: AsyncClient, model_id: str) -> dict[str, Any]:
        entry = await original(self, model_id)
        if model_id == EDIT:
            entry["input_schema"]["properties"]["rendering_speed"]["enum"].append("ULTRA")
            entry["input_schema"]["required"].remove("prompt")
        return entry

    monkeypatch.setattr(AsyncClient, "model_info", altered)
    async with client_for(url) as client:
        report = await run_check(client, size=64, timeout=30)
    schema = report.get("schema")
    assert schema is not None
    assert schema.status is Status.DIFFERS
    assert schema.verdict.startswith("1 difference")
    assert (
        "edit.rendering_speed: the service also accepts ULTRA, which the package does not offer"
        in schema.details
    )
    assert any(d.startswith("note: edit.prompt: the package always requires it") for d in schema.details)
    assert schema.setting is not None
    assert "upgrade ideogram-widgets" in schema.setting
    assert report.get("polarity") is not None
    assert report.exit_code == 1


async def test_a_catalogue_endpoint_that_is_missing_leaves_the_schema_unknown(
    sandbox_server: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from ideogram_widgets.api import NotFoundError

    async def missing(self: AsyncClient, model_id: str) -> dict[str, Any]:
        raise NotFoundError("no such endpoint", status=404)

    monkeypatch.setattr(AsyncClient, "model_info", missing)
    url = sandbox_server(config())
    async with client_for(url) as client:
        report = await run_check(client, size=64, timeout=30)
    assert [r.status for r in report.results] == [Status.UNKNOWN, Status.OK, Status.OK]
