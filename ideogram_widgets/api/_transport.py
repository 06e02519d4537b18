"""The wire under AsyncClient: one API exchange and one file download, with size caps and typed errors.

Private to ``api``: AsyncClient decides what is retried; this module only says what happened.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from ._errors import (
    APIError,
    DownloadError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
    error_from_response,
)
from ._redact import Redactor
from ._retry import parse_retry_after

MAX_ANSWER_BYTES = 4 * 1024 * 1024
MAX_REDIRECTS = 5


class Retryable(Exception):  # noqa: N818 (internal control flow, never raised to users)
    def __init__(
        self, error: APIError, *, retry_after: float | None = None, never_left: bool = False
    ) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after if retry_after is not None else getattr(error, "retry_after", None)
        self.never_left = never_left


class TooLarge(Exception):  # noqa: N818
    pass


NOT_JSON: Any = object()
NO_SECRETS = Redactor()


async def read_capped(response: httpx.Response, cap: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > cap:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(raw: bytes, redact: Redactor = NO_SECRETS) -> Any:
    """The decoded answer with the token removed from every string in it (NOT_JSON if unreadable)."""
    try:
        body = json.loads(raw) if raw else {}
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep
        return NOT_JSON
    return redact.value(body)


def transport_error(exc: httpx.TransportError, where: str, request_id: str | None) -> TransportError:
    kind = {
        httpx.ConnectError: "could not connect to",
        httpx.ConnectTimeout: "timed out connecting to",
        httpx.ReadTimeout: "timed out waiting for",
        httpx.RemoteProtocolError: "the connection was dropped by",
    }.get(type(exc), "the network failed talking to")
    return TransportError(f"{kind} {where} ({type(exc).__name__})", request_id=request_id)


def download_error(
    response: httpx.Response, page: bytes, request_id: str | None, redact: Redactor
) -> Exception:
    status = response.status_code
    if status == 404 or status == 410:
        return NotFoundError("the result file is gone (URLs expire)", status=status, request_id=request_id)
    body = parse_json(page, redact)
    if body is NOT_JSON:
        body = redact.text(page.decode("utf-8", "replace"))
    error = error_from_response(status, body, request_id=request_id)
    if isinstance(error, RateLimitError | ServerError):
        return Retryable(error, retry_after=parse_retry_after(response.headers.get("retry-after")))
    return DownloadError(
        f"could not download the result: {error.message}", status=status, request_id=request_id
    )


# Failures after which a request certainly never reached the server.
NEVER_LEFT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class BearerAuth(httpx.Auth):
    """Adds the bearer token to API calls; its repr never shows it."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "<bearer token hidden>"


async def exchange(
    http: httpx.AsyncClient,
    method: str,
    path: str,
    payload: Any,
    *,
    label: str,
    request_id: str | None,
    submit: bool,
    redact: Redactor = NO_SECRETS,
) -> Any:
    """One API call: the decoded JSON answer, or a typed error (wrapped in Retryable when a retry may
    help). ``submit``: a 200 carrying ``error_code`` is a refusal, never retried. Everything the server
    sent is stripped of the token (``redact``) before it is parsed into anything that is kept."""
    try:
        async with http.stream(method, path, json=payload) as response:
            raw = await read_capped(response, MAX_ANSWER_BYTES)
    except NEVER_LEFT as exc:
        raise Retryable(transport_error(exc, label, request_id), never_left=True) from None
    except httpx.TransportError as exc:
        raise Retryable(transport_error(exc, label, request_id)) from None
    except httpx.DecodingError:
        raise Retryable(
            ServerError("the service's answer could not be decompressed", request_id=request_id)
        ) from None
    except httpx.InvalidURL:  # httpx reads a redirect's Location even when not following it
        raise Retryable(
            ServerError("the service redirected to an invalid URL", request_id=request_id)
        ) from None
    except TooLarge:
        raise Retryable(ServerError("the service's answer is too large", request_id=request_id)) from None
    status = response.status_code
    body = parse_json(raw, redact)
    ok = 200 <= status < 300
    if ok and isinstance(body, Mapping) and body.get("error_code") not in (None, 0, ""):
        error = error_from_response(status, body, request_id=request_id)
        if submit:
            raise error  # an explicit refusal: the job was not created
        raise Retryable(error) if isinstance(error, ServerError) else error
    if ok:
        if body is NOT_JSON:
            kind = redact.text(response.headers.get("content-type", "unknown type"))[:100]
            raise Retryable(
                ServerError(f"the service answered HTTP {status} with {kind}, not JSON", status=status)
            )
        return body
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    text = redact.text(raw.decode("utf-8", "replace")) if body is NOT_JSON else body
    error = error_from_response(status, text, request_id=request_id, retry_after=retry_after)
    if isinstance(error, RateLimitError | ServerError):
        raise Retryable(error, retry_after=retry_after)
    raise error


async def fetch(
    files: httpx.AsyncClient,
    url: str,
    *,
    request_id: str | None,
    max_bytes: int,
    redact: Redactor = NO_SECRETS,
) -> bytes:
    """Download a result file (no token): size-capped, redirects followed but never from https to
    anything else, typed errors (Retryable where a retry may help)."""
    try:
        current = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise DownloadError(
            f"the result URL is not valid: {redact.text(repr(url))[:200]}", request_id=request_id
        ) from None
    if current.scheme not in ("http", "https"):
        raise DownloadError(
            f"refusing to download a {current.scheme or 'relative'} URL", request_id=request_id
        )
    for _ in range(MAX_REDIRECTS + 1):
        try:
            async with files.stream("GET", current) as response:
                if response.is_redirect:
                    target = current.join(response.headers.get("location", ""))
                    if current.scheme == "https" and target.scheme != "https":
                        to = "plain http" if target.scheme == "http" else f"a {target.scheme or 'bad'} URL"
                        raise DownloadError(
                            f"the result file redirected from https to {to}; refused",
                            request_id=request_id,
                        )
                    current = target
                    continue
                if response.status_code != 200:
                    try:  # an error page is read only as far as its message needs
                        page = await read_capped(response, MAX_ANSWER_BYTES)
                    except TooLarge:
                        page = b""
                    raise download_error(response, page, request_id, redact)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise TooLarge
                return await read_capped(response, max_bytes)
        except TooLarge:
            raise DownloadError(
                f"the result file is larger than {max_bytes // 2**20} MiB; refused",
                request_id=request_id,
            ) from None
        except NEVER_LEFT as exc:
            raise Retryable(transport_error(exc, "the file host", request_id), never_left=True) from None
        except httpx.TransportError as exc:
            raise Retryable(transport_error(exc, "the file host", request_id)) from None
        except httpx.DecodingError:
            raise DownloadError(
                "the result file could not be decompressed (a broken Content-Encoding)",
                request_id=request_id,
            ) from None
        except httpx.InvalidURL:  # a redirect to a URL that cannot be requested
            raise DownloadError(
                "the result file redirected to an invalid URL; refused", request_id=request_id
            ) from None
    raise DownloadError("too many redirects fetching the result file", request_id=request_id)
