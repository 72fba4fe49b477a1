"""partnerkit: the embeddable domain core for partner programs.

The most used names are re-exported here; each area's own package
(:mod:`partnerkit.core`, :mod:`partnerkit.storage`, ...) holds the rest.
"""

from partnerkit.core import Clock, Money, Percentage, SystemClock, from_dict, to_dict
from partnerkit.core.errors import (
    Conflict,
    CurrencyMismatch,
    FieldError,
    InvalidTransition,
    NotFound,
    PartnerkitError,
    PermissionDenied,
    ValidationError,
)


def __getattr__(name: str) -> str:
    # __version__ is looked up on first use: importlib.metadata costs ~30 ms at import time.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("partnerkit")
        except PackageNotFoundError:  # pragma: no cover - a source tree without install
            return "0+unknown"
    raise AttributeError(f"module 'partnerkit' has no attribute {name!r}")


__all__ = [
    "Clock",
    "Conflict",
    "CurrencyMismatch",
    "FieldError",
    "InvalidTransition",
    "Money",
    "NotFound",
    "PartnerkitError",
    "Percentage",
    "PermissionDenied",
    "SystemClock",
    "ValidationError",
    "__version__",
    "from_dict",
    "to_dict",
]
