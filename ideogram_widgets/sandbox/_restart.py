"""Taking back, in a new process, the jobs an earlier sandbox on the same ``state_dir`` left.

Called by :func:`~._app.create_app` when the config has a ``state_dir``. Each unreadable record is skipped
(and logged); an unfinished job gets a ``work`` that renders it again from the submit's body kept beside
its record (with the seed it was given), so a job caught mid-render by a killed kernel still completes.
The queue keeps that replay for jobs it takes over later (asked for a job that another sandbox on the same
folder ran, once that process is gone).

Example:
    >>> import tempfile
    >>> from ideogram_widgets.sandbox._config import SandboxConfig
    >>> from ideogram_widgets.sandbox._service import Sandbox
    >>> sb = Sandbox(SandboxConfig(state_dir=tempfile.mkdtemp()))
    >>> restore(sb)
    0
    >>> sb.close()
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from ._inputs import prepare_job
from ._jobqueue import Job
from ._service import Sandbox

__all__ = ["restore"]

log = logging.getLogger("ideogram_widgets.sandbox")


def _replay(sandbox: Sandbox, job: Job) -> Callable[[], bytes]:
    request_id, model, seed = job.request_id, job.model, job.seed

    def work() -> bytes:
        raw = sandbox.store.load_input(request_id) if sandbox.store is not None else None
        if raw is None:
            raise RuntimeError("its input was not kept across the restart")
        body = json.loads(raw)
        if seed is not None:
            body["seed"] = seed
        render = prepare_job(sandbox, model, body, request_id).work
        if render is None:  # pragma: no cover (prepare_job always sets it)
            raise RuntimeError("the job has nothing to render")
        return render()

    return work


def restore(sandbox: Sandbox) -> int:
    """Put every job of the sandbox's ``state_dir`` back into its queue; return how many were taken."""
    if sandbox.store is None:
        return 0
    sandbox.queue.set_replay(lambda job: _replay(sandbox, job))  # also for jobs taken over later
    jobs: list[Job] = []
    for record in sandbox.store.records():
        try:
            job = Job.from_record(record)
        except (TypeError, ValueError) as exc:
            log.warning("local sandbox: skipped the job record %s: %s", record.get("request_id"), exc)
            continue
        jobs.append(job)
    sandbox.queue.restore(jobs)
    return len(jobs)
