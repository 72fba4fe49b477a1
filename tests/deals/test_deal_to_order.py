"""A registration's whole path through quoting: approval quote, acceptance, order, submission."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from deal_factories import (  # the *_fixture names are pytest fixtures
    ALICE,
    VENDOR,
    approve,
    clock_fixture,  # noqa: F401
    ctx,
    events_fixture,  # noqa: F401
    make_form,
    priced_program,
    start_quoted_order,
    storage_fixture,  # noqa: F401
)

from partnerkit import quoting
from partnerkit.core import DomainEvent
from partnerkit.core.errors import ValidationError
from partnerkit.deals import DealRegistration, Stage
from partnerkit.program import Program
from partnerkit.quoting import Quote
from partnerkit.services import Context, expire_due, register_deal, submit_order, withdraw_deal
from partnerkit.storage import DEAL_REGISTRATIONS, ORDERS, QUOTES, Storage, UnitOfWork
from partnerkit.testing import FixedClock


@pytest.fixture
def program() -> Program:
    return priced_program()


def _stage(storage: Storage, registration_id: str) -> Stage:
    with storage.unit_of_work() as uow:
        return uow.repository(DEAL_REGISTRATIONS).get(registration_id).stage


def _quote(storage: Storage, registration_id: str) -> Quote:
    with storage.unit_of_work() as uow:
        (quote,) = uow.repository(QUOTES).list({"registration_id": registration_id})
    return quote


def _approved(storage: Storage, clock: FixedClock, program: Program) -> DealRegistration:
    """Alice's Acme registration, approved by the vendor (its approval quote made)."""
    with storage.unit_of_work() as uow:
        deal = register_deal(uow, ctx(ALICE, clock, program), make_form("acme.co.uk"))
    approve(storage, ctx(VENDOR, clock, program), deal.id)
    return deal


def test_an_approved_deal_follows_its_quote_to_a_submitted_order(
    storage: Storage, clock: FixedClock, program: Program, events: list[DomainEvent]
) -> None:
    deal = _approved(storage, clock, program)
    quote = _quote(storage, deal.id)
    assert quote.registration_id == deal.id
    assert quote.reward_margin.amount > 0
    alice = ctx(ALICE, clock, program)
    order = start_quoted_order(storage, quote.id, alice)
    assert _stage(storage, deal.id) == Stage.ORDER_STARTED
    assert order.net_total == quote.net_total
    with storage.unit_of_work() as uow:
        submitted, subscription = submit_order(uow, alice, order.id, purchase_order="PO-4711")
    assert _stage(storage, deal.id) == Stage.ORDER_SUBMITTED
    assert subscription is not None
    # One pair of order events, the quoting area's, saying the registration followed.
    (started,) = [e for e in events if isinstance(e, quoting.OrderStarted)]
    (won,) = [e for e in events if isinstance(e, quoting.OrderSubmitted)]
    assert (started.order_id, started.quote_id, started.registration_id) == (
        order.id,
        quote.id,
        deal.id,
    )
    assert (won.order_id, won.registration_id, won.net_total) == (
        submitted.id,
        deal.id,
        quote.net_total,
    )
    assert started.moved_registration is True
    assert won.moved_registration is True


def test_an_order_that_fails_to_submit_leaves_the_registration_and_the_order_where_they_were(
    storage: Storage, clock: FixedClock, program: Program
) -> None:
    deal = _approved(storage, clock, program)
    alice = ctx(ALICE, clock, program)
    order = start_quoted_order(storage, _quote(storage, deal.id).id, alice)
    attempts: list[tuple[str, Callable[[UnitOfWork], object]]] = [
        ("purchase_order", lambda uow: submit_order(uow, alice, order.id, purchase_order="  ")),
        # A term that would run past year 9999 is refused before anything is written.
        (
            "term_start",
            lambda uow: submit_order(
                uow, alice, order.id, purchase_order="PO-4711", term_start=date(9999, 6, 1)
            ),
        ),
    ]
    for path, attempt in attempts:
        with pytest.raises(ValidationError) as caught, storage.unit_of_work() as uow:
            attempt(uow)
        assert caught.value.errors[0].path == path
        assert _stage(storage, deal.id) == Stage.ORDER_STARTED
        with storage.unit_of_work() as uow:
            assert uow.repository(ORDERS).get(order.id) == order


def _repriced_on_leaving(
    storage: Storage, clock: FixedClock, program: Program, leave: Callable[[str], object]
) -> None:
    """``leave`` takes the approved registration out of reach of the reward margin."""
    deal = _approved(storage, clock, program)
    quote = _quote(storage, deal.id)
    assert quote.reward_margin.amount > 0
    leave(deal.id)
    repriced = _quote(storage, deal.id)
    assert repriced.id == quote.id
    assert repriced.reward_margin.is_zero()
    assert repriced.net_total > quote.net_total


def test_a_program_with_pricing_quotes_on_approval_and_reprices_when_withdrawn(
    storage: Storage, clock: FixedClock, program: Program
) -> None:
    def withdraw(registration_id: str) -> None:
        with storage.unit_of_work() as uow:
            withdraw_deal(uow, ctx(ALICE, clock, program), registration_id, "chose another vendor")

    _repriced_on_leaving(storage, clock, program, withdraw)


def test_an_expired_registration_takes_the_reward_margin_off_its_open_quote(
    storage: Storage, clock: FixedClock, program: Program
) -> None:
    def expire(registration_id: str) -> None:
        clock.advance(days=31)  # the order was due to start within 30 days
        with storage.unit_of_work() as uow:
            report = expire_due(uow, Context.system(clock, program))
        assert report.expired == ((registration_id, "the order was not started in time"),)

    _repriced_on_leaving(storage, clock, program, expire)
