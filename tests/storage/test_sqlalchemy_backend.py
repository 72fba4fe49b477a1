"""The SQLAlchemy backend on SQLite (always) and PostgreSQL (marker ``postgres``)."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from partnerkit.core import EventDispatcher
from partnerkit.core.errors import Conflict, StorageError, ValidationError
from partnerkit.program import Program
from partnerkit.storage import (
    BUILTIN_SPECS,
    PROGRAMS,
    PROSPECTS,
    SUBSCRIPTIONS,
    AggregateSpec,
    Index,
    Repository,
    Sequences,
    Storage,
    UnitOfWork,
)
from partnerkit.storage.sqlalchemy import SqlAlchemyStorage, metadata_for
from partnerkit.testing import make_program
from partnerkit.testing.contract import StorageContract


class _Closing:
    """Closes every storage a test opened (their pools hold connections)."""

    opened: list[SqlAlchemyStorage]

    @pytest.fixture(autouse=True)
    def _close_storages(self) -> Iterator[None]:
        self.opened = []
        yield
        for storage in self.opened:
            storage.close()

    def open(self, url: str, dispatcher: EventDispatcher | None = None) -> SqlAlchemyStorage:
        storage = SqlAlchemyStorage(url, dispatcher=dispatcher)
        self.opened.append(storage)
        return storage


class TestSqlAlchemyOnSqlite(_Closing, StorageContract):
    def make_storage(self, dispatcher: EventDispatcher, tmp_path: Path) -> Storage:
        return self.open(f"sqlite:///{tmp_path / 'partnerkit.sqlite3'}", dispatcher)


@pytest.mark.postgres
class TestSqlAlchemyOnPostgres(_Closing, StorageContract):
    @pytest.fixture(autouse=True)
    def _database(self, postgres_url: str) -> None:
        self.url = postgres_url

    def make_storage(self, dispatcher: EventDispatcher, tmp_path: Path) -> Storage:
        return self.open(self.url, dispatcher)


# -- tables: created when the storage opens, or on first use ------------------------------------


@attrs.frozen
class Card:
    id: str
    colour: str | None = None
    version: int = 0


CARDS: AggregateSpec[Card] = AggregateSpec(
    "cards", Card, indexes=(Index("colour", lambda c: c.colour, unique=True),)
)


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


BUILTIN_TABLES = {f"partnerkit_{spec.kind}" for spec in BUILTIN_SPECS} | {"partnerkit_sequences"}


def test_opening_creates_the_tables_of_every_builtin_spec_before_any_unit_of_work(
    tmp_path: Path,
) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    SqlAlchemyStorage(engine)
    assert _tables(engine) == BUILTIN_TABLES
    assert len(BUILTIN_TABLES) == 12


def test_opening_without_create_tables_creates_nothing(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    SqlAlchemyStorage(engine, create_tables=False)
    assert _tables(engine) == set()


def _first_use_after_a_write(storage: SqlAlchemyStorage) -> None:
    # A kind not in specs, first used by a unit of work that has read and written already.
    with storage.unit_of_work() as uow:
        assert uow.repository(PROGRAMS).count() == 0
        uow.repository(PROGRAMS).add(make_program(key="acme"))
        cards = uow.repository(CARDS)
        assert cards.count() == 0
        cards.add(Card("c1", "red"))
        assert cards.get("c1").colour == "red"
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.repository(CARDS).get("c1") == Card("c1", "red", version=1)
        assert uow.repository(PROGRAMS).get("acme").version == 1


def test_a_kind_first_used_later_gets_its_table_and_a_unit_of_work_sees_it_on_sqlite(
    tmp_path: Path,
) -> None:
    storage = SqlAlchemyStorage(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert "partnerkit_cards" not in _tables(storage.engine)
    _first_use_after_a_write(storage)
    storage.close()


def test_a_table_created_inside_a_unit_of_work_that_rolls_back_is_created_again(
    tmp_path: Path,
) -> None:
    storage = SqlAlchemyStorage(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with storage.unit_of_work() as uow:
        uow.repository(PROGRAMS).add(make_program(key="acme"))
        uow.repository(CARDS).add(Card("c1", "red"))
    assert "partnerkit_cards" not in _tables(storage.engine)
    _first_use_after_a_write(storage)
    storage.close()


@pytest.mark.postgres
def test_a_kind_first_used_later_gets_its_table_and_a_unit_of_work_sees_it_on_postgres(
    postgres_url: str,
) -> None:
    storage = SqlAlchemyStorage(postgres_url)
    assert "partnerkit_cards" not in _tables(storage.engine)
    _first_use_after_a_write(storage)
    storage.close()


# -- metadata_for ---------------------------------------------------------------------------------


def test_metadata_for_adds_partnerkits_tables_to_a_hosts_metadata() -> None:
    host = sa.MetaData()
    sa.Table("host_invoices", host, sa.Column("id", sa.Integer, primary_key=True))
    assert metadata_for([PROSPECTS, CARDS], host) is host
    assert set(host.tables) == {
        "host_invoices",
        "partnerkit_prospects",
        "partnerkit_cards",
        "partnerkit_sequences",
    }
    cards = host.tables["partnerkit_cards"]
    assert [c.name for c in cards.columns] == ["id", "version", "schema", "body", "idx_colour"]
    unique = {c.name for c in cards.constraints if isinstance(c, sa.UniqueConstraint)}
    assert unique == {"partnerkit_cards_colour_key"}
    # The same specs again change nothing; another spec of a taken kind is refused.
    metadata_for([PROSPECTS, CARDS], host)
    other = AggregateSpec("cards", Card, indexes=(Index("colour", lambda c: c.colour),))
    with pytest.raises(ValidationError):
        metadata_for([other], host)


def test_the_storage_metadata_holds_its_tables(tmp_path: Path) -> None:
    storage = SqlAlchemyStorage(f"sqlite:///{tmp_path / 'db.sqlite3'}", specs=[CARDS])
    assert set(storage.metadata.tables) == {"partnerkit_cards", "partnerkit_sequences"}
    storage.close()


def test_integer_indexes_are_bigint_columns_and_text_ones_order_by_code_point() -> None:
    subscriptions = metadata_for([SUBSCRIPTIONS]).tables["partnerkit_subscriptions"]
    assert isinstance(subscriptions.c.idx_term_end.type, sa.BigInteger)
    text = subscriptions.c.idx_partner_id.type
    pg = text.dialect_impl(postgresql.dialect())  # type: ignore[no-untyped-call]
    assert getattr(pg, "collation", None) == "C"


def test_the_storage_conforms_to_the_ports(tmp_path: Path) -> None:
    # mypy checks these assignments; the test checks the objects behave as typed.
    storage: Storage = SqlAlchemyStorage(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with storage.unit_of_work() as uow:
        typed_uow: UnitOfWork = uow
        programs: Repository[Program] = typed_uow.repository(PROGRAMS)
        sequences: Sequences = typed_uow.sequences
        assert programs.find("missing") is None
        assert sequences.next("n") == 1


def test_an_autocommit_engine_is_refused(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}", isolation_level="AUTOCOMMIT")
    with pytest.raises(ValidationError) as caught:
        SqlAlchemyStorage(engine)
    assert caught.value.paths == ("engine_or_url",)


def test_memory_urls_and_other_databases_are_refused() -> None:
    with pytest.raises(ValidationError):
        SqlAlchemyStorage("sqlite://")
    with pytest.raises(ValidationError):
        SqlAlchemyStorage("sqlite:///:memory:")
    with pytest.raises(ValidationError):
        SqlAlchemyStorage("not a url")


# -- errors ---------------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _is_driver_error(cause: BaseException | None, module: str, name: str) -> bool:
    """The chained exception is the driver's own (not SQLAlchemy's wrapper of it)."""
    return (
        cause is not None
        and not isinstance(cause, sa.exc.SQLAlchemyError)
        and type(cause).__module__.split(".")[0] == module
        and name in [c.__name__ for c in type(cause).__mro__]
    )


def test_an_unreachable_server_is_a_storage_error_with_the_driver_error_chained() -> None:
    url = f"postgresql+psycopg://nobody@127.0.0.1:{_closed_port()}/none?connect_timeout=5"
    with pytest.raises(StorageError) as at_open:
        SqlAlchemyStorage(url)
    assert _is_driver_error(at_open.value.__cause__, "psycopg", "OperationalError")
    storage = SqlAlchemyStorage(url, create_tables=False)
    with storage.unit_of_work() as uow, pytest.raises(StorageError) as caught:
        uow.repository(PROSPECTS).find("PR-1")
    assert _is_driver_error(caught.value.__cause__, "psycopg", "OperationalError")
    assert not isinstance(caught.value, Conflict)


def test_a_missing_table_is_a_storage_error(tmp_path: Path) -> None:
    storage = SqlAlchemyStorage(f"sqlite:///{tmp_path / 'db.sqlite3'}", create_tables=False)
    with storage.unit_of_work() as uow, pytest.raises(StorageError) as caught:
        uow.repository(PROSPECTS).count()
    assert _is_driver_error(caught.value.__cause__, "sqlite3", "OperationalError")
    storage.close()


def test_a_disposed_engine_connection_lost_midway_is_a_storage_error(tmp_path: Path) -> None:
    storage = SqlAlchemyStorage(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with storage.unit_of_work() as uow:
        repo = uow.repository(PROSPECTS)
        assert repo.count() == 0
        uow._connection().connection.dbapi_connection.close()  # type: ignore[union-attr]
        with pytest.raises(StorageError) as caught:
            repo.count()
        assert _is_driver_error(caught.value.__cause__, "sqlite3", "ProgrammingError")
    storage.close()


def test_sqlite_busy_after_the_driver_timeout_is_a_conflict(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    storage = SqlAlchemyStorage(f"sqlite:///{path}", specs=[CARDS])
    impatient = SqlAlchemyStorage(
        sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05}), specs=[CARDS]
    )
    with storage.unit_of_work() as holder:
        holder.repository(CARDS).add(Card("c1", "red"))  # holds the write lock
        with impatient.unit_of_work() as uow:
            with pytest.raises(Conflict):
                uow.repository(CARDS).add(Card("c2", "blue"))
            assert uow.repository(CARDS).find("c1") is None  # reads go on
        holder.commit()
    storage.close()


@pytest.mark.postgres
def test_a_postgres_lock_timeout_is_a_conflict_and_the_unit_of_work_goes_on(
    postgres_url: str,
) -> None:
    storage = SqlAlchemyStorage(postgres_url, specs=[CARDS])
    with storage.unit_of_work() as uow:
        uow.repository(CARDS).add(Card("c1", "red"))
        uow.commit()
    url = sa.make_url(postgres_url)
    options = f"{url.query['options']} -c lock_timeout=100"
    impatient = SqlAlchemyStorage(
        url.update_query_dict({"options": options}).render_as_string(False)
    )
    with storage.unit_of_work() as holder:
        repo = holder.repository(CARDS)
        repo.save(attrs.evolve(repo.get("c1"), colour="green"))  # holds the row lock
        with impatient.unit_of_work() as uow:
            cards = uow.repository(CARDS)
            card = cards.get("c1")
            with pytest.raises(Conflict) as caught:
                cards.save(attrs.evolve(card, colour="blue"))
            assert "lock" in caught.value.reason
            # The savepoint kept the transaction usable.
            cards.add(Card("c2", "blue"))
            uow.commit()
        holder.commit()
    with storage.unit_of_work() as uow:
        assert [c.colour for c in uow.repository(CARDS).list()] == ["green", "blue"]
    storage.close()
    impatient.close()


@pytest.mark.postgres
def test_a_postgres_serialization_failure_is_a_conflict(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url, isolation_level="SERIALIZABLE")
    storage = SqlAlchemyStorage(engine, specs=[CARDS])
    with storage.unit_of_work() as uow:
        uow.repository(CARDS).add(Card("c1", "red"))
        uow.commit()
    with storage.unit_of_work() as first, storage.unit_of_work() as second:
        a = first.repository(CARDS)
        b = second.repository(CARDS)
        a_card, b_card = a.get("c1"), b.get("c1")  # both snapshots taken
        a.save(attrs.evolve(a_card, colour="green"))
        first.commit()
        with pytest.raises(Conflict) as caught:
            b.save(attrs.evolve(b_card, colour="blue"))
        assert "serializ" in caught.value.reason
    engine.dispose()


def test_a_unique_clash_on_save_names_the_index_and_the_unit_of_work_goes_on(
    tmp_path: Path,
) -> None:
    storage = SqlAlchemyStorage(f"sqlite:///{tmp_path / 'db.sqlite3'}", specs=[CARDS])
    _clash_on_save(storage)
    storage.close()


@pytest.mark.postgres
def test_a_unique_clash_on_save_names_the_index_and_the_unit_of_work_goes_on_postgres(
    postgres_url: str,
) -> None:
    storage = SqlAlchemyStorage(postgres_url, specs=[CARDS])
    _clash_on_save(storage)
    storage.close()


def _clash_on_save(storage: SqlAlchemyStorage) -> None:
    with storage.unit_of_work() as uow:
        repo = uow.repository(CARDS)
        repo.add(Card("c1", "red"))
        blue = repo.add(Card("c2", "blue"))
        with pytest.raises(Conflict) as caught:
            repo.save(attrs.evolve(blue, colour="red"))
        assert caught.value.field == "colour"
        repo.save(attrs.evolve(blue, colour="green"))
        uow.commit()
    with storage.unit_of_work() as uow:
        assert {c.id: c.colour for c in uow.repository(CARDS).list()} == {
            "c1": "red",
            "c2": "green",
        }


def test_a_long_kind_and_index_name_still_map_the_clash_to_the_index(tmp_path: Path) -> None:
    long = AggregateSpec(
        "a_kind_with_a_rather_long_name_for_a_table",
        Card,
        indexes=(Index("colour_of_the_card_as_printed_on_the_front", lambda c: c.colour, True),),
    )
    for storage in (SqlAlchemyStorage(f"sqlite:///{tmp_path / 'db.sqlite3'}", specs=[long]),):
        with storage.unit_of_work() as uow:
            repo = uow.repository(long)
            repo.add(Card("c1", "red"))
            with pytest.raises(Conflict) as caught:
                repo.add(Card("c2", "red"))
            assert caught.value.field == "colour_of_the_card_as_printed_on_the_front"
        storage.close()


# -- the package ----------------------------------------------------------------------------------


def test_importing_partnerkit_and_every_public_package_never_imports_sqlalchemy() -> None:
    code = (
        "import sys, pkgutil, importlib, partnerkit\n"
        "for info in pkgutil.iter_modules(partnerkit.__path__, 'partnerkit.'):\n"
        "    if not info.name.rpartition('.')[2].startswith('_'):\n"
        "        importlib.import_module(info.name)\n"
        "import partnerkit.storage, partnerkit.testing.contract, partnerkit.services\n"
        "extras = {'sqlalchemy', 'alembic', 'psycopg'}\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in extras)\n"
        "assert not leaked, leaked\n"
        "import partnerkit.storage.sqlalchemy\n"
        "assert 'sqlalchemy' in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_migrations_ship_inside_the_package_and_all_is_sorted() -> None:
    import partnerkit.storage.sqlalchemy as package

    assert Path(package.MIGRATIONS).is_relative_to(Path(package.__file__).parent)
    assert (Path(package.MIGRATIONS) / "partnerkit_0001_initial.py").is_file()
    names = list(package.__all__)
    assert names == sorted(
        names, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n)
    )
    assert SqlAlchemyStorage.__module__ == "partnerkit.storage.sqlalchemy"
