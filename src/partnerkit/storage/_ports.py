"""The storage ports: what a host's backend implements, and the conventions it follows."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar

import attrs

from partnerkit.core import DomainEvent
from partnerkit.core.errors import ValidationError

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "AggregateSpec",
    "Index",
    "IndexValue",
    "Page",
    "Repository",
    "Sequences",
    "Storage",
    "UnitOfWork",
]

A = TypeVar("A")
A_co = TypeVar("A_co", covariant=True)

IndexValue = str | int | None
"""What an index may hold: a string, an integer, or nothing (each index declares which type)."""

DEFAULT_PAGE_SIZE = 50
"""Rows per page when a listing does not say."""

MAX_PAGE_SIZE = 1000
"""The largest page a listing returns."""


@attrs.frozen
class Index(Generic[A]):
    """A value extracted from each stored aggregate to filter, order or keep unique by.

    ``extract`` must be a pure function of the aggregate that returns a value
    of the declared ``type`` (``str``, the default, or ``int``) or ``None``,
    so a typed backend knows each column's type without guessing: text
    columns and 64-bit integer columns. Listings order ``None`` first, then
    integers by value and text by Unicode code point (binary collation, the
    same in Python, SQLite and PostgreSQL with ``COLLATE "C"``), then by id.
    A ``unique`` index refuses two aggregates with the same non-``None``
    value (:class:`~partnerkit.core.errors.Conflict`), also when two units
    of work race.
    """

    name: str
    extract: Callable[[A], IndexValue]
    unique: bool = False
    type: builtins.type[str] | builtins.type[int] = str

    def __attrs_post_init__(self) -> None:
        if self.type is not str and self.type is not int:
            raise ValidationError.single(
                "type", "invalid", f"index {self.name!r}: the type must be str or int"
            )

    def check(self, value: object, path: str) -> None:
        """Refuse ``value`` unless it is ``None`` or of this index's type and storable.

        Raises ``ValidationError`` at ``path`` for another type, an integer
        outside the signed 64-bit range, or text that is not valid Unicode.
        """
        if value.__class__ is self.type:  # the common case, made short: no bool, no subclass
            if isinstance(value, str):
                if value.isascii() and "\x00" not in value:
                    return
            elif isinstance(value, int) and -_INT64 <= value < _INT64:
                return
        check_index_value(value, path)
        if value is not None and not isinstance(value, self.type):
            raise ValidationError.single(
                path,
                "invalid",
                f"index {self.name!r} holds {self.type.__name__} values,"
                f" got {type(value).__name__}",
            )


@attrs.frozen
class AggregateSpec(Generic[A]):
    """Describes one kind of aggregate to the storage backends.

    ``kind`` names the table (lower-case letters, digits and underscores).
    ``type`` is an attrs class with a string identifier attribute named by
    ``id_attr`` and an integer ``version`` attribute that the repositories
    manage. ``schema_version`` is stored beside every body; ``upgrades``
    maps a stored schema version to a function that turns such a body into
    the next version's, so old rows are read with today's class.

    ``share_tuples`` lets the reference backends give the bodies they read
    one after another the same tuple where their tuple fields hold the same
    text (the sections of the plans of one template): see "Sharing what
    repeats" in the storage guide. Only for a type read by the structure
    function cattrs generates for it, with the attribute names as keys.
    """

    kind: str
    type: builtins.type[A]
    id_attr: str = "id"
    indexes: tuple[Index[A], ...] = ()
    schema_version: int = 1
    upgrades: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = attrs.field(factory=dict)
    share_tuples: bool = False

    def __attrs_post_init__(self) -> None:
        problems = []
        if not self.kind or not all(c.islower() or c.isdigit() or c == "_" for c in self.kind):
            problems.append(("kind", "use lower-case letters, digits and underscores"))
        if not attrs.has(self.type):
            problems.append(("type", "must be an attrs class"))
        else:
            names = {a.name for a in attrs.fields(self.type)}
            if self.id_attr not in names:
                problems.append(("id_attr", f"{self.type.__name__} has no {self.id_attr!r}"))
            if "version" not in names:
                problems.append(("type", f"{self.type.__name__} needs a 'version' attribute"))
        index_names = [i.name for i in self.indexes]
        if len(set(index_names)) != len(index_names) or any(
            not n.isidentifier() or n in {"id", "version", "body", "schema"} for n in index_names
        ):
            problems.append(("indexes", "index names must be distinct identifiers"))
        if not isinstance(self.share_tuples, bool):
            problems.append(("share_tuples", "expected true or false"))
        missing = [v for v in range(1, self.schema_version) if v not in self.upgrades]
        if missing:
            problems.append(("upgrades", f"no upgrade from schema version(s) {missing}"))
        if problems:
            from partnerkit.core.errors import FieldError

            raise ValidationError(FieldError(p, "invalid", m) for p, m in problems)

    def id_of(self, aggregate: A) -> str:
        """The identifier of ``aggregate``; a value of another type is a ``ValidationError``."""
        if not isinstance(aggregate, self.type):
            raise ValidationError.single(
                "",
                "invalid",
                f"expected a {self.type.__name__}, got {type(aggregate).__name__}",
            )
        value = getattr(aggregate, self.id_attr)
        if not isinstance(value, str) or not value:
            raise ValidationError.single(
                self.id_attr, "invalid", "the id must be a non-empty string"
            )
        return value

    def index_values(self, aggregate: A) -> dict[str, IndexValue]:
        """The value of every index for ``aggregate``.

        Raises ``ValidationError`` for a value that is neither ``None`` nor of
        the index's declared type, an integer outside the signed 64-bit range,
        or text that is not valid Unicode.
        """
        values: dict[str, IndexValue] = {}
        for index in self.indexes:
            value = index.extract(aggregate)
            index.check(value, index.name)
            values[index.name] = value
        return values

    def check_version(self, version: object) -> int:
        """Return ``version`` if it is an int >= 0; else raise ValidationError."""
        if isinstance(version, bool) or not isinstance(version, int) or version < 0:
            raise ValidationError.single(
                "version", "invalid", f"the version must be an integer >= 0, got {version!r}"
            )
        return version

    def check_id(self, id: object) -> str:
        """Return ``id`` if it is a non-empty string of storable text; else ValidationError."""
        if not isinstance(id, str) or not id:
            raise ValidationError.single("id", "invalid", "the id must be a non-empty string")
        _check_text(id, "id")
        return id

    def upgrade(self, body: dict[str, Any], stored_version: int) -> dict[str, Any]:
        """Bring a stored body from ``stored_version`` up to :attr:`schema_version`."""
        for version in range(stored_version, self.schema_version):
            body = self.upgrades[version](body)
        return body


_INT64 = 2**63


def check_index_value(value: object, path: str) -> None:
    """Refuse what no backend can index: not str/int/None, beyond 64 bits, or bad Unicode."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValidationError.single(path, "invalid", "index values must be str, int or None")
    if isinstance(value, int) and not -_INT64 <= value < _INT64:
        raise ValidationError.single(path, "out_of_range", "index integers must fit in 64 bits")
    if isinstance(value, str):
        _check_text(value, path)


def _check_text(value: str, path: str) -> None:
    if value.isascii():
        # ASCII text (ids, keys, most index values) holds no surrogate: only NUL to look for.
        if "\x00" in value:
            raise ValidationError.single(path, "invalid", "text must not contain NUL characters")
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError.single(
            path, "invalid", "text must be valid Unicode (no lone surrogates)"
        ) from None
    if "\x00" in value:
        raise ValidationError.single(path, "invalid", "text must not contain NUL characters")


@attrs.frozen
class Page(Generic[A_co]):
    """One page of a listing: the items and the cursor of the next page (``None`` at the end)."""

    items: tuple[A_co, ...]
    next_cursor: str | None

    def __iter__(self) -> Iterator[A_co]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> A_co:
        return self.items[index]


class Repository(Protocol[A]):
    """Stores one kind of aggregate inside a unit of work.

    Implemented by storage backends (partnerkit's ``memory`` and ``sqlite``
    ones, or a host's own over its ORM); domain code never implements it.
    Writes are visible inside the unit of work at once and to others only
    after :meth:`UnitOfWork.commit`.
    """

    def get(self, id: str) -> A:
        """Return the aggregate with identifier ``id``, as last written.

        Raises:
            NotFound: no such aggregate.

        """
        ...

    def find(self, id: str) -> A | None:
        """Return the aggregate with identifier ``id``, or ``None``."""
        ...

    def add(self, aggregate: A) -> A:
        """Store a new aggregate and return it with ``version`` 1.

        Raises:
            Conflict: the id is taken, or a unique index value is (``field`` says which).

        """
        ...

    def save(self, aggregate: A) -> A:
        """Store a changed aggregate and return it with its version raised by one.

        ``aggregate.version`` must be the version that was read: optimistic
        concurrency. Nothing is written when the check fails.

        Raises:
            NotFound: the aggregate was never added.
            Conflict: the stored version differs (someone else saved first),
                or a unique index value is taken.

        """
        ...

    def list(
        self,
        where: Mapping[str, IndexValue | Sequence[IndexValue]] | None = None,
        *,
        order_by: str | None = None,
        limit: int = DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
    ) -> Page[A]:
        """Return one page of aggregates whose indexes equal ``where`` (a sequence means any of).

        Ordered by the ``order_by`` index (``None`` values first, then by
        value: integers numerically, text by code point) and then by id, or
        by id alone. The order is stable:
        following ``next_cursor`` visits every matching aggregate exactly
        once as long as no writes move rows across the cursor meanwhile
        (keyset paging: a row whose order key changes between pages can be
        seen twice or not at all).

        Raises:
            ValidationError: an unknown index name, a bad limit or a bad cursor.

        """
        ...

    def count(self, where: Mapping[str, IndexValue | Sequence[IndexValue]] | None = None) -> int:
        """Return how many aggregates match ``where``.

        Raises:
            ValidationError: an unknown index name.

        """
        ...

    def delete(self, aggregate: A) -> None:
        """Remove an aggregate read at ``aggregate.version``.

        Raises:
            NotFound: the aggregate is not stored.
            Conflict: the stored version differs; nothing is removed.
            ValidationError: the version is not an integer >= 0.

        """
        ...


class Sequences(Protocol):
    """Strictly increasing counters, for human-readable numbers like ``DR-2026-000123``.

    Implemented by storage backends. A number taken inside a unit of work
    that rolls back may be skipped (memory) or handed out again (SQLite);
    two committed units of work never get the same number.
    """

    def next(self, name: str) -> int:
        """Return the next value of the counter ``name`` (the first is 1)."""
        ...


class UnitOfWork(Protocol):
    """One atomic piece of work against storage: everything commits, or nothing does.

    Used as a context manager: leaving the block without :meth:`commit`
    (including by an exception) rolls back. Domain events recorded with
    :meth:`record` reach the dispatcher only after a successful commit.
    Implemented by storage backends.
    """

    @property
    def sequences(self) -> Sequences:
        """The storage's counters, taken inside this unit of work."""
        ...

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def repository(self, spec: AggregateSpec[A]) -> Repository[A]:
        """Return the repository for the aggregates ``spec`` describes.

        The repository follows ``spec`` itself (its indexes, type and
        upgrades), whether or not the storage was opened with it.
        """
        ...

    def record(self, *events: DomainEvent) -> None:
        """Queue events to publish after a successful commit."""
        ...

    def commit(self) -> None:
        """Make every write of this unit of work durable and visible, then publish its events.

        Raises:
            Conflict: a write clashed with another committed unit of work;
                nothing of this one was written.
            PublishError: everything was written, then an event handler's
                error was re-raised by the dispatcher's ``on_error``.

        """
        ...

    def rollback(self) -> None:
        """Drop every write and queued event of this unit of work."""
        ...


class Storage(Protocol):
    """A storage backend: hands out units of work.

    Implemented by ``MemoryStorage``, ``SqliteStorage`` and a host's own
    backend.
    """

    def unit_of_work(self) -> UnitOfWork:
        """Return a new unit of work (enter it with ``with``)."""
        ...
