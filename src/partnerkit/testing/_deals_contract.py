"""Storage contract cases for prospects and deal registrations (the ``deals`` area)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any, cast

import attrs
import pendulum
import pytest

from partnerkit.addresses import Address
from partnerkit.contacts import Contact
from partnerkit.core import Money
from partnerkit.core.errors import Conflict
from partnerkit.deals import (
    CompanySection,
    DealRegistration,
    OpportunitySection,
    PartnerSection,
    Prospect,
    RegistrationForm,
    new_registration,
)
from partnerkit.partners import PROGRAM_ADMINISTRATOR, USER, Actor, Partner
from partnerkit.program import Program
from partnerkit.services import Context, approve_deal, register_deal
from partnerkit.storage import (
    DEAL_REGISTRATIONS,
    PARTNER_USERS,
    PARTNERS,
    PROSPECTS,
    AggregateSpec,
    Storage,
    UnitOfWork,
)
from partnerkit.testing._clocks import FixedClock
from partnerkit.testing._fixtures import StorageFixtures, race_to_create

__all__ = ["DealsContract"]


class _SavesAfterBarrier:
    """A host's unit of work whose registration saves wait until both racers have read."""

    def __init__(self, inner: UnitOfWork, barrier: threading.Barrier) -> None:
        self._inner = inner
        self._barrier = barrier

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def repository(self, spec: AggregateSpec[Any]) -> Any:
        repository = self._inner.repository(spec)
        if spec.kind != DEAL_REGISTRATIONS.kind:
            return repository
        barrier = self._barrier

        class _Held:
            def __getattr__(self, name: str) -> Any:
                return getattr(repository, name)

            def save(self, aggregate: Any) -> Any:
                barrier.wait()  # both have read the registration before either writes
                return repository.save(aggregate)

        return _Held()


_AT = pendulum.datetime(2026, 11, 23, 9, tz="Europe/London")
_VENDOR = Actor("vendor-admin", PROGRAM_ADMINISTRATOR)
_PROGRAM = Program(
    key="contract", name="Contract program", currency="GBP", timezone="Europe/London"
)


def _form(domain: str, product: str = "email-security") -> RegistrationForm:
    return RegistrationForm(
        CompanySection("Acme Ltd", domain),
        PartnerSection("Jo Bloggs", "+442071838750", "Northwind", "deals@northwind.example"),
        Contact(
            "Ada",
            "Lovelace",
            "ada@acme.example",
            "+442079460958",
            "CIO",
            "decision_maker",
            Address("GB", "1 Main St", city="LONDON", postal_code="EC1Y 8SY"),
        ),
        OpportunitySection(
            product,
            250,
            Money("12000.50", "GBP"),
            date(2027, 3, 31),
            True,
            "high",
            "Too much spam.\nThe archive is full.",
            date(2026, 12, 2),
            "microsoft_365",
        ),
    )


def _deal(number: str, partner_id: str, prospect: Prospect, product: str) -> DealRegistration:
    deal, _ = new_registration(
        number, partner_id, prospect, _form(prospect.domain, product), "rep", _AT
    )
    return deal


class DealsContract(StorageFixtures):
    """Contract cases for prospects and deal registrations (their two storage specs)."""

    def test_a_registration_with_every_section_and_its_trail_round_trips(
        self, storage: Storage
    ) -> None:
        prospect = Prospect("PR-1", "Acme Ltd", "acme.example", _AT, "rep")
        deal = _deal("DR-2026-000001", "p1", prospect, "email-security")
        deal, _ = deal.approve("vendor", _AT.add(hours=1))
        deal, _ = deal.request_extension("rep", _AT.add(hours=2), "board moved")
        with storage.unit_of_work() as uow:
            uow.repository(PROSPECTS).add(prospect)
            uow.repository(DEAL_REGISTRATIONS).add(deal)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.repository(PROSPECTS).get("PR-1").domain == "acme.example"
            stored = uow.repository(DEAL_REGISTRATIONS).get(deal.id)
        assert stored == attrs.evolve(deal, version=1)

    def test_two_prospects_never_share_a_domain(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            uow.repository(PROSPECTS).add(Prospect("PR-1", "Acme", "acme.example", _AT, "a"))
            uow.commit()
        with storage.unit_of_work() as uow:
            prospects = uow.repository(PROSPECTS)
            with pytest.raises(Conflict) as caught:
                prospects.add(Prospect("PR-2", "ACME", "acme.example", _AT, "b"))
        assert caught.value.field == "domain"

    def test_one_active_registration_per_partner_prospect_and_product(
        self, storage: Storage
    ) -> None:
        prospect = Prospect("PR-1", "Acme", "acme.example", _AT, "a")
        first = _deal("DR-1", "p1", prospect, "email-security")
        with storage.unit_of_work() as uow:
            first = uow.repository(DEAL_REGISTRATIONS).add(first)
            uow.repository(DEAL_REGISTRATIONS).add(_deal("DR-2", "p1", prospect, "archiving"))
            uow.repository(DEAL_REGISTRATIONS).add(_deal("DR-3", "p2", prospect, "archiving"))
            uow.commit()
        second = _deal("DR-4", "p1", prospect, "email-security")
        with storage.unit_of_work() as uow:
            deals = uow.repository(DEAL_REGISTRATIONS)
            with pytest.raises(Conflict) as caught:
                deals.add(second)
        assert caught.value.field == "active_key"
        withdrawn, _ = first.withdraw("rep", _AT.add(hours=1))
        with storage.unit_of_work() as uow:
            uow.repository(DEAL_REGISTRATIONS).save(withdrawn)
            uow.repository(DEAL_REGISTRATIONS).add(_deal("DR-4", "p1", prospect, "email-security"))
            uow.commit()

    def test_filtered_listings_follow_changed_index_values(self, storage: Storage) -> None:
        prospect = Prospect("PR-1", "Acme", "acme.example", _AT, "a")
        with storage.unit_of_work() as uow:
            repository = uow.repository(DEAL_REGISTRATIONS)
            for n in range(4):
                repository.add(_deal(f"DR-{n}", f"p{n % 2}", prospect, f"product-{n}"))
            uow.commit()
        with storage.unit_of_work() as uow:
            repository = uow.repository(DEAL_REGISTRATIONS)
            approved, _ = repository.get("DR-1").approve("vendor", _AT.add(hours=1))
            repository.save(approved)
            # Visible inside the unit of work before the commit, under the new value only.
            assert [d.id for d in repository.list({"stage": "approved"})] == ["DR-1"]
            uow.commit()
        with storage.unit_of_work() as uow:
            repository = uow.repository(DEAL_REGISTRATIONS)
            assert [d.id for d in repository.list({"stage": "approved"})] == ["DR-1"]
            assert [d.id for d in repository.list({"stage": "opportunity"})] == [
                "DR-0",
                "DR-2",
                "DR-3",
            ]
            assert repository.count({"partner_id": "p1", "stage": ["approved"]}) == 1
            assert repository.count({"partner_id": ["p0", "p1"]}) == 4

    def test_two_concurrent_approvals_store_exactly_one(self, storage: Storage) -> None:
        prospect = Prospect("PR-1", "Acme", "acme.example", _AT, "a")
        with storage.unit_of_work() as uow:
            uow.repository(DEAL_REGISTRATIONS).add(_deal("DR-1", "p1", prospect, "x"))
            uow.commit()
        barrier = threading.Barrier(2, timeout=10)
        outcomes: list[object] = []

        def approve(name: str) -> Callable[[], None]:
            def run() -> None:
                try:
                    with storage.unit_of_work() as uow:
                        ctx = Context(Actor(name, PROGRAM_ADMINISTRATOR), FixedClock(_AT), _PROGRAM)
                        held = cast(UnitOfWork, _SavesAfterBarrier(uow, barrier))
                        outcomes.append(approve_deal(held, ctx, "DR-1"))
                except Exception as exc:
                    outcomes.append(exc)

            return run

        threads = [threading.Thread(target=approve(n)) for n in ("ann", "bo")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        winners = [o for o in outcomes if isinstance(o, DealRegistration)]
        assert len(winners) == 1, outcomes
        assert sum(isinstance(o, Conflict) for o in outcomes) == 1, outcomes
        with storage.unit_of_work() as uow:
            assert uow.repository(DEAL_REGISTRATIONS).get("DR-1") == winners[0]

    def test_racing_registrations_of_one_domain_create_one_prospect(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            for key in ("p1", "p2", "p3"):
                uow.repository(PARTNERS).add(Partner(key, key, f"{key}.example", "reseller"))
            # Tables exist before the race: the race is about the prospect, not the schema.
            uow.repository(PROSPECTS).count()
            uow.repository(DEAL_REGISTRATIONS).count()
            uow.repository(PARTNER_USERS).count()
            uow.commit()
        clock = FixedClock(_AT)
        errors: list[Exception] = []

        def register(key: str) -> Callable[[], None]:
            def run() -> None:
                try:
                    with storage.unit_of_work() as uow:
                        actor = Actor(f"{key}-rep", USER, partner_id=key)
                        register_deal(uow, Context(actor, clock, _PROGRAM), _form("racing.example"))
                except Exception as exc:
                    errors.append(exc)

            return run

        threads = [threading.Thread(target=register(k)) for k in ("p1", "p2", "p3")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        with storage.unit_of_work() as uow:
            prospects = uow.repository(PROSPECTS).list().items
            deals = uow.repository(DEAL_REGISTRATIONS).list().items
        assert all(isinstance(e, Conflict) for e in errors), errors
        assert [p.domain for p in prospects] == ["racing.example"]
        assert len(deals) == 3 - len(errors) >= 1
        assert {d.prospect_id for d in deals} == {prospects[0].id}

    def test_two_units_of_work_that_found_no_prospect_create_it_once(
        self, storage: Storage
    ) -> None:
        # The lock of a registration: both racers look the domain up, find nothing and add a
        # prospect. The unique domain index refuses the second, at its add or its commit,
        # with a Conflict on the prospects kind (what register_deal retries on).
        race_to_create(
            storage,
            PROSPECTS,
            {"domain": "racing.example"},
            lambda n: Prospect(f"PR-{n}", "Acme", "racing.example", _AT, f"r{n}"),
        )
