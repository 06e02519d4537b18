"""A journal database that is not one (a file a sync tool or a crash left): every use says so, typed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ideogram_widgets.jobs import JobManager, Journal, JournalError, StorageError, history, prune, resume

from .helpers import Inproc, counts, edit


@pytest.fixture
def broken(home: Path) -> Journal:
    home.mkdir(parents=True, exist_ok=True)
    (home / "journal.sqlite3").write_bytes(b"this is not an SQLite database\n" * 200)
    return Journal(home)


def test_writes_and_reads_raise_storage_errors(broken: Journal) -> None:
    with pytest.raises(StorageError, match=r"journal\.sqlite3"):
        broken.write({"id": "a", "state": "failed", "created_at": 1.0})
    with pytest.raises(StorageError, match=r"journal\.sqlite3"):
        history(journal=broken)
    assert broken.read("a") is None  # a single read says "not there" (and logs why), it does not raise
    with pytest.raises(StorageError):
        broken.claim("a")
    with pytest.raises(StorageError):
        prune(journal=broken, older_than=0, dry_run=True)


async def test_a_submit_on_a_broken_journal_sends_nothing(inproc: Inproc, broken: Journal) -> None:
    client, _ = inproc()
    job = JobManager(client, journal=broken).submit(edit("never sent"))
    with pytest.raises(JournalError, match="nothing was sent"):
        await job
    assert job.state == "failed"
    assert counts(client)["submit"] == 0
    with pytest.raises(StorageError):
        resume(client=client, journal=broken)
