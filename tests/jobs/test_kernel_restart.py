"""Restart works on the embedded default (issue 10, item 6): a real kernel submits on the embedded sandbox,
is SIGKILLed while the job runs, and a new kernel on the same ``IDEOGRAM_WIDGETS_HOME`` calls
``iw.resume()``: the sandbox's job went on by the wall clock, so it is found completed and downloaded.

No token anywhere (the kernels' environment has none), so both kernels use the embedded sandbox, which
keeps its jobs under ``$IDEOGRAM_WIDGETS_HOME/sandbox``.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager, start_new_kernel

from tests._kernel import run_cell
from tests._timing import wait_until

ROOT = Path(__file__).resolve().parents[2]

SUBMIT = """
import json, warnings
import ideogram_widgets as iw
from ideogram_widgets.samples import sample_image
job = iw.submit(iw.ReframeInput(sample_image(48, 32), "1024x1024", rendering_speed="QUALITY", seed=5))
"""

STATE = "print(json.dumps({'request_id': job.request_id, 'state': job.state, 'backend': job.backend}))"

RESUME = """
import json
import ideogram_widgets as iw
jobs = iw.resume()
outputs = [await job for job in jobs]
print(json.dumps({
    "request_ids": [job.request_id for job in jobs],
    "states": [job.state for job in jobs],
    "sizes": [list(out.image.size) for out in outputs],
    "files": [str(path) for out in outputs for path in out.paths],
    "backends": [job.backend for job in jobs],
}))
"""


class Kernel:
    """A started ipykernel, a blocking client on it, and a way to kill it for real."""

    def __init__(self, manager: KernelManager, client: BlockingKernelClient) -> None:
        self.manager = manager
        self.client = client

    def json(self, code: str, timeout: float = 60.0) -> Any:
        reply, text = run_cell(self.client, code, timeout)
        assert reply["status"] == "ok", text
        lines = text.strip().splitlines()
        return json.loads(lines[-1]) if lines else None

    def shown(self, code: str, timeout: float = 60.0) -> list[dict[str, Any]]:
        """The rich outputs (``display_data`` / ``execute_result`` data) a cell shows."""
        shown: list[dict[str, Any]] = []

        def hook(msg: dict[str, Any]) -> None:
            if msg["msg_type"] in ("display_data", "execute_result"):
                shown.append(msg["content"]["data"])

        reply = self.client.execute_interactive(code, timeout=timeout, output_hook=hook)
        assert reply["content"]["status"] == "ok", reply["content"]
        return shown

    def kill(self) -> None:
        """SIGKILL: no ``finally``, no atexit, nothing flushed on the way out."""
        pid = self.manager.provisioner.pid  # type: ignore[union-attr]
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not self.manager.is_alive(), timeout=30, what="the killed kernel to die")

    def close(self) -> None:
        self.client.stop_channels()
        if self.manager.is_alive():
            self.manager.shutdown_kernel(now=True)
        else:
            self.manager.cleanup_resources()


@pytest.fixture
def kernels(tmp_path: Path) -> Iterator[Any]:
    env = {k: v for k, v in os.environ.items() if k not in ("RUNCOMFY_API_TOKEN", "RUNCOMFY_TOKEN")}
    env["IDEOGRAM_WIDGETS_HOME"] = str(tmp_path / "home")
    env["RUNCOMFY_CONFIG_DIR"] = str(tmp_path / "no-cli-login")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["IPYTHONDIR"] = str(tmp_path / "ipython")
    started: list[Kernel] = []

    def start() -> Kernel:
        manager, client = start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path))
        started.append(Kernel(manager, client))
        return started[-1]

    yield start
    for kernel in started:
        kernel.close()


def test_a_job_on_the_embedded_sandbox_survives_a_killed_kernel(kernels: Any, tmp_path: Path) -> None:
    first = kernels()
    first.json(SUBMIT)
    deadline = time.monotonic() + 30
    # until the sandbox answered a poll: the submit's answer (the request id) is in the journal by then
    while (before := first.json(STATE))["state"] not in ("in_queue", "in_progress"):
        assert time.monotonic() < deadline, before
        assert before["state"] in ("pending", "submitting", "submitted"), before
        time.sleep(0.05)
    assert before["request_id"]
    assert before["backend"] == "local sandbox"
    first.kill()  # QUALITY: 4 s on the embedded sandbox, so the job is running or queued now
    assert (tmp_path / "home" / "sandbox" / "jobs" / f"{before['request_id']}.json").is_file()

    second = kernels()
    after = second.json(RESUME, timeout=120)
    assert after["request_ids"] == [before["request_id"]]
    assert after["states"] == ["completed"]
    assert after["sizes"] == [[1024, 1024]]
    assert after["backends"] == ["local sandbox"]
    assert all(Path(path).is_file() for path in after["files"])
    assert after["files"]
    # in a notebook, what resume() did is shown in the widgets' job view (a widget, not only its repr)
    (view,) = second.shown("jobs")
    assert "application/vnd.jupyter.widget-view+json" in view, view
    assert "ResumeView" in view["text/plain"]
