"""A registration's whole path through quoting: approval quote, acceptance, order, submission."""

from __future__ import annotations

from pathlib import Path

import pytest
from deal_factories import (
    ALICE,
    MARGINS,
    NOW,
    PRICE_BOOK,
    VENDOR,
    make_form,
    make_storage,
    priced_program,
    start_quoted_order,
)

from partnerkit.core import EventDispatcher
from partnerkit.core.errors import ValidationError
from partnerkit.deals import DealRegistration, Stage
from partnerkit.services import (
    DEAL_REGISTRATIONS,
    approve_deal,
    create_quote_for_registration,
    register_deal,
    submit_quote_order,
    withdraw_deal,
)
from partnerkit.storage import QUOTES, Storage, UnitOfWork
from partnerkit.testing import FixedClock


@pytest.fixture(params=["memory", "sqlite"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    return make_storage(request.param, tmp_path, EventDispatcher())


def _stage(storage: Storage, registration_id: str) -> Stage:
    with storage.unit_of_work() as uow:
        return uow.repository(DEAL_REGISTRATIONS).get(registration_id).stage


def test_an_approved_deal_follows_its_quote_to_a_submitted_order(storage: Storage) -> None:
    clock = FixedClock(NOW)
    with storage.unit_of_work() as uow:
        deal = register_deal(uow, ALICE, make_form("acme.co.uk"), clock=clock)
    quotes: list[str] = []

    def quote_on_approval(uow: UnitOfWork, registration: DealRegistration) -> None:
        quote = create_quote_for_registration(
            uow, registration, PRICE_BOOK, MARGINS, actor=VENDOR, clock=clock
        )
        quotes.append(quote.id)

    with storage.unit_of_work() as uow:
        approve_deal(uow, VENDOR, deal.id, clock=clock, on_approved=quote_on_approval)
    (quote_id,) = quotes
    with storage.unit_of_work() as uow:
        quote = uow.repository(QUOTES).get(quote_id)
    assert quote.registration_id == deal.id
    assert quote.reward_margin.amount > 0
    order = start_quoted_order(storage, quote_id, ALICE, clock)
    assert _stage(storage, deal.id) == Stage.ORDER_STARTED
    assert order.net_total == quote.net_total
    with storage.unit_of_work() as uow:
        submit_quote_order(uow, order.id, purchase_order="PO-4711", actor=ALICE, clock=clock)
    assert _stage(storage, deal.id) == Stage.ORDER_SUBMITTED


def test_an_order_that_fails_to_submit_leaves_the_registration_where_it_was(
    storage: Storage,
) -> None:
    clock = FixedClock(NOW)
    with storage.unit_of_work() as uow:
        deal = register_deal(uow, ALICE, make_form("acme.co.uk"), clock=clock)
    quotes: list[str] = []

    def hook(uow: UnitOfWork, registration: DealRegistration) -> None:
        quotes.append(
            create_quote_for_registration(
                uow, registration, PRICE_BOOK, MARGINS, actor=VENDOR, clock=clock
            ).id
        )

    with storage.unit_of_work() as uow:
        approve_deal(uow, VENDOR, deal.id, clock=clock, on_approved=hook)
    order = start_quoted_order(storage, quotes[0], ALICE, clock)
    with pytest.raises(ValidationError), storage.unit_of_work() as uow:
        submit_quote_order(uow, order.id, purchase_order="  ", actor=ALICE, clock=clock)
    assert _stage(storage, deal.id) == Stage.ORDER_STARTED


def test_a_program_with_pricing_quotes_on_approval_and_reprices_when_withdrawn(
    storage: Storage,
) -> None:
    clock = FixedClock(NOW)
    program = priced_program()
    with storage.unit_of_work() as uow:
        deal = register_deal(uow, ALICE, make_form("acme.co.uk"), clock=clock, program=program)
    with storage.unit_of_work() as uow:
        approve_deal(uow, VENDOR, deal.id, clock=clock, program=program)
    with storage.unit_of_work() as uow:
        (quote,) = uow.repository(QUOTES).list({"registration_id": deal.id})
    assert quote.reward_margin.amount > 0
    with storage.unit_of_work() as uow:
        withdraw_deal(uow, ALICE, deal.id, "customer chose another vendor", clock=clock,
                      program=program)  # fmt: skip
    with storage.unit_of_work() as uow:
        (repriced,) = uow.repository(QUOTES).list({"registration_id": deal.id})
    assert repriced.reward_margin.is_zero()
    assert repriced.net_total > quote.net_total
