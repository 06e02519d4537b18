"""``python -m ideogram_widgets.check``: the live check from a terminal.

Exit codes: 0 everything matches, 1 something differs or could not be confirmed (the verdict says what to
change), 2 an error (no token, authentication, network, a bad option).

Example::

    $ export RUNCOMFY_API_TOKEN=...          # never on the command line
    $ python -m ideogram_widgets.check --yes
    $ python -m ideogram_widgets.check --sandbox     # no token: see what the output looks like
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # the api (numpy, Pillow, httpx) loads after the options are read: --help is instant
    from ..api import IdeogramWidgetsError
    from ..api._media import Uploader
    from ._report import CheckReport

__all__ = ["DEFAULT_BASE_URL", "POLARITIES", "TOKEN_ENV", "build_parser", "main"]

# The same values as ideogram_widgets.api's (a test keeps them equal), without importing it.
TOKEN_ENV = "RUNCOMFY_API_TOKEN"
DEFAULT_BASE_URL = "https://model-api.runcomfy.net/v1"
POLARITIES = ("black_is_edit", "white_is_edit")

_EPILOG = f"""\
The token is read from the environment only ({TOKEN_ENV}, or the variable named by --token-env), never
from the command line: a token typed there would be saved in your shell history.

The check costs one TURBO edit on the hosted service; it says so before sending it and, in a terminal,
asks first (--yes skips the question).

Exit codes: 0 everything matches; 1 something differs or could not be confirmed (the verdict names the
setting to change); 2 an error (no token, authentication, network, a bad option).
"""


def build_parser() -> argparse.ArgumentParser:
    """The command line's options.

    Example:
        >>> build_parser().parse_args(["--polarity", "white_is_edit", "--json"]).polarity
        'white_is_edit'
    """
    p = argparse.ArgumentParser(
        prog="python -m ideogram_widgets.check",
        description="Check the hosted Ideogram 3.0 edit model against this package: the input schema in its\n"
        "catalogue entry, whether it accepts data URIs, and which mask colour means 'edit' (mask polarity).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--base-url", metavar="URL", help=f"the API's base URL (default {DEFAULT_BASE_URL})")
    p.add_argument(
        "--polarity",
        choices=POLARITIES,
        default=POLARITIES[0],
        help="the mask_polarity your client uses (default %(default)s, the package's default)",
    )
    p.add_argument(
        "--token-env",
        metavar="NAME",
        default=None,
        help=f"read the API token from this environment variable (default {TOKEN_ENV}); "
        "there is deliberately no option that takes the token itself",
    )
    p.add_argument(
        "--uploader",
        metavar="MODULE:FUNCTION",
        help="a function uploader(png_bytes, filename) -> https URL that hosts the images, for services "
        "that refuse data URIs (imported like MODULE:FUNCTION, as your client would use it)",
    )
    p.add_argument(
        "--sandbox",
        action="store_true",
        help="run against the in-process local sandbox (no token, no cost) to see what the output looks like",
    )
    p.add_argument("--yes", "-y", action="store_true", help="send the paid edit without asking")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--timeout", type=float, default=900.0, metavar="SECONDS", help="wait this long for the edit"
    )
    p.add_argument("--save-result", metavar="PATH", help="write the edit's result image here")
    return p


class _Out:
    """Writes to the terminal with the token, should it ever appear, replaced."""

    def __init__(self, stdout: TextIO, stderr: TextIO) -> None:
        self.stdout, self.stderr = stdout, stderr
        self.secret: str | None = None

    def _clean(self, text: str) -> str:
        # A real token is long; a very short one (a test's "t") would garble every line it occurs in.
        if self.secret and len(self.secret) >= 6:
            return text.replace(self.secret, "<token hidden>")
        return text

    def out(self, text: str) -> None:
        print(self._clean(text), file=self.stdout, flush=True)

    def err(self, text: str, end: str = "\n") -> None:
        print(self._clean(text), file=self.stderr, end=end, flush=True)


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the check from the command line; returns the exit code (0, 1 or 2)."""
    args = build_parser().parse_args(argv)
    stdin = stdin or sys.stdin
    io = _Out(stdout or sys.stdout, stderr or sys.stderr)
    if args.sandbox and args.base_url:
        return _fail(io, args, "--sandbox and --base-url exclude each other")
    env = args.token_env or TOKEN_ENV
    token = os.environ.get(env) or None
    io.secret = token
    if args.sandbox:
        token = None
    elif token is None and args.token_env:
        return _fail(io, args, f"the environment variable {env} is not set (it should hold your API token)")
    elif token is None and not args.base_url:
        return _fail(io, args, _NO_TOKEN)
    try:
        uploader = _import_uploader(args.uploader) if args.uploader else None
    except (ImportError, AttributeError, ValueError, TypeError) as exc:
        return _fail(io, args, f"--uploader {args.uploader}: {exc}")

    def confirm(message: str) -> bool:
        if args.yes or args.sandbox or not _is_tty(stdin):
            return True
        io.err("Send it? [y/N] ", end="")
        answer = stdin.readline().strip().lower()
        return answer in ("y", "yes")

    from ..api import IdeogramWidgetsError

    try:
        report = asyncio.run(_run(args, token, uploader, confirm, io))
    except KeyboardInterrupt:
        return _fail(io, args, "interrupted (an edit already sent may still run and be billed)")
    except IdeogramWidgetsError as exc:
        return _fail(io, args, _explain(exc, env))
    except Exception as exc:  # a bug: say so plainly, without a traceback
        return _fail(io, args, f"unexpected error (please report it): {type(exc).__name__}: {exc}")
    if args.save_result and report.result_png is not None:
        Path(args.save_result).write_bytes(report.result_png)
        io.err(f"· result image written to {args.save_result}")
    elif args.save_result:
        io.err("· no result image to save: the edit did not run to the end")
    io.out(json.dumps(report.to_dict(), indent=2) if args.json else report.render())
    return report.exit_code


async def _run(
    args: argparse.Namespace,
    token: str | None,
    uploader: Uploader | None,
    confirm: Callable[[str], bool],
    io: _Out,
) -> CheckReport:
    from ..api import AsyncClient
    from ._run import run_check

    options: dict[str, Any] = {"mask_polarity": args.polarity, "uploader": uploader}
    closing: Callable[[], None] = lambda: None  # noqa: E731
    if args.sandbox:
        from ..backend import scratch_sandbox_client

        client, closing = scratch_sandbox_client(**options)
        io.err(
            "· running against the in-process local sandbox (classical inpainting, not Ideogram): this "
            "shows what the check prints and says nothing about the hosted service"
        )
    else:
        options["base_url"] = args.base_url
        if token is None:
            io.err(f"· no token in {TOKEN_ENV}: requests to {args.base_url} carry no Authorization header")
        client = AsyncClient(token, **options)
    try:
        async with client:
            return await run_check(
                client,
                confirm=confirm,
                progress=lambda line: io.err(f"· {line}"),
                timeout=args.timeout,
            )
    finally:
        closing()


_NO_TOKEN = (
    f"this check talks to the hosted service and needs your RunComfy API token: set {TOKEN_ENV} in the "
    "environment (or name another variable with --token-env). It is never taken on the command line, "
    "where it would be saved in your shell history.\n"
    "To see what the check prints without a token, run: python -m ideogram_widgets.check --sandbox"
)


def _explain(exc: IdeogramWidgetsError, env: str) -> str:
    from ..api import AuthenticationError, InsufficientBalanceError, SubmitUncertainError, TransportError

    text = str(exc)
    if isinstance(exc, AuthenticationError):
        return f"the service refused the token in {env}: {text}"
    if isinstance(exc, InsufficientBalanceError):
        return f"the account has no balance left for the test edit: {text}"
    if isinstance(exc, SubmitUncertainError):
        return f"{text}. Check your RunComfy dashboard before running the check again."
    if isinstance(exc, TransportError):
        return f"network error: {text} (check your connection and --base-url)"
    return text


def _fail(io: _Out, args: argparse.Namespace, message: str) -> int:
    if getattr(args, "json", False):
        io.out(json.dumps({"status": "error", "error": message}, indent=2))
    io.err(f"error: {message}")
    return 2


def _is_tty(stream: TextIO) -> bool:
    with contextlib.suppress(AttributeError, ValueError):
        return bool(stream.isatty())
    return False


def _import_uploader(spec: str) -> Uploader:
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError("expected MODULE:FUNCTION, e.g. my_hosting:upload_png")
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    function = getattr(importlib.import_module(module_name), attr)
    if not callable(function):
        raise TypeError(f"{attr} in {module_name} is not a function")
    uploader: Uploader = function
    return uploader
