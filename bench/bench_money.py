"""Money against py-moneyed: building amounts, summing them, applying a margin and rounding.

Same Decimal inputs for both, one run, best of several repeats.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from _harness import best_seconds, report
from moneyed import Money as PeerMoney
from moneyed.l10n import format_money

from partnerkit import Money, Percentage

N = 20_000
PEER = "py-moneyed"


def _amounts() -> list[Decimal]:
    rng = random.Random(2026)
    return [Decimal(rng.randrange(1, 10_000_000)).scaleb(-2) for _ in range(N)]


def main() -> None:
    amounts = _amounts()
    cent = Decimal("0.01")
    fraction = Decimal("0.175")

    def peer_build() -> object:
        return [PeerMoney(a, "EUR") for a in amounts]

    def ours_build() -> object:
        return [Money(a, "EUR") for a in amounts]

    report("build Money from Decimal", N, PEER, best_seconds(peer_build), best_seconds(ours_build))

    peer_values = [PeerMoney(a, "EUR") for a in amounts]
    ours_values = [Money(a, "EUR") for a in amounts]

    def peer_sum() -> object:
        total = PeerMoney(0, "EUR")
        for value in peer_values:
            total = total + value
        return total

    def ours_sum() -> object:
        total = Money.zero("EUR")
        for value in ours_values:
            total = total + value
        return total

    assert str(peer_sum().amount) == str(ours_sum().amount)  # type: ignore[attr-defined]
    report("sum amounts (same currency)", N, PEER, best_seconds(peer_sum), best_seconds(ours_sum))

    margin = Percentage("17.5")

    def peer_margin() -> object:
        # py-moneyed has no currency-aware rounding: quantize by hand, as its users do.
        return [
            PeerMoney((v.amount * fraction).quantize(cent, rounding=ROUND_HALF_UP), "EUR")
            for v in peer_values
        ]

    def ours_margin() -> object:
        return [margin.of(v) for v in ours_values]

    peer_result = peer_margin()
    ours_result = ours_margin()
    assert [p.amount for p in peer_result] == [o.amount for o in ours_result]  # type: ignore[attr-defined]
    report(
        "margin of amount, rounded to the cent",
        N,
        PEER,
        best_seconds(peer_margin),
        best_seconds(ours_margin),
    )

    few = 2_000

    def peer_format() -> object:
        return [format_money(v, locale="de_DE") for v in peer_values[:few]]

    def ours_format() -> object:
        return [v.format("de_DE") for v in ours_values[:few]]

    report(
        "format in de_DE through babel",
        few,
        PEER,
        best_seconds(peer_format),
        best_seconds(ours_format),
    )


if __name__ == "__main__":
    main()
