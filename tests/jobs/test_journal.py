"""The journal: atomic files in the user's data directory, inputs by content hash, no secrets."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import numpy as np
import pytest

from ideogram_widgets.jobs import Journal, default_home, history
from ideogram_widgets.jobs._errors import error_from_record, error_record
from ideogram_widgets.jobs._records import needs_resume, owner_alive

from .helpers import image, mask


def test_default_home_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IDEOGRAM_WIDGETS_HOME", str(tmp_path / "mine"))
    assert default_home() == tmp_path / "mine"
    assert Journal().home == tmp_path / "mine"
    monkeypatch.delenv("IDEOGRAM_WIDGETS_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_home() == tmp_path / "xdg" / "ideogram-widgets"


def test_writes_are_recorded_and_private(home: Path) -> None:
    journal = Journal(home)
    job_id = journal.new_id()
    entry = {"id": job_id, "state": "submitting", "created_at": 1.0}
    assert journal.write(entry)
    assert journal.write({**entry, "state": "in_queue"})
    assert journal.read(job_id)["state"] == "in_queue"  # type: ignore[index]
    assert sorted(p.name for p in home.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "journal.sqlite3"
    ]
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_concurrent_writes_never_leave_a_torn_entry(home: Path) -> None:
    journal = Journal(home, fsync=False)
    job_id = journal.new_id()
    big = "x" * 200_000

    def writer(n: int) -> None:
        for i in range(30):
            journal.write({"id": job_id, "state": f"s{n}-{i}", "padding": big, "created_at": 1.0})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        entry = journal.read(job_id)
        if entry is not None:
            assert entry["padding"] == big  # always a whole entry, never half of one
    for t in threads:
        t.join()
    assert journal.read(job_id) is not None


def test_entries_of_0_1_are_imported_and_broken_files_skipped(home: Path) -> None:
    legacy = home / "jobs"
    legacy.mkdir(parents=True)
    (legacy / "b.json").write_text(json.dumps({"id": "b", "created_at": 2.0, "state": "failed"}))
    (legacy / "a.json").write_text(json.dumps({"id": "a", "created_at": 1.0, "state": "failed"}))
    (legacy / "broken.json").write_text("{not json")
    (legacy / ".a.json.123.tmp").write_text("half")
    journal = Journal(home)
    assert [e["id"] for e in journal.entries()] == ["a", "b"]
    found = history(journal=journal)
    assert [r.job_id for r in found] == ["b", "a"]
    assert found.skipped == 1


def test_ids_are_checked(home: Path) -> None:
    with pytest.raises(ValueError, match="not a journal id"):
        Journal(home).write({"id": "../escape"})


def test_secrets_never_reach_the_disk(home: Path) -> None:
    journal = Journal(home)
    journal.write(
        {"id": "x", "params": {"prompt": "p", "token": "SECRET", "nested": [{"Authorization": "S"}]}}
    )
    text = b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())
    assert b"SECRET" not in text
    assert b'"S"' not in text
    assert b"prompt" in text


def test_inputs_are_stored_once_by_content(home: Path) -> None:
    journal = Journal(home)
    a = journal.store_image(image())
    b = journal.store_image(image())
    c = journal.store_image(image(colour="black"))
    assert a == b
    assert a["sha256"] != c["sha256"]
    assert len(list((home / "inputs").iterdir())) == 2
    m = journal.store_mask(mask())
    from PIL import Image

    with Image.open(home / m["path"]) as stored:
        assert np.array_equal(np.asarray(stored) > 127, mask())  # white = edit, lossless


def test_results_are_kept_as_sent(home: Path) -> None:
    journal = Journal(home)
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(100)
    ref = journal.store_result(png)
    assert ref["path"].endswith(".png")
    assert journal.path(ref["path"]).read_bytes() == png
    assert journal.store_result(b"\xff\xd8\xff" + b"jpeg")["path"].endswith(".jpg")


def test_error_records_round_trip() -> None:
    from ideogram_widgets.api import NotFoundError, SubmitUncertainError

    err = error_from_record(
        error_record(NotFoundError("gone", status=404, error_code=404001, request_id="r"))
    )
    assert isinstance(err, NotFoundError)
    assert err.error_code == 404001
    assert isinstance(error_from_record(error_record(SubmitUncertainError("maybe"))), SubmitUncertainError)
    assert "boom" in str(error_from_record(error_record(RuntimeError("boom"))))
    assert "weird" in str(error_from_record("weird"))


def test_what_needs_resuming() -> None:
    assert needs_resume({"request_id": "r", "state": "in_queue"})
    assert needs_resume({"request_id": "r", "state": "some_new_state"})
    assert needs_resume({"request_id": "r", "state": "completed", "downloaded": False})
    assert not needs_resume({"request_id": "r", "state": "expired"})
    assert not needs_resume({"request_id": None, "state": "failed"})
    assert needs_resume({"request_id": None, "state": "submitting"})
    assert needs_resume({"request_id": None, "state": "sending"})
    assert needs_resume({"request_id": None, "state": "sent"})
    assert not needs_resume({"request_id": None, "state": "not_sent"})


def test_owner_alive() -> None:
    import socket
    import subprocess
    import sys

    assert owner_alive({"pid": os.getpid(), "host": socket.gethostname()})
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert not owner_alive({"pid": proc.pid, "host": socket.gethostname()})
    # a recycled pid: this process's pid, another start time
    assert not owner_alive({"pid": os.getpid(), "host": socket.gethostname(), "start": "1"})
    assert owner_alive({"pid": os.getpid(), "host": "another-machine"})  # only its lease can tell
    assert not owner_alive(None)
