"""What resume() did, on screen: the jobs it took in the widgets' job view, what it left and why."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ideogram_widgets import jobs
from ideogram_widgets.api import AsyncClient, EditInput
from ideogram_widgets.api._client import DEFAULT_BASE_URL
from ideogram_widgets.samples import sample_image
from ideogram_widgets.widgets import EditWidget, ResumeView
from ideogram_widgets.widgets._resume_view import describe_report, show_report
from tests._timing import wait_until_async

IMAGE = sample_image(160, 120)
MASK = np.zeros((120, 160), bool)
MASK[30:60, 40:90] = True


async def _until(condition: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    await wait_until_async(condition, timeout=timeout, what=what)


def test_the_widgets_make_notebooks_show_reports_as_the_job_view() -> None:
    assert jobs.ResumeReport.show is show_report


def test_an_empty_report_says_there_is_nothing_to_resume() -> None:
    assert "nothing to resume" in describe_report(jobs.ResumeReport())


async def test_a_resumed_job_finishes_in_the_view_with_its_result_and_tools(
    sandbox_url: str, tmp_path: Path
) -> None:
    client = AsyncClient(base_url=sandbox_url + "/v1")
    manager = jobs.JobManager(client=client, journal=tmp_path)
    first = manager.submit(EditInput(IMAGE, MASK, "a red door", rendering_speed="TURBO"))
    await _until(lambda: first.request_id, "the request id")
    assert first.stop()  # as if the kernel had died: the journal keeps the job unfinished
    await _until(lambda: first.state == "stopped", "the job to stop")

    again = AsyncClient(base_url=sandbox_url + "/v1")  # a new kernel's client
    report = jobs.resume(client=again, journal=tmp_path)
    assert [job.request_id for job in report] == [first.request_id]
    view = ResumeView(report)
    assert "took 1 job" in view.summary.value
    row = view.panel.rows.children[0]
    assert row.job is report[0]
    await report[0]
    await _until(lambda: view.panel.result_box.layout.display == "flex", "the result on view")
    assert view.panel.result_box in view.children  # on screen, not only "displayed" in its trait
    shown = view.panel.shown()
    assert shown is not None
    assert shown.image.size == IMAGE.size
    assert view.panel.view.after_alt.startswith("after #1")
    # "Use as input" opens an EditWidget on the result, below the view
    assert view.panel.use_as_input() is not None
    (editor,) = view.opened.children
    assert isinstance(editor, EditWidget)
    assert editor.image.size == IMAGE.size
    await again.aclose()
    await client.aclose()  # the caller's: JobManager.aclose() leaves it open


def test_a_job_left_behind_is_listed_with_its_reason(tmp_path: Path) -> None:
    import ideogram_widgets as iw

    journal = jobs.Journal(tmp_path / "journal")
    journal.write(
        {
            "id": journal.new_id(),
            "state": "in_progress",
            "request_id": "r-hosted-2",
            "model_id": "ideogram/ideogram-v3/edit",
            "base_url": DEFAULT_BASE_URL,
            "label": "RunComfy Model API",
            "created_at": 1.0,
            "params": {"prompt": "a red door"},
        }
    )
    view = ResumeView(iw.resume(journal=journal))
    assert "left 1" in view.summary.value
    assert "needs a token" in view.summary.value
    assert view.panel.rows.children == ()
