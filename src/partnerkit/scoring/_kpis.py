"""KPI definitions: the built-in measures, the default set, and the protocol for custom KPIs."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import attrs

from partnerkit.core import ErrorCollector, MetricValue
from partnerkit.scoring._activities import ActivityKind
from partnerkit.scoring._windows import Window

__all__ = [
    "BUILTIN_KPIS",
    "MEASURES",
    "CustomKpi",
    "Kpi",
    "MetricValue",
]


#: Measures that add up over time, so their targets are paced by the elapsed window.
_CUMULATIVE = frozenset({"count", "sum", "sourced_revenue", "new_arr", "upsell_arr"})
#: Measures where a smaller value is better.
_LOWER_IS_BETTER = frozenset({"median_days_to_approval"})

#: The built-in measures. ``count`` and ``sum`` (of amounts) read ``kinds``
#: (``count`` counts every kind when empty); ``yoy_growth`` compares the KPI named by ``of``
#: with the comparable window a fiscal year before; the others are fixed formulas.
MEASURES = (
    "count",
    "sum",
    "distinct_users",
    "sourced_revenue",
    "new_arr",
    "upsell_arr",
    "win_rate",
    "registration_conversion",
    "average_deal_size",
    "median_days_to_approval",
    "certified_users",
    "yoy_growth",
)


def _kinds(value: object) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(v.value if isinstance(v, ActivityKind) else v for v in value)
    return value  # type: ignore[return-value]  # checked in __attrs_post_init__


@attrs.frozen
class Kpi:
    """A built-in KPI: a ``measure`` over a ``window``, named for scorecards and tier criteria.

    Rates (``win_rate``, ``registration_conversion``, ``yoy_growth``) are
    Decimal percentages rounded half-up to 0.01; ``median_days_to_approval``
    is a Decimal number of days; money measures give
    :class:`~partnerkit.core.Money` in the scoring currency (averages rounded
    half-up to the minor unit); counts are ints. A value is ``None`` when it
    is undefined (no decided deals for a win rate). Raises
    :class:`~partnerkit.core.errors.ValidationError` naming every bad field.

    >>> Kpi("logins_90d", "count", Window.trailing(90), kinds=("login",)).paced
    True
    """

    name: str
    measure: str
    window: Window = attrs.field(factory=Window.year_to_date)
    kinds: tuple[str, ...] = attrs.field(default=(), converter=_kinds)
    of: str | None = None

    def __attrs_post_init__(self) -> None:
        errors = ErrorCollector()
        if not isinstance(self.name, str) or not self.name.isidentifier():
            errors.add("name", "invalid", "a KPI name is an identifier (letters, digits, _)")
        if self.measure not in MEASURES:
            errors.add("measure", "invalid_choice", f"{self.measure!r} is not a built-in measure")
        if not isinstance(self.window, Window):
            errors.add("window", "invalid", "expected a Window")
        if not isinstance(self.kinds, tuple) or not all(
            isinstance(k, str) and k for k in self.kinds
        ):
            errors.add("kinds", "invalid", "kinds are non-empty strings")
        elif self.kinds and self.measure not in ("count", "sum"):
            errors.add("kinds", "invalid", f"{self.measure} does not take kinds")
        elif not self.kinds and self.measure == "sum":
            errors.add("kinds", "required", "a sum names the kinds whose amounts it adds")
        if self.measure == "yoy_growth":
            if not isinstance(self.of, str) or not self.of:
                errors.add("of", "required", "yoy_growth names the KPI it compares")
        elif self.of is not None:
            errors.add("of", "invalid", "only yoy_growth takes 'of'")
        errors.raise_if_any()

    @property
    def paced(self) -> bool:
        """Whether the KPI accumulates over its window, so its target is paced."""
        return self.measure in _CUMULATIVE

    @property
    def higher_is_better(self) -> bool:
        """Whether a larger value is better (False for the median time to approval)."""
        return self.measure not in _LOWER_IS_BETTER

    @property
    def is_money(self) -> bool:
        """Whether the KPI's value is Money."""
        return self.measure in (
            "sum",
            "sourced_revenue",
            "new_arr",
            "upsell_arr",
            "average_deal_size",
        )


_YTD = Window.year_to_date()
_T90 = Window.trailing(90)

#: The default KPI set a nightly job scores: the dashboard's ARR, deal and training views
#: for the fiscal year to date, and engagement counts over the trailing 90 days.
BUILTIN_KPIS: tuple[Kpi, ...] = (
    Kpi("logins_90d", "count", _T90, kinds=("login",)),
    Kpi("content_views_90d", "count", _T90, kinds=("content_view",)),
    Kpi("communications_90d", "count", _T90, kinds=("communication", "campaign_engaged")),
    Kpi("active_users_90d", "distinct_users", _T90),
    Kpi("trainings_ytd", "count", _YTD, kinds=("training_completed",)),
    Kpi("certifications_ytd", "count", _YTD, kinds=("certification_earned",)),
    Kpi("certified_users", "certified_users", Window.trailing(730)),
    Kpi("deals_registered_ytd", "count", _YTD, kinds=("deal_registered",)),
    Kpi("deals_approved_ytd", "count", _YTD, kinds=("deal_approved",)),
    Kpi("deals_declined_ytd", "count", _YTD, kinds=("deal_declined",)),
    Kpi("deals_won_ytd", "count", _YTD, kinds=("deal_won",)),
    Kpi("deals_lost_ytd", "count", _YTD, kinds=("deal_lost",)),
    Kpi("sourced_revenue_ytd", "sourced_revenue", _YTD),
    Kpi("new_arr_ytd", "new_arr", _YTD),
    Kpi("upsell_arr_ytd", "upsell_arr", _YTD),
    Kpi("win_rate_ytd", "win_rate", _YTD),
    Kpi("registration_conversion_ytd", "registration_conversion", _YTD),
    Kpi("average_deal_size_ytd", "average_deal_size", _YTD),
    Kpi("median_days_to_approval_ytd", "median_days_to_approval", _YTD),
    Kpi("sourced_revenue_yoy", "yoy_growth", _YTD, of="sourced_revenue_ytd"),
)


@runtime_checkable
class CustomKpi(Protocol):
    """A host's own KPI, scored by the batch engine next to the built-in ones.

    The engine keeps one state per partner (memory bounded by partners, not
    activities): it calls :meth:`start` for a new partner, :meth:`add` for
    each activity row (see :data:`~partnerkit.scoring.ActivityRow`, always the
    6-tuple with the day as an ordinal) whose day falls in :attr:`window`,
    :meth:`merge` to combine the states of two partitions, and :meth:`value`
    at the end. ``merge`` must be associative and commutative, and states
    must not be mutated after being returned (return new ones), so merging
    partial results equals scoring the whole data.
    """

    @property
    def name(self) -> str:
        """The KPI's name (an identifier)."""
        ...

    @property
    def window(self) -> Window:
        """The days whose activities :meth:`add` sees."""
        ...

    @property
    def paced(self) -> bool:
        """Whether the value accumulates over the window (targets are then paced)."""
        ...

    def start(self) -> Any:
        """Return the empty state of a partner."""
        ...

    def add(self, state: Any, row: tuple[Any, ...]) -> Any:
        """Return ``state`` with one more activity row counted."""
        ...

    def merge(self, left: Any, right: Any) -> Any:
        """Return the state of two partitions combined."""
        ...

    def value(self, state: Any, currency: str) -> MetricValue | None:
        """Return the KPI value of a final state (None when undefined).

        Raises:
            ValidationError: the state cannot be evaluated.

        """
        ...
