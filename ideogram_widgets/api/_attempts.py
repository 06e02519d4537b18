"""How one API call or download is tried: retries with backoff, under one overall deadline.

Private to ``api``. Each try gets what is left of the deadline (an answer trickled a byte at a time, or a
body that never ends, is cut off there: :class:`DeadlineExceededError`); a wait between tries that would
end past the deadline is not started (the last error is raised instead). A submit is retried only when it
certainly never left this machine; otherwise it ends as :class:`SubmitUncertainError` naming the backend.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from ._errors import DeadlineExceededError, RateLimitError, SubmitUncertainError
from ._retry import RetryPolicy
from ._transport import Retryable

__all__ = ["with_retries"]

log = logging.getLogger("ideogram_widgets")


async def with_retries(
    once: Callable[[], Any],
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], Any],
    backend: str,
    request_id: str | None,
    idempotent: bool,
    what: str,
    deadline: float | None,
) -> Any:
    """``await once()`` until it answers, retrying what may be retried; see the module's documentation."""
    started = time.time()
    loop = asyncio.get_running_loop()
    end = None if deadline is None else loop.time() + deadline
    for attempt in range(policy.attempts):
        try:
            if end is None:
                return await once()
            # wait_for, not asyncio.timeout (3.11+): the wire never raises asyncio.TimeoutError
            # itself (httpx timeouts are typed), so one here is always the deadline
            return await asyncio.wait_for(once(), max(0.0, end - loop.time()))
        except asyncio.TimeoutError:
            late = DeadlineExceededError(
                f"{what} took longer than its {deadline:g} s deadline (the answer was still arriving)",
                seconds=deadline,
                request_id=request_id,
            )
            if not idempotent:
                raise SubmitUncertainError(
                    f"{late.message}; the submit may have reached {backend}, so it was not resent",
                    submitted_at=started,
                ) from None
            raise late from None
        except Retryable as retryable:
            error, retry_after = retryable.error, retryable.retry_after
            if not idempotent and not retryable.never_left and not isinstance(error, RateLimitError):
                raise SubmitUncertainError(
                    f"{error.message}; the submit may have reached {backend}, so it was not resent",
                    status=error.status,
                    error_code=error.error_code,
                    submitted_at=started,
                ) from None
            if attempt + 1 >= policy.attempts:
                raise error from None
            wait = policy.delay(attempt, retry_after)
            if end is not None and loop.time() + wait >= end:
                raise error from None  # the next try could not finish within the deadline
            log.info("retrying in %.2f s after: %s", wait, error)
            await sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover
