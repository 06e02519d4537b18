"""Whether a process still runs on this machine: the one probe the journal's owners and the sandbox's
stored jobs share.

Example:
    >>> import os
    >>> process_exists(os.getpid())
    True
    >>> process_exists(0), process_exists(-5), process_exists(True)
    (False, False, False)
"""

from __future__ import annotations

import os
import sys

__all__ = ["process_exists"]


def process_exists(pid: object) -> bool | None:
    """True when a process with this ``pid`` exists here (ours or another user's), False when none does
    (or ``pid`` is no process id), None when this platform cannot tell without harming it.

    On Windows ``os.kill(pid, 0)`` does not probe: it sends CTRL_C_EVENT or terminates the process, so
    there the answer is None and callers decide what "unknown" means (a journal owner is then judged by
    its lease alone; the sandbox takes a stored job over). That branch is not run on this project's CI
    machines, which are Linux.
    """
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    if sys.platform == "win32":
        return None
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True  # it exists, but another user's
    except OSError:  # ProcessLookupError among them: no such process
        return False
    return True
