"""Small JSON-schema readers for the schema comparison: local ``$ref``s, branches, types, a compact shape.

Only what catalogue schemas are likely to use; anything else is read as "not declared".

Example:
    >>> root = {"$defs": {"C": {"type": "object", "properties": {"hex": {"type": "string"}}}}}
    >>> describe({"colour": resolve({"$ref": "#/$defs/C"}, root) or {}}, root)
    '{colour: object}'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["as_list", "as_mapping", "branches", "describe", "few", "json_types", "resolve"]


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def resolve(node: Any, root: Mapping[str, Any], depth: int = 0) -> Mapping[str, Any] | None:
    """Follow a local ``$ref`` (``#/$defs/...``); anything else is returned as is."""
    if not isinstance(node, Mapping):
        return None
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and depth < 10:
        target: Any = root
        for part in ref[2:].split("/"):
            target = as_mapping(target).get(part.replace("~1", "/").replace("~0", "~"))
        resolved = resolve(target, root, depth + 1)
        return resolved if resolved is not None else node
    return node


def branches(prop: Mapping[str, Any], root: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    out = [prop]
    for key in ("oneOf", "anyOf", "allOf"):
        for sub in as_list(prop.get(key)):
            resolved = resolve(sub, root)
            if resolved is not None:
                out.extend(branches(resolved, root))
    return out


def json_types(prop: Mapping[str, Any]) -> set[str]:
    kind = prop.get("type")
    if isinstance(kind, str):
        return {kind}
    return {k for k in as_list(kind) if isinstance(k, str)}


def describe(keys: Mapping[str, Mapping[str, Any]], root: Mapping[str, Any], depth: int = 0) -> str:
    parts = []
    for key, sub in keys.items():
        enum = as_list(sub.get("enum"))
        if enum:
            parts.append(f"{key}: {few([str(v) for v in enum], sep='|')}")
            continue
        items = resolve(sub.get("items"), root)
        inner = as_mapping(items.get("properties")) if items else {}
        if inner and depth < 2:
            resolved = {k: resolve(v, root) or {} for k, v in inner.items()}
            parts.append(f"{key}: [{describe(resolved, root, depth + 1)}]")
        else:
            parts.append(f"{key}: {'|'.join(sorted(json_types(sub))) or 'any'}")
    return "{" + ", ".join(parts) + "}"


def few(values: Sequence[str], limit: int = 6, sep: str = ", ") -> str:
    shown = [str(v) for v in values[:limit]]
    more = len(values) - len(shown)
    return sep.join(shown) + (f"{sep}… ({more} more)" if more > 0 else "")
