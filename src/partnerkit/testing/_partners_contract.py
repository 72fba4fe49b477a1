"""Storage contract cases for partners and partner users (the ``partners`` area)."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any, TypeVar

import attrs
import pendulum
import pytest

from partnerkit.addresses import Address
from partnerkit.core.errors import Conflict
from partnerkit.partners import (
    ADMINISTRATOR,
    DEREGISTERED,
    PROGRAM_ADMINISTRATOR,
    REGISTERED,
    Actor,
    Certification,
    Partner,
    PartnerUser,
    RegistrationChange,
    StageChange,
)
from partnerkit.program import Program
from partnerkit.services import Context, add_partner, deregister_user, register_user
from partnerkit.storage import PARTNER_USERS, PARTNERS, AggregateSpec, Storage
from partnerkit.testing._clocks import FixedClock
from partnerkit.testing._fixtures import StorageFixtures

__all__ = ["PartnersContract"]

_AT = pendulum.datetime(2026, 3, 2, 9, 30, tz="Europe/Paris")
_VENDOR = Actor("vendor-admin", PROGRAM_ADMINISTRATOR)
_PROGRAM = Program(
    key="contract", name="Contract program", currency="GBP", timezone="Europe/London"
)

A = TypeVar("A")


def _partner(id: str, domain: str, **changes: Any) -> Partner:
    return attrs.evolve(Partner(id, f"Partner {id}", domain, "reseller"), **changes)


def _add_all(storage: Storage, spec: AggregateSpec[A], *rows: A) -> None:
    """Add ``rows`` in one unit of work and commit it."""
    with storage.unit_of_work() as uow:
        for row in rows:
            uow.repository(spec).add(row)
        uow.commit()


class PartnersContract(StorageFixtures):
    """Contract cases for :data:`~partnerkit.storage.PARTNERS` and ``PARTNER_USERS``."""

    def test_a_partner_with_history_address_and_dates_round_trips(self, storage: Storage) -> None:
        partner = _partner(
            "p1",
            "acme.example",
            region="EMEA",
            industry="Healthcare",
            tier="gold",
            stage="onboarding",
            stage_history=(StageChange("pam", _AT, "recruited", "onboarding", "kick-off"),),
            account_manager="pam",
            agreement_start=date(2026, 1, 1),
            renewal_date=date(2027, 1, 1),
            currency="EUR",
            locale="fr_FR",
            address=Address("FR", "1 rue de la Paix", city="PARIS", postal_code="75002"),
            registered_administrators=2,
        )
        _add_all(storage, PARTNERS, partner)
        with storage.unit_of_work() as uow:
            assert uow.repository(PARTNERS).get("p1") == attrs.evolve(partner, version=1)

    def test_two_partners_cannot_share_a_domain(self, storage: Storage) -> None:
        _add_all(storage, PARTNERS, _partner("p1", "acme.example"))
        with storage.unit_of_work() as uow, pytest.raises(Conflict) as caught:
            uow.repository(PARTNERS).add(_partner("p2", "acme.example"))
        assert caught.value.field == "domain"

    def test_partners_are_listed_by_tier_type_region_stage_and_account_manager(
        self, storage: Storage
    ) -> None:
        partners = [
            _partner(
                f"p{i}",
                f"partner{i}.example",
                tier=("gold", "silver")[i % 2],
                partner_type=("reseller", "distributor", "referral")[i % 3],
                region=("EMEA", "APAC")[i % 2],
                stage=("active", "at_risk")[i % 2],
                account_manager=("pam1", "pam2", "")[i % 3],
            )
            for i in range(12)
        ]
        _add_all(storage, PARTNERS, *partners)
        with storage.unit_of_work() as uow:
            repo = uow.repository(PARTNERS)
            got = repo.list(
                {"tier": "gold", "partner_type": ["reseller", "referral"], "account_manager": ""}
            )
            assert [p.id for p in got] == sorted(
                p.id
                for p in partners
                if p.tier == "gold"
                and p.partner_type in ("reseller", "referral")
                and p.account_manager == ""
            )
            assert repo.count({"region": "APAC", "stage": "at_risk"}) == 6

    def test_user_emails_are_unique_across_partners_ignoring_case(self, storage: Storage) -> None:
        _add_all(storage, PARTNER_USERS, PartnerUser("u1", "p1", "Ann", "Ann@acme.example"))
        with storage.unit_of_work() as uow, pytest.raises(Conflict) as caught:
            uow.repository(PARTNER_USERS).add(PartnerUser("u2", "p2", "Ann", "ann@ACME.example"))
        assert caught.value.field == "email"

    def test_users_round_trip_and_are_listed_by_partner_and_status(self, storage: Storage) -> None:
        cert = Certification("technical", "Engineer", date(2026, 1, 1), date(2027, 1, 1))
        history = (RegistrationChange("admin", _AT, "", REGISTERED),)
        users = [
            PartnerUser(
                f"u{i}",
                f"p{i % 2}",
                f"User {i}",
                f"user{i}@example.com",
                status=(REGISTERED, DEREGISTERED)[i % 3 == 0],
                history=history,
                certifications=(cert,) if i % 2 else (),
            )
            for i in range(9)
        ]
        _add_all(storage, PARTNER_USERS, *users)
        with storage.unit_of_work() as uow:
            repo = uow.repository(PARTNER_USERS)
            assert repo.get("u1") == attrs.evolve(users[1], version=1)
            got = repo.list({"partner_id": "p0", "status": REGISTERED})
            assert [u.id for u in got] == sorted(
                u.id for u in users if u.partner_id == "p0" and u.status == REGISTERED
            )

    def test_two_racing_deregistrations_of_the_two_administrators_leave_one(
        self, storage: Storage
    ) -> None:
        ctx = Context(_VENDOR, FixedClock(_AT), _PROGRAM)
        with storage.unit_of_work() as uow:
            add_partner(uow, ctx, _partner("p1", "acme.example"))
        for n in (1, 2):
            with storage.unit_of_work() as uow:
                register_user(
                    uow,
                    ctx,
                    "p1",
                    name=f"Admin {n}",
                    email=f"admin{n}@acme.example",
                    role=ADMINISTRATOR,
                    user_id=f"a{n}",
                )
        barrier = threading.Barrier(2)
        outcomes: dict[str, str] = {}

        def deregister(user_id: str) -> None:
            barrier.wait()
            try:
                with storage.unit_of_work() as uow:
                    deregister_user(uow, ctx, user_id)
                outcomes[user_id] = "deregistered"
            except Conflict:
                outcomes[user_id] = "conflict"

        threads = [threading.Thread(target=deregister, args=(u,)) for u in ("a1", "a2")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes.values()) == ["conflict", "deregistered"]
        with storage.unit_of_work() as uow:
            left = uow.repository(PARTNER_USERS).list({"status": REGISTERED, "role": ADMINISTRATOR})
            assert len(left) == 1
            assert outcomes[left.items[0].id] == "conflict"
            assert uow.repository(PARTNERS).get("p1").registered_administrators == 1
