"""Races: two approvals of one registration, two registrations of one partner for one product.

The race of two partners for one prospect is in ``test_deal_services.py`` and the
storage contract.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from deal_factories import (
    NOW,
    VENDOR,
    ctx,
    make_form,
    make_storage,
    meet_before_writing,
    partner_user,
    race,
)

from partnerkit.core.errors import Conflict, ValidationError
from partnerkit.deals import DealRegistration, Stage
from partnerkit.partners import PROGRAM_ADMINISTRATOR, Actor
from partnerkit.services import approve_deal, register_deal
from partnerkit.storage import DEAL_REGISTRATIONS, Storage
from partnerkit.testing import FixedClock


def _held_prospect(backend: str, tmp_path: Path) -> Storage:
    """A backend whose Acme prospect is held by another partner (Contoso)."""
    storage = make_storage(backend, tmp_path)
    with storage.unit_of_work() as uow:
        register_deal(uow, ctx(partner_user("p2"), FixedClock(NOW)), make_form())
    return storage


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_two_concurrent_approvals_let_exactly_one_win_and_store_the_winners_state(
    backend: str, tmp_path: Path
) -> None:
    storage = make_storage(backend, tmp_path)
    with storage.unit_of_work() as uow:
        deal = register_deal(uow, ctx(partner_user("p1"), FixedClock(NOW)), make_form())
    # Both have read the registration before either writes: exactly one write can win.
    barrier = threading.Barrier(2, timeout=10)
    approvers = [VENDOR, Actor("victor", PROGRAM_ADMINISTRATOR)]

    def approve(user: Actor) -> Callable[[], DealRegistration]:
        def job() -> DealRegistration:
            with storage.unit_of_work() as uow:
                meet_before_writing(uow, barrier, backend)
                return approve_deal(uow, ctx(user, FixedClock(NOW)), deal.id)

        return job

    results, failures = race([approve(u) for u in approvers])
    assert len(results) == 1
    assert len(failures) == 1
    assert isinstance(failures[0], Conflict)
    winner = results[0]
    with storage.unit_of_work() as uow:
        stored = uow.repository(DEAL_REGISTRATIONS).get(deal.id)
    assert stored == winner
    assert stored.stage is Stage.APPROVED
    assert [a.action for a in stored.audit] == ["register", "approve"]


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_two_registrations_by_one_partner_of_one_product_that_both_pass_the_check_store_one(
    backend: str, tmp_path: Path
) -> None:
    # Both read the prospect (and, in memory, pass the duplicate check) before either
    # writes: the loser's write of the prospect conflicts, it reads again and is refused.
    storage = _held_prospect(backend, tmp_path)
    barrier = threading.Barrier(2, timeout=10)
    rep = ctx(partner_user("p1"), FixedClock(NOW))

    def register() -> DealRegistration:
        with storage.unit_of_work() as uow:
            meet_before_writing(uow, barrier, backend)
            return register_deal(uow, rep, make_form())

    results, failures = race([register, register])
    assert len(results) == 1
    (refusal,) = failures
    assert isinstance(refusal, ValidationError), refusal
    assert [(e.path, e.code) for e in refusal.errors] == [("opportunity.product", "duplicate")]
    with storage.unit_of_work() as uow:
        held = uow.repository(DEAL_REGISTRATIONS).list({"partner_id": "p1"}).items
    assert held == (results[0],)
