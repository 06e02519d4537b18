from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ideogram_widgets.sandbox import SandboxConfig, serve_in_thread

FAST: dict[str, Any] = {"speed_scale": 0.01, "workers": 4}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    """A sandbox over real HTTP, jobs at 1 % of their usual duration; one per test module."""
    with serve_in_thread(SandboxConfig(**FAST)) as running:
        yield running
