"""Storage contract cases for quotes, orders and subscriptions (the ``quoting`` area)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import attrs
import pytest

from partnerkit.core import Money, Percentage
from partnerkit.core.errors import Conflict
from partnerkit.quoting import (
    LineRequest,
    MarginPolicy,
    PriceBook,
    Product,
    ProductPrice,
    Quote,
    QuoteStatus,
    Subscription,
    VolumeBand,
    accept_quote,
    new_quote,
    start_order,
    submit_order,
    subscription_for_order,
)
from partnerkit.storage import ORDERS, QUOTES, SUBSCRIPTIONS, Storage
from partnerkit.testing._fixtures import StorageFixtures

__all__ = ["QuotingContract"]

_AT = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
_BOOK = PriceBook(
    "contract-jpy",
    "JPY",
    date(2026, 1, 1),
    prices=[ProductPrice(Product("MAIL", "Mail"), [VolumeBand(1, Money("333", "JPY"))])],
)


def _quote(id: str, *, registration_id: str | None = "DR-1", seats: int = 7) -> Quote:
    quote = new_quote(
        [LineRequest("MAIL", seats, 12)],
        _BOOK,
        MarginPolicy(partner_margin=Percentage("12.5")),
        id=id,
        number=id.rsplit("-R", 1)[0],
        partner_id="p-1",
        prospect_id="acme",
        as_of=date(2026, 3, 2),
        actor="u-1",
        at=_AT,
    )
    return attrs.evolve(quote, registration_id=registration_id)


def _subscription(id: str, order_id: str, term_start: date) -> Subscription:
    accepted = accept_quote(_quote(f"Q-{id}-R1"), actor="u-1", at=_AT)
    order = start_order(accepted, id=order_id, number=order_id, actor="u-1", at=_AT)
    submitted = submit_order(order, purchase_order="PO-1", actor="u-1", at=_AT)
    subscription = subscription_for_order(submitted, id=id, term_start=term_start)
    assert subscription is not None
    return subscription


class QuotingContract(StorageFixtures):
    """Contract cases for :data:`~partnerkit.storage.QUOTES`, ``ORDERS`` and ``SUBSCRIPTIONS``."""

    def test_quotes_orders_and_subscriptions_round_trip_through_storage(
        self, storage: Storage
    ) -> None:
        quote = accept_quote(_quote("Q-1-R1"), actor="u-1", at=_AT)
        order = submit_order(
            start_order(quote, id="O-1", number="O-1", actor="u-1", at=_AT),
            purchase_order="PO-9",
            actor="u-1",
            at=_AT,
        )
        subscription = subscription_for_order(order, id="S-1", term_start=date(2026, 4, 1))
        assert subscription is not None
        with storage.unit_of_work() as uow:
            uow.repository(QUOTES).add(quote)
            uow.repository(ORDERS).add(order)
            uow.repository(SUBSCRIPTIONS).add(subscription)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.repository(QUOTES).get("Q-1-R1") == attrs.evolve(quote, version=1)
            assert uow.repository(ORDERS).get("O-1") == attrs.evolve(order, version=1)
            stored = uow.repository(SUBSCRIPTIONS).get("S-1")
            assert stored == attrs.evolve(subscription, version=1)

    def test_quotes_are_listed_by_registration_status_and_number(self, storage: Storage) -> None:
        with storage.unit_of_work() as uow:
            repository = uow.repository(QUOTES)
            repository.add(_quote("Q-1-R1"))
            repository.add(attrs.evolve(_quote("Q-1-R2"), revision=2, status=QuoteStatus.SENT))
            repository.add(_quote("Q-2-R1", registration_id=None))
            uow.commit()
        with storage.unit_of_work() as uow:
            repository = uow.repository(QUOTES)
            open_ones = repository.list({"registration_id": "DR-1", "status": ["draft", "sent"]})
            assert [q.id for q in open_ones] == ["Q-1-R1", "Q-1-R2"]
            assert repository.count({"number": "Q-1"}) == 2
            assert repository.count({"registration_id": None}) == 1

    def test_a_quote_orders_once(self, storage: Storage) -> None:
        quote = accept_quote(_quote("Q-1-R1"), actor="u-1", at=_AT)
        with storage.unit_of_work() as uow:
            uow.repository(ORDERS).add(
                start_order(quote, id="O-1", number="O-1", actor="u", at=_AT)
            )
            uow.commit()
        with storage.unit_of_work() as uow, pytest.raises(Conflict) as info:
            uow.repository(ORDERS).add(
                start_order(quote, id="O-2", number="O-2", actor="u", at=_AT)
            )
        assert info.value.field == "quote_id"
        with storage.unit_of_work() as uow:
            assert uow.repository(ORDERS).count() == 1

    def test_subscriptions_are_listed_by_partner_in_term_end_order(self, storage: Storage) -> None:
        later = _subscription("S-1", "O-1", date(2026, 9, 1))
        sooner = _subscription("S-2", "O-2", date(2026, 2, 1))
        with storage.unit_of_work() as uow:
            uow.repository(SUBSCRIPTIONS).add(later)
            uow.repository(SUBSCRIPTIONS).add(sooner)
            uow.commit()
        with storage.unit_of_work() as uow:
            page = uow.repository(SUBSCRIPTIONS).list({"partner_id": "p-1"}, order_by="term_end")
            assert [s.id for s in page] == ["S-2", "S-1"]
