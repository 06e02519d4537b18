"""Jobs: submit once, follow in the background, keep a journal, resume after a restart, run batches.

No widgets here: widgets observe a :class:`Job`'s traits (``state``, ``queue_position``, ``error``,
``result``...). Everything runs on the kernel's own event loop (a private one in plain scripts).

Example (a notebook cell)::

    import ideogram_widgets as iw
    job = iw.submit(iw.EditInput(photo, mask, "a red door"))
    output = await job                    # job.wait() in a plain script
    jobs = iw.resume()                    # after a kernel restart: a ResumeReport (a list of Jobs)
    iw.prune(older_than=30 * 86400, dry_run=True)   # what cleaning the journal would remove
    batch = iw.run_batch(inputs, concurrency=8)
    iw.stop_all()                         # stop following everything (nothing is cancelled)
"""

from ._batch import Batch, BatchItem, run_batch
from ._errors import JobNotSentError, JournalError, PollingStoppedError, StorageError
from ._history import History, JobRecord, history
from ._job import FINAL_STATES, Job, Output
from ._journal import Journal, default_home
from ._manager import JobManager, NoDefaultClientError, set_default_client, submit
from ._prune import PruneReport, prune
from ._resume import ResumeReport, resume
from ._runtime import stop_all
from ._schedule import PollPolicy

__all__ = [
    "FINAL_STATES",
    "Batch",
    "BatchItem",
    "History",
    "Job",
    "JobManager",
    "JobNotSentError",
    "JobRecord",
    "Journal",
    "JournalError",
    "NoDefaultClientError",
    "Output",
    "PollPolicy",
    "PollingStoppedError",
    "PruneReport",
    "ResumeReport",
    "StorageError",
    "default_home",
    "history",
    "prune",
    "resume",
    "run_batch",
    "set_default_client",
    "stop_all",
    "submit",
]
