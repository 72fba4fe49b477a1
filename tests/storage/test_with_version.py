"""with_version: the stored aggregate with the backend's version, as attrs.evolve would make it.

A frozen slotted attrs class whose every slot is a plain field is copied
field by field (its validators already ran); any other class goes through
``attrs.evolve``, so a cached hash, a derived ``init=False`` field or a
subclass's own ``__init__`` come out as ``evolve`` makes them.
"""

from __future__ import annotations

import attrs
import pytest

from partnerkit.plans import Plan
from partnerkit.storage import AggregateSpec, MemoryStorage
from partnerkit.storage._common import with_version


@attrs.frozen
class Plain:
    id: str
    version: int = 0
    tags: tuple[str, ...] = ()


@attrs.frozen(cache_hash=True)
class CachedHash:
    id: str
    version: int = 0


@attrs.frozen
class Derived:
    id: str
    version: int = 0
    etag: str = attrs.field(
        init=False, default=attrs.Factory(lambda s: f"{s.id}-v{s.version}", takes_self=True)
    )


@attrs.frozen
class Unset:
    id: str
    version: int = 0
    note: str = attrs.field(init=False)


class Subclass(Plain):
    """A plain subclass whose own __init__ normalizes the id."""

    def __init__(self, id: str, version: int = 0, tags: tuple[str, ...] = ()) -> None:
        super().__init__(id.lower(), version, tags)


@pytest.mark.parametrize(
    "value",
    [Plain("a", 0, ("x",)), CachedHash("a"), Derived("a"), Subclass("A")],
    ids=["plain", "cache_hash", "derived", "subclass"],
)
def test_like_evolve(value: Plain | CachedHash | Derived) -> None:
    copy = with_version(value, 3)
    expected = attrs.evolve(value, version=3)
    assert type(copy) is type(expected)
    assert copy == expected
    assert repr(copy) == repr(expected)
    assert hash(copy) == hash(expected)
    assert value.version == 0  # the original is untouched


def test_a_field_never_set_stays_unset_as_evolve_leaves_it() -> None:
    copy = with_version(Unset("a"), 1)
    assert (copy.id, copy.version) == ("a", 1)
    with pytest.raises(AttributeError):
        copy.note  # noqa: B018 - reading it is the test


@pytest.mark.parametrize("cls", [CachedHash, Derived])
def test_the_memory_backend_returns_what_it_reads_back(cls: type) -> None:
    spec: AggregateSpec[object] = AggregateSpec(f"host_{cls.__name__.lower()}", cls)
    storage = MemoryStorage(specs=[spec])
    with storage.unit_of_work() as uow:
        added = uow.repository(spec).add(cls("d-1"))
        uow.commit()
    with storage.unit_of_work() as uow:
        read = uow.repository(spec).find("d-1")
    assert added == read
    assert {added, read} == {read}  # hashable, and equal hashes


def test_partnerkit_aggregates_take_the_copy_path() -> None:
    from partnerkit.storage._common import _copied_fields

    fields = _copied_fields(Plan)
    assert fields is not None
    assert "version" not in fields


def test_the_copy_keeps_every_field_of_a_plan() -> None:
    from partnerkit.storage._common import _copied_fields

    value = Plain("a", 0, ("x", "y"))
    copy = with_version(value, 7)
    assert (copy.id, copy.tags, copy.version) == ("a", ("x", "y"), 7)
    assert _copied_fields(Plan) is not None  # the same path for partnerkit's aggregates
