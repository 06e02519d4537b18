"""The service's small vocabularies: rendering speed, magic prompt, mask polarity, and the seed range.

Each enum member's value is the exact string the service expects, and each accepts its name in any case.

Example:
    >>> RenderingSpeed.coerce("turbo")
    <RenderingSpeed.TURBO: 'TURBO'>
    >>> check_seed(42)
    42
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, Protocol, TypeVar

from ._errors import InputError

__all__ = [
    "SEED_MAX",
    "MagicPrompt",
    "MaskPolarity",
    "RenderingSpeed",
    "check_seed",
    "coerce_choice",
    "option_payload",
]

SEED_MAX = 2_147_483_647
"""The largest seed the service accepts (seeds run from 0 to 2**31 - 1)."""

E = TypeVar("E", bound="_Choice")


class _Choice(str, Enum):
    """A string enum whose members coerce from their value or name, case-insensitively."""

    @classmethod
    def coerce(cls: type[E], value: object, field: str | None = None) -> E:
        """Return the member for ``value`` (a member, or its name/value in any case) or raise InputError."""
        return coerce_choice(cls, value, field or _field_name(cls))

    def __str__(self) -> str:
        return str(self.value)


def coerce_choice(cls: type[E], value: object, field: str) -> E:
    """Coerce ``value`` to a member of the string enum ``cls``, naming ``field`` in the error."""
    if isinstance(value, cls):
        return value
    if isinstance(value, str):
        wanted = value.strip().upper()
        for member in cls:
            if member.value.upper() == wanted or member.name.upper() == wanted:
                return member
    allowed = " | ".join(m.value for m in cls)
    raise InputError(field, value, f"one of {allowed}")


def _field_name(cls: type[Enum]) -> str:
    name = cls.__name__
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


class RenderingSpeed(_Choice):
    """How long the model may take: faster is cheaper, slower is finer. The service's default: BALANCED."""

    TURBO = "TURBO"
    BALANCED = "BALANCED"
    QUALITY = "QUALITY"


class MagicPrompt(_Choice):
    """Whether the service rewrites the prompt to be more detailed (edit only). Its default: ON."""

    AUTO = "AUTO"
    ON = "ON"
    OFF = "OFF"


class MaskPolarity(_Choice):
    """Which mask colour tells the service "edit here".

    Inside this package a mask is always ``True`` (or 255) = edit; only the payload sent to the service
    uses this setting. Ideogram's own API uses black = edit, which is the default here; the RunComfy pages
    do not say, so it is a setting (``python -m ideogram_widgets.check`` finds out with a live token).
    """

    BLACK_IS_EDIT = "black_is_edit"
    WHITE_IS_EDIT = "white_is_edit"


def check_seed(seed: object) -> int:
    """Return ``seed`` as an int if it is a whole number from 0 to 2147483647, else raise InputError.

    numpy integers are accepted; floats, strings and bools are not.
    """
    allowed = f"an integer from 0 to {SEED_MAX}"
    if isinstance(seed, bool):
        raise InputError("seed", seed, allowed)
    try:
        value = operator.index(seed)  # type: ignore[arg-type]
    except TypeError:
        raise InputError("seed", seed, allowed) from None
    if not 0 <= value <= SEED_MAX:
        raise InputError("seed", seed, allowed)
    return value


class _Sendable(Protocol):
    def to_payload(self) -> dict[str, Any]: ...


S = TypeVar("S", bound=_Sendable)


def option_payload(
    value: object, kind: type[S], by_name: Callable[[str], S], field: str, allowed: str
) -> dict[str, Any] | None:
    """The JSON object of an option object (a palette, a style) given as its typed helper ``kind``, a name
    (``by_name(name)``) or a raw mapping (sent unchanged); None for None. One rule for every such option.

    Example:
        >>> from ideogram_widgets.api._style import Style
        >>> option_payload("REALISTIC", Style, lambda n: Style(style_type=n), "style", "a Style")
        {'style_type': 'REALISTIC'}
        >>> option_payload({"style_codes": ["ab12"]}, Style, Style, "style", "a Style")
        {'style_codes': ['ab12']}
    """
    if value is None:
        return None
    if isinstance(value, kind):
        return value.to_payload()
    if isinstance(value, str):
        return by_name(value).to_payload()
    if isinstance(value, Mapping):
        return dict(value)
    raise InputError(field, value, allowed)
