"""Races on PostgreSQL through the use cases: the SQLAlchemy backend under READ COMMITTED."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import TypeVar

import attrs
import pendulum
import pytest

from partnerkit.addresses import Address
from partnerkit.contacts import Contact
from partnerkit.core import Money
from partnerkit.core.errors import Conflict
from partnerkit.deals import CompanySection, OpportunitySection, PartnerSection, RegistrationForm
from partnerkit.partners import (
    ADMINISTRATOR,
    PROGRAM_ADMINISTRATOR,
    REGISTERED,
    USER,
    Actor,
    Partner,
    PartnerUser,
)
from partnerkit.services import Context, add_partner, deregister_user, register_deal, register_user
from partnerkit.storage import DEAL_REGISTRATIONS, PARTNER_USERS, PARTNERS, PROSPECTS
from partnerkit.storage.sqlalchemy import SqlAlchemyStorage
from partnerkit.testing import FixedClock, make_program

pytestmark = pytest.mark.postgres

T = TypeVar("T")
NOW = pendulum.datetime(2026, 11, 23, 9, tz="Europe/London")
PROGRAM = make_program(currency="GBP", locale="en_GB", timezone="Europe/London")
VENDOR = Actor("vera", PROGRAM_ADMINISTRATOR)
RACERS = 50


@pytest.fixture
def storage(postgres_url: str) -> Iterator[SqlAlchemyStorage]:
    opened = SqlAlchemyStorage(postgres_url)
    yield opened
    opened.close()


def _race(jobs: list[Callable[[], T]]) -> tuple[list[T], list[Exception]]:
    """Run every job in a thread of its own, released together; what they returned and raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[T] = []
    failures: list[Exception] = []

    def run(job: Callable[[], T]) -> None:
        barrier.wait()
        try:
            results.append(job())
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, failures


def _form(domain: str) -> RegistrationForm:
    return RegistrationForm(
        CompanySection("Acme Ltd", f"https://www.{domain}/"),
        PartnerSection("Jo Bloggs", "020 7183 8750"),
        Contact(
            "Ada",
            "Lovelace",
            f"ada@{domain}",
            phone="020 7946 0958",
            position="CIO",
            role="decision_maker",
            address=Address("GB", "1 Main St", city="London", postal_code="ec1y8sy"),
        ),
        OpportunitySection(
            product="email-security",
            users=250,
            projected_value=Money("12000", "GBP"),
            close_date=date(2027, 3, 31),
            budget_approved=True,
            priority="high",
            problems="Too much spam.",
            meeting_date=date(2026, 12, 2),
            migrating_to="microsoft_365",
        ),
    )


def test_fifty_registrations_of_one_new_prospect_domain_leave_exactly_one_prospect(
    storage: SqlAlchemyStorage,
) -> None:
    with storage.unit_of_work() as uow:
        for n in range(RACERS):
            uow.repository(PARTNERS).add(Partner(f"p{n}", f"Partner {n}", f"p{n}.example", "x"))
            uow.repository(PARTNER_USERS).add(
                PartnerUser(f"rep{n}", f"p{n}", f"Rep {n}", f"rep@p{n}.example")
            )
        uow.commit()

    def register(n: int) -> Callable[[], str]:
        rep = Context(Actor(f"rep{n}", USER, partner_id=f"p{n}"), FixedClock(NOW), PROGRAM)

        def job() -> str:
            with storage.unit_of_work() as uow:
                return register_deal(uow, rep, _form("acme.co.uk")).prospect_id

        return job

    results, failures = _race([register(n) for n in range(RACERS)])
    # Losers of the prospect's insert read it again and register against it; a unit of work
    # that lost every attempt is a Conflict, never a driver error.
    assert all(isinstance(f, Conflict) for f in failures), failures
    assert len(results) + len(failures) == RACERS
    assert results
    with storage.unit_of_work() as uow:
        prospects = uow.repository(PROSPECTS).list(limit=100)
        assert [p.domain for p in prospects] == ["acme.co.uk"]
        assert set(results) == {prospects[0].id}
        registrations = uow.repository(DEAL_REGISTRATIONS)
        assert registrations.count({"prospect_id": prospects[0].id}) == len(results)


def test_two_deregistrations_of_the_last_two_administrators_let_exactly_one_succeed(
    storage: SqlAlchemyStorage,
) -> None:
    vendor = Context(VENDOR, FixedClock(NOW), PROGRAM)
    with storage.unit_of_work() as uow:
        add_partner(uow, vendor, Partner("p1", "Partner 1", "p1.example", "reseller"))
    for n in (1, 2):
        with storage.unit_of_work() as uow:
            register_user(uow, vendor, "p1", name=f"Admin {n}", email=f"a{n}@p1.example",
                          role=ADMINISTRATOR, user_id=f"a{n}")  # fmt: skip

    def deregister(user_id: str) -> Callable[[], str]:
        def job() -> str:
            with storage.unit_of_work() as uow:
                deregister_user(uow, vendor, user_id)
            return user_id

        return job

    results, failures = _race([deregister("a1"), deregister("a2")])
    assert len(results) == 1
    assert len(failures) == 1
    assert isinstance(failures[0], Conflict)
    with storage.unit_of_work() as uow:
        left = uow.repository(PARTNER_USERS).list(
            {"partner_id": "p1", "status": REGISTERED, "role": ADMINISTRATOR}
        )
        assert [u.id for u in left] == [u for u in ("a1", "a2") if u not in results]
        assert uow.repository(PARTNERS).get("p1").registered_administrators == 1


def test_a_stale_write_is_refused_and_nothing_committed_is_lost(
    storage: SqlAlchemyStorage,
) -> None:
    with storage.unit_of_work() as uow:
        uow.repository(PARTNERS).add(Partner("p1", "Partner 1", "p1.example", "reseller"))
        uow.commit()
    with storage.unit_of_work() as slow, storage.unit_of_work() as fast:
        stale = slow.repository(PARTNERS).get("p1")
        fresh = fast.repository(PARTNERS).get("p1")
        fast.repository(PARTNERS).save(attrs.evolve(fresh, name="Renamed"))
        fast.commit()
        with pytest.raises(Conflict) as caught:
            slow.repository(PARTNERS).save(attrs.evolve(stale, region="emea"))
        assert (caught.value.expected_version, caught.value.actual_version) == (1, 2)
        # The refused write left the unit of work usable: it reads the winner and goes on.
        current = slow.repository(PARTNERS).get("p1")
        slow.repository(PARTNERS).save(attrs.evolve(current, region="emea"))
        slow.commit()
    with storage.unit_of_work() as uow:
        stored = uow.repository(PARTNERS).get("p1")
    assert (stored.name, stored.region, stored.version) == ("Renamed", "emea", 3)
