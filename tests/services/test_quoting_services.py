from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest

from partnerkit import services
from partnerkit.core import DomainEvent, EventDispatcher, Money, Percentage
from partnerkit.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from partnerkit.partners import Actor
from partnerkit.quoting import (
    BillingUnit,
    LineRequest,
    MarginPolicy,
    OrderStarted,
    OrderStatus,
    OrderSubmitted,
    PriceBook,
    Product,
    ProductPrice,
    Quote,
    QuoteCreated,
    QuoteRepriced,
    QuoteStatus,
    QuoteStatusChanged,
    SubscriptionStarted,
    VolumeBand,
)
from partnerkit.storage import (
    ORDERS,
    QUOTES,
    SUBSCRIPTIONS,
    MemoryStorage,
    SqliteStorage,
    Storage,
)
from partnerkit.testing import FixedClock
from partnerkit.tiers import Benefits, Tier


@attrs.frozen
class Registration:
    id: str
    partner_id: str
    prospect_id: str
    stage: str = "approved"


APPROVED = Registration("DR-7", "p-1", "acme")
USER = Actor("u-1", "administrator", partner_id="p-1")
SYSTEM = Actor("v-1", "program_administrator")
OTHER = Actor("u-9", "administrator", partner_id="p-2")
GOLD = Tier("gold", "Gold", 2, Benefits(Percentage(20), Percentage(10)))
BOOK = PriceBook(
    "eur-2026",
    "EUR",
    date(2026, 1, 1),
    prices=[
        ProductPrice(Product("MAIL", "Mail security"), [VolumeBand(1, Money("4.00", "EUR"))]),
        ProductPrice(
            Product("SETUP", "Onboarding", BillingUnit.FLAT), [VolumeBand(1, Money("900", "EUR"))]
        ),
    ],
)
POLICY = MarginPolicy()


class _Boom(Exception):
    pass


@pytest.fixture(params=["memory", "sqlite"])
def make_storage(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Callable[[EventDispatcher], Storage]:
    def make(dispatcher: EventDispatcher) -> Storage:
        if request.param == "memory":
            return MemoryStorage(dispatcher)
        return SqliteStorage(tmp_path / "quoting.sqlite3", dispatcher=dispatcher)

    return make


@pytest.fixture
def published() -> list[DomainEvent]:
    return []


@pytest.fixture
def storage(
    make_storage: Callable[[EventDispatcher], Storage], published: list[DomainEvent]
) -> Storage:
    dispatcher = EventDispatcher()
    dispatcher.subscribe(DomainEvent, published.append)
    return make_storage(dispatcher)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))


def _approval_quote(storage: Storage, clock: FixedClock) -> str:
    with storage.unit_of_work() as uow:
        quote = services.create_quote_for_registration(
            uow,
            APPROVED,
            BOOK,
            POLICY,
            sku="MAIL",
            seats=10,
            actor=SYSTEM,
            clock=clock,
            tier=GOLD,
        )
        uow.commit()
    return quote.id


def _create_quote(
    storage: Storage,
    clock: FixedClock,
    *lines: LineRequest,
    actor: Actor = USER,
    tier: Tier | None = None,
    registration: Registration | None = None,
) -> Quote:
    """A quote for p-1 and acme through services.create_quote, in a unit of work of its own."""
    with storage.unit_of_work() as uow:
        return services.create_quote(
            uow,
            list(lines),
            BOOK,
            POLICY,
            partner_id="p-1",
            prospect_id="acme",
            actor=actor,
            clock=clock,
            tier=tier,
            registration=registration,
        )


def test_the_approval_quote_commits_with_the_callers_unit_of_work(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    quote_id = _approval_quote(storage, clock)
    assert quote_id == "Q-2026-000001-R1"
    with storage.unit_of_work() as uow:
        quote = uow.repository(QUOTES).get(quote_id)
    assert quote.reward_margin == Money("48.00", "EUR")
    assert [type(e) for e in published] == [QuoteCreated]


def test_a_fault_after_the_approval_quote_leaves_nothing_written(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    def approve_then_fail() -> None:
        with storage.unit_of_work() as uow:
            services.create_quote_for_registration(
                uow, APPROVED, BOOK, POLICY, sku="MAIL", seats=10, actor=SYSTEM, clock=clock
            )
            raise _Boom  # the deals service fails after the hook, before its commit

    with pytest.raises(_Boom):
        approve_then_fail()
    with storage.unit_of_work() as uow:
        assert uow.repository(QUOTES).count() == 0
    assert published == []


def test_further_quotes_for_the_prospect_also_earn_the_reward_margin(
    storage: Storage, clock: FixedClock
) -> None:
    _approval_quote(storage, clock)
    second = _create_quote(
        storage, clock, LineRequest("MAIL", 5, 24), tier=GOLD, registration=APPROVED
    )
    assert second.number == "Q-2026-000002"
    assert second.reward_margin == Money("48.00", "EUR")


def test_declining_the_registration_reprices_open_quotes_but_not_accepted_ones(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    first = _approval_quote(storage, clock)
    second = _create_quote(
        storage, clock, LineRequest("MAIL", 5, 24), tier=GOLD, registration=APPROVED
    )
    with storage.unit_of_work() as uow:
        services.accept_quote(uow, first, actor=USER, clock=clock)
    declined = attrs.evolve(APPROVED, stage="declined")
    with storage.unit_of_work() as uow:
        changed = services.reprice_quotes_for_registration(
            uow, declined, BOOK, POLICY, actor=SYSTEM, clock=clock, tier=GOLD
        )
        uow.commit()
    assert [q.id for q in changed] == [second.id]
    with storage.unit_of_work() as uow:
        assert uow.repository(QUOTES).get(second.id).reward_margin.is_zero()
        assert uow.repository(QUOTES).get(first).reward_margin == Money("48.00", "EUR")
    assert isinstance(published[-1], QuoteRepriced)
    assert published[-1].to_net_total == Money("384.00", "EUR")


def test_a_revision_supersedes_the_stored_quote(storage: Storage, clock: FixedClock) -> None:
    first = _approval_quote(storage, clock)
    with storage.unit_of_work() as uow:
        revised = services.revise_quote(
            uow,
            first,
            [LineRequest("MAIL", 20, 12)],
            BOOK,
            POLICY,
            actor=USER,
            clock=clock,
            tier=GOLD,
            registration=APPROVED,
        )
    assert revised.id == "Q-2026-000001-R2"
    with storage.unit_of_work() as uow:
        assert uow.repository(QUOTES).get(first).status is QuoteStatus.SUPERSEDED
        assert uow.repository(QUOTES).count({"number": "Q-2026-000001"}) == 2


def test_an_accepted_quote_orders_submits_and_starts_a_subscription(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    quote = _create_quote(
        storage, clock, LineRequest("MAIL", 10, 12), LineRequest("SETUP", 1), tier=GOLD
    )
    with storage.unit_of_work() as uow:
        services.send_quote(uow, quote.id, actor=USER, clock=clock)
    with storage.unit_of_work() as uow:
        services.accept_quote(uow, quote.id, actor=USER, clock=clock)
    with storage.unit_of_work() as uow:
        order = services.start_quote_order(uow, quote.id, actor=USER, clock=clock)
    assert order.net_total == quote.net_total
    with storage.unit_of_work() as uow, pytest.raises(Conflict):
        services.start_quote_order(uow, quote.id, actor=USER, clock=clock)
    with storage.unit_of_work() as uow, pytest.raises(ValidationError):
        services.submit_quote_order(uow, order.id, purchase_order="", actor=USER, clock=clock)
    with storage.unit_of_work() as uow:
        assert uow.repository(ORDERS).get(order.id).status is OrderStatus.STARTED
    with storage.unit_of_work() as uow:
        submitted, subscription = services.submit_quote_order(
            uow, order.id, purchase_order="PO-1", actor=USER, clock=clock
        )
    assert submitted.purchase_order == "PO-1"
    assert subscription is not None
    assert (subscription.term_start, subscription.term_end) == (date(2026, 3, 2), date(2027, 3, 1))
    assert [type(e) for e in published] == [
        QuoteCreated,
        QuoteStatusChanged,
        QuoteStatusChanged,
        OrderStarted,
        OrderSubmitted,
        SubscriptionStarted,
    ]
    with storage.unit_of_work() as uow:
        assert uow.repository(SUBSCRIPTIONS).get(subscription.id) == subscription


def test_an_expired_quote_cannot_be_accepted_and_stays_unchanged(
    storage: Storage, clock: FixedClock
) -> None:
    quote_id = _approval_quote(storage, clock)
    clock.advance(days=31)
    with storage.unit_of_work() as uow, pytest.raises(InvalidTransition):
        services.accept_quote(uow, quote_id, actor=USER, clock=clock)
    with storage.unit_of_work() as uow:
        services.expire_quote(uow, quote_id, actor=SYSTEM, clock=clock)
    with storage.unit_of_work() as uow:
        assert uow.repository(QUOTES).get(quote_id).status is QuoteStatus.EXPIRED


def _subscribe(storage: Storage, clock: FixedClock, start: date) -> str:
    quote = _create_quote(storage, clock, LineRequest("MAIL", 10, 12))
    with storage.unit_of_work() as uow:
        services.accept_quote(uow, quote.id, actor=USER, clock=clock)
    with storage.unit_of_work() as uow:
        order = services.start_quote_order(uow, quote.id, actor=USER, clock=clock)
    with storage.unit_of_work() as uow:
        _, subscription = services.submit_quote_order(
            uow, order.id, purchase_order="PO", actor=USER, clock=clock, term_start=start
        )
    assert subscription is not None
    return subscription.id


def test_upcoming_renewals_lists_terms_ending_in_the_window_and_renewals_reprice(
    storage: Storage, clock: FixedClock
) -> None:
    soon = _subscribe(storage, clock, date(2025, 4, 1))  # ends 2026-03-31
    later = _subscribe(storage, clock, date(2025, 9, 1))  # ends 2026-08-31
    _subscribe(storage, clock, date(2025, 1, 1))  # ended 2025-12-31
    with storage.unit_of_work() as uow:
        due = services.upcoming_renewals(uow, "p-1", 60, actor=USER, clock=clock)
        assert [s.id for s in due] == [soon]
        assert services.upcoming_renewals(uow, "p-2", 365, actor=OTHER, clock=clock) == []
        everything = services.upcoming_renewals(uow, "p-1", 365, actor=USER, clock=clock)
        assert [s.id for s in everything] == [soon, later]
    with storage.unit_of_work() as uow:
        renewal = services.create_renewal_quote(
            uow, soon, BOOK, POLICY, actor=USER, clock=clock, tier=GOLD
        )
    assert renewal.renews == soon
    assert renewal.partner_margin == Money("96.00", "EUR")
    assert renewal.valid_until == date(2026, 3, 2) + timedelta(days=30)


def test_an_order_started_without_commit_is_dropped_with_the_callers_unit_of_work(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    quote_id = _approval_quote(storage, clock)
    with storage.unit_of_work() as uow:
        services.accept_quote(uow, quote_id, actor=USER, clock=clock)
    published.clear()

    def start_then_fail() -> None:
        with storage.unit_of_work() as uow:
            services.start_quote_order(uow, quote_id, actor=USER, clock=clock, commit=False)
            raise _Boom  # moving the registration to ORDER_STARTED failed

    with pytest.raises(_Boom):
        start_then_fail()
    with storage.unit_of_work() as uow:
        assert uow.repository(ORDERS).count() == 0
    assert published == []
    with storage.unit_of_work() as uow:
        order = services.start_quote_order(uow, quote_id, actor=USER, clock=clock, commit=False)
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.repository(ORDERS).get(order.id) == order


def test_quote_services_authorize_the_actor_and_hide_other_partners_records(
    storage: Storage, clock: FixedClock
) -> None:
    quote_id = _approval_quote(storage, clock)
    with storage.unit_of_work() as uow, pytest.raises(NotFound):
        services.accept_quote(uow, quote_id, actor=OTHER, clock=clock)
    with storage.unit_of_work() as uow, pytest.raises(NotFound):
        services.accept_quote(uow, "Q-2026-999999-R1", actor=OTHER, clock=clock)
    with pytest.raises(PermissionDenied):
        _create_quote(storage, clock, LineRequest("MAIL", 1), actor=OTHER)
    pam = Actor("v-2", "partner_account_manager", managed_partner_ids={"p-1"})
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        services.send_quote(uow, quote_id, actor=pam, clock=clock)
    plain_user = Actor("u-2", "user", partner_id="p-1")
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        services.upcoming_renewals(uow, "p-1", 30, actor=plain_user, clock=clock)
    with storage.unit_of_work() as uow:
        assert uow.repository(QUOTES).get(quote_id).status is QuoteStatus.DRAFT
        sent = services.send_quote(uow, quote_id, actor=plain_user, clock=clock)
    assert sent.history[-1].actor == "u-2"


def test_the_nightly_job_expires_overdue_open_quotes_only(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    first = _approval_quote(storage, clock)
    accepted = _create_quote(storage, clock, LineRequest("MAIL", 2))
    with storage.unit_of_work() as uow:
        services.accept_quote(uow, accepted.id, actor=USER, clock=clock)
    clock.advance(days=20)
    fresh = _create_quote(storage, clock, LineRequest("MAIL", 3))
    clock.advance(days=11)  # the first quote's valid_until has passed, the fresh one's not
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        services.expire_overdue_quotes(uow, actor=USER, clock=clock)
    with storage.unit_of_work() as uow:
        expired = services.expire_overdue_quotes(uow, actor=SYSTEM, clock=clock)
    assert [q.id for q in expired] == [first]
    with storage.unit_of_work() as uow:
        quotes = uow.repository(QUOTES)
        assert quotes.get(first).status is QuoteStatus.EXPIRED
        assert quotes.get(accepted.id).status is QuoteStatus.ACCEPTED
        assert quotes.get(fresh.id).status is QuoteStatus.DRAFT
    assert isinstance(published[-1], QuoteStatusChanged)
    assert published[-1].to_status == "expired"
