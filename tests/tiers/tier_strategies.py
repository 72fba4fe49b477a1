"""Builders and hypothesis strategies shared by the tier tests."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from partnerkit.core import Money, Percentage
from partnerkit.tiers import MODES, Benefits, Criteria, Mode, Rule, Tier, TierLadder

METRICS = ("new_arr", "certified_sales_users", "certified_technical_users", "engagement_score")

ELITE_TOML = """
[tiers]

[[tiers.levels]]
key = "registered"
name = "Registered"
rank = 1

[tiers.levels.benefits]
partner_margin = "10"
deal_registration = true
support_level = "standard"

[[tiers.levels]]
key = "premier"
name = "Premier"
rank = 2

[tiers.levels.benefits]
partner_margin = "20"
reward_margin = "5"
mdf_eligible = true
support_level = "priority"

[tiers.levels.criteria]
mode = "all"

[[tiers.levels.criteria.rules]]
metric = "new_arr"
op = ">="
threshold = "50000"

[[tiers.levels.criteria.rules]]
metric = "certified_sales_users"
threshold = 2

[[tiers.levels]]
key = "elite"
name = "Elite"
rank = 3

[tiers.levels.benefits]
partner_margin = "30"
reward_margin = "10"
mdf_eligible = true
mdf_amount = { amount = "25000", currency = "EUR" }
support_level = "dedicated"
extras = { badge = "elite-partner" }

[tiers.levels.criteria]
mode = "all"

[[tiers.levels.criteria.rules]]
metric = "new_arr"
threshold = "150000"

[[tiers.levels.criteria.rules]]
metric = "certified_technical_users"
threshold = 2
"""


def benefits(margin: int | str) -> Benefits:
    return Benefits(Percentage(margin))


def elite_ladder() -> TierLadder:
    """Registered (floor), Premier (new ARR 50k and 2 sales users), Elite (150k and 2 technical)."""
    return TierLadder(
        [
            Tier("registered", "Registered", 1, benefits(10)),
            Tier(
                "premier",
                "Premier",
                2,
                Benefits(
                    Percentage(20), Percentage(5), mdf_eligible=True, support_level="priority"
                ),
                Criteria(
                    "all",
                    (Rule("new_arr", ">=", 50_000), Rule("certified_sales_users", ">=", 2)),
                ),
            ),
            Tier(
                "elite",
                "Elite",
                3,
                Benefits(
                    Percentage(30),
                    Percentage(10),
                    mdf_eligible=True,
                    mdf_amount=Money("25000", "EUR"),
                    support_level="dedicated",
                    extras={"badge": "elite-partner"},
                ),
                Criteria(
                    "all",
                    (Rule("new_arr", ">=", 150_000), Rule("certified_technical_users", ">=", 2)),
                ),
            ),
        ]
    )


metric_values = st.one_of(
    st.integers(min_value=0, max_value=20),
    st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False),
)

metric_maps = st.dictionaries(st.sampled_from(METRICS), metric_values)


@st.composite
def ge_rules(draw: st.DrawFn) -> Rule:
    return Rule(
        draw(st.sampled_from(METRICS)),
        ">=",
        draw(st.decimals(min_value=0, max_value=1000, places=1)),
    )


@st.composite
def criteria(draw: st.DrawFn) -> Criteria:
    rules = draw(st.lists(ge_rules(), min_size=0, max_size=4))
    mode: Mode = draw(st.sampled_from(MODES))
    if mode == "at_least":
        if not rules:
            return Criteria("all", ())
        return Criteria("at_least", rules, draw(st.integers(1, len(rules))))
    return Criteria(mode, rules)


@st.composite
def ge_ladders(draw: st.DrawFn) -> TierLadder:
    """Ladders of 1-5 tiers whose criteria all use >=, combined by any mode."""
    size = draw(st.integers(1, 5))
    tiers = [Tier("t0", "T0", 0, benefits(0))]
    for i in range(1, size):
        tiers.append(Tier(f"t{i}", f"T{i}", i * 10, benefits(i), draw(criteria())))
    return TierLadder(draw(st.permutations(tiers)))


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))

__all__ = [
    "ELITE_TOML",
    "METRICS",
    "benefits",
    "criteria",
    "days",
    "elite_ladder",
    "ge_ladders",
    "metric_maps",
    "metric_values",
]
