"""Evaluating partners: the tier reached, per-criterion results, gaps and explanations."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tier_strategies import METRICS, benefits, elite_ladder, ge_ladders, metric_maps

from partnerkit.core import Money, from_dict, to_dict
from partnerkit.core.errors import ValidationError
from partnerkit.tiers import (
    CheckResult,
    Criteria,
    CriterionResult,
    CustomCriterion,
    MetricValue,
    Rule,
    Tier,
    TierCheck,
    TierEvaluation,
    TierLadder,
    check_metrics,
    evaluate,
    evaluate_many,
    metric_label,
)

DAY = date(2026, 6, 30)


def _premier_short_of_elite() -> dict[str, MetricValue]:
    return {
        "new_arr": Decimal("110000"),
        "certified_sales_users": 3,
        "certified_technical_users": 1,
    }


def test_partner_gets_the_highest_tier_whose_criteria_hold() -> None:
    ladder = elite_ladder()
    assert evaluate({}, ladder, DAY).tier_key == "registered"
    assert evaluate(_premier_short_of_elite(), ladder, DAY).tier_key == "premier"
    elite = {
        **_premier_short_of_elite(),
        "new_arr": Decimal(150_000),
        "certified_technical_users": 2,
    }
    assert evaluate(elite, ladder, DAY).tier_key == "elite"


def test_a_higher_tier_is_reached_even_when_a_lower_ones_criteria_are_not() -> None:
    # Elite asks for technical users, Premier for sales users: criteria are not cumulative.
    metrics: dict[str, MetricValue] = {"new_arr": 200_000, "certified_technical_users": 3}
    assert evaluate(metrics, elite_ladder(), DAY).tier_key == "elite"


def test_explanation_names_every_gap_to_the_next_tier() -> None:
    evaluation = evaluate(_premier_short_of_elite(), elite_ladder(), DAY)
    assert evaluation.explain() == (
        "Premier; needs 40,000 more new ARR and 1 more certified technical user for Elite."
    )
    assert evaluation.explain("de_DE") == (
        "Premier; für Elite noch nötig: 40.000 Neu-ARR mehr"
        " und 1 zertifizierter technischer Benutzer mehr."
    )


def test_explanations_speak_the_locales_language() -> None:
    evaluation = evaluate(_premier_short_of_elite(), elite_ladder(), DAY)
    assert evaluation.explain("ja_JP") == (
        "Premier：Eliteまで、新規ARRがあと40,000、および認定技術ユーザーがあと1。"  # noqa: RUF001
    )
    assert evaluation.explain("fr_FR") == (
        "Premier ; pour Elite : 40\u202f000 nouvel ARR supplémentaires"
        " et 1 utilisateur technique certifié supplémentaire."
    )
    top = evaluate({"new_arr": 200_000, "certified_technical_users": 3}, elite_ladder(), DAY)
    assert top.explain("de_DE") == "Elite, die höchste Stufe."
    assert top.explain("ja") == "Elite（最上位のティア）。"  # noqa: RUF001
    missing = evaluate({"new_arr": Decimal(60_000)}, elite_ladder(), DAY)
    assert missing.explain("de_DE") == (
        "Registered; für Premier noch nötig:"
        " zertifizierte Vertriebsbenutzer von mindestens 2 (nicht gemeldet)."
    )


@pytest.mark.parametrize(
    ("technical", "phrase"),
    [
        (1, "1 zertifizierter technischer Benutzer mehr"),
        (0, "2 zertifizierte technische Benutzer mehr"),
    ],
)
def test_a_counted_gap_takes_the_plural_form_of_its_count(technical: int, phrase: str) -> None:
    metrics = {**_premier_short_of_elite(), "certified_technical_users": technical}
    evaluation = evaluate(metrics, elite_ladder(), DAY)
    assert evaluation.explain("de_DE") == (
        f"Premier; für Elite noch nötig: 40.000 Neu-ARR mehr und {phrase}."
    )
    assert metric_label("certified_technical_users", 2 - technical, "de") in phrase


def test_a_locale_without_a_catalog_gets_english_words_and_its_numbers() -> None:
    evaluation = evaluate(_premier_short_of_elite(), elite_ladder(), DAY)
    assert evaluation.explain("sw") == (
        "Premier; needs 40,000 more new ARR and 1 more certified technical user for Elite."
    )
    assert evaluation.explain("hu_HU") == (
        "Premier; needs 40\xa0000 more new ARR and 1 more certified technical user for Elite."
    )


def test_top_tier_explanation_says_it_is_the_highest() -> None:
    metrics: dict[str, MetricValue] = {"new_arr": 200_000, "certified_technical_users": 3}
    evaluation = evaluate(metrics, elite_ladder(), DAY)
    assert evaluation.next is None
    assert evaluation.next_tier is None
    assert evaluation.explain() == "Elite, the highest tier."


def test_current_and_next_tier_criteria_carry_actual_requirement_met_and_gap() -> None:
    evaluation = evaluate(_premier_short_of_elite(), elite_ladder(), DAY)
    current = evaluation.current
    assert current.tier.key == "premier"
    assert current.met
    assert [(r.actual, r.met, r.gap) for r in current.results] == [
        (Decimal("110000"), True, None),
        (3, True, None),
    ]
    upcoming = evaluation.next
    assert upcoming is not None
    assert not upcoming.met
    assert upcoming.short_by == 2
    rule = upcoming.results[0].criterion
    assert isinstance(rule, Rule)
    assert rule.threshold == Decimal(150_000)
    assert [(r.actual, r.met, r.gap) for r in upcoming.results] == [
        (Decimal("110000"), False, Decimal(40_000)),
        (1, False, Decimal(1)),
    ]


def test_a_missing_metric_is_not_met_and_says_so() -> None:
    evaluation = evaluate({"new_arr": Decimal(60_000)}, elite_ladder(), DAY)
    assert evaluation.tier_key == "registered"
    upcoming = evaluation.next
    assert upcoming is not None
    missing = upcoming.results[1]
    assert missing.missing
    assert not missing.met
    assert missing.note == "not reported"
    assert evaluation.explain() == (
        "Registered; needs certified sales users of at least 2 (not reported) for Premier."
    )


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (1.5, "metrics.new_arr"),
        (True, "metrics.new_arr"),
        (Decimal("NaN"), "metrics.new_arr"),
        (Decimal("Infinity"), "metrics.new_arr"),
        ("100", "metrics.new_arr"),
    ],
)
def test_metric_mappings_refuse_floats_booleans_and_non_numbers(value: object, path: str) -> None:
    with pytest.raises(ValidationError) as info:
        evaluate({"new_arr": value, "customers": 2.0}, elite_ladder(), DAY)  # type: ignore[dict-item]
    assert path in info.value.paths
    assert "metrics.customers" in info.value.paths


def test_check_metrics_refuses_a_non_mapping() -> None:
    with pytest.raises(ValidationError) as info:
        check_metrics([("new_arr", 1)])
    assert info.value.paths == ("metrics",)


def _money_ladder() -> TierLadder:
    return TierLadder(
        [
            Tier("registered", "Registered", 1, benefits(10)),
            Tier(
                "gold",
                "Gold",
                2,
                benefits(20),
                Criteria("all", (Rule("new_arr", ">=", Money("100000", "EUR")),)),
            ),
        ]
    )


def test_money_thresholds_compare_with_money_in_the_same_currency() -> None:
    ladder = _money_ladder()
    assert evaluate({"new_arr": Money("100000", "EUR")}, ladder, DAY).tier_key == "gold"
    short = evaluate({"new_arr": Money("60000.50", "EUR")}, ladder, DAY)
    assert short.tier_key == "registered"
    upcoming = short.next
    assert upcoming is not None
    assert upcoming.results[0].gap == Money("39999.50", "EUR")
    assert short.explain("en_US") == "Registered; needs €39,999.50 more new ARR for Gold."


@pytest.mark.parametrize("value", [Money("100000", "USD"), Decimal(100_000), 100_000])
def test_money_threshold_refuses_other_currencies_and_plain_numbers(value: MetricValue) -> None:
    with pytest.raises(ValidationError) as info:
        evaluate({"new_arr": value}, _money_ladder(), DAY)
    assert info.value.paths == ("metrics.new_arr",)


def test_number_threshold_refuses_money_values() -> None:
    with pytest.raises(ValidationError) as info:
        evaluate({"new_arr": Money("1", "EUR")}, elite_ladder(), DAY)
    assert info.value.paths == ("metrics.new_arr",)


def _mode_ladder(criteria: Criteria) -> TierLadder:
    return TierLadder(
        [Tier("base", "Base", 0, benefits(5)), Tier("plus", "Plus", 1, benefits(10), criteria)]
    )


RULES = (
    Rule("new_arr", ">=", 100),
    Rule("customers", ">=", 10),
    Rule("engagement_score", ">=", 50),
)


@pytest.mark.parametrize(
    ("criteria", "metrics", "reached"),
    [
        (Criteria("any", RULES), {"customers": 10}, "plus"),
        (Criteria("any", RULES), {"customers": 9}, "base"),
        (Criteria("at_least", RULES, 2), {"customers": 10, "new_arr": 100}, "plus"),
        (Criteria("at_least", RULES, 2), {"customers": 10, "new_arr": 99}, "base"),
        (Criteria("all", RULES), {"customers": 10, "new_arr": 100, "engagement_score": 50}, "plus"),
    ],
)
def test_criteria_combine_by_all_any_or_at_least(
    criteria: Criteria, metrics: dict[str, MetricValue], reached: str
) -> None:
    assert evaluate(metrics, _mode_ladder(criteria), DAY).tier_key == reached


def test_explanations_follow_the_mode() -> None:
    any_one = evaluate({"customers": 4}, _mode_ladder(Criteria("any", RULES[:2])), DAY)
    assert any_one.explain() == (
        "Base; needs new ARR of at least 100 (not reported) or 6 more customers for Plus."
    )
    two = evaluate(
        {"customers": 4, "new_arr": 1, "engagement_score": 0},
        _mode_ladder(Criteria("at_least", RULES, 2)),
        DAY,
    )
    assert two.explain() == (
        "Base; needs any 2 of: 99 more new ARR; 6 more customers; 50 more engagement score "
        "for Plus."
    )


@pytest.mark.parametrize(
    ("rule", "value", "phrase"),
    [
        (Rule("customers", ">", 10), 8, "3 more customers"),
        (
            Rule("plan_completion", ">", "0.5"),
            Decimal("0.25"),
            "more than 0.25 more plan completion",
        ),
        (Rule("open_escalations", "<=", 2), 5, "open escalations down by 3 to at most 2"),
        (Rule("tier_code", "==", 7), 3, "tier code of exactly 7 (now 3)"),
    ],
)
def test_each_operator_has_its_own_phrase(rule: Rule, value: int | Decimal, phrase: str) -> None:
    evaluation = evaluate({rule.metric: value}, _mode_ladder(Criteria("all", (rule,))), DAY)
    upcoming = evaluation.next
    assert upcoming is not None
    assert upcoming.describe() == phrase


def _two_regions(metrics: Mapping[str, MetricValue]) -> CheckResult:
    regions = [k for k, v in metrics.items() if k.startswith("certified.") and v]
    return CheckResult(
        len(regions) >= 2, len(regions), Decimal(2 - len(regions)), "1 region so far"
    )


def test_custom_criteria_take_part_in_evaluation_and_explanation() -> None:
    custom = CustomCriterion("two_regions", "certified users in two regions", _two_regions)
    ladder = _mode_ladder(Criteria("all", (custom, Rule("customers", ">=", 1))))
    met = evaluate({"certified.emea": 2, "certified.apac": 1, "customers": 1}, ladder, DAY)
    assert met.tier_key == "plus"
    short = evaluate({"certified.emea": 2, "customers": 1}, ladder, DAY)
    assert (
        short.explain() == "Base; needs certified users in two regions (1 region so far) for Plus."
    )
    plain = CustomCriterion("always", "always true", lambda metrics: True)
    assert evaluate({}, _mode_ladder(Criteria("all", (plain,))), DAY).tier_key == "plus"


def test_evaluate_many_streams_pairs_lazily() -> None:
    seen: list[str] = []

    def partners() -> Iterator[tuple[str, dict[str, MetricValue]]]:
        for i in range(3):
            seen.append(f"p{i}")
            yield f"p{i}", {"new_arr": 60_000 * i, "certified_sales_users": 2}

    stream = evaluate_many(partners(), elite_ladder(), DAY)
    first = next(stream)
    assert first[0] == "p0"
    assert seen == ["p0"]
    assert [(pid, e.tier_key) for pid, e in stream] == [("p1", "premier"), ("p2", "premier")]


def test_evaluate_many_names_the_partner_with_bad_metrics() -> None:
    pairs: list[tuple[str, Any]] = [("p1", {"new_arr": 1}), ("p2", {"new_arr": 2.5}), ("p3", 7)]
    stream = evaluate_many(pairs, elite_ladder(), DAY)
    assert next(stream)[0] == "p1"
    with pytest.raises(ValidationError) as info:
        next(stream)
    assert info.value.paths == ("p2.metrics.new_arr",)
    with pytest.raises(ValidationError) as info:
        list(evaluate_many(pairs[2:], elite_ladder(), DAY))
    assert info.value.paths == ("p3.metrics",)


def test_evaluation_keeps_its_own_copy_of_the_metrics() -> None:
    metrics = _premier_short_of_elite()
    evaluation = evaluate(metrics, elite_ladder(), DAY)
    metrics["certified_technical_users"] = 5
    assert evaluation.metrics["certified_technical_users"] == 1


def test_evaluation_round_trips_through_core_to_dict_and_from_dict() -> None:
    evaluation = evaluate(
        {**_premier_short_of_elite(), "rebates": Money("12.50", "EUR")}, elite_ladder(), DAY
    )
    data = to_dict(evaluation)
    assert data["metrics"]["new_arr"] == "110000"
    assert from_dict(TierEvaluation, copy.deepcopy(data)) == evaluation


def test_an_evaluation_whose_tier_does_not_match_its_metrics_is_refused() -> None:
    data = to_dict(evaluate(_premier_short_of_elite(), elite_ladder(), DAY))
    data["tier_key"] = "elite"
    with pytest.raises(ValidationError) as info:
        from_dict(TierEvaluation, data)
    assert info.value.paths == ("tier_key",)


@pytest.mark.parametrize("metric", [[], None, b"new_arr", 1])
def test_the_label_of_a_metric_that_is_no_text_is_a_validation_error(metric: object) -> None:
    # Issue #19: metric_label([]) raised TypeError (unhashable), metric_label(b"") another.
    with pytest.raises(ValidationError) as caught:
        metric_label(metric)  # type: ignore[arg-type]
    assert caught.value.paths == ("metric",)


def test_metric_labels_come_from_one_table_with_a_readable_fallback() -> None:
    assert metric_label("certified_technical_users", 1) == "certified technical user"
    assert metric_label("certified_technical_users", 2) == "certified technical users"
    assert metric_label("webinars_hosted") == "webinars hosted"


# -- properties ---------------------------------------------------------------------------------


def _holds(criteria: Criteria, metrics: Mapping[str, MetricValue]) -> bool:
    met = 0
    for rule in criteria.rules:
        assert isinstance(rule, Rule)
        value = metrics.get(rule.metric)
        met += value is not None and value >= rule.threshold  # type: ignore[operator]
    return met >= criteria.needed


@given(ge_ladders(), metric_maps)
def test_evaluation_picks_the_highest_tier_all_of_whose_criteria_hold(
    ladder: TierLadder, metrics: dict[str, MetricValue]
) -> None:
    expected = max((t for t in ladder.tiers if _holds(t.criteria, metrics)), key=lambda t: t.rank)
    evaluation = evaluate(metrics, ladder, DAY)
    assert evaluation.tier_key == expected.key
    assert evaluation.current.met
    upcoming = evaluation.next
    if upcoming is not None and upcoming.tier.criteria.rules:
        # The tier right above is not reached, unless a still higher one was (then we'd be there).
        assert not upcoming.met


@given(ge_ladders(), metric_maps, st.sampled_from(METRICS), st.integers(1, 500))
def test_raising_a_metric_never_lowers_the_tier(
    ladder: TierLadder, metrics: dict[str, MetricValue], metric: str, increase: int
) -> None:
    before = ladder.position(evaluate(metrics, ladder, DAY).tier_key)
    current = metrics.get(metric, 0)
    assert not isinstance(current, Money)
    raised = {**metrics, metric: current + increase}
    after = ladder.position(evaluate(raised, ladder, DAY).tier_key)
    assert after >= before


@given(ge_ladders(), st.lists(metric_maps, max_size=5))
def test_batch_and_single_evaluation_agree(
    ladder: TierLadder, maps: list[dict[str, MetricValue]]
) -> None:
    pairs = list(enumerate(maps))
    batch = [(i, e.tier_key) for i, e in evaluate_many(pairs, ladder, DAY)]
    assert batch == [(i, evaluate(m, ladder, DAY).tier_key) for i, m in pairs]


def test_explanation_values_round_trip_through_core_to_dict_and_from_dict() -> None:
    evaluation = evaluate(_premier_short_of_elite(), elite_ladder(), DAY)
    upcoming = evaluation.next
    assert upcoming is not None
    assert from_dict(TierCheck, copy.deepcopy(to_dict(upcoming))) == upcoming
    result = upcoming.results[0]
    assert from_dict(CriterionResult, to_dict(result)) == result
    for check in (CheckResult(False, Money("1", "EUR"), Decimal("2.5"), "x"), CheckResult(True, 3)):
        assert from_dict(CheckResult, to_dict(check)) == check


def test_evaluate_refuses_what_is_not_a_ladder_or_a_date() -> None:
    with pytest.raises(ValidationError) as info:
        evaluate({}, "gold", "2026-06-30")  # type: ignore[arg-type]
    assert set(info.value.paths) == {"ladder", "as_of"}


def test_a_custom_check_returning_something_else_is_a_type_error_naming_it() -> None:
    sloppy = CustomCriterion("sloppy", "returns a number", lambda metrics: 1)  # type: ignore[arg-type,return-value]
    ladder = _mode_ladder(Criteria("all", (sloppy,)))
    with pytest.raises(TypeError, match="'sloppy' returned int"):
        evaluate({}, ladder, DAY)


def test_metric_labels_cannot_be_changed_in_place() -> None:
    from partnerkit.tiers import METRIC_LABELS

    with pytest.raises(TypeError):
        METRIC_LABELS["new_arr"] = ("x", "y")  # type: ignore[index]


def test_a_list_of_pairs_is_not_a_metric_mapping() -> None:
    with pytest.raises(ValidationError) as info:
        evaluate([("new_arr", 1)], elite_ladder(), DAY)  # type: ignore[arg-type]
    assert info.value.paths == ("metrics",)


def _elite_needs_deals_and_euros(mode: str) -> TierLadder:
    criteria = Criteria(
        "all" if mode == "all" else "any",
        (Rule("approved_deal_registrations", ">=", 5), Rule("new_arr", ">=", Money("1", "EUR"))),
    )
    return TierLadder(
        [
            Tier("registered", "Registered", 1, benefits(10)),
            Tier("elite", "Elite", 2, benefits(30), criteria),
        ]
    )


@pytest.mark.parametrize(
    ("mode", "deals"),
    [("all", 1), ("any", 9)],
    ids=["an-earlier-criterion-fails", "an-earlier-criterion-already-decides"],
)
def test_a_currency_mismatch_is_refused_whatever_the_order_of_the_criteria(
    mode: str, deals: int
) -> None:
    # Evaluation stops at the first criterion that decides the tier; the mismatched amount
    # in a later criterion must still be refused, not surface later from explain().
    metrics: dict[str, MetricValue] = {
        "approved_deal_registrations": deals,
        "new_arr": Money("500000", "USD"),
    }
    ladder = _elite_needs_deals_and_euros(mode)
    with pytest.raises(ValidationError) as info:
        evaluate(metrics, ladder, DAY)
    assert info.value.paths == ("metrics.new_arr",)
    with pytest.raises(ValidationError) as batch:
        list(evaluate_many([("p-1", metrics)], ladder, DAY))
    assert batch.value.paths == ("p-1.metrics.new_arr",)


@pytest.mark.parametrize(
    ("rule", "value", "phrase"),
    [
        (Rule("open_escalations", "<", 3), 7, "open escalations down by 5 to below 3"),
        (
            Rule("churn_rate", "<", "0.5"),
            Decimal("0.75"),
            "churn rate down by more than 0.25 to below 0.5",
        ),
    ],
)
def test_a_below_criterion_asks_for_enough_to_get_strictly_below(
    rule: Rule, value: int | Decimal, phrase: str
) -> None:
    # 7 open escalations down by 4 is 3, which is not below 3.
    evaluation = evaluate({rule.metric: value}, _mode_ladder(Criteria("all", (rule,))), DAY)
    upcoming = evaluation.next
    assert upcoming is not None
    assert upcoming.describe() == phrase


@pytest.mark.parametrize("locale", ["xx_YY", "0", ""])
def test_an_unknown_locale_is_refused_at_locale_by_every_explanation(locale: str) -> None:
    # Issue #19: babel's UnknownLocaleError or a ValueError escaped from deep inside.
    evaluation = evaluate(_premier_short_of_elite(), elite_ladder(), DAY)
    check = evaluation.next
    assert check is not None
    for explain in (evaluation.explain, check.describe, check.unmet[0].describe):
        with pytest.raises(ValidationError) as caught:
            explain(locale)
        assert caught.value.paths == ("locale",)
