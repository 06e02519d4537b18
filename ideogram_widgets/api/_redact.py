"""Removing the API token from everything the server sends back, before anything keeps it.

A proxy or a misconfigured service may echo the ``Authorization`` header into an error message, a job's
``error``, a ``detail`` object or a header: as is, as ``Bearer <token>``, base64-encoded (e.g. a whole
header line encoded), or percent-encoded in a URL. :class:`Redactor` replaces every such form with
:data:`HIDDEN` in text and in decoded JSON (keys too), walking nested answers without recursion.

Base64 is matched at each of its three alignments: the token's bytes start a base64 group at some offset
0, 1 or 2 of the encoded text, and the groups made only of token bytes appear verbatim whatever precedes
them (standard and URL-safe alphabets).

Example:
    >>> r = Redactor(["rc-secret-123456"])
    >>> r.text("echo: Authorization: Bearer rc-secret-123456")
    'echo: Authorization: Bearer [token hidden]'
    >>> import base64
    >>> blob = base64.b64encode(b"Authorization: Bearer rc-secret-123456").decode()
    >>> "[token hidden]" in r.text(blob)
    True
    >>> r.value({"detail": ["x", {"rc-secret-123456": 1}]})
    {'detail': ['x', {'[token hidden]': 1}]}
"""

from __future__ import annotations

import base64
import logging
import threading
import weakref
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

__all__ = ["HIDDEN", "Redactor"]

HIDDEN = "[token hidden]"
_MIN_ENCODED = 8  # shorter encoded fragments could match innocent text

# httpx/httpcore log what the server sent (httpcore's DEBUG trace prints every answer's headers): their
# records pass through every live client's Redactor. Weak references: a closed, dropped client's token
# is not kept alive by this.
_THIRD_PARTY_LOGGERS = ("httpx", "httpcore.http11", "httpcore.http2", "httpcore.connection", "httpcore.proxy")
_live: weakref.WeakSet[Redactor] = weakref.WeakSet()
_install_lock = threading.Lock()
_installed = False


class _ScrubLogRecords(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        redactors = list(_live)
        if not redactors:
            return True
        message = record.getMessage()
        clean = message
        for redactor in redactors:
            clean = redactor.text(clean)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def _watch_third_party_logs() -> None:
    global _installed
    with _install_lock:
        if not _installed:
            for name in _THIRD_PARTY_LOGGERS:
                logging.getLogger(name).addFilter(_ScrubLogRecords())
            _installed = True


def _needles(secret: str) -> set[str]:

    found = {secret}
    quoted = quote(secret, safe="")
    if quoted != secret:
        found.add(quoted)
    raw = secret.encode()
    for start in range(3):  # the token's first byte at offset 0, 1 or 2 of a base64 group
        skip = (3 - start) % 3
        whole = raw[skip:]
        whole = whole[: len(whole) - len(whole) % 3]
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            core = encode(whole).decode()
            if len(core) >= _MIN_ENCODED:
                found.add(core)
    return found


class Redactor:
    """Knows the client's token(s) and removes them from server text; its repr shows nothing."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        needles: set[str] = set()
        for secret in secrets:
            if secret:
                needles |= _needles(secret)
        self._needles = sorted(needles, key=len, reverse=True)  # longest first
        if self._needles:
            _live.add(self)
            _watch_third_party_logs()

    def __repr__(self) -> str:
        return f"<Redactor of {'a hidden token' if self._needles else 'nothing'}>"

    def __reduce__(self) -> Any:
        raise TypeError("a Redactor holds a secret and cannot be pickled")

    def __bool__(self) -> bool:
        return bool(self._needles)

    def text(self, text: str) -> str:
        """``text`` with every form of the token replaced by :data:`HIDDEN`."""
        for needle in self._needles:
            if needle in text:
                text = text.replace(needle, HIDDEN)
        return text

    def value(self, value: Any) -> Any:
        """A copy of decoded JSON (dicts, lists, strings, numbers) with the token removed from every
        string, keys included. Iterative: answers nested thousands deep cannot overflow the stack."""
        if not self._needles:
            return value
        root: list[Any] = [value]
        stack: list[tuple[Any, Any]] = [(root, 0)]
        while stack:
            container, key = stack.pop()
            item = container[key]
            if isinstance(item, str):
                container[key] = self.text(item)
            elif isinstance(item, dict):
                copy = {(self.text(k) if isinstance(k, str) else k): v for k, v in item.items()}
                container[key] = copy
                stack.extend((copy, k) for k in copy)
            elif isinstance(item, list | tuple):
                items = list(item)
                container[key] = items
                stack.extend((items, i) for i in range(len(items)))
        return root[0]
