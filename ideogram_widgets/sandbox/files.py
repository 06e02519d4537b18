"""Result files of the local sandbox: PNGs in a private temporary folder, with an expiry.

Example:
    >>> store = FileStore()
    >>> name = store.add(b"\\x89PNG...", ttl=60.0)
    >>> store.path(name) is not None
    True
    >>> store.close()
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import time
import uuid
import weakref
from pathlib import Path

_NAME = re.compile(r"^[0-9a-f]{32}\.png$")


class FileStore:
    """Thread-safe store of result files, each deleted ``ttl`` seconds after it was added."""

    def __init__(self) -> None:
        self._dir = Path(tempfile.mkdtemp(prefix="ideogram-sandbox-"))
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()
        # The folder goes away with the store, even if close() is never called.
        self._finalizer = weakref.finalize(self, shutil.rmtree, self._dir, True)

    @property
    def folder(self) -> Path:
        """Where the files live."""
        return self._dir

    def add(self, data: bytes, ttl: float) -> str:
        """Write ``data`` as a new PNG file; return its name (32 hex digits + ``.png``)."""
        name = f"{uuid.uuid4().hex}.png"
        (self._dir / name).write_bytes(data)
        with self._lock:
            self._expiry[name] = time.monotonic() + ttl
        return name

    def path(self, name: str) -> Path | None:
        """The file's path, or None when the name is unknown, malformed or expired."""
        if not _NAME.match(name):
            return None
        self.purge()
        with self._lock:
            if name not in self._expiry:
                return None
        return self._dir / name

    def read(self, name: str) -> bytes | None:
        """The file's bytes, or None when it is unknown or expired."""
        path = self.path(name)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except FileNotFoundError:  # expired between the check and the read
            return None

    def remove(self, name: str) -> None:
        """Delete a file now (no error if it is already gone)."""
        with self._lock:
            self._expiry.pop(name, None)
        (self._dir / name).unlink(missing_ok=True)

    def purge(self) -> int:
        """Delete every expired file; return how many were deleted."""
        now = time.monotonic()
        with self._lock:
            expired = [n for n, t in self._expiry.items() if t <= now]
            for name in expired:
                del self._expiry[name]
        for name in expired:
            (self._dir / name).unlink(missing_ok=True)
        return len(expired)

    def count(self) -> int:
        """How many files are currently served."""
        with self._lock:
            return len(self._expiry)

    def close(self) -> None:
        """Delete the folder and everything in it."""
        with self._lock:
            self._expiry.clear()
        self._finalizer()
