"""The ids of a segment's partners, read without the partners where storage can, are its ids.

``partner_ids_in`` answers a segment of indexed filters from the storage's
ids alone (``ids(where)``); whatever the segment, the storage and the
actor's reach, it must give the ids ``partners_in`` gives.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerkit.core.errors import PermissionDenied
from partnerkit.partners import (
    PARTNER_ACCOUNT_MANAGER,
    PROGRAM_ADMINISTRATOR,
    Actor,
    Partner,
    PartnerFilter,
)
from partnerkit.services import Context
from partnerkit.services._segments import partner_ids_in, partners_in
from partnerkit.storage import PARTNERS, MemoryStorage, SqliteStorage, Storage, UnitOfWork
from partnerkit.storage.sqlalchemy import SqlAlchemyStorage
from partnerkit.testing import FixedClock, make_program

PROGRAM = make_program(key="segments", currency="EUR", timezone="Europe/London")
CLOCK = FixedClock(pendulum.datetime(2026, 3, 2, 9, tz="Europe/London"))
VENDOR = Context(Actor("vera", PROGRAM_ADMINISTRATOR), CLOCK, PROGRAM)
PERMISSION = "view_dashboard"  # held by account managers too: their reach narrows the ids

_PARTNERS = st.lists(
    st.builds(
        lambda i, kind, region, tier, industry, manager, stage: Partner(
            f"p{i:03d}",
            f"Partner {i}",
            f"p{i}.example",
            kind,
            region=region,
            tier=tier,
            industry=industry,
            account_manager=manager,
            stage=stage,
        ),
        st.integers(0, 400),
        st.sampled_from(["reseller", "referral"]),
        st.sampled_from(["EMEA", "APAC", ""]),
        st.sampled_from(["gold", "silver", ""]),
        st.sampled_from(["retail", ""]),
        st.sampled_from(["pam", "tom", ""]),
        st.sampled_from(["recruited", "active"]),
    ),
    max_size=25,
    unique_by=lambda p: p.id,
)
_SEGMENTS = st.builds(
    PartnerFilter,
    partner_types=st.frozensets(st.sampled_from(["reseller", "referral"])),
    regions=st.frozensets(st.sampled_from(["EMEA", "APAC", ""])),
    tiers=st.frozensets(st.sampled_from(["gold", "silver", ""])),
    industries=st.frozensets(st.sampled_from(["retail", ""]), max_size=1),
    stages=st.frozensets(st.sampled_from(["recruited", "active"])),
    account_managers=st.frozensets(st.sampled_from(["pam", "tom"])),
    # No partner user is stored: a certification leaves no partner in the segment.
    certification=st.sampled_from([None, None, "sales"]),
)
_ACTORS = st.sampled_from(
    [
        Actor("vera", PROGRAM_ADMINISTRATOR),
        Actor("pam", PARTNER_ACCOUNT_MANAGER, managed_partner_ids={"p001", "p002", "p007"}),
        Actor("tim", PARTNER_ACCOUNT_MANAGER, managed_partner_ids=set()),
    ]
)


class _Only:
    """A unit of work whose repositories have only the methods named (a host's, say)."""

    def __init__(self, uow: UnitOfWork, *methods: str) -> None:
        self._uow = uow
        self._methods = methods

    def repository(self, spec: Any) -> Any:
        inner = self._uow.repository(spec)
        methods = {name: staticmethod(getattr(inner, name)) for name in self._methods}
        return type("Only", (), methods)()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._uow, name)


def _check(storage: Storage, partners: list[Partner], segment: PartnerFilter, actor: Actor) -> None:
    ctx = Context(actor, CLOCK, PROGRAM)
    with storage.unit_of_work() as uow:
        for partner in partners:
            uow.repository(PARTNERS).add(partner)
        uow.commit()
    with storage.unit_of_work() as uow:
        expected = [p.id for p in partners_in(uow, ctx, segment, PERMISSION)]
        assert partner_ids_in(uow, ctx, segment, PERMISSION) == expected
        without: Any = _Only(uow, "list")  # no ids(where): the partners are read
        assert partner_ids_in(without, ctx, segment, PERMISSION) == expected


@settings(max_examples=120, deadline=None)
@given(_PARTNERS, _SEGMENTS, _ACTORS)
def test_the_ids_are_the_segments_partners_ids_on_memory(
    partners: list[Partner], segment: PartnerFilter, actor: Actor
) -> None:
    _check(MemoryStorage(), partners, segment, actor)


_FILES: dict[str, Callable[[Path], Storage]] = {
    "sqlite": SqliteStorage,
    "sqlalchemy": lambda path: SqlAlchemyStorage(f"sqlite:///{path}"),
}


@pytest.mark.parametrize("backend", sorted(_FILES))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(partners=_PARTNERS, segment=_SEGMENTS, actor=_ACTORS)
def test_the_ids_are_the_segments_partners_ids_in_a_file(
    tmp_path: Path, backend: str, partners: list[Partner], segment: PartnerFilter, actor: Actor
) -> None:
    path = tmp_path / f"segments-{backend}.db"
    path.unlink(missing_ok=True)
    _check(_FILES[backend](path), partners, segment, actor)


def test_an_index_only_segment_reads_no_partner() -> None:
    storage = MemoryStorage()
    partners = [
        Partner(f"p{i}", f"P {i}", f"p{i}.example", "reseller", region="EMEA") for i in range(5)
    ]
    with storage.unit_of_work() as uow:
        for partner in partners:
            uow.repository(PARTNERS).add(partner)
        uow.commit()
    with storage.unit_of_work() as uow:
        ids_only: Any = _Only(uow, "ids")  # a listing of partners would fail
        found = partner_ids_in(ids_only, VENDOR, PartnerFilter(regions="EMEA"), PERMISSION)
    assert found == [p.id for p in partners]


def test_an_actor_without_the_permission_is_refused_before_storage_is_asked() -> None:
    class Closed:
        def repository(self, spec: object) -> object:
            raise RuntimeError("the unit of work is closed")

    partner_user = Context(Actor("ada", "administrator", partner_id="p001"), CLOCK, PROGRAM)
    closed: Any = Closed()
    with pytest.raises(PermissionDenied):
        partner_ids_in(closed, partner_user, PartnerFilter(), "create_plans")
