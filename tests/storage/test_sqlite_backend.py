import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from partnerkit.core.errors import Conflict, StorageError, ValidationError
from partnerkit.storage import (
    BUILTIN_SPECS,
    SCHEMA_VERSION,
    AggregateSpec,
    Index,
    MemoryStorage,
    Repository,
    SqliteStorage,
)


@attrs.frozen
class Card:
    id: str
    title: str
    colour: str | None = None
    version: int = 0


CARDS: AggregateSpec[Card] = AggregateSpec("cards", Card)


def _store(path: Path, spec: AggregateSpec[Card], *cards: Card) -> None:
    storage = SqliteStorage(path)
    with storage.unit_of_work() as uow:
        repo = uow.repository(spec)
        for card in cards:
            repo.add(card)
        uow.commit()


def test_database_opens_in_wal_mode_with_the_current_schema_version(tmp_path: Path) -> None:
    SqliteStorage(tmp_path / "db.sqlite3")
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_reopening_an_existing_database_keeps_its_rows(tmp_path: Path) -> None:
    _store(tmp_path / "db.sqlite3", CARDS, Card("c1", "first"))
    storage = SqliteStorage(tmp_path / "db.sqlite3")
    with storage.unit_of_work() as uow:
        assert uow.repository(CARDS).get("c1") == Card("c1", "first", version=1)


def test_each_aggregate_kind_gets_its_own_table_with_json_body_and_index_columns(
    tmp_path: Path,
) -> None:
    spec = AggregateSpec("cards", Card, indexes=(Index("colour", lambda c: c.colour),))
    _store(tmp_path / "db.sqlite3", spec, Card("c1", "first", "red"))
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(agg_cards)")]
        body, colour = conn.execute("SELECT body, idx_colour FROM agg_cards").fetchone()
    assert columns == ["id", "version", "schema", "body", "idx_colour"]
    assert colour == "red"
    assert '"title":"first"' in body


def test_an_index_added_later_is_back_filled_from_the_stored_bodies(tmp_path: Path) -> None:
    _store(tmp_path / "db.sqlite3", CARDS, Card("c1", "first", "red"), Card("c2", "b", "blue"))
    with_index = AggregateSpec("cards", Card, indexes=(Index("colour", lambda c: c.colour),))
    storage = SqliteStorage(tmp_path / "db.sqlite3")
    with storage.unit_of_work() as uow:
        found = uow.repository(with_index).list({"colour": "blue"})
    assert [c.id for c in found] == ["c2"]


def test_old_bodies_are_upgraded_on_read_by_the_spec_upgrades(tmp_path: Path) -> None:
    @attrs.frozen
    class OldCard:
        id: str
        name: str
        version: int = 0

    _store_old = SqliteStorage(tmp_path / "db.sqlite3")
    with _store_old.unit_of_work() as uow:
        uow.repository(AggregateSpec("cards", OldCard)).add(OldCard("c1", "renamed field"))
        uow.commit()

    def rename(body: dict[str, Any]) -> dict[str, Any]:
        body["title"] = body.pop("name")
        return body

    v2 = AggregateSpec("cards", Card, schema_version=2, upgrades={1: rename})
    storage = SqliteStorage(tmp_path / "db.sqlite3")
    with storage.unit_of_work() as uow:
        card = uow.repository(v2).get("c1")
        assert card == Card("c1", "renamed field", version=1)
        uow.repository(v2).save(card)
        uow.commit()
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        assert conn.execute("SELECT schema FROM agg_cards").fetchone()[0] == 2


def test_a_spec_without_upgrades_for_its_older_versions_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        AggregateSpec("cards", Card, schema_version=3, upgrades={1: lambda b: b})
    assert caught.value.paths == ("upgrades",)


def test_a_spec_names_every_problem_at_once() -> None:
    @attrs.frozen
    class NoVersion:
        key: str

    with pytest.raises(ValidationError) as caught:
        AggregateSpec("Bad Kind", NoVersion)
    assert set(caught.value.paths) == {"kind", "id_attr", "type"}


def test_a_second_process_sees_committed_rows(tmp_path: Path) -> None:
    import subprocess
    import sys

    _store(tmp_path / "db.sqlite3", CARDS, Card("c1", "first"))
    code = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
        "print(c.execute('SELECT count(*) FROM agg_cards').fetchone()[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "db.sqlite3")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "1"


@pytest.mark.parametrize("path", [":memory:", ""])
def test_sqlite_storage_refuses_an_in_memory_database(path: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SqliteStorage(path)
    assert caught.value.paths == ("path",)


def test_an_older_spec_without_an_index_leaves_the_unique_index_in_place(tmp_path: Path) -> None:
    @attrs.frozen
    class Account:
        id: str
        email: str
        version: int = 0

    new = AggregateSpec("accounts", Account, indexes=(Index("email", lambda a: a.email, True),))
    old = AggregateSpec("accounts", Account)
    path = tmp_path / "db.sqlite3"
    newer, older = SqliteStorage(path), SqliteStorage(path)
    with newer.unit_of_work() as uow:
        uow.repository(new).add(Account("a1", "a@x.example"))
        uow.commit()
    with older.unit_of_work() as uow:
        uow.repository(old).add(Account("a0", "other@x.example"))
        uow.commit()
    with newer.unit_of_work() as uow, pytest.raises(Conflict) as caught:
        uow.repository(new).add(Account("a2", "a@x.example"))
    assert caught.value.field == "email"


def test_making_an_index_unique_over_duplicate_rows_is_a_validation_error(tmp_path: Path) -> None:
    loose = AggregateSpec("cards", Card, indexes=(Index("colour", lambda c: c.colour),))
    strict = AggregateSpec("cards", Card, indexes=(Index("colour", lambda c: c.colour, True),))
    _store(tmp_path / "db.sqlite3", loose, Card("c1", "a", "red"), Card("c2", "b", "red"))
    storage = SqliteStorage(tmp_path / "db.sqlite3")
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as caught:
        uow.repository(strict)
    assert caught.value.errors[0].code == "duplicate"


def test_a_new_index_is_prepared_once_even_by_read_only_units_of_work(tmp_path: Path) -> None:
    _store(tmp_path / "db.sqlite3", CARDS, Card("c1", "a", "red"))
    with_index = AggregateSpec("cards", Card, indexes=(Index("colour", lambda c: c.colour),))
    storage = SqliteStorage(tmp_path / "db.sqlite3")
    with storage.unit_of_work() as uow:
        assert uow.repository(with_index).count({"colour": "red"}) == 1
    # The read-only unit of work ended without commit; the migration stayed done.
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        assert conn.execute("SELECT idx_colour FROM agg_cards").fetchone()[0] == "red"


def test_specs_get_their_tables_when_the_storage_opens(tmp_path: Path) -> None:
    SqliteStorage(tmp_path / "db.sqlite3", specs=[*BUILTIN_SPECS, CARDS])
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {f"agg_{spec.kind}" for spec in (*BUILTIN_SPECS, CARDS)} <= tables


def test_by_default_the_tables_of_partnerkits_own_kinds_are_made(tmp_path: Path) -> None:
    SqliteStorage(tmp_path / "db.sqlite3")
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {f"agg_{spec.kind}" for spec in BUILTIN_SPECS} <= tables
    assert "agg_cards" not in tables


def test_repositories_are_reached_through_their_spec_only(tmp_path: Path) -> None:
    for storage in (
        MemoryStorage(specs=[CARDS]),
        SqliteStorage(tmp_path / "db.sqlite3", specs=[CARDS]),
    ):
        with storage.unit_of_work() as uow:
            uow.repository(CARDS).add(Card("c1", "first"))
            assert uow.repository(CARDS).get("c1").title == "first"
            with pytest.raises(AttributeError):
                _ = uow.cards  # type: ignore[union-attr]


def test_an_index_holds_only_its_declared_type(tmp_path: Path) -> None:
    @attrs.frozen
    class Slot:
        id: str
        label: str | None
        version: int = 0

    def label(slot: Slot) -> int | str | None:
        return int(slot.label) if slot.label and slot.label.isdigit() else slot.label

    spec = AggregateSpec("slots", Slot, indexes=(Index("label", label),))
    for storage in (MemoryStorage(), SqliteStorage(tmp_path / "db.sqlite3")):
        with storage.unit_of_work() as uow:
            repo = uow.repository(spec)
            repo.add(Slot("s1", "b"))
            with pytest.raises(ValidationError) as raised:
                repo.add(Slot("s2", "10"))
            assert raised.value.errors[0].path == "label"
            with pytest.raises(ValidationError) as raised:
                repo.list({"label": 10})
            assert raised.value.errors[0].path == "where.label"
            assert [s.id for s in repo.list()] == ["s1"]


def test_integer_indexes_order_by_value_and_text_by_code_point(tmp_path: Path) -> None:
    @attrs.frozen
    class Slot:
        id: str
        label: str | None
        rank: int | None
        version: int = 0

    spec = AggregateSpec(
        "slots",
        Slot,
        indexes=(Index("label", lambda s: s.label), Index("rank", lambda s: s.rank, type=int)),
    )
    slots = [
        Slot("s1", "b", 10),
        Slot("s2", "B", -3),
        Slot("s3", None, None),
        Slot("s4", "\u00e9", 2),
        Slot("s5", "a", 2**40),
        Slot("s6", "\U0001f600", None),
    ]
    for storage in (MemoryStorage(), SqliteStorage(tmp_path / "db.sqlite3")):
        with storage.unit_of_work() as uow:
            repo = uow.repository(spec)
            for slot in slots:
                repo.add(slot)
            orders = {}
            for index in ("label", "rank"):
                seen, cursor = [], None
                while True:
                    page = repo.list(order_by=index, limit=2, cursor=cursor)
                    seen += [s.id for s in page]
                    if (cursor := page.next_cursor) is None:
                        break
                orders[index] = seen
        assert orders["label"] == ["s3", "s2", "s5", "s1", "s4", "s6"]
        assert orders["rank"] == ["s3", "s6", "s2", "s4", "s1", "s5"]


def test_an_index_type_other_than_str_or_int_is_refused() -> None:
    with pytest.raises(ValidationError) as raised:
        Index("when", lambda c: c, type=float)  # type: ignore[arg-type]
    assert raised.value.errors[0].path == "type"


def _bump_many(path: str, times: int) -> None:
    storage = SqliteStorage(path)
    done = 0
    while done < times:
        try:
            with storage.unit_of_work() as uow:
                repo = uow.repository(CARDS)
                card = repo.get("counter")
                repo.save(attrs.evolve(card, title=str(int(card.title) + 1)))
                uow.commit()
            done += 1
        except Conflict:
            continue  # someone else saved first: read again and retry


def test_several_processes_updating_one_row_lose_no_update(tmp_path: Path) -> None:
    import multiprocessing

    path = str(tmp_path / "db.sqlite3")
    _store(Path(path), CARDS, Card("counter", "0"))
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_bump_many, args=(path, 25)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    with SqliteStorage(path).unit_of_work() as uow:
        counter = uow.repository(CARDS).get("counter")
    assert (counter.title, counter.version) == ("75", 76)


def test_a_database_failure_that_is_no_conflict_is_a_storage_error_with_the_cause(
    tmp_path: Path,
) -> None:
    storage = SqliteStorage(tmp_path / "db.sqlite3", specs=[CARDS])
    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        conn.execute("DROP TABLE agg_cards")  # behind the storage's back
    works: list[Callable[[Repository[Card]], object]] = [
        lambda repo: repo.find("c1"),
        lambda repo: repo.list(),
        lambda repo: repo.count(),
        lambda repo: repo.add(Card("c1", "first")),
    ]
    for work in works:
        with storage.unit_of_work() as uow, pytest.raises(StorageError) as raised:
            work(uow.repository(CARDS))
        assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
        assert "no such table" in str(raised.value)


def test_a_file_that_is_no_database_is_refused_at_path(tmp_path: Path) -> None:
    path = tmp_path / "not-a-db.sqlite3"
    path.write_bytes(b"this is not a database file" * 100)
    with pytest.raises(ValidationError) as raised:
        SqliteStorage(path)
    assert [(e.path, e.code) for e in raised.value.errors] == [("path", "invalid")]
    assert "not a database" in str(raised.value)


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_an_index_a_later_spec_adds_is_filled_from_the_stored_rows(
    backend: str, tmp_path: Path
) -> None:
    plain = AggregateSpec("cards", Card)
    by_colour = AggregateSpec("cards", Card, indexes=(Index("colour", lambda c: c.title),))
    unique = AggregateSpec(
        "cards", Card, indexes=(Index("colour", lambda c: c.title, unique=True),)
    )
    storage: MemoryStorage | SqliteStorage = (
        MemoryStorage() if backend == "memory" else SqliteStorage(tmp_path / "db.sqlite3")
    )
    with storage.unit_of_work() as uow:
        for id, title in (("a", "red"), ("b", "red"), ("c", "blue")):
            uow.repository(plain).add(Card(id, title))
        uow.commit()
    with storage.unit_of_work() as uow:
        cards = uow.repository(by_colour)
        assert cards.count({"colour": "red"}) == 2
        assert [c.id for c in cards.list(order_by="colour")] == ["c", "a", "b"]
        with pytest.raises(ValidationError) as raised:
            uow.repository(unique)
    assert [(e.path, e.code) for e in raised.value.errors] == [("indexes.colour", "duplicate")]


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_an_index_whose_type_changes_is_filled_again(backend: str, tmp_path: Path) -> None:
    @attrs.frozen
    class Doc:
        id: str
        size: str
        version: int = 0

    as_text = AggregateSpec("docs", Doc, indexes=(Index("size", lambda d: d.size),))
    as_int = AggregateSpec("docs", Doc, indexes=(Index("size", lambda d: int(d.size), type=int),))
    storage: MemoryStorage | SqliteStorage = (
        MemoryStorage() if backend == "memory" else SqliteStorage(tmp_path / "db.sqlite3")
    )
    with storage.unit_of_work() as uow:
        for id, size in (("d1", "10"), ("d2", "3")):
            uow.repository(as_text).add(Doc(id, size))
        uow.commit()
    with storage.unit_of_work() as uow:
        docs = uow.repository(as_int)
        assert [d.id for d in docs.list(order_by="size")] == ["d2", "d1"]  # 3 < 10 as numbers
        assert docs.count({"size": 3}) == 1
