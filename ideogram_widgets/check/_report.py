"""What the live check found: one :class:`CheckResult` per question, gathered in a :class:`CheckReport`.

Each result has a :class:`Status` (``ok``, ``differs`` or ``unknown``), a one-line human ``verdict``, and,
when the service differs from how the client is set up, the exact ``setting`` to change.

Example:
    >>> r = CheckResult("polarity", Status.DIFFERS, "the service reads the mask the other way round",
    ...                 setting='AsyncClient(mask_polarity="white_is_edit")')
    >>> report = CheckReport("RunComfy Model API", "https://model-api.runcomfy.net/v1", "black_is_edit", [r])
    >>> report.status.value, report.exit_code
    ('differs', 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

__all__ = ["CheckReport", "CheckResult", "Status"]


class Status(str, Enum):
    """How one question came out: the service matches the client's set-up, differs, or it is unknown."""

    OK = "ok"
    DIFFERS = "differs"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value


_TITLES = {
    "schema": "input schema",
    "data_uris": "data URIs",
    "polarity": "mask polarity",
}


@dataclass
class CheckResult:
    """The answer to one question.

    ``name``: ``"schema"``, ``"data_uris"`` or ``"polarity"``. ``verdict``: one line for a human.
    ``setting``: what to change when the service differs (None otherwise). ``details``: further lines
    (measurements, each schema difference, notes). ``data``: the same facts as JSON values.

    Example:
        >>> CheckResult("data_uris", Status.OK, "data URIs are accepted").title
        'data URIs'
    """

    name: str
    status: Status
    verdict: str
    setting: str | None = None
    details: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """A short human name for the question."""
        return _TITLES.get(self.name, self.name)

    def to_dict(self) -> dict[str, Any]:
        """JSON values only."""
        return {
            "name": self.name,
            "status": self.status.value,
            "verdict": self.verdict,
            "setting": self.setting,
            "details": list(self.details),
            "data": dict(self.data),
        }


@dataclass
class CheckReport:
    """Every result of one run of the check, and the client set-up it was run with.

    ``status`` is ``ok`` only when every result is ok; ``exit_code`` is 0 then, else 1.

    Example:
        >>> ok = CheckResult("schema", Status.OK, "the schemas match")
        >>> CheckReport("local sandbox", "http://sandbox.localhost/v1", "black_is_edit", [ok]).exit_code
        0
    """

    backend: str
    base_url: str
    mask_polarity: str
    results: list[CheckResult] = field(default_factory=list)
    result_png: bytes | None = field(default=None, repr=False)
    """The edit's result file as downloaded, when the edit ran (for a look at what changed)."""

    @property
    def status(self) -> Status:
        """``differs`` if any result differs, else ``unknown`` if any is unknown, else ``ok``."""
        statuses = {r.status for r in self.results}
        if Status.DIFFERS in statuses:
            return Status.DIFFERS
        if Status.UNKNOWN in statuses or not self.results:
            return Status.UNKNOWN
        return Status.OK

    @property
    def exit_code(self) -> int:
        """0 when everything matches, 1 when something differs or could not be confirmed."""
        return 0 if self.status is Status.OK else 1

    def get(self, name: str) -> CheckResult | None:
        """The result named ``name``, if it was produced."""
        return next((r for r in self.results if r.name == name), None)

    @property
    def settings(self) -> list[str]:
        """Every setting to change, in order."""
        return [r.setting for r in self.results if r.setting and r.status is Status.DIFFERS]

    def to_dict(self) -> dict[str, Any]:
        """JSON values only (what ``--json`` prints)."""
        return {
            "backend": self.backend,
            "base_url": self.base_url,
            "mask_polarity": self.mask_polarity,
            "status": self.status.value,
            "settings": self.settings,
            "results": [r.to_dict() for r in self.results],
        }

    def render(self) -> str:
        """The report as text for a terminal."""
        lines = [
            f"Live check of {self.backend} ({self.base_url}), "
            f'client set up with mask_polarity="{self.mask_polarity}"',
            "",
        ]
        for r in self.results:
            lines.append(f"[{r.status.value:<7}] {r.title:<14} {r.verdict}")
            lines.extend(f"{'':<25}{line}" for line in r.details)
            if r.setting and r.status is Status.DIFFERS:
                lines.append(f"{'':<25}change: {r.setting}")
        lines.append("")
        lines.append(self._summary())
        return "\n".join(lines)

    def _summary(self) -> str:
        status = self.status
        if status is Status.OK:
            return "Verdict: everything matches; no setting needs to change."
        if status is Status.DIFFERS:
            changes = "; ".join(self.settings) or "see the lines marked differs"
            return f"Verdict: the service differs from this set-up. Change: {changes}"
        return "Verdict: not everything could be confirmed (see the lines marked unknown)."
