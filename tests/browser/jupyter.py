"""Real Jupyter servers and kernels for the browser tests (see the fixtures in conftest.py).

``JupyterServer`` starts JupyterLab or Notebook 7 with ``sys.executable`` (so kernels import the package
under test), with every Jupyter and browser state directory in a temporary folder (never ``$HOME``), and
the JupyterLab news toast switched off. ``KernelProbe`` connects to a notebook's kernel with jupyter_client
to read what the kernel holds, independently of the page.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Literal

import httpx
import nbformat
import numpy as np
from jupyter_client.blocking.client import BlockingKernelClient
from PIL import Image

from tests._timing import wait_until as wait_until  # re-exported: the browser tests import it from here

Kind = Literal["lab", "notebook"]

# JupyterLab asks whether to fetch news and checks for updates; both toasts cover the notebook.
_SETTING_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    # widget state goes into saved notebooks, so a test can check the token never does
    "@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def isolated_env(base: Path) -> dict[str, str]:
    """Environment variables that keep Jupyter, IPython and Chromium state under ``base``."""
    dirs = {
        "HOME": base / "home",
        "JUPYTER_CONFIG_DIR": base / "jupyter-config",
        "JUPYTER_DATA_DIR": base / "jupyter-data",
        "JUPYTER_RUNTIME_DIR": base / "jupyter-runtime",
        "IPYTHONDIR": base / "ipython",
        "XDG_CACHE_HOME": base / "cache",
        "XDG_CONFIG_HOME": base / "config",
        "XDG_DATA_HOME": base / "data",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    labconfig = dirs["JUPYTER_CONFIG_DIR"] / "labconfig"
    labconfig.mkdir(exist_ok=True)
    (labconfig / "default_setting_overrides.json").write_text(json.dumps(_SETTING_OVERRIDES))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
    env.update({k: str(v) for k, v in dirs.items()})
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env.pop("RUNCOMFY_API_TOKEN", None)  # browser tests run on the local sandbox
    return env


class JupyterServer:
    """A JupyterLab or Notebook 7 server on 127.0.0.1 serving ``root`` (started by ``start``)."""

    def __init__(self, kind: Kind, base: Path) -> None:
        self.kind = kind
        self.base = base
        self.root = base / "notebooks"
        self.root.mkdir(parents=True, exist_ok=True)
        self.env = isolated_env(base)
        self.runtime_dir = Path(self.env["JUPYTER_RUNTIME_DIR"])
        self.token = uuid.uuid4().hex
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = base / f"jupyter-{kind}.log"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        app = "lab" if self.kind == "lab" else "notebook"
        expose = "LabApp" if self.kind == "lab" else "JupyterNotebookApp"
        cmd = [
            sys.executable, "-m", "jupyter", app, "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
            "--allow-root", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
            "--ServerApp.port_retries=0", f"--{expose}.expose_app_in_browser=True",
        ]  # fmt: skip
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                cmd, cwd=self.root, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

        def ready() -> bool:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(
                    f"jupyter {app} exited; see {self.log_path}:\n{self.log_path.read_text()[-3000:]}"
                )
            return self.api("GET", "/api/status").status_code == 200

        wait_until(ready, timeout=timeout, interval=0.1, what=f"jupyter {app} to answer")

    def stop(self) -> None:
        process = self._process
        if process is None:
            return
        self._process = None
        with contextlib.suppress(httpx.HTTPError):
            self.api("POST", "/api/shutdown")
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"token {self.token}"}
        return httpx.request(method, f"{self.url}{path}", headers=headers, timeout=10.0, **kwargs)

    def write_notebook(self, name: str, cells: list[str]) -> str:
        """Write a notebook of code cells into the server's root; returns its file name."""
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        filename = f"{name}.ipynb"
        nbformat.write(nb, self.root / filename)
        return filename

    def notebook_url(self, filename: str) -> str:
        if self.kind == "lab":
            return f"{self.url}/lab/tree/{filename}?token={self.token}&reset"
        return f"{self.url}/notebooks/{filename}?token={self.token}"

    def kernel_connection_file(self, filename: str) -> Path:
        sessions = self.api("GET", "/api/sessions").json()
        for session in sessions:
            if session.get("path", "").endswith(filename) and session.get("kernel"):
                return self.runtime_dir / f"kernel-{session['kernel']['id']}.json"
        raise LookupError(f"no kernel for {filename} yet")


class KernelProbe:
    """A second client of a notebook's kernel: run code and evaluate expressions there.

    Requests share the kernel's shell queue with the page's widget messages, so a probe that runs after
    an update was sent sees its effect.
    """

    def __init__(self, connection_file: Path) -> None:
        self.client = BlockingKernelClient()
        self.client.load_connection_file(str(connection_file))
        self.client.start_channels()
        self.client.wait_for_ready(timeout=30)

    def close(self) -> None:
        self.client.stop_channels()

    def _request(self, code: str, expressions: dict[str, str], timeout: float) -> dict[str, Any]:
        msg_id = self.client.execute(code, silent=True, store_history=False, user_expressions=expressions)
        deadline = time.monotonic() + timeout
        while True:
            reply = self.client.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content: dict[str, Any] = reply["content"]
        if content["status"] != "ok":
            raise RuntimeError(f"kernel error: {content.get('ename')}: {content.get('evalue')}")
        return content

    def run(self, code: str, timeout: float = 60.0) -> None:
        """Execute ``code`` in the kernel (raises with the kernel's error if it fails)."""
        self._request(code, {}, timeout)

    def busy_until(self, flag: Path, timeout: float = 60.0, give_up: float = 120.0) -> str:
        """Start a cell that keeps the kernel's main thread busy until the file ``flag`` exists (the test
        creates it to release the kernel), and return once it runs (the kernel said "busy" for it), so
        what the page sends meanwhile waits in the kernel's queue. Pass the returned id to
        :meth:`finished`. The cell gives up after ``give_up`` s (a hang guard for a test that never
        released it)."""
        code = (
            "import os as _o, time as _t\n"
            f"_deadline = _t.monotonic() + {give_up!r}\n"
            f"while not _o.path.exists({str(flag)!r}) and _t.monotonic() < _deadline:\n"
            "    _t.sleep(0.01)"
        )
        msg_id: str = self.client.execute(code, silent=True)
        deadline = time.monotonic() + timeout
        while True:
            msg = self.client.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
            busy = msg["msg_type"] == "status" and msg["content"].get("execution_state") == "busy"
            if busy and msg["parent_header"].get("msg_id") == msg_id:
                return msg_id

    def finished(self, msg_id: str, timeout: float = 60.0) -> None:
        """Wait for the reply to the cell :meth:`busy_until` started."""
        deadline = time.monotonic() + timeout
        while True:
            reply = self.client.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if reply["parent_header"].get("msg_id") == msg_id:
                return

    def eval(self, expression: str, timeout: float = 60.0) -> Any:
        """The value of a Python literal expression evaluated in the kernel."""
        content = self._request("", {"value": expression}, timeout)
        result = content["user_expressions"]["value"]
        if result["status"] != "ok":
            raise RuntimeError(
                f"kernel error in {expression!r}: {result.get('ename')}: {result.get('evalue')}"
            )
        return ast.literal_eval(result["data"]["text/plain"])

    def image_and_mask(self, probe: Path, widget: str = "edit") -> tuple[np.ndarray, np.ndarray]:
        """The input picture (RGB array) and the painter's mask of the kernel's EditWidget ``widget``, as
        the kernel holds them (saved there as ``probe``.png and .npy, read back here)."""
        png, npy = f"{probe}.png", f"{probe}.npy"
        self.run(f"import numpy as _np; {widget}.image.save({png!r})")
        self.run(f"_np.save({npy!r}, {widget}.painter.mask_array)")
        with Image.open(png) as image:
            picture = np.asarray(image.convert("RGB"))
        return picture, np.load(npy)
