"""Fixtures of the use-case tests: the reference backends for fault injection."""

from pathlib import Path

import pytest

from services.faults import BACKENDS, Backend


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """Each reference backend in turn (SQLite files go under ``tmp_path``)."""
    name = request.param
    assert name in BACKENDS
    return Backend(name, tmp_path)
