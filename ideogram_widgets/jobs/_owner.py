"""Which process follows a job: host, pid and the process's start time (a recycled pid is not the owner).

Example:
    >>> me = Owner.current()
    >>> me.alive(), Owner.from_key(me.key) == me
    (True, True)
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from typing import Any

from ..api._process import process_exists

__all__ = ["Owner"]


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), '' where unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            raw = fh.read().decode("ascii", "replace")
    except OSError:
        return ""
    fields = raw.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""


def _boot_id() -> str:
    """This boot of the machine ('' where unknown): what survives a killed process (the page cache)
    is only known to have survived while it stays the same."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fh:
            return fh.read().strip()
    except OSError:
        return ""


_HOST = socket.gethostname()
BOOT = _boot_id()


@dataclass(frozen=True)
class Owner:
    """One process's identity, as recorded in the journal."""

    host: str
    pid: int
    start: str = ""

    @classmethod
    def current(cls) -> Owner:
        """This process (computed afresh: a forked child is another owner)."""
        pid = os.getpid()
        cached = _current.get(pid)
        if cached is None:
            cached = _current[pid] = cls(_HOST, pid, _start_time(pid))
        return cached

    @property
    def key(self) -> str:
        """The text stored in the journal's owner column."""
        return f"{self.host}|{self.pid}|{self.start}"

    @classmethod
    def from_key(cls, key: str) -> Owner | None:
        """Parse :attr:`key`; None when malformed."""
        parts = key.split("|")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        return cls(parts[0], int(parts[1]), parts[2])

    def record(self) -> dict[str, Any]:
        """The ``owner`` field of an entry."""
        return {"host": self.host, "pid": self.pid, "start": self.start, "boot": BOOT}

    @classmethod
    def from_record(cls, record: Any) -> Owner | None:
        """An entry's ``owner`` field (as 0.1 wrote it too: ``{"pid", "host"}``); None when absent."""
        if not isinstance(record, dict):
            return None
        pid, host, start = record.get("pid"), record.get("host"), record.get("start", "")
        if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0 or not isinstance(host, str):
            return None
        return cls(host, pid, start if isinstance(start, str) else "")

    def alive(self) -> bool:
        """True while this process runs (on this host; another host's owner, or one this platform cannot
        probe without harming it (Windows), counts as alive: only its lease can tell)."""
        if self.host != _HOST:
            return True
        if self.pid == os.getpid():
            return self == Owner.current() or not self.start
        exists = process_exists(self.pid)
        if exists is False:
            return False
        if exists and self.start:
            now = _start_time(self.pid)
            return not now or now == self.start  # another process now has that pid
        return True

    def describe(self) -> str:
        """``process 1234 on host`` for messages."""
        return f"process {self.pid} on {self.host}"


_current: dict[int, Owner] = {}
