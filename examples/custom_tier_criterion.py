"""A tier criterion written in Python: "at least 3 certified users, in at least two regions".

A threshold compares one metric with one number; this rule looks at several
metrics at once, so it is a custom criterion: a plain function of the
partner's metrics, named in the program file (``custom = "..."``) and handed
to the loader in code.

Run it: ``python examples/custom_tier_criterion.py``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from partnerkit import Money
from partnerkit.tiers import (
    CheckResult,
    CustomCriterion,
    MetricValue,
    evaluate_many,
    ladder_from_dict,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PROGRAM = """
[[tiers.levels]]
key = "bronze"
name = "Bronze"
rank = 1
benefits = { partner_margin = "10" }

[[tiers.levels]]
key = "silver"
name = "Silver"
rank = 2
benefits = { partner_margin = "15", reward_margin = "5" }

[[tiers.levels.criteria.rules]]
metric = "new_arr"
threshold = { amount = "50000", currency = "EUR" }

[[tiers.levels]]
key = "gold"
name = "Gold"
rank = 3

[tiers.levels.benefits]
partner_margin = "20"
reward_margin = "10"
mdf_eligible = true
mdf_amount = { amount = "20000", currency = "EUR" }

[[tiers.levels.criteria.rules]]
metric = "new_arr"
threshold = { amount = "150000", currency = "EUR" }

[[tiers.levels.criteria.rules]]
custom = "certified_in_two_regions"
"""

REGION_PREFIX = "certified_users."  # certified_users.emea, certified_users.apac, ...


def certified_in_two_regions(metrics: Mapping[str, MetricValue]) -> CheckResult:
    """At least 3 certified users in total, spread over at least 2 regions."""
    by_region = {
        name.removeprefix(REGION_PREFIX): value
        for name, value in metrics.items()
        if name.startswith(REGION_PREFIX) and isinstance(value, int) and value > 0
    }
    users = sum(by_region.values())
    regions = len(by_region)
    met = users >= 3 and regions >= 2
    detail = f"{users} certified in {regions} region{'s' if regions != 1 else ''} so far"
    return CheckResult(met, users, None if met else Decimal(max(0, 3 - users)), detail)


REGIONAL = CustomCriterion(
    "certified_in_two_regions", "3 certified users in two regions", certified_in_two_regions
)

PARTNERS: list[tuple[str, dict[str, MetricValue]]] = [
    (
        "Fabrikam",
        {
            "new_arr": Money("180000", "EUR"),
            "certified_users.emea": 2,
            "certified_users.apac": 1,
        },
    ),
    ("Tailspin", {"new_arr": Money("210000", "EUR"), "certified_users.emea": 4}),
    ("Wingtip", {"new_arr": Money("72000", "EUR"), "certified_users.amer": 1}),
    ("Litware", {"certified_users.emea": 1}),
]


def main() -> None:
    section = tomllib.loads(PROGRAM)["tiers"]
    ladder = ladder_from_dict(section, custom_criteria=[REGIONAL])
    for partner, evaluation in evaluate_many(PARTNERS, ladder, date(2026, 12, 31)):
        print(f"{partner:<10} {evaluation.tier_key:<7} {evaluation.explain('en_IE')}")
    gold = dict(evaluate_many(PARTNERS, ladder, date(2026, 12, 31)))
    assert gold["Fabrikam"].tier_key == "gold"
    assert gold["Tailspin"].tier_key == "silver"  # four certified users, but all in one region


if __name__ == "__main__":
    main()
