"""Numbers at the edges of partnerkit's bounds (issue #19, "a hang").

Amounts, weights and rates are zero or at least 10^-100, below 10^18 (amounts)
or 10^101, with at most 100 significant digits. At those edges every public
Money and Percentage operation gives a result or a ValidationError, and does it
quickly: these examples once built integers of a billion digits.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnerkit.core import Money, Percentage, from_dict
from partnerkit.core.errors import ValidationError


def extreme(low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Decimals of 1 to 100 digits whose adjusted exponent is ``low`` or ``high`` or near them."""
    return st.builds(
        lambda digits, adjusted, negative: Decimal(
            (int(negative), tuple(int(d) for d in digits), adjusted - len(digits) + 1)
        ),
        st.text("123456789", min_size=1, max_size=1).flatmap(
            lambda first: st.text("0123456789", max_size=99).map(lambda rest: first + rest)
        ),
        st.sampled_from([low, low + 1, 0, high - 1, high]),
        st.booleans(),
    )


amounts = extreme(-100, 17)
# copy_abs, not abs(): abs() rounds to the context's 28 digits, which turns 100 nines times
# 10^100 into 1.0E+101, a weight outside the bounds the strategy means to stay within.
weights = extreme(-100, 100).map(Decimal.copy_abs)
rates = extreme(-100, 1).map(Decimal.copy_abs).filter(lambda d: d <= 100)
currencies = st.sampled_from(["EUR", "JPY", "BHD"])


def attempt(call: Callable[[], object]) -> object:
    """The result of ``call``, or the ValidationError it raised (the only error allowed)."""
    try:
        return call()
    except ValidationError as exc:
        return exc


@given(amount=amounts, factor=extreme(-100, 100), weight=weights, currency=currencies)
def test_every_money_operation_at_the_bounds_returns(
    amount: Decimal, factor: Decimal, weight: Decimal, currency: str
) -> None:
    money = Money(amount, currency)
    assert money.amount == amount
    rounding = attempt(money.round)
    if isinstance(rounding, ValidationError):
        # A hair below 10^18 rounds up to the bound itself: refused, at the amount.
        assert rounding.paths == ("amount",)
        rounding = Money(0, currency)
    assert isinstance(rounding, Money)
    rounded = rounding
    results = [
        attempt(lambda: money + money),
        attempt(lambda: money - rounded),
        attempt(lambda: money * factor),
        attempt(lambda: money / factor),
        attempt(lambda: money / rounded),
        attempt(lambda: money.scaled(factor)),
        attempt(lambda: rounded.allocate([weight, Decimal("1e-100"), Decimal("9" * 100)])),
        attempt(lambda: rounded.allocate([weight])),
        attempt(lambda: money.format("de_DE")),
        attempt(lambda: money.format("en_US", currency_digits=False)),
        attempt(lambda: rounded.minor_units),
        attempt(lambda: from_dict(Money, money.to_dict())),
    ]
    assert results[-1] == money
    parts = results[7]
    assert parts == [rounded]
    for result in results:
        assert isinstance(result, (Money, Decimal, str, int, list, ValidationError))


@given(rate=rates, other=rates, amount=amounts)
def test_every_percentage_operation_at_the_bounds_returns(
    rate: Decimal, other: Decimal, amount: Decimal
) -> None:
    percentage = Percentage(rate)
    money = Money(amount, "EUR")
    results = [
        attempt(lambda: percentage.of(money)),
        attempt(lambda: percentage.of(money, rounded=False)),
        attempt(lambda: percentage.complement()),
        attempt(lambda: percentage + Percentage(other)),
        attempt(lambda: percentage - Percentage(other)),
        attempt(lambda: Percentage.from_fraction(percentage.fraction)),
        attempt(lambda: percentage.format("en_US")),
        attempt(lambda: percentage.format("fr_FR", decimal_quantization=True)),
    ]
    text = results[6]
    assert isinstance(text, str)
    assert text.endswith("%")
    for result in results:
        assert isinstance(result, (Money, Percentage, str, ValidationError))


@pytest.mark.parametrize(
    ("make", "path"),
    [
        (lambda: Money("1e-101", "EUR"), "amount"),
        (lambda: Money("0E-101", "EUR"), "amount"),
        (lambda: Money("1" * 101, "JPY"), "amount"),
        (lambda: Money("0." + "1" * 101, "EUR"), "amount"),
        (lambda: Percentage("1e-101"), "value"),
        (lambda: Percentage("1." + "1" * 100), "value"),
        (lambda: Money("1", "EUR").allocate([Decimal("1e101")]), "weights.0"),
        (lambda: Money("1", "EUR").allocate([Decimal("1e-101"), 1]), "weights.0"),
    ],
)
def test_numbers_just_outside_the_bounds_are_out_of_range(
    make: Callable[[], object], path: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        make()
    assert [(e.path, e.code) for e in caught.value.errors] == [(path, "out_of_range")]


def test_numbers_just_inside_the_bounds_are_accepted() -> None:
    assert Money("1e-100", "EUR").amount == Decimal("1e-100")
    assert Money("1" * 18, "JPY").amount == Decimal("1" * 18)
    assert Percentage("1e-100").value == Decimal("1e-100")
    assert Money("1.00", "EUR").allocate([Decimal("1e-100"), Decimal("9" * 100)]) == [
        Money("0.00", "EUR"),
        Money("1.00", "EUR"),
    ]
