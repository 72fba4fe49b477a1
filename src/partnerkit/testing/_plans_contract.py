"""Storage contract cases for plan templates and partners' plans (the ``plans`` area)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import attrs
import pendulum

from partnerkit.core import Money
from partnerkit.partners import EXECUTIVE, PROGRAM_ADMINISTRATOR, Actor, Partner
from partnerkit.plans import (
    Milestone,
    Objective,
    ObjectiveKind,
    PeriodTarget,
    Plan,
    PlanStatus,
    Section,
    Side,
    Split,
    Task,
)
from partnerkit.program import Program
from partnerkit.services import (
    Context,
    assign_plan,
    check_plan_task,
    create_template,
    hold_plan_milestone,
    publish_template,
    record_plan_actual,
    share_plan,
    sign_off_plan,
    start_plan,
)
from partnerkit.storage import PARTNERS, PLAN_TEMPLATES, PLANS, Storage, UnitOfWork, assignment_key
from partnerkit.testing._clocks import FixedClock
from partnerkit.testing._fixtures import StorageFixtures, race_to_create

__all__ = ["PlansContract"]

_AT = pendulum.datetime(2026, 3, 2, 9, tz="Europe/London")
_PROGRAM = Program(
    key="contract", name="Contract program", currency="GBP", timezone="Europe/London"
)
_VENDOR = Context(Actor("vendor-admin", PROGRAM_ADMINISTRATOR), FixedClock(_AT), _PROGRAM)
_SECTION = Section(
    "sales",
    "Sales",
    "Revenue and deals, with every kind of item",
    objectives=[
        Objective(
            "arr",
            "New ARR",
            ObjectiveKind.NEW_ARR,
            [PeriodTarget(q, Money("2500.50", "GBP")) for q in ("q1", "q2", "q3", "q4")],
            weight=60,
            split=Split("product", "edr"),
        ),
        Objective("csat", "Satisfaction", ObjectiveKind.CUSTOM, [PeriodTarget("year", 90)]),
    ],
    tasks=[Task("forecast", "Share a forecast", due="q1", owner=Side.VENDOR)],
    milestones=[Milestone("kickoff", "Kick-off", "start")],
)


def _partners(storage: Storage, *ids: str) -> None:
    with storage.unit_of_work() as uow:
        for key in ids:
            uow.repository(PARTNERS).add(Partner(key, key, f"{key}.example", "reseller"))
        uow.repository(PLANS).count()  # the tables exist before any race
        uow.repository(PLAN_TEMPLATES).count()
        uow.commit()


def _template(storage: Storage) -> str:
    with storage.unit_of_work() as uow:
        made = create_template(uow, _VENDOR, "Reseller plan", sections=[_SECTION])
    with storage.unit_of_work() as uow:
        return publish_template(uow, _VENDOR, made.id).id


class PlansContract(StorageFixtures):
    """Contract cases for :data:`~partnerkit.storage.PLAN_TEMPLATES` and ``PLANS``.

    Templates and plans are stored through the real use cases, so a backend
    shows it keeps what they write: every kind of item, the enums, the
    audit trail, and one plan per partner, template and fiscal year.
    """

    def test_templates_and_plans_round_trip_through_storage(self, storage: Storage) -> None:
        _partners(storage, "p1")
        template_id = _template(storage)
        partner = _VENDOR.with_actor(Actor("eve", EXECUTIVE, partner_id="p1"))
        with storage.unit_of_work() as uow:
            plan = assign_plan(uow, _VENDOR, template_id, "p1")
        plan_id = plan.id
        steps: tuple[Callable[[UnitOfWork], Plan], ...] = (
            lambda uow: share_plan(uow, _VENDOR, plan_id),
            lambda uow: sign_off_plan(uow, partner, plan_id),
            lambda uow: sign_off_plan(uow, _VENDOR, plan_id),
            lambda uow: start_plan(uow, _VENDOR, plan_id),
            lambda uow: check_plan_task(uow, _VENDOR, plan_id, "forecast"),
            lambda uow: hold_plan_milestone(uow, partner, plan_id, "kickoff", notes="Held."),
            lambda uow: record_plan_actual(uow, _VENDOR, plan_id, "csat", "q1", Decimal("8.5")),
        )
        for step in steps:
            with storage.unit_of_work() as uow:
                plan = step(uow)
        with storage.unit_of_work() as uow:
            stored = uow.repository(PLANS).get(plan.id)
            template = uow.repository(PLAN_TEMPLATES).get(template_id)
        assert stored == plan
        assert stored.status is PlanStatus.IN_PROGRESS
        assert [s.side for s in stored.signoffs] == [Side.PARTNER, Side.VENDOR]
        assert stored.signed[0].sections == template.sections == (_SECTION,)
        kinds = [o.kind for o in template.sections[0].objectives]
        assert kinds == [ObjectiveKind.NEW_ARR, ObjectiveKind.CUSTOM]
        assert all(isinstance(k, ObjectiveKind) for k in kinds)
        assert stored.audit == plan.audit
        assert len(stored.audit) == 8

    def test_one_plan_per_partner_template_and_year_even_when_two_units_race(
        self, storage: Storage
    ) -> None:
        _partners(storage, "p1")
        template_id = _template(storage)
        with storage.unit_of_work() as uow:
            template = uow.repository(PLAN_TEMPLATES).get(template_id)

        def make(n: int) -> Plan:
            plan, _ = Plan.assign(
                template,
                id=f"PL-{n}",
                partner_id="p1",
                fiscal_year=2026,
                actor="vendor-admin",
                at=_AT,
            )
            return plan

        race_to_create(
            storage, PLANS, {"assignment": assignment_key("p1", template_id, 2026)}, make
        )

    def test_plans_are_listed_by_partner_fiscal_year_and_status(self, storage: Storage) -> None:
        _partners(storage, "p1", "p2")
        template_id = _template(storage)
        made = {}
        for partner_id, year in (("p1", 2026), ("p1", 2027), ("p2", 2026)):
            with storage.unit_of_work() as uow:
                plan = assign_plan(uow, _VENDOR, template_id, partner_id, fiscal_year=year)
            made[(partner_id, year)] = plan.id
        with storage.unit_of_work() as uow:
            share_plan(uow, _VENDOR, made[("p1", 2026)])
        with storage.unit_of_work() as uow:
            plans = uow.repository(PLANS)
            assert [p.id for p in plans.list({"partner_id": "p1"})] == sorted(
                [made[("p1", 2026)], made[("p1", 2027)]]
            )
            assert plans.count({"fiscal_year": 2026}) == 2
            assert [p.id for p in plans.list({"status": "shared"})] == [made[("p1", 2026)]]
            by_year = plans.list({"partner_id": ["p1", "p2"]}, order_by="fiscal_year")
            assert [p.fiscal_year for p in by_year] == [2026, 2026, 2027]
            assert plans.count({"template_id": template_id, "status": ["draft"]}) == 2
            templates = uow.repository(PLAN_TEMPLATES)
            assert templates.count({"published": 1}) == 1
            assert [t.id for t in templates.list({"kind": "business"})] == [template_id]
            assert attrs.evolve(plans.get(made[("p2", 2026)]), version=0).status is (
                PlanStatus.DRAFT
            )
