"""The deal use cases on both backends: register, review, progress, expire, extend, search."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest
from deal_factories import (  # the *_fixture names are pytest fixtures
    ALICE,
    BOB,
    NOW,
    PRICE_BOOK,
    PROGRAM,
    VENDOR,
    approve,
    clock_fixture,  # noqa: F401
    ctx,
    events_fixture,  # noqa: F401
    make_form,
    make_storage,
    meet_before_writing,
    order_quote,
    partner_user,
    priced_program,
    program_with,
    race,
    storage_fixture,  # noqa: F401
    with_policy,
)

from partnerkit.core import DomainEvent
from partnerkit.core.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from partnerkit.deals import (
    DealApproved,
    DealDeclined,
    DealExpired,
    DealQuery,
    DealRegistered,
    DealRegistration,
    ExtensionDecided,
    Stage,
)
from partnerkit.partners import (
    ADMINISTRATOR,
    PARTNER_ACCOUNT_MANAGER,
    REGISTER_DEALS,
    Actor,
    PermissionMap,
)
from partnerkit.program import Program
from partnerkit.quoting import Quote, QuoteCreated, QuoteRepriced
from partnerkit.services import (
    Context,
    approve_deal,
    decide_extension,
    decline_deal,
    expire_due,
    get_deal,
    mark_deal_lost,
    register_deal,
    request_extension,
    search_deals,
    verify_domain,
    withdraw_deal,
)
from partnerkit.storage import DEAL_REGISTRATIONS, PROSPECTS, QUOTES, SqliteStorage, Storage
from partnerkit.testing import FixedClock

MANAGER = Actor("pam", PARTNER_ACCOUNT_MANAGER, managed_partner_ids={"p2"})
#: A priced program whose only price book starts after NOW: an approval quote cannot be priced.
UNPRICEABLE = priced_program(attrs.evolve(PRICE_BOOK, effective_from=date(2027, 1, 1)))


def _register(
    storage: Storage,
    clock: FixedClock,
    user: Actor = ALICE,
    domain: str = "acme.co.uk",
    in_program: Program = PROGRAM,
    **opportunity: Any,
) -> DealRegistration:
    assert user.partner_id is not None
    with storage.unit_of_work() as uow:
        return register_deal(uow, ctx(user, clock, in_program), make_form(domain, **opportunity))


def _count(storage: Storage) -> tuple[int, int]:
    with storage.unit_of_work() as uow:
        return uow.repository(PROSPECTS).count(), uow.repository(DEAL_REGISTRATIONS).count()


def _quotes(storage: Storage, registration_id: str) -> list[Quote]:
    with storage.unit_of_work() as uow:
        return list(uow.repository(QUOTES).list({"registration_id": registration_id}))


def _stored(storage: Storage, registration_id: str) -> DealRegistration:
    with storage.unit_of_work() as uow:
        return uow.repository(DEAL_REGISTRATIONS).get(registration_id)


def test_registering_creates_the_prospect_numbers_the_deal_and_fills_the_partner_section(
    storage: Storage, clock: FixedClock, events: list[DomainEvent]
) -> None:
    deal = _register(storage, clock)
    assert deal.id == "DR-2026-000001"
    assert deal.stage is Stage.OPPORTUNITY
    assert deal.domain == "acme.co.uk"
    assert deal.form.partner.company_name == "Northwind Resellers"
    assert deal.form.partner.contact_email == "rep@northwind.example"
    assert deal.form.partner.contact_phone == "+442071838750"
    assert deal.form.end_user.address is not None
    assert deal.form.end_user.address.postal_code == "EC1Y 8SY"
    assert [e.action for e in deal.audit] == ["register"]
    assert isinstance(events[0], DealRegistered)
    assert events[0].prospect_created
    with storage.unit_of_work() as uow:
        check = verify_domain(uow, ctx(ALICE, clock), "ACME", "sales.acme.co.uk")
    assert not check.will_create
    assert check.prospect_id == deal.prospect_id


def test_a_second_registration_for_a_known_domain_reuses_its_prospect(
    storage: Storage, clock: FixedClock
) -> None:
    first = _register(storage, clock)
    second = _register(storage, clock, BOB, domain="shop.acme.co.uk")
    assert second.prospect_id == first.prospect_id
    assert second.conflicting == (first.id,)
    assert _count(storage) == (1, 2)


def test_verify_domain_says_a_prospect_will_be_created_and_refuses_free_mail(
    storage: Storage, clock: FixedClock
) -> None:
    with storage.unit_of_work() as uow:
        check = verify_domain(uow, ctx(ALICE, clock), "Initech", "WWW.Initech.example")
        assert check.will_create
        assert check.domain == "initech.example"
        with pytest.raises(ValidationError) as caught:
            verify_domain(uow, ctx(ALICE, clock), "Someone", "someone@gmail.com")
    assert caught.value.errors[0].code == "free_mail"


def test_verify_domain_shows_a_partner_the_prospect_and_whether_it_is_held_never_by_whom(
    storage: Storage, clock: FixedClock
) -> None:
    held = _register(storage, clock, BOB)  # Contoso's rep registered Acme first
    with storage.unit_of_work() as uow:
        check = verify_domain(uow, ctx(ALICE, clock), "ACME", "www.acme.co.uk")
    # Every field of the answer: no partner, user, creator or instant of the registration.
    assert attrs.asdict(check) == {
        "domain": "acme.co.uk",
        "company_name": "ACME",
        "prospect_id": held.prospect_id,
        "prospect_name": "Acme Ltd",
        "registered": True,
    }
    with storage.unit_of_work() as uow:
        withdraw_deal(uow, ctx(BOB, clock), held.id)
    with storage.unit_of_work() as uow:
        after = verify_domain(uow, ctx(ALICE, clock), "ACME", "acme.co.uk")
    assert (after.prospect_id, after.registered) == (held.prospect_id, False)
    # The vendor side does not register deals: its roles lack register_deals.
    for vendor_side in (VENDOR, MANAGER):
        with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
            verify_domain(uow, ctx(vendor_side, clock), "ACME", "acme.co.uk")


def test_a_bad_form_names_every_bad_field_and_writes_nothing(
    storage: Storage, clock: FixedClock
) -> None:
    form = make_form("gmail.com", users=0, priority="urgent")
    bad_address = attrs.evolve(
        form.end_user.address,
        postal_code="not a postcode",  # type: ignore[misc]
    )
    form = attrs.evolve(form, end_user=attrs.evolve(form.end_user, address=bad_address, email="x@"))
    with storage.unit_of_work() as uow, pytest.raises(ValidationError) as caught:
        register_deal(uow, ctx(ALICE, clock), form)
    assert set(caught.value.paths) == {
        "company.domain",
        "end_user.address.postal_code",
        "end_user.email",
        "opportunity.users",
        "opportunity.priority",
    }
    assert _count(storage) == (0, 0)


def test_the_same_partner_cannot_hold_two_active_registrations_for_one_prospect_and_product(
    storage: Storage, clock: FixedClock
) -> None:
    _register(storage, clock)
    with pytest.raises(ValidationError) as caught:
        _register(storage, clock)
    assert caught.value.errors[0].path == "opportunity.product"
    assert caught.value.errors[0].code == "duplicate"
    other = _register(storage, clock, product="archiving")
    assert other.stage is Stage.OPPORTUNITY
    assert _count(storage) == (1, 2)


def test_channel_conflict_declines_per_policy_with_the_reason(
    storage: Storage, clock: FixedClock, events: list[DomainEvent]
) -> None:
    first = _register(storage, clock)
    second = _register(storage, clock, BOB, in_program=with_policy(channel_conflict="decline"))
    assert second.stage is Stage.DECLINED
    assert "channel conflict" in second.closing_reason
    assert second.conflicting == (first.id,)
    assert isinstance(events[-1], DealDeclined)


def _declining_race(storage: Storage, backend: str, domain: str) -> list[DealRegistration]:
    """Alice and Bob register ``domain``'s prospect at once, under "decline"; what both got."""
    declining = ctx(ALICE, FixedClock(NOW), with_policy(channel_conflict="decline"))
    barrier = threading.Barrier(2, timeout=10)

    def register(user: Actor) -> Callable[[], DealRegistration]:
        def job() -> DealRegistration:
            with storage.unit_of_work() as uow:
                meet_before_writing(uow, barrier, backend)
                return register_deal(uow, declining.with_actor(user), make_form(domain))

        return job

    results, failures = race([register(ALICE), register(BOB)])
    assert failures == []
    return results


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_two_partners_racing_for_one_prospect_under_decline_leave_one_clean_and_one_declined(
    backend: str, tmp_path: Path
) -> None:
    # Both have read the prospect (and, in memory, its registrations) before either writes:
    # the loser's write of the prospect conflicts, and it reads again, seeing the winner.
    storage = make_storage(backend, tmp_path)
    clock = FixedClock(NOW)
    carol = partner_user("p3")
    for round in range(4):
        domain = f"race{round}.example"
        # The prospect exists, and nobody holds it: its only registration was withdrawn.
        earlier = _register(storage, clock, carol, domain)
        with storage.unit_of_work() as uow:
            withdraw_deal(uow, ctx(carol, clock), earlier.id)
        results = _declining_race(storage, backend, domain)
        (clean,) = [d for d in results if d.stage is Stage.OPPORTUNITY]
        (declined,) = [d for d in results if d.stage is Stage.DECLINED]
        assert {clean.partner_id, declined.partner_id} == {"p1", "p2"}
        assert clean.conflicting == ()
        assert declined.conflicting == (clean.id,)
        assert clean.prospect_id == declined.prospect_id == earlier.prospect_id
        with storage.unit_of_work() as uow:
            held = uow.repository(DEAL_REGISTRATIONS).list({"prospect_id": earlier.prospect_id})
            assert sorted(d.id for d in held) == sorted([earlier.id, clean.id, declined.id])
            assert uow.repository(PROSPECTS).count({"domain": domain}) == 1
        assert _stored(storage, clean.id) == clean
        assert _stored(storage, declined.id) == declined


def test_approval_sets_the_deadlines_the_event_carries_and_commits_the_approval_quote(
    storage: Storage, clock: FixedClock, events: list[DomainEvent]
) -> None:
    priced = priced_program()
    deal = _register(storage, clock, in_program=priced)
    with storage.unit_of_work() as uow:
        approved = approve_deal(uow, ctx(VENDOR, clock, priced), deal.id)
    assert approved.deadlines is not None
    assert approved.deadlines.order_start_due == date(2026, 12, 23)
    approval, created = events[-2:]
    assert isinstance(approval, DealApproved)
    assert approval.order_submit_due == approved.deadlines.order_submit_due
    assert approved.earns_reward_margin
    # The approval quote was written in the approving commit: its event came with it.
    (quote,) = _quotes(storage, deal.id)
    assert isinstance(created, QuoteCreated)
    assert (created.quote_id, created.registration_id) == (quote.id, deal.id)
    assert (quote.partner_id, quote.prospect_id) == ("p1", deal.prospect_id)
    assert quote.status.value == "draft"
    assert [(line.sku, line.quantity) for line in quote.lines] == [("email-security", 250)]
    assert quote.reward_margin.amount > 0


def test_an_approval_on_a_day_no_price_book_covers_approves_without_a_quote(
    storage: Storage, clock: FixedClock, events: list[DomainEvent]
) -> None:
    # The approval never fails for want of a price: the quote is left out, not the deal.
    deal = _register(storage, clock, in_program=UNPRICEABLE)
    published = len(events)
    with storage.unit_of_work() as uow:
        approve_deal(uow, ctx(VENDOR, clock, UNPRICEABLE), deal.id)
    assert _stored(storage, deal.id).stage is Stage.APPROVED
    assert _quotes(storage, deal.id) == []
    assert [type(e).__name__ for e in events[published:]] == ["DealApproved"]


def _failing_approval_quote(monkeypatch: pytest.MonkeyPatch) -> None:
    # The approval quote fails after the approved registration is staged.
    def fail(*args: object) -> None:
        raise NotFound("price_book", "EUR@test")

    monkeypatch.setattr("partnerkit.services._deals.quote_on_approval", fail)


def test_the_main_path_records_every_step_in_the_audit_trail_and_progress(
    storage: Storage, clock: FixedClock
) -> None:
    priced = priced_program()
    deal = _register(storage, clock, in_program=priced)
    clock.advance(days=1)
    quote = approve(storage, ctx(VENDOR, clock, priced), deal.id)
    clock.advance(days=2)
    order_quote(storage, quote, ctx(ALICE, clock, priced))
    done = _stored(storage, deal.id)
    assert [(a.from_stage, a.to_stage) for a in done.audit] == [
        (None, Stage.OPPORTUNITY),
        (Stage.OPPORTUNITY, Stage.APPROVED),
        (Stage.APPROVED, Stage.ORDER_STARTED),
        (Stage.ORDER_STARTED, Stage.ORDER_SUBMITTED),
    ]
    assert [a.actor for a in done.audit] == ["alice", "vera", "alice", "alice"]
    assert [s.state for s in done.progress()] == ["done", "done", "done", "current"]
    assert done.version == 4


def test_partners_cannot_review_and_cannot_touch_another_partners_deal(
    storage: Storage, clock: FixedClock
) -> None:
    deal = _register(storage, clock)
    with storage.unit_of_work() as uow:
        with pytest.raises(PermissionDenied):
            approve_deal(uow, ctx(ALICE, clock), deal.id)
        # Deal numbers are guessable: another partner's registration looks like none.
        with pytest.raises(NotFound):
            withdraw_deal(uow, ctx(BOB, clock), deal.id)
        with pytest.raises(NotFound):
            request_extension(uow, ctx(BOB, clock), deal.id, "give me time")
        with pytest.raises(NotFound):
            get_deal(uow, ctx(BOB, clock), deal.id)
        with pytest.raises(NotFound):
            get_deal(uow, ctx(BOB, clock), "DR-2026-999999")
        with pytest.raises(PermissionDenied):
            register_deal(uow, ctx(VENDOR, clock), make_form())
    # A program whose plain users may not register deals.
    strict = program_with(permissions=PermissionMap.from_grants({ADMINISTRATOR: [REGISTER_DEALS]}))
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        register_deal(uow, ctx(ALICE, clock, strict), make_form("globex.example"))
    assert _count(storage) == (1, 1)
    assert _stored(storage, deal.id) == deal


def test_a_partner_account_manager_reviews_and_sees_only_the_partners_they_manage(
    storage: Storage, clock: FixedClock
) -> None:
    northwind = _register(storage, clock)
    contoso = _register(storage, clock, BOB, domain="globex.example")
    # A partner the manager does not manage: its registrations look like none.
    with storage.unit_of_work() as uow, pytest.raises(NotFound):
        approve_deal(uow, ctx(MANAGER, clock), northwind.id)
    with storage.unit_of_work() as uow:
        assert approve_deal(uow, ctx(MANAGER, clock), contoso.id).stage is Stage.APPROVED
    with storage.unit_of_work() as uow:
        assert [d.id for d in search_deals(uow, ctx(MANAGER, clock), DealQuery())] == [contoso.id]
        assert list(search_deals(uow, ctx(MANAGER, clock), DealQuery(partner_id="p1"))) == []
    assert _stored(storage, northwind.id) == northwind


def test_declining_needs_a_reason_and_closes_the_opportunity(
    storage: Storage, clock: FixedClock
) -> None:
    deal = _register(storage, clock)
    vendor = ctx(VENDOR, clock)
    with storage.unit_of_work() as uow, pytest.raises(ValidationError):
        decline_deal(uow, vendor, deal.id, "  ")
    with storage.unit_of_work() as uow:
        declined = decline_deal(uow, vendor, deal.id, "existing direct customer")
    assert declined.stage is Stage.DECLINED
    assert declined.audit[-1].note == "existing direct customer"
    with storage.unit_of_work() as uow, pytest.raises(InvalidTransition):
        approve_deal(uow, vendor, deal.id)


def test_expire_due_sweeps_unreviewed_and_overdue_registrations_and_reports_them(
    storage: Storage, clock: FixedClock, events: list[DomainEvent]
) -> None:
    stale = _register(storage, clock)
    approved = _register(storage, clock, domain="globex.example")
    with storage.unit_of_work() as uow:
        approve_deal(uow, ctx(VENDOR, clock), approved.id)
    scheduler = Context.system(clock, PROGRAM)
    with storage.unit_of_work() as uow:
        nothing = expire_due(uow, scheduler)
    assert nothing.expired == ()
    # Only a program administrator sweeps the whole program.
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        expire_due(uow, ctx(MANAGER, clock))
    clock.advance(days=11)
    with storage.unit_of_work() as uow:
        report = expire_due(uow, scheduler)
    assert report.expired == ((stale.id, "not reviewed in time"),)
    clock.advance(days=20)
    with storage.unit_of_work() as uow:
        later = expire_due(uow, Context.system(clock, program_with(timezone="UTC")))
    assert later.expired == ((approved.id, "the order was not started in time"),)
    assert sum(isinstance(e, DealExpired) for e in events) == 2
    assert _stored(storage, stale.id).stage is Stage.EXPIRED
    assert _stored(storage, stale.id).audit[-1].actor == "system"


def test_an_extension_is_asked_once_and_granting_moves_the_deadlines(
    storage: Storage, clock: FixedClock, events: list[DomainEvent]
) -> None:
    deal = _register(storage, clock)
    with storage.unit_of_work() as uow:
        approved = approve_deal(uow, ctx(VENDOR, clock), deal.id)
    with storage.unit_of_work() as uow:
        request_extension(uow, ctx(ALICE, clock), deal.id, "board meets in January")
    with storage.unit_of_work() as uow:
        granted = decide_extension(uow, ctx(VENDOR, clock), deal.id, grant=True)
    assert approved.deadlines is not None
    assert granted.deadlines is not None
    assert (granted.deadlines.order_start_due - approved.deadlines.order_start_due).days == 30
    assert isinstance(events[-1], ExtensionDecided)
    assert events[-1].granted
    with storage.unit_of_work() as uow, pytest.raises(InvalidTransition):
        request_extension(uow, ctx(ALICE, clock), deal.id, "again")


def test_lost_and_withdrawn_are_side_exits_from_the_table(
    storage: Storage, clock: FixedClock
) -> None:
    first = _register(storage, clock)
    second = _register(storage, clock, domain="globex.example")
    alice = ctx(ALICE, clock)
    with storage.unit_of_work() as uow:
        approve_deal(uow, ctx(VENDOR, clock), first.id)
    with storage.unit_of_work() as uow:
        lost = mark_deal_lost(uow, alice, first.id, "went with a competitor")
    with storage.unit_of_work() as uow:
        withdrawn = withdraw_deal(uow, alice, second.id, "duplicate entry")
    assert (lost.stage, withdrawn.stage) == (Stage.LOST, Stage.WITHDRAWN)
    assert [s.state for s in lost.progress()] == ["done", "current", "skipped", "skipped"]


def test_search_matches_number_or_prospect_name_ignoring_case_and_accents(
    storage: Storage, clock: FixedClock
) -> None:
    _register(storage, clock, name="Société Générale", domain="socgen.example")
    _register(storage, clock, name="Bücher GmbH", domain="buecher.example")
    bobs = _register(storage, clock, BOB, name="Globex", domain="globex.example")
    alice, vendor = ctx(ALICE, clock), ctx(VENDOR, clock)
    with storage.unit_of_work() as uow:
        assert [d.prospect_name for d in search_deals(uow, alice, DealQuery(text="societe"))] == [
            "Société Générale"
        ]
        assert [d.prospect_name for d in search_deals(uow, vendor, DealQuery(text="BUCHER"))] == [
            "Bücher GmbH"
        ]
        assert [d.id for d in search_deals(uow, vendor, DealQuery(text="000003"))] == [bobs.id]
        # A partner never sees another partner's registration.
        assert list(search_deals(uow, alice, DealQuery(text="globex"))) == []
        assert list(search_deals(uow, alice, DealQuery(partner_id="p2"))) == []


def test_listing_filters_by_stage_partner_and_close_dates_and_pages_in_order(
    storage: Storage, clock: FixedClock
) -> None:
    made = [
        _register(storage, clock, domain=f"co{i}.example", close_date=date(2027, 1, 1 + i))
        for i in range(7)
    ]
    alice, vendor = ctx(ALICE, clock), ctx(VENDOR, clock)
    with storage.unit_of_work() as uow:
        approve_deal(uow, vendor, made[0].id)
    with storage.unit_of_work() as uow:
        approved = search_deals(uow, vendor, DealQuery(stages=(Stage.APPROVED,)))
        assert [d.id for d in approved] == [made[0].id]
        window = DealQuery(
            close_from=date(2027, 1, 2), close_to=date(2027, 1, 4), order_by="close_date"
        )
        assert [d.id for d in search_deals(uow, alice, window)] == [m.id for m in made[1:4]]
        seen: list[str] = []
        query = DealQuery(limit=3)
        while True:
            page = search_deals(uow, alice, query)
            seen += [d.id for d in page]
            if page.next_cursor is None:
                break
            query = attrs.evolve(query, cursor=page.next_cursor)
    assert seen == sorted((m.id for m in made), reverse=True)


def test_automatic_approval_approves_at_registration_when_the_rule_passes(
    storage: Storage, clock: FixedClock
) -> None:
    automatic = ctx(ALICE, clock, with_policy(priced_program(), approval_mode="automatic"))
    with storage.unit_of_work() as uow:
        small = register_deal(
            uow, automatic, make_form(users=10), auto_approve=lambda d: d.users < 100
        )
    with storage.unit_of_work() as uow:
        large = register_deal(
            uow,
            automatic,
            make_form("globex.example", users=1000),
            auto_approve=lambda d: d.users < 100,
        )
    assert (small.stage, large.stage) == (Stage.APPROVED, Stage.OPPORTUNITY)
    # The automatic approval made its quote in the registering commit; the other made none.
    (quote,) = _quotes(storage, small.id)
    assert [line.quantity for line in quote.lines] == [10]
    assert _quotes(storage, large.id) == []


def test_an_automatic_approval_whose_quote_fails_writes_no_prospect_and_no_deal(
    storage: Storage, clock: FixedClock, events: list[DomainEvent], monkeypatch: pytest.MonkeyPatch
) -> None:
    automatic = with_policy(priced_program(), approval_mode="automatic")
    _failing_approval_quote(monkeypatch)
    with pytest.raises(NotFound):
        _register(storage, clock, in_program=automatic)
    assert _count(storage) == (0, 0)
    assert events == []


def test_a_host_that_catches_a_failing_approval_and_commits_anyway_writes_nothing(
    storage: Storage, clock: FixedClock, events: list[DomainEvent], monkeypatch: pytest.MonkeyPatch
) -> None:
    priced = priced_program()
    deal = _register(storage, clock, in_program=priced)
    published = len(events)
    _failing_approval_quote(monkeypatch)
    with storage.unit_of_work() as uow:
        with pytest.raises(NotFound):
            approve_deal(uow, ctx(VENDOR, clock, priced), deal.id)
        uow.commit()
    assert _stored(storage, deal.id).stage is Stage.OPPORTUNITY
    assert _quotes(storage, deal.id) == []
    assert len(events) == published


def test_a_new_years_eve_approval_in_los_angeles_is_priced_and_numbered_on_the_programs_date(
    storage: Storage, events: list[DomainEvent]
) -> None:
    # Issue #14: 07:30 UTC on 1 January 2027 is 23:30 on 31 December in Los Angeles, the
    # last day of the program's only price book.
    book = attrs.evolve(PRICE_BOOK, effective_to=date(2026, 12, 31))
    los_angeles = priced_program(book, timezone="America/Los_Angeles")
    clock = FixedClock(pendulum.datetime(2027, 1, 1, 7, 30, tz="UTC"))
    deal = _register(storage, clock, in_program=los_angeles, meeting_date=date(2027, 1, 12))
    assert deal.id.startswith("DR-2026-")
    quote_id = approve(storage, ctx(VENDOR, clock, los_angeles), deal.id)
    (quote,) = _quotes(storage, deal.id)
    assert quote.id == quote_id
    assert quote.priced_on == date(2026, 12, 31)
    assert quote.price_book == book.key
    assert quote.number == "Q-2026-000001"
    assert quote.reward_margin.amount > 0
    with storage.unit_of_work() as uow:
        withdrawn = withdraw_deal(uow, ctx(ALICE, clock, los_angeles), deal.id, "no budget")
    assert withdrawn.stage is Stage.WITHDRAWN
    (repriced,) = _quotes(storage, deal.id)
    assert repriced.id == quote.id
    assert repriced.priced_on == date(2026, 12, 31)
    assert repriced.reward_margin.is_zero()
    assert repriced.net_total > quote.net_total
    assert isinstance(events[-1], QuoteRepriced)


def test_expire_due_reports_a_lock_timeout_instead_of_skipping_every_registration(
    tmp_path: Path,
) -> None:
    storage = make_storage("sqlite", tmp_path)
    assert isinstance(storage, SqliteStorage)
    storage.timeout = 0.2
    clock = FixedClock(NOW)
    _register(storage, clock)
    clock.advance(days=60)  # past the review date
    blocker = storage.connect()
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with storage.unit_of_work() as uow, pytest.raises(Conflict) as caught:
            expire_due(uow, Context.system(clock, PROGRAM))
        # Not a registration changed meanwhile (that one is skipped): the lock timed out.
        assert caught.value.expected_version is None, caught.value
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
