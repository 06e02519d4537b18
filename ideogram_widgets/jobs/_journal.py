"""The on-disk journal of submitted jobs, their input images and their downloaded results.

Entries live in one SQLite database, ``<home>/journal.sqlite3`` (WAL mode; see :mod:`._store` for why and
how): written before a submit is sent, just before its bytes are handed to the network, once the
connection took them, as soon as the service gives the request id, and on every change of state. Input
images and masks are stored once by content hash in ``<home>/inputs/``; result files (and the composites
of edits) are copied into ``<home>/results/`` (also by content hash, written atomically) the moment a job
completes, because their URLs expire. The API token is never written: entries hold the backend's URL and
label and the job's settings only. Entries of version 0.1 (one JSON file per job in ``<home>/jobs/``) are
imported on first use; malformed ones are skipped and counted, never fatal.

``<home>`` is ``$IDEOGRAM_WIDGETS_HOME`` if set, else the user's data directory
(``$XDG_DATA_HOME/ideogram-widgets``, ``~/.local/share/ideogram-widgets``, ``~/Library/Application
Support/ideogram-widgets`` on macOS, ``%LOCALAPPDATA%\\ideogram-widgets`` on Windows).

Every failure to write is a :class:`~._errors.StorageError` (``JournalError`` before a submit), never a
bare ``OSError``.

Example:
    >>> import tempfile
    >>> journal = Journal(tempfile.mkdtemp())
    >>> journal.write({"id": "20250101T000000-abcd", "state": "submitting", "created_at": 1.0})
    True
    >>> [e["state"] for e in journal.entries()]
    ['submitting']
    >>> ref = journal.store_result(b"\\x89PNG\\r\\n\\x1a\\n...")
    >>> ref["path"].startswith("results/") and ref["path"].endswith(".png")
    True
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from ._errors import StorageError
from ._legacy import import_legacy
from ._owner import Owner
from ._rows import decode
from ._store import Store

__all__ = ["DB_NAME", "HOME_ENV", "SCHEMA_VERSION", "Journal", "default_home"]

HOME_ENV = "IDEOGRAM_WIDGETS_HOME"
SCHEMA_VERSION = 2
DB_NAME = "journal.sqlite3"

log = logging.getLogger("ideogram_widgets.jobs")

# Keys that must never reach the disk, wherever they appear in an entry.
INPUT_PNG_LEVEL = 1
"""zlib level of the journal's copies of input pictures (lossless whatever the level)."""

_storing_lock = threading.Lock()
_storing_now: dict[str, threading.Lock] = {}


@contextlib.contextmanager
def _storing(digest: str) -> Iterator[None]:
    """Hold the one lock for storing the picture ``digest``: the widget's preflight thread and the submit
    may store the same 12 MP original at once, and the second then finds the file instead of encoding it."""
    with _storing_lock:
        lock = _storing_now.setdefault(digest, threading.Lock())
    try:
        with lock:
            yield
    finally:
        with _storing_lock:
            if not lock.locked():
                _storing_now.pop(digest, None)


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
    """A folder holding the record of every job: ``journal.sqlite3``, ``inputs/`` and ``results/``.

    Args:
        home: the folder (created on first write, private to the user); default :func:`default_home`.
        fsync: make the writes that matter (the record before a submit, the request id, the final
            state, result files) durable against a power cut, not only a killed process. Writes happen
            off the event loop: no kernel time.
        lease: seconds after which a job whose owner stopped renewing its lease may be taken over by
            another process's ``resume()`` (a dead owner's jobs are taken at once).
    """

    def __init__(
        self, home: str | os.PathLike[str] | None = None, *, fsync: bool = True, lease: float = 30.0
    ) -> None:
        self.home = Path(home).expanduser() if home is not None else default_home()
        self.fsync = fsync
        self.lease = lease
        self.store = Store(self.home / DB_NAME, durable=fsync)
        self._made: set[Path] = set()
        self._lock = threading.Lock()
        self._legacy_seen: int | None = None

    def __repr__(self) -> str:
        return f"Journal({str(self.home)!r})"

    @property
    def jobs_dir(self) -> Path:
        """``<home>/jobs``: where version 0.1 kept one JSON file per job (read, never written)."""
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

    def write(self, entry: Mapping[str, Any], *, durable: bool = True, owner: Owner | None = None) -> bool:
        """Record one job's entry (it must have an ``id``); secrets are dropped.

        Returns False when the journal refused it: it already records a more final state (a terminal
        state never goes back), or another process owns the job (when ``owner`` is given). Raises
        :class:`StorageError` when the disk refuses. ``durable=False`` skips the flush to the disk (the
        write still survives a killed process): for intermediate states the next poll restores anyway.
        """
        job_id = str(entry["id"])
        if not job_id or "/" in job_id or "\\" in job_id or job_id.startswith("."):
            raise ValueError(f"not a journal id: {job_id!r}")
        body = dict(_scrub(entry))
        body.setdefault("version", SCHEMA_VERSION)
        nbytes = sum(int(r.get("bytes") or 0) for r in _refs(body))
        with self._storage():
            self._ensure_home()
            return self.store.put(body, owner=owner, durable=durable, nbytes=nbytes)

    def read(self, job_id: str) -> dict[str, Any] | None:
        """One entry, or None when it does not exist or cannot be read."""
        self.sync_legacy()
        try:
            body = self.store.get(job_id)
        except sqlite3.Error as exc:
            log.warning("could not read the journal entry %s: %s", job_id, exc)
            return None
        return decode(body, job_id, 0.0) if body is not None else None

    def entries(self) -> list[dict[str, Any]]:
        """Every readable entry, oldest first (malformed ones are skipped: see :meth:`recent`)."""
        found, _ = self.recent(None)
        return found[::-1]

    def recent(
        self, limit: int | None = None, *, unfinished: bool = False
    ) -> tuple[list[dict[str, Any]], int]:
        """Up to ``limit`` entries, newest first, read through the index; and how many were skipped as
        malformed (rows, and 0.1 files)."""
        skipped = self.sync_legacy()
        try:
            found, bad = self.store.recent(limit, unfinished=unfinished)
        except sqlite3.Error as exc:
            raise StorageError(self.store.path, exc, what="(read) the job journal") from None
        return found, bad + skipped

    def open_entries(self) -> Iterator[tuple[str, str | None, dict[str, Any] | None]]:
        """Every open entry, oldest first, as ``(id, base_url, entry)`` (``entry`` None when malformed);
        :class:`StorageError` when the database cannot be read."""
        with self._storage():
            rows = self.store.open_rows()
        for job_id, base_url, _owner, _beat in rows:
            with self._storage():
                body = self.store.get(job_id)
            yield job_id, base_url, decode(body, job_id, 0.0)

    def remove(self, job_ids: Iterable[str]) -> int:
        """Forget entries (their files stay: see :func:`prune`); returns how many were removed."""
        with self._storage():
            return self.store.delete(job_ids)

    def sync_legacy(self) -> int:
        """Import the entries 0.1 left in ``<home>/jobs/`` (once, and again when that folder changes);
        returns how many of its files were skipped as malformed."""
        try:
            stamp = self.jobs_dir.stat().st_mtime_ns
        except OSError:
            return self._skipped_legacy()
        if stamp == self._legacy_seen:
            return self._skipped_legacy()
        try:
            if self.store.meta("legacy_mtime") != str(stamp):
                entries, skipped = import_legacy(self.jobs_dir)
                with self._storage():
                    self.store.put_many(_scrub(e) for e in entries)
                    self.store.set_meta("legacy_mtime", str(stamp), skipped)
            self._legacy_seen = stamp
        except (StorageError, sqlite3.Error) as exc:
            log.warning("could not import the 0.1 journal files of %s: %s", self.jobs_dir, exc)
        return self._skipped_legacy()

    def _skipped_legacy(self) -> int:
        try:
            return self.store.skipped_count()
        except sqlite3.Error:
            return 0

    # ----------------------------------------------------------------- owners

    def claim(self, job_id: str, owner: Owner | None = None) -> tuple[bool, str]:
        """Become the owner of an open job unless another live process follows it; ``(taken, why not)``."""
        with self._storage():
            return self.store.claim(job_id, owner or Owner.current(), self.lease)

    def renew(self, job_ids: Iterable[str], owner: Owner | None = None) -> None:
        """Renew this process's lease on the jobs it follows."""
        with self._storage():
            self.store.renew(job_ids, owner or Owner.current())

    def release(self, job_id: str, owner: Owner | None = None) -> None:
        """Let another process take the job at once (it is no longer followed here)."""
        with self._storage():
            self.store.release(job_id, owner or Owner.current())

    # ----------------------------------------------------------------- files

    def store_image(self, image: Image.Image) -> dict[str, Any]:
        """Keep a lossless copy of an input image (once per content); returns its reference."""
        digest = hashlib.sha256(f"{image.mode}|{image.size}|".encode())
        digest.update(image.tobytes())
        name = f"inputs/{digest.hexdigest()}.png"
        target = self.path(name)
        with _storing(digest.hexdigest()):  # a second store of the same picture waits, it does not re-encode
            if not target.exists():
                from ..api._png import encode_png

                # zlib level 1: a 12 MP photo encodes in about a quarter of level 6's time, for ~15 % more
                # bytes; the submit waits for this copy (nothing paid for is lost), not for a smaller file
                self._atomic(target, encode_png(image, compress_level=INPUT_PNG_LEVEL))
        return {"sha256": digest.hexdigest(), "path": name, "width": image.width, "height": image.height}

    def store_mask(self, mask: npt.NDArray[np.bool_]) -> dict[str, Any]:
        """Keep a mask as a black-and-white PNG, white = edit (this package's polarity)."""
        from ..api import MaskPolarity
        from ..api._masks import mask_image

        ref = self.store_image(mask_image(mask, MaskPolarity.WHITE_IS_EDIT))
        ref["meaning"] = "white = edit"
        return ref

    def store_result(self, data: bytes, *, durable: bool = True) -> dict[str, Any]:
        """Keep a downloaded result file as is; returns ``{"sha256", "path", "bytes"}``.

        ``durable=False``: no flush to the disk (for what can be rebuilt, such as a composite)."""
        digest = hashlib.sha256(data).hexdigest()
        name = f"results/{digest}{_suffix(data)}"
        target = self.path(name)
        if not (target.exists() and target.stat().st_size == len(data)):
            self._atomic(target, data, sync=durable)
        return {"sha256": digest, "path": name, "bytes": len(data)}

    # ----------------------------------------------------------------- internals

    @contextlib.contextmanager
    def _storage(self) -> Any:
        """Turn the disk's refusals into StorageError."""
        try:
            yield
        except StorageError:
            raise
        except sqlite3.Error as exc:
            raise StorageError(self.store.path, exc) from None
        except OSError as exc:
            raise StorageError(getattr(exc, "filename", None) or self.home, exc.strerror or exc) from None

    def _ensure_home(self) -> None:
        if self.home not in self._made:
            with self._lock:
                self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
                self._made.add(self.home)

    def _atomic(self, target: Path, data: bytes, *, sync: bool = True) -> None:
        with self._storage():
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


def _refs(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [r for key in ("files", "composites") for r in body.get(key) or [] if isinstance(r, dict)]
