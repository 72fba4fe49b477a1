"""partnerkit: the embeddable domain core for partner programs.

The most used names are re-exported here; each area's own package
(:mod:`partnerkit.core`, :mod:`partnerkit.storage`, ...) holds the rest.
"""

from importlib.metadata import PackageNotFoundError, version

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

try:
    __version__ = version("partnerkit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

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
