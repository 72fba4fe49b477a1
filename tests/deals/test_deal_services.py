"""The deal use cases on both backends: register, review, progress, expire, extend, search."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest
from deal_factories import ALICE, BOB, NOW, VENDOR, make_form, make_storage

from partnerkit.core import DomainEvent, EventDispatcher
from partnerkit.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from partnerkit.deals import (
    DealApproved,
    DealDeclined,
    DealExpired,
    DealQuery,
    DealRegistered,
    DealRegistration,
    ExtensionDecided,
    RegistrationPolicy,
    Stage,
)
from partnerkit.partners import (
    ADMINISTRATOR,
    PARTNER_ACCOUNT_MANAGER,
    REGISTER_DEALS,
    Actor,
    PermissionMap,
)
from partnerkit.services import (
    DEAL_REGISTRATIONS,
    PROSPECTS,
    approve_deal,
    decide_extension,
    decline_deal,
    expire_due,
    get_deal,
    mark_deal_lost,
    register_deal,
    request_extension,
    search_deals,
    start_order,
    submit_order,
    verify_domain,
    withdraw_deal,
)
from partnerkit.storage import Storage, UnitOfWork
from partnerkit.testing import FixedClock, make_program


@pytest.fixture
def events() -> list[DomainEvent]:
    return []


@pytest.fixture(params=["memory", "sqlite"])
def storage(request: pytest.FixtureRequest, tmp_path: Path, events: list[DomainEvent]) -> Storage:
    dispatcher = EventDispatcher()
    dispatcher.subscribe(DomainEvent, events.append)
    return make_storage(request.param, tmp_path, dispatcher)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def _register(
    storage: Storage,
    clock: FixedClock,
    user: Actor = ALICE,
    domain: str = "acme.co.uk",
    **opportunity: Any,
) -> DealRegistration:
    assert user.partner_id is not None
    with storage.unit_of_work() as uow:
        return register_deal(
            uow,
            user,
            make_form(domain, **opportunity),
            clock=clock,
        )


def _failing_quote(uow: UnitOfWork, approved: DealRegistration) -> None:
    # An approval hook that raises, like a quote that cannot be priced.
    raise RuntimeError("no price book")


def _count(storage: Storage) -> tuple[int, int]:
    with storage.unit_of_work() as uow:
        return uow.repository(PROSPECTS).count(), uow.repository(DEAL_REGISTRATIONS).count()


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
        check = verify_domain(uow, "ACME", "sales.acme.co.uk")
    assert not check.will_create
    assert check.prospect is not None
    assert check.prospect.id == deal.prospect_id


def test_a_second_registration_for_a_known_domain_reuses_its_prospect(
    storage: Storage, clock: FixedClock
) -> None:
    first = _register(storage, clock)
    second = _register(storage, clock, BOB, domain="shop.acme.co.uk")
    assert second.prospect_id == first.prospect_id
    assert second.conflicting == (first.id,)
    assert _count(storage) == (1, 2)


def test_verify_domain_says_a_prospect_will_be_created_and_refuses_free_mail(
    storage: Storage,
) -> None:
    with storage.unit_of_work() as uow:
        check = verify_domain(uow, "Initech", "WWW.Initech.example")
        assert check.will_create
        assert check.domain == "initech.example"
        with pytest.raises(ValidationError) as caught:
            verify_domain(uow, "Someone", "someone@gmail.com")
    assert caught.value.errors[0].code == "free_mail"


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
        register_deal(uow, ALICE, form, clock=clock)
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
    policy = RegistrationPolicy(channel_conflict="decline")
    with storage.unit_of_work() as uow:
        second = register_deal(uow, BOB, make_form(), clock=clock, policy=policy)
    assert second.stage is Stage.DECLINED
    assert "channel conflict" in second.closing_reason
    assert second.conflicting == (first.id,)
    assert isinstance(events[-1], DealDeclined)


def test_approval_sets_the_deadlines_the_event_carries_and_runs_the_hook(
    storage: Storage, clock: FixedClock, events: list[DomainEvent]
) -> None:
    deal = _register(storage, clock)
    seen: list[str] = []

    def hook(uow: UnitOfWork, approved: DealRegistration) -> None:
        seen.append(approved.stage.value)

    with storage.unit_of_work() as uow:
        approved = approve_deal(uow, VENDOR, deal.id, clock=clock, on_approved=hook)
    assert seen == ["approved"]
    assert approved.deadlines is not None
    assert approved.deadlines.order_start_due == date(2026, 12, 23)
    event = events[-1]
    assert isinstance(event, DealApproved)
    assert event.order_submit_due == approved.deadlines.order_submit_due
    assert approved.earns_reward_margin


def test_a_hook_that_raises_leaves_nothing_written_and_publishes_nothing(
    storage: Storage, clock: FixedClock, events: list[DomainEvent]
) -> None:
    deal = _register(storage, clock)
    published = len(events)

    with storage.unit_of_work() as uow, pytest.raises(RuntimeError):
        approve_deal(uow, VENDOR, deal.id, clock=clock, on_approved=_failing_quote)
    with storage.unit_of_work() as uow:
        assert uow.repository(DEAL_REGISTRATIONS).get(deal.id) == deal
    assert len(events) == published


def test_the_main_path_records_every_step_in_the_audit_trail_and_progress(
    storage: Storage, clock: FixedClock
) -> None:
    deal = _register(storage, clock)
    clock.advance(days=1)
    with storage.unit_of_work() as uow:
        approve_deal(uow, VENDOR, deal.id, clock=clock)
    clock.advance(days=2)
    with storage.unit_of_work() as uow:
        start_order(uow, ALICE, deal.id, clock=clock)
    with storage.unit_of_work() as uow:
        done = submit_order(uow, ALICE, deal.id, clock=clock)
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
            approve_deal(uow, ALICE, deal.id, clock=clock)
        # Deal numbers are guessable: another partner's registration looks like none.
        with pytest.raises(NotFound):
            withdraw_deal(uow, BOB, deal.id, clock=clock)
        with pytest.raises(NotFound):
            get_deal(uow, BOB, deal.id)
        with pytest.raises(NotFound):
            get_deal(uow, BOB, "DR-2026-999999")
        with pytest.raises(PermissionDenied):
            register_deal(uow, VENDOR, make_form(), clock=clock)
    # A program whose plain users may not register deals.
    strict = make_program(permissions=PermissionMap.from_grants({ADMINISTRATOR: [REGISTER_DEALS]}))
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        register_deal(uow, ALICE, make_form("globex.example"), clock=clock, program=strict)
    assert _count(storage) == (1, 1)


def test_a_partner_account_manager_reviews_and_sees_only_the_partners_they_manage(
    storage: Storage, clock: FixedClock
) -> None:
    northwind = _register(storage, clock)
    contoso = _register(storage, clock, BOB, domain="globex.example")
    manager = Actor("pam", PARTNER_ACCOUNT_MANAGER, managed_partner_ids={"p2"})
    with storage.unit_of_work() as uow, pytest.raises(PermissionDenied):
        approve_deal(uow, manager, northwind.id, clock=clock)
    with storage.unit_of_work() as uow:
        assert approve_deal(uow, manager, contoso.id, clock=clock).stage is Stage.APPROVED
    with storage.unit_of_work() as uow:
        assert [d.id for d in search_deals(uow, manager, DealQuery())] == [contoso.id]
        assert list(search_deals(uow, manager, DealQuery(partner_id="p1"))) == []


def test_declining_needs_a_reason_and_closes_the_opportunity(
    storage: Storage, clock: FixedClock
) -> None:
    deal = _register(storage, clock)
    with storage.unit_of_work() as uow, pytest.raises(ValidationError):
        decline_deal(uow, VENDOR, deal.id, "  ", clock=clock)
    with storage.unit_of_work() as uow:
        declined = decline_deal(uow, VENDOR, deal.id, "existing direct customer", clock=clock)
    assert declined.stage is Stage.DECLINED
    assert declined.audit[-1].note == "existing direct customer"
    with storage.unit_of_work() as uow, pytest.raises(InvalidTransition):
        approve_deal(uow, VENDOR, deal.id, clock=clock)


def test_expire_due_sweeps_unreviewed_and_overdue_registrations_and_reports_them(
    storage: Storage, clock: FixedClock, events: list[DomainEvent]
) -> None:
    stale = _register(storage, clock)
    approved = _register(storage, clock, domain="globex.example")
    with storage.unit_of_work() as uow:
        approve_deal(uow, VENDOR, approved.id, clock=clock)
    with storage.unit_of_work() as uow:
        nothing = expire_due(uow, clock.now())
    assert nothing.expired == ()
    with storage.unit_of_work() as uow:
        report = expire_due(uow, clock.now().add(days=11))
    assert report.expired == ((stale.id, "not reviewed in time"),)
    with storage.unit_of_work() as uow:
        later = expire_due(uow, clock.now().add(days=31), program=make_program(timezone="UTC"))
    assert later.expired == ((approved.id, "the order was not started in time"),)
    assert sum(isinstance(e, DealExpired) for e in events) == 2
    with storage.unit_of_work() as uow:
        assert uow.repository(DEAL_REGISTRATIONS).get(stale.id).stage is Stage.EXPIRED


def test_an_extension_is_asked_once_and_granting_moves_the_deadlines(
    storage: Storage, clock: FixedClock, events: list[DomainEvent]
) -> None:
    deal = _register(storage, clock)
    with storage.unit_of_work() as uow:
        approved = approve_deal(uow, VENDOR, deal.id, clock=clock)
    with storage.unit_of_work() as uow:
        request_extension(uow, ALICE, deal.id, "board meets in January", clock=clock)
    with storage.unit_of_work() as uow:
        granted = decide_extension(uow, VENDOR, deal.id, grant=True, clock=clock)
    assert approved.deadlines is not None
    assert granted.deadlines is not None
    assert (granted.deadlines.order_start_due - approved.deadlines.order_start_due).days == 30
    assert isinstance(events[-1], ExtensionDecided)
    assert events[-1].granted
    with storage.unit_of_work() as uow, pytest.raises(InvalidTransition):
        request_extension(uow, ALICE, deal.id, "again", clock=clock)


def test_lost_and_withdrawn_are_side_exits_from_the_table(
    storage: Storage, clock: FixedClock
) -> None:
    first = _register(storage, clock)
    second = _register(storage, clock, domain="globex.example")
    with storage.unit_of_work() as uow:
        approve_deal(uow, VENDOR, first.id, clock=clock)
    with storage.unit_of_work() as uow:
        lost = mark_deal_lost(uow, ALICE, first.id, "went with a competitor", clock=clock)
    with storage.unit_of_work() as uow:
        withdrawn = withdraw_deal(uow, ALICE, second.id, "duplicate entry", clock=clock)
    assert (lost.stage, withdrawn.stage) == (Stage.LOST, Stage.WITHDRAWN)
    assert [s.state for s in lost.progress()] == ["done", "current", "skipped", "skipped"]


def test_search_matches_number_or_prospect_name_ignoring_case_and_accents(
    storage: Storage, clock: FixedClock
) -> None:
    _register(storage, clock, name="Société Générale", domain="socgen.example")
    _register(storage, clock, name="Bücher GmbH", domain="buecher.example")
    bobs = _register(storage, clock, BOB, name="Globex", domain="globex.example")
    with storage.unit_of_work() as uow:
        assert [d.prospect_name for d in search_deals(uow, ALICE, DealQuery(text="societe"))] == [
            "Société Générale"
        ]
        assert [d.prospect_name for d in search_deals(uow, VENDOR, DealQuery(text="BUCHER"))] == [
            "Bücher GmbH"
        ]
        assert [d.id for d in search_deals(uow, VENDOR, DealQuery(text="000003"))] == [bobs.id]
        # A partner never sees another partner's registration.
        assert list(search_deals(uow, ALICE, DealQuery(text="globex"))) == []
        assert list(search_deals(uow, ALICE, DealQuery(partner_id="p2"))) == []


def test_listing_filters_by_stage_partner_and_close_dates_and_pages_in_order(
    storage: Storage, clock: FixedClock
) -> None:
    made = [
        _register(storage, clock, domain=f"co{i}.example", close_date=date(2027, 1, 1 + i))
        for i in range(7)
    ]
    with storage.unit_of_work() as uow:
        approve_deal(uow, VENDOR, made[0].id, clock=clock)
    with storage.unit_of_work() as uow:
        approved = search_deals(uow, VENDOR, DealQuery(stages=(Stage.APPROVED,)))
        assert [d.id for d in approved] == [made[0].id]
        window = DealQuery(
            close_from=date(2027, 1, 2), close_to=date(2027, 1, 4), order_by="close_date"
        )
        assert [d.id for d in search_deals(uow, ALICE, window)] == [m.id for m in made[1:4]]
        seen: list[str] = []
        query = DealQuery(limit=3)
        while True:
            page = search_deals(uow, ALICE, query)
            seen += [d.id for d in page]
            if page.next_cursor is None:
                break
            query = attrs.evolve(query, cursor=page.next_cursor)
    assert seen == sorted((m.id for m in made), reverse=True)


def test_automatic_approval_approves_at_registration_when_the_rule_passes(
    storage: Storage, clock: FixedClock
) -> None:
    policy = RegistrationPolicy(approval_mode="automatic")
    quoted: list[str] = []
    with storage.unit_of_work() as uow:
        small = register_deal(
            uow,
            ALICE,
            make_form(users=10),
            clock=clock,
            policy=policy,
            auto_approve=lambda d: d.users < 100,
            on_approved=lambda uow, d: quoted.append(d.id),
        )
    with storage.unit_of_work() as uow:
        large = register_deal(
            uow,
            ALICE,
            make_form("globex.example", users=1000),
            clock=clock,
            policy=policy,
            auto_approve=lambda d: d.users < 100,
        )
    assert (small.stage, large.stage) == (Stage.APPROVED, Stage.OPPORTUNITY)
    assert quoted == [small.id]


def test_an_automatic_approval_whose_quote_hook_raises_writes_no_prospect_and_no_deal(
    storage: Storage, clock: FixedClock, events: list[DomainEvent]
) -> None:
    with storage.unit_of_work() as uow, pytest.raises(RuntimeError):
        register_deal(
            uow,
            ALICE,
            make_form(),
            clock=clock,
            policy=RegistrationPolicy(approval_mode="automatic"),
            on_approved=_failing_quote,
        )
    assert _count(storage) == (0, 0)
    assert events == []


def test_a_host_that_catches_a_failing_hook_and_commits_anyway_writes_nothing(
    storage: Storage, clock: FixedClock, events: list[DomainEvent]
) -> None:
    deal = _register(storage, clock)
    published = len(events)

    with storage.unit_of_work() as uow:
        with pytest.raises(RuntimeError):
            approve_deal(uow, VENDOR, deal.id, clock=clock, on_approved=_failing_quote)
        uow.commit()
    with storage.unit_of_work() as uow:
        assert uow.repository(DEAL_REGISTRATIONS).get(deal.id).stage is Stage.OPPORTUNITY
    assert len(events) == published
