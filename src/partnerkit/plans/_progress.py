"""How far a plan has come, as of a date: per objective, per section, overall, and why.

Pure functions of a plan, the program's fiscal calendar, a date and the
measured actuals (``(objective key, period) -> value``, computed by the use
cases from the program's data); custom objectives take the values entered
on the plan.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

import attrs
from babel.core import Locale
from babel.numbers import format_percent

from partnerkit.core import Money
from partnerkit.core._context import COMPUTE_CONTEXT, isolated
from partnerkit.core._money import MetricValue
from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import FiscalCalendar, FiscalYear
from partnerkit.locale import gettext
from partnerkit.plans._items import PERIODS, Objective, ObjectiveKind
from partnerkit.plans._plan import Plan
from partnerkit.plans._status import PlanStatus
from partnerkit.scoring import KpiStatus, Rag, Target, rag_status

__all__ = [
    "Actuals",
    "ObjectiveProgress",
    "PeriodProgress",
    "PlanProgress",
    "PlanRow",
    "SectionProgress",
    "anchor_date",
    "plan_progress",
    "plan_rows",
]

#: Measured actuals: ``(objective key, period) -> value`` (periods as in :data:`PERIODS`).
Actuals = Mapping[tuple[str, str], MetricValue]

_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)
_RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2}


def anchor_date(year: FiscalYear, anchor: str) -> date:
    """The day an anchor (:data:`~partnerkit.plans.ANCHORS`) names in a fiscal year."""
    if anchor == "start":
        return year.start
    if anchor == "year":
        return year.end
    if anchor in ("q1", "q2", "q3", "q4"):
        return year.quarters[int(anchor[1]) - 1].end
    raise ValidationError.single("anchor", "invalid_choice", f"{anchor!r} is no anchor")


@attrs.frozen
class PeriodProgress:
    """One period of an objective: its target, actual and paced status (None before it starts)."""

    period: str
    target: MetricValue | None
    actual: MetricValue | None
    status: KpiStatus


@attrs.frozen
class ObjectiveProgress:
    """Where one objective stands: the year (judged with pace) and each quarter.

    ``completion`` is the year's attainment capped at 100 (0 without an
    actual): what the objective adds to its section's completion, by weight.
    """

    key: str
    title: str
    kind: ObjectiveKind
    weight: int
    year: PeriodProgress
    quarters: tuple[PeriodProgress, ...]
    completion: Decimal

    @property
    def rag(self) -> Rag | None:
        """The year's paced red/amber/green, or None when there is nothing to judge."""
        return self.year.status.rag


@attrs.frozen
class SectionProgress:
    """Where one section stands: its objectives, tasks checked and milestones held."""

    key: str
    title: str
    completion: Decimal
    objectives: tuple[ObjectiveProgress, ...]
    tasks_done: int
    tasks_total: int
    milestones_held: int
    milestones_total: int


@attrs.frozen
class PlanProgress:
    """How far a plan has come as of a date.

    ``completion`` (0-100, 0.01) counts every item of the plan alike: an
    objective by its attainment capped at 100 (within the objectives,
    weighted by their weights), a task checked or not, a milestone held or
    not. ``rag`` is the worst paced status of the objectives; ``holding_back``
    names the objectives behind pace, the furthest behind first.
    """

    plan_id: str
    partner_id: str
    as_of: date
    status: PlanStatus
    completion: Decimal
    rag: Rag | None
    sections: tuple[SectionProgress, ...]
    holding_back: tuple[str, ...]

    @property
    def objectives(self) -> tuple[ObjectiveProgress, ...]:
        """Every objective's progress, section by section."""
        return tuple(o for s in self.sections for o in s.objectives)

    @isolated
    def explain(self, locale: str | Locale = "en") -> list[str]:
        """One line per objective behind pace, furthest behind first, in ``locale``'s words.

        The pace is a percentage in the locale's format (``75.21%``, ``75,21 %`` in German).
        """
        from partnerkit.core._money import _locale

        loc = _locale(locale)
        by_key = {o.key: o for o in self.objectives}
        lines = []
        for key in self.holding_back:
            objective = by_key[key]
            status = objective.year.status
            lines.append(
                gettext("{title}: {pace} of pace ({rag})", loc).format(
                    title=objective.title,
                    pace=_percent(status.pace, loc),
                    rag=status.rag.label(loc) if status.rag else "",
                )
            )
        return lines


@attrs.frozen
class PlanRow:
    """A partner's current plan for the companies table: name, status, completion and RAG."""

    partner_id: str
    plan_id: str
    name: str
    status: PlanStatus
    completion: Decimal
    rag: Rag | None


def _add(values: Iterable[MetricValue | None]) -> MetricValue | None:
    total: Any = None
    for value in values:
        if value is None:
            return None
        total = value if total is None else total + value
    return total  # type: ignore[no-any-return]


def _elapsed(first: date, last: date, as_of: date) -> Decimal | None:
    """The share of first..last gone by on ``as_of``; None before ``first``."""
    if as_of < first:
        return None
    days = last.toordinal() - first.toordinal() + 1
    gone = min(as_of.toordinal(), last.toordinal()) - first.toordinal() + 1
    return Decimal(gone) / Decimal(days)


def _actual(plan: Plan, objective: Objective, period: str, measured: Actuals) -> MetricValue | None:
    if objective.kind is ObjectiveKind.CUSTOM:
        value = plan.actual(objective.key, period)
        if value is None and period == "year":
            # The year to date: the quarters entered so far.
            entered = [plan.actual(objective.key, q) for q in PERIODS[1:]]
            value = _add(v for v in entered if v is not None) if any(entered) else None
        return value
    return measured.get((objective.key, period))


_UNJUDGED = KpiStatus(None, None, None)


def _judge(
    objective: Objective, period: str, actual: MetricValue | None, elapsed: Decimal | None
) -> PeriodProgress:
    target = objective.target(period)
    if target is None or elapsed is None or actual is None:
        return PeriodProgress(period, target, actual, _UNJUDGED)
    return PeriodProgress(period, target, actual, _status(target, actual, elapsed))


# rag_status runs in partnerkit's decimal context, which plan_progress has set already.
_rag_status = getattr(rag_status, "__wrapped__", rag_status)


@functools.lru_cache(maxsize=4096)
def _status(target: MetricValue, actual: MetricValue, elapsed: Decimal) -> KpiStatus:
    """The paced status of ``actual`` against ``target`` (plans of one template share many)."""
    if _is_zero(target):
        # Nothing to reach: met as soon as the period runs.
        return KpiStatus(_HUNDRED, _HUNDRED, Rag.GREEN)
    if isinstance(target, Money) != isinstance(actual, Money) or (
        isinstance(target, Money)
        and isinstance(actual, Money)
        and target.currency != actual.currency
    ):
        return _UNJUDGED  # a unit the target is not in: nothing to judge, never a crash
    return _rag_status(actual, Target("objective", target), elapsed=elapsed)


def _percent(value: Decimal | None, loc: Locale) -> str:
    """``value`` (in percent) in ``loc``'s percent format, every digit kept (``75,21 %``)."""
    if value is None:
        return "-"
    return format_percent(value / _HUNDRED, locale=loc, decimal_quantization=False)


def _is_zero(value: MetricValue) -> bool:
    return (value.amount if isinstance(value, Money) else value) == 0


def _objective(
    plan: Plan, objective: Objective, year: FiscalYear, as_of: date, measured: Actuals
) -> ObjectiveProgress:
    year_progress = _judge(
        objective,
        "year",
        _actual(plan, objective, "year", measured),
        _elapsed(year.start, year.end, as_of),
    )
    quarters = tuple(
        _judge(
            objective,
            period,
            _actual(plan, objective, period, measured),
            _elapsed(quarter.start, quarter.end, as_of),
        )
        for period, quarter in zip(PERIODS[1:], year.quarters, strict=True)
    )
    attainment = year_progress.status.attainment
    completion = Decimal(0) if attainment is None else min(attainment, _HUNDRED)
    return ObjectiveProgress(
        objective.key,
        objective.title,
        objective.kind,
        objective.weight,
        year_progress,
        quarters,
        completion,
    )


def _share(parts: Iterable[tuple[Decimal, int]]) -> Decimal:
    """The average of (completion, number of items) pairs, weighted by the numbers."""
    total = Decimal(0)
    count = 0
    for completion, items in parts:
        total += completion * items
        count += items
    return (total / count).quantize(_CENT, rounding=ROUND_HALF_UP) if count else Decimal(0)


def _objectives_part(objectives: tuple[ObjectiveProgress, ...]) -> Decimal:
    weights = sum(o.weight for o in objectives)
    if not weights:
        return Decimal(0)
    return sum((o.completion * o.weight for o in objectives), Decimal(0)) / weights


def plan_progress(
    plan: Plan, calendar: FiscalCalendar, as_of: date, measured: Actuals | None = None
) -> PlanProgress:
    """Where ``plan`` stands on ``as_of`` in the program's fiscal ``calendar``.

    ``measured`` holds the actuals of the measured objectives by (key,
    period); a missing one is unknown (not zero), so its objective is not
    judged. Everything is computed in partnerkit's own decimal context.
    """
    if not isinstance(plan, Plan):
        raise ValidationError.single("plan", "invalid", "expected a Plan")
    if not isinstance(as_of, date) or hasattr(as_of, "hour"):
        raise ValidationError.single("as_of", "invalid", "expected a date")
    measured = measured or {}
    with localcontext(COMPUTE_CONTEXT):
        year = calendar.year(plan.fiscal_year)
        sections = []
        parts: list[tuple[Decimal, int]] = []
        for section in plan.sections:
            objectives = tuple(
                _objective(plan, o, year, as_of, measured) for o in section.objectives
            )
            done = sum(1 for t in section.tasks if plan.is_checked(t.key))
            held_keys = {h.milestone for h in plan.held}
            held = sum(1 for m in section.milestones if m.key in held_keys)
            section_parts = [
                (_objectives_part(objectives), len(objectives)),
                (
                    _HUNDRED * done / len(section.tasks) if section.tasks else Decimal(0),
                    len(section.tasks),
                ),
                (
                    _HUNDRED * held / len(section.milestones) if section.milestones else Decimal(0),
                    len(section.milestones),
                ),
            ]
            parts.extend(section_parts)
            sections.append(
                SectionProgress(
                    section.key,
                    section.title,
                    _share(section_parts),
                    objectives,
                    done,
                    len(section.tasks),
                    held,
                    len(section.milestones),
                )
            )
        every = [o for s in sections for o in s.objectives]
        judged = [o for o in every if o.rag is not None]
        rag = min((o.rag for o in judged if o.rag), key=_RAG_ORDER.__getitem__, default=None)
        behind = sorted(
            (o for o in judged if o.rag is not Rag.GREEN),
            key=lambda o: (o.year.status.pace, o.key),
        )
        return PlanProgress(
            plan.id,
            plan.partner_id,
            as_of,
            plan.status,
            _share(parts),
            rag,
            tuple(sections),
            tuple(o.key for o in behind),
        )


_ROW_ORDER = {
    PlanStatus.IN_PROGRESS: 0,
    PlanStatus.SIGNED_OFF: 1,
    PlanStatus.SHARED: 2,
    PlanStatus.DRAFT: 3,
    PlanStatus.COMPLETED: 4,
    PlanStatus.CLOSED: 5,
}


def plan_rows(
    plans: Iterable[Plan],
    calendar: FiscalCalendar,
    as_of: date,
    measured: Mapping[str, Actuals] | None = None,
) -> list[PlanRow]:
    """The companies-table columns: each partner's current plan, in one pass over ``plans``.

    A partner's current plan is its plan for the fiscal year of ``as_of``
    (a running one before a signed-off, shared or draft one; a finished one
    last); partners without such a plan have no row. ``measured`` holds
    each plan's measured actuals by plan id. Rows come in partner order.
    """
    fiscal_year = calendar.year_of(as_of).year
    current: dict[str, Plan] = {}
    for plan in plans:
        if plan.fiscal_year != fiscal_year:
            continue
        held = current.get(plan.partner_id)
        if held is None or (_ROW_ORDER[plan.status], plan.id) < (_ROW_ORDER[held.status], held.id):
            current[plan.partner_id] = plan
    measured = measured or {}
    rows = []
    for partner_id in sorted(current):
        plan = current[partner_id]
        progress = plan_progress(plan, calendar, as_of, measured.get(plan.id))
        rows.append(
            PlanRow(partner_id, plan.id, plan.name, plan.status, progress.completion, progress.rag)
        )
    return rows
