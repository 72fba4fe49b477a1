"""Price a multi-line partner quote with Money and Percentage, and show it in three locales.

Run it: ``python examples/money_and_margins.py``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN

from partnerkit import Money, Percentage

LINES = [
    # (product, unit price per user per month, users, months)
    ("Email Security", Money("3.95", "EUR"), 120, 12),
    ("Archiving", Money("1.37", "EUR"), 120, 12),
    ("Awareness Training", Money("0.89", "EUR"), 45, 12),
]


def main() -> None:
    partner_margin = Percentage("20")
    reward_margin = Percentage("5")
    list_totals = [price * users * months for _, price, users, months in LINES]
    list_total = Money.sum(list_totals, "EUR")

    # Rounding point 1: the discount is computed on the quote total and rounded once...
    discount = (partner_margin + reward_margin).of(list_total)
    # ...and rounding point 2: spread back over the lines so they add up to the cent.
    line_discounts = discount.allocate([t.amount for t in list_totals])
    assert Money.sum(line_discounts, "EUR") == discount

    for locale in ("en_GB", "de_DE", "fr_FR"):
        print(f"-- {locale}")
        for (name, _, users, months), total, off in zip(
            LINES, list_totals, line_discounts, strict=True
        ):
            net = total - off
            print(
                f"{name:<20} {users:>4} x {months} months  {total.format(locale):>14}"
                f"  -{off.format(locale):>12}  = {net.format(locale):>14}"
            )
        print(
            f"{'total':<36}{list_total.format(locale):>14}  -{discount.format(locale):>12}"
            f"  = {(list_total - discount).format(locale):>14}"
        )

    # Banker's rounding is one argument away when a contract asks for it.
    half_cent = Money("0.125", "EUR")
    print("half up:", half_cent.round(), " half even:", half_cent.round(ROUND_HALF_EVEN))


if __name__ == "__main__":
    main()
