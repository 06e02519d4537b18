"""Where the API token is found when none is passed: the environment, then the official CLI's login.

In this order: ``RUNCOMFY_API_TOKEN``; ``RUNCOMFY_TOKEN`` (the official ``runcomfy`` CLI's variable);
the CLI's login file ``token.json`` in ``$RUNCOMFY_CONFIG_DIR`` (that folder only, when set), else
``$XDG_CONFIG_HOME/runcomfy``, else ``~/.config/runcomfy`` (then, on macOS,
``~/Library/Application Support/runcomfy`` where older builds wrote it). The file is only read, never
written; unknown keys are ignored; a login whose ``expires_at`` has passed counts as no token, and a
:class:`LoginFileWarning` says so (as it does for a file that cannot be read). The token itself is never
part of any message.

Example:
    >>> found = find_token(environ={"RUNCOMFY_TOKEN": "  rc-123  "})
    >>> found.source, found.token == "rc-123"
    ('RUNCOMFY_TOKEN', True)
    >>> find_token(environ={}, files=()).token is None
    True
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["TOKEN_ENVS", "FoundToken", "LoginFileWarning", "find_token", "login_files"]

TOKEN_ENVS = ("RUNCOMFY_API_TOKEN", "RUNCOMFY_TOKEN")
MAX_LOGIN_FILE = 64 * 1024


class LoginFileWarning(UserWarning):
    """The RunComfy CLI's login file was found but gives no usable token (expired, or unreadable)."""


@dataclass(frozen=True)
class FoundToken:
    """A token and where it came from (``source`` is safe to show; ``token`` never is)."""

    token: str | None = field(default=None, repr=False)
    source: str = ""


def login_files(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The CLI's ``token.json`` candidates, in the order it reads them."""
    env = os.environ if environ is None else environ
    if env.get("RUNCOMFY_CONFIG_DIR"):
        return [Path(env["RUNCOMFY_CONFIG_DIR"]).expanduser() / "token.json"]  # that folder only
    if env.get("XDG_CONFIG_HOME"):
        folders = [Path(env["XDG_CONFIG_HOME"]).expanduser() / "runcomfy"]
    else:
        folders = [Path.home() / ".config" / "runcomfy"]
    if sys.platform == "darwin":
        folders.append(Path.home() / "Library" / "Application Support" / "runcomfy")
    return [folder / "token.json" for folder in folders]


def _say(text: str) -> None:
    # shown where the user made the client: AsyncClient() -> find_token -> _from_file -> _say
    warnings.warn(LoginFileWarning(text), stacklevel=5)


def _from_file(path: Path, now: float) -> str | None:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_LOGIN_FILE + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        _say(f"could not read the RunComfy login file {path}: {exc.strerror}")
        return None
    try:
        data = json.loads(raw) if len(raw) <= MAX_LOGIN_FILE else None
    except (ValueError, RecursionError):
        data = None
    token = data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token.strip():
        _say(f"the RunComfy login file {path} holds no access_token; ignored")
        return None
    expires = data.get("expires_at") if isinstance(data, dict) else None
    if isinstance(expires, int | float) and not isinstance(expires, bool) and expires <= now:
        when = datetime.fromtimestamp(expires, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        _say(
            f"the RunComfy login in {path} expired at {when}: run `runcomfy login` again "
            "(or set RUNCOMFY_API_TOKEN); it was not used"
        )
        return None
    return token.strip()


def find_token(
    *,
    environ: Mapping[str, str] | None = None,
    files: Sequence[Path] | None = None,
    now: float | None = None,
) -> FoundToken:
    """The first token found (see the module's documentation), or ``FoundToken(None, "")``.

    ``files``: the login files to try (default :func:`login_files`; ``()``: the environment only)."""
    env = os.environ if environ is None else environ
    for name in TOKEN_ENVS:
        value = env.get(name, "").strip()
        if value:
            return FoundToken(value, name)
    files = login_files(env) if files is None else files
    moment = time.time() if now is None else now
    for path in files:
        token = _from_file(path, moment)
        if token is not None:
            return FoundToken(token, f"runcomfy login ({path})")
    return FoundToken()
