"""The on-disk journal of submitted jobs, their input images and their downloaded results.

One JSON file per job in ``<home>/jobs/``, rewritten atomically (a temporary file, then ``os.replace``)
before a submit is sent, as soon as the service gives the request id, and on every change of state. Input
images and masks are stored once by content hash in ``<home>/inputs/``; result files are copied into
``<home>/results/`` (also by content hash) the moment a job completes, because their URLs expire. The API
token is never written: entries hold the backend's URL and the job's settings only.

``<home>`` is ``$IDEOGRAM_WIDGETS_HOME`` if set, else the user's data directory
(``$XDG_DATA_HOME/ideogram-widgets``, ``~/.local/share/ideogram-widgets``, ``~/Library/Application
Support/ideogram-widgets`` on macOS, ``%LOCALAPPDATA%\\ideogram-widgets`` on Windows).

Example:
    >>> import tempfile
    >>> journal = Journal(tempfile.mkdtemp())
    >>> journal.write({"id": "20250101T000000-abcd", "state": "submitting", "created_at": 1.0})
    >>> [e["state"] for e in journal.entries()]
    ['submitting']
    >>> ref = journal.store_result(b"\\x89PNG\\r\\n\\x1a\\n...")
    >>> ref["path"].startswith("results/") and ref["path"].endswith(".png")
    True
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

__all__ = ["HOME_ENV", "SCHEMA_VERSION", "Journal", "default_home"]

HOME_ENV = "IDEOGRAM_WIDGETS_HOME"
SCHEMA_VERSION = 1

log = logging.getLogger("ideogram_widgets.jobs")

# Keys that must never reach the disk, wherever they appear in an entry.
_SECRET_KEYS = frozenset({"token", "api_token", "api_key", "authorization", "bearer", "password"})


def default_home() -> Path:
    """Where the journal lives unless told otherwise (see the module's documentation)."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ideogram-widgets"


def _scrub(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _scrub(v) for k, v in value.items() if str(k).lower() not in _SECRET_KEYS}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def _suffix(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if data.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return ".gif"
    return ".bin"


class Journal:
    """A folder holding the record of every job: ``jobs/``, ``inputs/`` and ``results/``.

    Args:
        home: the folder (created on first write, private to the user); default :func:`default_home`.
        fsync: flush the writes that matter (the record before a submit, the request id, the final
            state, result files) to the disk before renaming them into place, so they survive a power
            cut, not only a killed process. Writes happen off the event loop: no kernel time.
    """

    def __init__(self, home: str | os.PathLike[str] | None = None, *, fsync: bool = True) -> None:
        self.home = Path(home).expanduser() if home is not None else default_home()
        self.fsync = fsync
        self._made: set[Path] = set()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Journal({str(self.home)!r})"

    @property
    def jobs_dir(self) -> Path:
        """``<home>/jobs``: one JSON file per job."""
        return self.home / "jobs"

    def path(self, relative: str) -> Path:
        """The absolute path of a file the journal refers to (``inputs/…``, ``results/…``)."""
        return self.home / relative

    @staticmethod
    def new_id(created_at: float | None = None) -> str:
        """A new job id: sortable by creation time, unique (``20250101T120000-1a2b3c4d5e6f``)."""
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(created_at or time.time()))
        return f"{stamp}-{uuid.uuid4().hex[:12]}"

    # ----------------------------------------------------------------- entries

    def write(self, entry: Mapping[str, Any], *, durable: bool = True) -> None:
        """Write one job's entry atomically (it must have an ``id``); secrets are dropped.

        ``durable=False`` skips the fsync (the write is still atomic and survives a killed process; only a
        power cut could lose it): for intermediate states that the next poll would restore anyway.
        """
        job_id = str(entry["id"])
        if not job_id or "/" in job_id or "\\" in job_id or job_id.startswith("."):
            raise ValueError(f"not a journal id: {job_id!r}")
        body = dict(_scrub(entry))
        body.setdefault("version", SCHEMA_VERSION)
        data = json.dumps(body, indent=1, sort_keys=True, default=str).encode("utf-8")
        self._atomic(self.jobs_dir / f"{job_id}.json", data, sync=durable)

    def read(self, job_id: str) -> dict[str, Any] | None:
        """One entry, or None when it does not exist or cannot be read."""
        return self._load(self.jobs_dir / f"{job_id}.json")

    def entries(self) -> list[dict[str, Any]]:
        """Every readable entry, oldest first (unreadable files are skipped and logged)."""
        if not self.jobs_dir.is_dir():
            return []
        found = []
        for path in self.jobs_dir.iterdir():
            if path.name.startswith("."):
                self._forget_stale_temp(path)
                continue
            if path.suffix == ".json":
                entry = self._load(path)
                if entry is not None:
                    found.append(entry)
        found.sort(key=lambda e: (float(e.get("created_at") or 0.0), str(e.get("id"))))
        return found

    # ----------------------------------------------------------------- files

    def store_image(self, image: Image.Image) -> dict[str, Any]:
        """Keep a lossless copy of an input image (once per content); returns its reference."""
        digest = hashlib.sha256(f"{image.mode}|{image.size}|".encode())
        digest.update(image.tobytes())
        name = f"inputs/{digest.hexdigest()}.png"
        target = self.path(name)
        if not target.exists():
            from ..api.media import encode_png

            self._atomic(target, encode_png(image))
        return {"sha256": digest.hexdigest(), "path": name, "width": image.width, "height": image.height}

    def store_mask(self, mask: npt.NDArray[np.bool_]) -> dict[str, Any]:
        """Keep a mask as a black-and-white PNG, white = edit (this package's polarity)."""
        image = Image.fromarray(np.where(np.asarray(mask, dtype=bool), 255, 0).astype(np.uint8), "L")
        ref = self.store_image(image)
        ref["meaning"] = "white = edit"
        return ref

    def store_result(self, data: bytes) -> dict[str, Any]:
        """Keep a downloaded result file as is; returns ``{"sha256", "path", "bytes"}``."""
        digest = hashlib.sha256(data).hexdigest()
        name = f"results/{digest}{_suffix(data)}"
        target = self.path(name)
        if not (target.exists() and target.stat().st_size == len(data)):
            self._atomic(target, data)
        return {"sha256": digest, "path": name, "bytes": len(data)}

    # ----------------------------------------------------------------- internals

    def _atomic(self, target: Path, data: bytes, *, sync: bool = True) -> None:
        folder = target.parent
        if folder not in self._made:
            with self._lock:
                self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._made.add(folder)
        temp = folder / f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            with open(temp, "wb") as fh:
                fh.write(data)
                if self.fsync and sync:
                    fh.flush()
                    os.fsync(fh.fileno())
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise

    @staticmethod
    def _load(path: Path) -> dict[str, Any] | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.warning("skipping unreadable journal file %s: %s", path.name, exc)
            return None
        return data if isinstance(data, dict) and data.get("id") else None

    @staticmethod
    def _forget_stale_temp(path: Path) -> None:
        # a temporary file left by a process killed mid-write; the entry itself is intact
        if path.suffix == ".tmp":
            with contextlib.suppress(OSError):
                if time.time() - path.stat().st_mtime > 3600:
                    path.unlink()
