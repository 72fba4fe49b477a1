"""Tiers, benefits, criteria and ladders: validation, the [tiers] TOML section, round trips."""

from __future__ import annotations

import copy
import sys
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from tier_strategies import ELITE_TOML, benefits, elite_ladder, ge_ladders

from partnerkit.core import Money, Percentage, from_dict, to_dict
from partnerkit.core.errors import NotFound, ValidationError
from partnerkit.tiers import (
    Benefits,
    CheckResult,
    Criteria,
    CustomCriterion,
    Rule,
    Tier,
    TierLadder,
    ladder_from_dict,
    ladder_to_dict,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def _section() -> dict[str, Any]:
    data: dict[str, Any] = tomllib.loads(ELITE_TOML)["tiers"]
    return data


def _codes(exc: ValidationError) -> dict[str, str]:
    return {e.path: e.code for e in exc.errors}


def _never(metrics: Mapping[str, Any]) -> bool:
    return False


# -- building in code ---------------------------------------------------------------------------


def test_ladder_orders_tiers_by_rank_whatever_the_input_order() -> None:
    ladder = TierLadder(reversed(elite_ladder().tiers))
    assert ladder.keys == ("registered", "premier", "elite")
    assert ladder.floor.key == "registered"
    assert ladder.top.key == "elite"


def test_ladder_finds_tiers_and_their_neighbours() -> None:
    ladder = elite_ladder()
    assert ladder["premier"].name == "Premier"
    assert "elite" in ladder
    assert len(ladder) == 3
    above = ladder.above("premier")
    below = ladder.below("premier")
    assert above is not None
    assert above.key == "elite"
    assert below is not None
    assert below.key == "registered"
    assert ladder.above("elite") is None
    assert ladder.below("registered") is None
    with pytest.raises(NotFound):
        ladder.tier("diamond")


def test_duplicate_keys_and_ranks_are_all_named_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        TierLadder(
            [
                Tier("silver", "Silver", 1, benefits(10)),
                Tier("silver", "Silver again", 2, benefits(15)),
                Tier("gold", "Gold", 2, benefits(20)),
            ]
        )
    assert _codes(info.value) == {"tiers.1.key": "duplicate", "tiers.2.rank": "duplicate"}


def test_the_lowest_tier_is_the_floor_and_takes_no_criteria() -> None:
    with pytest.raises(ValidationError) as info:
        TierLadder(
            [
                Tier("bronze", "Bronze", 1, benefits(5), Criteria("all", (Rule("x", ">=", 1),))),
                Tier("silver", "Silver", 2, benefits(10)),
            ]
        )
    assert _codes(info.value) == {"tiers.0.criteria": "invalid"}


def test_an_empty_ladder_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        TierLadder([])
    assert info.value.paths == ("tiers",)


def test_tier_names_every_bad_field() -> None:
    with pytest.raises(ValidationError) as info:
        Tier("Gold Tier", " ", True, benefits(10))
    assert set(info.value.paths) == {"key", "name", "rank"}


def test_reward_margin_needs_deal_registration_and_mdf_amount_needs_eligibility() -> None:
    with pytest.raises(ValidationError) as info:
        Benefits(
            Percentage(20),
            Percentage(5),
            mdf_eligible=False,
            mdf_amount=Money("1000", "EUR"),
            deal_registration=False,
        )
    assert set(info.value.paths) == {"reward_margin", "mdf_amount"}


def test_rule_names_every_bad_field_and_refuses_float_thresholds() -> None:
    with pytest.raises(ValidationError) as info:
        Rule("new arr", "=>", 1.5)  # type: ignore[arg-type]
    assert _codes(info.value) == {
        "metric": "invalid",
        "op": "invalid_choice",
        "threshold": "invalid",
    }


def test_rule_keeps_money_thresholds_and_turns_counts_into_decimals() -> None:
    assert Rule("new_arr", ">=", Money("100000", "EUR")).threshold == Money("100000", "EUR")
    assert Rule("customers", ">", "12").threshold == Decimal(12)


def test_at_least_must_fit_the_number_of_criteria() -> None:
    rules = (Rule("a", ">=", 1), Rule("b", ">=", 1))
    with pytest.raises(ValidationError) as info:
        Criteria("at_least", rules, 3)
    assert _codes(info.value) == {"at_least": "out_of_range"}
    with pytest.raises(ValidationError) as info:
        Criteria("at_least", rules)
    assert _codes(info.value) == {"at_least": "required"}
    with pytest.raises(ValidationError) as info:
        Criteria("all", rules, 1)
    assert _codes(info.value) == {"at_least": "invalid"}


def test_criteria_needed_follows_the_mode() -> None:
    rules = (Rule("a", ">=", 1), Rule("b", ">=", 1), Rule("c", ">=", 1))
    assert Criteria("all", rules).needed == 3
    assert Criteria("any", rules).needed == 1
    assert Criteria("at_least", rules, 2).needed == 2
    assert Criteria().needed == 0


def test_custom_criterion_needs_a_key_a_label_and_a_callable() -> None:
    with pytest.raises(ValidationError) as info:
        CustomCriterion("", "", 42)  # type: ignore[arg-type]
    assert set(info.value.paths) == {"key", "label", "check"}


# -- the [tiers] section ------------------------------------------------------------------------


def test_ladder_loads_from_the_tiers_section_of_a_program_file() -> None:
    assert ladder_from_dict(_section()) == elite_ladder()


def test_ladder_to_dict_round_trips_through_the_loader() -> None:
    ladder = elite_ladder()
    assert ladder_from_dict(ladder_to_dict(ladder)) == ladder


def _no_none(value: object) -> bool:
    if isinstance(value, dict):
        return all(_no_none(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_none(v) for v in value)
    return value is not None and not isinstance(value, float)


def test_ladder_to_dict_writes_only_what_toml_can_hold() -> None:
    assert _no_none(ladder_to_dict(elite_ladder()))


def test_every_bad_key_is_reported_at_once_with_its_path_and_code() -> None:
    data = _section()
    levels = data["levels"]
    levels[0]["colour"] = "gold"
    levels[1]["key"] = "registered"
    levels[1]["criteria"]["rules"][0]["op"] = "=>"
    levels[1]["criteria"]["mode"] = "most"
    levels[2]["benefits"]["partner_margin"] = "130"
    levels[2]["criteria"]["rules"][0]["threshold"] = 1.5
    del levels[2]["name"]
    levels[2]["rank"] = 1
    with pytest.raises(ValidationError) as info:
        ladder_from_dict(data)
    assert _codes(info.value) == {
        "tiers.levels.0.colour": "unknown",
        "tiers.levels.1.key": "duplicate",
        "tiers.levels.1.criteria.mode": "invalid_choice",
        "tiers.levels.1.criteria.rules.0.op": "invalid_choice",
        "tiers.levels.2.name": "required",
        "tiers.levels.2.rank": "duplicate",
        "tiers.levels.2.benefits.partner_margin": "out_of_range",
        "tiers.levels.2.criteria.rules.0.threshold": "invalid",
    }


def test_the_error_path_prefix_follows_where_the_section_sits() -> None:
    data = _section()
    data["levels"][1]["benefits"]["partner_margin"] = "twenty"
    with pytest.raises(ValidationError) as info:
        ladder_from_dict(data, "program.tiers")
    assert info.value.paths == ("program.tiers.levels.1.benefits.partner_margin",)


def test_missing_levels_and_bad_money_are_reported() -> None:
    with pytest.raises(ValidationError) as info:
        ladder_from_dict({})
    assert _codes(info.value) == {"tiers.levels": "required"}
    data = _section()
    data["levels"][2]["benefits"]["mdf_amount"] = {"amount": "25000", "currency": "EURO"}
    with pytest.raises(ValidationError) as info:
        ladder_from_dict(data)
    assert _codes(info.value) == {"tiers.levels.2.benefits.mdf_amount.currency": "invalid"}


def test_benefit_rules_across_fields_are_reported_under_the_benefits_path() -> None:
    data = _section()
    data["levels"][1]["benefits"]["deal_registration"] = False
    with pytest.raises(ValidationError) as info:
        ladder_from_dict(data)
    assert _codes(info.value) == {"tiers.levels.1.benefits.reward_margin": "invalid"}


def test_money_thresholds_load_from_inline_tables() -> None:
    data = _section()
    data["levels"][1]["criteria"]["rules"][0]["threshold"] = {
        "amount": "50000",
        "currency": "EUR",
    }
    ladder = ladder_from_dict(data)
    rule = ladder["premier"].criteria.rules[0]
    assert isinstance(rule, Rule)
    assert rule.threshold == Money("50000", "EUR")
    assert ladder_from_dict(ladder_to_dict(ladder)) == ladder


def test_at_least_mode_loads_with_its_count() -> None:
    data = _section()
    data["levels"][2]["criteria"] = {
        "mode": "at_least",
        "at_least": 1,
        "rules": data["levels"][2]["criteria"]["rules"],
    }
    ladder = ladder_from_dict(data)
    assert ladder["elite"].criteria.needed == 1
    data["levels"][2]["criteria"]["at_least"] = 5
    with pytest.raises(ValidationError) as info:
        ladder_from_dict(data)
    assert _codes(info.value) == {"tiers.levels.2.criteria.at_least": "out_of_range"}


def test_custom_criteria_are_named_in_toml_and_given_in_code() -> None:
    regions = CustomCriterion("two_regions", "certified users in two regions", _never)
    data = _section()
    data["levels"][2]["criteria"]["rules"].append({"custom": "two_regions"})
    ladder = ladder_from_dict(data, custom_criteria=[regions])
    assert ladder["elite"].criteria.rules[-1] is regions
    assert ladder_from_dict(ladder_to_dict(ladder), custom_criteria={"two_regions": regions}) == (
        ladder
    )
    with pytest.raises(ValidationError) as info:
        ladder_from_dict(data)
    assert _codes(info.value) == {"tiers.levels.2.criteria.rules.2.custom": "invalid_choice"}


def test_check_result_defaults_to_no_facts() -> None:
    assert CheckResult(True) == CheckResult(True, None, None, "")


# -- core serialization -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        Benefits(Percentage("12.5"), mdf_eligible=True, mdf_amount=Money("100", "USD")),
        Rule("new_arr", ">=", Money("1000", "JPY")),
        Criteria("at_least", (Rule("a", ">=", 1), Rule("b", "<", "2.5")), 1),
        elite_ladder().tiers[2],
        elite_ladder(),
    ],
    ids=["benefits", "rule", "criteria", "tier", "ladder"],
)
def test_tier_values_round_trip_through_core_to_dict_and_from_dict(value: object) -> None:
    data = to_dict(value)
    assert from_dict(type(value), copy.deepcopy(data)) == value


def test_from_dict_names_bad_fields_of_a_ladder() -> None:
    data = to_dict(elite_ladder())
    data["levels"][0]["benefits"]["partner_margin"] = 12.5
    with pytest.raises(ValidationError) as info:
        from_dict(TierLadder, data)
    assert info.value.paths == ("levels.0.benefits.partner_margin",)


def test_custom_criteria_cannot_be_rebuilt_from_data_alone() -> None:
    with pytest.raises(ValidationError):
        from_dict(CustomCriterion, {"custom": "two_regions"})


@given(ge_ladders())
def test_any_valid_ladder_round_trips_through_its_toml_shape(ladder: TierLadder) -> None:
    assert ladder_from_dict(ladder_to_dict(ladder)) == ladder


def test_the_ladder_loader_leaves_the_policy_table_to_the_policy_loader() -> None:
    data = _section()
    data["policy"] = {"upgrades": "next_period"}
    assert ladder_from_dict(data) == elite_ladder()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"levels": []}, {"tiers.levels": "required"}),
        ({"levels": "gold"}, {"tiers.levels": "invalid"}),
        ("gold", {"tiers": "invalid"}),
        (
            {"levels": [{"key": "gold"}]},
            {
                "tiers.levels.0.name": "required",
                "tiers.levels.0.rank": "required",
                "tiers.levels.0.benefits": "required",
            },
        ),
    ],
)
def test_a_missing_or_malformed_levels_list_is_reported_once(
    data: Any, expected: dict[str, str]
) -> None:
    with pytest.raises(ValidationError) as info:
        ladder_from_dict(data)
    assert _codes(info.value) == expected


def test_read_ladder_and_read_tier_policy_record_into_one_collector_instead_of_raising() -> None:
    from partnerkit.core import ConfigReader
    from partnerkit.tiers import read_ladder, read_tier_policy

    data = _section()
    data["policy"] = {"upgrades": "never", "downgrade_grace_days": 30}
    root = ConfigReader({"tiers": data})
    tiers = root.table("tiers")
    assert read_ladder(tiers) == elite_ladder()
    assert read_tier_policy(tiers.table("policy")) is None
    assert root.errors.paths == ("tiers.policy.upgrades",)
    data["policy"]["upgrades"] = "next_period"
    good = ConfigReader({"policy": data["policy"]}).table("policy")
    policy = read_tier_policy(good)
    assert policy is not None
    assert (policy.upgrades, policy.downgrade_grace_days) == ("next_period", 30)
    assert read_ladder(ConfigReader("gold", "tiers")) is None
