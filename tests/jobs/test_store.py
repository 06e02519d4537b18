"""The journal's store: no write makes a state less final, one owner per job, malformed entries counted,
pruning by age and size."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ideogram_widgets.jobs import Journal, history, prune, resume
from ideogram_widgets.jobs._owner import Owner

from .helpers import Inproc

EDIT = "ideogram/ideogram-v3/edit"


def _entry(job_id: str, state: str, **more: object) -> dict[str, object]:
    return {
        "id": job_id,
        "state": state,
        "created_at": 1.0,
        "model_id": EDIT,
        "request_id": "r-" + job_id,
        **more,
    }


def _dead_owner() -> Owner:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return Owner(socket.gethostname(), proc.pid, "")


def test_a_completed_downloaded_job_never_becomes_expired(home: Path) -> None:
    journal = Journal(home)
    assert journal.write(_entry("a", "in_progress"))
    assert journal.write(_entry("a", "completed", downloaded=True, files=[{"path": "results/x.png"}]))
    assert not journal.write(_entry("a", "expired"))  # a late poll of another process: refused
    assert not journal.write(_entry("a", "in_progress"))
    entry = journal.read("a")
    assert entry is not None
    assert entry["state"] == "completed"
    assert entry["downloaded"]


def test_a_terminal_state_never_goes_back(home: Path) -> None:
    journal = Journal(home)
    assert journal.write(_entry("f", "failed"))
    for state in ("submitting", "sending", "sent", "submitted", "in_queue", "completed", "cancelled"):
        assert not journal.write(_entry("f", state)), state
    assert journal.write(_entry("f", "failed", error={"type": "JobFailedError", "message": "again"}))
    assert journal.read("f")["state"] == "failed"  # type: ignore[index]
    # but more final is always accepted: a completed-undownloaded job gets its files
    assert journal.write(_entry("c", "completed", downloaded=False))
    assert journal.write(_entry("c", "completed", downloaded=True))


def test_only_the_owner_writes_once_a_job_is_owned(home: Path) -> None:
    journal = Journal(home)
    me, other = Owner.current(), Owner("elsewhere", 4242, "7")
    assert journal.write(_entry("o", "in_queue"), owner=me)
    assert not journal.write(_entry("o", "in_progress"), owner=other)
    assert journal.write(_entry("o", "in_progress"), owner=me)
    journal.release("o", me)
    assert journal.write(_entry("o", "completed"), owner=other)  # released: anyone may take it


def test_claims_respect_live_owners_and_take_over_dead_or_silent_ones(home: Path) -> None:
    journal = Journal(home, lease=3600.0)  # no lease goes stale while this test runs, however slowly
    me = Owner.current()
    alive_elsewhere = Owner("another-host", 1, "1")
    journal.write(_entry("live", "in_queue"), owner=alive_elsewhere)
    journal.write(_entry("dead", "in_queue"), owner=_dead_owner())
    journal.write(_entry("done", "failed"))
    taken, why = journal.claim("live", me)
    assert not taken
    assert why == "followed by process 1 on another-host"
    assert journal.claim("dead", me) == (True, "")
    assert journal.claim("done", me) == (False, "finished")
    # a journal whose lease is 0 s counts every heartbeat as stale: the silent owner's job is taken over
    assert Journal(home, lease=0.0).claim("live", me) == (True, "")
    assert not journal.write(_entry("live", "in_progress"), owner=alive_elsewhere)  # the old owner lost it


async def test_malformed_entries_are_skipped_and_counted(inproc: Inproc, home: Path) -> None:
    client, _ = inproc()
    legacy = home / "jobs"
    legacy.mkdir(parents=True)
    good = {"id": "good", "state": "failed", "created_at": 5.0, "model_id": EDIT}
    (legacy / "good.json").write_text(json.dumps(good))
    (legacy / "string-time.json").write_text(json.dumps({**good, "id": "s", "created_at": "yesterday"}))
    (legacy / "params-list.json").write_text(json.dumps({**good, "id": "p", "params": [1, 2]}))
    (legacy / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (legacy / "nested.json").write_text(json.dumps({**good, "id": "n", "params": _nest(40)}))
    (legacy / "half.json").write_text('{"id": "h", "state": "in_pro')
    (legacy / "list.json").write_text("[1, 2, 3]")
    os.mkfifo(legacy / "fifo.json")  # would block any reader that opens it
    journal = Journal(home)
    journal.write(_entry("row", "in_queue", base_url=client.base_url))
    with sqlite3.connect(home / "journal.sqlite3") as raw:  # garbage rows, as a broken tool might leave
        raw.execute(
            "INSERT INTO entries (id, created_at, updated_at, state, rank, open, body) "
            "VALUES ('junk', 9.0, 9.0, 'in_queue', 3, 1, '{not json'), "
            "('typed', 'soon', 9.0, 'in_queue', 3, 1, '{\"id\": \"typed\"}'), "
            "('mismatch', 8.0, 8.0, 'in_queue', 3, 1, '{\"id\": \"other\"}')"
        )
    raw.close()

    found = history(journal=journal)
    assert [r.job_id for r in found] == ["good", "row"]
    assert found.skipped == 7 + 3  # seven 0.1 files, three rows
    assert "10 malformed skipped" in repr(found)
    report = resume(client=client, journal=journal)
    assert [j.job_id for j in report] == ["row"]
    assert report.skipped == 7 + 2  # the open garbage rows (the closed-looking one is not read)
    assert "malformed" in repr(report)
    report[0].stop()


def _nest(depth: int) -> object:
    value: object = "leaf"
    for _ in range(depth):
        value = {"k": value}
    return value


def _results(journal: Journal, n: int, size: int) -> list[dict[str, object]]:
    refs = []
    for i in range(n):
        refs.append(journal.store_result(b"\x89PNG\r\n\x1a\n" + bytes([i]) * size))
    return refs


def test_prune_by_age_with_a_dry_run_and_never_unfinished_jobs(home: Path) -> None:
    journal = Journal(home)
    old, new, running = _results(journal, 3, 1000)
    now = time.time()
    journal.write(_entry("old", "completed", downloaded=True, files=[old], created_at=now - 40 * 86400))
    journal.write(_entry("new", "completed", downloaded=True, files=[new], created_at=now - 3600))
    journal.write(_entry("running", "in_progress", files=[running], created_at=now - 90 * 86400))

    dry = prune(older_than=30 * 86400, journal=journal, dry_run=True)
    assert dry.entries == ["old"]
    assert [p.name for p in dry.files] == [Path(str(old["path"])).name]
    assert dry.bytes == 1008
    assert "would remove 1 entries and 1 files" in repr(dry)
    assert journal.read("old") is not None
    assert journal.path(str(old["path"])).is_file()

    done = prune(older_than=30 * 86400, journal=journal)
    assert done.entries == ["old"]
    assert not done.dry_run
    assert journal.read("old") is None
    assert not journal.path(str(old["path"])).exists()
    assert journal.read("running") is not None
    assert journal.path(str(running["path"])).is_file()
    assert [r.job_id for r in history(journal=journal)] == ["new", "running"]


def test_prune_by_size_removes_the_oldest_finished_jobs_first(home: Path) -> None:
    journal = Journal(home)
    refs = _results(journal, 4, 1000)
    for i, ref in enumerate(refs[:3]):
        journal.write(_entry(f"j{i}", "completed", downloaded=True, files=[ref], created_at=float(i)))
    journal.write(_entry("open", "in_queue", files=[refs[3]], created_at=0.5))
    report = prune(max_bytes=3100, journal=journal)
    assert report.entries == ["j0"]  # 4 × 1008 bytes; without the oldest job's file, 3 × 1008 ≤ 3100
    assert sum(p.stat().st_size for p in (home / "results").iterdir()) == 3 * 1008
    report = prune(max_bytes=0, journal=journal)
    assert report.entries == ["j1", "j2"]  # the unfinished job and its file stay, whatever the size
    assert [p.name for p in (home / "results").iterdir()] == [Path(str(refs[3]["path"])).name]
    with pytest.raises(ValueError, match="older_than"):
        prune(journal=journal)
