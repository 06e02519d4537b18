"""The journal: atomic files in the user's data directory, inputs by content hash, no secrets."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import numpy as np
import pytest

from ideogram_widgets.jobs import Journal, default_home
from ideogram_widgets.jobs.errors import error_from_record, error_record
from ideogram_widgets.jobs.records import needs_resume, owner_alive

from .helpers import image, mask


def test_default_home_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IDEOGRAM_WIDGETS_HOME", str(tmp_path / "mine"))
    assert default_home() == tmp_path / "mine"
    assert Journal().home == tmp_path / "mine"
    monkeypatch.delenv("IDEOGRAM_WIDGETS_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_home() == tmp_path / "xdg" / "ideogram-widgets"


def test_writes_are_atomic_and_private(home: Path) -> None:
    journal = Journal(home)
    entry = {"id": journal.new_id(), "state": "submitting", "created_at": 1.0}
    journal.write(entry)
    journal.write({**entry, "state": "in_queue"})
    files = list(journal.jobs_dir.iterdir())
    assert [f.name for f in files] == [f"{entry['id']}.json"]  # no temporary file left behind
    assert json.loads(files[0].read_text())["state"] == "in_queue"
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_concurrent_writes_never_leave_a_torn_file(home: Path) -> None:
    journal = Journal(home, fsync=False)
    job_id = journal.new_id()
    big = "x" * 200_000

    def writer(n: int) -> None:
        for i in range(30):
            journal.write({"id": job_id, "state": f"s{n}-{i}", "padding": big})

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    seen = 0
    while any(t.is_alive() for t in threads):
        entry = journal.read(job_id)
        if entry is not None:
            assert entry["padding"] == big  # always a whole entry, never half of one
            seen += 1
    for t in threads:
        t.join()
    assert journal.read(job_id) is not None


def test_entries_sorted_and_broken_files_skipped(home: Path, caplog: pytest.LogCaptureFixture) -> None:
    journal = Journal(home)
    journal.write({"id": "b", "created_at": 2.0})
    journal.write({"id": "a", "created_at": 1.0})
    (journal.jobs_dir / "broken.json").write_text("{not json")
    (journal.jobs_dir / ".a.json.123.tmp").write_text("half")
    assert [e["id"] for e in journal.entries()] == ["a", "b"]
    assert "broken.json" in caplog.text


def test_ids_are_checked(home: Path) -> None:
    with pytest.raises(ValueError, match="not a journal id"):
        Journal(home).write({"id": "../escape"})


def test_secrets_never_reach_the_disk(home: Path) -> None:
    journal = Journal(home)
    journal.write(
        {"id": "x", "params": {"prompt": "p", "token": "SECRET", "nested": [{"Authorization": "S"}]}}
    )
    text = (journal.jobs_dir / "x.json").read_text()
    assert "SECRET" not in text
    assert '"S"' not in text
    assert "prompt" in text


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


def test_owner_alive() -> None:
    import socket
    import subprocess
    import sys

    assert owner_alive({"pid": os.getpid(), "host": socket.gethostname()})
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert not owner_alive({"pid": proc.pid, "host": socket.gethostname()})
    assert not owner_alive({"pid": os.getpid(), "host": "another-machine"})
    assert not owner_alive(None)
