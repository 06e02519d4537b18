"""Compare the input schemas in the service's catalogue with the package's own types.

What the package sends is read from its types (``EditInput`` / ``ReframeInput`` fields, the
``RenderingSpeed`` / ``MagicPrompt`` enums, the 69 ``RESOLUTIONS``, ``SEED_MAX``, the palette and style
helpers), never from a copy of a schema. Each mismatch is a :class:`Finding`: ``differs`` when a request
built by the package could be refused or misread, ``note`` when it is only worth knowing (the package is
stricter, a default differs but the value is always sent, an inner shape is not declared).

Example:
    >>> schema = {"type": "object", "required": ["image", "resolution"],
    ...           "properties": {"image": {"type": "string"}, "resolution": {"type": "string"}}}
    >>> [f.kind for f in compare_model("ideogram/ideogram-v3/reframe", schema) if f.field == "resolution"]
    ['note']
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from PIL import Image

from ..api import (
    DEFAULT_RESOLUTION,
    EDIT_MODEL,
    PALETTE_PRESETS,
    REFRAME_MODEL,
    RESOLUTIONS,
    EditInput,
    MagicPrompt,
    ReframeInput,
    RenderingSpeed,
    StyleType,
)
from ..api._options import SEED_MAX
from ._report import CheckResult, Status
from ._schema_tools import as_list, as_mapping, branches, describe, few, json_types, resolve

__all__ = ["Finding", "compare_model", "expected_fields", "schema_result"]

_INPUTS: dict[str, type[EditInput] | type[ReframeInput]] = {
    EDIT_MODEL: EditInput,
    REFRAME_MODEL: ReframeInput,
}
_NOT_SENT = {"limits", "original"}  # dataclass fields that never reach the payload

_JSON_TYPES = {
    "image": "string",
    "mask": "string",
    "prompt": "string",
    "seed": "integer",
    "rendering_speed": "string",
    "magic_prompt": "string",
    "resolution": "string",
    "color_palette": "object",
    "style": "object",
}

_ENUMS: dict[str, tuple[list[str], str]] = {
    "rendering_speed": ([m.value for m in RenderingSpeed], RenderingSpeed.BALANCED.value),
    "magic_prompt": ([m.value for m in MagicPrompt], MagicPrompt.ON.value),
    "resolution": ([r.value for r in RESOLUTIONS], DEFAULT_RESOLUTION.value),
}

# The keys the typed helpers emit (ColorPalette, Style) and the enums inside them.
_SHAPES: dict[str, tuple[str, set[str], dict[str, list[str]]]] = {
    "color_palette": ("ColorPalette", {"name", "members"}, {"name": sorted(PALETTE_PRESETS)}),
    "style": (
        "Style",
        {"style_type", "style_preset", "style_codes"},
        {"style_type": [m.value for m in StyleType]},
    ),
}
_PALETTE_MEMBER_KEYS = {"color_hex", "color_weight"}


_Add = Callable[..., None]


@dataclass(frozen=True)
class Finding:
    """One point where the service's schema and the package's types disagree (or a note about one).

    Example:
        >>> Finding("ideogram/ideogram-v3/edit", "seed", "differs", "maximum 99").line
        'edit.seed: maximum 99'
    """

    model: str
    field: str
    kind: str  # "differs" or "note"
    text: str
    shape_only: bool = False  # fixed by passing a raw dict (color_palette / style)

    @property
    def line(self) -> str:
        """``edit.seed: ...`` for a report."""
        return f"{self.model.rsplit('/', 1)[-1]}.{self.field}: {self.text}"


def expected_fields(model_id: str) -> tuple[list[str], set[str], set[str]]:
    """The fields the package can send for ``model_id`` (in order), those a user must always give, and
    those every request carries (the rest are sent only when set).

    Example:
        >>> fields, required, always = expected_fields("ideogram/ideogram-v3/reframe")
        >>> sorted(required), sorted(always)
        (['image'], ['image', 'rendering_speed', 'resolution'])
    """
    cls = _INPUTS[model_id]
    fields = [f for f in dataclasses.fields(cls) if f.name not in _NOT_SENT]
    required = {
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    return [f.name for f in fields], required, set(_always_sent(model_id))


@cache
def _always_sent(model_id: str) -> frozenset[str]:
    """The keys of the smallest request the package builds (what it sends even when not told to)."""
    image = Image.new("RGB", (8, 8))
    if model_id == EDIT_MODEL:
        mask = np.zeros((8, 8), dtype=bool)
        mask[:, :4] = True
        return frozenset({"image", "mask", *EditInput(image, mask, "x").settings()})
    return frozenset({"image", *ReframeInput(image).settings()})


def compare_model(model_id: str, schema: Mapping[str, Any]) -> list[Finding]:
    """Every difference between the catalogue's ``input_schema`` of ``model_id`` and the package's types."""
    out: list[Finding] = []

    def add(field: str, kind: str, text: str, *, shape_only: bool = False) -> None:
        out.append(Finding(model_id, field, kind, text, shape_only))

    fields, required, always = expected_fields(model_id)
    props = as_mapping(schema.get("properties"))
    service_required = {r for r in as_list(schema.get("required")) if isinstance(r, str)}
    declared = set(props) | service_required
    for name in fields:
        if name not in declared:
            add(name, "differs", "the package sends it, but the service's schema does not declare it")
    for name in sorted(declared - set(fields)):
        why = "required" if name in service_required else "optional"
        kind = "differs" if name in service_required else "note"
        add(name, kind, f"the service declares it ({why}), but the package cannot send it")
    for name in sorted(service_required & set(fields) - always):
        add(name, "differs", "the service requires it, but the package sends it only when it is given")
    for name in sorted(required - service_required):
        if name in declared:
            add(name, "note", "the package always requires it; the service's schema marks it optional")
    for name in sorted(service_required - set(props)):
        if name in fields:
            add(name, "note", "required but not described in the schema's properties (as published)")
    for name in fields:
        prop = resolve(props.get(name), schema)
        if prop is not None:
            _compare_property(name, prop, schema, add)
    return out


def _compare_property(name: str, prop: Mapping[str, Any], root: Mapping[str, Any], add: _Add) -> None:
    want = _JSON_TYPES.get(name)
    types = json_types(prop)
    if want and types and want not in types and not (want == "integer" and "number" in types):
        add(name, "differs", f"the service expects {'|'.join(sorted(types))}, the package sends {want}")
    if name in _ENUMS:
        _compare_enum(name, prop, add)
    if name == "seed":
        _compare_bounds(prop, add)
    if name in _SHAPES:
        _compare_shape(name, prop, root, add)


def _compare_enum(name: str, prop: Mapping[str, Any], add: _Add) -> None:
    ours, default = _ENUMS[name]
    theirs = [v for v in as_list(prop.get("enum"))]
    if not theirs:
        add(name, "note", f"the service declares no list of values; the package offers {len(ours)}")
        return
    extra = [v for v in theirs if v not in ours]
    missing = [v for v in ours if v not in theirs]
    if extra:
        add(name, "differs", f"the service also accepts {few(extra)}, which the package does not offer")
    if missing:
        add(name, "differs", f"the package offers {few(missing)}, which the service does not accept")
    if not extra and not missing and theirs != ours:
        add(name, "note", "the same values in a different order")
    service_default = prop.get("default")
    if service_default is not None and service_default != default:
        add(
            name,
            "note",
            f"the service's default is {service_default!r}, the package's {default!r} "
            "(the package always sends a value, so requests are unaffected)",
        )


def _compare_bounds(prop: Mapping[str, Any], add: _Add) -> None:
    low, high = prop.get("minimum"), prop.get("maximum")
    if low is None and high is None:
        add("seed", "note", f"the service declares no range; the package allows 0 to {SEED_MAX}")
        return
    if low is not None and low != 0:
        add("seed", "differs", f"the service's minimum is {low}, the package's 0")
    if high is not None and high != SEED_MAX:
        add("seed", "differs", f"the service's maximum is {high}, the package's {SEED_MAX}")


def _compare_shape(name: str, prop: Mapping[str, Any], root: Mapping[str, Any], add: _Add) -> None:
    helper, our_keys, our_enums = _SHAPES[name]
    found = branches(prop, root)
    keys: dict[str, Mapping[str, Any]] = {}
    for branch in found:
        for key, sub in as_mapping(branch.get("properties")).items():
            keys.setdefault(key, resolve(sub, root) or {})
    if not keys:
        add(
            name,
            "note",
            f"no inner shape declared (still unknown); {helper} sends Ideogram's shape and a raw dict "
            "is sent unchanged",
        )
        return
    add(name, "note", f"declared shape: {describe(keys, root)}")
    sent = sorted(our_keys - set(keys))
    if sent:
        add(
            name,
            "differs",
            f"{helper} can send {few(sent)}, which the service's {name} does not declare",
            shape_only=True,
        )
    unused = sorted(set(keys) - our_keys)
    if unused:
        add(name, "note", f"the service's {name} also takes {few(unused)}: pass a raw dict to use it")
    for key, values in our_enums.items():
        theirs = [v for v in as_list(keys.get(key, {}).get("enum"))]
        if theirs and sorted(theirs) != sorted(values):
            diff = sorted(set(theirs) ^ set(values))
            add(name, "differs", f"{key} values differ from {helper}'s: {few(diff)}", shape_only=True)
    if name == "color_palette" and "members" in keys:
        item = resolve(keys["members"].get("items"), root) or {}
        member_keys = set(as_mapping(item.get("properties")))
        if member_keys and member_keys != _PALETTE_MEMBER_KEYS:
            add(
                name,
                "differs",
                f"members take {few(sorted(member_keys))}; ColorPalette sends color_hex and color_weight",
                shape_only=True,
            )


def schema_result(entries: Mapping[str, Mapping[str, Any] | str]) -> CheckResult:
    """The ``schema`` result from the catalogue entries by model id (or why one could not be read).

    Example:
        >>> schema_result({"ideogram/ideogram-v3/edit": "HTTP 404"}).status.value
        'unknown'
    """
    findings: list[Finding] = []
    compared: list[str] = []
    missing: list[str] = []
    for model_id, entry in entries.items():
        short = model_id.rsplit("/", 1)[-1]
        schema = entry.get("input_schema") if isinstance(entry, Mapping) else None
        if not isinstance(schema, Mapping):
            why = entry if isinstance(entry, str) else "the catalogue entry has no input_schema"
            missing.append(f"{short}: {why}")
            continue
        compared.append(short)
        findings.extend(compare_model(model_id, schema))
    differs = [f for f in findings if f.kind == "differs"]
    details = _lines(differs) + [
        f"note: {line}" for line in _lines([f for f in findings if f.kind == "note"])
    ]
    details += [f"not compared: {m}" for m in missing]
    data = {
        "compared": compared,
        "findings": [dataclasses.asdict(f) for f in findings],
        "not_compared": missing,
    }
    if differs:
        if all(f.shape_only for f in differs):
            setting = (
                "pass color_palette= / style= as a raw dict in the service's shape (sent unchanged) "
                "instead of the ColorPalette / Style helpers"
            )
        else:
            setting = "no setting covers this: upgrade ideogram-widgets, or report the lines above"
        n = len(differs)
        verdict = f"{n} difference{'s' if n > 1 else ''} between the service's schema and the package's types"
        return CheckResult("schema", Status.DIFFERS, verdict, setting, details, data)
    if not compared:
        return CheckResult(
            "schema",
            Status.UNKNOWN,
            "the service's catalogue gave no input schema to compare",
            None,
            details,
            data,
        )
    verdict = f"the catalogue's input schema matches the package's types ({' and '.join(compared)})"
    status = Status.UNKNOWN if missing else Status.OK
    return CheckResult("schema", status, verdict, None, details, data)


def _lines(findings: Sequence[Finding]) -> list[str]:
    """One line per finding; the same finding for both models becomes one ``edit+reframe.x`` line."""
    models: dict[tuple[str, str], list[str]] = {}
    for f in findings:
        models.setdefault((f.field, f.text), []).append(f.model.rsplit("/", 1)[-1])
    return [f"{'+'.join(names)}.{name}: {text}" for (name, text), names in models.items()]
