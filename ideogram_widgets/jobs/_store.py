"""The journal's index: one SQLite database (WAL) holding every entry and the owner of every open job.

Why SQLite: history and resume read a few rows through an index instead of every file (100,000 past jobs
cost the same as ten), and a transaction (``BEGIN IMMEDIATE``) makes "take this job if nobody else follows
it" and "never replace a more final state" single atomic steps, across threads and processes. Each
thread of each process keeps its own connection open (:mod:`._connections`: never shared between threads,
never used by a forked child; kept open because closing the last one checkpoints the WAL), with a
``busy_timeout`` so concurrent writers wait instead of failing; the first connection of a process
prepares a new file (WAL, schema) while the others wait.

Every write carries a *rank* (how final the state is); the UPDATE itself refuses a lower rank, and a
terminal state is only ever rewritten by the same state (a completed, downloaded job never becomes
expired, whoever writes last). Ownership is a lease: the owner's identity (host, pid, the process's start
time) and a heartbeat timestamp renewed while it follows the job.

Example:
    >>> import tempfile, pathlib
    >>> store = Store(pathlib.Path(tempfile.mkdtemp()) / "journal.sqlite3")
    >>> store.put({"id": "a", "state": "in_queue", "created_at": 1.0, "request_id": "r"})
    True
    >>> store.put({"id": "a", "state": "submitting", "created_at": 1.0})   # less final: refused
    False
    >>> [row["state"] for row in store.recent(10)[0]]
    ['in_queue']
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ._connections import connection, drop
from ._owner import Owner
from ._rows import decode, instant

__all__ = ["Store", "is_open", "rank"]

_TERMINAL_RANK = 6
_RANKS = {
    "submitting": 0,
    "sending": 1,
    "leaving": 2,
    "sent": 3,
    "completed": 5,
    "failed": 6,
    "cancelled": 6,
    "expired": 6,
    "not_sent": 6,
}
SUBMIT_STATES = ("submitting", "sending", "leaving", "sent")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    state TEXT NOT NULL,
    rank INTEGER NOT NULL,
    open INTEGER NOT NULL,
    base_url TEXT,
    request_id TEXT,
    owner TEXT,
    heartbeat REAL,
    bytes INTEGER NOT NULL DEFAULT 0,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_time ON entries (created_at, id);
CREATE INDEX IF NOT EXISTS entries_open ON entries (open, created_at) WHERE open = 1;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS skipped (name TEXT PRIMARY KEY, why TEXT NOT NULL);
"""


def rank(entry: Mapping[str, Any]) -> int:
    """How final an entry's state is: 0 (submitting) … 7 (completed and downloaded)."""
    state = str(entry.get("state") or "")
    if state == "completed" and entry.get("downloaded"):
        return 7
    return _RANKS.get(state, 4)  # submitted, in_queue, in_progress and states nobody knows yet


def is_open(entry: Mapping[str, Any]) -> bool:
    """True for a job ``resume()`` has something to do for (see :func:`_records.needs_resume`)."""
    state = str(entry.get("state") or "")
    if not entry.get("request_id"):
        return state in SUBMIT_STATES
    return rank(entry) < _TERMINAL_RANK


class Store:
    """The SQLite file of one journal (created on first use)."""

    def __init__(self, path: Path, *, durable: bool = True, busy_timeout: float = 30.0) -> None:
        self.path = path
        self.durable = durable
        self.busy_timeout = busy_timeout
        self._ready = False
        # one thread prepares the file: switching a new database to WAL while another connection of this
        # process holds a lock fails at once ("database is locked"), without waiting for busy_timeout
        self._preparing = threading.Lock()

    # ----------------------------------------------------------------- connections

    @contextlib.contextmanager
    def connect(self, *, write: bool = False, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """This thread's connection; with ``write``, inside ``BEGIN IMMEDIATE`` … ``COMMIT``."""
        if not write and not self.path.exists():
            raise FileNotFoundError(self.path)
        conn = connection(self)
        try:
            if write:
                full = self.durable and durable
                conn.execute(f"PRAGMA synchronous = {'FULL' if full else 'NORMAL'}")
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            else:
                yield conn
        except sqlite3.Error:
            drop(self)  # a broken connection is not reused
            raise

    def open_connection(self) -> sqlite3.Connection:
        """A new connection to this store (prepared: WAL, busy timeout, schema)."""
        conn = sqlite3.connect(
            self.path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=True
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            if not self._ready:
                with self._preparing:
                    if not self._ready:
                        self._prepare(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(_SCHEMA)
        self._ready = True

    # ----------------------------------------------------------------- writing

    def put(
        self,
        entry: Mapping[str, Any],
        *,
        owner: Owner | None = None,
        durable: bool = True,
        nbytes: int = 0,
    ) -> bool:
        """Insert or update an entry; False when refused (a more final state is recorded, or another
        process owns the job). With ``owner``, the write also renews that owner's lease."""
        row = self._row(entry, owner, nbytes)
        owned = ""
        if owner is not None:
            owned = "AND (entries.owner IS NULL OR entries.owner = excluded.owner)"
        sql = f"""
            INSERT INTO entries (id, created_at, updated_at, state, rank, open, base_url, request_id,
                                 owner, heartbeat, bytes, body)
            VALUES (:id, :created_at, :updated_at, :state, :rank, :open, :base_url, :request_id,
                    :owner, :heartbeat, :bytes, :body)
            ON CONFLICT (id) DO UPDATE SET
                updated_at = excluded.updated_at, state = excluded.state, rank = excluded.rank,
                open = excluded.open, base_url = excluded.base_url, request_id = excluded.request_id,
                owner = COALESCE(excluded.owner, entries.owner),
                heartbeat = COALESCE(excluded.heartbeat, entries.heartbeat),
                bytes = excluded.bytes, body = excluded.body
            WHERE (excluded.rank > entries.rank
                   OR (excluded.rank = entries.rank
                       AND (excluded.rank < {_TERMINAL_RANK} OR excluded.state = entries.state)))
                  {owned}
        """
        with self.connect(write=True, durable=durable) as conn:
            return conn.execute(sql, row).rowcount > 0

    def put_many(self, entries: Iterable[Mapping[str, Any]]) -> int:
        """Insert entries not recorded yet, in one transaction (imports and benchmarks); returns how many."""
        rows = [self._row(e, None, 0) for e in entries]
        with self.connect(write=True, durable=True) as conn:
            before = conn.total_changes
            conn.executemany(
                """INSERT OR IGNORE INTO entries (id, created_at, updated_at, state, rank, open, base_url,
                       request_id, owner, heartbeat, bytes, body)
                   VALUES (:id, :created_at, :updated_at, :state, :rank, :open, :base_url, :request_id,
                       :owner, :heartbeat, :bytes, :body)""",
                rows,
            )
            return conn.total_changes - before

    @staticmethod
    def _row(entry: Mapping[str, Any], owner: Owner | None, nbytes: int) -> dict[str, Any]:
        created = instant(entry.get("created_at")) or 0.0
        recorded = Owner.from_record(entry.get("owner"))
        holder = owner or recorded
        body = dict(entry)
        if holder is not None:
            body["owner"] = holder.record()
        base_url = entry.get("base_url")
        request_id = entry.get("request_id")
        return {
            "id": str(entry["id"]),
            "created_at": created,
            "updated_at": instant(entry.get("updated_at")) or created,
            "state": str(entry.get("state") or "unknown"),
            "rank": rank(entry),
            "open": int(is_open(entry)),
            "base_url": base_url if isinstance(base_url, str) else None,
            "request_id": request_id if isinstance(request_id, str) and request_id else None,
            "owner": holder.key if holder is not None else None,
            "heartbeat": time.time() if owner is not None else None,
            "bytes": nbytes,
            "body": json.dumps(body, sort_keys=True, default=str),
        }

    # ----------------------------------------------------------------- owners

    def claim(self, job_id: str, me: Owner, lease: float) -> tuple[bool, str]:
        """Become the owner of an open job unless another live process follows it (its lease is fresh);
        returns ``(taken, why not)``."""
        with self.connect(write=True) as conn:
            now = time.time()  # inside the transaction: no renewal can land after it and look newer
            found = conn.execute(
                "SELECT open, owner, heartbeat FROM entries WHERE id = ?", (job_id,)
            ).fetchone()
            if found is None:
                return False, "no such entry"
            is_open_, key, beat = found
            if not is_open_:
                return False, "finished"
            if key and key != me.key:
                other = Owner.from_key(str(key))
                fresh = beat is None or (isinstance(beat, int | float) and now - beat < lease)
                if other is not None and other.alive() and fresh:
                    return False, f"followed by {other.describe()}"
            conn.execute("UPDATE entries SET owner = ?, heartbeat = ? WHERE id = ?", (me.key, now, job_id))
            return True, ""

    def renew(self, job_ids: Iterable[str], me: Owner) -> None:
        """Renew ``me``'s lease on the jobs it follows."""
        ids = list(job_ids)
        if not ids:
            return
        with self.connect(write=True) as conn:
            conn.executemany(
                "UPDATE entries SET heartbeat = ? WHERE id = ? AND owner = ?",
                [(time.time(), job_id, me.key) for job_id in ids],
            )

    def release(self, job_id: str, me: Owner) -> None:
        """Stop owning a job (it stays open: anyone's ``resume()`` may take it at once)."""
        with self.connect(write=True) as conn:
            conn.execute("UPDATE entries SET owner = NULL WHERE id = ? AND owner = ?", (job_id, me.key))

    # ----------------------------------------------------------------- reading

    def select(self, sql: str, args: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """The rows a query answers, streamed (a caller may stop early); none before the journal's
        database exists (reading never creates it)."""
        try:
            with self.connect() as conn:
                yield from conn.execute(sql, args)
        except FileNotFoundError:
            return

    def _first(self, sql: str, args: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        for row in self.select(sql, args):
            return row
        return None

    def get(self, job_id: str) -> str | None:
        """The stored body of one entry (JSON text), or None."""
        found = self._first("SELECT body FROM entries WHERE id = ?", (job_id,))
        return found[0] if found else None

    def recent(
        self, limit: int | None, *, unfinished: bool = False, before: tuple[float, str] | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """Up to ``limit`` entries, newest first (``unfinished``: only open ones); returns the decoded
        entries and how many rows were skipped as malformed."""
        where = ["open = 1"] if unfinished else []
        args: list[Any] = []
        if before is not None:
            where.append("(created_at < ? OR (created_at = ? AND id < ?))")
            args += [before[0], before[0], before[1]]
        sql = "SELECT id, created_at, body FROM entries"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at DESC, id DESC"
        found: list[dict[str, Any]] = []
        skipped = 0
        for job_id, created, body in self.select(sql, args):
            entry = decode(body, job_id, created)
            if entry is None:
                skipped += 1
                continue
            found.append(entry)
            if limit is not None and len(found) >= limit:
                break
        return found, skipped

    def open_rows(self) -> list[tuple[str, str | None, str | None, float | None]]:
        """``(id, base_url, owner, heartbeat)`` of every open entry, oldest first."""
        sql = "SELECT id, base_url, owner, heartbeat FROM entries WHERE open = 1 ORDER BY created_at, id"
        return [(row[0], row[1], row[2], row[3]) for row in self.select(sql)]

    # ----------------------------------------------------------------- bookkeeping

    def meta(self, key: str) -> str | None:
        """A value of the ``meta`` table."""
        found = self._first("SELECT value FROM meta WHERE key = ?", (key,))
        return str(found[0]) if found else None

    def set_meta(self, key: str, value: str, skipped: Mapping[str, str] | None = None) -> None:
        """Set a ``meta`` value (and record files skipped as malformed, by name)."""
        with self.connect(write=True) as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
            conn.executemany(
                "INSERT OR REPLACE INTO skipped (name, why) VALUES (?, ?)", list((skipped or {}).items())
            )

    def skipped_count(self) -> int:
        """How many legacy files were skipped as malformed."""
        found = self._first("SELECT COUNT(*) FROM skipped")
        return int(found[0]) if found else 0

    def delete(self, job_ids: Iterable[str]) -> int:
        """Remove entries; returns how many were removed."""
        with self.connect(write=True) as conn:
            before = conn.total_changes
            conn.executemany("DELETE FROM entries WHERE id = ?", [(i,) for i in job_ids])
            return conn.total_changes - before
