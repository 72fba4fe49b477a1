"""The deal and quote events the use cases record, turned into activities and scored."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest
from deal_factories import (  # events_fixture is a pytest fixture
    ALICE,
    BOB,
    FORM,
    NOW,
    POLICY,
    PROSPECT,
    VENDOR,
    approve,
    ctx,
    events_fixture,  # noqa: F401
    make_form,
    make_storage,
    order_quote,
    priced_program,
    start_quoted_order,
    with_policy,
)

from partnerkit import services
from partnerkit.core import DomainEvent, EventDispatcher, Money, from_dict, to_dict
from partnerkit.core.errors import ValidationError
from partnerkit.deals import (
    DealApproved,
    DealEvent,
    DealExpired,
    DealLost,
    DealRegistered,
    DealWithdrawn,
    Stage,
    new_registration,
)
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.partners import Actor
from partnerkit.program import Program
from partnerkit.quoting import LineRequest, QuoteCreated
from partnerkit.quoting import OrderSubmitted as QuoteOrderSubmitted
from partnerkit.scoring import Activity, ActivitySource, KpiValues, ScoringPlan
from partnerkit.services import DealActivities, QuoteActivities
from partnerkit.storage import SUBSCRIPTIONS, Storage
from partnerkit.testing import FixedClock

WORTH = Money("20000", "EUR")
AT = pendulum.datetime(2026, 3, 2, 9, tz="Europe/London")
DEADLINES = (date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1))
NEW_BUSINESS = QuoteOrderSubmitted("O-1", "PO-1", None, "bob", AT, "p2", Money("900", "EUR"), None)


def _event(cls: type[Any], at: datetime, *extra: Any, partner: str = "p1", **fields: Any) -> Any:
    """A deal event of registration DR-2026-000001, partner ``p1`` unless told."""
    stage = Stage.OPPORTUNITY
    return cls("DR-2026-000001", partner, "PR-000001", "alice", at, None, stage, *extra, **fields)


@pytest.fixture
def storage(tmp_path: Path, events: list[DomainEvent]) -> Storage:
    dispatcher = EventDispatcher()
    dispatcher.subscribe(DomainEvent, events.append)
    return make_storage("memory", tmp_path, dispatcher)


@pytest.fixture
def program() -> Program:
    return priced_program()


def _register(
    storage: Storage, clock: FixedClock, program: Program, domain: str, actor: Actor = ALICE
) -> str:
    with storage.unit_of_work() as uow:
        form = make_form(domain, projected_value=WORTH)
        return services.register_deal(uow, ctx(actor, clock, program), form).id


def _quote_for(storage: Storage, clock: FixedClock, program: Program, partner: Actor) -> str:
    """A quote of new business that no registration stands for."""
    assert partner.partner_id is not None
    with storage.unit_of_work() as uow:
        return services.create_quote(
            uow,
            ctx(partner, clock, program),
            [LineRequest("email-security", 100)],
            partner_id=partner.partner_id,
            prospect_id="PR-900",
        ).id


def _score(activities: list[Activity], tz: str = "Europe/London") -> KpiValues:
    calendar = MonthlyFiscalCalendar(1)
    plan = ScoringPlan(calendar=calendar, as_of=date(2026, 12, 31), currency="EUR", tz=tz)
    return plan.evaluate(plan.tally(activities))


def _both(events: list[DomainEvent], tz: str = "Europe/London") -> list[Activity]:
    return [*DealActivities(tz).activities(events), *QuoteActivities().activities(events)]


def test_the_deal_use_cases_score_as_registrations_approvals_wins_and_losses(
    storage: Storage, program: Program, events: list[DomainEvent]
) -> None:
    clock = FixedClock(NOW)  # Monday 23 November 2026, 09:00 in London
    alice, bob, vendor = (ctx(actor, clock, program) for actor in (ALICE, BOB, VENDOR))
    first, second, lost = (
        _register(storage, clock, program, d) for d in ("acme.co.uk", "globex.co.uk", "ini.co.uk")
    )
    declined = _register(storage, clock, program, "umbrella.example", BOB)
    clock.advance(days=1)
    approve(storage, vendor, lost)
    with storage.unit_of_work() as uow:
        services.decline_deal(uow, vendor, declined, "not a new customer")
    clock.advance(days=1)
    first_quote = approve(storage, vendor, first)
    clock.advance(days=2)
    second_quote = approve(storage, vendor, second)
    with storage.unit_of_work() as uow:
        services.mark_deal_lost(uow, alice, lost, "budget cut")
    won = [order_quote(storage, quote, alice) for quote in (first_quote, second_quote)]
    unregistered = order_quote(storage, _quote_for(storage, clock, program, BOB), bob)

    values = _score(_both(events))

    acme = values.row("p1")
    assert acme["deals_registered_ytd"] == 3
    assert acme["deals_approved_ytd"] == 3
    assert acme["deals_won_ytd"] == 2
    assert acme["deals_lost_ytd"] == 1
    assert acme["win_rate_ytd"] == Decimal("66.67")
    assert acme["median_days_to_approval_ytd"] == Decimal("2")  # 1, 2 and 4 days
    # Each win is worth its order's net total, not the registration's projected value.
    assert acme["sourced_revenue_ytd"] == won[0].net_total + won[1].net_total
    assert acme["sourced_revenue_ytd"] == Money("19950.00", "EUR")  # 2 x (10500 - 5 % reward)
    umbrella = values.row("p2")
    assert umbrella["deals_registered_ytd"] == 1
    assert umbrella["deals_declined_ytd"] == 1
    assert umbrella["deals_won_ytd"] == 1
    assert umbrella["sourced_revenue_ytd"] == unregistered.net_total
    assert umbrella["win_rate_ytd"] == Decimal("100.00")


def test_a_quoted_win_is_recorded_once_and_reported_once(
    storage: Storage, program: Program, events: list[DomainEvent]
) -> None:
    clock = FixedClock(NOW)
    deal = _register(storage, clock, program, "acme.co.uk")
    quote = approve(storage, ctx(VENDOR, clock, program), deal)
    order = order_quote(storage, quote, ctx(ALICE, clock, program))
    # The order's event is the one record of the win: the registration's steps to
    # ORDER_SUBMITTED record no deal event of their own.
    assert [type(e) for e in events if isinstance(e, DealEvent)] == [DealRegistered, DealApproved]
    (by_quote,) = (e for e in events if isinstance(e, QuoteOrderSubmitted))
    assert (by_quote.registration_id, by_quote.moved_registration) == (deal, True)
    assert (by_quote.partner_id, by_quote.net_total) == ("p1", order.net_total)
    assert [a.kind for a in DealActivities().activities(events)] == [
        "deal_registered",
        "deal_approved",
    ]
    (won,) = QuoteActivities().activities(events)
    assert won == Activity(
        "p1",
        "deal_won",
        by_quote.at,
        amount=order.net_total,
        attributes={"order_id": order.id, "registration_id": deal},
    )


def test_an_order_whose_registration_was_lost_first_is_a_win_of_its_own(
    storage: Storage, program: Program, events: list[DomainEvent]
) -> None:
    clock = FixedClock(NOW)
    alice = ctx(ALICE, clock, program)
    deal = _register(storage, clock, program, "acme.co.uk")
    order = start_quoted_order(storage, approve(storage, ctx(VENDOR, clock, program), deal), alice)
    with storage.unit_of_work() as uow:
        services.mark_deal_lost(uow, alice, deal, "customer went quiet")
    with storage.unit_of_work() as uow:
        services.submit_order(uow, alice, order.id, purchase_order="PO-9")
    (submitted,) = [e for e in events if isinstance(e, QuoteOrderSubmitted)]
    assert (submitted.registration_id, submitted.moved_registration) == (deal, False)
    activities = _both(events)
    assert [a.kind for a in activities] == [
        "deal_registered",
        "deal_approved",
        "deal_lost",
        "deal_won",
    ]
    # The customer bought anyway: the order's revenue is not lost with the registration.
    assert activities[-1].attributes == {"order_id": order.id}
    assert activities[-1].amount is not None
    assert activities[-1].amount.amount > 0


def test_an_order_submitted_before_its_registration_could_follow_is_a_win_of_its_own(
    storage: Storage, program: Program, events: list[DomainEvent]
) -> None:
    # The quote is made while the registration is still an opportunity, so the order's
    # start and submission cannot move it; the order alone stands for the win.
    clock = FixedClock(NOW)
    alice = ctx(ALICE, clock, program)
    deal = _register(storage, clock, program, "acme.co.uk")
    with storage.unit_of_work() as uow:
        quote = services.create_quote(
            uow,
            alice,
            [LineRequest("email-security", 100)],
            partner_id="p1",
            prospect_id="PR-000001",
            registration_id=deal,
        )
    order = start_quoted_order(storage, quote.id, alice)
    clock.advance(days=1)
    with storage.unit_of_work() as uow:
        services.approve_deal(uow, ctx(VENDOR, clock, program), deal)
    with storage.unit_of_work() as uow:
        services.submit_order(uow, alice, order.id, purchase_order="PO-7")
    (submitted,) = [e for e in events if isinstance(e, QuoteOrderSubmitted)]
    assert submitted.registration_id == deal
    assert submitted.moved_registration is False
    activities = _both(events)
    assert [a.kind for a in activities] == ["deal_registered", "deal_approved", "deal_won"]
    assert activities[-1].attributes == {"order_id": order.id}


def test_a_renewal_order_is_no_win(
    storage: Storage, program: Program, events: list[DomainEvent]
) -> None:
    clock = FixedClock(NOW)
    bob = ctx(BOB, clock, program)
    first = order_quote(storage, _quote_for(storage, clock, program, BOB), bob)
    with storage.unit_of_work() as uow:
        (subscription,) = uow.repository(SUBSCRIPTIONS).list({"partner_id": "p2"})
    clock.advance(days=30)
    with storage.unit_of_work() as uow:
        renewal = services.create_renewal_quote(uow, bob, subscription.id)
    order_quote(storage, renewal.id, bob)
    orders = [e for e in events if isinstance(e, QuoteOrderSubmitted)]
    assert [e.renews for e in orders] == [None, subscription.id]
    (won,) = QuoteActivities().activities(events)
    assert won.attributes == {"order_id": first.id}


def test_an_automatic_approval_took_no_days(
    storage: Storage, program: Program, events: list[DomainEvent]
) -> None:
    automatic = with_policy(program, approval_mode="automatic")
    _register(storage, FixedClock(NOW), automatic, "acme.co.uk")
    kinds = [(a.kind, a.user_id) for a in DealActivities().activities(events)]
    assert kinds == [("deal_registered", "alice"), ("deal_approved", None)]
    assert _score(DealActivities().activities(events)).row("p1")[
        "median_days_to_approval_ytd"
    ] == Decimal("0")


def test_days_to_approval_are_counted_in_the_scoring_time_zone() -> None:
    # Registered at 08:00 in Tokyo (23:00 UTC the day before), approved at 20:00 the same
    # Tokyo day (11:00 UTC): no day in Tokyo, one day in UTC.
    registered = pendulum.datetime(2026, 3, 2, 8, tz="Asia/Tokyo")
    approved = _event(DealApproved, registered.add(hours=12), *DEADLINES, registered_at=registered)
    for tz, registered_on, days in (("Asia/Tokyo", "2026-03-02", 0), ("UTC", "2026-03-01", 1)):
        (activity,) = DealActivities(tz).activities([approved])
        assert activity.attributes["registered_on"] == registered_on
        row = _score([activity], tz).row("p1")
        assert row["median_days_to_approval_ytd"] == Decimal(days)


def test_both_sources_are_activity_sources() -> None:
    sources: list[ActivitySource] = [DealActivities(), QuoteActivities()]
    assert all(isinstance(source, ActivitySource) for source in sources)


def test_events_a_source_does_not_know_give_nothing() -> None:
    expired = _event(DealExpired, AT, "not reviewed in time")
    created = QuoteCreated("Q-1-R1", "Q-1", 1, "p2", "PR-1", None, Money("9", "EUR"), "bob", AT)
    assert DealActivities().activities([NEW_BUSINESS, created, expired, object(), "text"]) == []
    withdrawn = _event(DealWithdrawn, AT, "duplicate entry")
    registered = _event(DealRegistered, AT, "Acme Ltd", True)
    assert QuoteActivities().activities([withdrawn, registered, expired, object()]) == []
    assert QuoteActivities().activities([NEW_BUSINESS]) == [
        Activity("p2", "deal_won", AT, amount=Money("900", "EUR"), attributes={"order_id": "O-1"})
    ]


def test_a_malformed_known_event_names_every_bad_field_and_returns_nothing() -> None:
    naive = datetime(2026, 3, 2, 9)
    bad = [
        _event(DealExpired, naive, "skipped: no activity"),
        _event(DealRegistered, naive, "Acme Ltd", True, partner="", projected_value="20000"),
        _event(DealLost, AT, "budget", projected_value=Decimal("1.5")),
        _event(DealRegistered, AT, "Acme Ltd", True),
    ]
    with pytest.raises(ValidationError) as caught:
        DealActivities().activities(bad)
    assert [(e.path, e.code) for e in caught.value.errors] == [
        ("events.1.partner_id", "required"),
        ("events.1.at", "naive_datetime"),
        ("events.1.projected_value", "invalid"),
        ("events.2.projected_value", "invalid"),
    ]


def test_an_order_recorded_before_it_named_its_partner_and_total_is_malformed() -> None:
    # Every order of new business is a win, whether or not it names a registration: one
    # that cannot say whose win it is, or what it is worth, is malformed.
    old = QuoteOrderSubmitted("O-1", "PO-1", None, "bob", AT)
    quoted = QuoteOrderSubmitted("O-2", "PO-2", "DR-2026-000001", "bob", AT)
    with pytest.raises(ValidationError) as caught:
        QuoteActivities().activities([quoted, NEW_BUSINESS, old])
    assert [(e.path, e.code) for e in caught.value.errors] == [
        ("events.0.partner_id", "required"),
        ("events.0.net_total", "required"),
        ("events.2.partner_id", "required"),
        ("events.2.net_total", "required"),
    ]


def test_deal_events_stored_before_they_carried_values_still_convert() -> None:
    approved = _event(DealApproved, AT.add(days=3), *DEADLINES, registered_at=AT)
    registered = _event(DealRegistered, AT, "Acme Ltd", True, projected_value=WORTH)
    stored = []
    for event, new_field in ((registered, "projected_value"), (approved, "registered_at")):
        data = to_dict(event)
        del data[new_field]
        stored.append(from_dict(type(event), data))
    assert stored == [attrs.evolve(registered, projected_value=None),
                      attrs.evolve(approved, registered_at=None)]  # fmt: skip
    activities = DealActivities().activities(stored)
    assert [(a.kind, a.amount, dict(a.attributes)) for a in activities] == [
        ("deal_registered", None, {"registration_id": "DR-2026-000001"}),
        ("deal_approved", None, {"registration_id": "DR-2026-000001"}),
    ]
    row = _score(activities).row("p1")
    assert (row["deals_approved_ytd"], row["median_days_to_approval_ytd"]) == (1, None)
    assert _score(DealActivities().activities([approved])).row("p1")[
        "median_days_to_approval_ytd"
    ] == Decimal("3")


def test_the_registrations_order_steps_raise_no_deal_event_of_their_own() -> None:
    # The order's quoting events are the one pair of order events (see the tests above).
    deal, _ = new_registration("DR-2026-000001", "p1", PROSPECT, FORM, "alice", NOW, POLICY)
    deal, _ = deal.approve("vera", NOW, POLICY)
    started = deal.start_order("alice", NOW)
    won = started.submit_order("alice", NOW)
    assert (started.stage, won.stage) == (Stage.ORDER_STARTED, Stage.ORDER_SUBMITTED)
    assert [entry.action for entry in won.audit][-2:] == ["start_order", "submit_order"]
