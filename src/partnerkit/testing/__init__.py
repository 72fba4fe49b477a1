"""Helpers for testing code built on partnerkit: clocks, factories, and the storage contract.

The storage contract suite needs pytest and lives in
:mod:`partnerkit.testing.contract` (install ``partnerkit[testing]``).
"""

from partnerkit.core._public import publish as _publish
from partnerkit.testing._clocks import AdvancingClock, FixedClock
from partnerkit.testing._factories import make_program

__all__ = ["AdvancingClock", "FixedClock", "make_program"]

_publish(__name__, globals(), __all__)
