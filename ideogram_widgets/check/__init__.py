"""A live check for users with a token: does the hosted service match how this package talks to it?

It answers the three questions nobody could settle without a token (``reference/API.md``): the real
input schema in the model's catalogue entry (compared with the package's own types, including the inner
shapes of ``style`` and ``color_palette``), whether data URIs are accepted, and which mask colour the
service edits (the mask polarity). It costs one TURBO edit of a small image, and prints the exact setting
to change where the service differs.

From a terminal (the token from ``RUNCOMFY_API_TOKEN``, never the command line)::

    python -m ideogram_widgets.check            # asks before sending the paid edit
    python -m ideogram_widgets.check --sandbox  # no token: what the output looks like

From a notebook::

    from ideogram_widgets.api import AsyncClient
    from ideogram_widgets.check import run_check
    async with AsyncClient() as client:
        report = await run_check(client)
    print(report.render())
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from ._report import CheckReport, CheckResult, Status
    from ._run import UPLOADER_ADVICE, check, run_check

__all__ = ["UPLOADER_ADVICE", "CheckReport", "CheckResult", "Status", "check", "run_check"]

# Loaded on first use, so `python -m ideogram_widgets.check --help` answers at once.
_LAZY = {
    "CheckReport": "._report",
    "CheckResult": "._report",
    "Status": "._report",
    "UPLOADER_ADVICE": "._run",
    "check": "._run",
    "run_check": "._run",
}


def __getattr__(name: str) -> _typing.Any:
    if name in _LAZY:
        value = getattr(_importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
