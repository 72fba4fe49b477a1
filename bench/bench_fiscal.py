"""partnerkit.fiscal against fiscalyear and pandas: date -> (fiscal year, quarter[, period]).

Every case maps the same seeded random dates (2000 to 2040) with the peer and
with partnerkit in one run, checks that both agree on every date, then times
both. The fiscal definitions match: a July start named by the end year is
fiscalyear's ``start_year="previous", start_month=7`` and pandas' ``Q-JUN``;
the week calendar ending on the last Saturday of September with the 53rd
week in Q1 is pandas' ``FY5253Quarter(weekday=5, startingMonth=9,
qtr_with_extra_week=1, variation="last")``.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import date

from _harness import best_seconds, report

from partnerkit.fiscal import FiscalQuarter, MonthlyFiscalCalendar, WeekFiscalCalendar

SEED = 20261123
FIRST = date(2000, 1, 1).toordinal()
LAST = date(2040, 12, 31).toordinal()


def sample(count: int) -> list[date]:
    rng = random.Random(SEED)
    return [date.fromordinal(rng.randint(FIRST, LAST)) for _ in range(count)]


def agree(case: str, peer: Sequence[tuple[int, ...]], ours: Sequence[tuple[int, ...]]) -> None:
    if peer != ours:
        bad = next(i for i, (a, b) in enumerate(zip(peer, ours, strict=True)) if a != b)
        raise SystemExit(
            f"{case}: peer and partnerkit disagree at item {bad}: {peer[bad]} != {ours[bad]}"
        )


def ours_quarters(
    quarter_of: Callable[[date], FiscalQuarter], days: list[date]
) -> Callable[[], list[tuple[int, int]]]:
    """partnerkit's scalar case: ``quarter_of`` on each day, kept as (fiscal year, quarter)."""

    def run() -> list[tuple[int, int]]:
        out = []
        for d in days:
            q = quarter_of(d)
            out.append((q.year, q.quarter))
        return out

    return run


def import_time() -> None:
    def run(code: str) -> Callable[[], object]:
        return lambda: subprocess.run([sys.executable, "-c", code], check=True)

    empty = best_seconds(run("pass"), repeats=7)
    core = best_seconds(run("import partnerkit.core"), repeats=7)
    fiscal = best_seconds(run("import partnerkit.fiscal"), repeats=7)
    print(
        f"{'import partnerkit.fiscal (fresh interpreter)':<48} {(fiscal - empty) * 1000:8.1f} ms"
        f"   of which partnerkit.core {(core - empty) * 1000:6.1f} ms   budget 150 ms",
        flush=True,
    )


def main() -> None:
    import fiscalyear
    import pandas as pd

    dates = sample(100_000)
    monthly = MonthlyFiscalCalendar(7)  # FY named by its end year: FY2027 = Jul 2026 - Jun 2027

    # -- monthly scalar vs fiscalyear -----------------------------------------------------
    fiscalyear.setup_fiscal_calendar(start_year="previous", start_month=7, start_day=1)
    fiscal_date = fiscalyear.FiscalDate

    def peer_fiscalyear() -> list[tuple[int, int]]:
        out = []
        for d in dates:
            fd = fiscal_date(d.year, d.month, d.day)
            out.append((fd.fiscal_year, fd.fiscal_quarter))
        return out

    ours_scalar = ours_quarters(monthly.quarter_of, dates)

    agree("monthly vs fiscalyear", peer_fiscalyear(), ours_scalar())
    report(
        "monthly quarter_of(date), scalar",
        len(dates),
        "fiscalyear FiscalDate",
        best_seconds(peer_fiscalyear),
        best_seconds(ours_scalar),
    )

    # -- monthly scalar vs pandas Timestamp.to_period ---------------------------------------
    timestamp = pd.Timestamp

    def peer_pandas_scalar() -> list[tuple[int, int]]:
        out = []
        for d in dates:
            p = timestamp(d).to_period("Q-JUN")
            out.append((p.qyear, p.quarter))
        return out

    agree("monthly vs pandas scalar", peer_pandas_scalar(), ours_scalar())
    report(
        "monthly quarter_of(date), scalar",
        len(dates),
        "pandas Timestamp.to_period",
        best_seconds(peer_pandas_scalar),
        best_seconds(ours_scalar),
    )

    # -- week calendar scalar vs pandas FY5253Quarter -----------------------------------------
    few = dates[:3_000]
    week = WeekFiscalCalendar(9, 5, rule="last", pattern="4-4-5", extra_week_quarter=1)
    quarter_end = pd.offsets.FY5253Quarter(
        weekday=5, startingMonth=9, qtr_with_extra_week=1, variation="last"
    )
    year_end = pd.offsets.FY5253(weekday=5, startingMonth=9, variation="last")

    def peer_fy5253() -> list[tuple[int, int]]:
        out = []
        for d in few:
            ts = timestamp(d)
            q_end = quarter_end.rollforward(ts)
            y_end = year_end.rollforward(ts)
            out.append((y_end.year, 4 - round((y_end - q_end).days / 91)))
        return out

    ours_week = ours_quarters(week.quarter_of, few)

    agree("week vs pandas FY5253Quarter", peer_fy5253(), ours_week())
    report(
        "week quarter_of(date), scalar",
        len(few),
        "pandas FY5253Quarter",
        best_seconds(peer_fy5253, repeats=3),
        best_seconds(ours_week),
    )

    # -- bulk: list of dates -> (year, quarter, period) tuples ------------------------------
    def peer_pandas_bulk() -> list[tuple[int, int, int]]:
        index = pd.DatetimeIndex(dates)
        quarters = index.to_period("Q-JUN")
        periods = (index.month - 7) % 12 + 1
        return list(
            zip(quarters.qyear.tolist(), quarters.quarter.tolist(), periods.tolist(), strict=True)
        )

    def ours_bulk() -> list[tuple[int, int, int]]:
        return monthly.map_dates(dates)

    def ours_bulk_cold() -> list[tuple[int, int, int]]:
        return MonthlyFiscalCalendar(7).map_dates(dates)

    agree("bulk vs pandas", peer_pandas_bulk(), ours_bulk())
    agree("bulk (cold) vs pandas", peer_pandas_bulk(), ours_bulk_cold())
    peer_bulk_seconds = best_seconds(peer_pandas_bulk)
    report(
        "bulk map_dates(list), warm calendar",
        len(dates),
        "pandas DatetimeIndex.to_period",
        peer_bulk_seconds,
        best_seconds(ours_bulk),
    )
    report(
        "bulk map_dates(list), new calendar each run",
        len(dates),
        "pandas DatetimeIndex.to_period",
        peer_bulk_seconds,
        best_seconds(ours_bulk_cold),
    )

    import_time()


if __name__ == "__main__":
    main()
