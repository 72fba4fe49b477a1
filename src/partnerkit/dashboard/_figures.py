"""The batch engine's output a dashboard reads: year-to-date scores and each quarter's ARR."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs

from partnerkit.core import Money
from partnerkit.fiscal import FiscalCalendar, FiscalYear
from partnerkit.scoring import (
    BUILTIN_KPIS,
    DEFAULT_ENGAGEMENT_MODEL,
    Activity,
    EcosystemScores,
    EngagementModel,
    Kpi,
    KpiValues,
    Signal,
    Window,
    activity_row,
    score_ecosystem,
)

__all__ = ["DASHBOARD_KPIS", "DashboardFigures", "dashboard_model"]

#: The KPIs (of :data:`~partnerkit.scoring.BUILTIN_KPIS`) a dashboard reads; a program's
#: model that lacks one gets the built-in definition (:func:`dashboard_model`).
DASHBOARD_KPIS: tuple[str, ...] = (
    "new_arr_ytd",
    "upsell_arr_ytd",
    "sourced_revenue_ytd",
    "deals_registered_ytd",
    "deals_approved_ytd",
    "deals_declined_ytd",
    "certified_users",
    "certifications_ytd",
    "trainings_ytd",
)

_BUILTIN = {k.name: k for k in BUILTIN_KPIS}

#: The quarter pass: new and upsell ARR of the quarter to date (to its end once over).
_QUARTER_MODEL = EngagementModel(
    signals=(Signal("quarter", "quarter_activities", 1, "log"),),
    kpis=(
        Kpi("new_arr_qtd", "new_arr", Window("qtd")),
        Kpi("upsell_arr_qtd", "upsell_arr", Window("qtd")),
        Kpi("quarter_activities", "count", Window("qtd")),
    ),
)


def dashboard_model(model: EngagementModel = DEFAULT_ENGAGEMENT_MODEL) -> EngagementModel:
    """``model`` with every KPI of :data:`DASHBOARD_KPIS` it lacks, as partnerkit defines it.

    The program's own definitions, signals and targets are kept: a program
    that defines ``new_arr_ytd`` its own way is measured its own way.
    """
    names = {k.name for k in model.kpis}
    missing = tuple(_BUILTIN[name] for name in DASHBOARD_KPIS if name not in names)
    if not missing:
        return model
    return attrs.evolve(model, kpis=model.kpis + missing)


@functools.lru_cache(maxsize=256)
def _zero(currency: str) -> Money:
    return Money.zero(currency)


@attrs.frozen(eq=False)
class DashboardFigures:
    """Every partner's dashboard figures as of one day, from the batch engine.

    ``scores`` is the year-to-date scoring pass (the program's model with
    :data:`DASHBOARD_KPIS`, its targets included); ``quarters`` holds, for
    each quarter of the fiscal year begun by ``as_of``, the pass that
    measured its new and upsell ARR (KPIs ``new_arr_qtd``,
    ``upsell_arr_qtd``). Build it with :meth:`compute`, or from passes a
    host ran itself (on Dask, say) and merged.
    """

    scores: EcosystemScores
    quarters: tuple[KpiValues, ...]
    year: FiscalYear
    as_of: date
    currency: str

    @classmethod
    def compute(
        cls,
        activities: Iterable[Activity],
        *,
        calendar: FiscalCalendar,
        as_of: date,
        currency: str,
        tz: str = "UTC",
        model: EngagementModel = DEFAULT_ENGAGEMENT_MODEL,
        partners: Iterable[str] = (),
    ) -> DashboardFigures:
        """Score ``activities`` for the year to date and for each quarter begun by ``as_of``.

        Every activity is converted to the engine's row once and counted
        by each pass (one pass a quarter: at most five in all). ``partners``
        are scored even without activities. Bad activities are the
        :class:`~partnerkit.core.errors.ValidationError` of
        :func:`~partnerkit.scoring.score_ecosystem`.
        """
        year = calendar.year_of(as_of)
        rows: list[tuple[Any, ...]] = [activity_row(a, tz, currency) for a in activities]
        wanted = tuple(partners)
        scores = score_ecosystem(
            rows,
            calendar=calendar,
            as_of=as_of,
            currency=currency,
            model=dashboard_model(model),
            partners=wanted,
            tz=tz,
        )
        everyone = scores.partners
        quarters = tuple(
            score_ecosystem(
                rows,
                calendar=calendar,
                as_of=min(as_of, quarter.end),
                currency=currency,
                model=_QUARTER_MODEL,
                partners=everyone,
                tz=tz,
            ).values
            for quarter in year.quarters
            if quarter.start <= as_of
        )
        return cls(scores, quarters, year, as_of, currency)

    @property
    def partners(self) -> tuple[str, ...]:
        """The partners scored."""
        return self.scores.partners

    def quarter_arr(self, partner_id: str, index: int) -> tuple[Money, Money] | None:
        """New and upsell ARR of quarter ``index`` (0-3) for a partner; None before it began."""
        if index >= len(self.quarters):
            return None
        values = self.quarters[index]
        zero = _zero(self.currency)
        if partner_id not in values.index:
            return zero, zero
        new = values.value(partner_id, "new_arr_qtd")
        upsell = values.value(partner_id, "upsell_arr_qtd")
        return (
            new if isinstance(new, Money) else zero,
            upsell if isinstance(upsell, Money) else zero,
        )
