"""Storage backends: register + approve (with its approval quote), each committed, deals per second.

The same use cases run on the stdlib ``SqliteStorage``, on ``SqlAlchemyStorage``
over SQLite, and on ``SqlAlchemyStorage`` over PostgreSQL when
``PARTNERKIT_POSTGRES_URL`` is set (``.ci/postgres.sh`` starts one), single-threaded,
and on PostgreSQL with four threads against one. Every round starts from a fresh
database (a new file, a new PostgreSQL schema); the sides alternate round by round and
each keeps its best round. Targets: SQLAlchemy on SQLite >= 0.6x the stdlib backend;
PostgreSQL >= 500 deals/s single-threaded; four threads faster than one.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from pathlib import Path

import pendulum
import sqlalchemy as sa
from _deals_data import registration_form

from partnerkit.core import Money, Percentage
from partnerkit.deals import (
    RegistrationForm,
    Stage,
)
from partnerkit.partners import Actor, Partner, PartnerUser
from partnerkit.program import Program
from partnerkit.quoting import MarginPolicy, PriceBook, Pricing, Product, ProductPrice, VolumeBand
from partnerkit.services import Context, approve_deal, register_deal
from partnerkit.storage import (
    DEAL_REGISTRATIONS,
    PARTNER_USERS,
    PARTNERS,
    QUOTES,
    MemoryStorage,
    SqliteStorage,
    Storage,
)
from partnerkit.storage.sqlalchemy import SqlAlchemyStorage
from partnerkit.testing import FixedClock

#: Opens a fresh, empty storage for one round.
Fresh = Callable[[], AbstractContextManager[Storage]]

N_DEALS = 400
ROUNDS = 5
THREADS = 4
AT = pendulum.datetime(2026, 11, 23, 9, tz="UTC")
VENDOR = Actor("vendor", "program_administrator")
PRODUCT = Product("email-security", "Email security")
PRICE_BOOK = PriceBook(
    "gbp-2026",
    "GBP",
    date(2026, 1, 1),
    prices=[ProductPrice(PRODUCT, [VolumeBand(1, Money("3.50", "GBP"))])],
)
# Priced: approving a registration makes its approval quote in the same commit.
PROGRAM = Program(
    key="bench",
    name="Bench program",
    currency="GBP",
    locale="en_GB",
    timezone="UTC",
    pricing=Pricing(
        products=(PRODUCT,),
        price_books=(PRICE_BOOK,),
        margins=MarginPolicy(reward_margin=Percentage("5")),
    ),
)


FORMS = [registration_form(i) for i in range(N_DEALS)]


def _seed(storage: Storage, partners: int) -> list[Context]:
    """One partner and rep per worker; the reps' contexts."""
    reps = []
    with storage.unit_of_work() as uow:
        for n in range(partners):
            partner = Partner(f"p{n}", f"Partner {n}", f"partner{n}.example", "reseller")
            uow.repository(PARTNERS).add(partner)
            rep = PartnerUser(f"rep{n}", f"p{n}", "Rep", f"rep@partner{n}.example")
            uow.repository(PARTNER_USERS).add(rep)
            reps.append(
                Context(Actor(f"rep{n}", "user", partner_id=f"p{n}"), FixedClock(AT), PROGRAM)
            )
        uow.commit()
    return reps


def _deals(storage: Storage, rep: Context, forms: list[RegistrationForm]) -> None:
    vendor = rep.with_actor(VENDOR)
    for form in forms:
        with storage.unit_of_work() as uow:
            deal = register_deal(uow, rep, form)
        with storage.unit_of_work() as uow:
            approve_deal(uow, vendor, deal.id)


def _check(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        approved = uow.repository(DEAL_REGISTRATIONS).count({"stage": Stage.APPROVED.value})
        quotes = uow.repository(QUOTES).count()
    assert (approved, quotes) == (N_DEALS, N_DEALS), (approved, quotes)


def _timed(storage: Storage, threads: int) -> float:
    """Seconds to register and approve N_DEALS deals over ``threads`` workers; checked after."""
    reps = _seed(storage, threads)
    shares = [FORMS[n::threads] for n in range(threads)]
    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            _deals(storage, reps[n], shares[n])
        except BaseException as exc:  # reported after the round
            failures.append(exc)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - start
    if failures:
        raise failures[0]
    _check(storage)
    return seconds


@contextmanager
def _memory() -> Iterator[Storage]:
    yield MemoryStorage()


@contextmanager
def _stdlib_sqlite() -> Iterator[Storage]:
    with tempfile.TemporaryDirectory() as folder:
        storage = SqliteStorage(Path(folder) / "bench.sqlite3")
        yield storage
        storage.close()


@contextmanager
def _sqlalchemy_sqlite() -> Iterator[Storage]:
    with tempfile.TemporaryDirectory() as folder:
        storage = SqlAlchemyStorage(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        yield storage
        storage.close()


def _postgres(url: str) -> Fresh:
    @contextmanager
    def fresh() -> Iterator[Storage]:
        # A schema of its own for every round, dropped afterwards.
        schema = f"pk_bench_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(url, poolclass=sa.NullPool)
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        scoped = sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        storage = SqlAlchemyStorage(scoped.render_as_string(hide_password=False))
        try:
            yield storage
        finally:
            storage.close()
            with admin.begin() as conn:
                conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()

    return fresh


def _best(sides: dict[str, tuple[Fresh, int]]) -> dict[str, float]:
    """Best deals/s of each side over ROUNDS rounds, the sides alternating within a round."""
    best = dict.fromkeys(sides, float("inf"))
    for _ in range(ROUNDS):
        for name, (fresh, threads) in sides.items():
            with fresh() as storage:
                best[name] = min(best[name], _timed(storage, threads))
    return {name: N_DEALS / seconds for name, seconds in best.items()}


def _line(case: str, rate: float) -> None:
    print(f"{case:<56} {rate:>10,.0f} deals/s", flush=True)


def _verdict(what: str, value: float, target: float, unit: str) -> None:
    verdict = "met" if value >= target else "missed"
    print(f"  {what:<54} {value:>10.2f}{unit:<3} target >= {target:g}{unit}: {verdict}", flush=True)


def main() -> None:
    """Run the storage comparison and print one line per side, then ratios and verdicts."""
    url = os.environ.get("PARTNERKIT_POSTGRES_URL", "")
    sides: dict[str, tuple[Fresh, int]] = {
        # The use cases with no database at all: the ceiling of every backend here.
        "MemoryStorage (no database: the use cases alone)": (_memory, 1),
        "SqliteStorage (stdlib sqlite3)": (_stdlib_sqlite, 1),
        "SqlAlchemyStorage, SQLite": (_sqlalchemy_sqlite, 1),
    }
    if url:
        fresh = _postgres(url)
        sides["SqlAlchemyStorage, PostgreSQL, 1 thread"] = (fresh, 1)
        sides[f"SqlAlchemyStorage, PostgreSQL, {THREADS} threads"] = (fresh, THREADS)
    print(f"register + approve with its quote, each committed, {N_DEALS} deals", flush=True)
    rates = _best(sides)
    for name, rate in rates.items():
        _line(name, rate)
    stdlib = rates["SqliteStorage (stdlib sqlite3)"]
    _verdict(
        "SQLAlchemy on SQLite / stdlib SQLite",
        rates["SqlAlchemyStorage, SQLite"] / stdlib,
        0.6,
        "x",
    )
    if not url:
        print('  PostgreSQL: skipped (set PARTNERKIT_POSTGRES_URL, e.g. eval "$(.ci/postgres.sh)")')
        return
    single = rates["SqlAlchemyStorage, PostgreSQL, 1 thread"]
    multi = rates[f"SqlAlchemyStorage, PostgreSQL, {THREADS} threads"]
    _verdict("PostgreSQL, 1 thread, deals/s", single, 500, "")
    ratio = multi / single
    verdict = "met" if ratio > 1 else "missed"
    print(f"  {'PostgreSQL, 4 threads / 1 thread':<54} {ratio:>10.2f}x   target > 1x: {verdict}")


if __name__ == "__main__":
    main()
