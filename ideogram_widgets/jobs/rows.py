"""Reading stored entries defensively: a row becomes an entry only when it is well-formed.

Example:
    >>> decode('{"id": "a", "state": "failed", "created_at": 1.0}', "a", 1.0)["state"]
    'failed'
    >>> decode("{not json", "b", 1.0) is None
    True
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .legacy import valid_entry

__all__ = ["decode", "file_refs"]


def decode(body: Any, job_id: Any, created: Any) -> dict[str, Any] | None:
    """An entry from its stored row, or None when the row is malformed."""
    if not isinstance(body, str) or not isinstance(job_id, str) or not job_id:
        return None
    if not isinstance(created, int | float):
        return None
    try:
        entry = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(entry, dict) or entry.get("id") != job_id or valid_entry(entry):
        return None
    return entry


def file_refs(entry: Mapping[str, Any]) -> list[str]:
    """The relative paths of the files an entry refers to (inputs, results, composites)."""
    paths = []
    for key in ("files", "composites"):
        for ref in entry.get(key) or []:
            if isinstance(ref, dict) and isinstance(ref.get("path"), str):
                paths.append(ref["path"])
    inputs = entry.get("inputs")
    if isinstance(inputs, dict):
        for ref in inputs.values():
            if isinstance(ref, dict) and isinstance(ref.get("path"), str):
                paths.append(ref["path"])
    return paths
