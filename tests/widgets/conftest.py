"""Widget tests talk to a one-worker sandbox over real HTTP, each with its own journal folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ideogram_widgets.api import AsyncClient
from ideogram_widgets.sandbox import SandboxConfig, serve_in_thread


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    with serve_in_thread(SandboxConfig(speed_scale=0.05, workers=1)) as running:
        yield running.url


@pytest.fixture
def make_widget(sandbox_url: str, tmp_path: Path) -> Callable[..., Any]:
    """``make_widget(EditWidget, image, **options)``: a widget on that sandbox, TURBO by default."""

    def make(cls: Callable[..., Any], image: Any, **options: Any) -> Any:
        options.setdefault("rendering_speed", "TURBO")
        return cls(image, client=AsyncClient(base_url=sandbox_url + "/v1"), journal=tmp_path, **options)

    return make
