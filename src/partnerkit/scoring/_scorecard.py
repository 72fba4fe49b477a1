"""Scorecards: each partner's KPI values, targets, RAG, engagement, rank and percentile."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import UnionType
from typing import Any, Union, get_args, get_origin

import attrs

from partnerkit.core import ErrorCollector, Money, converter
from partnerkit.core._context import isolated
from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import FiscalCalendar
from partnerkit.scoring._activities import Activity
from partnerkit.scoring._engagement import (
    DEFAULT_ENGAGEMENT_MODEL,
    EngagementModel,
    EngagementScore,
    EngagementTable,
    percentile_ranks,
)
from partnerkit.scoring._kpis import CustomKpi, MetricValue
from partnerkit.scoring._plan import ScoringPlan
from partnerkit.scoring._status import Rag, Target, rag_status, target_problems
from partnerkit.scoring._tally import Tally
from partnerkit.scoring._values import KpiValues

__all__ = ["EcosystemScores", "KpiResult", "Scorecard", "score_ecosystem"]

_CENT = Decimal("0.01")


@attrs.frozen
class KpiResult:
    """One KPI on a scorecard: its value over ``start``..``end``, target, attainment and RAG.

    ``attainment`` and ``pace`` are percentages (see
    :func:`~partnerkit.scoring.rag_status`); they and ``status`` are None
    without a target or a value.
    """

    name: str
    value: MetricValue | None
    start: date
    end: date
    target: MetricValue | None = None
    attainment: Decimal | None = None
    pace: Decimal | None = None
    status: Rag | None = None


@attrs.frozen
class Scorecard:
    """A partner's scorecard on ``as_of``: what the nightly dashboard shows.

    ``rank`` is 1 for the most engaged partner (ties share a rank),
    ``percentile`` the percentage of the other ``partners`` with a lower
    engagement score (0.01).
    """

    partner_id: str
    as_of: date
    currency: str
    kpis: tuple[KpiResult, ...]
    engagement: EngagementScore
    rank: int
    percentile: Decimal
    partners: int

    def kpi(self, name: str) -> KpiResult:
        """The result of KPI ``name``; an unknown name is a ValidationError."""
        for result in self.kpis:
            if result.name == name:
                return result
        raise ValidationError.single("name", "unknown", f"no KPI named {name!r}")

    def metrics(self) -> dict[str, MetricValue]:
        """The plain metric mapping tier evaluation reads.

        Every KPI with a value, plus ``engagement_score``,
        ``engagement_rank`` and ``engagement_percentile``.
        """
        found: dict[str, MetricValue] = {r.name: r.value for r in self.kpis if r.value is not None}
        found["engagement_score"] = self.engagement.score
        found["engagement_rank"] = self.rank
        found["engagement_percentile"] = self.percentile
        return found


def _ranks(scores: Sequence[Decimal] | Sequence[int]) -> list[int]:
    ordered = sorted(scores, reverse=True)
    first: dict[Any, int] = {}
    for i, score in enumerate(ordered):
        first.setdefault(score, i + 1)
    return list(map(first.__getitem__, scores))


class EcosystemScores:
    """Every partner's KPI values, engagement score, rank and scorecard from one tally.

    Build it from a (possibly merged) :class:`~partnerkit.scoring.Tally`
    with the model whose :meth:`~EngagementModel.plan` made the tally's plan
    (:data:`~partnerkit.scoring.DEFAULT_ENGAGEMENT_MODEL` when None).
    ``partner_targets`` override the model's targets per partner. A target
    of an unknown KPI, a plain target of a money KPI (or a Money target of
    another), or a Money target not in the plan's currency is a
    :class:`~partnerkit.core.errors.ValidationError`
    (``partner_targets.<partner>.<i>.value``, ``model.targets.<i>.value``).
    """

    @isolated
    def __init__(
        self,
        tally: Tally,
        model: EngagementModel | None = None,
        *,
        partner_targets: Mapping[str, Iterable[Target]] | None = None,
    ) -> None:
        self._check(tally.plan, model, partner_targets)
        self._score(self.plan.evaluate(tally))

    @classmethod
    @isolated
    def _of_values(
        cls,
        values: KpiValues,
        model: EngagementModel | None = None,
        *,
        partner_targets: Mapping[str, Iterable[Target]] | None = None,
    ) -> EcosystemScores:
        """The scores of KPI values already made (joined from partner shards, say)."""
        scores: EcosystemScores = object.__new__(cls)
        scores._check(values.plan, model, partner_targets)
        scores._score(values)
        return scores

    def _check(
        self,
        plan: ScoringPlan,
        model: EngagementModel | None,
        partner_targets: Mapping[str, Iterable[Target]] | None,
    ) -> None:
        """Keep the plan, model and targets, every bad target reported at once."""
        self.plan: ScoringPlan = plan
        model = DEFAULT_ENGAGEMENT_MODEL if model is None else model
        self.model = model
        names = set(self.plan.by_name) | {c.name for c in self.plan.custom}
        given = {pid: list(targets) for pid, targets in (partner_targets or {}).items()}
        errors = ErrorCollector()
        # The model's targets were checked by its plan(); a tally from another plan may
        # still score in another currency.
        for i, target in enumerate(model.targets):
            kpi = self.plan.by_name.get(target.kpi)
            target_problems(errors.add, f"model.targets.{i}", target, kpi, self.plan.currency)
        for pid, targets in given.items():
            for i, target in enumerate(targets):
                path = f"partner_targets.{pid}.{i}"
                if target.kpi not in names:
                    errors.add(f"{path}.kpi", "unknown", f"no KPI {target.kpi!r}")
                    continue
                kpi = self.plan.by_name.get(target.kpi)
                target_problems(errors.add, path, target, kpi, self.plan.currency)
        errors.raise_if_any()
        self._targets = {t.kpi: t for t in model.targets}
        self._partner_targets = {pid: {t.kpi: t for t in ts} for pid, ts in given.items()}

    def _score(self, values: KpiValues) -> None:
        """Engagement scores, ranks and percentiles of ``values``."""
        self.values: KpiValues = values
        self.engagement = EngagementTable(self.model, self.values)
        # Integer hundredths order like the scores themselves and sort faster.
        hundredths = self.engagement._hundredths
        scores: Sequence[Decimal] | Sequence[int] = (
            self.engagement.scores if hundredths is None else hundredths
        )
        self.ranks = _ranks(scores)
        ranks = percentile_ranks(scores)
        percent = {p: (p * 100).quantize(_CENT, ROUND_HALF_UP) for p in set(ranks)}
        self.percentiles = list(map(percent.__getitem__, ranks))

    @property
    def partners(self) -> tuple[str, ...]:
        """The partners scored, in the order they were first seen."""
        return self.values.partners

    def target_of(self, partner_id: str, kpi: str) -> Target | None:
        """The target of KPI ``kpi`` for a partner: its own, else the model's, else None."""
        own = self._partner_targets.get(partner_id)
        if own is not None and kpi in own:
            return own[kpi]
        return self._targets.get(kpi)

    @isolated
    def scorecard(self, partner_id: str) -> Scorecard:
        """The scorecard of one partner; an unknown partner is a ValidationError."""
        if partner_id not in self.values.index:
            raise ValidationError.single("partner_id", "unknown", f"no partner {partner_id!r}")
        p = self.values.index[partner_id]
        plan = self.plan
        targets = {**self._targets, **self._partner_targets.get(partner_id, {})}
        results = []
        for kpi in plan.kpis:
            value = self.values.value(partner_id, kpi.name)
            span = plan.kpi_span[kpi.name]
            target = targets.get(kpi.name)
            if target is None:
                results.append(KpiResult(kpi.name, value, span.start, span.end))
                continue
            status = rag_status(
                value,
                target,
                elapsed=span.elapsed,
                paced=kpi.paced,
                higher_is_better=kpi.higher_is_better,
            )
            results.append(
                KpiResult(
                    kpi.name,
                    value,
                    span.start,
                    span.end,
                    target.value,
                    status.attainment,
                    status.pace,
                    status.rag,
                )
            )
        for _n, extra in enumerate(plan.custom):
            span = extra.window.resolve(plan.calendar, plan.as_of)
            value = self.values.value(partner_id, extra.name)
            target = targets.get(extra.name)
            if target is None:
                results.append(KpiResult(extra.name, value, span.start, span.end))
                continue
            status = rag_status(value, target, elapsed=span.elapsed, paced=extra.paced)
            results.append(
                KpiResult(
                    extra.name,
                    value,
                    span.start,
                    span.end,
                    target.value,
                    status.attainment,
                    status.pace,
                    status.rag,
                )
            )
        return Scorecard(
            partner_id,
            plan.as_of,
            plan.currency,
            tuple(results),
            self.engagement.breakdown(p),
            self.ranks[p],
            self.percentiles[p],
            len(self.partners),
        )

    def scorecards(self) -> Iterator[Scorecard]:
        """Every partner's scorecard, best rank first (ties by partner id)."""
        order = sorted(range(len(self.partners)), key=lambda p: (self.ranks[p], self.partners[p]))
        for p in order:
            yield self.scorecard(self.partners[p])


@isolated
def score_ecosystem(
    activities: Iterable[Activity | tuple[Any, ...]],
    *,
    calendar: FiscalCalendar,
    as_of: date,
    currency: str,
    model: EngagementModel | None = None,
    custom: Sequence[CustomKpi] = (),
    partners: Iterable[str] = (),
    partner_targets: Mapping[str, Iterable[Target]] | None = None,
    tz: str = "UTC",
    progress: Callable[[int], None] | None = None,
) -> EcosystemScores:
    """Score a whole ecosystem in one pass over ``activities`` (any order).

    ``model`` defaults to :data:`~partnerkit.scoring.DEFAULT_ENGAGEMENT_MODEL`.
    A shortcut for ``model.plan(...)``, ``plan.tally(...)`` and
    :class:`EcosystemScores`; see :class:`~partnerkit.scoring.ScoringPlan`
    for the arguments.
    """
    model = DEFAULT_ENGAGEMENT_MODEL if model is None else model
    plan = model.plan(calendar=calendar, as_of=as_of, currency=currency, custom=custom, tz=tz)
    tally = plan.tally(activities, partners=partners, progress=progress)
    return EcosystemScores(tally, model, partner_targets=partner_targets)


# -- serialization: a KPI value is an int, a Decimal (a string) or Money (a table) -----------


def _structure_metric(value: object, _: object) -> MetricValue | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return converter.structure(value, Money)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        return converter.structure(value, Decimal)
    raise ValidationError.single("", "invalid", "expected an integer, a decimal string or money")


def _structure_target_value(value: object, _: object) -> Decimal | Money:
    if isinstance(value, Mapping):
        return converter.structure(value, Money)
    return converter.structure(value, Decimal)


def _is_union_of(*members: Any) -> Callable[[Any], bool]:
    wanted = frozenset(members)
    return lambda t: get_origin(t) in (Union, UnionType) and frozenset(get_args(t)) == wanted


converter.register_structure_hook_func(_is_union_of(int, Decimal, Money), _structure_metric)
converter.register_structure_hook_func(
    _is_union_of(int, Decimal, Money, type(None)), _structure_metric
)
converter.register_structure_hook_func(_is_union_of(Decimal, Money), _structure_target_value)
