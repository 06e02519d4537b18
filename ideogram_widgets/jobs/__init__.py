"""Jobs: submit once, follow in the background, keep a journal, resume after a restart, run batches.

No widgets here: widgets observe a :class:`Job`'s traits (``state``, ``queue_position``, ``error``,
``result``...). Everything runs on the kernel's own event loop (a private one in plain scripts).

Example (a notebook cell)::

    import ideogram_widgets as iw
    job = iw.submit(iw.EditInput(photo, mask, "a red door"))
    output = await job                    # job.wait() in a plain script
    jobs = iw.resume()                    # after a kernel restart
    batch = iw.run_batch(inputs, concurrency=8)
    iw.stop_all()                         # stop following everything (nothing is cancelled)
"""

from .batch import Batch, BatchItem, run_batch
from .errors import PollingStoppedError
from .job import FINAL_STATES, Job, Output
from .journal import HOME_ENV, Journal, default_home
from .manager import JobManager, default_manager, live_jobs, submit
from .poller import JournalError
from .resume import JobRecord, history, resume
from .runtime import stop_all
from .schedule import DurationModel, Estimate, PollPolicy

__all__ = [
    "FINAL_STATES",
    "HOME_ENV",
    "Batch",
    "BatchItem",
    "DurationModel",
    "Estimate",
    "Job",
    "JobManager",
    "JobRecord",
    "Journal",
    "JournalError",
    "Output",
    "PollPolicy",
    "PollingStoppedError",
    "default_home",
    "default_manager",
    "history",
    "live_jobs",
    "resume",
    "run_batch",
    "stop_all",
    "submit",
]
