"""A host's own storage backend, proven by partnerkit's storage contract suite.

A real host would wrap its ORM. This one wraps partnerkit's SQLite backend to
keep a write log for auditors, which is the kind of thing hosts add, and
runs the whole contract suite against it with pytest.

Run it: ``python examples/host_storage_backend.py`` (needs pytest installed).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, TypeVar

import pytest

from partnerkit.core import EventDispatcher
from partnerkit.storage import (
    AggregateSpec,
    SqliteRepository,
    SqliteStorage,
    SqliteUnitOfWork,
    Storage,
)
from partnerkit.testing.contract import StorageContract

A = TypeVar("A")


class AuditedRepository(SqliteRepository[A]):
    """Writes go through as usual and are noted in the unit of work's log."""

    def __init__(self, uow: AuditedUnitOfWork, spec: AggregateSpec[A]) -> None:
        super().__init__(uow, spec)
        self._log = uow.log
        self._kind = spec.kind

    def add(self, aggregate: A) -> A:
        stored = super().add(aggregate)
        self._log.append(f"add {self._kind}")
        return stored

    def save(self, aggregate: A) -> A:
        stored = super().save(aggregate)
        self._log.append(f"save {self._kind}")
        return stored


class AuditedUnitOfWork(SqliteUnitOfWork):
    def __init__(self, storage: AuditedStorage) -> None:
        super().__init__(storage)
        self.log: list[str] = []

    def repository(self, spec: AggregateSpec[A]) -> AuditedRepository[A]:
        super().repository(spec)  # creates or migrates the table on first use
        return AuditedRepository(self, spec)


class AuditedStorage(SqliteStorage):
    def unit_of_work(self) -> AuditedUnitOfWork:
        return AuditedUnitOfWork(self)


class TestAuditedStorage(StorageContract):
    def make_storage(self, dispatcher: EventDispatcher, tmp_path: Path) -> Storage:
        return AuditedStorage(tmp_path / "host.sqlite3", dispatcher=dispatcher)


def main() -> int:
    here = str(Path(__file__).resolve().parent)
    args: list[Any] = [
        __file__,
        "-q",
        "-p",
        "no:cacheprovider",
        "-c",
        os.devnull,
        "--confcutdir",
        here,
        "--rootdir",
        here,
    ]
    status = pytest.main(args)
    print(f"contract suite on AuditedStorage: {'passed' if status == 0 else 'FAILED'}")
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
