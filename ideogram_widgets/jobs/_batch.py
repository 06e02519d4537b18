"""Many edits or reframes at once: bounded concurrency, progress, results in input order.

At most ``concurrency`` jobs are in flight (submitted and not yet downloaded); inputs are taken from the
iterable only when a slot frees up, so a generator of a thousand inputs is never all in memory. The
iterable is advanced on a thread (one item at a time, in order): a generator that loads and validates
images never blocks the kernel's event loop. A failed
item is recorded and the batch goes on. Results are written to disk as they come (the journal's cache, and
``out_dir`` if given, with a ``manifest.jsonl``), and kept as file paths, not images.

Example (a notebook cell)::

    inputs = [iw.ReframeInput(p, "1024x1024", rendering_speed="TURBO") for p in photos]
    batch = iw.run_batch(inputs, concurrency=8, out_dir="reframed")   # a progress bar appears
    items = await batch                                                # or batch.wait() in a script
    [item.output.path for item in items if item.ok]
    batch.failures                                                     # the items that failed, and why
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import time
from collections.abc import Generator, Iterable, Iterator, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from traitlets import Bool, Float, HasTraits, Int

from ..api import AsyncClient, EditInput, ReframeInput
from ._errors import describe
from ._job import Job, Output
from ._journal import Journal
from ._manager import JobManager, manager_for
from ._progress import Counts, Progress, make_progress
from ._runtime import block_on, current_loop, register_stopper, spawn, unregister_stopper

__all__ = ["Batch", "BatchItem", "run_batch"]

_END = object()
"""What ``next(inputs, _END)`` gives once the inputs are exhausted (StopIteration cannot cross a thread)."""


@dataclass
class BatchItem:
    """One input's fate: ``output`` (files on disk) or ``error``; ``index`` is its place in the input;
    ``files``: the result files (the copies in ``out_dir`` when one was given)."""

    index: int
    state: str = "pending"
    request_id: str = ""
    job_id: str = ""
    output: Output | None = None
    error: BaseException | None = None
    files: tuple[Path, ...] = ()

    def __post_init__(self) -> None:
        if self.output is not None and not self.files:
            self.files = self.output.paths

    @property
    def ok(self) -> bool:
        """True when the result was downloaded."""
        return self.output is not None


class Batch(HasTraits):
    """A running batch: observable counts (``total``, ``submitted``, ``completed``, ``failed``,
    ``running``, ``elapsed``, ``done``) and awaitable: ``await batch`` gives every :class:`BatchItem` in
    input order (``batch.wait()`` in a script)."""

    total = Int(None, allow_none=True)
    submitted = Int(0)
    completed = Int(0)
    failed = Int(0)
    running = Int(0)
    elapsed = Float(0.0)
    done = Bool(False)

    def __init__(self, total: int | None, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(total=total)
        self._loop = loop
        self._items: dict[int, BatchItem] = {}
        self._jobs: dict[int, Job] = {}
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._started = time.monotonic()

    def __repr__(self) -> str:
        return f"<Batch {self.counts().line().removeprefix('batch: ')}{' (done)' if self.done else ''}>"

    @property
    def items(self) -> list[BatchItem]:
        """Every item seen so far, in input order."""
        return [self._items[i] for i in sorted(self._items)]

    @property
    def outputs(self) -> list[Output | None]:
        """Each item's Output (None where it failed or is not done), in input order."""
        return [item.output for item in self.items]

    @property
    def failures(self) -> list[BatchItem]:
        """The items that failed, with their errors."""
        return [item for item in self.items if item.error is not None]

    def counts(self) -> Counts:
        """The current counts."""
        return Counts(self.total, self.completed + self.failed, self.failed, self.running, self.elapsed)

    def __await__(self) -> Generator[Any, None, list[BatchItem]]:
        return self._wait().__await__()

    async def _wait(self) -> list[BatchItem]:
        if self._task is not None:
            await asyncio.shield(self._task)
        return self.items

    def wait(self, timeout: float | None = None) -> list[BatchItem]:
        """Block until every item is done (plain scripts; in a kernel use ``await batch``)."""
        if self._task is not None and not self._task.done():
            block_on(self._task, what="batch.wait()", instead="await batch", timeout=timeout)
        return self.items

    def stop(self) -> bool:
        """Submit nothing more and stop following the running jobs (they go on on the service;
        ``resume()`` picks them up). Returns True if the batch was running."""
        if self.done:
            return False
        self._stopping = True
        for job in list(self._jobs.values()):
            job.stop()
        return True


def run_batch(
    inputs: Iterable[EditInput | ReframeInput],
    *,
    concurrency: int = 4,
    client: AsyncClient | None = None,
    journal: Journal | str | os.PathLike[str] | None = None,
    manager: JobManager | None = None,
    progress: str | bool | None = "auto",
    out_dir: str | os.PathLike[str] | None = None,
    total: int | None = None,
) -> Batch:
    """Run many edits/reframes with at most ``concurrency`` in flight; returns the running :class:`Batch`.

    ``progress``: ``"auto"`` (a bar in Jupyter, text on stderr in a terminal), ``"bar"``, ``"text"`` or
    ``False``. ``out_dir``: also copy each result there as ``00000.png`` (the input's index) and append a
    line per item to ``manifest.jsonl``. ``total``: the number of inputs when ``inputs`` has no ``len()``.

    Example (a plain script)::

        batch = run_batch(EditInput(img, mask, p) for p in prompts)
        for item in batch.wait():
            print(item.index, item.output.path if item.ok else item.error)
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    if total is None and isinstance(inputs, Sized):
        total = len(inputs)
    manager = manager or manager_for(client, journal)
    loop = current_loop()
    batch = Batch(total, loop)
    shown = make_progress(progress, total)
    target = Path(out_dir) if out_dir is not None else None
    key = id(batch)
    register_stopper(key, batch.stop)
    batch._task = spawn(
        _drive(batch, manager, iter(inputs), concurrency, shown, target, key),
        loop=loop,
        name="ideogram batch",
    )
    return batch


async def _drive(
    batch: Batch,
    manager: JobManager,
    source: Iterator[Any],
    concurrency: int,
    shown: Progress,
    out_dir: Path | None,
    key: int,
) -> None:
    lock = asyncio.Lock()
    counter = 0
    exhausted = False

    async def take() -> tuple[int, Any] | None:
        nonlocal counter, exhausted
        async with lock:  # one next() at a time, in input order, and only when a worker is free
            if exhausted or batch._stopping:
                return None
            try:
                # the user's generator loads and validates images: on a thread, never on the loop
                value = await asyncio.to_thread(next, source, _END)
            except Exception as exc:  # the input generator broke: record it, take no more
                exhausted = True
                value = exc
            if value is _END:
                exhausted = True
                return None
            counter += 1
            return counter - 1, value

    async def worker() -> None:
        while (got := await take()) is not None:
            await _one(batch, manager, got[0], got[1], out_dir)
            _show(batch, shown)

    try:
        if out_dir is not None:
            await asyncio.to_thread(out_dir.mkdir, parents=True, exist_ok=True)
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        unregister_stopper(key)
        batch.elapsed = round(time.monotonic() - batch._started, 1)
        batch.done = True
        shown.update(batch.counts(), final=True)


def _show(batch: Batch, shown: Progress) -> None:
    batch.elapsed = round(time.monotonic() - batch._started, 1)
    shown.update(batch.counts())


async def _one(batch: Batch, manager: JobManager, index: int, value: Any, out_dir: Path | None) -> None:
    item = batch._items[index] = BatchItem(index)
    if not isinstance(value, EditInput | ReframeInput):
        item.error = (
            value
            if isinstance(value, Exception)
            else TypeError(f"item {index} is a {type(value).__name__}, not an EditInput or ReframeInput")
        )
        item.state = "failed"
        batch.failed += 1
        await _record(out_dir, item)
        return
    job = manager.submit(value, keep_images=False)
    batch._jobs[index] = job
    item.job_id = job.job_id
    with batch.hold_trait_notifications():
        batch.submitted += 1
        batch.running += 1
    try:
        item.output = await job
    except Exception as exc:
        item.error = exc
    finally:
        batch._jobs.pop(index, None)
        item.state, item.request_id = job.state, job.request_id
    if item.output is not None:
        item.files = item.output.paths
        if out_dir is not None:
            item.files = await asyncio.to_thread(_copy_out, item.output, out_dir, index)
    with batch.hold_trait_notifications():
        batch.running -= 1
        if item.output is not None:
            batch.completed += 1
        else:
            batch.failed += 1
    await _record(out_dir, item)


def _copy_out(output: Output, out_dir: Path, index: int) -> tuple[Path, ...]:
    copies = []
    for n, path in enumerate(output.paths):
        name = f"{index:05d}{path.suffix}" if n == 0 else f"{index:05d}-{n}{path.suffix}"
        shutil.copyfile(path, out_dir / name)
        copies.append(out_dir / name)
    return tuple(copies)


async def _record(out_dir: Path | None, item: BatchItem) -> None:
    if out_dir is None:
        return
    line = {
        "index": item.index,
        "state": item.state,
        "request_id": item.request_id or None,
        "files": [p.name for p in item.files],
        "error": describe(item.error) if item.error is not None else None,
    }
    await asyncio.to_thread(_append, out_dir / "manifest.jsonl", json.dumps(line) + "\n")


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(text)
