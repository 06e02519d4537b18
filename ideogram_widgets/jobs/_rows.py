"""Reading stored entries defensively: a row becomes an entry only when it is well-formed.

Also the one place timestamps are read (:func:`instant`): the journal's epoch seconds and the service's
ISO 8601 texts alike.

Example:
    >>> decode('{"id": "a", "state": "failed", "created_at": 1.0}', "a", 1.0)["state"]
    'failed'
    >>> decode("{not json", "b", 1.0) is None
    True
    >>> instant(1735732800), instant("2025-01-01T12:00:00Z"), instant("yesterday"), instant(True)
    (1735732800.0, 1735732800.0, None, None)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from ._legacy import valid_entry

__all__ = ["decode", "file_refs", "instant", "refs"]


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


def refs(entry: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """The file references an entry keeps under ``key`` (``files``, ``composites``, or the values of
    ``inputs``): ``{"path": "results/…", "sha256", …}`` dicts with a path; anything else is left out."""
    found = entry.get(key)
    items = list(found.values()) if isinstance(found, dict) else found if isinstance(found, list) else []
    return [
        ref for ref in items if isinstance(ref, dict) and isinstance(ref.get("path"), str) and ref["path"]
    ]


def file_refs(entry: Mapping[str, Any]) -> list[str]:
    """The relative paths of the files an entry refers to (inputs, results, composites)."""
    return [str(ref["path"]) for key in ("files", "composites", "inputs") for ref in refs(entry, key)]


def instant(value: Any) -> float | None:
    """Epoch seconds of a timestamp: a number as the journal keeps them, or an ISO 8601 text as the service
    sends them (``2025-01-01T12:00:00.123Z``; no zone means UTC). None when absent or unreadable (a bool,
    a text that is not a time), never an exception."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
        return seconds if seconds == seconds else None  # NaN is no time
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text[-1] in "Zz":
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()
