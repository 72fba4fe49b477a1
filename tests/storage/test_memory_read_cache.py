"""The memory backend hands out one decoded value for rows read again, only when it is immutable."""

from __future__ import annotations

from decimal import Decimal
from typing import TypeVar

import attrs
import pendulum

from partnerkit.core import Money
from partnerkit.storage import AggregateSpec, MemoryStorage
from partnerkit.testing.contract import CONTRACT_NOTES, ContractNote


@attrs.frozen
class Frozen:
    id: str
    price: Money
    at: pendulum.DateTime
    tags: tuple[str, ...] = ()
    version: int = 0


@attrs.frozen
class HoldsADict:
    id: str
    labels: dict[str, str] = attrs.field(factory=dict)
    version: int = 0


@attrs.define
class Mutable:
    id: str
    name: str = ""
    version: int = 0


FROZEN = AggregateSpec("cache_frozen", Frozen)
HOLDS_A_DICT = AggregateSpec("cache_dicts", HoldsADict)
MUTABLE = AggregateSpec("cache_mutable", Mutable)
AT = pendulum.datetime(2026, 11, 23, 9, tz="Europe/Paris")


T = TypeVar("T")


def _store(storage: MemoryStorage, spec: AggregateSpec[T], value: T) -> None:
    with storage.unit_of_work() as uow:
        uow.repository(spec).add(value)
        uow.commit()


def _read(storage: MemoryStorage, spec: AggregateSpec[T], id: str) -> T:
    with storage.unit_of_work() as uow:
        return uow.repository(spec).get(id)


def test_an_immutable_aggregate_read_again_is_shared_and_equal() -> None:
    storage = MemoryStorage()
    value = Frozen("a", Money(Decimal("12.50"), "EUR"), AT, ("x", "y"))
    _store(storage, FROZEN, value)
    first, second, third = (_read(storage, FROZEN, "a") for _ in range(3))
    assert first == second == third == attrs.evolve(value, version=1)
    assert first is not second  # the first read is not worth the check
    assert second is third


def test_listing_reads_share_the_same_value() -> None:
    storage = MemoryStorage()
    _store(storage, CONTRACT_NOTES, ContractNote("n1", "first"))
    _read(storage, CONTRACT_NOTES, "n1")
    shared = _read(storage, CONTRACT_NOTES, "n1")
    with storage.unit_of_work() as uow:
        assert uow.repository(CONTRACT_NOTES).list().items[0] is shared


def test_a_new_version_is_read_afresh() -> None:
    storage = MemoryStorage()
    _store(storage, CONTRACT_NOTES, ContractNote("n1", "first"))
    for _ in range(3):
        note = _read(storage, CONTRACT_NOTES, "n1")
    with storage.unit_of_work() as uow:
        uow.repository(CONTRACT_NOTES).save(attrs.evolve(note, rank=7))
        uow.commit()
    after = _read(storage, CONTRACT_NOTES, "n1")
    assert (after.rank, after.version) == (7, 2)


def test_a_value_holding_a_dict_is_decoded_for_every_reader() -> None:
    storage = MemoryStorage()
    _store(storage, HOLDS_A_DICT, HoldsADict("d", {"k": "v"}))
    reads = [_read(storage, HOLDS_A_DICT, "d") for _ in range(3)]
    reads[1].labels["k"] = "changed by a careless reader"
    again = _read(storage, HOLDS_A_DICT, "d")
    assert again.labels == {"k": "v"}
    assert again is not reads[2]


def test_a_mutable_aggregate_is_decoded_for_every_reader() -> None:
    storage = MemoryStorage()
    _store(storage, MUTABLE, Mutable("m", "before"))
    reads = [_read(storage, MUTABLE, "m") for _ in range(3)]
    reads[2].name = "changed in memory only"
    assert _read(storage, MUTABLE, "m").name == "before"


@attrs.define
class FrozenIdOnly:
    id: str = attrs.field(on_setattr=attrs.setters.frozen)
    name: str = ""
    version: int = 0


FROZEN_ID_ONLY = AggregateSpec("cache_frozen_id", FrozenIdOnly)


def test_a_mutable_aggregate_with_a_frozen_id_is_read_again_and_never_shared() -> None:
    storage = MemoryStorage()
    _store(storage, FROZEN_ID_ONLY, FrozenIdOnly("f", "before"))
    reads = [_read(storage, FROZEN_ID_ONLY, "f") for _ in range(3)]
    assert reads[2] == FrozenIdOnly("f", "before", version=1)
    reads[2].name = "changed in memory only"
    assert _read(storage, FROZEN_ID_ONLY, "f").name == "before"


@attrs.frozen
class Renamed:
    id: str
    title: str
    version: int = 0


def _rename(body: dict[str, object]) -> dict[str, object]:
    body["title"] = body.pop("slug")
    del body["tag"], body["rank"]
    return body


def test_a_newer_spec_of_the_same_kind_upgrades_rows_another_spec_has_read() -> None:
    storage = MemoryStorage()
    _store(storage, CONTRACT_NOTES, ContractNote("n1", "first"))
    for _ in range(3):
        _read(storage, CONTRACT_NOTES, "n1")
    newer = AggregateSpec(CONTRACT_NOTES.kind, Renamed, schema_version=2, upgrades={1: _rename})
    for _ in range(3):
        assert _read(storage, newer, "n1") == Renamed("n1", "first", version=1)
    assert _read(storage, CONTRACT_NOTES, "n1") == ContractNote("n1", "first", version=1)


@attrs.frozen
class Box:
    """Frozen by its hints; the host's hook below builds it holding a list all the same."""

    items: tuple[str, ...] = ()


@attrs.frozen
class HoldsABox:
    id: str
    box: Box = Box()
    version: int = 0


def _sorted(tags: tuple[str, ...]) -> list[str]:
    return sorted(tags)


@attrs.frozen
class Sorts:
    id: str
    tags: tuple[str, ...] = attrs.field(default=(), converter=_sorted)  # a list, whatever the hint
    version: int = 0


def _three_reads_not_shared(spec: AggregateSpec[T], value: T, id: str) -> None:
    storage = MemoryStorage()
    _store(storage, spec, value)
    reads = [_read(storage, spec, id) for _ in range(3)]
    assert reads[1] is not reads[2]


def test_a_value_a_hook_or_converter_makes_mutable_is_never_shared() -> None:
    from partnerkit.core import converter

    def box(data: dict[str, list[str]], _: object) -> Box:
        made = Box()
        object.__setattr__(made, "items", list(data["items"]))  # what the hints do not say
        return made

    previous = converter.get_structure_hook(Box)
    converter.register_structure_hook(Box, box)
    try:
        _three_reads_not_shared(
            AggregateSpec("cache_hooked_box", HoldsABox), HoldsABox("b", Box(("x",))), "b"
        )
    finally:
        converter.register_structure_hook(Box, previous)
    _three_reads_not_shared(AggregateSpec("cache_sorted", Sorts), Sorts("s", ("y", "x")), "s")
