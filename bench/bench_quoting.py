"""Quote pricing, Money addition and format_quote.

- Pricing three-line quotes with a tier margin, an approved registration's
  reward margin, a discount cap and exact largest-remainder reconciliation.
  There is no library peer: the peer is the pricing a host would write by
  hand on plain Decimals and ints (the same rounding points and allocation,
  no objects, no validation, no rule records). Target: >= 30,000 quotes/s.
- ``Money + Money`` against py-moneyed on the same Decimal amounts.
- ``format_quote`` against the babel calls it makes (the same money, number
  and date formatting, nothing else): the share of format_quote's time spent
  in babel is printed as a percentage.

Same inputs for peer and partnerkit, agreement checked before timing, one run,
best of several repeats.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pendulum
from _harness import best_seconds, report
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from moneyed import Money as PeerMoney

from partnerkit.core import Money, Percentage
from partnerkit.quoting import (
    BillingUnit,
    LineRequest,
    MarginPolicy,
    PriceBook,
    Product,
    ProductPrice,
    Quote,
    VolumeBand,
    format_quote,
    new_quote,
)
from partnerkit.tiers import Benefits, Tier

QUOTES = 5_000
ADDITIONS = 100_000
FORMATS = 500
TODAY = date(2026, 3, 2)
AT = pendulum.datetime(2026, 3, 2, 9, 30, tz="UTC")


class _Registration:
    id = "DR-1"
    partner_id = "p-1"
    prospect_id = "acme"
    stage = "approved"


def _book() -> PriceBook:
    units = [BillingUnit.PER_USER_MONTH, BillingUnit.PER_USER_YEAR, BillingUnit.FLAT]
    prices = []
    rng = random.Random(7)
    for i in range(12):
        product = Product(f"SKU{i}", f"Product {i}", units[i % 3])
        low = Decimal(rng.randrange(100, 5000)).scaleb(-2)
        prices.append(
            ProductPrice(
                product,
                [
                    VolumeBand(1, Money(low, "EUR")),
                    VolumeBand(100, Money((low * Decimal("0.9")).quantize(Decimal("0.01")), "EUR")),
                ],
            )
        )
    return PriceBook("eur-2026", "EUR", date(2026, 1, 1), prices=prices)


def _requests() -> list[tuple[LineRequest, ...]]:
    rng = random.Random(2026)
    return [
        tuple(
            LineRequest(f"SKU{rng.randrange(12)}", rng.randrange(1, 2000), rng.choice([12, 24, 36]))
            for _ in range(3)
        )
        for _ in range(QUOTES)
    ]


def _peer_price(
    lines: tuple[LineRequest, ...],
    table: dict[str, tuple[BillingUnit, list[tuple[int, Decimal]]]],
    partner: Decimal,
    reward: Decimal,
    cap: Decimal,
) -> list[int]:
    """Hand-written pricing on Decimals and ints: returns the lines' partner net prices in cents."""
    list_cents = []
    for line in lines:
        unit, bands = table[line.sku]
        price = bands[0][1]
        for start, amount in bands:
            if start <= line.quantity:
                price = amount
        periods = (
            Decimal(line.term_months)
            if unit is BillingUnit.PER_USER_MONTH
            else Decimal(line.term_months) / 12
            if unit is BillingUnit.PER_USER_YEAR
            else Decimal(1)
        )
        exact = (price * line.quantity * periods).quantize(Decimal("0.01"), ROUND_HALF_UP)
        list_cents.append(int(exact * 100))
    share = min(partner + reward, cap)
    total = sum(list_cents)
    discount = min(
        int((share * total).quantize(Decimal(1), ROUND_HALF_UP)),
        int(cap * total),
    )
    weights = [c * share for c in list_cents]
    weight_sum = sum(weights)
    parts = [int(discount * w / weight_sum) if weight_sum else 0 for w in weights]
    left = discount - sum(parts)
    for i in sorted(range(3), key=lambda i: -(discount * weights[i] / weight_sum) % 1)[:left]:
        parts[i] += 1
    return [c - d for c, d in zip(list_cents, parts, strict=True)]


def _bench_pricing() -> Quote:
    book = _book()
    policy = MarginPolicy(cap=Percentage(25))
    gold = Tier("gold", "Gold", 2, Benefits(Percentage(20), Percentage(10)))
    registration = _Registration()
    requests = _requests()
    table = {
        p.product.sku: (
            p.product.billing_unit,
            [(b.min_quantity, b.unit_price.amount) for b in p.bands],
        )
        for p in book.prices
    }

    def price(lines: tuple[LineRequest, ...]) -> Quote:
        return new_quote(
            lines,
            book,
            policy,
            id="Q-1-R1",
            number="Q-1",
            partner_id="p-1",
            prospect_id="acme",
            as_of=TODAY,
            actor="u-1",
            at=AT,
            tier=gold,
            registration=registration,
        )

    def peer_price(lines: tuple[LineRequest, ...]) -> list[int]:
        return _peer_price(lines, table, Decimal("0.2"), Decimal("0.1"), Decimal("0.25"))

    # Timed loops keep only the last result, as a host pricing one quote per request does.
    def ours() -> None:
        for lines in requests:
            price(lines)

    def peer() -> None:
        for lines in requests:
            peer_price(lines)

    quotes = [price(lines) for lines in requests]
    assert [[line.net.minor_units for line in q.lines] for q in quotes] == [
        peer_price(lines) for lines in requests
    ]
    peer_seconds = best_seconds(peer)
    ours_seconds = best_seconds(ours)
    report(
        "price 3-line quote (tier+reward+cap+allocation)",
        QUOTES,
        "hand-written Decimal",
        peer_seconds,
        ours_seconds,
    )
    rate = QUOTES / ours_seconds
    verdict = "meets" if rate >= 30_000 else "BELOW"
    print(f"{'  quotes/s vs target 30,000':<48} {rate:,.0f}/s {verdict} target", flush=True)
    return quotes[0]


def _bench_addition() -> None:
    rng = random.Random(11)
    amounts = [Decimal(rng.randrange(1, 10_000_000)).scaleb(-2) for _ in range(ADDITIONS + 1)]
    ours_values = [Money(a, "EUR") for a in amounts]
    peer_values = [PeerMoney(a, "EUR") for a in amounts]
    pairs = range(ADDITIONS)

    def ours() -> list[Money]:
        values = ours_values
        return [values[i] + values[i + 1] for i in pairs]

    def peer() -> list[PeerMoney]:
        values = peer_values
        return [values[i] + values[i + 1] for i in pairs]

    assert [m.amount for m in ours()] == [m.amount for m in peer()]
    report(
        "Money + Money (same currency)",
        ADDITIONS,
        "py-moneyed",
        best_seconds(peer),
        best_seconds(ours),
    )


def _bench_format(quote: Quote) -> None:
    locale = "de_DE"

    def babel_only() -> list[object]:
        # Exactly the babel calls format_quote makes for this quote.
        out: list[object] = [
            format_date(quote.priced_on, "medium", locale=locale),
            format_date(quote.valid_until, "medium", locale=locale),
        ]
        for line in quote.lines:
            out.append(format_decimal(line.quantity, locale=locale))
            for money in (line.unit_price, line.list_total, line.discount, line.net):
                out.append(format_currency(money.amount, money.currency, locale=locale))
        for money in (
            quote.list_total,
            quote.promotion,
            quote.partner_margin,
            quote.reward_margin,
            quote.net_total,
            quote.customer_price,
        ):
            out.append(format_currency(money.amount, money.currency, locale=locale))
        return out

    text = format_quote(quote, locale)
    assert all(str(piece) in text for piece in babel_only())

    def peer() -> None:
        for _ in range(FORMATS):
            babel_only()

    def ours() -> None:
        for _ in range(FORMATS):
            format_quote(quote, locale)

    peer_seconds = best_seconds(peer)
    ours_seconds = best_seconds(ours)
    report(
        "format_quote (3 lines, de_DE)", FORMATS, "babel calls alone", peer_seconds, ours_seconds
    )
    print(
        f"{'  share of format_quote spent in babel':<48} {peer_seconds / ours_seconds:.0%}",
        flush=True,
    )


def main() -> None:
    quote = _bench_pricing()
    _bench_addition()
    _bench_format(quote)


if __name__ == "__main__":
    main()
