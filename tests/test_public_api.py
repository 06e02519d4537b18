"""The public surface a notebook user types, pinned; and importing the package stays light."""

from __future__ import annotations

import subprocess
import sys

import ideogram_widgets as iw

PUBLIC = [
    "AsyncClient",
    "Batch",
    "Client",
    "ColorPalette",
    "EditInput",
    "EditWidget",
    "IdeogramWidgetsError",
    "InputError",
    "Job",
    "JobManager",
    "MagicPrompt",
    "MaskPainter",
    "MaskPolarity",
    "ReframeInput",
    "ReframeWidget",
    "RenderingSpeed",
    "Resolution",
    "Style",
    "__version__",
    "default_client",
    "history",
    "prune",
    "resume",
    "run_batch",
    "sample_image",
    "stop_all",
    "submit",
]


def test_the_public_names_are_exactly_these():
    assert iw.__all__ == PUBLIC


def test_every_public_name_resolves():
    for name in PUBLIC:
        assert getattr(iw, name) is not None, name


def test_the_version_lives_in_one_place():
    from importlib.metadata import version

    assert iw.__version__ == version("ideogram-widgets")


def test_import_loads_nothing_heavy():
    code = (
        "import sys, ideogram_widgets\n"
        "names = ('numpy', 'PIL', 'httpx', 'ipywidgets', 'anywidget', 'starlette')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
