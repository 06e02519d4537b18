"""The service's vocabulary and wire: validated inputs, the HTTP client, typed errors, image payloads.

This layer knows nothing of widgets or jobs; everything here works in a plain script.

Example:
    >>> from ideogram_widgets.api import Resolution, RenderingSpeed
    >>> Resolution.parse("1024x1024").aspect, RenderingSpeed.coerce("quality").value
    ('1:1', 'QUALITY')
"""

from ._client import DEFAULT_BASE_URL, TOKEN_ENV, AsyncClient
from ._errors import (
    APIError,
    AuthenticationError,
    BlockingCallError,
    DeadlineExceededError,
    DownloadError,
    IdeogramWidgetsError,
    InputError,
    InsufficientBalanceError,
    JobCancelledError,
    JobFailedError,
    MissingTokenError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ServiceValidationError,
    SubmitUncertainError,
    TransportError,
    UnknownModelError,
    WaitTimeoutError,
)
from ._inputs import EDIT_MODEL, REFRAME_MODEL, EditInput, ReframeInput
from ._media import PayloadLimits
from ._options import MagicPrompt, MaskPolarity, RenderingSpeed
from ._palette import PALETTE_PRESETS, ColorPalette, PaletteColor
from ._resolution import DEFAULT_RESOLUTION, RESOLUTIONS, Resolution
from ._result import Result
from ._retry import RetryPolicy
from ._style import STYLE_PRESETS, Style, StyleType
from ._sync import Client
from ._wire import CancelOutcome, JobResult, JobStatus, Submission

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_RESOLUTION",
    "EDIT_MODEL",
    "PALETTE_PRESETS",
    "REFRAME_MODEL",
    "RESOLUTIONS",
    "STYLE_PRESETS",
    "TOKEN_ENV",
    "APIError",
    "AsyncClient",
    "AuthenticationError",
    "BlockingCallError",
    "CancelOutcome",
    "Client",
    "ColorPalette",
    "DeadlineExceededError",
    "DownloadError",
    "EditInput",
    "IdeogramWidgetsError",
    "InputError",
    "InsufficientBalanceError",
    "JobCancelledError",
    "JobFailedError",
    "JobResult",
    "JobStatus",
    "MagicPrompt",
    "MaskPolarity",
    "MissingTokenError",
    "NotFoundError",
    "PaletteColor",
    "PayloadLimits",
    "PermissionDeniedError",
    "RateLimitError",
    "ReframeInput",
    "RenderingSpeed",
    "Resolution",
    "Result",
    "RetryPolicy",
    "ServerError",
    "ServiceValidationError",
    "Style",
    "StyleType",
    "Submission",
    "SubmitUncertainError",
    "TransportError",
    "UnknownModelError",
    "WaitTimeoutError",
]
