"""A pytest plugin for hosts that run partnerkit's storage contract on their own backend.

Enable it in the host's top-level ``conftest.py``, next to the one fixture
the contract suites need::

    pytest_plugins = ["partnerkit.testing.pytest_plugin"]


    @pytest.fixture
    def partnerkit_storage(partnerkit_dispatcher, tmp_path):
        return MyOrmStorage(dsn=..., dispatcher=partnerkit_dispatcher)

It is not registered automatically (no ``pytest11`` entry point): it would
then load into every pytest run of every project that installs partnerkit,
and partnerkit's own suite, or a host that also lists it in
``pytest_plugins``, would register it twice. It collects no tests of its
own: the host picks the suites by subclassing them
(:mod:`partnerkit.testing.contract`). It gives the host's fixtures and
tests the dispatcher and event list the suites use, and turns a forgotten
``partnerkit_storage`` fixture into a message that says what to write.
"""

from __future__ import annotations

from typing import NoReturn

import pytest

from partnerkit.core import DomainEvent, EventDispatcher
from partnerkit.testing._fixtures import new_dispatcher

__all__ = [
    "partnerkit_activity_store",
    "partnerkit_dispatcher",
    "partnerkit_published",
    "partnerkit_storage",
]


@pytest.fixture
def partnerkit_published() -> list[DomainEvent]:
    """Fixture: the events ``partnerkit_dispatcher`` delivered, in order."""
    return []


@pytest.fixture
def partnerkit_dispatcher(partnerkit_published: list[DomainEvent]) -> EventDispatcher:
    """Fixture: a dispatcher that appends every event it delivers to ``partnerkit_published``.

    The contract suites wire the host's storage to it: the host's
    ``partnerkit_storage`` fixture requests it and hands it to the storage.
    """
    return new_dispatcher(partnerkit_published)


@pytest.fixture
def partnerkit_storage() -> NoReturn:
    """Fixture to override: the host's fresh, empty storage for one test.

    Define it in your ``conftest.py`` (it may request ``partnerkit_dispatcher``
    and ``tmp_path``, and clean up after a ``yield``); this default fails the
    test with that advice.
    """
    pytest.fail(
        "define a 'partnerkit_storage' fixture returning a fresh, empty storage that "
        "publishes to the 'partnerkit_dispatcher' fixture",
        pytrace=False,
    )


@pytest.fixture
def partnerkit_activity_store() -> NoReturn:
    """Fixture to override: the host's fresh, empty activity store of ``Activity`` rows.

    Only :class:`~partnerkit.testing.contract.ActivityStoreContract` uses it;
    this default fails the test with that advice.
    """
    pytest.fail(
        "define a 'partnerkit_activity_store' fixture returning a fresh, empty "
        "ActivityStore of partnerkit.scoring.Activity rows",
        pytrace=False,
    )
