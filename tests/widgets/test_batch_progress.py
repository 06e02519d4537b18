"""A batch's progress bar: drawn by the widgets, handed to the jobs layer (which draws nothing)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ideogram_widgets.jobs._progress import Counts, make_progress, set_progress_bar
from ideogram_widgets.widgets._batch_progress import BarProgress, install


@pytest.fixture
def no_bar() -> Iterator[None]:
    set_progress_bar(None)
    yield
    install()


def test_progress_bar_sets_traits_only() -> None:
    bar = BarProgress(4, show=False)
    bar.update(Counts(4, 2, 1, 2, 1.0), final=True)
    assert (bar.bar.value, bar.bar.max, bar.bar.bar_style) == (2, 4, "warning")
    assert bar.label.value == "2/4 done (1 failed), 2 running, 1.0 s"


def test_the_widgets_package_installs_the_bar() -> None:
    import ideogram_widgets.widgets  # noqa: F401  (importing it installs the bar)

    assert isinstance(make_progress("bar", 3), BarProgress)


@pytest.mark.usefixtures("no_bar")
def test_without_the_widgets_a_bar_is_a_clear_error_and_auto_is_text() -> None:
    with pytest.raises(ValueError, match=r"import ideogram_widgets\.widgets"):
        make_progress("bar", 3)
    assert type(make_progress("auto", 3)).__name__ == "TextProgress"  # not in a kernel
