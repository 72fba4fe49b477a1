from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerkit.core import Money
from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.scoring import (
    Activity,
    EngagementModel,
    KpiValues,
    ScoringPlan,
    Signal,
    score_engagement,
)

CAL = MonthlyFiscalCalendar(start_month=1)
AS_OF = date(2026, 5, 15)


def logins(counts: dict[str, int], days_ago: int = 0) -> list[Activity]:
    day = datetime(2026, 5, 15, 9, tzinfo=timezone.utc) - timedelta(days=days_ago)
    return [Activity(p, "login", day, "u") for p, n in counts.items() for _ in range(n)]


def values_for(model: EngagementModel, rows: list[Activity]) -> tuple[ScoringPlan, KpiValues]:
    plan = model.plan(calendar=CAL, as_of=AS_OF, currency="EUR")
    return plan, plan.evaluate(plan.tally(rows))


def one(signal: Signal) -> EngagementModel:
    return EngagementModel((signal,))


@pytest.mark.parametrize(
    ("normalization", "target", "expected"),
    [
        ("cap", Decimal(10), ["0.0000", "0.5000", "1.0000", "1.0000"]),
        ("minmax", None, ["0.0000", "0.2500", "0.5000", "1.0000"]),
        ("percentile", None, ["0.0000", "0.3333", "0.6667", "1.0000"]),
        ("log", Decimal(10), ["0.0000", "0.7472", "1.0000", "1.0000"]),
        ("log", None, ["0.0000", "0.5885", "0.7876", "1.0000"]),
    ],
)
def test_each_normalization_maps_raw_values_to_shares(
    normalization: str, target: Decimal | None, expected: list[str]
) -> None:
    model = one(Signal("logins", "logins_90d", Decimal(1), normalization, target))
    _, values = values_for(
        model, logins({"a": 0, "b": 5, "c": 10, "d": 20}) + logins({"a": 1}, 400)
    )
    scores = score_engagement(model, values)
    by_partner = dict(zip(values.partners, scores, strict=True))
    got = [str(by_partner[p].contributions[0].normalized) for p in "abcd"]
    assert got == expected


def test_points_are_weighted_shares_that_add_up_to_the_score() -> None:
    model = EngagementModel(
        (
            Signal("logins", "logins_90d", Decimal(1), "cap", Decimal(3)),
            Signal("views", "content_views_90d", Decimal(1), "cap", Decimal(3)),
            Signal("talks", "communications_90d", Decimal(1), "cap", Decimal(3)),
        )
    )
    _, values = values_for(model, logins({"a": 1}))
    (score,) = score_engagement(model, values)
    assert score.score == Decimal("11.11")
    assert [c.points for c in score.contributions] == [Decimal("11.11"), 0, 0]
    assert "logins: 11.11 points" in score.explain()


def test_recency_decay_halves_the_weight_of_an_activity_every_half_life() -> None:
    model = one(Signal("logins", "logins_90d", Decimal(1), "cap", Decimal(2), half_life_days=10))
    _, values = values_for(
        model, logins({"fresh": 1}) + logins({"old": 1}, 10) + logins({"older": 2}, 20)
    )
    decayed = dict(zip(values.partners, values.decayed("logins_90d", 10), strict=True))
    assert decayed == {"fresh": Decimal(1), "old": Decimal("0.5"), "older": Decimal("0.5")}


def test_decayed_revenue_is_in_currency_units() -> None:
    model = one(Signal("revenue", "sourced_revenue_ytd", Decimal(1), "minmax", None, 7))
    day = datetime(2026, 5, 8, tzinfo=timezone.utc)
    _, values = values_for(model, [Activity("p", "deal_won", day, amount=Money("100", "EUR"))])
    assert values.decayed("sourced_revenue_ytd", 7) == [Decimal(50)]


def test_signals_and_models_report_every_bad_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Signal("", "", Decimal(0), "zscore", Decimal(-1), half_life_days=0)
    assert set(caught.value.paths) == {
        "name",
        "kpi",
        "weight",
        "normalization",
        "target",
        "half_life_days",
    }
    with pytest.raises(ValidationError) as caught:
        Signal("s", "k", Decimal(1), "cap")
    assert caught.value.paths == ("target",)
    signal = Signal("s", "logins_90d", Decimal(1), "percentile")
    with pytest.raises(ValidationError) as caught:
        EngagementModel((signal, signal))
    assert caught.value.paths == ("signals.1.name",)
    with pytest.raises(ValidationError) as caught:
        one(Signal("s", "nope", Decimal(1), "percentile")).plan(
            calendar=CAL, as_of=AS_OF, currency="EUR"
        )
    assert caught.value.paths == ("signals.0.kpi",)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 50), min_size=2, max_size=2),
    st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 70), min_size=1),
    st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 9), min_size=1),
)
def test_scores_are_the_weighted_shares_rounded_half_up_for_any_weights(
    weights: list[int], recent: dict[str, int], older: dict[str, int]
) -> None:
    # Weights like 1 and 2 give shares of 28 digits (33.33...): the scores take the
    # Decimal sum there and the integer one when the shares are short; both must agree
    # with the plain definition.
    model = EngagementModel(
        (
            Signal("logins", "logins_90d", Decimal(weights[0]), "cap", Decimal(60)),
            Signal("active", "active_users_90d", Decimal(weights[1]), "percentile"),
        )
    )
    _, values = values_for(model, logins(recent) + logins(older, 30))
    total = Decimal(sum(weights))
    for card in score_engagement(model, values):
        exact = sum((c.weight * 100 / total * c.normalized for c in card.contributions), Decimal(0))
        assert card.score == exact.quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert str(card.score) == str(exact.quantize(Decimal("0.01"), ROUND_HALF_UP))


def test_a_bad_signal_names_every_bad_field_under_its_own_name() -> None:
    with pytest.raises(ValidationError) as caught:
        Signal("x", "logins_90d", 0.5, "cap", target=1)  # type: ignore[arg-type]
    assert caught.value.paths == ("weight",)
    with pytest.raises(ValidationError) as caught:
        Signal("", "", 0.5, "zscore")  # type: ignore[arg-type]
    assert set(caught.value.paths) == {"name", "kpi", "weight", "normalization"}
    with pytest.raises(ValidationError) as caught:
        Signal("x", "logins_90d", "heavy", "log", target=2.5)  # type: ignore[arg-type]
    assert set(caught.value.paths) == {"weight", "target"}
    assert Signal("x", "logins_90d", "2", "cap", target=10).weight == Decimal(2)


@pytest.mark.parametrize("normalization", ["percentile", "minmax"])
@pytest.mark.parametrize(
    ("recent", "expected"),
    [({"a": 3}, "1.0000"), ({"a": 3, "b": 3}, "1.0000"), ({"a": 0}, "0"), ({"a": 0, "b": 0}, "0")],
)
def test_when_every_partner_has_the_same_value_positive_earns_full_points_and_zero_none(
    normalization: str, recent: dict[str, int], expected: str
) -> None:
    model = one(Signal("logins", "logins_90d", Decimal(1), normalization))
    # A login 400 days ago keeps a partner with no recent logins in the ecosystem.
    _, values = values_for(model, logins(recent) + logins(dict.fromkeys(recent, 1), 400))
    shares = {c.contributions[0].normalized for c in score_engagement(model, values)}
    assert shares == {Decimal(expected)}


def test_a_lone_partner_scores_like_each_of_two_identical_partners() -> None:
    from partnerkit.scoring import score_ecosystem

    def engagement(partners: str) -> set[Decimal]:
        rows = [
            Activity(p, "login", datetime(2026, 5, 4, tzinfo=timezone.utc), "u") for p in partners
        ]
        scores = score_ecosystem(rows, calendar=CAL, as_of=AS_OF, currency="EUR")
        return {scores.scorecard(p).engagement.score for p in partners}

    assert engagement("a") == engagement("ab") == {Decimal("0.33")}


def approvals(days: dict[str, int | None]) -> list[Activity]:
    """One approval per partner, ``days`` after its registration (None: no days known)."""
    at = datetime(2026, 5, 4, tzinfo=timezone.utc)
    return [
        Activity(p, "deal_approved", at, attributes={} if d is None else
                 {"registered_on": (at.date() - timedelta(days=d)).isoformat()})
        for p, d in days.items()
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("normalization", "target", "expected"),
    [
        ("minmax", None, {"slow": "0.0000", "mid": "0.5000", "fast": "1.0000", "none": "0"}),
        ("percentile", None, {"slow": "0.3333", "mid": "0.6667", "fast": "1.0000", "none": "0"}),
        ("cap", Decimal(5), {"slow": "0.1429", "mid": "0.2778", "fast": "1.0000", "none": "0"}),
    ],
)
def test_signals_on_a_lower_is_better_kpi_rank_the_fastest_partner_best(
    normalization: str, target: Decimal | None, expected: dict[str, str]
) -> None:
    model = one(Signal("speed", "median_days_to_approval_ytd", 1, normalization, target))
    _, values = values_for(model, approvals({"slow": 35, "mid": 18, "fast": 1, "none": None}))
    scores = dict(zip(values.partners, score_engagement(model, values), strict=True))
    got = {p: scores[p].contributions[0].normalized for p in expected}
    assert got == {p: Decimal(share) for p, share in expected.items()}


@pytest.mark.parametrize("normalization", ["cap", "minmax", "percentile"])
def test_a_lone_partner_approving_the_same_day_earns_full_points(normalization: str) -> None:
    target = Decimal(5) if normalization == "cap" else None
    model = one(Signal("speed", "median_days_to_approval_ytd", 1, normalization, target))
    _, values = values_for(model, approvals({"quick": 0}))
    (score,) = score_engagement(model, values)
    assert score.contributions[0].normalized == 1


def test_log_normalization_of_a_lower_is_better_kpi_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        one(Signal("speed", "median_days_to_approval_ytd", 1, "log", Decimal(5)))
    assert caught.value.paths == ("signals.0.normalization",)


@pytest.mark.parametrize("values", [None, 5, "15", b"\x01\x02"])
def test_percentile_ranks_of_no_list_is_a_validation_error(values: object) -> None:
    # Issue #19: percentile_ranks(None) raised TypeError (len of None).
    from partnerkit.scoring import percentile_ranks

    with pytest.raises(ValidationError) as caught:
        percentile_ranks(values)  # type: ignore[arg-type]
    assert caught.value.paths == ("values",)
    assert percentile_ranks(iter([1, 2])) == [0, 1]  # type: ignore[arg-type]  # any iterable
