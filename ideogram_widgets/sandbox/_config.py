"""Settings of the local sandbox backend.

Example:
    >>> from ideogram_widgets.sandbox import SandboxConfig
    >>> cfg = SandboxConfig(token="t", speed_scale=0.01, seed=7)
    >>> cfg.workers
    2
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..api import MaskPolarity

#: Every fault kind the sandbox can inject into a /v1 request.
FAULT_KINDS: tuple[str, ...] = ("429", "500", "502", "503", "drop", "slow", "error_200")

#: Allowed values of :attr:`SandboxConfig.mask_polarity`.
MASK_POLARITIES: tuple[str, ...] = tuple(p.value for p in MaskPolarity)

#: Allowed values of :attr:`SandboxConfig.result_not_ready`.
RESULT_NOT_READY_MODES: tuple[str, ...] = ("state", "400005")


@dataclass(frozen=True)
class SandboxConfig:
    """How the local sandbox behaves. Every field has a safe default.

    Attributes:
        token: When set, every ``/v1`` request needs ``Authorization: Bearer <token>``;
            a missing or different token answers 401 with ``error_code`` 400004.
        workers: Number of worker threads rendering jobs (jobs beyond that wait ``in_queue``).
        speed_scale: Multiplies job durations (TURBO 1 s, BALANCED 2 s, QUALITY 4 s);
            tests use e.g. 0.01.
        duration_jitter: Spreads each job's duration uniformly by ± this fraction (0…1), as real
            jobs vary; 0 keeps the exact durations tests rely on.
        fault_rate: Fraction (0…1) of ``/v1`` requests answered with an injected fault.
        faults: The fault kinds to draw from: any of ``FAULT_KINDS``
            ("429", "500", "502", "503", "drop", "slow", "error_200").
        slow_seconds: How long a "slow" fault delays the answer.
        fail_rate: Fraction (0…1) of jobs that end ``failed`` with an ``error`` object.
        result_ttl: Seconds after a job finishes until its result files and its request
            record expire (then 404 with ``error_code`` 404001).
        seed: Seeds the fault/failure randomness and the seeds of jobs sent without one,
            so a run is reproducible.
        mask_polarity: ``"black_is_edit"`` (mask pixels < 128 are edited) or
            ``"white_is_edit"`` (pixels >= 128 are edited).
        accept_data_uris: When False, a ``data:`` URI input answers 422 (only URLs accepted).
        result_not_ready: What GET result answers for an unfinished job: ``"state"`` → 200
            with the current status; ``"400005"`` → HTTP 400 with ``error_code`` 400005.
        submit_status: HTTP status of a successful submit: 200 or 202.
        state_dir: A folder that keeps the queue, the jobs and their result files, so a new sandbox
            on the same folder (after a restart) serves them again, its jobs having gone on by the
            wall clock meanwhile. ``None``: a private temporary folder, deleted on close.
        clock: Wall-clock seconds (``time.time`` by default) for job durations, expiry and the
            times in answers; a test may pass a fake one (and ``sandbox.queue.poke()`` after moving
            it). Not a command-line flag.

    Example:
        >>> SandboxConfig(fault_rate=1.0, faults=("429",)).faults
        ('429',)
    """

    token: str | None = None
    workers: int = 2
    speed_scale: float = 1.0
    duration_jitter: float = 0.0
    fault_rate: float = 0.0
    faults: tuple[str, ...] = field(default=FAULT_KINDS)
    slow_seconds: float = 1.0
    fail_rate: float = 0.0
    result_ttl: float = 3600.0
    seed: int = 0
    mask_polarity: str = MaskPolarity.BLACK_IS_EDIT.value
    accept_data_uris: bool = True
    result_not_ready: str = "state"
    submit_status: int = 200
    state_dir: str | None = None
    clock: Callable[[], float] = field(default=time.time, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Check every field; raise ValueError naming the field and what is allowed."""
        # A list given for `faults` is accepted and frozen into a tuple.
        object.__setattr__(self, "faults", tuple(self.faults))
        if self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")
        if self.speed_scale < 0:
            raise ValueError(f"speed_scale must be >= 0, got {self.speed_scale}")
        for name in ("fault_rate", "fail_rate", "duration_jitter"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")
        unknown = [k for k in self.faults if k not in FAULT_KINDS]
        if unknown or not self.faults:
            raise ValueError(f"faults must be a non-empty subset of {FAULT_KINDS}, got {self.faults}")
        if self.slow_seconds < 0:
            raise ValueError(f"slow_seconds must be >= 0, got {self.slow_seconds}")
        if self.result_ttl <= 0:
            raise ValueError(f"result_ttl must be > 0, got {self.result_ttl}")
        if self.mask_polarity not in MASK_POLARITIES:
            raise ValueError(f"mask_polarity must be one of {MASK_POLARITIES}")
        if self.result_not_ready not in RESULT_NOT_READY_MODES:
            raise ValueError(f"result_not_ready must be one of {RESULT_NOT_READY_MODES}")
        if self.submit_status not in (200, 202):
            raise ValueError(f"submit_status must be 200 or 202, got {self.submit_status}")

    def to_args(self) -> list[str]:
        """The ``python -m ideogram_widgets.sandbox`` flags that give this config (the CLI's inverse).

        Example:
            >>> SandboxConfig(workers=4, faults=("429",)).to_args()[:2]
            ['--workers', '4']
        """
        args = [
            "--workers", str(self.workers),
            "--speed-scale", repr(self.speed_scale),
            "--duration-jitter", repr(self.duration_jitter),
            "--fault-rate", repr(self.fault_rate),
            "--faults", ",".join(self.faults),
            "--slow-seconds", repr(self.slow_seconds),
            "--fail-rate", repr(self.fail_rate),
            "--result-ttl", repr(self.result_ttl),
            "--seed", str(self.seed),
            "--mask-polarity", self.mask_polarity,
            "--result-not-ready", self.result_not_ready,
            "--submit-status", str(self.submit_status),
        ]  # fmt: skip
        if self.token is not None:
            args += ["--token", self.token]
        if self.state_dir is not None:
            args += ["--state-dir", self.state_dir]
        if not self.accept_data_uris:
            args.append("--no-data-uris")
        return args
