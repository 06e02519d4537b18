"""Run the three checks against a client's backend: the catalogue's schemas, data URIs, mask polarity.

Example (in a notebook cell, where ``await`` works; it costs one TURBO edit on the hosted service)::

    from ideogram_widgets.api import AsyncClient
    from ideogram_widgets.check import run_check
    async with AsyncClient() as client:              # token from RUNCOMFY_API_TOKEN
        report = await run_check(client)
    print(report.render())
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from ..api import (
    EDIT_MODEL,
    REFRAME_MODEL,
    APIError,
    AsyncClient,
    DownloadError,
    EditInput,
    JobCancelledError,
    JobFailedError,
    MaskPolarity,
    NotFoundError,
    Result,
    ServerError,
    ServiceValidationError,
    UnknownModelError,
    WaitTimeoutError,
)
from ..api._media import Uploader
from ..api._png import encode_png
from ..api._sync import run_blocking
from ._probe import PROBE_PROMPT, PROBE_SEED, PROBE_SIZE, HalfChange, compare_halves, probe_image, probe_mask
from ._report import CheckReport, CheckResult, Status
from ._schema import schema_result

__all__ = ["UPLOADER_ADVICE", "check", "run_check"]

MODELS = (EDIT_MODEL, REFRAME_MODEL)
UPLOADER_ADVICE = "pass uploader=... (a function that hosts the PNG and returns its https URL)"
_COLOUR = {MaskPolarity.BLACK_IS_EDIT: "black", MaskPolarity.WHITE_IS_EDIT: "white"}
_DATA_WORDS = ("data:", "data uri", "data_uri", "datauri", "url", "uri", "base64", "http")
# Answers that mean "this part of the check cannot be done here", not "stop everything".
_NOT_THERE = (NotFoundError, ServiceValidationError, UnknownModelError, ServerError)

Say = Callable[[str], None]


async def run_check(
    client: AsyncClient,
    *,
    uploader: Uploader | None = None,
    confirm: Callable[[str], bool] | None = None,
    progress: Say | None = None,
    timeout: float = 900.0,
    size: int = PROBE_SIZE,
) -> CheckReport:
    """Compare ``client``'s backend with how the client is set up; costs one TURBO edit.

    1. ``GET /models/{id}`` for edit and reframe; their ``input_schema`` against the package's types.
    2. One TURBO edit of a ``size``×``size`` two-coloured image, its left half masked, sent as data URIs:
       does the service accept them?
    3. Which half of the result changed: does the service read the mask in ``client.mask_polarity``?
       When data URIs are refused, the edit is sent again through ``uploader`` (default
       ``client.uploader``) if there is one; a refused submit creates no job.

    ``progress(line)`` hears each step, including what the edit costs before it is sent;
    ``confirm(message)`` is asked before the edit, and returning False skips it. Authentication,
    balance and network failures raise their typed errors; anything else ends up in the report.

    Example::

        report = await run_check(client, uploader=my_uploader)
        report.get("polarity").setting      # e.g. 'AsyncClient(mask_polarity="white_is_edit")'
    """
    say: Say = progress or (lambda _line: None)
    report = CheckReport(client.label, client.base_url, client.mask_polarity.value)
    entries: dict[str, Any] = {}
    for model_id in MODELS:
        say(f"reading the catalogue entry of {model_id}")
        try:
            entries[model_id] = await client.model_info(model_id)
        except _NOT_THERE as exc:
            entries[model_id] = f"GET /models/{model_id} failed: {exc}"
    report.results.append(schema_result(entries))
    cost = (
        f"next: one TURBO edit of a {size}×{size} image, sent to {client.label} ({client.base_url}); "
        "on the hosted service it is billed like any other TURBO edit"
    )
    say(cost)
    if confirm is not None and not confirm(cost):
        why = "skipped: you chose not to send the edit"
        report.results += [
            CheckResult("data_uris", Status.UNKNOWN, why),
            CheckResult("polarity", Status.UNKNOWN, why),
        ]
        return report
    probe = _Probe(client, uploader if uploader is not None else client.uploader, say, timeout, size)
    report.results += await probe.run()
    report.result_png = probe.result_png
    return report


def check(client: AsyncClient | None = None, **options: Any) -> CheckReport:
    """The blocking form of :func:`run_check`, for scripts (not inside a running event loop).

    Without a client it uses :func:`ideogram_widgets.backend.default_client` (the hosted service when
    ``RUNCOMFY_API_TOKEN`` is set, else the local sandbox). The client is closed afterwards, a given one
    too: it ran on this call's own event loop, which is gone when the call returns.

    Example::

        from ideogram_widgets.check import check
        print(check().render())
    """

    async def main() -> CheckReport:
        if client is None:
            from ..backend import default_client

            own = default_client()
        else:
            own = client
        async with own:
            return await run_check(own, **options)

    return run_blocking(main(), what="check()", instead="await run_check(client)")


class _Probe:
    """The edit: sent as data URIs, then (if refused) through the uploader; two results."""

    def __init__(self, client: AsyncClient, uploader: Uploader | None, say: Say, timeout: float, size: int):
        self.client, self.uploader, self.say, self.timeout = client, uploader, say, timeout
        self.image = probe_image(size)
        self.job = EditInput(
            self.image,
            probe_mask(size),
            PROBE_PROMPT,
            seed=PROBE_SEED,
            rendering_speed="TURBO",
            magic_prompt="OFF",
            limits=client.limits,
        )
        self.result_png: bytes | None = None

    async def run(self) -> list[CheckResult]:
        polarity = self.client.mask_polarity
        self.say("sending the edit with the image and mask inline as data URIs")
        payload = await asyncio.to_thread(self.job.to_payload, polarity=polarity, uploader=None)
        try:
            result = await self._edit(payload)
        except (ServiceValidationError, JobFailedError) as exc:
            if not _about_data_uris(exc):
                why = f"the service refused the test edit for another reason: {exc}"
                return [
                    CheckResult("data_uris", Status.UNKNOWN, why, details=_detail(exc)),
                    CheckResult("polarity", Status.UNKNOWN, "not measured: the test edit was refused"),
                ]
            return [self._refused(exc), await self._through_uploader()]
        except _UnfinishedError as exc:
            return [
                CheckResult("data_uris", Status.UNKNOWN, f"not confirmed: {exc}"),
                CheckResult("polarity", Status.UNKNOWN, f"not measured: {exc}"),
            ]
        accepted = CheckResult(
            "data_uris",
            Status.OK,
            "data URIs are accepted: the edit ran with the image and mask sent inline",
            data={"accepted": True},
        )
        return [accepted, self._polarity(result, "data URIs")]

    def _refused(self, exc: APIError) -> CheckResult:
        details = [f"the service said: {exc}"]
        if self.client.uploader is not None:
            verdict = "data URIs are not accepted, but this client hosts its files through its uploader: fine"
            return CheckResult("data_uris", Status.OK, verdict, None, details, {"accepted": False})
        return CheckResult(
            "data_uris",
            Status.DIFFERS,
            f"data URIs not accepted: {UPLOADER_ADVICE}",
            "AsyncClient(uploader=host_png), where host_png(png_bytes, filename) uploads the PNG and returns "
            "its https URL",
            details,
            {"accepted": False},
        )

    async def _through_uploader(self) -> CheckResult:
        if self.uploader is None:
            return CheckResult(
                "polarity",
                Status.UNKNOWN,
                "not measured: data URIs are refused and no uploader was given "
                "(run again with one: run_check(client, uploader=...) or --uploader MODULE:FUNCTION)",
            )
        self.say("data URIs refused (no job was created); sending the same edit through the uploader")
        try:
            payload = await asyncio.to_thread(
                self.job.to_payload, polarity=self.client.mask_polarity, uploader=self.uploader
            )
        except Exception as exc:  # the user's uploader may fail in any way
            return CheckResult(
                "polarity", Status.UNKNOWN, f"not measured: the uploader failed: {type(exc).__name__}: {exc}"
            )
        try:
            result = await self._edit(payload)
        except (ServiceValidationError, JobFailedError, _UnfinishedError) as exc:
            return CheckResult("polarity", Status.UNKNOWN, f"not measured: {exc}", details=_detail(exc))
        return self._polarity(result, "uploaded URLs")

    async def _edit(self, payload: dict[str, Any]) -> Result:
        submission = await self.client.submit(EDIT_MODEL, payload)
        rid = submission.request_id
        self.say(f"waiting for request {rid}")
        try:
            answer = await self.client.wait(rid, timeout=self.timeout)
        except (WaitTimeoutError, JobCancelledError) as exc:
            raise _UnfinishedError(str(exc)) from None
        self.say("downloading the result")
        try:
            return await self.client.fetch_result(answer, EDIT_MODEL)
        except (DownloadError, NotFoundError) as exc:
            raise _UnfinishedError(f"the result could not be downloaded: {exc}") from None

    def _polarity(self, result: Result, sent_as: str) -> CheckResult:
        self.result_png = result.files[0] if result.files else encode_png(result.image)
        change: HalfChange = compare_halves(self.image, result.image)
        configured = self.client.mask_polarity
        other = next(p for p in MaskPolarity if p is not configured)
        data = {
            "edited": change.edited,
            "left": round(change.left, 2),
            "right": round(change.right, 2),
            "request_id": result.request_id,
            "sent_as": sent_as,
        }
        details = [change.describe(), f"request {result.request_id}, sent as {sent_as}"]
        if change.edited == "left":
            verdict = (
                f'the service edited the masked half: it reads {_COLOUR[configured]} as "edit", '
                f'as configured (mask_polarity="{configured.value}")'
            )
            return CheckResult("polarity", Status.OK, verdict, None, details, data)
        if change.edited == "right":
            verdict = (
                f'the service edited the half marked "keep": it reads {_COLOUR[other]} as "edit", '
                f'not {_COLOUR[configured]}; set mask_polarity="{other.value}"'
            )
            setting = f'AsyncClient(mask_polarity="{other.value}")  (or default_client(mask_polarity=...))'
            return CheckResult("polarity", Status.DIFFERS, verdict, setting, details, data)
        what = "both halves changed" if change.edited == "both" else "neither half changed noticeably"
        details.append("look at the result (--save-result PATH) or run the check again")
        return CheckResult("polarity", Status.UNKNOWN, f"inconclusive: {what}", None, details, data)


class _UnfinishedError(Exception):
    """The edit was accepted but gave no result to look at (timed out, cancelled, not downloadable)."""


def _about_data_uris(exc: APIError) -> bool:
    text = exc.message
    if exc.detail is not None:
        text += " " + json.dumps(exc.detail, default=str)
    text = text.lower()
    return any(word in text for word in _DATA_WORDS)


def _detail(exc: Exception) -> list[str]:
    return [f"the service said: {exc}"] if isinstance(exc, APIError) else []
