"""One reading of a journal entry: history's record, a rebuilt Job and an adopted result agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ideogram_widgets.api import JobFailedError
from ideogram_widgets.jobs import Journal
from ideogram_widgets.jobs._history import record_of
from ideogram_widgets.jobs._records import follow_of, job_from_entry
from ideogram_widgets.jobs._rows import file_refs

ENTRY: dict[str, Any] = {
    "id": "20250101T120000-abc",
    "request_id": "r-1",
    "model_id": "ideogram/ideogram-v3/edit",
    "backend": "old label",
    "label": "local sandbox",
    "base_url": "http://sandbox/v1",
    "state": "completed",
    "params": {"prompt": "a red door"},
    "inputs": {"image": {"path": "inputs/a.png"}, "mask": {"url": "https://x/m.png"}},
    "created_at": 1735732800.0,
    "submitted_at": 1735732801.0,
    "finished_at": 1735732805.0,
    "urls": ["https://files/1.png", 7],
    "files": [{"path": "results/1.png", "bytes": 3}, {"bytes": 4}, {"path": 5}, {"path": ""}, "x"],
    "composites": [{"path": "results/c.png"}, None],
    "downloaded": True,
}


def test_history_and_a_rebuilt_job_read_an_entry_alike(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    record = record_of(ENTRY, journal)
    job = job_from_entry(ENTRY, journal)
    assert record.files == (tmp_path / "results/1.png",)  # refs without a usable path are left out
    assert record.composites == (tmp_path / "results/c.png",)
    assert record.urls == ("https://files/1.png",)
    assert record.backend == job.backend == "local sandbox"
    times = (1735732800.0, 1735732801.0, 1735732800.0)  # no updated_at: the creation time
    assert (record.created_at, record.submitted_at, record.updated_at) == times
    assert (job.created_at, job.submitted_at) == times[:2]
    assert job.result is not None
    assert job.result.paths == record.files
    assert job.result.composite_paths == record.composites
    assert job.files == [str(tmp_path / "results/1.png")]
    assert job.urls == list(record.urls)
    assert job.inputs == record.inputs == ENTRY["inputs"]
    follow = follow_of(ENTRY, job._loop)
    assert [r["path"] for r in follow.file_refs] == ["results/1.png"]
    assert [r["path"] for r in follow.composite_refs] == ["results/c.png"]
    assert (follow.label, follow.base_url, follow.downloaded) == ("local sandbox", "http://sandbox/v1", True)
    assert file_refs(ENTRY) == ["results/1.png", "results/c.png", "inputs/a.png"]


def test_a_finished_entrys_error_comes_back_typed_and_an_open_ones_does_not(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    failed = {
        **ENTRY,
        "state": "failed",
        "downloaded": False,
        "error": {"type": "JobFailedError", "message": "the job failed: nsfw", "request_id": "r-1"},
    }
    record = record_of(failed, journal)
    job = job_from_entry(failed, journal)
    assert (record.error, record.error_type, record.files) == ("the job failed: nsfw", "JobFailedError", ())
    assert record.output() is None
    assert isinstance(job.exception, JobFailedError)
    assert job.exception.request_id == "r-1"
    assert job.result is None
    running = {**failed, "state": "in_progress"}  # an error of a job still open is not its outcome
    assert record_of(running, journal).unfinished
    assert job_from_entry(running, journal).exception is None
