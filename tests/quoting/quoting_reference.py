"""The straightforward pricing that partnerkit.quoting's fast path must agree with.

It follows the rounding points documented on :func:`partnerkit.quoting.new_quote`
step by step, with no caches and no shortcuts: each line's list total from
``ProductPrice.unit_price`` and ``BillingUnit.periods`` rounded half-up, the
quote's discount from the exact rates rounded half-up and capped, then
largest-remainder allocation (the rule of ``Money.allocate``, on exact
fractions) of that discount to lines and of each line's discount to its rules.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from partnerkit.core import Money, currency_exponent
from partnerkit.quoting import (
    AppliedRule,
    LineRequest,
    MarginPolicy,
    PriceBook,
    QuoteLine,
    RegistrationLike,
)
from partnerkit.quoting._margin import cap_rule, promotion_rule
from partnerkit.tiers import Tier

SCALE = 18


def _weight(value: Decimal) -> int:
    return int(value.scaleb(SCALE))


def _allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Largest remainder on exact fractions, earlier parts first on equal remainders.

    A zero weight sum puts everything on the first part.
    """
    weight_sum = sum(weights)
    if not weight_sum:
        return [total] + [0] * (len(weights) - 1)
    exact = [Fraction(total * weight, weight_sum) for weight in weights]
    parts = [math.floor(share) for share in exact]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def reference_price(
    requests: Sequence[LineRequest],
    book: PriceBook,
    policy: MarginPolicy,
    *,
    partner_id: str,
    prospect_id: str,
    tier: Tier | None,
    registration: RegistrationLike | None,
    as_of: date,
) -> tuple[tuple[QuoteLine, ...], tuple[Money, ...], tuple[AppliedRule, ...]]:
    """The lines, totals (list, promotion, partner, reward, net, customer) and rules."""
    decision = policy.decide(
        partner_id=partner_id, prospect_id=prospect_id, tier=tier, registration=registration
    )
    currency = book.currency
    exponent = currency_exponent(currency)
    quantum = Decimal(1).scaleb(-exponent)
    m = decision.partner_margin.fraction
    r = decision.reward_margin.fraction
    list_units = []
    rates = []
    promotions: dict[str, list[str]] = {}
    capped: dict[Decimal, list[str]] = {}
    for request in requests:
        price = book.price(request.sku)
        unit_price = price.unit_price(request.quantity)
        periods = price.product.billing_unit.periods(request.term_months)
        exact = unit_price.amount * request.quantity * periods
        list_units.append(int(exact.quantize(quantum, ROUND_HALF_UP).scaleb(exponent)))
        promotion = policy.promotion_for(request.sku, as_of)
        p = promotion.rate.fraction if promotion is not None else Decimal(0)
        if promotion is not None:
            promotions.setdefault(promotion.key, []).append(request.sku)
        ep, em, er, cut = policy.effective(p, m, r)
        if cut:
            capped.setdefault(p + m + r, []).append(request.sku)
        rates.append((_weight(ep), _weight(em), _weight(er), _weight(ep + em + er)))
    weights = [units * rate[3] for units, rate in zip(list_units, rates, strict=True)]
    list_sum = sum(list_units)
    one = 10**SCALE
    discount = min((sum(weights) + one // 2) // one, _weight(policy.cap.fraction) * list_sum // one)
    line_discounts = _allocate(discount, weights)

    def money(units: int) -> Money:
        return Money(Decimal(units).scaleb(-exponent), currency)

    lines = []
    sums = [0, 0, 0]
    for request, units, rate, line_discount in zip(
        requests, list_units, rates, line_discounts, strict=True
    ):
        parts = _allocate(line_discount, rate[:3]) if line_discount else [0, 0, 0]
        for k in range(3):
            sums[k] += parts[k]
        product = book.price(request.sku).product
        lines.append(
            QuoteLine(
                product.sku,
                product.name,
                product.billing_unit,
                request.quantity,
                request.term_months,
                book.unit_price(request.sku, request.quantity),
                money(units),
                money(parts[0]),
                money(parts[1]),
                money(parts[2]),
                money(units - line_discount),
            )
        )
    by_key = {promotion.key: promotion for promotion in policy.promotions}
    rules = [
        *decision.rules,
        *(promotion_rule(by_key[k], skus) for k, skus in promotions.items()),
        *(cap_rule(requested, policy.cap, skus) for requested, skus in capped.items()),
    ]
    totals = (
        money(list_sum),
        money(sums[0]),
        money(sums[1]),
        money(sums[2]),
        money(list_sum - discount),
        money(list_sum - sums[0]),
    )
    return tuple(lines), totals, tuple(rules)
