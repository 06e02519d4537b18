"""Running cells in a real kernel from a test (``jupyter_client``), collecting what they print.

Example::

    manager, client = start_new_kernel(kernel_name="python3")
    reply, text = run_cell(client, "print(6 * 7)")
    assert reply["status"] == "ok" and text == "42\\n"
"""

from __future__ import annotations

from typing import Any

from jupyter_client.blocking.client import BlockingKernelClient


def run_cell(client: BlockingKernelClient, code: str, timeout: float = 60.0) -> tuple[dict[str, Any], str]:
    """Execute ``code``; return the reply's content and the cell's text: its stdout and stderr, and
    ``ename: evalue`` of an error it raised. Fails (``TimeoutError``) if no reply comes in ``timeout`` s."""
    out: list[str] = []

    def hook(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")

    reply = client.execute_interactive(code, timeout=timeout, output_hook=hook)
    return dict(reply["content"]), "".join(out)
