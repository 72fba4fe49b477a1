"""The fixtures every storage contract suite shares: a dispatcher, its events, the storage."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest

from partnerkit.core import DomainEvent, EventDispatcher
from partnerkit.core.errors import Conflict
from partnerkit.storage import AggregateSpec, IndexValue, Storage

__all__ = ["StorageFixtures", "race_to_create"]

A = TypeVar("A")

_NO_STORAGE = (
    "{cls} needs a storage: define a 'partnerkit_storage' fixture (in your conftest.py) "
    "that returns a fresh, empty storage publishing to the 'partnerkit_dispatcher' "
    "fixture, or implement make_storage(dispatcher, tmp_path) on {cls}. "
    "See the 'Contract suite' page of the partnerkit documentation."
)


def new_dispatcher(published: list[DomainEvent]) -> EventDispatcher:
    """A dispatcher that appends every event it delivers to ``published``."""
    dispatcher = EventDispatcher()
    dispatcher.subscribe(DomainEvent, published.append)
    return dispatcher


class StorageFixtures:
    """What every storage contract suite stands on: where its storage comes from.

    A suite gets its storage from :meth:`make_storage` when a subclass
    implements it, else from the host's ``partnerkit_storage`` fixture, which
    may request ``partnerkit_dispatcher`` (the dispatcher the storage must
    publish to) and ``tmp_path``. Either way the storage is fresh and empty
    for every test.
    """

    def make_storage(self, dispatcher: EventDispatcher, tmp_path: Path) -> Storage:
        """Return a fresh, empty storage that publishes committed events to ``dispatcher``.

        Implement it, or define a ``partnerkit_storage`` fixture instead.
        """
        raise NotImplementedError

    @pytest.fixture
    def partnerkit_published(self) -> list[DomainEvent]:
        """Fixture: the events ``partnerkit_dispatcher`` delivered, in order."""
        return []

    @pytest.fixture
    def partnerkit_dispatcher(self, partnerkit_published: list[DomainEvent]) -> EventDispatcher:
        """Fixture: the storage's dispatcher; it appends to ``partnerkit_published``."""
        return new_dispatcher(partnerkit_published)

    @pytest.fixture
    def published(self, partnerkit_published: list[DomainEvent]) -> list[DomainEvent]:
        """Fixture: the events the storage's dispatcher delivered (``partnerkit_published``)."""
        return partnerkit_published

    @pytest.fixture
    def dispatcher(self, partnerkit_dispatcher: EventDispatcher) -> EventDispatcher:
        """Fixture: the dispatcher the storage publishes to (``partnerkit_dispatcher``)."""
        return partnerkit_dispatcher

    @pytest.fixture
    def storage(
        self, request: pytest.FixtureRequest, dispatcher: EventDispatcher, tmp_path: Path
    ) -> Storage:
        """Fixture: a fresh storage from :meth:`make_storage` or ``partnerkit_storage``."""
        if type(self).make_storage is not StorageFixtures.make_storage:
            return self.make_storage(dispatcher, tmp_path)
        try:
            storage: Storage = request.getfixturevalue("partnerkit_storage")
        except pytest.FixtureLookupError:
            pytest.fail(_NO_STORAGE.format(cls=type(self).__name__), pytrace=False)
        return storage


def race_to_create(
    storage: Storage,
    spec: AggregateSpec[A],
    where: Mapping[str, IndexValue | Sequence[IndexValue]],
    make: Callable[[int], A],
) -> None:
    """Two units of work both look ``where`` up, find nothing, and both add ``make(n)``.

    Asserts what the use cases count on: the unique index refuses the second
    at its add or its commit, whichever comes first, with a ``Conflict`` on
    ``spec``'s kind, and only the first is stored. The table exists before
    the race, so the race is over the rows alone.
    """
    with storage.unit_of_work() as uow:
        uow.repository(spec).count()
        uow.commit()
    barrier = threading.Barrier(2, timeout=30)
    outcomes: list[object] = []

    def create(n: int) -> None:
        try:
            with storage.unit_of_work() as uow:
                repo = uow.repository(spec)
                found = repo.list(where, limit=1).items
                barrier.wait()  # both have looked, and found nothing
                if found:
                    outcomes.append("found")
                    return
                added: Any = repo.add(make(n))
                uow.commit()
            outcomes.append(spec.id_of(added))
        except Conflict as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=create, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    committed = [o for o in outcomes if isinstance(o, str)]
    assert len(committed) == 1, outcomes
    assert len(conflicts) == 1, outcomes
    assert conflicts[0].kind == spec.kind
    with storage.unit_of_work() as uow:
        assert [spec.id_of(a) for a in uow.repository(spec).list().items] == committed
