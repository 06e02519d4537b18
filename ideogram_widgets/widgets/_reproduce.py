"""Copy as code: the Python that reproduces a run, from its settings and the user's own file (when the
image came from a path) or the journal's copies of the inputs (said in a comment).

The code never contains the API token (nothing here has it): the client reads ``RUNCOMFY_API_TOKEN``.
It runs by itself in a fresh kernel (top-level ``await``); in a plain script use ``job.wait()``.

Example:
    >>> print(reproduce_code("ideogram/ideogram-v3/reframe", {"resolution": "1024:1024 (1:1)", "seed": 3},
    ...                      {"image": "/data/in.png"}))
    import ideogram_widgets as iw
    <BLANKLINE>
    job = iw.submit(iw.ReframeInput(
        '/data/in.png',
        resolution='1024:1024 (1:1)',
        seed=3,
    ))
    output = await job  # in a plain script: job.wait()
    output.image
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..api import EDIT_MODEL

__all__ = ["reproduce_code"]

_ORDER = ("resolution", "seed", "rendering_speed", "magic_prompt", "color_palette", "style")


def reproduce_code(
    model_id: str, params: Mapping[str, Any], files: Mapping[str, str], *, notes: Sequence[str] = ()
) -> str:
    """Python source that submits the same run again.

    ``params`` are the job's settings (``EditInput.settings()``), ``files`` the local paths or URLs of
    its ``image`` (and ``mask``, white = edit); ``notes`` become comment lines at the top (e.g. where
    a file came from).
    """
    edit = model_id == EDIT_MODEL
    args = [repr(files.get("image", "image.png"))]
    if edit:
        args.append(repr(files.get("mask", "mask.png")))
        args.append(repr(params.get("prompt", "")))
    for key in _ORDER:
        if key in params and not (key == "magic_prompt" and not edit):
            args.append(f"{key}={params[key]!r}")
    call = "iw.EditInput" if edit else "iw.ReframeInput"
    body = "".join(f"    {a},\n" for a in args)
    comments = "".join(f"# {' '.join(note.split())}\n" for note in notes)
    return (
        f"{comments}import ideogram_widgets as iw\n\n"
        f"job = iw.submit({call}(\n{body}))\n"
        "output = await job  # in a plain script: job.wait()\n"
        "output.image"
    )
