"""Shared by the tests in ``tests/`` and the doctests of the package (``make test`` runs both)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_journal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test writes the real user's journal: ``$IDEOGRAM_WIDGETS_HOME`` points at a temp folder and no
    token from the developer's shell or RunComfy CLI login leaks in (tests talk to the sandbox)."""
    patch = pytest.MonkeyPatch()
    patch.setenv("IDEOGRAM_WIDGETS_HOME", str(tmp_path_factory.mktemp("journal")))
    patch.delenv("RUNCOMFY_API_TOKEN", raising=False)
    patch.delenv("RUNCOMFY_TOKEN", raising=False)
    patch.setenv("RUNCOMFY_CONFIG_DIR", str(tmp_path_factory.mktemp("runcomfy-cli")))  # no login file
    yield
    patch.undo()
