"""The activity-store port and its memory and SQLite backends: append-only, read by window.

The stores hold any attrs class with a partner id and an aware instant, and
serialize it with :func:`partnerkit.core.to_dict`/:func:`~partnerkit.core.from_dict`.
Storage never imports the domain modules: the host passes the row class
(:class:`partnerkit.scoring.Activity`) when it makes a store, as
:class:`~partnerkit.storage.AggregateSpec` is given its aggregate class.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from functools import partial
from typing import Generic, Protocol, TypeVar

import attrs

from partnerkit.core import ErrorCollector, aware, from_json, to_json
from partnerkit.core.errors import ValidationError

__all__ = ["ActivityStore", "MemoryActivityStore", "SqliteActivityStore"]

R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
B = TypeVar("B")

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class ActivityStore(Protocol[R]):
    """An append-only log of activities, read back per partner and time window.

    Hosts implement it over their event store or warehouse (and prove it
    with :class:`partnerkit.testing.contract.ActivityStoreContract`);
    partnerkit ships :class:`MemoryActivityStore` and
    :class:`SqliteActivityStore`.
    """

    def append(self, rows: Iterable[R]) -> int:
        """Store ``rows`` atomically (all or none) and return how many were stored.

        Raises:
            ValidationError: a row is not of the store's class, or its
                partner id or instant is bad; nothing is stored then.

        """
        ...

    def iterate(
        self,
        partner_id: str | None = None,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Iterator[R]:
        """Yield the stored rows of ``partner_id`` (every partner when None).

        Only rows with ``start <= instant < end`` (bounds optional, aware),
        ordered by instant, then by the order they were appended.

        Raises:
            ValidationError: a bound is naive or not a datetime.

        """
        ...

    def count(self, partner_id: str | None = None) -> int:
        """How many rows are stored (for ``partner_id``, or in all)."""
        ...


def _same(row: R) -> R:
    return row


def _micros(value: datetime) -> int:
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class _Base(Generic[R]):
    def __init__(self, row_type: type[R], partner_attr: str, at_attr: str) -> None:
        problems = []
        if not attrs.has(row_type):
            problems.append("row_type must be an attrs class")
        else:
            names = {a.name for a in attrs.fields(row_type)}
            problems += [
                f"{row_type.__name__} has no {n!r}"
                for n in (partner_attr, at_attr)
                if n not in names
            ]
        if problems:
            raise ValidationError.single("row_type", "invalid", "; ".join(problems))
        self.row_type = row_type
        self.partner_attr = partner_attr
        self.at_attr = at_attr

    def _stage(self, rows: Iterable[R], body: Callable[[R], B]) -> list[tuple[str, int, B]]:
        """Each row's partner id, instant in microseconds and ``body(row)``, checked first.

        Raises one :class:`ValidationError` naming every bad field of every bad row
        (``rows.3``, ``rows.5.at``), so a batch is stored whole or not at all.
        """
        errors = ErrorCollector("rows")
        staged: list[tuple[str, int, B]] = []
        for i, row in enumerate(rows):
            if not isinstance(row, self.row_type):
                kind = f"expected a {self.row_type.__name__}, got {type(row).__name__}"
                errors.add(str(i), "invalid", kind)
                continue
            found = len(errors)
            partner = getattr(row, self.partner_attr)
            if not isinstance(partner, str) or not partner:
                errors.add(
                    f"{i}.{self.partner_attr}", "invalid", "a non-empty partner id is required"
                )
            at = errors.check(str(i), partial(aware, getattr(row, self.at_attr), self.at_attr))
            if at is not None and len(errors) == found:
                staged.append((partner, _micros(at), body(row)))
        errors.raise_if_any()
        return staged

    @staticmethod
    def _bounds(start: datetime | None, end: datetime | None) -> tuple[int | None, int | None]:
        low = None if start is None else _micros(aware(start, "start"))
        high = None if end is None else _micros(aware(end, "end"))
        return low, high


class MemoryActivityStore(_Base[R]):
    """An :class:`ActivityStore` in a Python list (tests, small hosts); thread-safe.

    ``row_type`` is the attrs class stored; ``partner_attr`` and ``at_attr``
    name its partner id and aware instant.
    """

    def __init__(
        self, row_type: type[R], *, partner_attr: str = "partner_id", at_attr: str = "at"
    ) -> None:
        super().__init__(row_type, partner_attr, at_attr)
        self._rows: list[tuple[str, int, int, R]] = []
        self._lock = threading.Lock()

    def append(self, rows: Iterable[R]) -> int:
        """Store ``rows`` atomically and return how many were stored."""
        staged = self._stage(rows, _same)
        with self._lock:
            base = len(self._rows)
            self._rows += [(p, at, base + i, row) for i, (p, at, row) in enumerate(staged)]
        return len(staged)

    def iterate(
        self,
        partner_id: str | None = None,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Iterator[R]:
        """Yield matching rows by instant, then append order (see :class:`ActivityStore`)."""
        low, high = self._bounds(start, end)
        with self._lock:
            found = [
                (at, seq, row)
                for p, at, seq, row in self._rows
                if (partner_id is None or p == partner_id)
                and (low is None or at >= low)
                and (high is None or at < high)
            ]
        found.sort(key=lambda item: (item[0], item[1]))
        return iter([row for _, _, row in found])

    def count(self, partner_id: str | None = None) -> int:
        """How many rows are stored (for ``partner_id``, or in all)."""
        with self._lock:
            return sum(1 for p, *_ in self._rows if partner_id is None or p == partner_id)


class SqliteActivityStore(_Base[R]):
    """An :class:`ActivityStore` in a SQLite file (stdlib ``sqlite3``, WAL).

    Use the same file as :class:`~partnerkit.storage.SqliteStorage` if you
    like: the rows go to their own table (``table``, default
    ``pk_activities``), created on first use, with the partner id, the
    instant in microseconds since the epoch (UTC), and the JSON body; an
    index on (partner, instant) serves the reads. Each call opens its own
    connection, so the store is safe across threads and processes.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        row_type: type[R],
        *,
        table: str = "pk_activities",
        partner_attr: str = "partner_id",
        at_attr: str = "at",
        timeout: float = 10.0,
    ) -> None:
        super().__init__(row_type, partner_attr, at_attr)
        self.path = os.fspath(path)
        if not self.path or self.path == ":memory:" or self.path.startswith("file::memory:"):
            raise ValidationError.single("path", "invalid", "SqliteActivityStore needs a file")
        if not table.replace("_", "").isalnum() or not table.islower() or table[0].isdigit():
            raise ValidationError.single("table", "invalid", "use lower-case letters, digits, _")
        self.table = table
        self.timeout = timeout
        self._ready = False
        self._ready_lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA synchronous=NORMAL")
        with self._ready_lock:
            if not self._ready:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {self.table} ("
                    "seq INTEGER PRIMARY KEY AUTOINCREMENT, partner_id TEXT NOT NULL, "
                    "at_us INTEGER NOT NULL, body TEXT NOT NULL)"
                )
                conn.execute(
                    f"CREATE INDEX IF NOT EXISTS {self.table}_partner_at "
                    f"ON {self.table} (partner_id, at_us, seq)"
                )
                conn.execute(
                    f"CREATE INDEX IF NOT EXISTS {self.table}_at ON {self.table} (at_us, seq)"
                )
                self._ready = True
        return conn

    def append(self, rows: Iterable[R]) -> int:
        """Store ``rows`` in one transaction and return how many were stored."""
        staged = self._stage(rows, to_json)
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    f"INSERT INTO {self.table} (partner_id, at_us, body) VALUES (?, ?, ?)", staged
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        finally:
            conn.close()
        return len(staged)

    def iterate(
        self,
        partner_id: str | None = None,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> Iterator[R]:
        """Yield matching rows by instant, then append order (see :class:`ActivityStore`).

        Rows are read in pages of 1,000, so a large window does not sit in memory.
        """
        low, high = self._bounds(start, end)
        clauses: list[str] = []
        params: list[object] = []
        if partner_id is not None:
            clauses.append("partner_id = ?")
            params.append(partner_id)
        if low is not None:
            clauses.append("at_us >= ?")
            params.append(low)
        if high is not None:
            clauses.append("at_us < ?")
            params.append(high)
        where = " AND ".join(clauses) or "1"
        return self._pages(where, params)

    def _pages(self, where: str, params: list[object]) -> Iterator[R]:
        after: tuple[int, int] = (-(2**62), -1)
        conn = self._connect()
        try:
            while True:
                rows = conn.execute(
                    f"SELECT at_us, seq, body FROM {self.table} WHERE {where} "
                    "AND (at_us, seq) > (?, ?) ORDER BY at_us, seq LIMIT 1000",
                    [*params, *after],
                ).fetchall()
                if not rows:
                    return
                for _, _, body in rows:
                    yield from_json(self.row_type, body)
                after = (rows[-1][0], rows[-1][1])
        finally:
            conn.close()

    def count(self, partner_id: str | None = None) -> int:
        """How many rows are stored (for ``partner_id``, or in all)."""
        conn = self._connect()
        try:
            if partner_id is None:
                (n,) = conn.execute(f"SELECT COUNT(*) FROM {self.table}").fetchone()
            else:
                (n,) = conn.execute(
                    f"SELECT COUNT(*) FROM {self.table} WHERE partner_id = ?", (partner_id,)
                ).fetchone()
            return int(n)
        finally:
            conn.close()

    def __repr__(self) -> str:
        return f"SqliteActivityStore({self.path!r}, {self.row_type.__name__})"
