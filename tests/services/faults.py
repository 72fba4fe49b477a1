"""Fault injection for the one-commit rule (issue #14).

Every public use case ends in exactly one commit and, on any failure, leaves
the unit of work exactly as it found it: a host that catches the error and
commits anyway writes nothing of it, and no event is published. This module
proves that by making a repository write fail at each step in turn.

- :class:`FaultyStorage` wraps a storage; its units of work count every write
  step (``Repository.add``, ``save``, ``delete``, ``Sequences.next`` and
  ``UnitOfWork.record``, one step per call) and raise :class:`InjectedFault`
  at step ``fail_at``, before the step reaches the wrapped backend.
- :func:`snapshot` reads the committed aggregate tables of a
  :class:`MemoryStorage` or a :class:`SqliteStorage`.
- :class:`EventRecorder` is a dispatcher that keeps what it published.
- :func:`check_all_or_nothing` drives a use case through every step: for
  ``fail_at`` = 1, 2, ... it builds a fresh world, injects the fault, lets the
  host roll back or commit anyway, and checks that nothing changed and nothing
  was published; the first run in which the fault does not fire must succeed
  with exactly one commit. It returns the number of write steps of that run.

The ``backend`` fixture (``tests/services/conftest.py``) gives a
:class:`Backend` for each reference backend::

    def test_add_partner_is_all_or_nothing(backend: Backend) -> None:
        def make_world(new_storage: StorageFactory) -> Context:
            storage = new_storage(specs=[PARTNERS])
            ...  # seed through storage.unit_of_work(), then return what the call needs
            return ctx

        def call(uow: UnitOfWork, ctx: Context) -> object:
            return add_partner(uow, ctx, Partner("p3", ...))

        assert check_all_or_nothing(make_world, call, backend=backend) > 0
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, Literal, Protocol, TypeVar

import attrs

from partnerkit.core import DomainEvent, EventDispatcher
from partnerkit.storage import (
    DEFAULT_PAGE_SIZE,
    AggregateSpec,
    IndexValue,
    MemoryStorage,
    Page,
    Repository,
    Sequences,
    SqliteStorage,
    Storage,
    UnitOfWork,
)

__all__ = [
    "BACKENDS",
    "VARIANTS",
    "Backend",
    "BackendName",
    "EventRecorder",
    "FaultyRepository",
    "FaultyStorage",
    "FaultyUnitOfWork",
    "InjectedFault",
    "Snapshot",
    "StorageFactory",
    "Variant",
    "check_all_or_nothing",
    "describe_changes",
    "snapshot",
]

A = TypeVar("A")
W = TypeVar("W")

BackendName = Literal["memory", "sqlite"]
BACKENDS: tuple[BackendName, ...] = ("memory", "sqlite")

Variant = Literal["rollback", "commit"]
"""What the host does after the use case raised: roll back, or commit anyway."""
VARIANTS: tuple[Variant, ...] = ("rollback", "commit")

Snapshot = dict[str, dict[str, tuple[int, str]]]
"""Committed aggregates: kind -> {id: (version, JSON body)}; kinds without rows are left out."""


class InjectedFault(Exception):
    """The failure :class:`FaultyStorage` injects at the chosen write step."""


# --- the faulty storage -----------------------------------------------------------------


class FaultyRepository(Generic[A]):
    """A repository that counts ``add``, ``save`` and ``delete`` as steps; reads pass through."""

    def __init__(self, inner: Repository[A], kind: str, uow: FaultyUnitOfWork) -> None:
        self._inner = inner
        self._kind = kind
        self._uow = uow

    def get(self, id: str) -> A:
        return self._inner.get(id)

    def find(self, id: str) -> A | None:
        return self._inner.find(id)

    def add(self, aggregate: A) -> A:
        self._uow._step(f"{self._kind}.add")
        return self._inner.add(aggregate)

    def save(self, aggregate: A) -> A:
        self._uow._step(f"{self._kind}.save")
        return self._inner.save(aggregate)

    def delete(self, aggregate: A) -> None:
        self._uow._step(f"{self._kind}.delete")
        self._inner.delete(aggregate)

    def list(
        self,
        where: Mapping[str, IndexValue | Sequence[IndexValue]] | None = None,
        *,
        order_by: str | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
    ) -> Page[A]:
        return self._inner.list(where, order_by=order_by, limit=limit, cursor=cursor)

    def count(self, where: Mapping[str, IndexValue | Sequence[IndexValue]] | None = None) -> int:
        return self._inner.count(where)


class _FaultySequences:
    def __init__(self, uow: FaultyUnitOfWork) -> None:
        self._uow = uow

    def next(self, name: str) -> int:
        self._uow._step(f"sequences.next({name!r})")
        return self._uow._target.sequences.next(name)


class FaultyUnitOfWork:
    """Wraps a backend's unit of work: counts write steps and fails at step ``fail_at``.

    Steps are counted from the ``with``: ``steps`` is how many were reached
    (the failing one included), ``trace`` names them in order (``"partners.add"``,
    ``"sequences.next('deals')"``, ``"record(PartnerAdded)"``), ``fired_at`` names
    the step that raised :class:`InjectedFault` (``None`` while none did).
    ``commits`` and ``rollbacks`` count the calls made through this wrapper.
    """

    def __init__(self, inner: UnitOfWork, fail_at: int | None) -> None:
        self._inner = inner
        self._target: UnitOfWork = inner  # what inner.__enter__ returned, once entered
        self.fail_at = fail_at
        self.steps = 0
        self.trace: list[str] = []
        self.fired_at: str | None = None
        self.commits = 0
        self.rollbacks = 0
        self.sequences: Sequences = _FaultySequences(self)

    @property
    def fired(self) -> bool:
        """Whether the injected fault was raised."""
        return self.fired_at is not None

    def _step(self, what: str) -> None:
        self.steps += 1
        self.trace.append(what)
        if self.fail_at is not None and self.steps == self.fail_at:
            self.fired_at = what
            raise InjectedFault(f"injected fault at write step {self.steps}: {what}")

    def __enter__(self) -> FaultyUnitOfWork:
        self._target = self._inner.__enter__()
        self.steps = self.commits = self.rollbacks = 0
        self.trace = []
        self.fired_at = None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._inner.__exit__(exc_type, exc, tb)

    def repository(self, spec: AggregateSpec[A]) -> FaultyRepository[A]:
        return FaultyRepository(self._target.repository(spec), spec.kind, self)

    def record(self, *events: DomainEvent) -> None:
        self._step("record(" + ", ".join(type(e).__name__ for e in events) + ")")
        self._target.record(*events)

    def commit(self) -> None:
        self.commits += 1
        self._target.commit()

    def rollback(self) -> None:
        self.rollbacks += 1
        self._target.rollback()


class FaultyStorage:
    """A :class:`~partnerkit.storage.Storage` whose units of work fail at write step ``fail_at``.

    ``fail_at=None`` never fails (it only counts). ``last`` is the unit of
    work handed out last; ``steps``, ``fired`` and ``trace`` report on it.
    """

    def __init__(self, inner: Storage, fail_at: int | None = None) -> None:
        if fail_at is not None and fail_at < 1:
            raise ValueError(f"fail_at counts from 1, got {fail_at}")
        self.inner = inner
        self.fail_at = fail_at
        self.last: FaultyUnitOfWork | None = None

    def unit_of_work(self) -> FaultyUnitOfWork:
        self.last = FaultyUnitOfWork(self.inner.unit_of_work(), self.fail_at)
        return self.last

    @property
    def steps(self) -> int:
        """How many write steps the last unit of work reached (the failing one included)."""
        return self.last.steps if self.last is not None else 0

    @property
    def fired(self) -> bool:
        """Whether the last unit of work raised the injected fault."""
        return self.last is not None and self.last.fired

    @property
    def trace(self) -> tuple[str, ...]:
        """The write steps of the last unit of work, in order."""
        return tuple(self.last.trace) if self.last is not None else ()


# --- snapshots and events ---------------------------------------------------------------


def snapshot(storage: Storage) -> Snapshot:
    """The committed aggregates of a memory or SQLite storage (sequences left out).

    Only what other units of work can see: the memory backend's committed
    tables, and the SQLite file's ``agg_*`` tables read through a connection
    of their own. A kind without rows is left out, so a table created empty
    (SQLite prepares tables outside the unit of work) is no change.
    """
    if isinstance(storage, FaultyStorage):
        storage = storage.inner
    if isinstance(storage, MemoryStorage):
        with storage._lock:
            return {
                kind: {id: (row.version, row.body) for id, row in table.rows.items()}
                for kind, table in storage._tables.items()
                if table.rows
            }
    if isinstance(storage, SqliteStorage):
        conn = sqlite3.connect(storage.path)
        try:
            names = [
                str(name)
                for (name,) in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name LIKE 'agg\\_%' ESCAPE '\\'"
                )
            ]
            result: Snapshot = {}
            for name in names:
                rows = {
                    str(id): (int(version), str(body))
                    for id, version, body in conn.execute(f'SELECT id, version, body FROM "{name}"')
                }
                if rows:
                    result[name[len("agg_") :]] = rows
            return result
        finally:
            conn.close()
    raise TypeError(f"snapshot reads MemoryStorage or SqliteStorage, not {type(storage).__name__}")


def describe_changes(before: Snapshot, after: Snapshot, limit: int = 10) -> str:
    """The differences between two snapshots, one per line (at most ``limit`` lines)."""
    lines: list[str] = []
    for kind in sorted(before.keys() | after.keys()):
        old, new = before.get(kind, {}), after.get(kind, {})
        for id in sorted(old.keys() | new.keys()):
            if id not in old:
                lines.append(f"  {kind} {id!r} added (version {new[id][0]})")
            elif id not in new:
                lines.append(f"  {kind} {id!r} removed (was version {old[id][0]})")
            elif old[id] != new[id]:
                lines.append(f"  {kind} {id!r} changed: version {old[id][0]} -> {new[id][0]}")
    more = len(lines) - limit
    return "\n".join(lines[:limit] + ([f"  ... and {more} more"] if more > 0 else []))


class EventRecorder(EventDispatcher):
    """A dispatcher that keeps every event it published (and still delivers to subscribers)."""

    __slots__ = ("published",)

    def __init__(self) -> None:
        super().__init__()
        self.published: list[DomainEvent] = []

    def publish(self, events: Iterable[DomainEvent]) -> None:
        batch = list(events)
        self.published.extend(batch)
        super().publish(batch)

    def clear(self) -> None:
        """Forget what was published so far."""
        self.published.clear()


# --- backends and the driver ------------------------------------------------------------


class StorageFactory(Protocol):
    """Builds the fresh storage of one run, wired to the run's :class:`EventRecorder`."""

    def __call__(self, *, specs: Iterable[AggregateSpec[Any]] = ...) -> Storage: ...


@attrs.frozen
class Backend:
    """A reference backend to build fresh storages on: in memory, or a new SQLite file each time."""

    name: BackendName
    directory: Path

    def storage(
        self,
        *,
        specs: Iterable[AggregateSpec[Any]] = (),
        dispatcher: EventDispatcher | None = None,
    ) -> MemoryStorage | SqliteStorage:
        """A new, empty storage of this backend."""
        if self.name == "memory":
            return MemoryStorage(dispatcher, specs=specs)
        path = Path(tempfile.mkdtemp(prefix="faults-", dir=self.directory)) / "partnerkit.sqlite3"
        return SqliteStorage(path, dispatcher=dispatcher, specs=specs)


@attrs.frozen
class _Run:
    fail_at: int
    variant: Variant
    fired_at: str | None
    steps: int
    trace: tuple[str, ...]
    commits: int  # made by the call (the host's commit not counted)
    error: Exception | None
    before: Snapshot
    after: Snapshot
    published: tuple[DomainEvent, ...]

    def where(self, backend: Backend) -> str:
        return f"[{backend.name}, fail_at={self.fail_at}, host {self.variant}s] "


def _run(
    make_world: Callable[[StorageFactory], W],
    call: Callable[[UnitOfWork, W], object],
    backend: Backend,
    fail_at: int,
    variant: Variant,
) -> _Run:
    recorder = EventRecorder()
    made: list[MemoryStorage | SqliteStorage] = []

    def new_storage(*, specs: Iterable[AggregateSpec[Any]] = ()) -> Storage:
        storage = backend.storage(specs=specs, dispatcher=recorder)
        made.append(storage)
        return storage

    try:
        world = make_world(new_storage)
        if len(made) != 1:
            raise AssertionError(
                f"make_world must build exactly one storage with its factory, built {len(made)}"
            )
        storage = made[0]
        recorder.clear()  # the seeding's events
        before = snapshot(storage)
        faulty = FaultyStorage(storage, fail_at)
        error: Exception | None = None
        with faulty.unit_of_work() as uow:
            try:
                call(uow, world)
            except Exception as exc:
                error = exc
            commits = uow.commits
            if uow.fired:
                # The host caught the error; it rolls back, or commits anyway.
                if variant == "commit":
                    uow.commit()
                else:
                    uow.rollback()
        after = snapshot(storage)
        return _Run(
            fail_at=fail_at,
            variant=variant,
            fired_at=uow.fired_at,
            steps=uow.steps,
            trace=tuple(uow.trace),
            commits=commits,
            error=error,
            before=before,
            after=after,
            published=tuple(recorder.published),
        )
    finally:
        for storage in made:
            if isinstance(storage, SqliteStorage):
                storage.close()


def _check_failed_run(run: _Run, backend: Backend) -> None:
    where = run.where(backend)
    if run.error is None:
        raise AssertionError(
            f"{where}the fault at {run.fired_at} fired but the call returned normally: "
            "it swallowed the failure"
        )
    if run.commits:
        raise AssertionError(
            f"{where}the call committed {run.commits} time(s) before failing at {run.fired_at}: "
            "private steps never commit"
        ) from run.error
    if run.after != run.before:
        raise AssertionError(
            f"{where}failing at {run.fired_at} changed committed data:\n"
            + describe_changes(run.before, run.after)
            + f"\nsteps: {', '.join(run.trace)}"
        ) from run.error
    if run.published:
        raise AssertionError(
            f"{where}failing at {run.fired_at} published "
            + ", ".join(type(e).__name__ for e in run.published)
        ) from run.error


def _check_success(
    run: _Run, backend: Backend, *, expect_changes: bool, expect_events: bool
) -> None:
    where = f"[{backend.name}, no fault fired] "
    if run.error is not None:
        raise AssertionError(
            f"{where}the call raised {run.error!r} though no fault was injected"
        ) from run.error
    if run.steps != run.fail_at - 1:
        raise AssertionError(
            f"{where}the call took {run.steps} write steps, but it reached step "
            f"{run.fail_at - 1} with fail_at={run.fail_at - 1}: its steps are not deterministic"
        )
    if run.commits != 1:
        raise AssertionError(
            f"{where}the call committed {run.commits} times; a use case commits exactly once"
        )
    if expect_changes and run.after == run.before:
        raise AssertionError(f"{where}the call committed no change (steps: {run.trace})")
    if expect_events and not run.published:
        raise AssertionError(f"{where}the call published no event (steps: {run.trace})")


def check_all_or_nothing(
    make_world: Callable[[StorageFactory], W],
    call: Callable[[UnitOfWork, W], object],
    *,
    backend: Backend,
    variants: Sequence[Variant] = VARIANTS,
    max_steps: int = 200,
    expect_changes: bool = True,
    expect_events: bool = True,
) -> int:
    """Fail each write step of ``call`` in turn; return how many write steps it takes.

    ``make_world(new_storage)`` builds one storage with ``new_storage(specs=...)``,
    seeds it with committed data and returns the world ``call`` needs;
    ``call(uow, world)`` runs one use case in the host's unit of work ``uow``.

    For ``fail_at`` = 1, 2, ... and each of ``variants``, on a fresh world:
    step ``fail_at`` raises :class:`InjectedFault`; the call must raise (that
    or any error it turns it into) without having committed; the host then
    rolls back or commits anyway in the same ``with`` block; the committed
    aggregates must be as before and no event published. The first run in
    which the fault does not fire must succeed with exactly one commit,
    ``fail_at - 1`` steps, a change of the committed data (unless
    ``expect_changes=False``) and a published event (unless
    ``expect_events=False``). Raises ``AssertionError`` saying what broke.
    """
    for fail_at in range(1, max_steps + 1):
        for variant in variants:
            run = _run(make_world, call, backend, fail_at, variant)
            if run.fired_at is None:
                _check_success(
                    run, backend, expect_changes=expect_changes, expect_events=expect_events
                )
                return run.steps
            _check_failed_run(run, backend)
    raise AssertionError(f"[{backend.name}] the call takes {max_steps} write steps or more")
