"""to_stored_dict: the storage encoding's to_dict, making each frozen tuple's form once.

The form of a deeply frozen tuple met again is reused by the storage path
only; :func:`to_dict` always builds new data (callers may change it), and
a tuple holding something mutable is unstructured afresh every time.
``frozen_type`` says from a type's hints alone whether the values
``from_dict`` builds as it are deeply frozen (the memory backend's cache).
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum, Flag
from typing import Any, Literal

import attrs
import pendulum

from partnerkit.core import Money, from_dict, to_dict
from partnerkit.core._serialization import deeply_frozen, frozen_type, to_stored_dict
from partnerkit.partners import Partner
from partnerkit.plans import Objective, ObjectiveKind, PeriodTarget, Plan, PlanTemplate, Section
from partnerkit.plans._plan import PlanAuditEntry
from partnerkit.storage import BUILTIN_SPECS

AT = pendulum.datetime(2026, 1, 5, 9, tz="Europe/London")
SALES = Section(
    "sales",
    "Sales",
    objectives=[
        Objective(
            "arr",
            "New ARR",
            ObjectiveKind.NEW_ARR,
            [PeriodTarget(q, Money("25000", "EUR")) for q in ("q1", "q2", "q3", "q4")],
        )
    ],
)


def assigned() -> Plan:
    template = PlanTemplate("t-1", "Reseller plan", sections=(SALES,)).published_by("vera", AT)
    plan, _ = Plan.assign(
        template, id="PL-1", partner_id="p-1", fiscal_year=2026, actor="vera", at=AT
    )
    return plan


@attrs.frozen
class Item:
    """A frozen value with a mutable part: never shared."""

    name: str
    tags: list[str]


@attrs.frozen
class Holder:
    """An aggregate-like value holding a tuple of items."""

    id: str
    items: tuple[Item, ...]


def test_stored_forms_equal_to_dict_every_time() -> None:
    plan = assigned()
    other = attrs.evolve(plan, id="PL-2")
    expected = to_dict(plan)
    for _ in range(3):
        assert to_stored_dict(plan) == expected
        assert to_stored_dict(other) == {**expected, "id": "PL-2"}


def test_to_dict_never_hands_out_a_reused_form() -> None:
    plan = assigned()
    for _ in range(3):
        to_stored_dict(plan)
    mine = to_dict(plan)
    assert mine["sections"] is not to_stored_dict(plan)["sections"]
    mine["sections"][0]["title"] = "changed"
    mine["sections"].clear()
    assert to_stored_dict(plan)["sections"] == to_dict(plan)["sections"] != []
    assert to_stored_dict(plan)["sections"][0]["title"] == "Sales"


def test_a_tuple_holding_something_mutable_is_unstructured_afresh() -> None:
    holder = Holder("h", (Item("a", ["x"]),))
    assert not deeply_frozen(holder.items)
    for _ in range(3):
        assert to_stored_dict(holder) == {"id": "h", "items": [{"name": "a", "tags": ["x"]}]}
    holder.items[0].tags.append("y")
    assert to_stored_dict(holder)["items"] == [{"name": "a", "tags": ["x", "y"]}]


def test_deeply_frozen_values() -> None:
    plan = assigned()
    assert deeply_frozen(plan.sections)
    assert deeply_frozen(plan.audit)
    assert isinstance(plan.audit[0], PlanAuditEntry)
    assert not deeply_frozen(([],))
    assert isinstance(plan, Plan)


def test_instants_that_compare_equal_keep_their_own_text() -> None:
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    first = datetime(2026, 10, 25, 2, 30, tzinfo=berlin)  # the repeated hour: CEST, then CET
    second = first.replace(fold=1)
    assert first == second  # same tzinfo: compared by wall time
    summer = datetime(2026, 7, 1, 12, tzinfo=berlin)
    utc = datetime(2026, 7, 1, 10, tzinfo=timezone.utc)
    fixed = utc.astimezone(timezone(timedelta(hours=2)))
    assert summer == utc == fixed
    values = (first, second, summer, utc, fixed)
    texts = [to_dict(v) for v in values + values]
    assert texts[:5] == [
        "2026-10-25T02:30:00+02:00[Europe/Berlin]",
        "2026-10-25T02:30:00+01:00[Europe/Berlin]",
        "2026-07-01T12:00:00+02:00[Europe/Berlin]",
        "2026-07-01T10:00:00+00:00",
        "2026-07-01T12:00:00+02:00",
    ]
    assert texts[5:] == texts[:5]
    # The same object written again in a row (a use case's pinned instant) keeps its text;
    # an equal one written next still gets its own.
    again = [to_dict(v) for v in (first, first, second, second, first, utc, fixed, fixed)]
    assert again == [texts[i] for i in (0, 0, 1, 1, 0, 3, 4, 4)]


def test_an_instant_in_a_zone_of_a_hosts_own_class_is_written_afresh_every_time() -> None:
    # A subclass of a zone class may work its offset out from state: no text is kept for it.
    from datetime import datetime

    class Shifted(pendulum.FixedTimezone):
        moved = pendulum.duration(hours=1)

        def utcoffset(self, dt: object) -> Any:
            return self.moved

    zone = Shifted(3600)
    instant = datetime(2026, 7, 1, 12, tzinfo=zone)
    first = to_dict(instant)
    zone.moved = pendulum.duration(hours=2)
    assert (first, to_dict(instant)) == ("2026-07-01T12:00:00+01:00", "2026-07-01T12:00:00+02:00")


# frozen_type: whether the values from_dict builds as a type are deeply frozen, by its hints.


class Colour(Enum):
    RED = "red"


class Bits(Flag):
    A = 1


@attrs.frozen
class Leaf:
    name: str
    amount: Decimal | None = None
    colour: Colour = Colour.RED
    kind: Literal["a", "b"] = "a"


@attrs.frozen
class Tree:
    leaves: tuple[Leaf, ...] = ()
    pair: tuple[int, str] = (1, "x")
    tags: frozenset[str] = frozenset()
    parent: Tree | None = None  # a class that names itself


@attrs.frozen
class WithList:
    items: list[str] = attrs.field(factory=list)


@attrs.frozen
class WithAny:
    value: Any = None


@attrs.define
class Mutable:
    name: str = ""


@attrs.frozen
class HoldsMutable:
    inner: Mutable = attrs.field(factory=Mutable)


def test_frozen_hints_are_frozen() -> None:
    for t in (str, int, Decimal, Colour, Leaf, Tree, tuple[Leaf, ...], Leaf | None):
        assert frozen_type(t), t


def test_anything_that_can_change_or_is_unknown_is_not() -> None:
    for t in (list[str], dict[str, int], WithList, WithAny, Mutable, HoldsMutable, Bits, Any,
              tuple, "Leaf"):  # fmt: skip
        assert not frozen_type(t), t


def test_the_stored_kinds_that_say_frozen_decode_to_deeply_frozen_values() -> None:
    plan = assigned()
    partner = Partner("p-1", "Acme", "acme.example", "reseller", region="EMEA")
    for value in (plan, partner):
        assert frozen_type(type(value))
        assert deeply_frozen(from_dict(type(value), to_dict(value)))
    assert {s.kind for s in BUILTIN_SPECS if frozen_type(s.type)} >= {"plans", "partners"}


@attrs.frozen
class Team:
    lead: Member | None = None
    tags: list[str] = attrs.field(factory=list)


@attrs.frozen
class Member:
    team: Team | None = None


@attrs.frozen
class Sorted:
    tags: tuple[str, ...] = attrs.field(default=(), converter=sorted)  # a list, whatever the hint


@attrs.frozen
class Seen:
    id: str = ""
    seen: tuple[str, ...] = attrs.field(init=False, factory=tuple)


def test_a_cycle_through_a_mutable_type_is_never_frozen_whichever_is_asked_first() -> None:
    # Asking Team first once left Member cached as frozen (its answer assumed Team's).
    from partnerkit.core import _serialization

    for first, second in ((Team, Member), (Member, Team)):
        _serialization._FROZEN_TYPES.pop(Team, None)
        _serialization._FROZEN_TYPES.pop(Member, None)
        assert not frozen_type(first)
        assert not frozen_type(second)


def test_converters_and_fields_init_does_not_set_are_not_trusted() -> None:
    assert not frozen_type(Sorted)
    assert not frozen_type(Seen)
    assert frozen_type(Partner)  # no converter
    assert frozen_type(PlanTemplate)  # converted by as_tuple, marked frozen_converter
