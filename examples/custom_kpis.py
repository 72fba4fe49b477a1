"""Two custom KPIs scored by the batch engine next to the built-in ones.

- ``active_days_qtd``: on how many distinct days a partner did anything this
  quarter (a set of day ordinals per partner, merged by union);
- ``large_wins_ytd``: deals won this fiscal year worth at least 50,000 (a
  count per partner, merged by addition).

Both follow partnerkit.scoring.CustomKpi: start/add/merge/value on immutable
per-partner states, so partitions scored apart merge exactly.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from partnerkit.core import Money
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.scoring import (
    DEFAULT_ENGAGEMENT_MODEL,
    Activity,
    CustomKpi,
    EcosystemScores,
    EngagementModel,
    MetricValue,
    Target,
    Window,
)


class ActiveDays:
    """Distinct days with any activity in the quarter to date."""

    name = "active_days_qtd"
    window = Window.quarter_to_date()
    paced = True

    def start(self) -> frozenset[int]:
        return frozenset()

    def add(self, state: frozenset[int], row: tuple[Any, ...]) -> frozenset[int]:
        return state | {row[2]}  # row = (partner, kind, day ordinal, amount, user, detail)

    def merge(self, left: frozenset[int], right: frozenset[int]) -> frozenset[int]:
        return left | right

    def value(self, state: frozenset[int], currency: str) -> MetricValue | None:
        return len(state)


class LargeWins:
    """Deals won in the fiscal year to date worth at least ``threshold`` (in minor units)."""

    name = "large_wins_ytd"
    window = Window.year_to_date()
    paced = True

    def __init__(self, threshold_minor_units: int) -> None:
        self.threshold = threshold_minor_units

    def start(self) -> int:
        return 0

    def add(self, state: int, row: tuple[Any, ...]) -> int:
        kind, amount = row[1], row[3]
        return state + (kind == "deal_won" and amount is not None and amount >= self.threshold)

    def merge(self, left: int, right: int) -> int:
        return left + right

    def value(self, state: int, currency: str) -> MetricValue | None:
        return state


def main() -> None:
    as_of = date(2026, 8, 20)
    calendar = MonthlyFiscalCalendar(start_month=7)  # FY2027 starts on 1 July 2026

    def at(days_ago: int) -> datetime:
        day = as_of - timedelta(days=days_ago)
        return datetime(day.year, day.month, day.day, 15, tzinfo=timezone.utc)

    activities = [
        Activity("northwind", "login", at(1), "ana"),
        Activity("northwind", "login", at(1), "ben"),
        Activity("northwind", "content_view", at(3), "ana"),
        Activity("northwind", "deal_won", at(10), amount=Money("80000", "EUR")),
        Activity("northwind", "deal_won", at(12), amount=Money("9000", "EUR")),
        Activity("contoso", "login", at(2), "cy"),
        Activity("contoso", "deal_won", at(60), amount=Money("120000", "EUR")),  # last FY
    ]
    model = EngagementModel(
        DEFAULT_ENGAGEMENT_MODEL.signals,
        targets=(Target("active_days_qtd", 30), Target("large_wins_ytd", 4)),
    )
    custom: list[CustomKpi] = [ActiveDays(), LargeWins(threshold_minor_units=50_000_00)]
    plan = model.plan(calendar=calendar, as_of=as_of, currency="EUR", custom=custom)

    # Score two partitions separately (two shards, two processes, ...) and merge them.
    tally = plan.tally(activities[:3]).merge(plan.tally(activities[3:]))
    scores = EcosystemScores(tally, model)
    for card in scores.scorecards():
        for name in ("active_days_qtd", "large_wins_ytd"):
            result = card.kpi(name)
            status = result.status.label("en") if result.status else "-"
            print(
                f"{card.partner_id:<10} {name:<16} {result.value!s:>3}  "
                f"target {result.target}  pace {result.pace} %  {status}"
            )


if __name__ == "__main__":
    main()
