"""Result files of the local sandbox: PNGs in a folder, each with an expiry by the (injectable) clock.

Without a folder the store makes a private temporary one and deletes it when closed; with one (the
sandbox's ``state_dir``) it keeps the files, and a new store on the same folder serves them again, each
until ``ttl`` seconds after it was written.

Example:
    >>> store = FileStore()
    >>> name = store.add(b"\\x89PNG...", ttl=60.0)
    >>> store.path(name) is not None
    True
    >>> store.close()
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from pathlib import Path

_NAME = re.compile(r"^[0-9a-f]{32}\.png$")


class FileStore:
    """Thread-safe store of result files, each deleted ``ttl`` seconds after it was added."""

    def __init__(
        self,
        folder: str | os.PathLike[str] | None = None,
        *,
        ttl: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._ttl = ttl
        self._kept = folder is not None
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()
        self._finalizer: Callable[[], object]
        if folder is None:
            self._dir = Path(tempfile.mkdtemp(prefix="ideogram-sandbox-"))
            # The folder goes away with the store, even if close() is never called.
            self._finalizer = weakref.finalize(self, shutil.rmtree, self._dir, True)
        else:
            self._dir = Path(folder).expanduser()
            self._dir.mkdir(parents=True, exist_ok=True)
            self._finalizer = lambda: None  # a given folder is kept
            for path in self._dir.iterdir():  # files an earlier process left: served until they expire
                if _NAME.match(path.name):
                    try:
                        self._expiry[path.name] = path.stat().st_mtime + ttl
                    except OSError:
                        continue
            self.purge()

    @property
    def folder(self) -> Path:
        """Where the files live."""
        return self._dir

    def add(self, data: bytes, ttl: float) -> str:
        """Write ``data`` as a new PNG file; return its name (32 hex digits + ``.png``)."""
        name = f"{uuid.uuid4().hex}.png"
        temp = self._dir / f".{name}.tmp"
        temp.write_bytes(data)
        os.replace(temp, self._dir / name)  # whole or absent, even if the process dies mid-write
        with self._lock:
            self._expiry[name] = self._clock() + ttl
        return name

    def path(self, name: str) -> Path | None:
        """The file's path, or None when the name is unknown, malformed or expired."""
        if not _NAME.match(name):
            return None
        self.purge()
        with self._lock:
            if name not in self._expiry and not self._adopt(name):
                return None
        return self._dir / name

    def _adopt(self, name: str) -> bool:
        """A file another process wrote into a kept folder since this store opened it (lock held)."""
        if not self._kept:
            return False
        try:
            expires = (self._dir / name).stat().st_mtime + self._ttl
        except OSError:
            return False
        if expires <= self._clock():
            return False
        self._expiry[name] = expires
        return True

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
        now = self._clock()
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
        """Stop serving; a private temporary folder is deleted with everything in it (a given folder is
        kept for the next process)."""
        with self._lock:
            self._expiry.clear()
        self._finalizer()
