"""Invariants of the batch engine, the engagement score, percentile ranks and pacing."""

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from partnerkit.fiscal import MonthlyFiscalCalendar, WeekFiscalCalendar
from partnerkit.scoring import (
    DEFAULT_ENGAGEMENT_MODEL,
    EcosystemScores,
    Target,
    Window,
    percentile_ranks,
    rag_status,
)
from partnerkit.scoring._tally import partner_shard
from partnerkit.scoring._values import KpiValues

AS_OF = date(2026, 5, 15)
CAL = MonthlyFiscalCalendar(start_month=1)
KINDS = [
    "login",
    "content_view",
    "communication",
    "certification_earned",
    "deal_registered",
    "deal_approved",
    "deal_won",
    "deal_lost",
    "webinar",
]
PLAN = DEFAULT_ENGAGEMENT_MODEL.plan(calendar=CAL, as_of=AS_OF, currency="EUR")


@st.composite
def activity_rows(draw: st.DrawFn) -> tuple[Any, ...]:
    kind = draw(st.sampled_from(KINDS))
    detail: str | int | None = None
    if kind == "deal_won":
        detail = draw(st.sampled_from(["new", "upsell"]))
    elif kind == "deal_approved":
        detail = draw(st.integers(0, 30))
    return (
        draw(st.sampled_from(["p1", "p2", "p3", "p4"])),
        kind,
        AS_OF.toordinal() - draw(st.integers(-3, 800)),
        draw(st.none() | st.integers(0, 10**9)),
        draw(st.none() | st.sampled_from(["u1", "u2", "u3"])),
        detail,
    )


rows_lists = st.lists(activity_rows(), max_size=40)


@settings(max_examples=60)
@given(rows_lists, st.lists(st.integers(0, 40), max_size=3))
def test_scoring_any_split_and_merging_equals_scoring_the_whole(
    rows: list[Any], cuts: list[int]
) -> None:
    bounds = sorted({0, len(rows), *(min(c, len(rows)) for c in cuts)})
    parts = [rows[a:b] for a, b in itertools.pairwise(bounds)]
    merged = PLAN.tally()
    for part in parts:
        merged = merged.merge(PLAN.tally(part))
    whole = PLAN.tally(rows)
    assert PLAN.evaluate(merged).as_dict() == PLAN.evaluate(whole).as_dict()
    assert merged.rows == whole.rows


@settings(max_examples=40)
@given(rows_lists, rows_lists, rows_lists)
def test_merge_is_associative_and_order_independent(
    a: list[Any], b: list[Any], c: list[Any]
) -> None:
    ta, tb, tc = PLAN.tally(a), PLAN.tally(b), PLAN.tally(c)
    left = ta.merge(tb).merge(tc)
    right = ta.merge(tb.merge(tc))
    swapped = tc.merge(ta).merge(tb)
    expected = PLAN.evaluate(left).as_dict()
    assert PLAN.evaluate(right).as_dict() == expected
    assert PLAN.evaluate(swapped).as_dict() == expected
    # Merging changed none of its inputs.
    assert PLAN.evaluate(ta).as_dict() == PLAN.evaluate(PLAN.tally(a)).as_dict()


@settings(max_examples=40)
@given(rows_lists)
def test_engagement_scores_stay_within_0_and_100_and_add_up(rows: list[Any]) -> None:
    scores = EcosystemScores(PLAN.tally(rows))
    for p, partner in enumerate(scores.partners):
        card = scores.scorecard(partner)
        assert Decimal(0) <= card.engagement.score <= Decimal(100)
        assert sum(c.points for c in card.engagement.contributions) == card.engagement.score
        assert all(Decimal(0) <= c.normalized <= 1 for c in card.engagement.contributions)
        assert card.rank >= 1
        assert scores.engagement.scores[p] == card.engagement.score


@given(st.lists(st.integers(-50, 50), min_size=1, max_size=30))
def test_percentile_ranks_follow_the_ordering(values: list[int]) -> None:
    ranks = percentile_ranks(values)
    for i, v in enumerate(values):
        assert Decimal(0) <= ranks[i] <= 1
        for j, w in enumerate(values):
            if v < w:
                assert ranks[i] < ranks[j]
            elif v == w:
                assert ranks[i] == ranks[j]


@given(
    st.integers(0, 10**7),
    st.integers(1, 10**6),
    st.sampled_from(["ytd", "qtd", "ptd", "year", "quarter", "period"]),
    st.dates(date(2001, 1, 1), date(2090, 12, 31)),
    st.booleans(),
)
def test_pacing_on_the_last_day_of_a_window_equals_plain_attainment(
    value: int, goal: int, kind: str, day: date, weeks: bool
) -> None:
    cal = WeekFiscalCalendar(end_month=1, end_weekday=5) if weeks else CAL
    unit = (
        cal.year_of(day)
        if kind[0] == "y"
        else cal.quarter_of(day)
        if kind[0] == "q"
        else cal.period_of(day)
    )
    final = Window(kind).resolve(cal, unit.end)
    assert final.elapsed == 1
    status = rag_status(value, Target("k", goal), elapsed=final.elapsed)
    assert status.pace == status.attainment
    # Before the last day, the same value is ahead of (or level with) its pace.
    earlier = Window(kind).resolve(cal, unit.start)
    early = rag_status(value, Target("k", goal), elapsed=earlier.elapsed)
    assert early.pace is not None
    assert status.pace is not None
    assert early.pace >= status.pace


@settings(max_examples=30)
@given(st.integers(1, 3660), st.dates(date(2001, 1, 1), date(2090, 12, 31)))
def test_trailing_windows_end_on_the_scoring_day_and_are_always_complete(
    days: int, day: date
) -> None:
    span = Window.trailing(days).resolve(CAL, day)
    assert span.end == day
    assert span.end - span.start == timedelta(days=days - 1)
    assert span.elapsed == 1


@settings(max_examples=40)
@given(rows_lists, rows_lists)
def test_bulk_and_sparse_merges_give_the_same_tally(a: list[Any], b: list[Any]) -> None:
    # A big partition's counters are merged in bulk (gathered in C), a small one's one by
    # one: both paths must give the same counters for the same partners in the same order.
    from partnerkit.scoring import _tally

    ta, tb = PLAN.tally(a), PLAN.tally(b)
    sparse = ta.merge(tb)
    dense = _tally._dense
    _tally._dense = lambda counts: True  # every merge in bulk
    try:
        bulk = ta.merge(tb)
    finally:
        _tally._dense = dense
    assert bulk.partners == sparse.partners
    assert bulk.counts == sparse.counts
    assert bulk.sums == sparse.sums
    assert PLAN.evaluate(bulk).as_dict() == PLAN.evaluate(sparse).as_dict()


def test_a_tally_is_dense_when_a_quarter_of_its_counters_are_set() -> None:
    from partnerkit.scoring import _tally

    assert not _tally._dense([0] * 10_000)
    assert _tally._dense([0] + [1, 0, 0, 0] * 2_500)
    assert not _tally._dense([0] + [1, 0, 0, 0, 0] * 2_000)
    assert not _tally._dense([1] + [1] * 9_999)  # the leading slot must read as zero
    assert not _tally._dense([0] + [1] * 100)  # small: one by one


_SPAN = 1 << 40  # a key: the slice's number times this, plus the partner's number in the slice


@settings(max_examples=60)
@given(rows_lists, st.lists(st.integers(0, 40), max_size=3), st.integers(1, 4))
def test_partner_shards_evaluated_apart_and_joined_equal_scoring_the_whole(
    rows: list[Any], cuts: list[int], n: int
) -> None:
    # Each slice's tally split by partner; shard s of every slice merged in slice order and
    # evaluated on its own; the values joined by (slice, first-seen number) keys.
    bounds = sorted({0, len(rows), *(min(c, len(rows)) for c in cuts)})
    slices = [PLAN.tally(rows[a:b]) for a, b in itertools.pairwise(bounds)]
    merged = [PLAN.tally() for _ in range(n)]
    keys: list[list[int]] = [[] for _ in range(n)]
    for number, tally in enumerate(slices):
        shards = tally._shards(n)
        assert sorted(p for shard, _ in shards for p in shard.partners) == sorted(tally.partners)
        for s, (shard, numbers) in enumerate(shards):
            assert all(partner_shard(p, n) == s for p in shard.partners)
            assert [tally.partners[q] for q in numbers] == shard.partners
            known = merged[s].base
            keys[s] += [
                number * _SPAN + q
                for p, q in zip(shard.partners, numbers, strict=True)
                if p not in known
            ]
            merged[s] = merged[s].merge(shard)
    whole = PLAN.tally(rows)
    assert sum(t.rows for t in merged) == whole.rows
    joined = KpiValues._joined(
        PLAN, [(PLAN.evaluate(t), k) for t, k in zip(merged, keys, strict=True)]
    )
    expected = PLAN.evaluate(whole)
    assert joined.partners == expected.partners
    assert joined.names == expected.names
    for name in expected.names:
        assert repr(joined.column(name)) == repr(expected.column(name)), name
    for name, half_life in PLAN.decayed:
        assert joined.decayed(name, half_life) == expected.decayed(name, half_life)
    ours, theirs = EcosystemScores._of_values(joined), EcosystemScores(whole)
    assert repr(ours.engagement.scores) == repr(theirs.engagement.scores)
    assert (ours.ranks, ours.percentiles) == (theirs.ranks, theirs.percentiles)
