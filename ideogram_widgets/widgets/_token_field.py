"""A token box whose value reaches Python by one custom message and never becomes widget state.

A saved notebook stores widget *state* (the traits); the token is not a trait, so it cannot end up there.

Example::

    field = TokenField(message="local sandbox")
    field.on_token(lambda token: print("got a token" if token else "token forgotten"))
    field
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

from ._mask_painter import STATIC_DIR

_STYLES = STATIC_DIR / "mask_painter.css"  # the widgets' styles (studio.css): every Studio has a TokenField

__all__ = ["TokenField"]


class TokenField(anywidget.AnyWidget):
    """A password input and "Use token" / "Forget" buttons. ``on_token(cb)``: ``cb(token)`` when one is
    entered, ``cb(None)`` when it is forgotten. Only ``has_token`` and ``message`` are synced."""

    _esm = STATIC_DIR / "token_field.js"
    _css = _STYLES if _STYLES.is_file() else ""
    has_token = traitlets.Bool(False).tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._callbacks: list[Callable[[str | None], None]] = []
        self.on_msg(self._receive)

    def __repr__(self) -> str:
        return f"TokenField(has_token={self.has_token})"

    def on_token(self, callback: Callable[[str | None], None]) -> None:
        """Call ``callback(token)`` when the user enters a token, ``callback(None)`` on "Forget"."""
        self._callbacks.append(callback)

    def _receive(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "set_token":
            token = content.get("token")
            if isinstance(token, str) and token.strip() and "\n" not in token:
                self._emit(token.strip())
        elif kind == "clear_token":
            self._emit(None)

    def _emit(self, token: str | None) -> None:
        for callback in self._callbacks:
            callback(token)
