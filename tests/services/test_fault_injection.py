"""The commit rule of every public use case, proved by fault injection on both backends.

Each writing use case runs in a world seeded with one partner program's data;
its N-th write step (add, save, delete, sequence or record) fails, for every N
until it succeeds: the committed data must stay as it was whether the host then
rolls back or commits anyway, and no event may be published. The reading use
cases take no write step at all. The world is built once in memory through the
use cases themselves and copied into each run's fresh storage.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any

import attrs
import pendulum
import pytest

from partnerkit.addresses import Address
from partnerkit.contacts import Contact
from partnerkit.core import Money, Percentage
from partnerkit.deals import (
    CompanySection,
    DealQuery,
    OpportunitySection,
    PartnerSection,
    RegistrationForm,
)
from partnerkit.partners import (
    ADMINISTRATOR,
    PROGRAM_ADMINISTRATOR,
    USER,
    Actor,
    Partner,
    PartnerFilter,
)
from partnerkit.plans import (
    Milestone,
    Objective,
    ObjectiveKind,
    PeriodTarget,
    PlanTemplate,
    Section,
    Task,
)
from partnerkit.program import Program
from partnerkit.quoting import (
    LineRequest,
    MarginPolicy,
    PriceBook,
    Pricing,
    Product,
    ProductPrice,
    VolumeBand,
)
from partnerkit.services import (
    Context,
    accept_quote,
    add_partner,
    approve_deal,
    assign_plan,
    assign_plans,
    change_partner_stage,
    check_plan_task,
    close_ended_plans,
    close_plan,
    comment_on_plan,
    company_plan_rows,
    complete_plan,
    create_quote,
    create_renewal_quote,
    create_template,
    dashboard_trend,
    decide_extension,
    decline_deal,
    deregister_user,
    duplicate_template,
    edit_partner,
    edit_plan,
    edit_template,
    edit_user,
    expire_due,
    expire_overdue_quotes,
    expire_quote,
    get_deal,
    get_plan,
    get_template,
    hold_plan_milestone,
    import_program_templates,
    list_plans,
    list_templates,
    list_users,
    mark_deal_lost,
    partner_dashboard_of,
    partner_home_of,
    plan_progress_of,
    publish_template,
    push_template_version,
    record_plan_actual,
    register_deal,
    register_user,
    rename_template_section,
    reopen_plan,
    request_extension,
    reregister_user,
    revise_quote,
    save_program,
    search_deals,
    send_quote,
    set_plan_targets,
    share_plan,
    sign_off_plan,
    snapshot_dashboards,
    start_order,
    start_plan,
    submit_order,
    uncheck_plan_task,
    upcoming_renewals,
    vendor_dashboard,
    verify_domain,
    withdraw_deal,
)
from partnerkit.storage import (
    BUILTIN_SPECS,
    DEAL_REGISTRATIONS,
    PROGRAMS,
    QUOTES,
    AggregateSpec,
    MemoryStorage,
    UnitOfWork,
)
from partnerkit.testing import FixedClock, make_program

from .faults import Backend, FaultyStorage, StorageFactory, check_all_or_nothing, snapshot

NOW = pendulum.datetime(2026, 11, 23, 9, tz="Europe/London")
LATER = NOW.add(days=90)
LATE_PLANS = pendulum.datetime(2031, 1, 15, 9, tz="Europe/London")
SPECS: tuple[AggregateSpec[Any], ...] = BUILTIN_SPECS
MAIL = Product("email-security", "Email security")
PROGRAM = make_program(
    key="faults",
    currency="EUR",
    locale="en_GB",
    timezone="Europe/London",
    pricing=Pricing(
        products=(MAIL,),
        price_books=(
            PriceBook(
                "eur-2026",
                "EUR",
                date(2026, 1, 1),
                prices=[ProductPrice(MAIL, [VolumeBand(1, Money("3.50", "EUR"))])],
            ),
        ),
        margins=MarginPolicy(reward_margin=Percentage("5")),
    ),
)
PLAN_SECTION = Section(
    "sales",
    "Sales",
    objectives=[
        Objective("won", "Deals won", ObjectiveKind.DEALS_WON, [PeriodTarget("year", 20)]),
        Objective("csat", "Satisfaction", ObjectiveKind.CUSTOM, [PeriodTarget("year", 90)]),
    ],
    tasks=[Task("forecast", "Share a forecast"), Task("certify", "Certify two engineers")],
    milestones=[Milestone("kickoff", "Kick-off")],
)
FILE_TEMPLATE = PlanTemplate("from-file", "From the file", sections=[PLAN_SECTION]).published_by(
    "file", NOW
)
VENDOR = Actor("vera", PROGRAM_ADMINISTRATOR)
ADMIN = Actor("adm1", ADMINISTRATOR, partner_id="p1")
ALICE = Actor("alice", USER, partner_id="p1")


def as_(actor: Actor, at: pendulum.DateTime = NOW, program: Program = PROGRAM) -> Context:
    return Context(actor, FixedClock(at), program)


def form(domain: str) -> RegistrationForm:
    return RegistrationForm(
        CompanySection(f"{domain.split('.')[0].title()} Ltd", domain),
        PartnerSection("Alice Rep", "020 7183 8750"),
        Contact(
            "Ada",
            "Lovelace",
            f"ada@{domain}",
            phone="020 7946 0958",
            position="CIO",
            role="decision_maker",
            address=Address("GB", "1 Main St", city="London", postal_code="EC1Y 8SY"),
        ),
        OpportunitySection(
            "email-security",
            20,
            Money("840", "EUR"),
            date(2027, 3, 31),
            budget_approved=True,
            priority="high",
            problems="Phishing.",
        ),
    )


@attrs.frozen
class World:
    """The ids of the seeded records each use case acts on."""

    opportunity: str  # an opportunity nobody reviewed
    approved: str  # approved; its approval quote is a draft
    draft_quote: str
    accepted_quote: str  # accepted, no order yet
    started_order: str
    subscription: str
    extension: str  # approved, with a pending extension request
    prospect: str  # the approved registration's
    deregistered_user: str
    template: str  # published at version 2; the plans below were made from version 1
    draft_template: str
    draft_plan: str  # p1, 2026
    shared_plan: str  # p1, 2027
    signed_plan: str  # p1, 2028
    running_plan: str  # p1, 2029, in progress, "forecast" checked


@attrs.frozen
class Template:
    rows: tuple[tuple[AggregateSpec[Any], tuple[object, ...]], ...]
    sequences: tuple[tuple[str, int], ...]
    world: World


def _run(storage: MemoryStorage, call: Callable[[UnitOfWork], Any]) -> Any:
    with storage.unit_of_work() as uow:
        return call(uow)


def _quote_of(storage: MemoryStorage, registration_id: str) -> str:
    page = _run(
        storage, lambda uow: uow.repository(QUOTES).list({"registration_id": registration_id})
    )
    return str(page.items[0].id)


def _approved_deal(storage: MemoryStorage, domain: str) -> tuple[str, str]:
    deal = _run(storage, lambda uow: register_deal(uow, as_(ALICE), form(domain)))
    _run(storage, lambda uow: approve_deal(uow, as_(VENDOR), deal.id))
    return deal.id, _quote_of(storage, deal.id)


def _accepted(storage: MemoryStorage, domain: str) -> str:
    _, quote = _approved_deal(storage, domain)
    _run(storage, lambda uow: send_quote(uow, as_(ALICE), quote))
    _run(storage, lambda uow: accept_quote(uow, as_(ALICE), quote))
    return quote


def _plans(storage: MemoryStorage) -> dict[str, str]:
    vendor, admin = as_(VENDOR), as_(ADMIN)
    made = _run(storage, lambda uow: create_template(uow, vendor, "Plan", sections=[PLAN_SECTION]))
    _run(storage, lambda uow: publish_template(uow, vendor, made.id))
    draft = _run(storage, lambda uow: create_template(uow, vendor, "Draft"))
    ids = []
    for year in (2026, 2027, 2028, 2029):
        with storage.unit_of_work() as uow:
            ids.append(assign_plan(uow, vendor, made.id, "p1", fiscal_year=year).id)
    for plan_id in ids[1:]:
        with storage.unit_of_work() as uow:
            share_plan(uow, vendor, plan_id)
    for plan_id in ids[2:]:
        with storage.unit_of_work() as uow:
            sign_off_plan(uow, admin, plan_id)
        with storage.unit_of_work() as uow:
            sign_off_plan(uow, vendor, plan_id)
    _run(storage, lambda uow: start_plan(uow, vendor, ids[3]))
    _run(storage, lambda uow: check_plan_task(uow, vendor, ids[3], "forecast"))
    _run(storage, lambda uow: edit_template(uow, vendor, made.id, purpose="Version 2"))
    _run(storage, lambda uow: publish_template(uow, vendor, made.id))
    return {
        "template": made.id,
        "draft_template": draft.id,
        "draft_plan": ids[0],
        "shared_plan": ids[1],
        "signed_plan": ids[2],
        "running_plan": ids[3],
    }


@functools.cache
def template() -> Template:
    """The world, built once in memory through the use cases."""
    storage = MemoryStorage()
    vendor, admin = as_(VENDOR), as_(ADMIN)
    _run(storage, lambda uow: save_program(uow, vendor, PROGRAM))
    for key in ("p1", "p2"):
        partner = Partner(key, f"Partner {key}", f"{key}.example", "reseller", currency="EUR")
        with storage.unit_of_work() as uow:
            add_partner(uow, vendor, partner)
    for user_id, role in (("adm1", ADMINISTRATOR), ("alice", USER), ("gone", USER)):
        with storage.unit_of_work() as uow:
            register_user(
                uow, vendor, "p1", name=user_id, email=f"{user_id}@p1.example", role=role,
                user_id=user_id,
            )  # fmt: skip
    _run(storage, lambda uow: deregister_user(uow, admin, "gone"))
    opportunity = _run(storage, lambda uow: register_deal(uow, as_(ALICE), form("open.example")))
    approved, draft = _approved_deal(storage, "approved.example")
    accepted = _accepted(storage, "accepted.example")
    ordered = _accepted(storage, "ordered.example")
    order = _run(storage, lambda uow: start_order(uow, as_(ALICE), ordered))
    submitted = _accepted(storage, "submitted.example")
    to_submit = _run(storage, lambda uow: start_order(uow, as_(ALICE), submitted))
    _, subscription = _run(
        storage, lambda uow: submit_order(uow, as_(ALICE), to_submit.id, purchase_order="PO-1")
    )
    extension, _ = _approved_deal(storage, "extension.example")
    _run(storage, lambda uow: request_extension(uow, as_(ALICE), extension, "Board meets late."))
    plans = _plans(storage)
    rows = []
    with storage.unit_of_work() as uow:
        for spec in SPECS:
            rows.append((spec, tuple(uow.repository(spec).list(limit=1000).items)))
    world = World(
        opportunity=opportunity.id,
        approved=approved,
        draft_quote=draft,
        accepted_quote=accepted,
        started_order=order.id,
        subscription=subscription.id,
        extension=extension,
        prospect=_run(
            storage, lambda uow: uow.repository(DEAL_REGISTRATIONS).get(approved)
        ).prospect_id,
        deregistered_user="gone",
        **plans,
    )
    return Template(tuple(rows), tuple(storage._sequences.items()), world)


def make_world(new_storage: StorageFactory) -> World:
    """A fresh storage holding the template's records and sequences, committed."""
    seed = template()
    storage = new_storage(specs=SPECS)
    with storage.unit_of_work() as uow:
        for spec, items in seed.rows:
            repository = uow.repository(spec)
            for item in items:
                repository.add(attrs.evolve(item, version=0))  # type: ignore[misc]
        for name, value in seed.sequences:
            for _ in range(value):
                uow.sequences.next(name)
        uow.commit()
    return seed.world


Call = Callable[[UnitOfWork, World], object]

#: Every public use case that writes, with a call that succeeds in the seeded world.
WRITING: dict[str, Call] = {
    "register_deal": lambda uow, w: register_deal(uow, as_(ALICE), form("fresh.example")),
    "register_deal (existing prospect)": lambda uow, w: register_deal(
        uow, as_(Actor("bob", USER, partner_id="p2")), form("open.example")
    ),
    "approve_deal": lambda uow, w: approve_deal(uow, as_(VENDOR), w.opportunity),
    "decline_deal": lambda uow, w: decline_deal(uow, as_(VENDOR), w.opportunity, "No fit."),
    "withdraw_deal": lambda uow, w: withdraw_deal(uow, as_(ALICE), w.approved, "Lost touch."),
    "mark_deal_lost": lambda uow, w: mark_deal_lost(uow, as_(ALICE), w.approved, "Competitor."),
    "request_extension": lambda uow, w: request_extension(uow, as_(ALICE), w.approved, "Later."),
    "decide_extension": lambda uow, w: decide_extension(uow, as_(VENDOR), w.extension, grant=True),
    "expire_due": lambda uow, w: expire_due(uow, Context.system(FixedClock(LATER), PROGRAM)),
    "start_order": lambda uow, w: start_order(uow, as_(ALICE), w.accepted_quote),
    "submit_order": lambda uow, w: submit_order(
        uow, as_(ALICE), w.started_order, purchase_order="PO-2"
    ),
    "create_quote": lambda uow, w: create_quote(
        uow,
        as_(ALICE),
        [LineRequest("email-security", 5)],
        partner_id="p1",
        prospect_id=w.prospect,
        registration_id=w.approved,
    ),
    "revise_quote": lambda uow, w: revise_quote(
        uow, as_(ALICE), w.draft_quote, [LineRequest("email-security", 30)]
    ),
    "send_quote": lambda uow, w: send_quote(uow, as_(ALICE), w.draft_quote),
    "accept_quote": lambda uow, w: accept_quote(uow, as_(ALICE), w.draft_quote),
    "expire_quote": lambda uow, w: expire_quote(uow, as_(ALICE), w.draft_quote),
    "expire_overdue_quotes": lambda uow, w: expire_overdue_quotes(uow, as_(VENDOR, LATER)),
    "create_renewal_quote": lambda uow, w: create_renewal_quote(uow, as_(ALICE), w.subscription),
    "add_partner": lambda uow, w: add_partner(
        uow, as_(VENDOR), Partner("p3", "Partner p3", "p3.example", "reseller")
    ),
    "edit_partner": lambda uow, w: edit_partner(uow, as_(VENDOR), "p1", {"name": "Renamed"}),
    "change_partner_stage": lambda uow, w: change_partner_stage(
        uow, as_(VENDOR), "p1", "onboarding"
    ),
    "register_user": lambda uow, w: register_user(
        uow, as_(ADMIN), "p1", name="New", email="new@p1.example"
    ),
    "edit_user": lambda uow, w: edit_user(uow, as_(ADMIN), "alice", name="Alice Martin"),
    "deregister_user": lambda uow, w: deregister_user(uow, as_(ADMIN), "alice"),
    "reregister_user": lambda uow, w: reregister_user(uow, as_(ADMIN), w.deregistered_user),
    "save_program": lambda uow, w: save_program(
        uow,
        as_(VENDOR),
        attrs.evolve(uow.repository(PROGRAMS).get(PROGRAM.key), name="Renamed program"),
    ),
    "create_template": lambda uow, w: create_template(uow, as_(VENDOR), "New plan"),
    "edit_template": lambda uow, w: edit_template(uow, as_(VENDOR), w.template, name="Renamed"),
    "rename_template_section": lambda uow, w: rename_template_section(
        uow, as_(VENDOR), w.template, "sales", "Revenue"
    ),
    "publish_template": lambda uow, w: publish_template(uow, as_(VENDOR), w.draft_template),
    "duplicate_template": lambda uow, w: duplicate_template(uow, as_(VENDOR), w.template, "Copy"),
    "import_program_templates": lambda uow, w: import_program_templates(
        uow, as_(VENDOR, program=attrs.evolve(PROGRAM, plan_templates=(FILE_TEMPLATE,)))
    ),
    "assign_plan": lambda uow, w: assign_plan(uow, as_(VENDOR), w.template, "p2"),
    "assign_plans": lambda uow, w: assign_plans(uow, as_(VENDOR), w.template, PartnerFilter()),
    "push_template_version": lambda uow, w: push_template_version(uow, as_(VENDOR), w.template),
    "share_plan": lambda uow, w: share_plan(uow, as_(VENDOR), w.draft_plan),
    "edit_plan": lambda uow, w: edit_plan(uow, as_(VENDOR), w.draft_plan, name="Renamed"),
    "set_plan_targets": lambda uow, w: set_plan_targets(
        uow, as_(VENDOR), w.draft_plan, "won", [PeriodTarget("year", 30)]
    ),
    "comment_on_plan": lambda uow, w: comment_on_plan(uow, as_(ADMIN), w.shared_plan, "More?"),
    "sign_off_plan": lambda uow, w: sign_off_plan(uow, as_(ADMIN), w.shared_plan),
    "start_plan": lambda uow, w: start_plan(uow, as_(VENDOR), w.signed_plan),
    "complete_plan": lambda uow, w: complete_plan(uow, as_(VENDOR), w.running_plan),
    "close_plan": lambda uow, w: close_plan(uow, as_(VENDOR), w.running_plan, "Year over."),
    # The world's plans are for 2029: in 2031 every open one has a year that ended.
    "close_ended_plans": lambda uow, w: close_ended_plans(uow, as_(VENDOR, LATE_PLANS)),
    "reopen_plan": lambda uow, w: reopen_plan(uow, as_(VENDOR), w.signed_plan, "New line."),
    "check_plan_task": lambda uow, w: check_plan_task(uow, as_(VENDOR), w.running_plan, "certify"),
    "uncheck_plan_task": lambda uow, w: uncheck_plan_task(
        uow, as_(VENDOR), w.running_plan, "forecast"
    ),
    "hold_plan_milestone": lambda uow, w: hold_plan_milestone(
        uow, as_(VENDOR), w.running_plan, "kickoff", notes="Held."
    ),
    "record_plan_actual": lambda uow, w: record_plan_actual(
        uow, as_(ADMIN), w.running_plan, "csat", "q1", 85
    ),
    "snapshot_dashboards": lambda uow, w: snapshot_dashboards(uow, as_(VENDOR), ()),
}

#: Every public use case that only reads.
READING: dict[str, Call] = {
    "get_deal": lambda uow, w: get_deal(uow, as_(ALICE), w.approved),
    "search_deals": lambda uow, w: search_deals(uow, as_(VENDOR), DealQuery(text="example")),
    "list_users": lambda uow, w: list_users(uow, as_(ADMIN), "p1"),
    "verify_domain": lambda uow, w: verify_domain(uow, as_(ALICE), "Open", "open.example"),
    "upcoming_renewals": lambda uow, w: upcoming_renewals(uow, as_(ADMIN), "p1", 400),
    "get_template": lambda uow, w: get_template(uow, as_(VENDOR), w.template),
    "list_templates": lambda uow, w: list_templates(uow, as_(VENDOR), published=True),
    "get_plan": lambda uow, w: get_plan(uow, as_(ADMIN), w.shared_plan),
    "list_plans": lambda uow, w: list_plans(uow, as_(ADMIN), partner_id="p1"),
    "plan_progress_of": lambda uow, w: plan_progress_of(uow, as_(ADMIN), w.running_plan, ()),
    "company_plan_rows": lambda uow, w: company_plan_rows(uow, as_(VENDOR), ()),
    "partner_dashboard_of": lambda uow, w: partner_dashboard_of(uow, as_(ADMIN), "p1", ()),
    "vendor_dashboard": lambda uow, w: vendor_dashboard(uow, as_(VENDOR), ()),
    "dashboard_trend": lambda uow, w: dashboard_trend(uow, as_(ADMIN), "p1", "new_arr"),
    "partner_home_of": lambda uow, w: partner_home_of(uow, as_(ADMIN), "p1"),
}


@pytest.mark.parametrize("name", sorted(WRITING))
def test_a_failing_write_step_leaves_everything_as_it_was(backend: Backend, name: str) -> None:
    steps = check_all_or_nothing(make_world, WRITING[name], backend=backend)
    assert steps >= 2  # at least a write and its event


@pytest.mark.parametrize("name", sorted(READING))
def test_a_reading_use_case_takes_no_write_step(backend: Backend, name: str) -> None:
    storage = backend.storage(specs=SPECS)
    world = make_world(lambda *, specs=(): storage)
    before = snapshot(storage)
    faulty = FaultyStorage(storage, fail_at=1)
    with faulty.unit_of_work() as uow:
        result = READING[name](uow, world)
    assert not faulty.fired
    assert faulty.steps == 0
    assert result is not None
    assert snapshot(storage) == before


def test_every_public_use_case_is_covered() -> None:
    import partnerkit.services as services

    use_cases = {
        name for name in services.__all__ if name[0].islower() and callable(getattr(services, name))
    }
    covered = {name.split(" ")[0] for name in (*WRITING, *READING)}
    assert use_cases == covered
