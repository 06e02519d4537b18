"""Earlier runs in EditWidget and ReframeWidget: the journal's past runs of the widget's own kind, newest
first, a page at a time, read on a thread only once the section is opened; a run's result (an edit's
composite) put in the result view with Save and Use as input; pruned files said as such.

The journal is made once for the module by real jobs sent to a sandbox over HTTP."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from ideogram_widgets import jobs
from ideogram_widgets.api import AsyncClient, EditInput, ReframeInput
from ideogram_widgets.samples import sample_image
from ideogram_widgets.sandbox import SandboxConfig, serve_in_thread
from ideogram_widgets.widgets import EditWidget, ReframeWidget
from ideogram_widgets.widgets import _earlier_runs as earlier_runs
from ideogram_widgets.widgets._earlier_runs import SCAN_LIMIT, EarlierRuns, RunRow, when_label

from ..jobs.helpers import until

IMAGE = sample_image(160, 120)
MASK = np.zeros((120, 160), bool)
MASK[20:60, 90:150] = True
PROMPTS = ["a red door", "a green door", "a blue door"]  # sent in this order: listed the other way round
RESOLUTION = "1536x640"


@pytest.fixture(scope="module")
def past(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """(the sandbox's URL, a journal holding three finished edits and one reframe, sent over HTTP)."""
    folder = tmp_path_factory.mktemp("earlier-runs")

    async def run(url: str) -> None:
        client = AsyncClient(base_url=url + "/v1")
        manager = jobs.JobManager(client=client, journal=folder)
        for prompt in PROMPTS[:2]:
            await manager.submit(EditInput(IMAGE, MASK, prompt, rendering_speed="TURBO"))
        await manager.submit(ReframeInput(IMAGE, RESOLUTION, rendering_speed="TURBO"))
        await manager.submit(EditInput(IMAGE, MASK, PROMPTS[2], rendering_speed="TURBO"))
        await manager.aclose()
        await client.aclose()

    with serve_in_thread(SandboxConfig(speed_scale=0.05, workers=1)) as running:
        asyncio.run(run(running.url))
        yield running.url, folder


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int | None, bool]]:
    """Every history() call the section makes: (limit, made on the test's loop thread)."""
    calls: list[tuple[int | None, bool]] = []
    real = vars(earlier_runs)["history"]
    loop_thread = threading.current_thread()

    def counted(**options: Any) -> jobs.History:
        calls.append((options.get("limit"), threading.current_thread() is loop_thread))
        return real(**options)

    monkeypatch.setattr(earlier_runs, "history", counted)
    return calls


def _widget(cls: Callable[..., Any], past: tuple[str, Path], **options: Any) -> Any:
    url, folder = past
    return cls(IMAGE, client=AsyncClient(base_url=url + "/v1"), journal=folder, **options)


async def _open(section: EarlierRuns, rows: int) -> list[RunRow]:
    section.expand()
    await until(lambda: len(section.rows.children) >= rows and not section.more_button.disabled)
    return list(section.rows.children)


async def test_the_section_is_closed_and_reads_nothing_until_opened(past, reads):
    widget = _widget(EditWidget, past)
    section = widget.earlier_runs
    assert section in widget.children
    assert not section.is_open
    assert section.body.layout.display == "none"
    assert section.toggle.description == "▸ Earlier runs"
    assert reads == []  # the widget's first display reads nothing from the journal
    await _open(section, 3)
    assert reads
    assert all(limit is not None and limit <= SCAN_LIMIT for limit, _ in reads)
    assert not any(on_loop for _, on_loop in reads)  # the journal is read on a thread


async def test_an_edit_widget_lists_its_edits_newest_first_with_when_prompt_state_and_a_picture(past):
    widget = _widget(EditWidget, past)
    rows = await _open(widget.earlier_runs, 3)
    assert [row.what for row in rows] == PROMPTS[::-1]  # the reframe is not listed here
    for row in rows:
        assert row.when == when_label(row.record.created_at)
        assert row.when in row.text.value
        assert "completed" in row.text.value
        assert not row.show_button.disabled
    await until(lambda: all("<img" in row.thumb.value for row in rows))
    assert f'alt="result of the run of {rows[0].when}: {PROMPTS[2]}"' in rows[0].thumb.value
    assert "that is all" in widget.earlier_runs.status.value
    assert widget.earlier_runs.more_button.layout.display == "none"


async def test_showing_an_earlier_edit_puts_its_composite_in_the_result_view(past, tmp_path):
    widget = _widget(EditWidget, past)
    (newest, *_) = await _open(widget.earlier_runs, 3)
    composite = newest.record.composites[0]
    panel = widget.panel
    assert widget.jobs == []
    newest.show_button.click()
    await until(lambda: bytes(panel.view.after) == composite.read_bytes())
    assert panel.result_box.layout.display == "flex"
    assert f"the run of {newest.when}" in panel.result_caption.value
    assert PROMPTS[2] in panel.view.after_alt
    assert panel.view.before  # the journal's copy of what was sent
    assert widget.jobs == []  # shown, not made one of this widget's jobs
    saved = widget.save_result(tmp_path / "again.png")
    assert saved is not None
    assert saved.read_bytes() == composite.read_bytes()
    assert "a blue door" in panel.view.code
    used = panel.use_as_input()
    assert used is not None
    with Image.open(composite) as picture:
        assert np.array_equal(np.asarray(widget.image), np.asarray(picture.convert("RGB")))


async def test_a_reframe_widget_lists_and_shows_its_reframes(past):
    widget = _widget(ReframeWidget, past)
    (row,) = await _open(widget.earlier_runs, 1)
    assert row.what == "1536×640 (12:5)"
    assert "iw-earlier-runs" in widget.earlier_runs._dom_classes
    row.show_button.click()
    output = row.record.files[0]
    await until(lambda: bytes(widget.panel.view.after) == output.read_bytes())
    with Image.open(output) as picture:
        assert picture.size == (1536, 640)


async def test_pages_of_ten_and_show_more_until_there_are_no_more(past, reads):
    widget = _widget(EditWidget, past)
    section = widget.earlier_runs
    section.page_size = 2
    await _open(section, 2)
    assert [row.what for row in section.rows.children] == PROMPTS[:0:-1]
    assert section.more_button.layout.display == ""
    assert "that is all" not in section.status.value
    section.load_more()
    await until(lambda: len(section.rows.children) == 3 and not section.more_button.disabled)
    assert [row.what for row in section.rows.children] == PROMPTS[::-1]
    assert section.more_button.layout.display == "none"
    section.toggle.value = False  # closed and opened again: the newest page afresh
    await _open(section, 2)
    assert len(section.rows.children) == 2


def _entry(journal: jobs.Journal, n: int, **fields: Any) -> dict[str, Any]:
    entry = {
        "id": journal.new_id(1_000.0 + n),
        "request_id": f"r-{n}",
        "model_id": "ideogram/ideogram-v3/reframe",
        "state": "completed",
        "params": {"resolution": "1024x1024"},
        "created_at": 1_000.0 + n,
        "finished_at": 1_009.0 + n,
    }
    entry.update(fields)
    return entry


async def test_pruned_files_and_failures_are_said_in_words(tmp_path, sandbox_url):
    journal = jobs.Journal(tmp_path / "journal")
    gone = {"path": "results/" + "0" * 64 + ".png", "sha256": "0" * 64, "bytes": 10}
    journal.write(_entry(journal, 1, files=[gone], downloaded=True))
    failed = {"type": "JobFailedError", "message": "the service refused the picture"}
    journal.write(_entry(journal, 2, state="failed", error=failed))
    widget = ReframeWidget(IMAGE, client=AsyncClient(base_url=sandbox_url + "/v1"), journal=journal)
    failure, pruned = await _open(widget.earlier_runs, 2)
    assert "failed: the service refused the picture" in failure.text.value
    assert "files pruned" in pruned.thumb.value
    assert "completed · files pruned" in pruned.text.value
    assert "<img" not in pruned.thumb.value + failure.thumb.value  # never a broken picture
    assert pruned.show_button.disabled
    assert failure.show_button.disabled


async def test_a_journal_full_of_the_other_kind_is_read_a_bounded_page_at_a_time(
    tmp_path, sandbox_url, reads
):
    journal = jobs.Journal(tmp_path / "journal")
    for n in range(SCAN_LIMIT + 60):
        journal.write(_entry(journal, n), durable=False)
    widget = EditWidget(IMAGE, client=AsyncClient(base_url=sandbox_url + "/v1"), journal=journal)
    section = widget.earlier_runs
    section.expand()
    await until(lambda: "no earlier edit runs" in section.status.value)
    assert f"among the newest {reads[-1][0]} runs" in section.status.value
    assert max(limit or 0 for limit, _ in reads) <= SCAN_LIMIT + 30  # never the whole journal
    assert section.more_button.layout.display == ""  # older runs may still hold edits
    section.load_more()
    await until(lambda: "in this journal" in section.status.value)
    assert section.more_button.layout.display == "none"


def test_when_a_run_was_made_reads_as_today_a_day_or_a_year():
    import time

    now = time.mktime((2026, 12, 2, 15, 0, 0, 0, 0, -1))
    assert when_label(now - 3600, now=now) == "today 14:00"
    assert when_label(now - 86400, now=now) == "1 Dec 15:00"
    assert when_label(now - 400 * 86400, now=now) == f"{time.localtime(now - 400 * 86400).tm_mday} Oct 2025"
