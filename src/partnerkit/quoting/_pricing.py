"""The pricing engine: line requests priced against a price book and a margin policy.

Amounts are worked out in integer minor units and allocated by largest
remainder, so a quote's totals are the exact sums of its lines. ``new_quote`` and
``reprice`` (in ``_quote``) build quotes from what ``_price`` returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import attrs

from partnerkit.core import Money, currency_exponent
from partnerkit.core._context import isolated
from partnerkit.core.errors import FieldError, ValidationError
from partnerkit.quoting._catalog import BillingUnit, PriceBook
from partnerkit.quoting._margin import (
    AppliedRule,
    MarginPolicy,
    capped_rule,
    promotion_rule,
)
from partnerkit.quoting._registration import RegistrationLike
from partnerkit.tiers import Tier

__all__ = ["MAX_QUANTITY", "MAX_TERM_MONTHS", "LineRequest", "QuoteLine"]

#: The largest quantity (seats or units) one line may have.
MAX_QUANTITY = 10_000_000
#: The longest term one line may have, in months (ten years).
MAX_TERM_MONTHS = 120

_NO_RATE = Decimal(0)
# Line totals stay below 10**15 so a quote of up to a thousand lines stays a valid Money.
_MAX_LINE_MAGNITUDE = 15
_MAX_LINES = 1000
_SCALE = 18  # decimal places kept when rates become integer weights for allocation
_ONE_SCALED = 10**_SCALE
_HALF = _ONE_SCALED // 2


@attrs.frozen
class LineRequest:
    """What to quote: a SKU, a quantity (seats or units) and a term in months."""

    sku: str
    quantity: int
    term_months: int = 12


@attrs.frozen
class QuoteLine:
    """One priced line of a quote; every amount is rounded to the currency's minor unit.

    ``list_total`` is ``unit_price * quantity * periods`` (see
    :meth:`BillingUnit.periods`) rounded half-up; ``promotion``,
    ``partner_margin`` and ``reward_margin`` are this line's shares of the
    quote's discounts, and ``net = list_total - discount`` is what the
    partner pays for it.
    """

    sku: str
    name: str
    billing_unit: BillingUnit
    quantity: int
    term_months: int
    unit_price: Money
    list_total: Money
    promotion: Money
    partner_margin: Money
    reward_margin: Money
    net: Money

    @property
    @isolated
    def discount(self) -> Money:
        """Everything taken off the list total of this line."""
        return self.promotion + self.partner_margin + self.reward_margin

    @property
    def request(self) -> LineRequest:
        """The request this line was priced from."""
        return LineRequest(self.sku, self.quantity, self.term_months)


def _split(total: int, weights: Sequence[int]) -> list[int]:
    """Largest-remainder split of ``total`` minor units by non-negative integer ``weights``.

    The same rule as :meth:`Money.allocate` (earlier parts first on equal
    remainders), on plain integers because it runs for every line of every
    quote. A zero weight sum puts everything on the first part.
    """
    weight_sum = sum(weights)
    if not weight_sum:
        return [total] + [0] * (len(weights) - 1)
    if not total:
        return [0] * len(weights)
    split = [divmod(total * weight, weight_sum) for weight in weights]
    parts = [q for q, _ in split]
    leftover = total - sum(parts)
    if leftover:
        # sorted() is stable: on equal remainders the earlier part comes first.
        for i in sorted(range(len(split)), key=lambda i: -split[i][1])[:leftover]:
            parts[i] += 1
    return parts


def _split3(total: int, a: int, b: int, c: int) -> tuple[int, int, int]:
    """:func:`_split` of ``total`` into three parts, unrolled for the per-line hot path."""
    weight_sum = a + b + c
    if not weight_sum:
        return total, 0, 0
    qa, ra = divmod(total * a, weight_sum)
    qb, rb = divmod(total * b, weight_sum)
    qc, rc = divmod(total * c, weight_sum)
    # Each part lost less than one unit to flooring, so 0, 1 or 2 units are left over. They
    # go to the largest remainders, earlier parts first on ties (as _split does).
    left = total - qa - qb - qc
    if not left:
        return qa, qb, qc
    if left == 1:
        if ra >= rb and ra >= rc:
            return qa + 1, qb, qc
        if rb >= rc:
            return qa, qb + 1, qc
        return qa, qb, qc + 1
    # Two units: every part but the one with the smallest remainder (the later on ties).
    if rc <= ra and rc <= rb:
        return qa + 1, qb + 1, qc
    if rb <= ra:
        return qa + 1, qb, qc + 1
    return qa, qb + 1, qc + 1


def _weight(value: Decimal) -> int:
    # Truncates digits beyond _SCALE places: a shift of at most 10**-18 of a rate.
    return int(value.scaleb(_SCALE))


# The promotion, partner and reward shares of list price and their sum as scaled integers,
# the requested total rate when the cap cut it (else None), and the cap as a scaled integer.
_Shares = tuple[int, int, int, int, Decimal | None, int]


def _shares(policy: MarginPolicy, p: Decimal, m: Decimal, r: Decimal) -> _Shares:
    """Stacked and capped shares as scaled integers, the requested total if capped, the cap."""
    key = ("shares", p, m, r)
    found: _Shares | None = policy._recall(key)
    if found is None:
        ep, em, er, cut = policy.effective(p, m, r)
        found = (
            _weight(ep),
            _weight(em),
            _weight(er),
            _weight(ep + em + er),
            p + m + r if cut else None,
            _weight(policy.cap.fraction),
        )
        policy._remember(key, found)
    return found


def _check_line(i: int, q: object, t: object, errors: list[FieldError]) -> None:
    """Record why line ``i``'s quantity ``q`` or term ``t`` is not valid."""
    if type(q) is not int:
        errors.append(FieldError(f"lines.{i}.quantity", "invalid", "expected an integer"))
    elif not 1 <= q <= MAX_QUANTITY:
        errors.append(
            FieldError(f"lines.{i}.quantity", "out_of_range", f"between 1 and {MAX_QUANTITY}")
        )
    if type(t) is not int:
        errors.append(FieldError(f"lines.{i}.term_months", "invalid", "expected an integer"))
    elif not 1 <= t <= MAX_TERM_MONTHS:
        errors.append(
            FieldError(f"lines.{i}.term_months", "out_of_range", f"between 1 and {MAX_TERM_MONTHS}")
        )


class _Priced(NamedTuple):
    lines: tuple[QuoteLine, ...]
    totals: tuple[Money, Money, Money, Money, Money, Money]
    rules: tuple[AppliedRule, ...]


# Per currency: the minor-unit exponent, its quantum and a zero amount.
_CURRENCIES: dict[str, tuple[int, Decimal, Money]] = {}


def _currency(code: str) -> tuple[int, Decimal, Money]:
    found = _CURRENCIES.get(code)
    if found is None:
        exponent = currency_exponent(code)
        zero = Money(Decimal(0).scaleb(-exponent), code)
        found = _CURRENCIES[code] = (exponent, Decimal(1).scaleb(-exponent), zero)
    return found


def _price(
    requests: Sequence[LineRequest],
    book: PriceBook,
    policy: MarginPolicy,
    *,
    partner_id: str,
    prospect_id: str,
    tier: Tier | None,
    registration: RegistrationLike | None,
    as_of: date,
) -> _Priced:
    """Price ``requests``; the rounding points are documented on :func:`new_quote`.

    Amounts are worked out in integer minor units and each Money is built once;
    ``tests/quoting/quoting_reference.py`` keeps the straightforward version
    this must agree with.
    """
    errors: list[FieldError] = []
    if not isinstance(as_of, date) or isinstance(as_of, datetime):
        errors.append(FieldError("as_of", "invalid", "expected a date"))
    elif not book.covers(as_of):
        errors.append(
            FieldError("as_of", "out_of_range", f"price book {book.key} is not in effect then")
        )
    if not requests:
        errors.append(FieldError("lines", "required", "a quote needs at least one line"))
    elif len(requests) > _MAX_LINES:
        errors.append(FieldError("lines", "out_of_range", f"at most {_MAX_LINES} lines"))
    entries = book._bands_by_sku
    currency = book.currency
    exponent, quantum, zero = _currency(currency)

    checked = []
    for i, request in enumerate(requests):
        if not isinstance(request, LineRequest):
            errors.append(FieldError(f"lines.{i}", "invalid", "expected a LineRequest"))
            continue
        entry = entries.get(request.sku)
        if entry is None:
            errors.append(
                FieldError(f"lines.{i}.sku", "unknown", f"{request.sku!r} is not in {book.key}")
            )
        q = request.quantity
        t = request.term_months
        if (
            type(q) is not int
            or type(t) is not int
            or not 1 <= q <= MAX_QUANTITY
            or not 1 <= t <= MAX_TERM_MONTHS
        ):
            _check_line(i, q, t, errors)
        elif entry is not None:
            checked.append((entry, q, t))
    if errors:
        raise ValidationError(errors)
    decision = policy.decide(
        partner_id=partner_id, prospect_id=prospect_id, tier=tier, registration=registration
    )

    # Rounding point 1: each line's list total, half-up to the minor unit.
    priced = []
    list_units: list[int] = []
    for i, (entry, q, t) in enumerate(checked):
        product, bands, exact_periods = entry
        unit_price = bands[-1][1]
        for start, band_price in bands:
            if start <= q:
                unit_price = band_price
                break
        periods = exact_periods.get(t)
        if periods is None:
            periods = product.billing_unit.periods(t)
        exact = unit_price.amount * q * periods
        if exact.adjusted() >= _MAX_LINE_MAGNITUDE:
            errors.append(
                FieldError(
                    f"lines.{i}.quantity", "out_of_range", "the line's list total is too large"
                )
            )
            continue
        list_units.append(int(exact.quantize(quantum, ROUND_HALF_UP).scaleb(exponent)))
        priced.append((product, unit_price, q, t))
    if errors:
        raise ValidationError(errors)
    m = decision.partner_margin.fraction
    r = decision.reward_margin.fraction

    # Per line: the promotion, partner and reward shares of list price and their sum, as
    # integers scaled by 10**_SCALE so the allocation below runs on exact integers.
    promotions: dict[str, list[str]] = {}
    capped: dict[Decimal, list[str]] = {}
    if policy.promotions:
        rates: list[_Shares] = []
        shares: dict[str, _Shares] = {}
        for request in requests:
            sku = request.sku
            promotion = policy.promotion_for(sku, as_of)
            key = promotion.key if promotion is not None else ""
            found = shares.get(key)
            if found is None:
                p = promotion.rate.fraction if promotion is not None else _NO_RATE
                found = shares[key] = _shares(policy, p, m, r)
            if promotion is not None:
                promotions.setdefault(promotion.key, []).append(sku)
            if found[4] is not None:
                capped.setdefault(found[4], []).append(sku)
            rates.append(found)
    else:
        # Without promotions every line has the same shares.
        common = _shares(policy, _NO_RATE, m, r)
        rates = [common] * len(list_units)
        if common[4] is not None:
            capped[common[4]] = [request.sku for request in requests]

    # Rounding point 2: the quote's total discount, half-up, never above the cap.
    weights = [units * share[3] for units, share in zip(list_units, rates, strict=True)]
    list_sum = sum(list_units)
    discount = (sum(weights) + _HALF) // _ONE_SCALED
    ceiling = rates[0][5] * list_sum // _ONE_SCALED
    if discount > ceiling:
        discount = ceiling

    # Allocation: the total discount to lines, then each line's discount to its rules,
    # both by largest remainder, so every total is the exact sum of its lines.
    count = len(weights)
    if count == 1:
        line_discounts: Sequence[int] = (discount,)
    elif count == 3:
        line_discounts = _split3(discount, weights[0], weights[1], weights[2])
    else:
        line_discounts = _split(discount, weights)
    lines = []
    p_sum = m_sum = r_sum = 0
    scale = -exponent
    money = Money._trusted

    for (product, unit_price, q, t), units, share, line_discount in zip(
        priced, list_units, rates, line_discounts, strict=True
    ):
        if line_discount:
            margins = share[1] + share[2]
            if share[0] or not margins:
                p_units, m_units, r_units = _split3(line_discount, share[0], share[1], share[2])
            else:
                # No promotion: _split3 with a zero first weight, unrolled. At most one unit
                # is left over; it goes to the larger remainder, the partner margin on ties.
                p_units = 0
                m_units, m_rest = divmod(line_discount * share[1], margins)
                r_units, r_rest = divmod(line_discount * share[2], margins)
                if m_units + r_units < line_discount:
                    if m_rest >= r_rest:
                        m_units += 1
                    else:
                        r_units += 1
            p_sum += p_units
            m_sum += m_units
            r_sum += r_units
            list_total = money(Decimal(units).scaleb(scale), currency)
            line_promotion = money(Decimal(p_units).scaleb(scale), currency) if p_units else zero
            line_partner = money(Decimal(m_units).scaleb(scale), currency) if m_units else zero
            line_reward = money(Decimal(r_units).scaleb(scale), currency) if r_units else zero
            net = money(Decimal(units - line_discount).scaleb(scale), currency)
        else:
            list_total = net = money(Decimal(units).scaleb(scale), currency)
            line_promotion = line_partner = line_reward = zero
        lines.append(
            QuoteLine(
                product.sku,
                product.name,
                product.billing_unit,
                q,
                t,
                unit_price,
                list_total,
                line_promotion,
                line_partner,
                line_reward,
                net,
            )
        )
    rules = decision.rules
    if promotions or capped:
        extra = list(rules)
        if promotions:
            by_key = {promotion.key: promotion for promotion in policy.promotions}
            extra.extend(promotion_rule(by_key[k], skus) for k, skus in promotions.items())
        for requested, skus in capped.items():
            extra.append(capped_rule(policy, requested, skus))
        rules = tuple(extra)
    totals = (
        money(Decimal(list_sum).scaleb(scale), currency),
        money(Decimal(p_sum).scaleb(scale), currency) if p_sum else zero,
        money(Decimal(m_sum).scaleb(scale), currency) if m_sum else zero,
        money(Decimal(r_sum).scaleb(scale), currency) if r_sum else zero,
        money(Decimal(list_sum - discount).scaleb(scale), currency),
        money(Decimal(list_sum - p_sum).scaleb(scale), currency),
    )
    return _Priced(tuple(lines), totals, rules)
