"""Races: two approvals of one registration (the prospect race is in the storage contract)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pendulum
import pytest
from deal_factories import NOW, VENDOR, make_form, make_storage, partner_user

from partnerkit.core.errors import Conflict, ValidationError
from partnerkit.deals import DealRegistration, RegistrationPolicy, Stage
from partnerkit.partners import PROGRAM_ADMINISTRATOR, Actor
from partnerkit.services import (
    DEAL_REGISTRATIONS,
    approve_deal,
    register_deal,
)
from partnerkit.testing import FixedClock


class BarrierClock:
    """A clock whose readers wait for each other: both services have loaded before either writes."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=10)

    def now(self) -> pendulum.DateTime:
        self.barrier.wait()
        return NOW


def _race(
    work: list[Callable[[], DealRegistration]],
) -> tuple[list[DealRegistration], list[Exception]]:
    results: list[DealRegistration] = []
    failures: list[Exception] = []

    def run(job: Callable[[], DealRegistration]) -> None:
        try:
            results.append(job())
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, failures


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_two_concurrent_approvals_let_exactly_one_win_and_store_the_winners_state(
    backend: str, tmp_path: Path
) -> None:
    storage = make_storage(backend, tmp_path)
    with storage.unit_of_work() as uow:
        deal = register_deal(uow, partner_user("p1"), make_form(), clock=FixedClock(NOW))
    clock = BarrierClock(2)
    approvers = [VENDOR, Actor("victor", PROGRAM_ADMINISTRATOR)]

    def approve(user: Actor) -> Callable[[], DealRegistration]:
        def job() -> DealRegistration:
            with storage.unit_of_work() as uow:
                return approve_deal(uow, user, deal.id, clock=clock)

        return job

    results, failures = _race([approve(u) for u in approvers])
    assert len(results) == 1
    assert len(failures) == 1
    assert isinstance(failures[0], Conflict)
    winner = results[0]
    with storage.unit_of_work() as uow:
        stored = uow.repository(DEAL_REGISTRATIONS).get(deal.id)
    assert stored == winner
    assert stored.stage is Stage.APPROVED
    assert [a.action for a in stored.audit] == ["register", "approve"]


def test_two_registrations_by_one_partner_of_one_product_that_both_pass_the_check_store_one(
    tmp_path: Path,
) -> None:
    storage = make_storage("memory", tmp_path)
    with storage.unit_of_work() as uow:  # the prospect exists, held by another partner
        register_deal(uow, partner_user("p2"), make_form(), clock=FixedClock(NOW))
    barrier = threading.Barrier(2, timeout=10)

    def both_have_checked(deal: DealRegistration) -> bool:
        # The automatic-approval rule runs after the duplicate check and before the write:
        # waiting here makes both registrations pass the check, so the unique index decides.
        barrier.wait()
        return False

    def register() -> DealRegistration:
        with storage.unit_of_work() as uow:
            return register_deal(
                uow,
                partner_user("p1"),
                make_form(),
                clock=FixedClock(NOW),
                policy=RegistrationPolicy(approval_mode="automatic"),
                auto_approve=both_have_checked,
            )

    results, failures = _race([register, register])
    assert len(results) == 1
    assert [type(f) for f in failures] == [Conflict]
    with storage.unit_of_work() as uow:
        held = uow.repository(DEAL_REGISTRATIONS).list({"partner_id": "p1"}).items
    assert held == (results[0],)


def test_concurrent_registrations_by_one_partner_of_one_product_in_sqlite_store_one(
    tmp_path: Path,
) -> None:
    # SQLite serializes writers (the deal number is taken under the write lock), so the
    # loser is refused by the duplicate check or, if both read first, by the unique index.
    storage = make_storage("sqlite", tmp_path)
    with storage.unit_of_work() as uow:
        register_deal(uow, partner_user("p2"), make_form(), clock=FixedClock(NOW))
    clock = BarrierClock(2)

    def register() -> DealRegistration:
        with storage.unit_of_work() as uow:
            return register_deal(uow, partner_user("p1"), make_form(), clock=clock)

    results, failures = _race([register, register])
    assert len(results) == 1
    assert len(failures) == 1
    refusal = failures[0]
    assert isinstance(refusal, Conflict) or (
        isinstance(refusal, ValidationError) and refusal.errors[0].code == "duplicate"
    ), refusal
    with storage.unit_of_work() as uow:
        held = uow.repository(DEAL_REGISTRATIONS).list({"partner_id": "p1"}).items
    assert held == (results[0],)
