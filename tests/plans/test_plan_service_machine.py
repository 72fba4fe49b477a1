"""A hypothesis state machine over the plan use cases, on both reference backends.

Two partners' plans go through the use cases in any order, by any actor;
after every step: a refused step changed nothing, a signed-off revision never
changes, completion stays within 0-100, the audit trail holds every step in
order, and no partner sees another's plan or a vendor draft.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from plan_services_factories import (
    ADMIN_P1,
    ADMIN_P2,
    BOSS_P1,
    EXEC_P1,
    MANAGER_P1,
    NOW,
    USER_P1,
    VENDOR,
    on,
    seed,
)

from partnerkit.core import EventDispatcher
from partnerkit.core.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from partnerkit.partners import Actor
from partnerkit.plans import PeriodTarget, Plan, PlanStatus, SignedRevision
from partnerkit.services import (
    assign_plan,
    check_plan_task,
    close_plan,
    comment_on_plan,
    complete_plan,
    edit_plan,
    get_plan,
    hold_plan_milestone,
    list_plans,
    plan_progress_of,
    record_plan_actual,
    reopen_plan,
    set_plan_targets,
    share_plan,
    sign_off_plan,
    start_plan,
    uncheck_plan_task,
)
from partnerkit.storage import PLANS, MemoryStorage, SqliteStorage, Storage, UnitOfWork
from partnerkit.testing import FixedClock

REFUSALS = (InvalidTransition, NotFound, PermissionDenied, ValidationError)
ACTORS = (VENDOR, MANAGER_P1, ADMIN_P1, EXEC_P1, BOSS_P1, USER_P1, ADMIN_P2)
PARTNER_ADMINS = (ADMIN_P1, ADMIN_P2)
Step = Callable[[UnitOfWork, Actor, str], Plan]

#: The one clock every step reads; each rule moves it on.
CLOCK = FixedClock(NOW)

STEPS: dict[str, Step] = {
    "share": lambda uow, a, p: share_plan(uow, on(a, CLOCK), p),
    "comment": lambda uow, a, p: comment_on_plan(uow, on(a, CLOCK), p, "Why?", proposal=True),
    "sign_off": lambda uow, a, p: sign_off_plan(uow, on(a, CLOCK), p),
    "start": lambda uow, a, p: start_plan(uow, on(a, CLOCK), p),
    "complete": lambda uow, a, p: complete_plan(uow, on(a, CLOCK), p),
    "close": lambda uow, a, p: close_plan(uow, on(a, CLOCK), p, "Year over"),
    "reopen": lambda uow, a, p: reopen_plan(uow, on(a, CLOCK), p, "New line"),
    "check_task": lambda uow, a, p: check_plan_task(uow, on(a, CLOCK), p, "forecast"),
    "uncheck_task": lambda uow, a, p: uncheck_plan_task(uow, on(a, CLOCK), p, "forecast"),
    "hold_milestone": lambda uow, a, p: hold_plan_milestone(uow, on(a, CLOCK), p, "kickoff"),
    "record_actual": lambda uow, a, p: record_plan_actual(
        uow, on(a, CLOCK), p, "csat", "q1", Decimal(70)
    ),
    "edit": lambda uow, a, p: edit_plan(uow, on(a, CLOCK), p, name="Renamed plan"),
    "set_targets": lambda uow, a, p: set_plan_targets(
        uow, on(a, CLOCK), p, "won", [PeriodTarget("year", 12)]
    ),
}


class PlanServices(RuleBasedStateMachine):
    backend = "memory"

    def __init__(self) -> None:
        super().__init__()
        CLOCK.set(NOW)
        self.folder = Path(tempfile.mkdtemp(prefix="plans-machine-"))
        self.storage: Storage = (
            MemoryStorage(dispatcher=EventDispatcher())
            if self.backend == "memory"
            else SqliteStorage(self.folder / "plans.sqlite3", dispatcher=EventDispatcher())
        )
        template = seed(self.storage)
        self.plans: dict[str, str] = {}
        for partner in ("p1", "p2"):
            with self.storage.unit_of_work() as uow:
                self.plans[partner] = assign_plan(uow, on(VENDOR), template.id, partner).id
        self.actions: dict[str, list[str]] = {p: ["assign"] for p in self.plans.values()}
        self.signed: dict[str, list[SignedRevision]] = {p: [] for p in self.plans.values()}

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def _stored(self, plan_id: str) -> Plan:
        with self.storage.unit_of_work() as uow:
            return uow.repository(PLANS).get(plan_id)

    @rule(
        step=st.sampled_from(sorted(STEPS)),
        actor=st.sampled_from(ACTORS),
        partner=st.sampled_from(["p1", "p2"]),
    )
    def take(self, step: str, actor: Actor, partner: str) -> None:
        CLOCK.advance(minutes=5)
        plan_id = self.plans[partner]
        before = self._stored(plan_id)
        try:
            with self.storage.unit_of_work() as uow:
                after = STEPS[step](uow, actor, plan_id)
        except REFUSALS:
            assert self._stored(plan_id) == before  # a refused step changes nothing
            return
        assert self._stored(plan_id) == after
        self.actions[plan_id].append(step)

    @invariant()
    def signed_revisions_never_change(self) -> None:
        for plan_id, seen in self.signed.items():
            signed = list(self._stored(plan_id).signed)
            assert signed[: len(seen)] == seen
            self.signed[plan_id] = signed

    @invariant()
    def the_audit_trail_is_complete_and_ordered(self) -> None:
        for plan_id, actions in self.actions.items():
            plan = self._stored(plan_id)
            assert [entry.action for entry in plan.audit] == actions
            assert all(a.at <= b.at for a, b in itertools.pairwise(plan.audit))
            assert plan.audit[-1].to_status is plan.status

    @invariant()
    def completion_stays_within_0_and_100(self) -> None:
        with self.storage.unit_of_work() as uow:
            for plan_id in self.plans.values():
                progress = plan_progress_of(uow, on(VENDOR, CLOCK), plan_id)
                assert Decimal(0) <= progress.completion <= Decimal(100)

    @invariant()
    def no_partner_sees_another_partners_plan_or_a_draft(self) -> None:
        with self.storage.unit_of_work() as uow:
            for actor in PARTNER_ADMINS:
                ctx = on(actor, CLOCK)
                seen = list(list_plans(uow, ctx))
                assert all(p.partner_id == actor.partner_id for p in seen)
                assert all(p.status is not PlanStatus.DRAFT for p in seen)
                for partner, plan_id in self.plans.items():
                    plan = self._stored(plan_id)
                    visible = partner == actor.partner_id and plan.status is not PlanStatus.DRAFT
                    assert (plan_id in {p.id for p in seen}) == visible
                    if not visible:
                        with pytest.raises(NotFound):
                            get_plan(uow, ctx, plan_id)


class SqlitePlanServices(PlanServices):
    backend = "sqlite"


_SETTINGS = settings(max_examples=15, stateful_step_count=20, deadline=None)
PlanServices.TestCase.settings = _SETTINGS
SqlitePlanServices.TestCase.settings = _SETTINGS
TestPlanServicesInMemory = PlanServices.TestCase
TestPlanServicesOnSqlite = SqlitePlanServices.TestCase
