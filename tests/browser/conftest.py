"""Fixtures for tests that drive JupyterLab and Notebook 7 in headless Chromium (Debian's, via Playwright).

* ``jupyter`` (package, parametrised ``lab`` / ``notebook``): a running :class:`JupyterServer`.
* ``chromium`` (package): a Playwright ``Browser``. Tests here must be sync (see ``playwright_instance``).
* ``open_notebook(cells, name=...) -> NotebookPage`` (function): writes a notebook, opens it in a fresh
  browser context, waits for an idle kernel; fails the test on page errors; closes everything after.
* ``NotebookPage.set_theme("JupyterLab Dark")`` switches the theme and waits for it;
  ``NotebookPage.axe(selector, exclude=[...])`` runs axe-core (from js/node_modules) on a part of the page.

Every test in this folder is marked ``browser``. Screenshots go to ``tests/artifacts/``.

Example::

    def test_something(open_notebook):
        nb = open_notebook(["from ideogram_widgets import MaskPainter", "MaskPainter(...)"])
        nb.run_all()
        nb.page.wait_for_selector(".iw-painter[data-ready='1']")
        assert nb.kernel.eval("1 + 1") == 2
        nb.screenshot("something")
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, sync_playwright

from .jupyter import JupyterServer, KernelProbe, Kind, isolated_env, wait_until

if TYPE_CHECKING:
    from ._painter import Painter

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
AXE = Path(__file__).resolve().parents[2] / "js" / "node_modules" / "axe-core" / "axe.min.js"
# `make test CHROMIUM=/path/to/chromium` (the Makefile exports it) picks another browser binary
CHROMIUM = Path(os.environ.get("CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
KERNEL_IDLE = (
    "() => window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel?.status === 'idle'"
)
# Notebook 7 logs this once at start-up; it is not ours and harmless (see TESTING.md).
_KNOWN_PAGE_ERRORS = [re.compile(r"Cannot read properties of undefined \(reading 'schema'\)")]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


class NotebookPage:
    """A notebook open in a browser tab, with a probe into its kernel."""

    def __init__(self, page: Page, server: JupyterServer, filename: str) -> None:
        self.page = page
        self.server = server
        self.filename = filename
        self.errors: list[str] = []
        self._kernel: KernelProbe | None = None
        page.on("pageerror", self._on_page_error)

    def _on_page_error(self, error: Any) -> None:
        text = str(error)
        if not any(p.search(text) for p in _KNOWN_PAGE_ERRORS):
            self.errors.append(text)

    @property
    def kind(self) -> Kind:
        return self.server.kind

    def load(self) -> None:
        self.page.goto(self.server.notebook_url(self.filename))
        self.wait_kernel_idle(timeout=60)

    def wait_kernel_idle(self, timeout: float = 60) -> None:
        self.page.wait_for_function(KERNEL_IDLE, timeout=timeout * 1000)

    def command(self, name: str, args: dict[str, Any] | None = None) -> Any:
        """Run a JupyterLab / Notebook 7 command (``notebook:run-all-cells``...)."""
        return self.page.evaluate("([n, a]) => window.jupyterapp.commands.execute(n, a)", [name, args or {}])

    def run_all(self) -> None:
        self.command("notebook:run-all-cells")

    def cell_sources(self) -> list[str]:
        """The notebook's cells as the page holds them (not as saved)."""
        cells = "window.jupyterapp.shell.currentWidget.content.model.cells"
        return list(self.page.evaluate(f"() => Array.from({cells}, c => c.sharedModel.source)"))

    @property
    def kernel(self) -> KernelProbe:
        if self._kernel is None:
            connection = wait_until(
                lambda: self.server.kernel_connection_file(self.filename),
                timeout=30,
                what="the notebook's kernel",
            )
            self._kernel = KernelProbe(connection)
        return self._kernel

    def set_theme(self, theme: str) -> None:
        """Switch to ``theme`` ("JupyterLab Light", "JupyterLab Dark", ...) and wait until it is applied."""
        self.command("apputils:change-theme", {"theme": theme})
        self.page.wait_for_function("t => document.body.dataset.jpThemeName === t", arg=theme, timeout=30_000)
        # the theme's CSS variables are in place once the notebook's background follows them
        self.page.wait_for_function(
            "() => getComputedStyle(document.body).getPropertyValue('--jp-layout-color0').trim() !== ''"
        )

    def axe(self, selector: str, exclude: list[str] | None = None) -> list[dict[str, Any]]:
        """axe-core's violations inside ``selector`` (all rules, minus the ``exclude`` selectors)."""
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            if not AXE.is_file():
                pytest.fail(f"axe-core is missing ({AXE}): `make js` installs js/node_modules")
            self.page.add_script_tag(path=str(AXE))
        context = {"include": [[selector]], "exclude": [[e] for e in exclude or []]}
        result = self.page.evaluate(
            "async (ctx) => { const r = await axe.run(ctx, {resultTypes: ['violations']});"
            " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})); }",
            context,
        )
        return list(result)

    def screenshot(self, name: str, locator: Locator | None = None) -> Path:
        """Save a PNG under tests/artifacts/ named after the server kind; returns its path."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.kind}-{name}.png"
        (locator or self.page).screenshot(path=str(path))
        return path

    def assert_no_page_errors(self) -> None:
        errors, self.errors = self.errors, []
        assert not errors, f"errors in the page: {errors}"

    def close(self) -> None:
        if self._kernel is not None:
            self._kernel.close()
            self._kernel = None
        self.page.context.close()


# Package scope, not session: Playwright's sync API keeps an asyncio loop marked running in this thread
# while it is started, which would break every async test that pytest runs after this folder.
@pytest.fixture(scope="package")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def chromium(playwright_instance: Playwright, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    executable = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    if os.environ.get("CHROMIUM") and not CHROMIUM.exists():
        pytest.fail(f"CHROMIUM={CHROMIUM} does not exist")
    if executable is None:
        pytest.fail("Chromium is not installed: `make browser` (apt-get install chromium) installs it")
    env: dict[str, str | float | bool] = dict(isolated_env(tmp_path_factory.mktemp("chromium")))
    browser = playwright_instance.chromium.launch(
        executable_path=str(executable), headless=True, args=CHROMIUM_ARGS, env=env
    )
    yield browser
    browser.close()


@pytest.fixture(scope="package", params=["lab", "notebook"])
def jupyter(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterServer]:
    server = JupyterServer(request.param, tmp_path_factory.mktemp(f"jupyter-{request.param}"))
    server.start()
    yield server
    server.stop()


def new_notebook_page(
    chromium: Browser,
    server: JupyterServer,
    cells: list[str],
    name: str,
    *,
    viewport: tuple[int, int] = (1280, 1000),
    has_touch: bool = False,
    permissions: list[str] | None = None,
) -> NotebookPage:
    """Write a notebook, open it in a fresh browser context and wait for its kernel (caller closes it).

    ``permissions``: granted to the page, e.g. ``["clipboard-read", "clipboard-write"]``.
    """
    filename = server.write_notebook(name, cells)
    context = chromium.new_context(
        viewport={"width": viewport[0], "height": viewport[1]},
        device_scale_factor=1,
        has_touch=has_touch,
        accept_downloads=True,
    )
    if permissions:
        context.grant_permissions(permissions, origin=server.url)
    nb = NotebookPage(context.new_page(), server, filename)
    nb.load()
    return nb


@pytest.fixture
def open_notebook(
    chromium: Browser, jupyter: JupyterServer, request: pytest.FixtureRequest
) -> Iterator[Callable[..., NotebookPage]]:
    pages: list[NotebookPage] = []

    def open_(cells: list[str], name: str | None = None, **kwargs: Any) -> NotebookPage:
        nb = new_notebook_page(
            chromium, jupyter, cells, name or re.sub(r"\W+", "-", request.node.name), **kwargs
        )
        pages.append(nb)
        return nb

    yield open_
    try:
        for nb in pages:
            nb.assert_no_page_errors()
    finally:
        for nb in pages:
            nb.close()


@pytest.fixture(scope="module")
def painter_page(
    chromium: Browser, jupyter: JupyterServer, request: pytest.FixtureRequest
) -> Iterator[Painter]:
    """The painter tests' page (one per module, named after it: ``test_mask_painter_tools_browser`` →
    ``painter-tools``): a notebook showing ``_painter.NOTEBOOK``'s MaskPainter."""
    from ._painter import open_painter  # _painter imports this module

    module = request.module.__name__.rsplit(".", 1)[-1]
    yield from open_painter(
        chromium, jupyter, module.removeprefix("test_mask_").removesuffix("_browser").replace("_", "-")
    )


@pytest.fixture
def painter(painter_page: Painter) -> Iterator[Painter]:
    """The module's painter, reset for each test (empty mask, brush, Light theme); no page errors after."""
    from ._painter import fresh_painter

    yield from fresh_painter(painter_page)
