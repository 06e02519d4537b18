"""One error hierarchy: the tree drawn in ``api/_errors.py``'s docstring is the real one, every layer's
errors hang from its root, and ``jobs/_errors.py`` re-exports the job layer's (old imports keep working)."""

from __future__ import annotations

import re

import ideogram_widgets.jobs._errors as job_errors
from ideogram_widgets import jobs
from ideogram_widgets.api import _errors as errors
from ideogram_widgets.jobs import _manager as manager
from ideogram_widgets.sandbox import _errors as sandbox_errors
from ideogram_widgets.sandbox import _faults as faults
from ideogram_widgets.sandbox import _imaging as imaging

ROOT = errors.IdeogramWidgetsError


def _drawn() -> dict[str, str | None]:
    """``{class name: parent name}`` as the docstring's diagram draws it (marks by depth: * x + -)."""
    doc = errors.__doc__ or ""
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for line in doc.splitlines():
        found = re.match(r"^( *)([*x+\-]) ([A-Za-z]+)", line)
        if not found:
            continue
        depth = len(found.group(1)) // 2
        del stack[depth:]
        parents[found.group(3)] = stack[-1] if stack else None
        stack.append(found.group(3))
    return parents


def _real() -> dict[str, str | None]:
    """``{class name: parent name}`` of every subclass of the root the package defines."""
    found: dict[str, str | None] = {ROOT.__name__: None}
    todo = [ROOT]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("ideogram_widgets.") and not sub.__name__.startswith("_"):
                found[sub.__name__] = cls.__name__
                todo.append(sub)
    return found


def test_the_diagram_is_the_real_tree() -> None:
    assert _drawn() == _real()


def test_every_error_class_the_module_exports_is_drawn() -> None:
    exported = {n for n in errors.__all__ if isinstance(getattr(errors, n), type)}
    assert set(_drawn()) == exported | {"SandboxError", "BadImageError"}  # the two server-side ones


def test_the_job_layers_errors_are_the_api_ones() -> None:
    for name in ("StorageError", "JournalError", "JobNotSentError", "PollingStoppedError"):
        assert getattr(job_errors, name) is getattr(errors, name)
        assert getattr(jobs, name) is getattr(errors, name)
    assert manager.NoDefaultClientError is errors.NoDefaultClientError is jobs.NoDefaultClientError
    assert issubclass(errors.NoDefaultClientError, RuntimeError)  # what callers caught before


def test_the_sandboxs_exceptions_hang_from_the_root_but_a_dropped_connection_does_not() -> None:
    assert issubclass(sandbox_errors.SandboxError, ROOT)
    assert issubclass(imaging.BadImageError, ROOT)
    assert issubclass(imaging.BadImageError, ValueError)
    assert not issubclass(faults.DroppedConnectionError, ROOT)  # it must look like the network's


def test_a_moved_storage_error_still_pickles_with_its_words() -> None:
    import pickle

    err = errors.JournalError("/x/journal.sqlite3", "disk full")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is errors.JournalError
    assert (str(back), back.path, back.reason) == (str(err), err.path, err.reason)
