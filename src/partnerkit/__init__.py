"""partnerkit: the embeddable domain core for partner programs.

The most used names are re-exported here; each area's own package
(:mod:`partnerkit.core`, :mod:`partnerkit.storage`, ...) holds the rest.
"""

from typing import TYPE_CHECKING, Any

from partnerkit.core import Clock, Money, Percentage, SystemClock, from_dict, to_dict
from partnerkit.core._public import publish as _publish
from partnerkit.core.errors import (
    Conflict,
    CurrencyMismatch,
    FieldError,
    InvalidTransition,
    NotFound,
    PartnerkitError,
    PermissionDenied,
    PublishError,
    StorageError,
    ValidationError,
)

if TYPE_CHECKING:
    from partnerkit.program import Program


def __getattr__(name: str) -> Any:
    # Program pulls in every domain area: import it on first use, so that importing one area
    # (``partnerkit.fiscal``) stays light. __version__ likewise: importlib.metadata costs ~30 ms.
    if name == "Program":
        from partnerkit.program import Program

        return Program
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
    "Program",
    "PublishError",
    "StorageError",
    "SystemClock",
    "ValidationError",
    "__version__",
    "from_dict",
    "to_dict",
]

_publish(__name__, globals(), __all__)
