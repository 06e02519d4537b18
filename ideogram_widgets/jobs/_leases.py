"""Keeping this process's claim on the jobs it follows: one daemon thread renews every lease.

A lease is renewed every third of its length, from a thread rather than the event loop, so a kernel busy
in a long cell still owns its jobs; a killed process stops renewing at once (and its pid is gone), a frozen
one after ``Journal.lease`` seconds — then another process's ``resume()`` takes its jobs over.

Example::

    hold(journal, job.job_id, Owner.current())   # when following starts
    let_go(journal, job.job_id)                  # when it ends
"""

from __future__ import annotations

import logging
import os
import threading

from ._journal import Journal
from ._owner import Owner

__all__ = ["held", "hold", "let_go"]

log = logging.getLogger("ideogram_widgets.jobs")

_lock = threading.Lock()
_held: dict[str, tuple[Journal, dict[str, Owner]]] = {}
_wake = threading.Event()
_state = {"pid": 0}


def hold(journal: Journal, job_id: str, owner: Owner) -> None:
    """Renew ``owner``'s lease on ``job_id`` until :func:`let_go`."""
    with _lock:
        if _state["pid"] != os.getpid():  # a forked child: the parent's thread is not here
            _held.clear()
            _state["pid"] = os.getpid()
            threading.Thread(target=_renew_forever, name="ideogram-jobs-leases", daemon=True).start()
        key = str(journal.store.path)
        _, ids = _held.setdefault(key, (journal, {}))
        ids[job_id] = owner
    if journal.lease < 30.0:
        _wake.set()  # renew at this journal's (shorter) pace from now on


def let_go(journal: Journal, job_id: str) -> None:
    """Stop renewing the lease on ``job_id``."""
    with _lock:
        found = _held.get(str(journal.store.path))
        if found is not None:
            found[1].pop(job_id, None)
            if not found[1]:
                del _held[str(journal.store.path)]


def held() -> int:
    """How many leases this process renews."""
    with _lock:
        return sum(len(ids) for _, ids in _held.values())


def _renew_forever() -> None:
    interval = 10.0
    while True:
        _wake.wait(max(0.05, interval))
        _wake.clear()
        with _lock:
            batches = [(journal, dict(ids)) for journal, ids in _held.values()]
        interval = min((journal.lease for journal, _ in batches), default=30.0) / 3
        for journal, ids in batches:
            by_owner: dict[Owner, list[str]] = {}
            for job_id, owner in ids.items():
                by_owner.setdefault(owner, []).append(job_id)
            for owner, job_ids in by_owner.items():
                try:
                    journal.renew(job_ids, owner)
                except Exception as exc:  # a full or read-only disk: the lease runs out, nothing else
                    log.debug("could not renew the leases in %s: %s", journal.home, exc)
