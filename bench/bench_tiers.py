"""Tier evaluation and what-if simulation over 100,000 partners.

There is no library peer: the peer is the evaluator a host would write by hand
over plain dicts (a loop from the top tier down, ``all()`` over the criteria,
gaps as dicts). Same Decimal/int inputs for both, one run, best of several
repeats. Targets: evaluate >= 100,000 partners/s, simulate 100,000 < 2 s.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from _harness import best_seconds, report

from partnerkit.core import Percentage
from partnerkit.tiers import (
    Benefits,
    Criteria,
    Rule,
    Tier,
    TierLadder,
    evaluate_many,
    simulate,
)

N = 100_000
PEER = "hand-written dict evaluator"
AS_OF = date(2026, 12, 31)

# (key, margin, {metric: threshold}) from the floor up; every tier above the floor has four.
LEVELS: list[tuple[str, str, dict[str, int]]] = [
    ("registered", "10", {}),
    (
        "silver",
        "15",
        {
            "new_arr": 25_000,
            "certified_sales_users": 1,
            "approved_deal_registrations": 3,
            "engagement_score": 40,
        },
    ),
    (
        "gold",
        "20",
        {
            "new_arr": 100_000,
            "certified_sales_users": 2,
            "certified_technical_users": 1,
            "engagement_score": 60,
        },
    ),
    (
        "platinum",
        "25",
        {
            "new_arr": 250_000,
            "certified_sales_users": 4,
            "certified_technical_users": 2,
            "customer_count": 20,
        },
    ),
]


def _ladder(levels: list[tuple[str, str, dict[str, int]]]) -> TierLadder:
    return TierLadder(
        Tier(
            key,
            key.title(),
            rank,
            Benefits(Percentage(margin)),
            Criteria("all", tuple(Rule(m, ">=", t) for m, t in rules.items())),
        )
        for rank, (key, margin, rules) in enumerate(levels)
    )


def _partners() -> list[tuple[str, dict[str, Any]]]:
    rng = random.Random(2026)
    partners = []
    for i in range(N):
        partners.append(
            (
                f"p{i}",
                {
                    "new_arr": Decimal(rng.randrange(0, 400_000)),
                    "upsell_arr": Decimal(rng.randrange(0, 100_000)),
                    "certified_sales_users": rng.randrange(0, 6),
                    "certified_technical_users": rng.randrange(0, 4),
                    "approved_deal_registrations": rng.randrange(0, 12),
                    "engagement_score": rng.randrange(0, 100),
                    "customer_count": rng.randrange(0, 40),
                },
            )
        )
    return partners


# -- the peer: what a host writes by hand -------------------------------------------------------


def _peer_ladder(levels: list[tuple[str, str, dict[str, int]]]) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "margin": Decimal(margin),
            "rules": [(m, Decimal(t)) for m, t in rules.items()],
        }
        for key, margin, rules in levels
    ]


def _peer_tier(ladder: list[dict[str, Any]], metrics: Mapping[str, Any]) -> int:
    for index in range(len(ladder) - 1, 0, -1):
        if all(metrics.get(m) is not None and metrics[m] >= t for m, t in ladder[index]["rules"]):
            return index
    return 0


def _peer_explain(ladder: list[dict[str, Any]], index: int, metrics: Mapping[str, Any]) -> Any:
    if index + 1 >= len(ladder):
        return []
    gaps = []
    for metric, threshold in ladder[index + 1]["rules"]:
        actual = metrics.get(metric)
        met = actual is not None and actual >= threshold
        gaps.append(
            {
                "metric": metric,
                "required": threshold,
                "actual": actual,
                "met": met,
                "gap": None if met or actual is None else threshold - actual,
            }
        )
    return gaps


def main() -> None:
    partners = _partners()
    ladder = _ladder(LEVELS)
    peer_ladder = _peer_ladder(LEVELS)

    def peer_evaluate() -> list[tuple[str, str]]:
        return [(pid, peer_ladder[_peer_tier(peer_ladder, m)]["key"]) for pid, m in partners]

    def ours_evaluate() -> object:
        return [(pid, e.tier_key) for pid, e in evaluate_many(partners, ladder, AS_OF)]

    peer_keys = peer_evaluate()
    assert peer_keys == ours_evaluate()
    ours = best_seconds(ours_evaluate)
    report(
        "evaluate 100k partners (tier; explain lazily)", N, PEER, best_seconds(peer_evaluate), ours
    )
    print(
        f"{'  partnerkit evaluate, absolute':<48} {N / ours:>14,.0f} partners/s   target 100,000/s"
    )

    def peer_explained() -> object:
        out = []
        for pid, m in partners:
            index = _peer_tier(peer_ladder, m)
            out.append((pid, peer_ladder[index]["key"], _peer_explain(peer_ladder, index, m)))
        return out

    def ours_explained() -> object:
        return [(pid, e.tier_key, e.next) for pid, e in evaluate_many(partners, ladder, AS_OF)]

    report(
        "evaluate + next-tier gaps, all kept in memory",
        N,
        PEER,
        best_seconds(peer_explained, repeats=3),
        best_seconds(ours_explained, repeats=3),
    )

    # A batch job writes each partner's explanation out and moves on: nothing is kept.
    def peer_streamed() -> object:
        unmet = 0
        for _, m in partners:
            index = _peer_tier(peer_ladder, m)
            unmet += sum(1 for gap in _peer_explain(peer_ladder, index, m) if not gap["met"])
        return unmet

    def ours_streamed() -> object:
        unmet = 0
        for _, e in evaluate_many(partners, ladder, AS_OF):
            check = e.next
            if check is not None:
                unmet += sum(1 for r in check.results if not r.met)
        return unmet

    assert peer_streamed() == ours_streamed()
    ours = best_seconds(ours_streamed, repeats=3)
    report(
        "evaluate + next-tier gaps, streamed",
        N,
        PEER,
        best_seconds(peer_streamed, repeats=3),
        ours,
    )
    print(f"{'  partnerkit explained, streamed, absolute':<48} {N / ours:>14,.0f} partners/s")

    proposed_levels = [
        (key, margin, {m: t * 12 // 10 for m, t in rules.items()}) for key, margin, rules in LEVELS
    ]
    proposed_levels[2] = ("gold", "22", proposed_levels[2][2])
    proposed = _ladder(proposed_levels)
    peer_proposed = _peer_ladder(proposed_levels)
    current = dict(peer_keys)
    by_key = {t["key"]: i for i, t in enumerate(peer_ladder)}

    def peer_simulate() -> tuple[list[tuple[str, str, str, str, Decimal]], dict[str, int]]:
        rows = []
        counts = {"up": 0, "down": 0, "same": 0}
        for pid, m in partners:
            new = _peer_tier(peer_proposed, m)
            old = by_key[current[pid]]
            movement = "up" if new > old else "down" if new < old else "same"
            counts[movement] += 1
            margin_change = peer_proposed[new]["margin"] - peer_ladder[old]["margin"]
            rows.append((pid, current[pid], peer_proposed[new]["key"], movement, margin_change))
        return rows, counts

    def ours_simulate() -> object:
        return simulate(proposed, partners, current, current_ladder=ladder)

    result = simulate(proposed, partners, current, current_ladder=ladder)
    _, peer_counts = peer_simulate()
    assert (result.up, result.down, result.same) == (
        peer_counts["up"],
        peer_counts["down"],
        peer_counts["same"],
    )
    ours = best_seconds(ours_simulate, repeats=3)
    report(
        "simulate a changed ladder over 100k partners",
        N,
        PEER,
        best_seconds(peer_simulate, repeats=3),
        ours,
    )
    print(f"{'  partnerkit simulate, absolute':<48} {ours:>14.3f} s            target < 2 s")


if __name__ == "__main__":
    main()
