"""The journal's SQLite connections: one per thread and per process, kept open, at most a few per thread.

Kept open because closing the last connection of a WAL database checkpoints and deletes the WAL, which
would cost milliseconds per write; never shared between threads (each has its own), never used by a
forked child (the key includes the pid).

Example::

    conn = connection(store)          # this thread's connection to that journal
    close_connections()               # e.g. before unmounting the journal's folder
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._store import Store

__all__ = ["close_connections", "connection", "drop"]

_local = threading.local()
_PER_THREAD = 4  # connections kept open per thread (to the most recently used journals)


def connection(store: Store) -> sqlite3.Connection:
    """This thread's (and this process's: a forked child opens its own) connection to ``store``.

    Kept open: closing the last connection of a WAL database checkpoints and deletes the WAL, which would
    cost milliseconds per write. At most :data:`_PER_THREAD` per thread; the least recently used is closed.
    """
    pool: OrderedDict[tuple[int, str], sqlite3.Connection] | None = getattr(_local, "pool", None)
    if pool is None:
        pool = _local.pool = OrderedDict()
    key = (os.getpid(), str(store.path))
    conn = pool.get(key)
    if conn is not None:
        pool.move_to_end(key)
        return conn
    conn = pool[key] = store.open_connection()
    while len(pool) > _PER_THREAD:
        (pid, _), old = pool.popitem(last=False)
        if pid == os.getpid():
            with contextlib.suppress(sqlite3.Error):
                old.close()
    return conn


def drop(store: Store) -> None:
    pool = getattr(_local, "pool", None)
    if pool is not None:
        conn = pool.pop((os.getpid(), str(store.path)), None)
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.close()


def close_connections() -> None:
    """Close this thread's connections (tests unmounting a folder, tidy shutdowns)."""
    pool = getattr(_local, "pool", None)
    while pool:
        (pid, _), conn = pool.popitem()
        if pid == os.getpid():
            with contextlib.suppress(sqlite3.Error):
                conn.close()
