import sqlite3
from pathlib import Path
from typing import Any

import attrs
import pytest

from partnerkit.core.errors import Conflict, ValidationError
from partnerkit.storage import SCHEMA_VERSION, AggregateSpec, Index, MemoryStorage, SqliteStorage


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


def test_repositories_of_registered_specs_are_attributes_of_the_unit_of_work(
    tmp_path: Path,
) -> None:
    for storage in (
        MemoryStorage(specs=[CARDS]),
        SqliteStorage(tmp_path / "db.sqlite3", specs=[CARDS]),
    ):
        with storage.unit_of_work() as uow:
            uow.cards.add(Card("c1", "first"))
            assert uow.cards.get("c1").title == "first"
            with pytest.raises(AttributeError):
                _ = uow.decks


def test_both_backends_order_integers_before_text_in_one_index(tmp_path: Path) -> None:
    @attrs.frozen
    class Slot:
        id: str
        label: str | None
        version: int = 0

    def label(slot: Slot) -> int | str | None:
        # A mixed index: numeric labels are indexed as integers.
        return int(slot.label) if slot.label and slot.label.isdigit() else slot.label

    spec = AggregateSpec("slots", Slot, indexes=(Index("label", label),))
    slots = [Slot("s1", "b"), Slot("s2", "10"), Slot("s3", None), Slot("s4", "a"), Slot("s5", "2")]
    orders = []
    for storage in (MemoryStorage(), SqliteStorage(tmp_path / "db.sqlite3")):
        with storage.unit_of_work() as uow:
            repo = uow.repository(spec)
            for slot in slots:
                repo.add(slot)
            seen, cursor = [], None
            while True:
                page = repo.list(order_by="label", limit=2, cursor=cursor)
                seen += [s.id for s in page]
                if (cursor := page.next_cursor) is None:
                    break
            orders.append(seen)
    assert orders[0] == orders[1] == ["s3", "s5", "s2", "s4", "s1"]


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
