"""The engagement score: weighted, normalized signals, 0-100, with each signal's share."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from operator import mul

import attrs

from partnerkit.core import ErrorCollector, to_decimal
from partnerkit.fiscal import FiscalCalendar
from partnerkit.scoring._engine import KpiValues, ScoringPlan
from partnerkit.scoring._kpis import BUILTIN_KPIS, CustomKpi, Kpi
from partnerkit.scoring._status import Target

__all__ = [
    "DEFAULT_ENGAGEMENT_MODEL",
    "NORMALIZATIONS",
    "EngagementModel",
    "EngagementScore",
    "EngagementTable",
    "Signal",
    "SignalContribution",
    "percentile_ranks",
    "score_engagement",
]

#: How a signal's raw value becomes a 0..1 share: ``cap`` (value / target, at most 1),
#: ``minmax`` (between the ecosystem's least and greatest), ``percentile`` (the share of
#: other partners strictly below), ``log`` (ln(1 + value) / ln(1 + target or ecosystem max)).
NORMALIZATIONS = ("cap", "minmax", "percentile", "log")

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_NORMAL = Decimal("0.0001")
_ZERO = Decimal(0)
_ONE = Decimal(1)


def _optional_decimal(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value, "target")


@attrs.frozen
class Signal:
    """One input of the engagement score: a KPI, how to normalize it, and its weight.

    ``weight`` is a positive Decimal (weights are relative). ``target`` is
    required for ``cap`` and optional for ``log``. ``half_life_days`` turns
    on recency decay: each activity then counts 2^(-age/half-life), so a
    login today weighs twice one ``half_life_days`` ago (only for count,
    sum and revenue KPIs). Raises
    :class:`~partnerkit.core.errors.ValidationError` naming every bad field.
    """

    name: str
    kpi: str
    weight: Decimal = attrs.field(converter=to_decimal)
    normalization: str = "cap"
    target: Decimal | None = attrs.field(default=None, converter=_optional_decimal)
    half_life_days: int | None = None

    def __attrs_post_init__(self) -> None:
        errors = ErrorCollector()
        if not isinstance(self.name, str) or not self.name:
            errors.add("name", "required", "a signal needs a name")
        if not isinstance(self.kpi, str) or not self.kpi:
            errors.add("kpi", "required", "a signal names its KPI")
        if self.weight <= 0:
            errors.add("weight", "out_of_range", "a weight must be above zero")
        if self.normalization not in NORMALIZATIONS:
            errors.add(
                "normalization",
                "invalid_choice",
                f"{self.normalization!r} is not one of: {', '.join(NORMALIZATIONS)}",
            )
        if self.target is not None and self.target <= 0:
            errors.add("target", "out_of_range", "a target must be above zero")
        elif self.target is None and self.normalization == "cap":
            errors.add("target", "required", "cap normalization needs a target")
        days = self.half_life_days
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
            errors.add("half_life_days", "out_of_range", "a half-life is a whole number >= 1")
        errors.raise_if_any()


@attrs.frozen
class SignalContribution:
    """How one signal fed a partner's score.

    ``value`` is the raw (possibly decayed) KPI value, ``normalized`` its
    0..1 share (4 places), ``points`` what it adds to the 0-100 score (0.01;
    the points of a score add up to it exactly).
    """

    signal: str
    kpi: str
    value: Decimal
    normalized: Decimal
    weight: Decimal
    points: Decimal


@attrs.frozen
class EngagementScore:
    """A partner's engagement score, 0-100 rounded half-up to 0.01, with its breakdown."""

    score: Decimal
    contributions: tuple[SignalContribution, ...]

    def explain(self) -> str:
        """One line per signal, largest share first: what a partner manager reads out."""
        lines = [f"engagement {self.score} / 100"]
        for part in sorted(self.contributions, key=lambda c: (-c.points, c.signal)):
            lines.append(
                f"  {part.signal}: {part.points} points "
                f"({part.kpi} = {part.value.normalize():f}, {part.normalized * 100:.0f} %)"
            )
        return "\n".join(lines)


@attrs.frozen
class EngagementModel:
    """The scoring section of a Program: KPI definitions, engagement signals, RAG targets.

    ``kpis`` default to :data:`~partnerkit.scoring.BUILTIN_KPIS`; every
    signal and target must name one of them (or a custom KPI given to
    :meth:`plan`). Raises :class:`~partnerkit.core.errors.ValidationError`
    for duplicate or unknown names.
    """

    signals: tuple[Signal, ...]
    kpis: tuple[Kpi, ...] = BUILTIN_KPIS
    targets: tuple[Target, ...] = ()

    def __attrs_post_init__(self) -> None:
        errors = ErrorCollector()
        if not self.signals:
            errors.add("signals", "required", "the model needs at least one signal")
        names = [k.name for k in self.kpis]
        seen: set[str] = set()
        for i, signal in enumerate(self.signals):
            if signal.name in seen:
                errors.add(f"signals.{i}.name", "duplicate", f"{signal.name!r} is used twice")
            seen.add(signal.name)
        seen = set()
        for i, target in enumerate(self.targets):
            if target.kpi in seen:
                errors.add(f"targets.{i}.kpi", "duplicate", f"{target.kpi!r} has two targets")
            seen.add(target.kpi)
        for i, kpi in enumerate(self.kpis):
            if names.index(kpi.name) != i:
                errors.add(f"kpis.{i}.name", "duplicate", f"{kpi.name!r} is defined twice")
        errors.raise_if_any()

    def plan(
        self,
        *,
        calendar: FiscalCalendar,
        as_of: date,
        currency: str,
        custom: Sequence[CustomKpi] = (),
        tz: str = "UTC",
    ) -> ScoringPlan:
        """A :class:`~partnerkit.scoring.ScoringPlan` for this model's KPIs and decayed signals.

        Raises :class:`~partnerkit.core.errors.ValidationError` when a signal
        or target names a KPI that neither the model nor ``custom`` defines.
        """
        errors = ErrorCollector()
        known = {k.name for k in self.kpis} | {c.name for c in custom}
        for i, signal in enumerate(self.signals):
            if signal.kpi not in known:
                errors.add(f"signals.{i}.kpi", "unknown", f"no KPI named {signal.kpi!r}")
        for i, target in enumerate(self.targets):
            if target.kpi not in known:
                errors.add(f"targets.{i}.kpi", "unknown", f"no KPI named {target.kpi!r}")
        errors.raise_if_any()
        decayed = list(
            dict.fromkeys(
                (s.kpi, s.half_life_days) for s in self.signals if s.half_life_days is not None
            )
        )
        return ScoringPlan(
            calendar=calendar,
            as_of=as_of,
            currency=currency,
            kpis=self.kpis,
            custom=custom,
            decayed=[(k, h) for k, h in decayed if h is not None],
            tz=tz,
        )


def percentile_ranks(values: Sequence[Decimal] | Sequence[int]) -> list[Decimal]:
    """Each value's percentile rank: the share of the other values strictly below it, 0..1.

    Equal values share a rank; a larger value always ranks strictly higher.
    A single value ranks 1.

    >>> [str(r.quantize(Decimal("0.01"))) for r in percentile_ranks([5, 1, 5, 9])]
    ['0.33', '0.00', '0.33', '1.00']
    """
    n = len(values)
    if n <= 1:
        return [_ONE] * n
    ordered = sorted(values)
    others = Decimal(n - 1)
    return [Decimal(bisect_left(ordered, v)) / others for v in values]


def _ln1p_table(values: list[Decimal]) -> dict[Decimal, Decimal]:
    # Counts repeat a lot: compute each logarithm once.
    return {v: (v + 1).ln() for v in set(values)}


def _normalize(signal: Signal, raw: list[Decimal]) -> list[Decimal]:
    kind = signal.normalization
    values = [v if v > 0 else _ZERO for v in raw]
    if kind == "percentile":
        return percentile_ranks(raw)
    if kind == "cap":
        assert signal.target is not None
        target = signal.target
        return [_ONE if v >= target else v / target for v in values]
    if kind == "minmax":
        low, high = min(raw, default=_ZERO), max(raw, default=_ZERO)
        if high == low:
            return [_ONE if high > 0 else _ZERO for _ in raw]
        span = high - low
        return [(v - low) / span for v in raw]
    top = signal.target if signal.target is not None else max(values, default=_ZERO)
    if top <= 0:
        return [_ZERO for _ in values]
    logs = _ln1p_table(values)
    denominator = (top + 1).ln()
    return [_ONE if v >= top else logs[v] / denominator for v in values]


def _allocate(exact: list[Decimal], total: Decimal) -> list[Decimal]:
    """Round ``exact`` to hundredths so they add up to ``total`` (largest remainders first)."""
    floors = [e.quantize(_CENT, ROUND_FLOOR) for e in exact]
    missing = int(((total - sum(floors, _ZERO)) / _CENT).to_integral_value())
    if missing > 0:
        order = sorted(range(len(exact)), key=lambda i: (floors[i] - exact[i], i))
        for i in order[:missing]:
            floors[i] += _CENT
    return floors


class EngagementTable:
    """Every partner's engagement score, computed column by column; breakdowns on demand.

    ``scores[i]`` belongs to ``values.partners[i]``. Building the per-signal
    breakdown of 100,000 partners up front would cost more than scoring
    them, so :meth:`breakdown` makes one when asked.
    """

    def __init__(self, model: EngagementModel, values: KpiValues) -> None:
        self.model = model
        self.partners = values.partners
        total_weight = sum((s.weight for s in model.signals), _ZERO)
        self._shares = [s.weight * _HUNDRED / total_weight for s in model.signals]
        self._raw: list[list[Decimal]] = []
        self._normalized: list[list[Decimal]] = []
        for signal in model.signals:
            if signal.half_life_days is not None:
                raw = values.decayed(signal.kpi, signal.half_life_days)
            else:
                raw = values.numbers(signal.kpi)
            self._raw.append(raw)
            self._normalized.append(
                [n.quantize(_NORMAL, ROUND_HALF_UP) for n in _normalize(signal, raw)]
            )
        shares = self._shares
        self.scores: list[Decimal] = [
            sum(map(mul, shares, row), _ZERO).quantize(_CENT, ROUND_HALF_UP)
            for row in zip(*self._normalized, strict=True)
        ]

    def breakdown(self, index: int) -> EngagementScore:
        """The :class:`EngagementScore` of the partner at ``index``, with every signal's points."""
        model = self.model
        exact = [
            share * col[index] for share, col in zip(self._shares, self._normalized, strict=True)
        ]
        score = self.scores[index]
        points = _allocate(exact, score)
        return EngagementScore(
            score,
            tuple(
                SignalContribution(
                    s.name,
                    s.kpi,
                    self._raw[i][index],
                    self._normalized[i][index],
                    s.weight,
                    points[i],
                )
                for i, s in enumerate(model.signals)
            ),
        )


def score_engagement(model: EngagementModel, values: KpiValues) -> list[EngagementScore]:
    """Score every partner of ``values`` (in its ``partners`` order) with ``model``.

    Each score is 0-100, rounded half-up to 0.01, and its signals' points
    add up to it exactly.
    """
    table = EngagementTable(model, values)
    return [table.breakdown(i) for i in range(len(table.partners))]


#: A default model: portal logins, content, communications, deal registrations
#: (recency-weighted, half-life 30 days), certified users and sourced revenue.
DEFAULT_ENGAGEMENT_MODEL = EngagementModel(
    signals=(
        Signal("logins", "logins_90d", Decimal(20), "cap", Decimal(60)),
        Signal("content", "content_views_90d", Decimal(15), "percentile"),
        Signal("communications", "communications_90d", Decimal(10), "log", Decimal(30)),
        Signal("deal_activity", "deals_registered_ytd", Decimal(25), "minmax", None, 30),
        Signal("certified_users", "certified_users", Decimal(15), "cap", Decimal(3)),
        Signal("sourced_revenue", "sourced_revenue_ytd", Decimal(15), "percentile"),
    )
)
