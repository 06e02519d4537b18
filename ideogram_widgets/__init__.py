"""ideogram-widgets: Jupyter widgets for Ideogram 3.0 image editing through the RunComfy Model API.

Names are imported lazily, so ``import ideogram_widgets`` stays fast; the heavy parts (numpy, Pillow,
httpx, ipywidgets) load when first used. ``Client``, ``AsyncClient`` and ``resume`` are the package's
defaults (``backend.py``): with no token anywhere they use the embedded sandbox, as the widgets do.

Example:
    >>> import ideogram_widgets as iw
    >>> iw.Resolution.closest_to((800, 600)).value
    '1152:864 (4:3)'
"""

import importlib as _importlib
import sys as _sys
import typing as _typing

from ._version import __version__

if _typing.TYPE_CHECKING:
    from .api import (
        ColorPalette,
        EditInput,
        IdeogramWidgetsError,
        InputError,
        MagicPrompt,
        MaskPolarity,
        ReframeInput,
        RenderingSpeed,
        Resolution,
        Style,
    )
    from .backend import AsyncClient, Client, default_client, resume
    from .jobs import Batch, Job, JobManager, history, prune, run_batch, stop_all, submit
    from .samples import sample_image
    from .widgets import EditWidget, MaskPainter, ReframeWidget

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "AsyncClient": ".backend",
    "Batch": ".jobs",
    "Client": ".backend",
    "ColorPalette": ".api",
    "EditInput": ".api",
    "EditWidget": ".widgets",
    "IdeogramWidgetsError": ".api",
    "InputError": ".api",
    "Job": ".jobs",
    "JobManager": ".jobs",
    "MagicPrompt": ".api",
    "MaskPainter": ".widgets",
    "MaskPolarity": ".api",
    "ReframeInput": ".api",
    "ReframeWidget": ".widgets",
    "RenderingSpeed": ".api",
    "Resolution": ".api",
    "Style": ".api",
    "default_client": ".backend",
    "history": ".jobs",
    "prune": ".jobs",
    "resume": ".backend",
    "run_batch": ".jobs",
    "sample_image": ".samples",
    "stop_all": ".jobs",
    "submit": ".jobs",
}

__all__ = [
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


def __getattr__(name: str) -> _typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ideogram_widgets' has no attribute {name!r}")
    if module in (".jobs", ".widgets"):
        # the jobs layer is handed its default client here (it never picks a backend itself)
        _importlib.import_module(".backend", __name__)
    if name == "resume" or (name == "run_batch" and "ipykernel" in _sys.modules):
        # what resume() did, and a batch's progress bar in a kernel, are drawn by the widgets (they
        # install both); a plain script's batch prints a line of text and needs no ipywidgets
        _importlib.import_module(".widgets", __name__)
    value = getattr(_importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
