"""The batch engine against a plain reference written from the KPI definitions.

The reference reads every row one at a time and applies docs/scoring.md
literally; the engine must agree for any subset of KPIs (so any counter
layout), any chunking, any split merged back, rows given as dates or
ordinals, 5- or 6-tuples or Activity objects, and awkward values.
"""

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import partnerkit.scoring._tally as tally_module
from partnerkit.core import Money
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.scoring import (
    NORMALIZATIONS,
    Activity,
    EcosystemScores,
    EngagementModel,
    Kpi,
    ScoringPlan,
    Signal,
    Window,
    activity_row,
)
from partnerkit.scoring._layout import _MAX_DAYS

AS_OF = date(2026, 5, 15)
TODAY = AS_OF.toordinal()
CAL = MonthlyFiscalCalendar(start_month=4)
POOL = (
    Kpi("logins_30d", "count", Window.trailing(30), kinds=("login",)),
    Kpi("logins_qtd", "count", Window.quarter_to_date(), kinds=("login",)),
    Kpi("all_rows_ptd", "count", Window.period_to_date()),
    Kpi("all_rows_year", "count", Window.fiscal_year()),
    Kpi("host_kind_ytd", "count", kinds=("webinar",)),
    Kpi("won_ytd", "count", kinds=("deal_won",)),
    Kpi("lost_ytd", "count", kinds=("deal_lost",)),
    Kpi("approved_qtd", "count", Window.quarter_to_date(), kinds=("deal_approved",)),
    Kpi("certs_ytd", "count", kinds=("certification_earned",)),
    Kpi("paid_logins_ytd", "sum", kinds=("login", "webinar")),
    Kpi("won_amount_30d", "sum", Window.trailing(30), kinds=("deal_won",)),
    Kpi("users_30d", "distinct_users", Window.trailing(30)),
    Kpi("users_ytd", "distinct_users"),
    Kpi("users_quarter", "distinct_users", Window.fiscal_quarter()),
    Kpi("revenue_ytd", "sourced_revenue"),
    Kpi("revenue_qtd", "sourced_revenue", Window.quarter_to_date()),
    Kpi("new_arr_ytd", "new_arr"),
    Kpi("upsell_arr_ytd", "upsell_arr"),
    Kpi("win_rate_ytd", "win_rate"),
    Kpi("win_rate_90d", "win_rate", Window.trailing(90)),
    Kpi("conversion_ytd", "registration_conversion"),
    Kpi("average_ytd", "average_deal_size"),
    Kpi("median_ytd", "median_days_to_approval"),
    Kpi("median_30d", "median_days_to_approval", Window.trailing(30)),
    Kpi("certified_730d", "certified_users", Window.trailing(730)),
    Kpi("certified_ytd", "certified_users"),
    Kpi("revenue_yoy", "yoy_growth", of="revenue_ytd"),
    Kpi("users_yoy", "yoy_growth", of="users_ytd"),
    Kpi("won_yoy", "yoy_growth", of="won_ytd"),
)
BY_NAME = {k.name: k for k in POOL}
KINDS = [
    "login",
    "webinar",
    "deal_registered",
    "deal_approved",
    "deal_won",
    "deal_lost",
    "certification_earned",
    "content_view",
]


def _span(kpi: Kpi, prior: bool = False) -> tuple[int, int]:
    """The days ``kpi`` counts, or the comparable days a fiscal year before."""
    span = kpi.window.comparable(CAL, AS_OF) if prior else kpi.window.resolve(CAL, AS_OF)
    return span.start.toordinal(), span.end.toordinal()


def _pct(numerator: int, denominator: int) -> Decimal | None:
    if denominator == 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )


def _money(units: int) -> Money:
    return Money(Decimal(units).scaleb(-2), "EUR")


def _won(kind: str) -> bool:
    return kind == "deal_won"


def _measure(kpi: Kpi, rows: list[tuple[Any, ...]], prior: bool = False) -> Any:
    """The value of ``kpi`` over one partner's normalized rows, by its definition."""
    if kpi.measure == "yoy_growth":
        base = BY_NAME[kpi.of or ""]
        now, before = _measure(base, rows), _measure(base, rows, prior=True)
        if isinstance(now, Money):
            now, before = now.amount, before.amount
        return None if not before else _pct(now - before, before)
    start, end = _span(kpi, prior)
    inside = [r for r in rows if start <= r[2] <= end]
    won = [r for r in inside if _won(r[1])]
    measure = kpi.measure
    if measure == "count":
        return sum(1 for r in inside if not kpi.kinds or r[1] in kpi.kinds)
    if measure == "sum":
        return _money(sum(r[3] or 0 for r in inside if r[1] in kpi.kinds))
    if measure == "distinct_users":
        return len({r[4] for r in inside if r[4] is not None})
    if measure == "sourced_revenue":
        return _money(sum(r[3] or 0 for r in won))
    if measure == "new_arr":
        return _money(sum(r[3] or 0 for r in won if r[5] != "upsell"))
    if measure == "upsell_arr":
        return _money(sum(r[3] or 0 for r in won if r[5] == "upsell"))
    if measure == "win_rate":
        lost = sum(1 for r in inside if r[1] == "deal_lost")
        return _pct(len(won), len(won) + lost)
    if measure == "registration_conversion":
        return _pct(len(won), sum(1 for r in inside if r[1] == "deal_registered"))
    if measure == "average_deal_size":
        if not won:
            return None
        total = Decimal(sum(r[3] or 0 for r in won))
        return _money(int((total / len(won)).quantize(Decimal(1), ROUND_HALF_UP)))
    if measure == "median_days_to_approval":
        days = sorted(r[5] for r in inside if r[1] == "deal_approved" and r[5] is not None)
        if not days:
            return None
        return Decimal(days[(len(days) - 1) // 2] + days[len(days) // 2]) / 2
    assert measure == "certified_users"
    return len({r[4] for r in inside if r[1] == "certification_earned" and r[4] is not None})


def reference(kpis: tuple[Kpi, ...], rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for partner in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == partner]
        out[partner] = {k.name: _measure(k, mine) for k in kpis}
    return out


def _plain(row: Any) -> tuple[Any, ...]:
    """Any accepted row form -> (partner, kind, ordinal, amount, user, detail)."""
    if isinstance(row, Activity):
        return activity_row(row, "UTC", "EUR")
    day = row[2].toordinal() if isinstance(row[2], date) else row[2]
    return (row[0], row[1], day, row[3], row[4], row[5] if len(row) == 6 else None)


@st.composite
def raw_rows(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(KINDS))
    detail: Any = None
    if kind == "deal_won":
        detail = draw(st.sampled_from(["new", "upsell", None]))
    elif kind == "deal_approved":
        detail = draw(
            st.none() | st.integers(0, 40) | st.sampled_from([(1 << 20) - 1, 1 << 20, _MAX_DAYS])
        )
    partner = draw(st.sampled_from(["p1", "p2", "p3", "p4"]))
    ordinal = TODAY - draw(st.integers(-3, 800))
    amount = draw(st.none() | st.integers(-(10**6), 10**6) | st.just(10**15))
    user = draw(st.none() | st.sampled_from(["u1", "u2", "u3"]))
    form = draw(st.sampled_from(["ordinal", "date", "five", "activity"]))
    if form == "activity" and (amount is None or amount >= 0) and detail is None:
        at = datetime.combine(date.fromordinal(ordinal), datetime.min.time(), timezone.utc)
        money = None if amount is None else Money(Decimal(amount).scaleb(-2), "EUR")
        return Activity(partner, kind, at, user, money)
    if form == "five" and detail is None:
        return (partner, kind, ordinal, amount, user)
    day = date.fromordinal(ordinal) if form == "date" else ordinal
    return (partner, kind, day, amount, user, detail)


@contextmanager
def chunks_of(size: int) -> Iterator[None]:
    saved = tally_module._CHUNK
    tally_module._CHUNK = size
    try:
        yield
    finally:
        tally_module._CHUNK = saved


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(POOL), min_size=1, max_size=8, unique=True),
    st.lists(raw_rows(), max_size=40),
    st.integers(1, 9),
    st.lists(st.integers(0, 40), max_size=3),
)
def test_kpi_values_equal_the_definitions_for_any_plan_chunking_and_split(
    chosen: list[Kpi], rows: list[Any], size: int, cuts: list[int]
) -> None:
    kpis = tuple(chosen)
    for kpi in chosen:
        if kpi.of is not None and BY_NAME[kpi.of] not in kpis:
            kpis += (BY_NAME[kpi.of],)
    plan = ScoringPlan(calendar=CAL, as_of=AS_OF, currency="EUR", kpis=kpis)
    expected = reference(kpis, [_plain(r) for r in rows])
    assert plan.evaluate(plan.tally(rows)).as_dict() == expected
    with chunks_of(size):
        assert plan.evaluate(plan.tally(rows)).as_dict() == expected
        bounds = sorted({0, len(rows), *(min(c, len(rows)) for c in cuts)})
        parts = [plan.tally(rows[a:b]) for a, b in itertools.pairwise(bounds)]
    # Merged in reverse, so the partners of the parts come in different orders.
    merged = plan.tally()
    for part in reversed(parts):
        merged = merged.merge(part)
    assert plan.evaluate(merged).as_dict() == expected


class _RowCount:
    """A custom KPI counting the rows it sees (no built-in counter behind it)."""

    name = "rows_ytd"
    window = Window.year_to_date()
    paced = True

    def start(self) -> int:
        return 0

    def add(self, state: int, row: tuple[Any, ...]) -> int:
        return state + 1

    def merge(self, left: int, right: int) -> int:
        return left + right

    def value(self, state: int, currency: str) -> int:
        return state


def test_plans_whose_kpis_keep_no_counters_still_score_every_partner() -> None:
    rows = [
        ("p1", "login", TODAY, None, "u1", None),
        ("p2", "login", TODAY - 1, None, "u1", None),
        ("p2", "login", TODAY - 2, None, "u2", None),
    ]
    users = ScoringPlan(calendar=CAL, as_of=AS_OF, currency="EUR", kpis=(BY_NAME["users_30d"],))
    assert users.evaluate(users.tally(rows)).as_dict() == {
        "p1": {"users_30d": 1},
        "p2": {"users_30d": 2},
    }
    custom = ScoringPlan(calendar=CAL, as_of=AS_OF, currency="EUR", kpis=(), custom=[_RowCount()])
    merged = custom.tally(rows[:1]).merge(custom.tally(rows[1:]))
    assert custom.evaluate(merged).as_dict() == {"p1": {"rows_ytd": 1}, "p2": {"rows_ytd": 2}}


# -- the engagement score, ranks and percentiles -----------------------------------------------

SIGNAL_KPIS = (
    "logins_30d",
    "won_ytd",
    "revenue_ytd",
    "win_rate_ytd",
    "median_ytd",
    "average_ytd",
    "certified_730d",
    "users_30d",
)
DECAYABLE = ("logins_30d", "won_ytd", "revenue_ytd")
LOWER_IS_BETTER = ("median_ytd",)


def _number(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    return value.amount if isinstance(value, Money) else Decimal(value)


def _decayed(kpi: Kpi, rows: list[tuple[Any, ...]], half_life: int) -> Decimal:
    """Each counted row weighs 2^(-age/half-life), in whole millionths (amounts for sums)."""
    start, end = _span(kpi)
    total = 0
    for r in rows:
        if not start <= r[2] <= end:
            continue
        if kpi.measure == "count" and r[1] in kpi.kinds:
            amount = 1
        elif kpi.measure == "sourced_revenue" and _won(r[1]):
            amount = r[3] or 0
        else:
            continue
        total += round(1_000_000 * 2.0 ** (-(TODAY - r[2]) / half_life)) * amount
    scale = Decimal(1_000_000) * (100 if kpi.measure == "sourced_revenue" else 1)
    return Decimal(total) / scale


def _share(
    normalization: str, target: Decimal | None, value: Decimal, column: list[Decimal]
) -> Decimal:
    if normalization == "cap":
        assert target is not None
        share = min(max(value, Decimal(0)) / target, Decimal(1))
    elif normalization in ("minmax", "percentile"):
        low, high = min(column), max(column)
        if high == low:
            # Everyone alike (or alone): full points for a positive value, none otherwise.
            share = Decimal(1 if high > 0 else 0)
        elif normalization == "minmax":
            share = (value - low) / (high - low)
        else:
            share = Decimal(sum(v < value for v in column)) / (len(column) - 1)
    else:
        clipped = max(value, Decimal(0))
        top = target if target is not None else max(max(v, Decimal(0)) for v in column)
        if top <= 0:
            share = Decimal(0)
        elif clipped >= top:
            share = Decimal(1)
        else:
            share = (clipped + 1).ln() / (top + 1).ln()
    return share.quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _share_lower(
    normalization: str, target: Decimal | None, value: Decimal | None, column: list[Any]
) -> Decimal:
    """A lower-is-better KPI: the lowest value is best, no value (None) the worst."""
    present = [v for v in column if v is not None]
    if value is None:
        share = Decimal(0)
    elif normalization == "cap":
        assert target is not None
        share = Decimal(1) if value <= 0 else min(target / value, Decimal(1))
    elif normalization == "minmax":
        low, high = min(present), max(present)
        share = Decimal(1) if high == low else (high - value) / (high - low)
    elif len(set(column)) == 1:
        share = Decimal(1)
    else:
        worse = sum(v is None or v > value for v in column)
        share = Decimal(worse) / (len(column) - 1)
    return share.quantize(Decimal("0.0001"), ROUND_HALF_UP)


signals = st.builds(
    lambda kpi, weight, normalization, target, half_life: Signal(
        f"s_{kpi}_{normalization}_{half_life}",
        kpi,
        Decimal(weight),
        normalization,
        None if target is None and normalization != "cap" else Decimal(target or 7),
        half_life if kpi in DECAYABLE else None,
    ),
    st.sampled_from(SIGNAL_KPIS),
    st.sampled_from([1, 2, 3, 5, 7, 10, 25, "0.5", "12.5", "33.3"]),
    st.sampled_from(NORMALIZATIONS),
    st.none() | st.sampled_from(["0.5", "3", "250", "10000"]),
    st.none() | st.integers(1, 60),
).filter(lambda s: not (s.kpi in LOWER_IS_BETTER and s.normalization == "log"))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(signals, min_size=1, max_size=5, unique_by=lambda s: s.name),
    st.lists(raw_rows(), max_size=40),
)
def test_engagement_scores_ranks_and_percentiles_follow_the_definitions(
    chosen: list[Signal], rows: list[Any]
) -> None:
    kpis = tuple(BY_NAME[name] for name in SIGNAL_KPIS)
    model = EngagementModel(signals=tuple(chosen), kpis=kpis)
    plan = model.plan(calendar=CAL, as_of=AS_OF, currency="EUR")
    scores = EcosystemScores(plan.tally(rows), model)
    plain = [_plain(r) for r in rows]
    partners = sorted({r[0] for r in plain})
    values = reference(kpis, plain)
    raw: list[list[Decimal]] = []
    for s in chosen:
        if s.kpi in LOWER_IS_BETTER:
            raw.append([values[p][s.kpi] for p in partners])
        elif s.half_life_days is None:
            raw.append([_number(values[p][s.kpi]) for p in partners])
        else:
            mine = [[r for r in plain if r[0] == p] for p in partners]
            raw.append([_decayed(BY_NAME[s.kpi], m, s.half_life_days) for m in mine])
    total = sum(Fraction(s.weight) for s in chosen)
    expected: dict[str, Decimal] = {}
    for i, p in enumerate(partners):
        shares = [
            (_share_lower if s.kpi in LOWER_IS_BETTER else _share)(
                s.normalization, s.target, column[i], column
            )
            for s, column in zip(chosen, raw, strict=True)
        ]
        exact = sum(
            (Fraction(s.weight) * Fraction(n) for s, n in zip(chosen, shares, strict=True)),
            Fraction(0),
        )
        hundredths = exact * 100 * 100 / total
        expected[p] = Decimal(int(hundredths + Fraction(1, 2))).scaleb(-2)
        card = scores.scorecard(p)
        assert [c.normalized for c in card.engagement.contributions] == shares
        assert [c.value for c in card.engagement.contributions] == [_number(c[i]) for c in raw]
    got = {p: scores.scorecard(p).engagement.score for p in partners}
    assert got == expected
    for p in partners:
        card = scores.scorecard(p)
        assert card.rank == 1 + sum(v > expected[p] for v in expected.values())
        below = sum(v < expected[p] for v in expected.values())
        percentile = Fraction(below, len(partners) - 1) if len(partners) > 1 else Fraction(1)
        assert card.percentile == Decimal(int(percentile * 10000 + Fraction(1, 2))).scaleb(-2)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["p1", "p2", "p3", "p4", "p5"]),
        st.lists(st.integers(0, 40), max_size=3),
        min_size=1,
    ),
    st.sampled_from(["cap", "minmax", "percentile"]),
    st.sampled_from(["0.5", "3", "250"]),
)
def test_lower_is_better_signals_follow_the_definitions(
    approvals: dict[str, list[int]], normalization: str, target: str
) -> None:
    kpi = BY_NAME["median_ytd"]
    goal = Decimal(target) if normalization == "cap" else None
    model = EngagementModel((Signal("speed", kpi.name, 1, normalization, goal),), kpis=(kpi,))
    plan = model.plan(calendar=CAL, as_of=AS_OF, currency="EUR")
    # An approval without its days keeps a partner with no median in the ecosystem.
    rows: list[tuple[Any, ...]] = [
        (p, "deal_approved", TODAY, None, None, d) for p, ds in approvals.items() for d in ds
    ]
    rows += [(p, "deal_approved", TODAY, None, None, None) for p in approvals]
    scores = EcosystemScores(plan.tally(rows), model)
    partners = sorted(approvals)
    values = reference((kpi,), rows)
    column = [values[p][kpi.name] for p in partners]
    for p, value in zip(partners, column, strict=True):
        (part,) = scores.scorecard(p).engagement.contributions
        assert part.normalized == _share_lower(normalization, goal, value, column)
