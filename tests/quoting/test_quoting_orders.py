from datetime import date, datetime, timezone

import attrs
import pytest
from quoting_fixtures import AT, GOLD, THREE_LINES, TODAY, book, quote

from partnerkit.core import Money, from_dict, to_dict
from partnerkit.core.errors import InvalidTransition, ValidationError
from partnerkit.quoting import (
    LineRequest,
    MarginPolicy,
    Order,
    OrderStatus,
    Quote,
    Subscription,
    accept_quote,
    add_months,
    renewal_quote,
    renewals_due,
    start_order,
    submit_order,
    subscription_for_order,
)


def _accepted() -> Quote:
    return accept_quote(quote(), actor="u-1", at=AT)


def test_an_order_keeps_the_accepted_quotes_prices() -> None:
    q = _accepted()
    order = start_order(q, id="O-1", number="O-1", actor="u-1", at=AT)
    assert order.status is OrderStatus.STARTED
    assert order.lines == q.lines
    assert (order.list_total, order.net_total, order.customer_price) == (
        q.list_total,
        q.net_total,
        q.customer_price,
    )
    assert (order.promotion, order.partner_margin, order.reward_margin) == (
        q.promotion,
        q.partner_margin,
        q.reward_margin,
    )
    assert order.registration_id == "DR-1"


def test_only_accepted_quotes_start_orders() -> None:
    with pytest.raises(InvalidTransition):
        start_order(quote(), id="O-1", number="O-1", actor="u-1", at=AT)


def test_submitting_needs_a_purchase_order_number_and_happens_once() -> None:
    order = start_order(_accepted(), id="O-1", number="O-1", actor="u-1", at=AT)
    with pytest.raises(ValidationError) as info:
        submit_order(order, purchase_order="  ", actor="u-1", at=AT)
    assert info.value.paths == ("purchase_order",)
    with pytest.raises(ValidationError):
        submit_order(order, purchase_order="x" * 65, actor="u-1", at=AT)
    submitted = submit_order(order, purchase_order=" PO-4711 ", actor="u-2", at=AT)
    assert submitted.purchase_order == "PO-4711"
    assert submitted.status is OrderStatus.SUBMITTED
    assert [(c.from_status, c.to_status, c.actor) for c in submitted.history] == [
        (None, OrderStatus.STARTED, "u-1"),
        (OrderStatus.STARTED, OrderStatus.SUBMITTED, "u-2"),
    ]
    with pytest.raises(InvalidTransition):
        submit_order(submitted, purchase_order="PO-2", actor="u-1", at=AT)
    assert from_dict(Order, to_dict(submitted)) == submitted


def _subscription() -> Subscription:
    order = start_order(_accepted(), id="O-1", number="O-1", actor="u-1", at=AT)
    submitted = submit_order(order, purchase_order="PO-1", actor="u-1", at=AT)
    subscription = subscription_for_order(submitted, id="S-1", term_start=date(2026, 3, 15))
    assert subscription is not None
    return subscription


def test_a_submitted_order_starts_a_subscription_of_its_recurring_lines() -> None:
    subscription = _subscription()
    assert [line.sku for line in subscription.lines] == ["MAIL", "ARCH"]
    assert subscription.term_months == 18
    assert subscription.term_end == date(2027, 9, 14)
    assert from_dict(Subscription, to_dict(subscription)) == subscription


def test_an_order_of_flat_lines_starts_no_subscription_and_a_started_one_none_yet() -> None:
    q = accept_quote(quote((LineRequest("SETUP", 2),)), actor="u", at=AT)
    order = start_order(q, id="O-2", number="O-2", actor="u", at=AT)
    with pytest.raises(InvalidTransition):
        subscription_for_order(order, id="S-2", term_start=TODAY)
    submitted = submit_order(order, purchase_order="PO", actor="u", at=AT)
    assert subscription_for_order(submitted, id="S-2", term_start=TODAY) is None


def test_months_are_added_on_the_calendar_clamped_to_the_month_end() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 15), 14) == date(2028, 1, 15)


def test_renewals_due_lists_terms_ending_within_the_window_soonest_first() -> None:
    subscription = _subscription()
    later = attrs.evolve(subscription, id="S-0", term_end=date(2027, 9, 1))
    assert renewals_due([subscription, later], date(2027, 8, 20), 30) == [later, subscription]
    assert renewals_due([subscription, later], date(2027, 8, 20), 12) == [later]
    assert renewals_due([subscription], date(2027, 9, 15), 30) == []
    with pytest.raises(ValidationError):
        renewals_due([], TODAY, -1)


def test_a_renewal_quote_prices_the_next_term_at_todays_terms() -> None:
    subscription = _subscription()
    later = datetime(2026, 11, 1, tzinfo=timezone.utc)
    renewal = renewal_quote(
        subscription,
        book(),
        MarginPolicy(),
        date(2026, 11, 1),
        id="Q-9-R1",
        number="Q-9",
        actor="u-1",
        at=later,
        tier=GOLD,
    )
    assert renewal.renews == "S-1"
    assert [line.request for line in renewal.lines] == list(THREE_LINES[:2])
    assert renewal.reward_margin == Money("0.00", "USD")
    assert renewal.partner_margin == Money("2297.90", "USD")  # 20 % of 11489.51


def test_every_quoting_event_round_trips_through_the_core_converter() -> None:
    from partnerkit.core import DomainEvent
    from partnerkit.quoting import (
        OrderStarted,
        OrderSubmitted,
        QuoteCreated,
        QuoteRepriced,
        QuoteStatusChanged,
        SubscriptionStarted,
    )

    usd = Money("10.00", "USD")
    events: list[DomainEvent] = [
        QuoteCreated("Q-1-R1", "Q-1", 1, "p-1", "acme", None, usd, "u-1", AT),
        QuoteStatusChanged("Q-1-R1", "draft", "sent", "u-1", AT),
        QuoteRepriced("Q-1-R1", usd, Money("9.00", "USD"), "u-1", AT),
        OrderStarted("O-1", "Q-1-R1", "DR-1", "u-1", AT),
        OrderSubmitted("O-1", "PO-1", None, "u-1", AT),
        SubscriptionStarted("S-1", "O-1", TODAY, date(2027, 3, 1), "u-1", AT),
    ]
    for event in events:
        assert from_dict(type(event), to_dict(event)) == event
