"""A full or read-only disk under the journal: what the process holds is never dropped, every failure is
typed, and the journal catches up once the disk is back.

The journal lives on a 200 KiB tmpfs that the test fills (or remounts read-only) at chosen moments: as
the submit passes through the transport, as the result file is fetched, as a poll goes out. Where mount
is refused (not root, a container without the capability) the same faults are injected into the store
instead; the test says which it used, and both paths assert the same outcomes.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ideogram_widgets.api import AsyncClient
from ideogram_widgets.jobs import JobManager, Journal, JournalError, StorageError
from ideogram_widgets.jobs._records import needs_resume
from ideogram_widgets.jobs._store import Store
from ideogram_widgets.sandbox import SandboxConfig

from .helpers import FAST_RETRY, edit, until


class Disk:
    """A tiny disk for the journal: ``fill()``, ``free()``, ``read_only()``, ``writable()``."""

    def __init__(self, folder: Path, mounted: bool, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folder = folder
        self.mounted = mounted
        self.fault: str | None = None
        self._inject(monkeypatch)

    def fill(self) -> None:
        if not self.mounted:
            self.fault = "database or disk is full"
            return
        with contextlib.suppress(OSError), open(self.folder / "filler", "ab", buffering=0) as fh:
            while True:
                fh.write(b"\0" * 4096)

    def free(self) -> None:
        self.fault = None
        (self.folder / "filler").unlink(missing_ok=True)

    def read_only(self) -> None:
        # injected in both modes: a mounted filesystem with files open for writing (the journal's
        # connections) cannot be remounted read-only
        self.fault = "attempt to write a readonly database"

    def writable(self) -> None:
        self.fault = None

    def _inject(self, monkeypatch: pytest.MonkeyPatch) -> None:
        put, atomic = Store.put, Journal._atomic

        def faulty_put(store: Store, *args: Any, **kwargs: Any) -> bool:
            if self.fault:
                raise sqlite3.OperationalError(self.fault)
            return put(store, *args, **kwargs)

        def faulty_atomic(journal: Journal, *args: Any, **kwargs: Any) -> None:
            if self.fault:
                raise OSError(errno.ENOSPC if "full" in self.fault else errno.EROFS, self.fault)
            atomic(journal, *args, **kwargs)

        monkeypatch.setattr(Store, "put", faulty_put)
        monkeypatch.setattr(Journal, "_atomic", faulty_atomic)


@pytest.fixture
def disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Disk]:
    folder = tmp_path / "tiny"
    folder.mkdir()
    mounted = shutil.which("mount") is not None and (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=200k,mode=0700", "tmpfs", str(folder)], capture_output=True
        ).returncode
        == 0
    )
    print(f"storage faults: {'a real 200 KiB tmpfs' if mounted else 'injected (mount refused)'}")
    try:
        yield Disk(folder, mounted, monkeypatch)
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)


class Tap(httpx.AsyncBaseTransport):
    """Calls ``action()`` once, just before the first request matching ``when`` goes through."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.when: Callable[[httpx.Request], bool] = lambda _: False
        self.action: Callable[[], None] = lambda: None
        self.submits = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and "/models/" in request.url.path:
            self.submits += 1
        if self.when(request):
            self.when = lambda _: False
            self.action()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
async def tapped(sandbox_app: Callable[..., Any]) -> Any:
    app = sandbox_app(SandboxConfig(speed_scale=0.6, workers=2))
    tap = Tap(httpx.ASGITransport(app=app))
    client = AsyncClient(None, base_url="http://sandbox/v1", transport=tap, retry=FAST_RETRY)
    yield client, tap
    from ideogram_widgets.jobs import stop_all

    stop_all()
    await client.aclose()


async def test_a_full_disk_after_the_submit_keeps_the_request_id(tapped: Any, disk: Disk) -> None:
    client, tap = tapped
    manager = JobManager(client, Journal(disk.folder / "journal"))
    tap.when = lambda r: r.method == "POST"  # the disk fills while the submit is on its way
    tap.action = disk.fill
    job = manager.submit(edit())
    seen: list[tuple[str, object]] = []
    job.observe(lambda c: seen.append((job.warning, c["new"])), "storage_error")
    await until(lambda: bool(job.request_id) and bool(seen))
    warning, error = seen[0]
    assert isinstance(error, StorageError)  # typed, not a bare OSError
    assert "disk is full" in str(error)
    assert job.request_id in warning  # shown: the id is held in memory
    assert not job.done  # and the job goes on

    disk.free()
    await until(lambda: (manager.journal.read(job.job_id) or {}).get("request_id") == job.request_id)
    output = await job  # written again at the next change, then completed as usual
    assert output.stored
    assert output.path.is_file()
    assert job.storage_error is None
    assert manager.journal.read(job.job_id)["downloaded"]  # type: ignore[index]
    assert tap.submits == 1


async def test_a_result_the_disk_refuses_is_kept_in_memory(tapped: Any, disk: Disk) -> None:
    client, tap = tapped
    manager = JobManager(client, Journal(disk.folder / "journal"))
    tap.when = lambda r: "/files/" in r.url.path
    tap.action = disk.fill
    job = manager.submit(edit())
    output = await job
    assert not output.stored
    assert output.paths == ()
    assert output.image.size == (48, 40)  # shown from memory
    assert output.data is not None
    assert output.data[0].startswith(b"\x89PNG")
    assert output.composite is not None  # the edit put back into its original, in memory too
    assert isinstance(job.storage_error, StorageError)
    assert "held in memory" in job.warning
    assert job.state == "completed"
    saved = output.save(disk.folder.parent / "saved.png")
    assert saved.read_bytes() == output.data[0]
    disk.free()
    entry = manager.journal.read(job.job_id)
    assert entry is not None
    assert needs_resume(entry)  # not recorded as downloaded: resume() may fetch it again


async def test_a_read_only_journal_mid_job_is_a_typed_warning(tapped: Any, disk: Disk) -> None:
    client, tap = tapped
    manager = JobManager(client, Journal(disk.folder / "journal"))
    tap.when = lambda r: r.url.path.endswith("/status")
    tap.action = disk.read_only
    job = manager.submit(edit())
    await until(lambda: job.storage_error is not None)
    assert isinstance(job.storage_error, StorageError)
    assert "read" in str(job.storage_error).lower()
    disk.writable()
    output = await job
    assert output.stored
    entry = manager.journal.read(job.job_id)
    assert entry is not None
    assert entry["state"] == "completed"
    assert entry["request_id"] == job.request_id


async def test_a_full_disk_before_the_submit_sends_nothing(tapped: Any, disk: Disk) -> None:
    client, tap = tapped
    manager = JobManager(client, Journal(disk.folder / "journal"))
    disk.fill()
    job = manager.submit(edit())
    with pytest.raises(JournalError, match="nothing was sent"):
        await job
    assert isinstance(job.exception, StorageError)
    assert tap.submits == 0
