"""with_version: the stored aggregate with the backend's version, as attrs.evolve would make it.

A frozen slotted attrs class whose every slot is a plain field is copied
field by field (its validators already ran); any other class goes through
``attrs.evolve``, so a cached hash, a derived ``init=False`` field or a
subclass's own ``__init__`` come out as ``evolve`` makes them.
"""

from __future__ import annotations

import attrs
import pendulum
import pytest

from partnerkit.plans import Plan, PlanTemplate, Section, Task
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


@attrs.frozen
class Private:
    id: str
    _secret: int
    __mangled: int = 5
    version: int = 0


def test_private_and_mangled_fields_are_copied_as_evolve_copies_them() -> None:
    value = Private("a", secret=1)
    copy = with_version(value, 4)
    assert copy == attrs.evolve(value, version=4)
    assert (copy._secret, copy._Private__mangled, copy.version) == (1, 5, 4)  # type: ignore[attr-defined]


def test_a_field_named_like_a_keyword_goes_through_evolve() -> None:
    # attrs takes a keyword as a field name when an alias names the parameter; the copier
    # written out for it would not compile.
    keyworded = attrs.make_class(
        "Keyworded",
        {"id": attrs.field(), "from": attrs.field(alias="from_"),
         "version": attrs.field(default=0)},
        frozen=True, slots=True, repr=False, eq=False, order=False,
    )  # fmt: skip
    copy = with_version(keyworded("a", from_="x"), 3)
    assert (copy.id, getattr(copy, "from"), copy.version) == ("a", "x", 3)


def test_a_plan_is_copied_as_evolve_would_make_it() -> None:
    at = pendulum.datetime(2026, 3, 2, 9, tz="Europe/Berlin")
    sales = Section("sales", "Sales", tasks=[Task("forecast", "Share a forecast", due="q1")])
    template = PlanTemplate("t-1", "Reseller plan", sections=(sales,)).published_by("vera", at)
    plan, _ = Plan.assign(
        template, id="PL-1", partner_id="p-1", fiscal_year=2026, actor="vera", at=at
    )
    copy = with_version(plan, 9)
    assert copy == attrs.evolve(plan, version=9)
    assert repr(copy) == repr(attrs.evolve(plan, version=9))
