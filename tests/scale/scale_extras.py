"""The dask extra in the scale tests.

Without the dask extra's packages the tests that need them skip, except under
``PARTNERKIT_REQUIRE_EXTRAS=1`` (CI), where that is a failure.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

REQUIRE = os.environ.get("PARTNERKIT_REQUIRE_EXTRAS", "") == "1"


def require(*modules: str) -> None:
    """Skip (fail under PARTNERKIT_REQUIRE_EXTRAS=1) unless ``modules`` are installed."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        reason = f"the dask extra's packages are not installed ({', '.join(missing)})"
        if REQUIRE:
            pytest.fail(f"PARTNERKIT_REQUIRE_EXTRAS=1 but {reason}", pytrace=False)
        pytest.skip(reason)
