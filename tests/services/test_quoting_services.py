from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest

from partnerkit import services
from partnerkit.addresses import Address
from partnerkit.contacts import Contact
from partnerkit.core import DomainEvent, EventDispatcher, Money, Percentage
from partnerkit.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    PublishError,
    ValidationError,
)
from partnerkit.deals import (
    CompanySection,
    DealApproved,
    DealRegistration,
    OpportunitySection,
    PartnerSection,
    RegistrationForm,
    Stage,
)
from partnerkit.partners import Actor, Partner
from partnerkit.program import Program
from partnerkit.quoting import (
    BillingUnit,
    LineRequest,
    MarginPolicy,
    OrderStarted,
    OrderStatus,
    OrderSubmitted,
    PriceBook,
    Pricing,
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
from partnerkit.services import Context
from partnerkit.storage import (
    DEAL_REGISTRATIONS,
    ORDERS,
    PARTNERS,
    QUOTES,
    SUBSCRIPTIONS,
    AggregateSpec,
    MemoryStorage,
    SqliteStorage,
    Storage,
    UnitOfWork,
)
from partnerkit.testing import FixedClock, make_program
from partnerkit.tiers import Benefits, Tier, TierLadder

USER = Actor("u-1", "administrator", partner_id="p-1")
SYSTEM = Actor("v-1", "program_administrator")
OTHER = Actor("u-9", "administrator", partner_id="p-2")
GOLD = Tier("gold", "Gold", 2, Benefits(Percentage(20), Percentage(10)))
MAIL = Product("MAIL", "Mail security")
SETUP = Product("SETUP", "Onboarding", BillingUnit.FLAT)
BOOK = PriceBook(
    "eur-2026",
    "EUR",
    date(2026, 1, 1),
    prices=[
        ProductPrice(MAIL, [VolumeBand(1, Money("4.00", "EUR"))]),
        ProductPrice(SETUP, [VolumeBand(1, Money("900", "EUR"))]),
    ],
)
#: A euro program in Berlin that quotes from its [pricing] and holds every partner at Gold.
PROGRAM: Program = make_program(
    key="quoting",
    currency="EUR",
    timezone="Europe/Berlin",
    tiers=TierLadder([GOLD]),
    pricing=Pricing(products=(MAIL, SETUP), price_books=(BOOK,), margins=MarginPolicy()),
)
#: The prospect of the quotes made without a deal registration.
PROSPECT = "acme"


class _Boom(Exception):
    pass


def _boom(*args: object, **kwargs: object) -> Any:
    raise _Boom


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
    """A backend holding the Gold partners p-1 and p-2 (their tier prices their quotes)."""
    dispatcher = EventDispatcher()
    dispatcher.subscribe(DomainEvent, published.append)
    made = make_storage(dispatcher)
    with made.unit_of_work() as uow:
        for partner_id in ("p-1", "p-2"):
            partner = Partner(partner_id, partner_id, f"{partner_id}.example", "reseller")
            uow.repository(PARTNERS).add(attrs.evolve(partner, tier="gold"))
        uow.commit()
    return made


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))


def on(actor: Actor, clock: FixedClock, program: Program = PROGRAM) -> Context:
    """The context of ``actor`` on ``clock`` in ``program``."""
    return Context(actor, clock, program)


def _form() -> RegistrationForm:
    """A registration form for Acme GmbH: 10 seats of MAIL."""
    return RegistrationForm(
        CompanySection("Acme GmbH", "acme-gmbh.example"),
        PartnerSection("Petra Rep", "+1 415 555 0100"),
        Contact(
            "Kim",
            "Buyer",
            "kim@acme-gmbh.example",
            phone="+1 415 555 0199",
            position="CIO",
            role="decision_maker",
            address=Address(
                "US", "1 Market St", city="San Francisco", country_area="CA", postal_code="94105"
            ),
        ),
        OpportunitySection(
            "MAIL",
            10,
            Money("5000", "EUR"),
            date(2026, 9, 30),
            budget_approved=True,
            priority="high",
            problems="Phishing.",
        ),
    )


def _registered(storage: Storage, clock: FixedClock, program: Program = PROGRAM) -> str:
    """The id of p-1's registration of 10 seats of MAIL, still an opportunity."""
    with storage.unit_of_work() as uow:
        return services.register_deal(uow, on(USER, clock, program), _form()).id


def _approved(
    storage: Storage, clock: FixedClock, program: Program = PROGRAM
) -> tuple[DealRegistration, str]:
    """p-1's registration, approved by the vendor, and the id of its approval quote."""
    registration_id = _registered(storage, clock, program)
    with storage.unit_of_work() as uow:
        deal = services.approve_deal(uow, on(SYSTEM, clock, program), registration_id)
    with storage.unit_of_work() as uow:
        (quote,) = uow.repository(QUOTES).list({"registration_id": deal.id})
    return deal, quote.id


def _approval_quote(storage: Storage, clock: FixedClock) -> str:
    return _approved(storage, clock)[1]


def _create_quote(
    storage: Storage,
    clock: FixedClock,
    *lines: LineRequest,
    actor: Actor = USER,
    registration: DealRegistration | None = None,
    program: Program = PROGRAM,
) -> Quote:
    """A quote for p-1 through services.create_quote, in a unit of work of its own.

    For ``registration``'s prospect when given (and for it), else for :data:`PROSPECT`.
    """
    with storage.unit_of_work() as uow:
        return services.create_quote(
            uow,
            on(actor, clock, program),
            list(lines),
            partner_id="p-1",
            prospect_id=PROSPECT if registration is None else registration.prospect_id,
            registration_id=None if registration is None else registration.id,
        )


def _order(storage: Storage, clock: FixedClock, quote_id: str, program: Program = PROGRAM) -> str:
    """Send and accept ``quote_id`` and start its order as p-1's administrator; the order's id."""
    ctx = on(USER, clock, program)
    with storage.unit_of_work() as uow:
        services.send_quote(uow, ctx, quote_id)
    with storage.unit_of_work() as uow:
        services.accept_quote(uow, ctx, quote_id)
    with storage.unit_of_work() as uow:
        return services.start_order(uow, ctx, quote_id).id


@contextmanager
def _failing(
    monkeypatch: pytest.MonkeyPatch, uow: UnitOfWork, spec: AggregateSpec[Any], method: str
) -> Iterator[None]:
    """Make ``method`` of the backend's repositories (as ``uow`` hands out) raise inside."""
    with monkeypatch.context() as patch:
        patch.setattr(type(uow.repository(spec)), method, _boom)
        yield


def _stage(storage: Storage, registration_id: str) -> Stage:
    with storage.unit_of_work() as uow:
        return uow.repository(DEAL_REGISTRATIONS).get(registration_id).stage


def test_approving_a_deal_makes_its_approval_quote_in_the_same_commit(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    registration_id = _registered(storage, clock)
    published.clear()
    with storage.unit_of_work() as uow:
        services.approve_deal(uow, on(SYSTEM, clock), registration_id)
    with storage.unit_of_work() as uow:
        (quote,) = uow.repository(QUOTES).list({"registration_id": registration_id})
    assert quote.id == "Q-2026-000001-R1"
    # Ten seats of MAIL for twelve months at the program's book: 480 EUR, 10 % reward (Gold).
    assert quote.list_total == Money("480.00", "EUR")
    assert quote.reward_margin == Money("48.00", "EUR")
    assert quote.history[-1].actor == "v-1"
    assert [type(e) for e in published] == [DealApproved, QuoteCreated]


def test_a_fault_after_the_approval_quote_leaves_nothing_written(
    storage: Storage,
    clock: FixedClock,
    published: list[DomainEvent],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registration_id = _registered(storage, clock)
    published.clear()
    with storage.unit_of_work() as uow:
        monkeypatch.setattr(uow, "commit", _boom)  # the approving commit fails
        with pytest.raises(_Boom):
            services.approve_deal(uow, on(SYSTEM, clock), registration_id)
    with storage.unit_of_work() as uow:
        assert uow.repository(QUOTES).count() == 0
    assert _stage(storage, registration_id) is Stage.OPPORTUNITY
    assert published == []


def test_a_program_without_pricing_cannot_quote_and_approves_without_a_quote(
    storage: Storage, clock: FixedClock
) -> None:
    unpriced = attrs.evolve(PROGRAM, pricing=None)
    with pytest.raises(ValidationError) as caught:
        _create_quote(storage, clock, LineRequest("MAIL", 1), program=unpriced)
    assert caught.value.paths == ("program.pricing",)
    registration_id = _registered(storage, clock, unpriced)
    with storage.unit_of_work() as uow:
        approved = services.approve_deal(uow, on(SYSTEM, clock, unpriced), registration_id)
    assert approved.stage is Stage.APPROVED
    with storage.unit_of_work() as uow:
        assert uow.repository(QUOTES).count() == 0


def test_further_quotes_for_the_prospect_also_earn_the_reward_margin(
    storage: Storage, clock: FixedClock
) -> None:
    deal, _ = _approved(storage, clock)
    second = _create_quote(storage, clock, LineRequest("MAIL", 5, 24), registration=deal)
    assert second.number == "Q-2026-000002"
    assert second.registration_id == deal.id
    assert second.reward_margin == Money("48.00", "EUR")
    assert second.partner_margin == Money("96.00", "EUR")  # Gold, read from p-1's record


def test_a_quote_names_only_a_registration_of_its_own_partner(
    storage: Storage, clock: FixedClock
) -> None:
    deal, _ = _approved(storage, clock)

    def quote_for_p2(ctx: Context) -> Quote:
        with storage.unit_of_work() as uow:
            return services.create_quote(
                uow,
                ctx,
                [LineRequest("MAIL", 1)],
                partner_id="p-2",
                prospect_id=deal.prospect_id,
                registration_id=deal.id,
            )

    with pytest.raises(NotFound):  # p-2's administrator does not reach p-1's registration
        quote_for_p2(on(OTHER, clock))
    # An account manager of both partners who may quote (a program that lets them) still
    # cannot put p-1's registration on p-2's quote.
    both = Actor("v-2", "partner_account_manager", managed_partner_ids={"p-1", "p-2"})
    permissions = PROGRAM.permissions
    quoting = permissions.with_role(
        both.role, (*permissions.permissions_of(both.role), "register_deals")
    )
    with pytest.raises(ValidationError) as caught:
        quote_for_p2(on(both, clock, attrs.evolve(PROGRAM, permissions=quoting)))
    assert caught.value.paths == ("registration_id",)
    with storage.unit_of_work() as uow:
        assert uow.repository(QUOTES).count({"partner_id": "p-2"}) == 0


@pytest.mark.parametrize("leave", ["withdraw", "lost"])
def test_a_registration_leaving_approved_reprices_open_quotes_but_not_accepted_ones(
    storage: Storage, clock: FixedClock, published: list[DomainEvent], leave: str
) -> None:
    deal, first = _approved(storage, clock)
    second = _create_quote(storage, clock, LineRequest("MAIL", 5, 24), registration=deal)
    with storage.unit_of_work() as uow:
        services.accept_quote(uow, on(USER, clock), first)
    published.clear()
    with storage.unit_of_work() as uow:
        if leave == "withdraw":
            services.withdraw_deal(uow, on(USER, clock), deal.id, "customer went elsewhere")
        else:
            services.mark_deal_lost(uow, on(SYSTEM, clock), deal.id, "no budget")
    repriced = [e for e in published if isinstance(e, QuoteRepriced)]
    assert [e.quote_id for e in repriced] == [second.id]
    with storage.unit_of_work() as uow:
        assert uow.repository(QUOTES).get(second.id).reward_margin.is_zero()
        assert uow.repository(QUOTES).get(first).reward_margin == Money("48.00", "EUR")
    assert isinstance(published[-1], QuoteRepriced)
    assert published[-1].to_net_total == Money("384.00", "EUR")


def test_a_revision_supersedes_the_stored_quote(storage: Storage, clock: FixedClock) -> None:
    _, first = _approved(storage, clock)
    with storage.unit_of_work() as uow:
        revised = services.revise_quote(uow, on(USER, clock), first, [LineRequest("MAIL", 20, 12)])
    assert revised.id == "Q-2026-000001-R2"
    assert revised.reward_margin == Money("96.00", "EUR")  # the registration still earns it
    with storage.unit_of_work() as uow:
        assert uow.repository(QUOTES).get(first).status is QuoteStatus.SUPERSEDED
        assert uow.repository(QUOTES).count({"number": "Q-2026-000001"}) == 2


@pytest.mark.parametrize("fault", ["taken id", "failing add"])
def test_a_revision_failing_at_its_add_leaves_the_old_revision_open_when_the_host_commits(
    storage: Storage,
    clock: FixedClock,
    published: list[DomainEvent],
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    _, first = _approved(storage, clock)
    with storage.unit_of_work() as uow:
        sent = services.send_quote(uow, on(USER, clock), first)
    if fault == "taken id":
        with storage.unit_of_work() as uow:  # something else already holds the new id
            uow.repository(QUOTES).add(attrs.evolve(sent, id="Q-2026-000001-R2", version=0))
            uow.commit()
    published.clear()
    expected: type[Exception] = Conflict if fault == "taken id" else _Boom
    with storage.unit_of_work() as uow:
        adding: AbstractContextManager[object] = nullcontext()
        if fault == "failing add":
            adding = _failing(monkeypatch, uow, QUOTES, "add")
        with adding, pytest.raises(expected):
            services.revise_quote(uow, on(USER, clock), first, [LineRequest("MAIL", 20)])
        uow.commit()  # the host catches the error and commits anyway
    with storage.unit_of_work() as uow:
        stored = uow.repository(QUOTES).get(first)
        assert stored.status is QuoteStatus.SENT
        assert stored == sent
        revisions = 2 if fault == "taken id" else 1
        assert uow.repository(QUOTES).count({"number": "Q-2026-000001"}) == revisions
    assert published == []
    with storage.unit_of_work() as uow:
        accepted = services.accept_quote(uow, on(USER, clock), first)  # still open
    assert accepted.status is QuoteStatus.ACCEPTED


def test_an_accepted_quote_orders_submits_and_starts_a_subscription(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    quote = _create_quote(storage, clock, LineRequest("MAIL", 10, 12), LineRequest("SETUP", 1))
    order_id = _order(storage, clock, quote.id)
    with storage.unit_of_work() as uow:
        order = uow.repository(ORDERS).get(order_id)
    assert order.net_total == quote.net_total
    with storage.unit_of_work() as uow, pytest.raises(Conflict):
        services.start_order(uow, on(USER, clock), quote.id)
    with storage.unit_of_work() as uow, pytest.raises(ValidationError):
        services.submit_order(uow, on(USER, clock), order.id, purchase_order="")
    with storage.unit_of_work() as uow:
        assert uow.repository(ORDERS).get(order.id).status is OrderStatus.STARTED
    with storage.unit_of_work() as uow:
        submitted, subscription = services.submit_order(
            uow, on(USER, clock), order.id, purchase_order="PO-1"
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
    # No deal registration behind the quote: none moved.
    orders = [e for e in published if isinstance(e, (OrderStarted, OrderSubmitted))]
    assert [e.moved_registration for e in orders] == [False, False]
    with storage.unit_of_work() as uow:
        assert uow.repository(SUBSCRIPTIONS).get(subscription.id) == subscription


def test_an_expired_quote_cannot_be_accepted_and_stays_unchanged(
    storage: Storage, clock: FixedClock
) -> None:
    quote_id = _approval_quote(storage, clock)
    clock.advance(days=31)
    with storage.unit_of_work() as uow, pytest.raises(InvalidTransition):
        services.accept_quote(uow, on(USER, clock), quote_id)
    with storage.unit_of_work() as uow:
        assert uow.repository(QUOTES).get(quote_id).status is QuoteStatus.DRAFT
    with storage.unit_of_work() as uow:
        services.expire_quote(uow, on(SYSTEM, clock), quote_id)
    with storage.unit_of_work() as uow:
        assert uow.repository(QUOTES).get(quote_id).status is QuoteStatus.EXPIRED


def _subscribe(storage: Storage, clock: FixedClock, start: date) -> str:
    quote = _create_quote(storage, clock, LineRequest("MAIL", 10, 12))
    order_id = _order(storage, clock, quote.id)
    with storage.unit_of_work() as uow:
        _, subscription = services.submit_order(
            uow, on(USER, clock), order_id, purchase_order="PO", term_start=start
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
        due = services.upcoming_renewals(uow, on(USER, clock), "p-1", 60)
        assert [s.id for s in due] == [soon]
        assert services.upcoming_renewals(uow, on(OTHER, clock), "p-2", 365) == []
        everything = services.upcoming_renewals(uow, on(USER, clock), "p-1", 365)
        assert [s.id for s in everything] == [soon, later]
        with pytest.raises(NotFound):
            services.upcoming_renewals(uow, on(OTHER, clock), "p-1", 365)
    with storage.unit_of_work() as uow:
        renewal = services.create_renewal_quote(uow, on(USER, clock), soon)
    assert renewal.renews == soon
    assert renewal.partner_margin == Money("96.00", "EUR")
    assert renewal.valid_until == date(2026, 3, 2) + timedelta(days=30)
    with storage.unit_of_work() as uow, pytest.raises(NotFound):
        services.create_renewal_quote(uow, on(OTHER, clock), soon)


def test_a_failure_moving_the_registration_drops_the_order_with_it(
    storage: Storage,
    clock: FixedClock,
    published: list[DomainEvent],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    deal, quote_id = _approved(storage, clock)
    with storage.unit_of_work() as uow:
        services.accept_quote(uow, on(USER, clock), quote_id)
    published.clear()
    with storage.unit_of_work() as uow:
        with _failing(monkeypatch, uow, DEAL_REGISTRATIONS, "save"), pytest.raises(_Boom):
            services.start_order(uow, on(USER, clock), quote_id)  # moving it to ORDER_STARTED
        uow.commit()  # the host commits anyway
    with storage.unit_of_work() as uow:
        assert uow.repository(ORDERS).count() == 0
    assert _stage(storage, deal.id) is Stage.APPROVED
    assert published == []
    with storage.unit_of_work() as uow:
        order = services.start_order(uow, on(USER, clock), quote_id)
    with storage.unit_of_work() as uow:
        assert uow.repository(ORDERS).get(order.id) == order
    assert _stage(storage, deal.id) is Stage.ORDER_STARTED
    assert [(type(e), getattr(e, "moved_registration", None)) for e in published] == [
        (OrderStarted, True)
    ]


def test_a_term_start_past_year_9999_is_refused_before_any_write_and_a_retry_works(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    deal, quote_id = _approved(storage, clock)
    order_id = _order(storage, clock, quote_id)
    assert _stage(storage, deal.id) is Stage.ORDER_STARTED
    published.clear()
    with storage.unit_of_work() as uow:
        with pytest.raises(ValidationError) as caught:
            services.submit_order(
                uow, on(USER, clock), order_id, purchase_order="PO-9", term_start=date(9999, 6, 1)
            )
        uow.commit()  # the host catches the error and commits anyway
    assert caught.value.paths == ("term_start",)
    with storage.unit_of_work() as uow:
        assert uow.repository(ORDERS).get(order_id).status is OrderStatus.STARTED
        assert uow.repository(SUBSCRIPTIONS).count() == 0
    assert _stage(storage, deal.id) is Stage.ORDER_STARTED
    assert published == []
    with storage.unit_of_work() as uow:
        order, subscription = services.submit_order(
            uow, on(USER, clock), order_id, purchase_order="PO-9", term_start=date(2026, 4, 1)
        )
    assert order.status is OrderStatus.SUBMITTED
    assert subscription is not None
    assert (subscription.id, subscription.term_start) == ("S-2026-000001", date(2026, 4, 1))
    with storage.unit_of_work() as uow:
        stored = uow.repository(DEAL_REGISTRATIONS).get(deal.id)
        assert uow.repository(SUBSCRIPTIONS).get(subscription.id) == subscription
    assert stored.stage is Stage.ORDER_SUBMITTED
    assert [type(e) for e in published] == [OrderSubmitted, SubscriptionStarted]
    assert isinstance(published[0], OrderSubmitted)
    assert published[0].moved_registration


def test_quote_services_authorize_the_actor_and_hide_other_partners_records(
    storage: Storage, clock: FixedClock
) -> None:
    quote_id = _approval_quote(storage, clock)
    with storage.unit_of_work() as uow, pytest.raises(NotFound):
        services.accept_quote(uow, on(OTHER, clock), quote_id)
    with storage.unit_of_work() as uow, pytest.raises(NotFound):
        services.accept_quote(uow, on(OTHER, clock), "Q-2026-999999-R1")
    # Quoting for another partner: that partner is NotFound, as if it did not exist.
    with pytest.raises(NotFound):
        _create_quote(storage, clock, LineRequest("MAIL", 1), actor=OTHER)
    pam = Actor("v-2", "partner_account_manager", managed_partner_ids={"p-1"})
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        services.send_quote(uow, on(pam, clock), quote_id)
    plain_user = Actor("u-2", "user", partner_id="p-1")
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        services.upcoming_renewals(uow, on(plain_user, clock), "p-1", 30)
    with storage.unit_of_work() as uow:
        assert uow.repository(QUOTES).get(quote_id).status is QuoteStatus.DRAFT
        assert uow.repository(QUOTES).count({"partner_id": "p-1"}) == 1
        sent = services.send_quote(uow, on(plain_user, clock), quote_id)
    assert sent.history[-1].actor == "u-2"


def test_the_nightly_job_expires_overdue_open_quotes_only(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    first = _approval_quote(storage, clock)
    accepted = _create_quote(storage, clock, LineRequest("MAIL", 2))
    with storage.unit_of_work() as uow:
        services.accept_quote(uow, on(USER, clock), accepted.id)
    clock.advance(days=20)
    fresh = _create_quote(storage, clock, LineRequest("MAIL", 3))
    clock.advance(days=11)  # the first quote's valid_until has passed, the fresh one's not
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        services.expire_overdue_quotes(uow, on(USER, clock))
    with storage.unit_of_work() as uow:
        expired = services.expire_overdue_quotes(uow, Context.system(clock, PROGRAM))
    assert [q.id for q in expired] == [first]
    with storage.unit_of_work() as uow:
        quotes = uow.repository(QUOTES)
        assert quotes.get(first).status is QuoteStatus.EXPIRED
        assert quotes.get(accepted.id).status is QuoteStatus.ACCEPTED
        assert quotes.get(fresh.id).status is QuoteStatus.DRAFT
    assert isinstance(published[-1], QuoteStatusChanged)
    assert published[-1].to_status == "expired"


# -- the program's permissions, not the defaults ------------------------------------------------

#: PROGRAM with a [permissions] table: partner administrators neither quote nor see renewals
#: nor manage users; plain users see renewals; managers manage the partner's users.
CUSTOM = Program.from_dict(
    {
        **PROGRAM.to_dict(),
        "permissions": {
            "administrator": ["view_invoices"],
            "user": ["register_deals", "view_customers"],
            "manager": ["register_deals", "manage_users"],
        },
    }
)
PLAIN = Actor("u-2", "user", partner_id="p-1")
MANAGER = Actor("u-3", "manager", partner_id="p-1")


def _quote_as(actor: Actor) -> Callable[[UnitOfWork, Context], object]:
    return lambda uow, ctx: services.create_quote(
        uow, ctx.with_actor(actor), [LineRequest("MAIL", 1)], partner_id="p-1", prospect_id="acme"
    )


def _renewals_as(actor: Actor) -> Callable[[UnitOfWork, Context], object]:
    return lambda uow, ctx: services.upcoming_renewals(uow, ctx.with_actor(actor), "p-1", 30)


def _register_user_as(actor: Actor) -> Callable[[UnitOfWork, Context], object]:
    def register(uow: UnitOfWork, ctx: Context) -> object:
        email = f"{actor.user_id}-{ctx.program.key}@p-1.example"
        return services.register_user(uow, ctx.with_actor(actor), "p-1", name="New", email=email)

    return register


def _list_users_as(actor: Actor) -> Callable[[UnitOfWork, Context], object]:
    return lambda uow, ctx: services.list_users(uow, ctx.with_actor(actor), "p-1")


#: (what is tried, whether the default permissions allow it, whether CUSTOM does).
_PERMISSION_CASES = [
    ("administrator quotes", _quote_as(USER), True, False),
    ("user quotes", _quote_as(PLAIN), True, True),
    ("administrator lists renewals", _renewals_as(USER), True, False),
    ("user lists renewals", _renewals_as(PLAIN), False, True),
    ("administrator registers a user", _register_user_as(USER), True, False),
    ("manager registers a user", _register_user_as(MANAGER), False, True),
    ("manager lists users", _list_users_as(MANAGER), False, True),
]


def test_a_programs_permissions_table_is_obeyed_by_the_quoting_and_partner_use_cases(
    storage: Storage, clock: FixedClock
) -> None:
    assert CUSTOM.permissions != PROGRAM.permissions
    outcomes: dict[str, tuple[bool, bool]] = {}
    for name, attempt, _, _ in _PERMISSION_CASES:
        allowed = []
        for program in (PROGRAM, CUSTOM):
            with storage.unit_of_work() as uow:
                try:
                    attempt(uow, Context.system(clock, program))
                except PermissionDenied:
                    allowed.append(False)
                else:
                    allowed.append(True)
        outcomes[name] = (allowed[0], allowed[1])
    assert outcomes == {name: (default, custom) for name, _, default, custom in _PERMISSION_CASES}


# -- the program's date ---------------------------------------------------------------------------


def test_quote_order_and_subscription_numbers_take_their_year_from_the_programs_date(
    storage: Storage,
) -> None:
    clock = FixedClock(datetime(2027, 1, 1, 7, 30, tzinfo=timezone.utc))
    los_angeles = attrs.evolve(PROGRAM, timezone="America/Los_Angeles")  # 23:30 on 31 December
    quote = _create_quote(storage, clock, LineRequest("MAIL", 10, 12), program=los_angeles)
    assert (quote.id, quote.number) == ("Q-2026-000001-R1", "Q-2026-000001")
    assert quote.priced_on == date(2026, 12, 31)
    order_id = _order(storage, clock, quote.id, los_angeles)
    with storage.unit_of_work() as uow:
        order, subscription = services.submit_order(
            uow, on(USER, clock, los_angeles), order_id, purchase_order="PO-1"
        )
    assert (order.id, order.number) == ("O-2026-000001", "O-2026-000001")
    assert subscription is not None
    assert (subscription.id, subscription.term_start) == ("S-2026-000001", date(2026, 12, 31))
    # The same instant in a program on UTC is already 2027 there.
    utc = _create_quote(storage, clock, LineRequest("MAIL", 10, 12), program=PROGRAM)
    assert utc.number == "Q-2027-000001"


def _with_book(book: PriceBook) -> Program:
    """:data:`PROGRAM` quoting from ``book`` alone."""
    pricing = Pricing(products=(MAIL, SETUP), price_books=(book,), margins=MarginPolicy())
    return attrs.evolve(PROGRAM, pricing=pricing)


def test_a_registration_without_open_quotes_leaves_even_when_no_price_book_covers_the_day(
    storage: Storage, clock: FixedClock
) -> None:
    program = _with_book(attrs.evolve(BOOK, effective_to=date(2026, 3, 31)))
    declined = _registered(storage, clock, program)
    withdrawn = _registered_other(storage, clock, program)
    clock.advance(days=60)  # no book covers 1 May
    with storage.unit_of_work() as uow:
        services.decline_deal(uow, on(SYSTEM, clock, program), declined, "No fit.")
    with storage.unit_of_work() as uow:
        services.withdraw_deal(uow, on(USER, clock, program), withdrawn, "Lost touch.")
    assert _stage(storage, declined) is Stage.DECLINED
    assert _stage(storage, withdrawn) is Stage.WITHDRAWN


def _registered_other(storage: Storage, clock: FixedClock, program: Program = PROGRAM) -> str:
    """A second registration of p-1 (another product), still an opportunity."""
    form = attrs.evolve(_form(), opportunity=attrs.evolve(_form().opportunity, product="SETUP"))
    with storage.unit_of_work() as uow:
        return services.register_deal(uow, on(USER, clock, program), form).id


def test_an_order_past_the_registrations_deadline_does_not_wait_for_the_nightly_sweep(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    deal, quote_id = _approved(storage, clock)
    assert deal.deadlines is not None
    ctx = on(USER, clock)
    with storage.unit_of_work() as uow:
        services.send_quote(uow, ctx, quote_id)
    with storage.unit_of_work() as uow:
        services.accept_quote(uow, ctx, quote_id)
    clock.set(
        datetime.combine(deal.deadlines.order_start_due, datetime.min.time(), timezone.utc)
        + timedelta(days=1, hours=9)
    )
    published.clear()
    with storage.unit_of_work() as uow:
        order = services.start_order(uow, on(USER, clock), quote_id)
    assert order.status is OrderStatus.STARTED
    # The registration is expired in the order's commit, as the sweep would have done.
    assert _stage(storage, deal.id) is Stage.EXPIRED
    started = [e for e in published if isinstance(e, OrderStarted)]
    assert [e.moved_registration for e in started] == [False]
    with storage.unit_of_work() as uow:
        report = services.expire_due(uow, Context.system(clock, PROGRAM))
    assert report.expired == ()


def test_a_won_registration_takes_the_reward_margin_off_its_other_open_quotes(
    storage: Storage, clock: FixedClock
) -> None:
    deal, quote_id = _approved(storage, clock)
    other = _create_quote(storage, clock, LineRequest("MAIL", 5), registration=deal)
    assert other.reward_margin.amount > 0
    order_id = _order(storage, clock, quote_id)
    with storage.unit_of_work() as uow:
        services.submit_order(uow, on(USER, clock), order_id, purchase_order="PO-9")
    assert _stage(storage, deal.id) is Stage.ORDER_SUBMITTED
    with storage.unit_of_work() as uow:
        repriced = uow.repository(QUOTES).get(other.id)
        ordered = uow.repository(QUOTES).get(quote_id)
    assert repriced.reward_margin.amount == 0
    assert ordered.reward_margin.amount > 0  # the accepted quote keeps its prices


def test_a_product_the_price_book_does_not_price_is_approved_without_a_quote(
    storage: Storage, clock: FixedClock
) -> None:
    program = _with_book(attrs.evolve(BOOK, prices=[p for p in BOOK.prices if p.product == SETUP]))
    registration_id = _registered(storage, clock, program)  # 10 seats of MAIL
    with storage.unit_of_work() as uow:
        services.approve_deal(uow, on(SYSTEM, clock, program), registration_id)
    assert _stage(storage, registration_id) is Stage.APPROVED
    with storage.unit_of_work() as uow:
        assert uow.repository(QUOTES).count({"registration_id": registration_id}) == 0


def test_a_vendor_side_role_granted_register_deals_still_cannot_register(
    storage: Storage, clock: FixedClock
) -> None:
    administrator = sorted(p for r, p in PROGRAM.permissions.pairs if r == "program_administrator")
    granted = Program.from_dict(
        {
            **PROGRAM.to_dict(),
            "permissions": {"program_administrator": [*administrator, "register_deals"]},
        }
    )
    with storage.unit_of_work() as uow:
        with pytest.raises(PermissionDenied):
            services.register_deal(uow, on(SYSTEM, clock, granted), _form())
        with pytest.raises(PermissionDenied):
            services.verify_domain(uow, on(SYSTEM, clock, granted), "Acme", "acme-gmbh.example")


def test_leaving_reprices_open_quotes_on_their_own_book_when_no_book_covers_the_day(
    storage: Storage, clock: FixedClock
) -> None:
    program = _with_book(attrs.evolve(BOOK, effective_to=date(2026, 3, 31)))
    deal, quote_id = _approved(storage, clock, program)
    with storage.unit_of_work() as uow:
        before = uow.repository(QUOTES).get(quote_id)
    assert before.reward_margin.amount > 0
    clock.advance(days=45)  # 16 April: no book is in effect
    with storage.unit_of_work() as uow:
        services.withdraw_deal(uow, on(USER, clock, program), deal.id, "Gone quiet.")
    with storage.unit_of_work() as uow:
        after = uow.repository(QUOTES).get(quote_id)
    assert after.reward_margin.amount == 0
    assert (after.list_total, after.partner_margin, after.priced_on) == (
        before.list_total,
        before.partner_margin,
        before.priced_on,
    )


def test_only_the_order_that_moved_the_registration_moves_it_on(
    storage: Storage, clock: FixedClock, published: list[DomainEvent]
) -> None:
    deal, first = _approved(storage, clock)
    second = _create_quote(storage, clock, LineRequest("MAIL", 5), registration=deal).id
    moving = _order(storage, clock, first)  # moves the registration to ORDER_STARTED
    other = _order(storage, clock, second)  # the registration has moved on: an order of its own
    with storage.unit_of_work() as uow:
        assert uow.repository(ORDERS).get(moving).moved_registration
        assert not uow.repository(ORDERS).get(other).moved_registration
    published.clear()
    for order_id in (other, moving):
        with storage.unit_of_work() as uow:
            services.submit_order(uow, on(USER, clock), order_id, purchase_order="PO-7")
    submitted = [
        (e.order_id, e.moved_registration) for e in published if isinstance(e, OrderSubmitted)
    ]
    assert submitted == [(other, False), (moving, True)]
    assert _stage(storage, deal.id) is Stage.ORDER_SUBMITTED


def test_a_term_start_may_be_a_pendulum_date(storage: Storage, clock: FixedClock) -> None:
    start = pendulum.date(2026, 4, 1)
    subscription_id = _subscribe(storage, clock, start)
    with storage.unit_of_work() as uow:
        term_start = uow.repository(SUBSCRIPTIONS).get(subscription_id).term_start
    assert (type(term_start), term_start) == (date, date(2026, 4, 1))


def test_an_event_handler_failing_after_the_commit_is_a_publish_error_and_no_retry(
    make_storage: Callable[[EventDispatcher], Storage], clock: FixedClock
) -> None:
    def reraise(event: DomainEvent, handler: object, error: Exception) -> None:
        raise error

    def clash(event: DomainEvent) -> None:
        raise Conflict("prospects", "PR-000001", "a handler's own clash")

    dispatcher = EventDispatcher(on_error=reraise)
    dispatcher.subscribe(DealApproved, clash)
    storage = make_storage(dispatcher)
    with storage.unit_of_work() as uow:
        uow.repository(PARTNERS).add(Partner("p-1", "p-1", "p-1.example", "reseller"))
        uow.commit()
    automatic = attrs.evolve(
        PROGRAM,
        registration_policy=attrs.evolve(PROGRAM.registration_policy, approval_mode="automatic"),
    )
    with storage.unit_of_work() as uow, pytest.raises(PublishError) as caught:
        services.register_deal(uow, on(USER, clock, automatic), _form())
    assert isinstance(caught.value.__cause__, Conflict)
    with storage.unit_of_work() as uow:
        assert uow.repository(DEAL_REGISTRATIONS).count() == 1  # committed once, not retried


@pytest.mark.parametrize("term_start", ["2027-01-01", datetime(2027, 1, 1, tzinfo=timezone.utc)])
def test_a_term_start_that_is_no_date_is_refused_before_any_write(
    storage: Storage, clock: FixedClock, term_start: object
) -> None:
    # Issue #19, item 14: a string raised AttributeError from deep inside.
    order_id = _order(storage, clock, _create_quote(storage, clock, LineRequest("MAIL", 10, 12)).id)
    with storage.unit_of_work() as uow:
        with pytest.raises(ValidationError) as caught:
            services.submit_order(
                uow,
                on(USER, clock),
                order_id,
                purchase_order="PO",
                term_start=term_start,  # type: ignore[arg-type]
            )
        assert caught.value.paths == ("term_start",)
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.repository(ORDERS).get(order_id).status is OrderStatus.STARTED
