"""Invariants of quote pricing over random books, lines, margins and currencies."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from quoting_fixtures import AT, TODAY, Registration, quote
from quoting_reference import reference_price

from partnerkit.core import Money, Percentage, currency_exponent
from partnerkit.quoting import (
    REWARD_STAGES,
    AppliedRule,
    BillingUnit,
    LineRequest,
    MarginPolicy,
    PriceBook,
    Product,
    ProductPrice,
    Promotion,
    Quote,
    QuoteLine,
    RuleKind,
    Stacking,
    VolumeBand,
    reprice,
)
from partnerkit.quoting._pricing import _split, _split3
from partnerkit.tiers import Benefits, Tier

CURRENCIES = ["USD", "EUR", "JPY", "BHD", "KWD", "CHF"]
STAGES = [
    "opportunity",
    "approved",
    "order_started",
    "order_submitted",
    "declined",
    "expired",
    "lost",
    "withdrawn",
]


def _rates(high: int) -> st.SearchStrategy[Percentage]:
    return st.decimals(0, high, places=2).map(Percentage)


@st.composite
def books(draw: st.DrawFn) -> PriceBook:
    currency = draw(st.sampled_from(CURRENCIES))
    places = currency_exponent(currency) + draw(st.integers(0, 2))
    prices = []
    for i in range(draw(st.integers(1, 4))):
        product = Product(f"SKU{i}", f"Product {i}", draw(st.sampled_from(list(BillingUnit))))
        starts = sorted(draw(st.sets(st.integers(2, 500), max_size=2)))
        amounts = draw(
            st.lists(
                st.decimals(0, 20_000, places=places),
                min_size=len(starts) + 1,
                max_size=len(starts) + 1,
            )
        )
        bands = [
            VolumeBand(q, Money(a, currency)) for q, a in zip([1, *starts], amounts, strict=True)
        ]
        prices.append(ProductPrice(product, bands))
    return PriceBook("book", currency, date(2026, 1, 1), prices=prices)


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    book = draw(books())
    skus = list(book.skus)
    lines = draw(
        st.lists(
            st.builds(
                LineRequest,
                st.sampled_from(skus),
                st.integers(1, 5_000),
                st.integers(1, 60),
            ),
            min_size=1,
            max_size=4,
        )
    )
    policy = MarginPolicy(
        stacking=draw(st.sampled_from(list(Stacking))),
        cap=draw(_rates(100)),
        partner_margin=draw(_rates(50)),
        reward_margin=draw(_rates(20)),
        overrides=draw(st.sampled_from([{}, {"p-1": Percentage(35)}])),
        promotions=draw(
            st.lists(
                st.builds(
                    Promotion,
                    st.sampled_from(["a", "b", "c"]),
                    st.just("Promo"),
                    _rates(30),
                    st.sampled_from([(), (skus[0],)]),
                ),
                max_size=2,
                unique_by=lambda p: p.key,
            )
        ),
    )
    reward = draw(_rates(20))
    tier = draw(
        st.one_of(
            st.none(),
            st.builds(
                lambda m, r: Tier("t", "Tier", 1, Benefits(m, r)), _rates(60), st.just(reward)
            ),
        )
    )
    stage = draw(st.sampled_from(STAGES))
    registration = draw(st.sampled_from([None, Registration("DR-1", "p-1", "acme", stage)]))
    return {
        "lines": lines,
        "price_book": book,
        "policy": policy,
        "tier": tier,
        "registration": registration,
    }


def _quote(case: dict[str, Any]) -> Quote:
    return quote(
        case["lines"],
        price_book=case["price_book"],
        policy=case["policy"],
        tier=case["tier"],
        registration=case["registration"],
    )


def _reference(
    case: dict[str, Any],
) -> tuple[tuple[QuoteLine, ...], tuple[Money, ...], tuple[AppliedRule, ...]]:
    """The straightforward pricing of ``case``: its lines, totals and rules."""
    return reference_price(
        case["lines"],
        case["price_book"],
        case["policy"],
        partner_id="p-1",
        prospect_id="acme",
        tier=case["tier"],
        registration=case["registration"],
        as_of=TODAY,
    )


FIELDS = ("list_total", "promotion", "partner_margin", "reward_margin")


@settings(max_examples=150)
@given(cases())
def test_totals_are_the_exact_sums_of_lines_and_nothing_is_negative(case: dict[str, Any]) -> None:
    q = _quote(case)
    currency = q.currency
    for field in FIELDS:
        total = getattr(q, field)
        assert total.is_rounded
        assert Money.sum((getattr(line, field) for line in q.lines), currency) == total
    assert Money.sum((line.net for line in q.lines), currency) == q.net_total
    assert q.net_total == q.list_total - q.discount
    assert q.customer_price == q.list_total - q.promotion
    for line in q.lines:
        for amount in (line.list_total, line.promotion, line.partner_margin, line.reward_margin):
            assert amount.amount >= 0
            assert amount.is_rounded
        assert Money.zero(currency) <= line.net <= line.list_total
    assert q.net_total <= q.list_total


@settings(max_examples=150)
@given(cases())
def test_the_discount_cap_always_holds(case: dict[str, Any]) -> None:
    q = _quote(case)
    assert q.discount.amount <= case["policy"].cap.fraction * q.list_total.amount


@settings(max_examples=100)
@given(cases(), st.sampled_from(STAGES))
def test_repricing_is_idempotent(case: dict[str, Any], stage: str) -> None:
    q = _quote(case)
    registration = case["registration"]
    if registration is not None:
        registration = attrs.evolve(registration, stage=stage)
    arguments: dict[str, Any] = {
        "as_of": TODAY,
        "actor": "u",
        "at": AT,
        "tier": case["tier"],
        "registration": registration,
    }
    once = reprice(q, case["price_book"], case["policy"], **arguments)
    assert reprice(once, case["price_book"], case["policy"], **arguments) is once
    if registration is None or registration.stage == case["registration"].stage:
        assert once is q


@settings(max_examples=150)
@given(cases())
def test_the_reward_margin_appears_exactly_while_the_registration_earns_it(
    case: dict[str, Any],
) -> None:
    q = _quote(case)
    registration = case["registration"]
    approved = registration is not None and registration.stage in REWARD_STAGES
    kinds = {rule.kind for rule in q.rules}
    if not approved:
        assert q.reward_margin.is_zero()
        assert RuleKind.REWARD_MARGIN not in kinds
        return
    tier, policy = case["tier"], case["policy"]
    rate = (
        tier.benefits.reward_margin
        if tier is not None and tier.benefits.reward_margin.value > 0
        else policy.reward_margin
    )
    assert (RuleKind.REWARD_MARGIN in kinds) == (rate.value > 0)
    if rate.value == 0 or RuleKind.CAP in kinds:
        return
    # A line whose exact reward share is a few minor units keeps a non-zero reward
    # through rounding and allocation (each step moves it by at most one unit).
    decision = policy.decide(
        partner_id="p-1", prospect_id="acme", tier=tier, registration=registration
    )
    unit = Decimal(1).scaleb(-currency_exponent(q.currency))
    for line in q.lines:
        promotion = policy.promotion_for(line.sku, TODAY)
        p = promotion.rate.fraction if promotion is not None else Decimal(0)
        share = policy.effective(p, decision.partner_margin.fraction, rate.fraction)[2]
        if line.list_total.amount * share >= 4 * unit:
            assert not q.reward_margin.is_zero()


@settings(max_examples=200)
@given(
    st.integers(0, 10**9),
    st.lists(st.integers(0, 10**6), min_size=1, max_size=6).filter(lambda w: sum(w) > 0),
)
def test_the_line_allocation_agrees_with_money_allocate(total: int, weights: list[int]) -> None:
    money = Money.from_minor_units(total, "EUR")
    assert [m.minor_units for m in money.allocate(weights)] == _split(total, weights)


@settings(max_examples=200)
@given(
    st.integers(0, 10**9),
    st.lists(st.integers(0, 10**20), min_size=3, max_size=3).filter(lambda w: sum(w) > 0),
)
def test_the_unrolled_three_way_split_agrees_with_the_general_one(
    total: int, weights: list[int]
) -> None:
    assert list(_split3(total, *weights)) == _split(total, weights)


def _odd_rates() -> st.SearchStrategy[Percentage]:
    # Rates with up to 20 decimal places: their shares do not fit the 18-place weights.
    return st.decimals(0, 40, places=20).map(Percentage)


@st.composite
def odd_cases(draw: st.DrawFn) -> dict[str, Any]:
    case = draw(cases())
    if draw(st.booleans()):
        case["policy"] = attrs.evolve(
            case["policy"],
            partner_margin=draw(_odd_rates()),
            reward_margin=draw(_odd_rates()),
            cap=draw(st.one_of(_odd_rates(), _rates(100))),
        )
        case["tier"] = None
    if draw(st.booleans()):
        # Equal partner and reward margins tie the remainders of odd line discounts.
        rate = draw(_rates(30))
        case["policy"] = attrs.evolve(case["policy"], partner_margin=rate, reward_margin=rate)
        case["tier"] = None
    lines = case["lines"]
    if draw(st.booleans()):
        # Three lines take the unrolled allocation; any term, including odd years.
        case["lines"] = [
            attrs.evolve(lines[i % len(lines)], term_months=draw(st.integers(1, 120)))
            for i in range(3)
        ]
    return case


@settings(max_examples=200)
@given(odd_cases())
def test_pricing_agrees_with_the_straightforward_computation(case: dict[str, Any]) -> None:
    q = _quote(case)
    expected = _reference(case)
    totals = (
        q.list_total,
        q.promotion,
        q.partner_margin,
        q.reward_margin,
        q.net_total,
        q.customer_price,
    )
    assert (q.lines, totals, q.rules) == expected
    # The same digits, not only the same values (Money compares amounts numerically).
    assert repr((q.lines, totals, q.rules)) == repr(expected)


@settings(max_examples=100)
@given(
    st.sampled_from(CURRENCIES),
    st.integers(1, 9),
    st.lists(st.tuples(st.integers(1, 50), st.integers(1, 120)), min_size=1, max_size=3),
    _rates(30),
    st.sampled_from(list(Stacking)),
)
def test_ties_between_margins_are_split_as_the_straightforward_computation_does(
    currency: str,
    minor_units: int,
    lines: list[tuple[int, int]],
    rate: Percentage,
    stacking: Stacking,
) -> None:
    # Tiny prices and equal partner and reward margins: odd line discounts of a few minor
    # units tie the remainders, and the earlier rule (the partner margin) takes the unit.
    price = Money.from_minor_units(minor_units, currency)
    products = [Product(f"SKU{i}", "P", unit) for i, unit in enumerate(BillingUnit)]
    book = PriceBook(
        "book",
        currency,
        date(2026, 1, 1),
        prices=[ProductPrice(product, [VolumeBand(1, price)]) for product in products],
    )
    policy = MarginPolicy(stacking=stacking, partner_margin=rate, reward_margin=rate)
    case: dict[str, Any] = {
        "lines": [
            LineRequest(f"SKU{i % 3}", quantity, term) for i, (quantity, term) in enumerate(lines)
        ],
        "price_book": book,
        "policy": policy,
        "tier": None,
        "registration": Registration("DR-1", "p-1", "acme", "approved"),
    }
    q = _quote(case)
    expected = _reference(case)
    assert repr((q.lines, q.rules)) == repr((expected[0], expected[2]))


@settings(max_examples=100)
@given(cases(), st.booleans())
def test_every_line_and_the_customer_price_reconcile_to_the_minor_unit(
    case: dict[str, Any], approved: bool
) -> None:
    if approved:  # half the quotes carry a reward margin
        case["registration"] = Registration("DR-1", "p-1", "acme", "approved")
    q = _quote(case)
    for line in q.lines:
        taken = line.promotion + line.partner_margin + line.reward_margin
        assert line.net == line.list_total - taken
        assert line.net.is_rounded
    # What the customer pays less what the partner pays is exactly what the partner keeps.
    assert q.customer_price - q.net_total == q.partner_margin + q.reward_margin
    assert q.customer_price.is_rounded
    assert q.net_total.is_rounded


@settings(max_examples=100)
@given(cases(), st.data())
def test_the_order_of_the_lines_changes_no_total(case: dict[str, Any], data: st.DataObject) -> None:
    # The list total, the discount and the net total. (How a line's discount divides into
    # promotion and margins may move one minor unit between lines whose remainders tie:
    # earlier lines first, as documented, so those totals may follow the order on ties.)
    q = _quote(case)
    p = _quote({**case, "lines": data.draw(st.permutations(case["lines"]))})
    assert (p.list_total, p.discount, p.net_total) == (q.list_total, q.discount, q.net_total)
    assert sorted(line.list_total for line in p.lines) == sorted(
        line.list_total for line in q.lines
    )
    assert {r.kind for r in p.rules} == {r.kind for r in q.rules}


@settings(max_examples=100)
@given(cases(), _rates(100))
def test_a_higher_cap_never_takes_less_off(case: dict[str, Any], other: Percentage) -> None:
    low, high = sorted((case["policy"].cap, other), key=lambda rate: rate.value)
    q_low = _quote({**case, "policy": attrs.evolve(case["policy"], cap=low)})
    q_high = _quote({**case, "policy": attrs.evolve(case["policy"], cap=high)})
    assert q_low.discount <= q_high.discount
    assert q_low.net_total >= q_high.net_total
