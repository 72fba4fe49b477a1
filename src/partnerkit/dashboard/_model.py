"""One partner's Program Success Dashboard: four areas of criteria and their secondary views."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

import attrs
from babel import Locale
from babel.numbers import format_decimal, format_percent

from partnerkit.core import Money
from partnerkit.core._context import isolated
from partnerkit.core._validation import ErrorCollector, expected
from partnerkit.core.errors import ValidationError
from partnerkit.dashboard._figures import DashboardFigures, _zero
from partnerkit.dashboard._settings import DashboardSettings
from partnerkit.deals import DealRegistration, Stage
from partnerkit.locale import N_, gettext
from partnerkit.partners import Partner, PartnerUser
from partnerkit.plans import ObjectiveKind, Plan, PlanProgress, PlanStatus
from partnerkit.quoting import Order, OrderStatus, Subscription
from partnerkit.scoring import KpiStatus, MetricValue, Rag, Target, rag_status

__all__ = [
    "AREA_LABELS",
    "CRITERIA",
    "CertifiedUser",
    "Criterion",
    "CriterionSpec",
    "DashboardArea",
    "DeclineCount",
    "PartnerDashboard",
    "PlanSummary",
    "QuarterArr",
    "RenewalDue",
    "ServiceBought",
    "StageCount",
    "TargetSource",
    "partner_dashboard",
]

_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


class DashboardArea(str, Enum):
    """The four areas of the dashboard, in the order it shows them."""

    #: New and upsell ARR for the year to date, with the base revenue.
    ARR = "arr"
    #: Deal registrations and the revenue they contributed.
    DEALS = "deals"
    #: Sales and technical training: certified users and courses.
    TRAINING = "training"
    #: Business and marketing plans completed, and the vendor's services in use.
    PLANS = "plans"

    def label(self, locale: str | Locale = "en") -> str:
        """The area's heading in ``locale`` (English where partnerkit has no catalog)."""
        return gettext(AREA_LABELS[self], _locale(locale))


#: English headings (gettext msgids) of the areas.
AREA_LABELS: dict[DashboardArea, str] = {
    DashboardArea.ARR: N_("ARR achievements"),
    DashboardArea.DEALS: N_("Deal contribution"),
    DashboardArea.TRAINING: N_("Sales and technical training"),
    DashboardArea.PLANS: N_("Completed plans and services"),
}


class TargetSource(str, Enum):
    """Where a criterion's target comes from."""

    #: An objective of the partner's plan for the fiscal year.
    PLAN = "plan"
    #: The program's scoring targets (the partner has no plan objective of the kind).
    PROGRAM = "program"
    #: No target: the figure is shown without a status.
    NONE = "none"


@attrs.frozen
class CriterionSpec:
    """A core criterion: its key, area, label, the KPI measuring it and the plan objective kind."""

    key: str
    area: DashboardArea
    label: str
    kpi: str
    objective: ObjectiveKind | None
    #: Whether the figures are percentages (shown with the locale's percent sign).
    percent: bool = False


#: The core criteria, in the order the dashboard shows them. ``plan_completion`` is
#: measured from the partner's plans, not from a KPI.
CRITERIA: tuple[CriterionSpec, ...] = (
    CriterionSpec(
        "new_arr", DashboardArea.ARR, N_("New ARR"), "new_arr_ytd", ObjectiveKind.NEW_ARR
    ),
    CriterionSpec(
        "upsell_arr",
        DashboardArea.ARR,
        N_("Upsell ARR"),
        "upsell_arr_ytd",
        ObjectiveKind.UPSELL_ARR,
    ),
    CriterionSpec(
        "registrations_approved",
        DashboardArea.DEALS,
        N_("Registrations approved"),
        "deals_approved_ytd",
        ObjectiveKind.QUALIFIED_REGISTRATIONS,
    ),
    CriterionSpec(
        "deal_contribution",
        DashboardArea.DEALS,
        N_("Deal contribution"),
        "sourced_revenue_ytd",
        ObjectiveKind.REVENUE,
    ),
    CriterionSpec(
        "certified_users",
        DashboardArea.TRAINING,
        N_("Certified users"),
        "certified_users",
        ObjectiveKind.CERTIFIED_USERS,
    ),
    CriterionSpec(
        "courses_completed",
        DashboardArea.TRAINING,
        N_("Courses completed"),
        "trainings_ytd",
        ObjectiveKind.COURSE_COMPLETION,
    ),
    CriterionSpec(
        "plan_completion",
        DashboardArea.PLANS,
        N_("Plan completion"),
        "plan_completion",
        None,
        percent=True,
    ),
)

_SPECS = {spec.key: spec for spec in CRITERIA}


def _locale(locale: str | Locale) -> Locale:
    from partnerkit.core._money import _locale as checked

    return checked(locale)


def _number(value: MetricValue, loc: Locale, percent: bool = False) -> str:
    if isinstance(value, Money):
        return value.format(str(loc))
    if percent:
        return format_percent(Decimal(value) / _HUNDRED, locale=loc, decimal_quantization=False)
    return format_decimal(value, locale=loc)


@attrs.frozen
class Criterion:
    """One core criterion of a partner on the dashboard's day: actual, target and paced status.

    ``status`` is None without a target or an actual. ``source`` says
    whether the target is the plan's or the program's.
    """

    key: str
    area: DashboardArea
    actual: MetricValue | None
    target: MetricValue | None
    source: TargetSource
    status: KpiStatus

    @property
    def rag(self) -> Rag | None:
        """The paced red/amber/green, or None when there is nothing to judge."""
        return self.status.rag

    def label(self, locale: str | Locale = "en") -> str:
        """The criterion's name in ``locale``."""
        return gettext(_SPECS[self.key].label, _locale(locale))

    @isolated
    def explain(self, locale: str | Locale = "en") -> str:
        """One line for people: the actual, the target, the pace and the status, in ``locale``."""
        loc = _locale(locale)
        name = self.label(loc)
        percent = _SPECS[self.key].percent
        actual = _number(self.actual, loc, percent) if self.actual is not None else "-"
        if self.target is None:
            return gettext("{name}: {actual}, no target", loc).format(name=name, actual=actual)
        target = _number(self.target, loc, percent)
        if self.status.rag is None or self.status.pace is None:
            return gettext("{name}: {actual} of {target}", loc).format(
                name=name, actual=actual, target=target
            )
        pace = self.status.pace.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return gettext("{name}: {actual} of {target}, {pace} of pace ({rag})", loc).format(
            name=name,
            actual=actual,
            target=target,
            pace=_number(pace, loc, percent=True),
            rag=self.status.rag.label(loc),
        )


@attrs.frozen
class QuarterArr:
    """One fiscal quarter of the ARR view: new and upsell ARR against the quarter's target.

    ``new_arr`` and ``upsell_arr`` are None for a quarter not begun;
    ``target`` is the plan's quarter target of new ARR (None without).
    """

    period: str
    start: date
    end: date
    new_arr: Money | None
    upsell_arr: Money | None
    target: Money | None
    status: KpiStatus


@attrs.frozen
class StageCount:
    """Registrations of the fiscal year in one stage: how many and their projected value."""

    stage: Stage
    count: int
    value: Money


@attrs.frozen
class DeclineCount:
    """Declined registrations of the fiscal year with one reason."""

    reason: str
    count: int


@attrs.frozen
class CertifiedUser:
    """A partner user holding a current certification on the dashboard's day."""

    user_id: str
    name: str
    kinds: tuple[str, ...]
    certifications: tuple[str, ...]


@attrs.frozen
class PlanSummary:
    """One plan of the fiscal year: name, kind, status, completion and RAG."""

    plan_id: str
    name: str
    kind: str
    status: PlanStatus
    completion: Decimal
    rag: Rag | None


@attrs.frozen
class ServiceBought:
    """A service product the partner ordered (a SKU the program names a service)."""

    sku: str
    name: str
    orders: int
    first_order: str


@attrs.frozen
class RenewalDue:
    """A subscription whose term ends within the dashboard's renewal horizon."""

    subscription_id: str
    prospect_id: str
    term_end: date
    days_left: int
    value: Money


@attrs.frozen
class PartnerDashboard:
    """A partner's Program Success Dashboard on ``as_of``, in the program's calendar and currency.

    ``criteria`` are the core criteria of :data:`CRITERIA` in order;
    the other fields are the secondary views: ``base_arr`` (the annual value
    of the subscriptions running on the fiscal year's first day),
    ``quarters`` (ARR per fiscal quarter), ``stages`` and ``declines``
    (the year's registrations), ``certified``, ``plans``, ``services`` and
    ``renewals`` (soonest first).
    """

    partner_id: str
    partner_name: str
    as_of: date
    fiscal_year: int
    year_start: date
    year_end: date
    currency: str
    criteria: tuple[Criterion, ...]
    base_arr: Money
    quarters: tuple[QuarterArr, ...]
    stages: tuple[StageCount, ...]
    declines: tuple[DeclineCount, ...]
    certified: tuple[CertifiedUser, ...]
    plans: tuple[PlanSummary, ...]
    services: tuple[ServiceBought, ...]
    renewals: tuple[RenewalDue, ...]

    def criterion(self, key: str) -> Criterion:
        """The criterion ``key``; an unknown key is a ValidationError."""
        for criterion in self.criteria:
            if criterion.key == key:
                return criterion
        raise ValidationError.single("key", "unknown", f"no criterion {key!r}")

    def area(self, area: DashboardArea) -> tuple[Criterion, ...]:
        """The criteria of one area, in order."""
        return tuple(c for c in self.criteria if c.area is area)

    @property
    def registrations_total(self) -> int:
        """How many registrations the partner made in the fiscal year (every stage)."""
        return sum(s.count for s in self.stages)

    def registrations_in(self, *stages: Stage) -> int:
        """How many of the year's registrations are in one of ``stages``."""
        return sum(s.count for s in self.stages if s.stage in stages)

    @property
    def uses_services(self) -> bool:
        """Whether the partner bought any of the vendor's service products."""
        return bool(self.services)

    @property
    def rag(self) -> Rag | None:
        """The worst status of the judged criteria (None when none is judged)."""
        found = {c.rag for c in self.criteria if c.rag is not None}
        for rag in (Rag.RED, Rag.AMBER, Rag.GREEN):
            if rag in found:
                return rag
        return None

    def behind(self) -> tuple[Criterion, ...]:
        """The criteria behind pace (amber or red), the furthest behind first."""
        judged = [c for c in self.criteria if c.rag in (Rag.RED, Rag.AMBER)]
        return tuple(sorted(judged, key=lambda c: (c.status.pace or Decimal(0), c.key)))


# -- building --------------------------------------------------------------------------------

_NO_STATUS = KpiStatus(None, None, None)
_DEFAULT_SETTINGS = DashboardSettings()


def _plan_targets(
    plans: Sequence[tuple[Plan, PlanProgress]],
) -> dict[ObjectiveKind, tuple[MetricValue, tuple[MetricValue | None, ...]]]:
    """The year target (and the quarters' targets) of each objective kind in the current plans.

    Objectives split by product, region or account measure a part: only
    unsplit (or time-split) objectives give a dashboard target, the first
    plan's first such objective of a kind winning.
    """
    found: dict[ObjectiveKind, tuple[MetricValue, tuple[MetricValue | None, ...]]] = {}
    for plan, progress in plans:
        parts = {
            o.key for o in plan.objectives if o.split is not None and o.split.dimension != "time"
        }
        for objective in progress.objectives:
            target = objective.year.target
            if target is None or objective.kind in found or objective.key in parts:
                continue
            found[objective.kind] = (target, tuple(q.target for q in objective.quarters))
    return found


def _judge(actual: MetricValue | None, target: MetricValue | None, elapsed: Decimal) -> KpiStatus:
    if target is None or actual is None:
        return _NO_STATUS
    if isinstance(target, Money) != isinstance(actual, Money):
        return _NO_STATUS
    if (target.amount if isinstance(target, Money) else target) <= 0:
        return _NO_STATUS  # a zero target (allowed on a plan) judges nothing
    return _paced(actual, target, elapsed)


@functools.lru_cache(maxsize=8192)
def _paced(actual: MetricValue, target: MetricValue, elapsed: Decimal) -> KpiStatus:
    # Many partners share figures (zero, the same plan targets): each pair is judged once.
    return rag_status(actual, Target("criterion", target), elapsed=elapsed)


@functools.lru_cache(maxsize=1024)
def _elapsed(start: date, end: date, as_of: date) -> Decimal:
    total = (end - start).days + 1
    done = min(max((as_of - start).days + 1, 1), total)
    return Decimal(done) / Decimal(total)


def _current_plans(plans: Iterable[tuple[Plan, PlanProgress]]) -> list[tuple[Plan, PlanProgress]]:
    # Closed plans no longer count; the others in plan id order (assignment order).
    return sorted(
        ((p, g) for p, g in plans if p.status is not PlanStatus.CLOSED), key=lambda pair: pair[0].id
    )


def _annual(subscription: Subscription, currency: str) -> Money:
    total = Money.zero(currency)
    for line in subscription.lines:
        if line.term_months > 0:
            total = total + line.net.scaled(Decimal(12) / Decimal(line.term_months))
    return total.round()


@isolated
def partner_dashboard(
    partner: Partner,
    figures: DashboardFigures,
    *,
    plans: Iterable[tuple[Plan, PlanProgress]] = (),
    registrations: Iterable[DealRegistration] = (),
    users: Iterable[PartnerUser] | None = None,
    orders: Iterable[Order] = (),
    subscriptions: Iterable[Subscription] = (),
    settings: DashboardSettings | None = None,
    show_renewals: bool = True,
) -> PartnerDashboard:
    """Build ``partner``'s dashboard from the day's figures and its records.

    ``plans`` are the partner's plans of the fiscal year with their progress
    on ``figures.as_of``; a criterion takes its target from the plan's
    objective of its kind where there is one, else from the program's
    scoring targets (``figures.scores``), and is judged with pace. The
    records (``registrations``, ``users``, ``orders``, ``subscriptions``)
    are the partner's own; another partner's are ignored. The partner's
    ``users``, when there are any, are the truth about certifications: the
    ``certified_users`` criterion counts the users holding a current
    certification (a partner without user records is counted by the scoring
    KPI, from certification activities). A partner the figures did
    not score has no activity: its figures are zero. ``show_renewals`` False
    leaves the renewals (customers' subscriptions) out, for a reader who may
    not see customers; the base ARR is an aggregate and stays. A
    ``partner`` or ``figures`` of another type is a ValidationError.
    """
    errors = ErrorCollector()
    if not isinstance(partner, Partner):
        errors.add("partner", "invalid", expected("a partnerkit.partners.Partner", partner))
    if not isinstance(figures, DashboardFigures):
        errors.add("figures", "invalid", expected("DashboardFigures", figures))
    if settings is not None and not isinstance(settings, DashboardSettings):
        errors.add("settings", "invalid", expected("DashboardSettings", settings))
    errors.raise_if_any()
    settings = _DEFAULT_SETTINGS if settings is None else settings
    pid = partner.id
    as_of, year, currency = figures.as_of, figures.year, figures.currency
    zero = _zero(currency)
    mine = _current_plans(plans)
    plan_targets = _plan_targets(mine)
    scores = figures.scores
    scored = pid in scores.values.index
    spans = scores.plan.kpi_span
    known_users = [u for u in users or () if u.partner_id == partner.id]
    certified = []
    for user in known_users:
        if user.partner_id != pid:
            continue
        current = [c for c in user.certifications if c.valid_on(as_of)]
        if current:
            certified.append(
                CertifiedUser(
                    user.id,
                    user.name,
                    tuple(sorted({c.kind for c in current})),
                    tuple(sorted({c.name for c in current})),
                )
            )
    certified.sort(key=lambda u: (u.name.casefold(), u.user_id))

    criteria: list[Criterion] = []
    for spec in CRITERIA:
        if spec.objective is None:
            continue
        actual: MetricValue | None = scores.values.value(pid, spec.kpi) if scored else None
        if spec.kpi == "certified_users" and known_users:
            actual = len(certified)
        if actual is None:
            actual = zero if spec.kpi.endswith(("arr_ytd", "revenue_ytd")) else 0
        span = spans.get(spec.kpi)
        elapsed = span.elapsed if span is not None else Decimal(1)
        planned = plan_targets.get(spec.objective)
        program = scores.target_of(pid, spec.kpi)
        if planned is not None:
            target, source = planned[0], TargetSource.PLAN
            status = _judge(actual, target, elapsed)
        elif program is not None:
            target, source = program.value, TargetSource.PROGRAM
            kpi = scores.plan.by_name.get(spec.kpi)
            status = rag_status(
                actual,
                program,
                elapsed=elapsed,
                paced=kpi.paced if kpi is not None else True,
                higher_is_better=kpi.higher_is_better if kpi is not None else True,
            )
        else:
            target, source, status = None, TargetSource.NONE, _NO_STATUS
        criteria.append(Criterion(spec.key, spec.area, actual, target, source, status))

    summaries = tuple(
        PlanSummary(plan.id, plan.name, plan.kind, plan.status, progress.completion, progress.rag)
        for plan, progress in mine
    )
    if summaries:
        completion = (sum((s.completion for s in summaries), Decimal(0)) / len(summaries)).quantize(
            _CENT, ROUND_HALF_UP
        )
        status = _judge(completion, _HUNDRED, _elapsed(year.start, year.end, as_of))
        criteria.append(
            Criterion(
                "plan_completion",
                DashboardArea.PLANS,
                completion,
                _HUNDRED,
                TargetSource.PLAN,
                status,
            )
        )
    else:
        criteria.append(
            Criterion(
                "plan_completion", DashboardArea.PLANS, None, None, TargetSource.NONE, _NO_STATUS
            )
        )

    # Secondary views.
    quarter_targets = plan_targets.get(ObjectiveKind.NEW_ARR, (None, ()))[1]
    quarters = []
    for i, quarter in enumerate(year.quarters):
        arr = figures.quarter_arr(pid, i)
        new, upsell = arr if arr is not None else (None, None)
        target = quarter_targets[i] if i < len(quarter_targets) else None
        money_target = target if isinstance(target, Money) else None
        status = (
            _judge(new, money_target, _elapsed(quarter.start, quarter.end, as_of))
            if new is not None
            else _NO_STATUS
        )
        quarters.append(
            QuarterArr(f"q{i + 1}", quarter.start, quarter.end, new, upsell, money_target, status)
        )

    counts: dict[Stage, int] = {}
    values: dict[Stage, Money] = {}
    reasons: dict[str, int] = {}
    for registration in registrations:
        if registration.partner_id != pid:
            continue
        if not year.start <= registration.registered_at.date() <= as_of:
            continue
        stage = registration.stage
        counts[stage] = counts.get(stage, 0) + 1
        value = registration.form.opportunity.projected_value
        if value.currency == currency:
            values[stage] = values.get(stage, zero) + value
        if stage is Stage.DECLINED:
            reasons[registration.closing_reason] = reasons.get(registration.closing_reason, 0) + 1
    stages = tuple(
        StageCount(stage, counts[stage], values.get(stage, zero))
        for stage in Stage
        if stage in counts
    )
    declines = tuple(
        DeclineCount(reason, n)
        for reason, n in sorted(reasons.items(), key=lambda r: (-r[1], r[0]))
    )

    names: dict[str, str] = {}
    ordered: dict[str, int] = {}
    first: dict[str, str] = {}
    for order in orders:
        if order.partner_id != pid or order.status is not OrderStatus.SUBMITTED:
            continue
        for sku in sorted({line.sku for line in order.lines} & settings.service_skus):
            names.setdefault(sku, next(line.name for line in order.lines if line.sku == sku))
            ordered[sku] = ordered.get(sku, 0) + 1
            first[sku] = min(first.get(sku, order.number), order.number)
    services = tuple(
        ServiceBought(sku, names[sku], ordered[sku], first[sku]) for sku in sorted(names)
    )

    base = zero
    renewals = []
    horizon = max(settings.renewal_horizons)
    for subscription in subscriptions:
        if subscription.partner_id != pid or subscription.currency != currency:
            continue
        if subscription.term_start <= year.start <= subscription.term_end:
            base = base + _annual(subscription, currency)
        days_left = (subscription.term_end - as_of).days
        if show_renewals and 0 <= days_left <= horizon:
            renewals.append(
                RenewalDue(
                    subscription.id,
                    subscription.prospect_id,
                    subscription.term_end,
                    days_left,
                    _annual(subscription, currency),
                )
            )
    renewals.sort(key=lambda r: (r.term_end, r.subscription_id))

    return PartnerDashboard(
        pid,
        partner.name,
        as_of,
        year.year,
        year.start,
        year.end,
        currency,
        tuple(criteria),
        base,
        tuple(quarters),
        stages,
        declines,
        tuple(certified),
        summaries,
        services,
        tuple(renewals),
    )
