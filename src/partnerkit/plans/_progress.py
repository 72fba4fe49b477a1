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
from partnerkit.plans._items import PERIODS, Objective, ObjectiveKind, Section
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

    Paced when its kind adds up over a period (:attr:`ObjectiveKind.paced`);
    a level (certified users) is judged against the whole target.

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
    names the objectives behind pace, the furthest behind first;
    ``unmeasured`` those with no actual at all for the periods begun, one of
    which has a target (a custom objective nobody entered a value for, a
    measured one without measurements), in plan order: they are not judged,
    and count 0 in the completion.
    """

    plan_id: str
    partner_id: str
    as_of: date
    status: PlanStatus
    completion: Decimal
    rag: Rag | None
    sections: tuple[SectionProgress, ...]
    holding_back: tuple[str, ...]
    unmeasured: tuple[str, ...] = ()

    @property
    def objectives(self) -> tuple[ObjectiveProgress, ...]:
        """Every objective's progress, section by section."""
        return tuple(o for s in self.sections for o in s.objectives)

    @isolated
    def explain(self, locale: str | Locale = "en") -> list[str]:
        """One line per objective behind pace, furthest behind first, in ``locale``'s words.

        The pace is a percentage in the locale's format (``75.21%``, ``75,21 %`` in German).
        An objective without any data is not judged, so it has no line here:
        :attr:`unmeasured` names those.
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
#: The share of a period a level (:attr:`ObjectiveKind.paced` false) is judged with: all of it.
_WHOLE = Decimal(1)


def _judge(
    objective: Objective, period: str, actual: MetricValue | None, elapsed: Decimal | None
) -> PeriodProgress:
    target = objective.target(period)
    status = _judged(target, actual, elapsed, objective.kind.paced)
    return PeriodProgress(period, target, actual, status)


def _judged(
    target: MetricValue | None,
    actual: MetricValue | None,
    elapsed: Decimal | None,
    paced: bool,
) -> KpiStatus:
    """The status of a period, paced when ``paced``; unjudged without a target, actual or start."""
    if target is None or elapsed is None or actual is None:
        return _UNJUDGED
    return _status(target, actual, elapsed if paced else _WHOLE)


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
    completion = _completion(year_progress.status)
    return ObjectiveProgress(
        objective.key,
        objective.title,
        objective.kind,
        objective.weight,
        year_progress,
        quarters,
        completion,
    )


def _completion(year: KpiStatus) -> Decimal:
    """What an objective adds to its section: the year's attainment capped at 100, else 0."""
    attainment = year.attainment
    return Decimal(0) if attainment is None else min(attainment, _HUNDRED)


def _share(parts: Iterable[tuple[Decimal, int]]) -> Decimal:
    """The average of (completion, number of items) pairs, weighted by the numbers."""
    total = Decimal(0)
    count = 0
    for completion, items in parts:
        total += completion * items
        count += items
    return (total / count).quantize(_CENT, rounding=ROUND_HALF_UP) if count else Decimal(0)


def _objectives_part(weighted: list[tuple[Decimal, int]]) -> Decimal:
    """The objectives' completions, (completion, weight) pairs, averaged by weight."""
    weights = sum(weight for _, weight in weighted)
    if not weights:
        return Decimal(0)
    return sum((completion * weight for completion, weight in weighted), Decimal(0)) / weights


def _section_parts(
    weighted: list[tuple[Decimal, int]], done: int, tasks: int, held: int, milestones: int
) -> list[tuple[Decimal, int]]:
    """A section's (completion, number of items) parts: objectives, tasks, milestones."""
    return [
        (_objectives_part(weighted), len(weighted)),
        (_HUNDRED * done / tasks if tasks else Decimal(0), tasks),
        (_HUNDRED * held / milestones if milestones else Decimal(0), milestones),
    ]


def _worst(rags: Iterable[Rag | None]) -> Rag | None:
    """The worst red/amber/green of ``rags`` (None ignored); None when there is none."""
    return min((r for r in rags if r), key=_RAG_ORDER.__getitem__, default=None)


def _without_data(objective: ObjectiveProgress, starts: tuple[date, ...], as_of: date) -> bool:
    """Whether a period begun has a target and none has an actual (the year's, then quarters)."""
    begun = [
        period
        for period, start in zip((objective.year, *objective.quarters), starts, strict=True)
        if as_of >= start
    ]
    return any(p.target is not None for p in begun) and all(p.actual is None for p in begun)


def _check_arguments(plan: object, as_of: object) -> None:
    if not isinstance(plan, Plan):
        raise ValidationError.single("plan", "invalid", "expected a Plan")
    if not isinstance(as_of, date) or hasattr(as_of, "hour"):
        raise ValidationError.single("as_of", "invalid", "expected a date")


def plan_progress(
    plan: Plan, calendar: FiscalCalendar, as_of: date, measured: Actuals | None = None
) -> PlanProgress:
    """Where ``plan`` stands on ``as_of`` in the program's fiscal ``calendar``.

    ``measured`` holds the actuals of the measured objectives by (key,
    period); a missing one is unknown (not zero), so its objective is not
    judged. Everything is computed in partnerkit's own decimal context.
    """
    _check_arguments(plan, as_of)
    measured = measured or {}
    with localcontext(COMPUTE_CONTEXT):
        year = calendar.year(plan.fiscal_year)
        checked = {c.task for c in plan.checked}
        held_keys = {h.milestone for h in plan.held}
        sections = []
        parts: list[tuple[Decimal, int]] = []
        for section in plan.sections:
            objectives = tuple(
                _objective(plan, o, year, as_of, measured) for o in section.objectives
            )
            done = sum(1 for t in section.tasks if t.key in checked)
            held = sum(1 for m in section.milestones if m.key in held_keys)
            section_parts = _section_parts(
                [(o.completion, o.weight) for o in objectives],
                done,
                len(section.tasks),
                held,
                len(section.milestones),
            )
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
        starts = (year.start, *(q.start for q in year.quarters))
        unmeasured = tuple(o.key for o in every if _without_data(o, starts, as_of))
        judged = [o for o in every if o.rag is not None]
        rag = _worst(o.rag for o in judged)
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
            unmeasured,
        )


_ROW_ORDER = {
    PlanStatus.IN_PROGRESS: 0,
    PlanStatus.SIGNED_OFF: 1,
    PlanStatus.SHARED: 2,
    PlanStatus.DRAFT: 3,
    PlanStatus.COMPLETED: 4,
    PlanStatus.CLOSED: 5,
}


class _Shape:
    """What the rows read of one section, once for every plan holding it: targets and keys."""

    __slots__ = ("milestones", "objectives", "section", "tasks")

    def __init__(self, section: Section) -> None:
        self.section = section
        #: Each objective with its year target (the year alone makes a row).
        self.objectives = tuple((o, o.target("year")) for o in section.objectives)
        self.tasks = tuple(t.key for t in section.tasks)
        self.milestones = tuple(m.key for m in section.milestones)


def _standing(
    plan: Plan, elapsed: Decimal | None, measured: Actuals, shapes: dict[int, _Shape]
) -> tuple[Decimal, Rag | None]:
    """A plan's completion and RAG, as :func:`plan_progress` finds them, from the year alone.

    Neither depends on the quarters, so only the year of each objective is
    judged. ``shapes`` keeps each section's targets and keys by identity: the
    plans of one template version share their sections, read once for all.
    """
    checked = {c.task for c in plan.checked}
    held_keys = {h.milestone for h in plan.held}
    parts: list[tuple[Decimal, int]] = []
    rags: list[Rag | None] = []
    for section in plan.sections:
        shape = shapes.get(id(section))
        if shape is None or shape.section is not section:
            shape = shapes[id(section)] = _Shape(section)
        weighted = []
        for objective, target in shape.objectives:
            actual = _actual(plan, objective, "year", measured)
            status = _judged(target, actual, elapsed, objective.kind.paced)
            weighted.append((_completion(status), objective.weight))
            rags.append(status.rag)
        done = sum(1 for key in shape.tasks if key in checked)
        held = sum(1 for key in shape.milestones if key in held_keys)
        parts.extend(_section_parts(weighted, done, len(shape.tasks), held, len(shape.milestones)))
    return _share(parts), _worst(rags)


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
    each plan's measured actuals by plan id. Rows come in partner order;
    each row's completion and RAG are those :func:`plan_progress` gives,
    computed for all the plans at once (in one decimal context, each
    section's targets read once for the plans sharing it).
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
    rows: list[PlanRow] = []
    if not current:
        return rows
    shapes: dict[int, _Shape] = {}  # the plans in ``current`` keep these sections alive
    with localcontext(COMPUTE_CONTEXT):
        year = calendar.year(fiscal_year)
        elapsed = _elapsed(year.start, year.end, as_of)
        for partner_id in sorted(current):
            plan = current[partner_id]
            _check_arguments(plan, as_of)
            completion, rag = _standing(plan, elapsed, measured.get(plan.id) or {}, shapes)
            rows.append(PlanRow(partner_id, plan.id, plan.name, plan.status, completion, rag))
    return rows
