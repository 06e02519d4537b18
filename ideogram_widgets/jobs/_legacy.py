"""Reading the journal of version 0.1 (one JSON file per job in ``<home>/jobs/``), defensively.

Only regular files are opened (a FIFO or a device named ``*.json`` is skipped, never read: no hang), at
most :data:`MAX_ENTRY_BYTES` each; an entry must be a JSON object of the expected types and of modest
depth. Everything else is skipped and counted, never raised.

Example:
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.json").write_text('{"id": "a", "state": "completed", "created_at": 1.0}')
    >>> _ = (folder / "b.json").write_text('{"id": "b", "created_at": "yesterday"}')
    >>> entries, skipped = import_legacy(folder)
    >>> [e["id"] for e in entries], sorted(skipped)
    (['a'], ['b.json'])
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

__all__ = ["MAX_DEPTH", "MAX_ENTRY_BYTES", "import_legacy", "valid_entry"]

MAX_ENTRY_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 16

_NUMBER_KEYS = ("created_at", "updated_at", "submitted_at", "finished_at")
_TEXT_KEYS = ("id", "state", "request_id", "model_id", "backend", "base_url", "label")
_MAP_KEYS = ("params", "inputs", "error", "owner")
_LIST_KEYS = ("urls", "files", "composites")


def import_legacy(folder: Path) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Every valid entry in ``folder``, and the skipped files' names with why."""
    entries: list[dict[str, Any]] = []
    skipped: dict[str, str] = {}
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return entries, skipped
    for name in names:
        if name.startswith(".") or not name.endswith(".json"):
            continue
        entry, why = _read(folder / name)
        if entry is None:
            skipped[name] = why
        else:
            entries.append(entry)
    return entries, skipped


def _read(path: Path) -> tuple[dict[str, Any] | None, str]:
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            return None, "not a regular file"
        if info.st_size > MAX_ENTRY_BYTES:
            return None, "too large"
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped after the lstat
                return None, "not a regular file"
            raw = fh.read(MAX_ENTRY_BYTES + 1)
    except OSError as exc:
        return None, f"unreadable: {exc.strerror or exc}"
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return None, "not JSON (half-written?)"
    why = valid_entry(data)
    return (data, "") if not why else (None, why)


def valid_entry(data: Any) -> str:
    """'' when ``data`` is a well-formed entry, else what is wrong with it."""
    if not isinstance(data, dict):
        return "not a JSON object"
    if not isinstance(data.get("id"), str) or not data["id"] or "/" in data["id"]:
        return "no valid id"
    for key in _NUMBER_KEYS:
        value = data.get(key)
        if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
            return f"{key} is not a number"
    groups: tuple[tuple[tuple[str, ...], type], ...] = (
        (_TEXT_KEYS, str),
        (_MAP_KEYS, dict),
        (_LIST_KEYS, list),
    )
    for names, kind in groups:
        for name in names:
            value = data.get(name)
            if value is not None and not isinstance(value, kind):
                return f"{name} is not a {kind.__name__}"
    if _depth(data) > MAX_DEPTH:
        return "nested too deeply"
    return ""


def _depth(value: Any) -> int:
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if deepest > MAX_DEPTH:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest
