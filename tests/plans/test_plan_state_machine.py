"""A hypothesis state machine over a plan's steps: the invariants hold after every step."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pendulum
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from plan_factories import AT, assigned, template

from partnerkit.core.errors import InvalidTransition, PermissionDenied, ValidationError
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.partners import EXECUTIVE, PROGRAM_ADMINISTRATOR, USER
from partnerkit.plans import (
    CONTENT_STATUSES,
    PeriodTarget,
    Plan,
    PlanProgress,
    PlanStatus,
    Side,
    SignedRevision,
    plan_progress,
)

CALENDAR = MonthlyFiscalCalendar(1)
REFUSALS = (InvalidTransition, PermissionDenied, ValidationError)


class PlanLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.plan: Plan = assigned()
        self.steps = 1  # the assignment
        self.clock = AT
        self.signed: list[SignedRevision] = []
        self.newer = template().edited("vera", AT, purpose="v2").published_by("vera", AT)

    def _at(self) -> pendulum.DateTime:
        self.clock = self.clock.add(hours=1)
        return self.clock

    def _try(self, step: object) -> None:
        before = self.plan
        try:
            self.plan, event = step()  # type: ignore[operator]
        except REFUSALS:
            assert self.plan is before  # a refused step changes nothing
            return
        self.steps += 1
        assert event.plan_id == self.plan.id
        assert event.to_status is self.plan.status
        if event.from_status is not None:
            assert event.from_status is before.status

    @rule()
    def share(self) -> None:
        self._try(lambda: self.plan.share("vera", self._at()))

    @rule(side=st.sampled_from(Side))
    def sign_off(self, side: Side) -> None:
        self._try(lambda: self.plan.sign_off(f"{side.value}-signer", side, self._at()))

    @rule()
    def start(self) -> None:
        self._try(lambda: self.plan.start("vera", self._at()))

    @rule()
    def complete(self) -> None:
        self._try(lambda: self.plan.complete("vera", self._at()))

    @rule()
    def close(self) -> None:
        self._try(lambda: self.plan.close("vera", self._at(), "year over"))

    @rule()
    def reopen(self) -> None:
        self._try(lambda: self.plan.reopen("vera", self._at(), "change"))

    @rule(value=st.integers(0, 50))
    def set_targets(self, value: int) -> None:
        self._try(
            lambda: self.plan.set_targets("won", [PeriodTarget("year", value)], "vera", self._at())
        )

    @rule(name=st.sampled_from(["Plan A", "Plan B", ""]))
    def edit(self, name: str) -> None:
        self._try(lambda: self.plan.edit("vera", self._at(), name=name))

    @rule()
    def apply_template(self) -> None:
        self._try(lambda: self.plan.apply_template(self.newer, "vera", self._at()))

    @rule(
        task=st.sampled_from(["forecast", "certify", "portal"]),
        role=st.sampled_from([EXECUTIVE, USER, PROGRAM_ADMINISTRATOR]),
        check=st.booleans(),
    )
    def toggle_task(self, task: str, role: str, check: bool) -> None:
        step = self.plan.check_task if check else self.plan.uncheck_task
        self._try(lambda: step(task, "sam", role, Side.PARTNER, self._at()))

    @rule(value=st.integers(-1, 120), period=st.sampled_from(["year", "q1", "q5"]))
    def record(self, value: int, period: str) -> None:
        self._try(
            lambda: self.plan.record_actual(
                "csat", period, Decimal(value), "vera", Side.VENDOR, self._at()
            )
        )

    @rule(text=st.sampled_from(["ok", "", "why?"]), side=st.sampled_from(Side))
    def comment(self, text: str, side: Side) -> None:
        self._try(lambda: self.plan.comment("someone", side, text, self._at()))

    @invariant()
    def signed_revisions_never_change(self) -> None:
        assert list(self.plan.signed[: len(self.signed)]) == self.signed
        assert len(self.plan.signed) in (len(self.signed), len(self.signed) + 1)
        self.signed = list(self.plan.signed)
        assert [r.revision for r in self.plan.signed] == sorted(
            {r.revision for r in self.plan.signed}
        )

    @invariant()
    def the_audit_is_complete_and_ordered(self) -> None:
        audit = self.plan.audit
        assert len(audit) == self.steps
        assert all(a.at <= b.at for a, b in itertools.pairwise(audit))
        assert audit[-1].to_status is self.plan.status

    @invariant()
    def only_a_draft_is_hidden_from_the_partner(self) -> None:
        assert self.plan.visible_to_partner == (self.plan.status is not PlanStatus.DRAFT)

    @invariant()
    def signatures_belong_to_the_current_revision(self) -> None:
        sides = [s.side for s in self.plan.signoffs]
        assert len(sides) == len(set(sides))
        if self.plan.status in CONTENT_STATUSES:
            assert len(sides) < 2

    @invariant()
    def completion_stays_within_0_and_100(self) -> None:
        for day in (date(2026, 1, 1), date(2026, 8, 1), date(2027, 1, 1) - timedelta(days=1)):
            progress = plan_progress_of(self.plan, day)
            assert Decimal(0) <= progress.completion <= Decimal(100)
            assert all(Decimal(0) <= s.completion <= Decimal(100) for s in progress.sections)


def plan_progress_of(plan: Plan, day: date) -> PlanProgress:
    return plan_progress(plan, CALENDAR, day, {("won", "year"): 40})


PlanLifecycle.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestPlanLifecycle = PlanLifecycle.TestCase
