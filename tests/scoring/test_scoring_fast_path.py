"""The batch engine's column fast path agrees with a row-by-row reference and with itself."""

from collections.abc import Iterable, Iterator
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import partnerkit.scoring._tally as tally_module
from partnerkit.core import Money
from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.scoring import Activity, Kpi, ScoringPlan, Tally, Window
from partnerkit.scoring._layout import _MAX_DAYS

AS_OF = date(2026, 5, 15)
TODAY = AS_OF.toordinal()
CAL = MonthlyFiscalCalendar(start_month=1)
FY_START = date(2026, 1, 1).toordinal()
KPIS = (
    Kpi("users_30d", "distinct_users", Window.trailing(30)),
    Kpi("users_ytd", "distinct_users", Window.year_to_date()),
    Kpi("logins_30d", "count", Window.trailing(30), kinds=("login",)),
    # A sum over an ordinary kind: its amounts are added outside the special kinds' pass.
    Kpi("login_amounts_30d", "sum", Window.trailing(30), kinds=("login",)),
    Kpi("deals_ytd", "count", kinds=("deal_registered",)),
    Kpi("won_ytd", "count", kinds=("deal_won",)),
    Kpi("revenue_ytd", "sourced_revenue"),
    Kpi("upsell_ytd", "upsell_arr"),
    Kpi("certified", "certified_users", Window.trailing(730)),
    Kpi("approval_days", "median_days_to_approval"),
)


def _plan() -> ScoringPlan:
    return ScoringPlan(
        calendar=CAL,
        as_of=AS_OF,
        currency="EUR",
        kpis=KPIS,
        decayed=[("deals_ytd", 7), ("revenue_ytd", 30)],
    )


PLAN = _plan()
# The same plan with its chunk columns kept in lists, as for plans whose day classes or
# counter codes do not fit in a byte (see test_a_plan_too_wide_for_byte_columns_scores_alike).
WIDE = _plan()
WIDE.class_column = WIDE.code_column = list
PLANS = pytest.mark.parametrize("plan", [PLAN, WIDE], ids=["bytes", "lists"])
KINDS = ["login", "deal_registered", "deal_won", "deal_approved", "certification_earned", "x"]


@st.composite
def activity_rows(draw: st.DrawFn) -> tuple[Any, ...]:
    kind = draw(st.sampled_from(KINDS))
    detail: str | int | None = None
    if kind == "deal_won":
        detail = draw(st.sampled_from(["new", "upsell"]))
    elif kind == "deal_approved":
        # Every whole number of days a calendar allows packs into one histogram key.
        detail = draw(st.none() | st.integers(0, 9) | st.sampled_from([1 << 21, _MAX_DAYS]))
    return (
        draw(st.sampled_from(["p1", "p2", "p3"])),
        kind,
        TODAY - draw(st.integers(-2, 400)),
        draw(st.none() | st.integers(0, 10**6)),
        # Users are shared between partners: the engine must keep them apart.
        draw(st.none() | st.sampled_from(["u1", "u2", "u3"])),
        detail,
    )


def reference(rows: list[tuple[Any, ...]]) -> dict[str, dict[str, Any]]:
    """The KPIs of ``rows`` computed one row at a time, the obvious way."""
    out: dict[str, dict[str, Any]] = {}
    for partner in dict.fromkeys(r[0] for r in rows):
        mine = [r for r in rows if r[0] == partner]
        ytd = [r for r in mine if FY_START <= r[2] <= TODAY]
        last30 = [r for r in mine if TODAY - 30 < r[2] <= TODAY]
        won = [r for r in ytd if r[1] == "deal_won"]
        approvals = sorted(r[5] for r in ytd if r[1] == "deal_approved" and r[5] is not None)
        median = None
        if approvals:
            half = len(approvals) // 2
            median = Decimal(approvals[(len(approvals) - 1) // 2] + approvals[half]) / 2
        out[partner] = {
            "users_30d": len({r[4] for r in last30 if r[4] is not None}),
            "users_ytd": len({r[4] for r in ytd if r[4] is not None}),
            "logins_30d": sum(r[1] == "login" for r in last30),
            "login_amounts_30d": Money(
                Decimal(sum(r[3] or 0 for r in last30 if r[1] == "login")) / 100, "EUR"
            ),
            "deals_ytd": sum(r[1] == "deal_registered" for r in ytd),
            "won_ytd": len(won),
            "revenue_ytd": Money(Decimal(sum(r[3] or 0 for r in won)) / 100, "EUR"),
            "upsell_ytd": Money(
                Decimal(sum(r[3] or 0 for r in won if r[5] == "upsell")) / 100, "EUR"
            ),
            "certified": len(
                {
                    r[4]
                    for r in mine
                    if r[1] == "certification_earned"
                    and r[4] is not None
                    and TODAY - 730 < r[2] <= TODAY
                }
            ),
            "approval_days": median,
        }
    return dict(sorted(out.items()))


def tally_in_chunks(rows: list[tuple[Any, ...]], size: int, plan: ScoringPlan = PLAN) -> Tally:
    saved = tally_module._CHUNK
    tally_module._CHUNK = size
    try:
        return plan.tally(rows)
    finally:
        tally_module._CHUNK = saved


@PLANS
@settings(max_examples=60)
@given(st.lists(activity_rows(), max_size=60), st.integers(1, 7))
def test_the_column_fast_path_matches_a_row_by_row_reference_for_any_chunking(
    plan: ScoringPlan, rows: list[tuple[Any, ...]], size: int
) -> None:
    whole = plan.evaluate(plan.tally(rows)).as_dict()
    assert whole == reference(rows)
    assert plan.evaluate(tally_in_chunks(rows, size, plan)).as_dict() == whole
    one_by_one = plan.tally()
    for row in rows:
        one_by_one.consume([row])
    values = plan.evaluate(one_by_one)
    assert values.as_dict() == whole
    half = len(rows) // 2
    merged = plan.tally(rows[:half]).merge(tally_in_chunks(rows[half:], size, plan))
    assert plan.evaluate(merged).as_dict() == whole
    chunked = plan.evaluate(tally_in_chunks(rows, size, plan))
    for name, half_life in plan.decayed:
        assert dict(zip(chunked.partners, chunked.decayed(name, half_life), strict=True)) == dict(
            zip(values.partners, values.decayed(name, half_life), strict=True)
        )


def test_a_user_active_in_two_parts_of_a_window_counts_once() -> None:
    rows = [
        ("p", "login", TODAY, None, "alice", None),
        ("p", "login", TODAY - 100, None, "alice", None),
        ("q", "login", TODAY - 100, None, "alice", None),
    ]
    values = PLAN.evaluate(PLAN.tally(rows))
    assert values.value("p", "users_30d") == 1
    assert values.value("p", "users_ytd") == 1
    assert values.value("q", "users_ytd") == 1


def test_activities_and_rows_take_different_paths_to_the_same_values() -> None:
    rows = [
        ("p", "deal_won", TODAY - 3, 12_345, None, "upsell"),
        ("p", "login", TODAY - 1, None, "u1", None),
        ("q", "deal_registered", TODAY - 40, 500, "u1", None),
    ]
    activities = [
        Activity(
            partner_id=r[0],
            kind=r[1],
            at=datetime.combine(date.fromordinal(r[2]), datetime.min.time(), timezone.utc),
            amount=None if r[3] is None else Money(Decimal(r[3]) / 100, "EUR"),
            user_id=r[4],
            attributes={} if r[5] is None else {"motion": r[5]},
        )
        for r in rows
    ]
    assert PLAN.evaluate(PLAN.tally(activities)).as_dict() == reference(rows)


def test_a_day_that_is_no_business_day_is_refused_on_the_fast_path_too() -> None:
    good = ("p1", "login", TODAY, None, "u1", None)
    for bad_day in (
        datetime(2026, 5, 1, tzinfo=timezone.utc),
        datetime(2026, 5, 1),  # naive too
        pendulum.datetime(2026, 5, 1, tz="Europe/Paris"),
        "2026-05-01",
        True,
    ):
        tally = PLAN.tally([good])
        with pytest.raises(ValidationError) as caught:
            tally.consume([good, ("p2", "login", bad_day, None, "u2", None)])
        assert [e.path for e in caught.value.errors] == ["rows.2.day"]
        # A failed chunk changes nothing.
        assert tally.rows == 1
        assert tally.partners == ["p1"]


def test_out_of_window_days_are_skipped_and_any_date_type_counts() -> None:
    rows = [
        ("p1", "login", TODAY - 5000, None, "u1", None),  # outside every window
        ("p1", "login", date(2010, 1, 1), None, "u1", None),
        ("p1", "login", pendulum.date(2026, 5, 10), None, "u1", None),
        ("p1", "login", date(2026, 5, 11), None, "u1", None),
        ("p1", "login", TODAY, None, "u1", None),
    ]
    values = PLAN.evaluate(PLAN.tally(rows))
    assert values.value("p1", "logins_30d") == 3


def test_a_decayed_kpi_over_every_kind_is_refused_rather_than_decaying_to_zero() -> None:
    with pytest.raises(ValidationError) as caught:
        ScoringPlan(
            calendar=CAL,
            as_of=AS_OF,
            currency="EUR",
            kpis=(Kpi("all_90d", "count", Window.trailing(90)),),
            decayed=[("all_90d", 7)],
        )
    assert [e.path for e in caught.value.errors] == ["decayed.0"]


def _state(tally: Tally) -> tuple[Any, ...]:
    """Everything a chunk can change in a tally."""
    return (
        tally.rows,
        list(tally.partners),
        dict(tally.base),
        list(tally.counts),
        list(tally.sums),
        [dict(owners) for owners in tally.owners],
        set(tally.shared),
        [dict(owners) for owners in tally.certified],
        set(tally.certified_shared),
        dict(tally.approvals),
        list(tally.decayed),
    )


GOOD = [
    ("p1", "login", TODAY, None, "u1", None),
    ("p1", "deal_approved", TODAY - 2, None, None, 4),
    ("p2", "deal_won", TODAY - 3, 1_000, None, "upsell"),
]
BAD_ROWS = [
    # (row, the field named)
    (("new", "login", TODAY, None, ["u"], None), "user_id"),  # unhashable
    (("new", "login", TODAY, None, 7, None), "user_id"),
    (("new", "login", TODAY, None, "", None), "user_id"),
    (("new", "login", TODAY - 100, None, b"u", None), "user_id"),  # the second user class
    (("new", "certification_earned", TODAY - 400, None, {}, None), "user_id"),
    (("new", "deal_approved", TODAY, None, None, "3"), "detail"),
    (("new", "deal_approved", TODAY, None, None, -1), "detail"),
    (("new", "deal_approved", TODAY, None, None, True), "detail"),
    (("new", "deal_approved", TODAY, None, None, 2.5), "detail"),
    (("new", "deal_approved", TODAY, None, None, _MAX_DAYS + 1), "detail"),
    (("new", "deal_won", TODAY, 10, None, "renewal"), "detail"),
    (("new", "deal_won", TODAY, 10, None, ["upsell"]), "detail"),
    (("new", 5, TODAY, None, None, None), "kind"),
    (("new", "", TODAY, None, None, None), "kind"),
    (("new", "Login", TODAY, None, None, None), "kind"),
    ((5, "login", TODAY, None, None, None), "partner_id"),
    (("", "login", TODAY, None, None, None), "partner_id"),
    ((["p"], "login", TODAY, None, None, None), "partner_id"),
    (("new", "login", [TODAY], None, None, None), "day"),
]


@PLANS
@pytest.mark.parametrize(("bad", "field"), BAD_ROWS)
@pytest.mark.parametrize("fast", [True, False])
def test_a_bad_row_is_named_and_its_chunk_changes_nothing(
    plan: ScoringPlan, bad: tuple[Any, ...], field: str, fast: bool
) -> None:
    tally = plan.tally(GOOD)
    before = _state(tally)
    # A chunk of 6-tuples with int amounts takes the fast path; an Activity in the chunk
    # sends it through the row-by-row conversion. Both name the same field.
    extra: list[Any] = [] if fast else [Activity("p9", "login", datetime.now(timezone.utc))]
    chunk = [*extra, ("p3", "login", TODAY, None, "u3", None), *GOOD, bad]
    with pytest.raises(ValidationError) as caught:
        tally.consume(chunk)
    assert [e.path for e in caught.value.errors] == [f"rows.{3 + len(chunk) - 1}.{field}"]
    assert _state(tally) == before
    # The tally still works: the good rows count once they come without the bad one.
    tally.consume(chunk[:-1])
    assert plan.evaluate(tally).value("p3", "logins_30d") == 1


def test_a_plan_with_more_day_classes_than_a_byte_holds_takes_the_list_layout() -> None:
    # 300 trailing windows of 1..300 days: a day class for each of the 300 last days.
    kpis = [
        Kpi(f"logins_{d}d", "count", Window.trailing(d), kinds=("login",)) for d in range(1, 301)
    ]
    plan = ScoringPlan(calendar=CAL, as_of=AS_OF, currency="EUR", kpis=kpis)
    assert plan.classes > 256
    assert plan.class_column is list
    rows = [("p1", "login", TODAY - age, None, None, None) for age in range(0, 400, 3)]
    values = plan.evaluate(plan.tally(rows))
    for d in (1, 2, 4, 150, 300):
        assert values.value("p1", f"logins_{d}d") == sum(1 for r in rows if TODAY - d < r[2])


def test_a_plan_too_wide_for_byte_columns_scores_alike() -> None:
    # 300 kinds counted over two windows each: more counter codes than a byte holds.
    kinds = [f"kind_{i:03d}" for i in range(300)]
    kpis = [
        Kpi(f"{kind}_{days}d", "count", Window.trailing(days), kinds=(kind,))
        for kind in kinds
        for days in (30, 90)
    ]
    plan = ScoringPlan(calendar=CAL, as_of=AS_OF, currency="EUR", kpis=kpis)
    assert plan.stride > 255
    assert plan.code_column is list
    assert PLAN.code_column is bytearray
    rows = [
        (f"p{i % 7}", kinds[i * 37 % 300], TODAY - i % 120, None, None, None) for i in range(3000)
    ]
    values = plan.evaluate(plan.tally(rows)).as_dict()
    for partner, got in values.items():
        for kind in kinds:
            for days in (30, 90):
                expected = sum(
                    1 for r in rows if r[0] == partner and r[1] == kind and TODAY - days < r[2]
                )
                assert got[f"{kind}_{days}d"] == expected


def test_user_and_detail_are_only_checked_where_a_kpi_reads_them() -> None:
    far = TODAY - 5000  # outside every window: the row is skipped
    rows: list[Any] = [
        ("p1", "login", far, None, 7, None),
        ("p1", "deal_approved", far, None, None, "3"),
        ("p1", "login", TODAY, None, "u1", "no detail is read on a login"),
    ]
    for chunk in (rows, [*rows, Activity("p2", "login", datetime.now(timezone.utc))]):
        values = PLAN.evaluate(PLAN.tally(chunk))
        assert values.value("p1", "logins_30d") == 1
        assert values.value("p1", "approval_days") is None


def test_str_subclasses_are_read_as_their_text() -> None:
    class Text(str):
        pass

    rows = [
        (Text("p1"), "deal_won", TODAY, 500, Text("u1"), Text("upsell")),
        ("p1", "login", TODAY, None, Text("u1"), None),
    ]
    values = PLAN.evaluate(PLAN.tally(rows))
    assert values.value("p1", "users_30d") == 1
    assert values.value("p1", "upsell_ytd") == Money("5.00", "EUR")


def test_a_custom_kpi_that_raises_leaves_the_chunk_uncounted() -> None:
    class Boom:
        name = "boom"
        window = Window.trailing(30)
        paced = False

        def start(self) -> int:
            return 0

        def add(self, state: int, row: tuple[Any, ...]) -> int:
            if row[0] == "bad":
                raise RuntimeError("host bug")
            return state + 1

        def merge(self, a: int, b: int) -> int:
            return a + b

        def value(self, state: int, currency: str) -> int:
            return state

    plan = ScoringPlan(calendar=CAL, as_of=AS_OF, currency="EUR", kpis=KPIS, custom=[Boom()])
    tally = plan.tally([("p1", "login", TODAY, None, "u1", None)])
    before = _state(tally), [list(s) for s in tally.custom]
    with pytest.raises(RuntimeError):
        tally.consume(
            [("p2", "login", TODAY, None, "u2", None), ("bad", "login", TODAY, None, None, None)]
        )
    assert (_state(tally), [list(s) for s in tally.custom]) == before
    tally.consume([("p2", "login", TODAY, None, "u2", None)])
    assert plan.evaluate(tally).value("p2", "boom") == 1


@pytest.mark.parametrize("bad", [["p"], 5, ""])
def test_a_bad_partner_given_up_front_is_refused(bad: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        PLAN.tally(partners=["p1", bad])
    assert [e.path for e in caught.value.errors] == ["partner_id"]


def _rows_then(rows: list[tuple[Any, ...]], error: BaseException) -> Iterator[tuple[Any, ...]]:
    yield from rows
    raise error


@PLANS
@pytest.mark.parametrize("held", [True, False], ids=["holding-rows", "new"])
@pytest.mark.parametrize("failure", ["bad-row", "iterable-raises"])
def test_a_failed_consume_changes_nothing_even_after_good_chunks(
    plan: ScoringPlan, held: bool, failure: str
) -> None:
    tally = plan.tally(GOOD if held else [])
    before = _state(tally)
    good = [("p4", "login", TODAY, None, f"u{i}", None) for i in range(5)] + GOOD
    rows: Iterable[Any]
    if failure == "bad-row":
        rows = [*good, ("p5", "deal_approved", TODAY, None, None, -1)]
    else:
        rows = _rows_then(good, ConnectionError("cursor lost"))
    seen: list[int] = []
    saved = tally_module._CHUNK
    tally_module._CHUNK = 2  # the good rows are counted in earlier chunks before the failure
    try:
        with pytest.raises((ValidationError, ConnectionError)):
            tally.consume(rows, progress=seen.append)
    finally:
        tally_module._CHUNK = saved
    assert seen  # earlier chunks were counted (and reported) before the failure
    assert _state(tally) == before
    tally.consume(good)
    assert plan.evaluate(tally).value("p4", "logins_30d") == 5


def test_progress_is_reported_once_for_no_rows() -> None:
    seen: list[int] = []
    tally = PLAN.tally([], progress=seen.append)
    tally.consume(iter(()), progress=seen.append)
    assert seen == [0, 0]
    PLAN.tally([("p1", "login", TODAY, None, None, None)], progress=seen.append)
    assert seen == [0, 0, 1]
