"""partnerkit's own decimal context: computations never run in the caller's."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    getcontext,
    localcontext,
)
from typing import ParamSpec, TypeVar

__all__ = ["COMPUTE_CONTEXT", "isolated"]

P = ParamSpec("P")
R = TypeVar("R")

#: The context scoring, quoting, tiers and fiscal compute in: the decimal module's
#: defaults (28 digits, half-even, NaN, division by zero and overflow trapped), fixed
#: here so that a host's ``localcontext(prec=3)`` or trapped ``Inexact`` changes nothing.
COMPUTE_CONTEXT = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emin=-999999,
    Emax=999999,
    capitals=1,
    clamp=0,
    flags=[],
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


def isolated(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` in :data:`COMPUTE_CONTEXT` (a fresh copy per call), whatever the caller's.

    Used on the public entry points that compute with Decimals; the caller's
    context is back in place when the function returns or raises.
    """

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if getcontext() is getattr(_entered, "context", None):
            # Called from another isolated function, in the context it entered (not one a
            # host's callback set meanwhile, which is another object): no second copy.
            return function(*args, **kwargs)
        outer = getattr(_entered, "context", None)
        with localcontext(COMPUTE_CONTEXT) as context:
            _entered.context = context
            try:
                return function(*args, **kwargs)
            finally:
                _entered.context = outer

    return run


#: The context the innermost isolated call of this thread entered.
_entered = threading.local()
