"""Money: exact Decimal amounts in one currency, never floats, never silently mixed."""

from __future__ import annotations

import operator
import pickle
from collections.abc import Callable
from decimal import (
    ROUND_05UP,
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    Rounded,
    Subnormal,
    localcontext,
)
from fractions import Fraction
from typing import Any

import attrs
import pytest
from babel import Locale
from babel.numbers import format_currency
from hypothesis import assume, example, given
from hypothesis import strategies as st

from partnerkit.core import (
    DEFAULT_ROUNDING,
    Money,
    Percentage,
    currency_exponent,
    from_dict,
    is_known_currency,
    to_decimal,
    to_dict,
)
from partnerkit.core.errors import CurrencyMismatch, PartnerkitError, ValidationError

# Minor-unit exponents from ISO 4217, written down here so the tests do not ask
# the code under test (JPY 0, BHD 3 and CHF 2 are the cases named in the issue).
EXPONENTS = {"JPY": 0, "EUR": 2, "USD": 2, "CHF": 2, "BHD": 3, "KWD": 3}
CURRENCIES = sorted(EXPONENTS)
ALLOCATION_CURRENCIES = ["JPY", "EUR", "BHD"]
ROUNDING_MODES = [ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN, ROUND_UP, ROUND_FLOOR, ROUND_CEILING]
# Money divides with 50 significant digits, rounding half-even past them.
FIFTY_DIGITS = Context(prec=50, rounding=ROUND_HALF_EVEN)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-EXPONENTS[currency])


currencies = st.sampled_from(CURRENCIES)
amounts = st.integers(min_value=0, max_value=6).flatmap(
    lambda places: st.decimals(
        min_value=-(10**12),
        max_value=10**12,
        allow_nan=False,
        allow_infinity=False,
        places=places,
    )
)

# Factors that keep products and quotients of `amounts` below 10**18.
factors = st.decimals(
    min_value=-(10**5), max_value=10**5, allow_nan=False, allow_infinity=False, places=3
)


@st.composite
def money(draw: st.DrawFn, currency: str | None = None) -> Money:
    code = currency if currency is not None else draw(currencies)
    return Money(draw(amounts), code)


@st.composite
def rounded_money(draw: st.DrawFn, currency_choices: list[str]) -> Money:
    code = draw(st.sampled_from(currency_choices))
    units = draw(st.integers(min_value=-(10**15), max_value=10**15))
    return Money(Decimal(units).scaleb(-EXPONENTS[code]), code)


@st.composite
def two_currencies(draw: st.DrawFn) -> tuple[Money, Money]:
    left, right = draw(st.lists(currencies, min_size=2, max_size=2, unique=True))
    return draw(money(left)), draw(money(right))


@st.composite
def same_currency(draw: st.DrawFn) -> tuple[Money, Money]:
    code = draw(currencies)
    return draw(money(code)), draw(money(code))


weights = st.lists(
    st.one_of(
        st.integers(min_value=0, max_value=10**6),
        st.just(0),
        st.decimals(min_value=0, max_value=10**6, allow_nan=False, allow_infinity=False),
    ),
    min_size=1,
    max_size=12,
).filter(lambda ws: sum(Fraction(w) for w in ws) > 0)


def exact_shares(total_units: int, ws: list[int | Decimal]) -> list[Fraction]:
    total_weight = sum(Fraction(w) for w in ws)
    return [Fraction(total_units) * Fraction(w) / total_weight for w in ws]


def minor_units_of(value: Money) -> Fraction:
    return Fraction(value.amount) * Fraction(10 ** EXPONENTS[value.currency])


# -- construction ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("12.30"), Decimal("12.30")),
        (12, Decimal(12)),
        ("12.30", Decimal("12.30")),
        (" -0.5 ", Decimal("-0.5")),
        ("1E+3", Decimal(1000)),
    ],
)
def test_money_accepts_decimals_ints_and_decimal_strings(amount: Any, expected: Decimal) -> None:
    value = Money(amount, "EUR")
    assert value.amount == expected
    assert type(value.amount) is Decimal
    assert value.currency == "EUR"


def test_money_keeps_the_precision_it_was_given() -> None:
    assert str(Money("12.30", "EUR").amount) == "12.30"
    assert str(Money("1.23456", "EUR").amount) == "1.23456"


@given(st.floats(allow_nan=True, allow_infinity=True), currencies)
def test_money_refuses_every_float(amount: float, currency: str) -> None:
    with pytest.raises(ValidationError) as info:
        Money(amount, currency)  # type: ignore[arg-type]
    assert info.value.paths == ("amount",)


@pytest.mark.parametrize("amount", [True, False])
def test_money_refuses_booleans(amount: bool) -> None:
    with pytest.raises(ValidationError) as info:
        Money(amount, "EUR")
    assert info.value.paths == ("amount",)
    assert "boolean" in info.value.errors[0].message


@pytest.mark.parametrize(
    "amount",
    ["NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "-inf", "Inf"],
)
def test_money_refuses_nan_and_infinity_strings(amount: str) -> None:
    with pytest.raises(ValidationError) as info:
        Money(amount, "EUR")
    assert info.value.paths == ("amount",)


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity")])
def test_money_refuses_non_finite_decimals(amount: Decimal) -> None:
    with pytest.raises(ValidationError) as info:
        Money(amount, "EUR")
    assert info.value.paths == ("amount",)


@pytest.mark.parametrize("amount", ["", "  ", "12,30", "1.2.3", "abc", "1e", "€5"])
def test_money_refuses_strings_that_are_not_decimal_numbers(amount: str) -> None:
    with pytest.raises(ValidationError) as info:
        Money(amount, "EUR")
    assert info.value.errors[0].path == "amount"
    assert info.value.errors[0].code == "invalid"


@pytest.mark.parametrize("amount", [None, [1], {"amount": 1}, Fraction(1, 2), 1j])
def test_money_refuses_other_types(amount: object) -> None:
    with pytest.raises(ValidationError) as info:
        Money(amount, "EUR")  # type: ignore[arg-type]
    assert info.value.paths == ("amount",)


@pytest.mark.parametrize("currency", ["XXY", "eur", "EURO", "EU", "", " EUR", "€"])
@pytest.mark.parametrize("amount", [Decimal(1), 1, "1"])
def test_money_refuses_unknown_currency_codes(currency: str, amount: Any) -> None:
    with pytest.raises(ValidationError) as info:
        Money(amount, currency)
    assert info.value.paths == ("currency",)
    assert not is_known_currency(currency)


@pytest.mark.parametrize("currency", [None, 978, ["EUR"], b"EUR"])
@pytest.mark.parametrize("amount", [Decimal(1), 1])
def test_money_refuses_currencies_that_are_not_strings(currency: object, amount: Any) -> None:
    with pytest.raises(ValidationError) as info:
        Money(amount, currency)  # type: ignore[arg-type]
    assert info.value.paths == ("currency",)


def test_money_reports_a_bad_amount_and_a_bad_currency_together() -> None:
    with pytest.raises(ValidationError) as info:
        Money(1.5, "XXY")  # type: ignore[arg-type]
    assert info.value.paths == ("amount", "currency")


def test_money_is_immutable() -> None:
    value = Money("1.00", "EUR")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        value.amount = Decimal(2)  # type: ignore[misc]


@pytest.mark.parametrize(("currency", "exponent"), sorted(EXPONENTS.items()))
def test_currency_exponents_follow_the_minor_unit(currency: str, exponent: int) -> None:
    assert currency_exponent(currency) == exponent
    assert Money(1, currency).exponent == exponent
    zero = Money.zero(currency)
    assert zero.is_zero()
    assert zero.amount.as_tuple().exponent == -exponent


def test_zero_refuses_unknown_currency() -> None:
    with pytest.raises(ValidationError):
        Money.zero("XXY")


# -- to_decimal ------------------------------------------------------------------------------


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_to_decimal_refuses_every_float(value: float) -> None:
    with pytest.raises(ValidationError) as info:
        to_decimal(value, "price")
    assert info.value.paths == ("price",)


@pytest.mark.parametrize("value", [True, False, "NaN", "Infinity", "-Infinity", None, "x"])
def test_to_decimal_refuses_booleans_non_finite_values_and_junk(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        to_decimal(value, "lines.2.quantity")
    assert info.value.paths == ("lines.2.quantity",)


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_to_decimal_keeps_finite_decimals_and_their_strings_exactly(value: Decimal) -> None:
    assert to_decimal(value) == value
    from_text = to_decimal(str(value))
    assert from_text == value
    assert from_text.as_tuple() == value.as_tuple()


@given(st.integers())
def test_to_decimal_takes_any_int_exactly(value: int) -> None:
    assert to_decimal(value) == value


# -- arithmetic never mixes currencies -------------------------------------------------------

MIXED_OPERATIONS: list[tuple[str, Callable[[Money, Money], object]]] = [
    ("add", operator.add),
    ("subtract", operator.sub),
    ("divide", operator.truediv),
    ("compare", operator.lt),
    ("compare", operator.le),
    ("compare", operator.gt),
    ("compare", operator.ge),
]


@pytest.mark.parametrize(("operation", "op"), MIXED_OPERATIONS)
@given(pair=two_currencies())
def test_operations_between_different_currencies_raise_currency_mismatch(
    operation: str, op: Callable[[Money, Money], object], pair: tuple[Money, Money]
) -> None:
    left, right = pair
    with pytest.raises(CurrencyMismatch) as info:
        op(left, right)
    assert (info.value.left, info.value.right) == (left.currency, right.currency)
    assert info.value.operation == operation
    assert left.currency in str(info.value)
    assert right.currency in str(info.value)


@given(pair=two_currencies())
def test_sum_refuses_a_value_in_another_currency(pair: tuple[Money, Money]) -> None:
    left, right = pair
    with pytest.raises(CurrencyMismatch):
        Money.sum([left, right], left.currency)
    with pytest.raises(CurrencyMismatch):
        Money.sum([right], left.currency)


@given(pair=two_currencies())
def test_amounts_in_different_currencies_are_never_equal(pair: tuple[Money, Money]) -> None:
    left, right = pair
    same_amount = Money(left.amount, right.currency)
    assert left != right
    assert left != same_amount


def test_currency_mismatch_is_a_partnerkit_value_error() -> None:
    with pytest.raises(PartnerkitError):
        Money(1, "EUR") + Money(1, "USD")
    with pytest.raises(ValueError, match="different currencies"):
        Money(1, "EUR") - Money(1, "USD")


@given(pair=same_currency(), factor=factors)
def test_same_currency_arithmetic_stays_in_that_currency(
    pair: tuple[Money, Money], factor: Decimal
) -> None:
    left, right = pair
    currency = left.currency
    results = [left + right, left - right, left * factor, factor * left, -left, +left, abs(left)]
    if factor:
        results.append(left / factor)
    for result in results:
        assert isinstance(result, Money)
        assert result.currency == currency
    # Exact: these amounts and factors have at most 19 digits, well within the 50 kept.
    assert Fraction((left + right).amount) == Fraction(left.amount) + Fraction(right.amount)
    assert Fraction((left - right).amount) == Fraction(left.amount) - Fraction(right.amount)
    assert Fraction((left * factor).amount) == Fraction(left.amount) * Fraction(factor)
    assert (factor * left) == left * factor
    assert (-left).amount == -left.amount
    assert abs(left).amount == abs(left.amount)
    if factor:
        assert (left / factor).amount == FIFTY_DIGITS.divide(left.amount, factor)
    if right.amount:
        ratio = left / right
        assert isinstance(ratio, Decimal)
        assert ratio == FIFTY_DIGITS.divide(left.amount, right.amount)


@given(value=money(), factor=st.integers(min_value=-(10**6), max_value=10**6))
@example(value=Money("1000000000000.00000", "BHD"), factor=1000000)
def test_multiplying_by_an_int_is_exact(value: Money, factor: int) -> None:
    exact = FIFTY_DIGITS.multiply(value.amount, Decimal(factor))
    if abs(exact) >= Decimal(10) ** 18:
        # Beyond Money's magnitude limit the product is refused, never rounded.
        with pytest.raises(ValidationError):
            value * factor
        return
    assert (value * factor).amount == exact
    assert (factor * value) == value * factor


@given(value=money(), factor=st.floats(allow_nan=True, allow_infinity=True))
def test_multiplying_or_dividing_by_a_float_is_refused(value: Money, factor: float) -> None:
    with pytest.raises(ValidationError) as info:
        value * factor  # type: ignore[operator]
    assert info.value.paths == ("factor",)
    with pytest.raises(ValidationError):
        factor * value  # type: ignore[operator]
    with pytest.raises(ValidationError) as info:
        value / factor  # type: ignore[operator]
    assert info.value.paths == ("divisor",)


@pytest.mark.parametrize("factor", [True, Decimal("NaN"), Decimal("Infinity"), "NaN"])
def test_multiplying_by_booleans_or_non_finite_numbers_is_refused(factor: Any) -> None:
    with pytest.raises(ValidationError):
        Money(1, "EUR") * factor


def test_money_times_money_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Money(1, "EUR") * Money(2, "EUR")  # type: ignore[operator]


@pytest.mark.parametrize("other", [1, Decimal(1), "1"])
def test_adding_a_bare_number_is_a_type_error(other: Any) -> None:
    with pytest.raises(TypeError):
        Money(1, "EUR") + other
    with pytest.raises(TypeError):
        Money(1, "EUR") - other
    with pytest.raises(TypeError):
        _ = Money(1, "EUR") < other


@pytest.mark.parametrize("divisor", [0, Decimal(0), Decimal("-0.00"), "0"])
def test_dividing_by_zero_is_a_validation_error(divisor: Any) -> None:
    with pytest.raises(ValidationError) as info:
        Money("10.00", "EUR") / divisor
    assert info.value.paths == ("divisor",)


@pytest.mark.parametrize("dividend", ["10.00", "0"])
def test_dividing_by_zero_money_is_a_validation_error(dividend: str) -> None:
    with pytest.raises(ValidationError) as info:
        Money(dividend, "EUR") / Money("0.00", "EUR")
    assert info.value.paths == ("divisor",)


@given(st.lists(money("EUR"), max_size=20))
def test_sum_adds_up_values_of_one_currency(values: list[Money]) -> None:
    total = Money.sum(values, "EUR")
    assert total.currency == "EUR"
    assert total.amount == sum((v.amount for v in values), Decimal(0))


@pytest.mark.parametrize("currency", CURRENCIES)
def test_sum_of_nothing_is_zero_in_the_currency(currency: str) -> None:
    total = Money.sum([], currency)
    assert total == Money(0, currency)
    assert total.currency == currency
    assert total.is_zero()


def test_sum_accepts_a_generator() -> None:
    values = (Money(n, "JPY") for n in range(5))
    assert Money.sum(values, "JPY") == Money(10, "JPY")


# -- rounding --------------------------------------------------------------------------------


@given(value=money())
def test_round_gives_a_rounded_amount_within_half_a_minor_unit(value: Money) -> None:
    rounded = value.round()
    assert rounded.is_rounded
    assert rounded.currency == value.currency
    assert abs(rounded.amount - value.amount) <= quantum(value.currency) / 2
    assert rounded.round() == rounded
    assert round(value) == rounded


@pytest.mark.parametrize("mode", ROUNDING_MODES)
@given(value=money())
def test_round_with_any_mode_lands_on_the_minor_unit_within_one_unit(
    mode: str, value: Money
) -> None:
    rounded = value.round(mode)
    assert rounded.is_rounded
    assert abs(rounded.amount - value.amount) < quantum(value.currency)
    if mode == ROUND_FLOOR:
        assert rounded <= value
    if mode == ROUND_CEILING:
        assert rounded >= value
    if mode == ROUND_DOWN:
        assert abs(rounded) <= abs(value)
    if mode == ROUND_UP:
        assert abs(rounded) >= abs(value)


@pytest.mark.parametrize(
    ("amount", "currency", "mode", "expected"),
    [
        ("2.345", "EUR", ROUND_HALF_UP, "2.35"),
        ("2.345", "EUR", ROUND_HALF_EVEN, "2.34"),
        ("-2.345", "EUR", ROUND_HALF_UP, "-2.35"),
        ("2.5", "JPY", ROUND_HALF_UP, "3"),
        ("2.5", "JPY", ROUND_HALF_EVEN, "2"),
        ("1.2345", "BHD", ROUND_HALF_UP, "1.235"),
        ("1.2345", "BHD", ROUND_DOWN, "1.234"),
        ("0.005", "CHF", ROUND_HALF_UP, "0.01"),
    ],
)
def test_round_uses_the_currency_exponent_and_the_mode(
    amount: str, currency: str, mode: str, expected: str
) -> None:
    rounded = Money(amount, currency).round(mode)
    assert rounded == Money(expected, currency)
    assert str(rounded.amount) == expected


def test_default_rounding_is_half_up() -> None:
    assert DEFAULT_ROUNDING == ROUND_HALF_UP
    assert Money("0.125", "EUR").round() == Money("0.13", "EUR")


def test_builtin_round_refuses_a_digit_count() -> None:
    with pytest.raises(TypeError):
        round(Money("1.234", "EUR"), 2)


@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [
        ("1.50", "EUR", True),
        ("1.5", "EUR", True),
        ("1.500000", "EUR", True),
        ("1.505", "EUR", False),
        ("100", "JPY", True),
        ("100.0", "JPY", True),
        ("100.5", "JPY", False),
        ("0.125", "BHD", True),
        ("0.1255", "BHD", False),
        ("-0.001", "EUR", False),
    ],
)
def test_is_rounded_means_no_digits_below_the_minor_unit(
    amount: str, currency: str, rounded: bool
) -> None:
    assert Money(amount, currency).is_rounded is rounded


# -- minor units -----------------------------------------------------------------------------


@given(units=st.integers(min_value=-(10**18) + 1, max_value=10**18 - 1), currency=currencies)
def test_minor_units_round_trip(units: int, currency: str) -> None:
    value = Money.from_minor_units(units, currency)
    assert value.currency == currency
    assert value.amount == Fraction(units, 10 ** EXPONENTS[currency])
    assert value.is_rounded
    assert value.minor_units == units


def test_from_minor_units_reads_cents_as_the_issue_describes() -> None:
    assert Money.from_minor_units(1999, "EUR") == Money("19.99", "EUR")
    assert Money.from_minor_units(1999, "JPY") == Money("1999", "JPY")
    assert Money.from_minor_units(1999, "BHD") == Money("1.999", "BHD")


@pytest.mark.parametrize("units", [True, 1.0, "100", Decimal(100), None])
def test_from_minor_units_refuses_anything_but_an_int(units: Any) -> None:
    with pytest.raises(ValidationError) as info:
        Money.from_minor_units(units, "EUR")
    assert info.value.paths == ("units",)


def test_from_minor_units_refuses_unknown_currency() -> None:
    with pytest.raises(ValidationError) as info:
        Money.from_minor_units(100, "XXY")
    assert info.value.paths == ("currency",)


@pytest.mark.parametrize(
    ("amount", "currency"), [("1.005", "EUR"), ("0.5", "JPY"), ("0.0001", "BHD")]
)
def test_minor_units_refuses_an_unrounded_amount(amount: str, currency: str) -> None:
    with pytest.raises(ValidationError) as info:
        Money(amount, currency).minor_units  # noqa: B018
    assert info.value.errors[0].code == "not_rounded"
    assert info.value.paths == ("amount",)


# -- allocation ------------------------------------------------------------------------------


@given(value=rounded_money(ALLOCATION_CURRENCIES), ws=weights)
@example(value=Money(100, "JPY"), ws=[1, 1, 1])
@example(value=Money(-100, "JPY"), ws=[1, 1, 1])
@example(value=Money("0.00", "EUR"), ws=[0, 3, 0])
@example(value=Money("0.05", "EUR"), ws=[Decimal("0.1"), Decimal("0.2"), Decimal("0.7")])
@example(value=Money("-0.001", "BHD"), ws=[1, 1])
def test_allocate_sums_exactly_and_never_leaves_a_part_more_than_one_minor_unit_off(
    value: Money, ws: list[int | Decimal]
) -> None:
    parts = value.allocate(ws)
    assert len(parts) == len(ws)
    assert all(p.currency == value.currency for p in parts)
    assert all(p.is_rounded for p in parts)
    assert Money.sum(parts, value.currency) == value
    total_units = minor_units_of(value)
    assert sum(minor_units_of(p) for p in parts) == total_units
    for part, share in zip(parts, exact_shares(int(total_units), ws), strict=True):
        assert abs(minor_units_of(part) - share) < 1


@given(value=rounded_money(ALLOCATION_CURRENCIES), ws=weights)
def test_allocate_gives_zero_weights_nothing(value: Money, ws: list[int | Decimal]) -> None:
    parts = value.allocate(ws)
    for part, weight in zip(parts, ws, strict=True):
        if weight == 0:
            assert part.is_zero()


@given(value=rounded_money(ALLOCATION_CURRENCIES), ws=weights)
def test_allocating_a_negative_amount_mirrors_the_positive_one(
    value: Money, ws: list[int | Decimal]
) -> None:
    assert (-value).allocate(ws) == [-p for p in value.allocate(ws)]


@given(
    # Up to 18 digits of minor units: JPY amounts just below Money's 10**18 bound.
    units=st.integers(min_value=-(10**18) + 1, max_value=10**18 - 1),
    currency=st.sampled_from(ALLOCATION_CURRENCIES),
    ws=st.lists(
        st.one_of(
            st.integers(min_value=0, max_value=10**30),
            st.decimals(
                min_value=0, max_value=10**30, allow_nan=False, allow_infinity=False, places=20
            ),
        ),
        min_size=1,
        max_size=6,
    ).filter(lambda ws: sum(Fraction(w) for w in ws) > 0),
)
@example(
    units=999_999_999_999_920_509,
    currency="BHD",
    ws=[
        13_759_730_035_077,
        879_606_180_254_450_422,
        999_999_999_999_999_999_999_999_999_960,
        Decimal("3601709123479.6503386399"),
    ],
)
def test_allocate_stays_exact_for_long_amounts_and_weights(
    units: int, currency: str, ws: list[int | Decimal]
) -> None:
    value = Money(Decimal(units).scaleb(-EXPONENTS[currency]), currency)
    parts = value.allocate(ws)
    assert sum(minor_units_of(p) for p in parts) == units
    for part, share in zip(parts, exact_shares(units, ws), strict=True):
        assert abs(minor_units_of(part) - share) < 1


def test_allocate_gives_leftover_units_to_the_largest_remainders_first() -> None:
    # Exact shares 33.33.., 33.33.., 33.33..: the spare unit goes to the first part.
    assert Money(100, "JPY").allocate([1, 1, 1]) == [Money(n, "JPY") for n in (34, 33, 33)]
    # Exact shares 0.5, 1.5, 3.0 cents: the remainders tie, earlier parts win.
    assert Money("0.05", "EUR").allocate([1, 3, 6]) == [
        Money("0.01", "EUR"),
        Money("0.01", "EUR"),
        Money("0.03", "EUR"),
    ]


@pytest.mark.parametrize(
    ("ws", "paths"),
    [
        ([], ("weights",)),
        ([0, 0], ("weights",)),
        ([1, -1], ("weights.1",)),
        ([1, 0.5], ("weights.1",)),
        ([True, 1], ("weights.0",)),
        ([1, "NaN"], ("weights.1",)),
        ([-1, 1.5, 2], ("weights.0", "weights.1")),
    ],
)
def test_allocate_refuses_bad_weights(ws: list[Any], paths: tuple[str, ...]) -> None:
    with pytest.raises(ValidationError) as info:
        Money("10.00", "EUR").allocate(ws)
    assert info.value.paths == paths


def test_allocate_refuses_an_unrounded_amount_and_bad_weights_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        Money("10.005", "EUR").allocate([1, -1])
    assert info.value.paths == ("weights.1", "amount")
    assert info.value.errors[1].code == "not_rounded"


# -- ordering and equality -------------------------------------------------------------------


@given(pair=same_currency())
def test_ordering_is_consistent_with_amounts(pair: tuple[Money, Money]) -> None:
    left, right = pair
    assert (left < right) == (left.amount < right.amount)
    assert (left <= right) == (left.amount <= right.amount)
    assert (left > right) == (left.amount > right.amount)
    assert (left >= right) == (left.amount >= right.amount)
    assert (left == right) == (left.amount == right.amount)


@given(st.lists(money("BHD"), max_size=15))
def test_sorting_money_sorts_by_amount(values: list[Money]) -> None:
    assert [v.amount for v in sorted(values)] == sorted(v.amount for v in values)
    if values:
        assert max(values).amount == max(v.amount for v in values)


@given(value=money(), extra_zeros=st.integers(min_value=1, max_value=5))
def test_equal_amounts_with_different_trailing_zeros_are_equal_and_hash_alike(
    value: Money, extra_zeros: int
) -> None:
    padded_text = str(value.amount)
    padded_text += "0" * extra_zeros if "." in padded_text else "." + "0" * extra_zeros
    assume("E" not in padded_text and "e" not in padded_text)
    padded = Money(padded_text, value.currency)
    assert padded == value
    assert hash(padded) == hash(value)
    assert len({padded, value}) == 1


def test_bool_and_is_zero_follow_the_amount() -> None:
    assert not Money("0.00", "EUR")
    assert Money("0.00", "EUR").is_zero()
    assert Money("-0.01", "EUR")
    assert not Money("-0.01", "EUR").is_zero()


# -- display and data ------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["de_DE", "en_US", "ja_JP"])
@pytest.mark.parametrize(
    ("amount", "currency"),
    [
        ("1234.5", "EUR"),
        ("-1234.5", "USD"),
        ("1234567", "JPY"),
        ("0.125", "BHD"),
        ("19.99", "CHF"),
    ],
)
def test_format_matches_babel_for_the_locale(locale: str, amount: str, currency: str) -> None:
    value = Money(amount, currency)
    # babel rounds with the ambient context's mode; Money.format rounds half-up like round().
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        expected = format_currency(Decimal(amount), currency, locale=locale)
        without_currency_digits = format_currency(
            Decimal(amount), currency, locale=locale, currency_digits=False
        )
        pattern = "#,##0.00 ¤¤"
        with_pattern = format_currency(Decimal(amount), currency, format=pattern, locale=locale)
    assert value.format(locale) == expected
    assert value.format(locale, currency_digits=False) == without_currency_digits
    assert value.format(locale, format=pattern) == with_pattern


def test_format_depends_on_the_locale() -> None:
    value = Money("1234.5", "EUR")
    assert value.format("de_DE") != value.format("en_US")


@given(value=money())
def test_repr_evaluates_back_to_an_equal_value(value: Money) -> None:
    text = repr(value)
    assert text.startswith("Money(")
    assert eval(text, {"Money": Money}) == value


def test_str_and_to_dict_keep_the_exact_amount() -> None:
    value = Money("12.30", "EUR")
    assert str(value) == "12.30 EUR"
    assert value.to_dict() == {"amount": "12.30", "currency": "EUR"}


@given(value=money())
def test_money_pickles(value: Money) -> None:
    restored = pickle.loads(pickle.dumps(value))
    assert restored == value
    assert str(restored.amount) == str(value.amount)


@pytest.mark.parametrize("amount", ["1e18", "-1e18", "123456789012345678901234567890"])
def test_amounts_of_a_quintillion_or_more_are_refused(amount: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Money(Decimal(amount), "EUR")
    assert [(e.path, e.code) for e in caught.value.errors] == [("amount", "out_of_range")]


def test_the_largest_allowed_amount_still_rounds_and_allocates() -> None:
    largest = Money("999999999999999999.994", "BHD")
    assert largest.round().is_rounded
    assert Money.sum(largest.round().allocate([1, 2, 3]), "BHD") == largest.round()


# -- formatting rounds like round() ----------------------------------------------------------

ALL_ROUNDING_MODES = [*ROUNDING_MODES, ROUND_HALF_DOWN, ROUND_05UP]


def test_format_rounds_half_up_like_round_not_half_even_like_babel() -> None:
    value = Money("2.345", "EUR")
    assert value.round() == Money("2.35", "EUR")
    assert value.format("en_US") == "€2.35"
    assert value.format("en_US", rounding=ROUND_HALF_EVEN) == "€2.34"


@pytest.mark.parametrize("mode", ALL_ROUNDING_MODES)
@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
@given(value=money())
def test_format_shows_exactly_what_round_gives(mode: str, locale: str, value: Money) -> None:
    assert value.format(locale, rounding=mode) == value.round(mode).format(locale, rounding=mode)
    if mode == DEFAULT_ROUNDING:
        assert value.format(locale) == value.round().format(locale)


@pytest.mark.parametrize("mode", ALL_ROUNDING_MODES)
def test_rounding_accepts_every_mode_of_the_decimal_module(mode: str) -> None:
    value = Money("1.2345", "EUR")
    expected = Decimal("1.2345").quantize(Decimal("0.01"), rounding=mode)
    assert value.round(mode).amount == expected
    assert value.scaled(1, mode).amount == expected


# -- negative zero ---------------------------------------------------------------------------


def test_a_negative_amount_rounded_to_zero_is_plain_zero() -> None:
    rounded = (-Money("0.001", "EUR")).round()
    assert str(rounded.amount) == "0.00"
    assert not rounded.amount.is_signed()
    assert repr(rounded) == "Money('0.00', 'EUR')"
    assert rounded.to_dict() == {"amount": "0.00", "currency": "EUR"}
    assert rounded.format("en_US") == "€0.00"
    assert Money("-0.001", "EUR").format("en_US") == "€0.00"
    assert Money("-0.004", "EUR").scaled(1) == rounded
    assert not Money("-0.004", "EUR").scaled(1).amount.is_signed()


@pytest.mark.parametrize(
    "make",
    [
        lambda: -Money("0.00", "EUR"),
        lambda: -Money.zero("JPY"),
        lambda: Money("0.00", "EUR") * -3,
        lambda: -3 * Money("0.00", "EUR"),
        lambda: Money("0.00", "EUR") / -4,
        lambda: Money("-0.01", "EUR") + Money("0.01", "EUR"),
        lambda: Money("-0.01", "EUR") - Money("-0.01", "EUR"),
        lambda: Money("-0.01", "EUR").round(ROUND_DOWN) * 0,
        lambda: Money("-0.001", "EUR").round(ROUND_CEILING),
        lambda: Money.from_minor_units(0, "EUR") * Decimal("-1"),
    ],
)
def test_arithmetic_never_gives_a_negative_zero(make: Callable[[], Money]) -> None:
    result = make()
    assert result.is_zero()
    assert not result.amount.is_signed()
    assert not str(result.amount).startswith("-")


@pytest.mark.parametrize("mode", ALL_ROUNDING_MODES)
@given(value=money())
def test_round_gives_a_signed_amount_only_when_it_is_not_zero(mode: str, value: Money) -> None:
    rounded = value.round(mode)
    assert rounded.amount.is_signed() == (rounded.amount < 0)


# -- independent of the caller's decimal context ----------------------------------------------


def hostile_context() -> Context:
    # Few digits, and every condition a caller may choose to trap.
    return Context(
        prec=3,
        rounding=ROUND_FLOOR,
        traps=[InvalidOperation, DivisionByZero, Overflow, Inexact, Rounded, Subnormal],
    )


def test_the_review_examples_ignore_a_six_digit_ambient_context() -> None:
    with localcontext() as context:
        context.prec = 6
        assert Money("12345.67", "EUR") * 3 == Money("37037.01", "EUR")
        assert str((Money("12345.67", "EUR") * 3).amount) == "37037.01"
        assert Percentage("12.5").of(Money("1000000.00", "EUR")) == Money("125000.00", "EUR")


def outcomes(left: Money, right: Money, factor: Decimal) -> list[object]:
    """Every operation on the pair, as text (so exponents count too)."""
    results: list[object] = [
        left + right,
        left - right,
        left * factor,
        factor * left,
        -left,
        abs(left),
        left.round(),
        left.round(ROUND_HALF_EVEN),
        left.scaled(factor),
        Percentage("17.5").of(left),
        Percentage("17.5").of(left, rounded=False),
        left.is_rounded,
        left.round().minor_units,
        Money.from_minor_units(left.round().minor_units, left.currency),
        Money.zero(left.currency),
        Money.sum([left, right, left], left.currency),
        sum([left, right]),
        left.round().allocate([1, 2, Decimal("3.5")]),
        left.format("de_DE"),
        left.format("en_US", currency_digits=False),
    ]
    if factor:
        results.append(left / factor)
    if right.amount:
        results.append(left / right)
    return [repr(r) for r in results]


@given(pair=same_currency(), factor=factors)
def test_money_arithmetic_ignores_the_ambient_decimal_context(
    pair: tuple[Money, Money], factor: Decimal
) -> None:
    left, right = pair
    expected = outcomes(left, right, factor)
    with localcontext(hostile_context()):
        assert outcomes(left, right, factor) == expected


# -- the 10**18 limit holds for every result -------------------------------------------------

LARGEST_JPY = Money("999999999999999999", "JPY")


@pytest.mark.parametrize(
    "make",
    [
        lambda: Money.sum([LARGEST_JPY, LARGEST_JPY], "JPY"),
        lambda: Money.sum([Money("600000000000000000", "EUR")] * 2, "EUR"),
        lambda: LARGEST_JPY + Money(1, "JPY"),
        lambda: -LARGEST_JPY - Money(1, "JPY"),
        lambda: sum([LARGEST_JPY, LARGEST_JPY]),
        lambda: Money("100000000000000000", "EUR") * 10,
        lambda: Money("1", "EUR") * Decimal("1E+999999999999999999"),
        lambda: Money("1", "EUR") / Decimal("1E-18"),
        lambda: Money("1", "EUR") / Decimal("1E-999999999999999999"),
        lambda: Money("1", "EUR").scaled(Decimal("1E+30")),
        lambda: Money("1", "EUR").scaled(Decimal("1E+999999999999999999")),
        lambda: Money("999999999999999999.995", "EUR").round(),
        lambda: Money.from_minor_units(10**30, "EUR"),
        lambda: Money.from_minor_units(-(10**20), "EUR"),
        lambda: Money.from_minor_units(10**18, "JPY"),
    ],
)
def test_results_of_a_quintillion_or_more_are_refused_at_amount(
    make: Callable[[], Money],
) -> None:
    with pytest.raises(ValidationError) as caught:
        make()
    assert [(e.path, e.code) for e in caught.value.errors] == [("amount", "out_of_range")]


def test_the_largest_minor_unit_counts_are_still_accepted() -> None:
    assert Money.from_minor_units(10**20 - 1, "EUR") == Money("999999999999999999.99", "EUR")
    assert Money.from_minor_units(-(10**18) + 1, "JPY") == -LARGEST_JPY


big_amounts = st.integers(min_value=-(10**18) + 1, max_value=10**18 - 1).map(
    lambda units: Money.from_minor_units(units, "EUR")
)


@given(left=big_amounts, right=big_amounts, factor=st.integers(-(10**3), 10**3))
def test_a_result_is_refused_exactly_when_it_reaches_the_limit(
    left: Money, right: Money, factor: int
) -> None:
    cases: list[tuple[Callable[[], object], Fraction]] = [
        (lambda: left + right, Fraction(left.amount) + Fraction(right.amount)),
        (lambda: left - right, Fraction(left.amount) - Fraction(right.amount)),
        (lambda: left * factor, Fraction(left.amount) * factor),
        (lambda: sum([left, right, left]), 2 * Fraction(left.amount) + Fraction(right.amount)),
    ]
    for make, exact in cases:
        if abs(exact) >= 10**18:
            with pytest.raises(ValidationError) as caught:
                make()
            assert caught.value.paths == ("amount",)
        else:
            result = make()
            assert isinstance(result, Money)
            assert Fraction(result.amount) == exact
            assert from_dict(Money, to_dict(result)) == result
            assert result.round() == result


# -- rounding modes, locales -----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["UP", "half_up", "ROUND_HALF_UP ", None, 5, Decimal(1), ["x"]])
def test_an_unknown_rounding_mode_is_a_validation_error_at_rounding(mode: Any) -> None:
    value = Money("1.234", "EUR")
    calls: list[Callable[[], object]] = [
        lambda: value.round(mode),
        lambda: value.scaled(2, mode),
        lambda: value.format("en_US", rounding=mode),
        lambda: Percentage("10").of(value, rounding=mode),
        lambda: Percentage("10").of(value, rounded=False, rounding=mode),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as caught:
            call()
        assert [(e.path, e.code) for e in caught.value.errors] == [("rounding", "invalid_choice")]


@pytest.mark.parametrize("locale", ["xx_YY", "", "en-US-x", "not a locale", None, 42])
def test_an_unknown_locale_is_a_validation_error_at_locale(locale: Any) -> None:
    calls: list[Callable[[], object]] = [
        lambda: Money("1", "EUR").format(locale),
        lambda: Percentage("1").format(locale),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as caught:
            call()
        assert [(e.path, e.code) for e in caught.value.errors] == [("locale", "invalid")]


def test_format_still_takes_a_babel_locale_object() -> None:
    assert Money("1234.5", "EUR").format(Locale.parse("de_DE")) == "1.234,50\xa0€"  # type: ignore[arg-type]


# -- the builtin sum() -----------------------------------------------------------------------


@given(st.lists(money("EUR"), min_size=1, max_size=10))
def test_builtin_sum_adds_up_like_money_sum(values: list[Money]) -> None:
    assert sum(values) == Money.sum(values, "EUR")


def test_zero_plus_money_is_that_money() -> None:
    value = Money("12.30", "EUR")
    assert 0 + value is value
    assert sum([value]) is value


@pytest.mark.parametrize("other", [1, -1, False, True, Decimal(0), "0", 0.0])
def test_only_the_int_zero_adds_to_money_from_the_left(other: Any) -> None:
    with pytest.raises(TypeError):
        other + Money("1", "EUR")


def test_money_plus_a_bare_zero_is_still_a_type_error() -> None:
    with pytest.raises(TypeError):
        Money("1", "EUR") + 0  # type: ignore[operator]


def test_builtin_sum_refuses_mixed_currencies() -> None:
    with pytest.raises(CurrencyMismatch):
        sum([Money(1, "EUR"), Money(1, "USD")])


# -- issue #19: paths mutation testing showed no test reached ----------------------------------


@given(value=money(), factor=st.floats(allow_nan=True, allow_infinity=True))
def test_scaling_by_a_float_is_refused_at_factor(value: Money, factor: float) -> None:
    with pytest.raises(ValidationError) as caught:
        value.scaled(factor)  # type: ignore[arg-type]
    assert [(e.path, e.code) for e in caught.value.errors] == [("factor", "invalid")]


@pytest.mark.parametrize(
    "factor", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity"), True]
)
def test_scaling_by_a_non_finite_decimal_or_a_boolean_is_refused_at_factor(factor: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        Money("1.00", "EUR").scaled(factor)
    assert [(e.path, e.code) for e in caught.value.errors] == [("factor", "invalid")]


@pytest.mark.parametrize("factor", [3, "1.5", Decimal("1.5")])
def test_scaling_takes_an_int_a_decimal_string_or_a_decimal(factor: Any) -> None:
    value = Money("10.01", "EUR")
    exact = value.amount * Decimal(factor)
    assert value.scaled(factor) == Money(exact.quantize(Decimal("0.01"), ROUND_HALF_UP), "EUR")


@pytest.mark.parametrize(
    "make",
    [
        # Beyond any exponent a Decimal holds: the decimal module's Overflow, reported as amount.
        lambda: Money("-1", "EUR") * Decimal("1E+999999999999999999"),
        lambda: Decimal("9E+999999999999999999") * Money("2", "JPY"),
        lambda: Money("5", "EUR") / Decimal("1E-999999999999999999"),
        lambda: Money("-5", "EUR") / Decimal("-1E-999999999999999999"),
        lambda: Money("2", "EUR").scaled(Decimal("9E+999999999999999999"), ROUND_DOWN),
    ],
)
def test_a_product_or_quotient_past_the_decimal_range_is_out_of_range_at_amount(
    make: Callable[[], Money],
) -> None:
    with pytest.raises(ValidationError) as caught:
        make()
    assert [(e.path, e.code) for e in caught.value.errors] == [("amount", "out_of_range")]


def test_a_ratio_of_money_needs_no_overflow_guard_for_any_valid_amounts() -> None:
    # The largest ratio two valid amounts give (below 10**18 over 10**-100) is far inside the
    # Decimal range: Money / Money returns it exactly to 50 digits.
    largest = Money("999999999999999999", "EUR") / Money("1E-100", "EUR")
    assert largest == Decimal("999999999999999999E+100")
    assert Money("1E-100", "EUR") / Money("999999999999999999", "EUR") > 0


def _problems(call: Callable[[], object]) -> list[tuple[str, str, str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return [(e.path, e.code, e.message) for e in caught.value.errors]


BAD_MODE = "'HALF' is not a rounding mode of the decimal module (such as ROUND_HALF_UP)"
TOO_BIG = "amounts must be below 10^18 in absolute value"
NOT_ROUNDED = "round() the amount before allocating it"


@pytest.mark.parametrize(
    ("call", "problems"),
    [
        (lambda: Money("1", "EUR").round("HALF"), [("rounding", "invalid_choice", BAD_MODE)]),
        (lambda: Money("1", "EUR").scaled(2, "HALF"), [("rounding", "invalid_choice", BAD_MODE)]),
        (
            lambda: Money("1", "EUR").format("en_US", rounding="HALF"),
            [("rounding", "invalid_choice", BAD_MODE)],
        ),
        (
            lambda: Money("1", "EUR").format("xx_YY"),
            [("locale", "invalid", "'xx_YY' is not a known locale (such as en_US)")],
        ),
        (
            lambda: Money("1E-100", "EUR") / 10,
            [("amount", "out_of_range", "amounts must be zero or at least 10^-100")],
        ),
        (lambda: Money("1E+17", "EUR") * 10, [("amount", "out_of_range", TOO_BIG)]),
        (lambda: Money.from_minor_units(10**20, "EUR"), [("amount", "out_of_range", TOO_BIG)]),
        (
            lambda: Money.from_minor_units(1.5, "EUR"),  # type: ignore[arg-type]
            [("units", "invalid", "minor units must be an integer")],
        ),
        (
            lambda: Money("1", "EUR") * Decimal("NaN"),
            [("factor", "invalid", "must be a finite number")],
        ),
        (lambda: Money("1", "EUR") / 0, [("divisor", "invalid", "cannot divide by zero")]),
        (
            lambda: Money("1", "EUR") / Money("0", "EUR"),
            [("divisor", "invalid", "cannot divide by zero")],
        ),
        (
            lambda: Money("1", "EUR").allocate([]),
            [("weights", "required", "at least one weight is needed")],
        ),
        (
            lambda: Money("1", "EUR").allocate([-1, 1]),
            [("weights.0", "out_of_range", "weights must not be negative")],
        ),
        (
            lambda: Money("1", "EUR").allocate([0, Decimal("0.0")]),
            [("weights", "out_of_range", "the weights must have a positive sum")],
        ),
        (lambda: Money("1.001", "EUR").allocate([1]), [("amount", "not_rounded", NOT_ROUNDED)]),
    ],
)
def test_each_refusal_names_its_field_code_and_reason(
    call: Callable[[], object], problems: list[tuple[str, str, str]]
) -> None:
    assert _problems(call) == problems


def test_allocate_names_every_bad_weight_and_bounds_each_at_its_index() -> None:
    bad: list[Any] = ["x", 1.5, 1]
    paths = [p[0] for p in _problems(lambda: Money("1", "EUR").allocate(bad))]
    assert paths == ["weights.0", "weights.1"]
    big = _problems(lambda: Money("1", "EUR").allocate([1, Decimal("1E+200")]))
    assert [(path, code) for path, code, _ in big] == [("weights.1", "out_of_range")]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Money(1, "EUR") * Money(2, "EUR"), "cannot multiply Money by Money"),  # type: ignore[operator]
        (lambda: round(Money(1, "EUR"), 2), "Money rounds to its currency's minor unit"),
        (lambda: Money(1, "EUR") < 1, "cannot compare Money and int"),  # type: ignore[operator]
        (lambda: Money(1, "EUR") <= "1", "cannot compare Money and str"),  # type: ignore[operator]
    ],
)
def test_type_errors_say_what_was_mixed(call: Callable[[], object], message: str) -> None:
    with pytest.raises(TypeError) as caught:
        call()
    assert str(caught.value).startswith(message)


def test_results_do_not_depend_on_what_the_caches_already_hold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Quanta, locales and formatting contexts are worked out once and kept: the first (cold)
    # call must give what later (warm) calls give.
    from partnerkit.core import _money

    def outcomes() -> list[object]:
        # Each currency's first use goes through another way of finding its minor unit.
        return [
            Money("1002.3455", "KWD").scaled(Decimal("0.5"), ROUND_DOWN),
            Money("1002.3455", "BHD").round(),
            Money.zero("JPY"),
            Money("0.015", "CHF").is_rounded,
            Money("2.345", "EUR").format("de-DE"),
            Money("2.345", "EUR").format("en_US", currency_digits=False, rounding=ROUND_DOWN),
            Money("2.345", "EUR").format("en_US", currency_digits=False, rounding=ROUND_UP),
        ]

    warm = outcomes()
    assert warm[:4] == [
        Money("501.172", "KWD"),
        Money("1002.346", "BHD"),
        Money("0", "JPY"),
        False,
    ]
    assert warm[4:] == ["2,35\xa0€", "€2.34", "€2.35"]
    for cache in ("_QUANTA", "_LOCALES", "_FORMAT_CONTEXTS"):
        monkeypatch.setattr(_money, cache, {})
    assert outcomes() == warm
    assert outcomes() == warm


def test_known_currencies_are_the_iso_codes_babel_knows() -> None:
    assert all(is_known_currency(code) for code in CURRENCIES)
    unknown: list[Any] = ["XYZ", "eur", "", 978, None]
    assert not any(is_known_currency(code) for code in unknown)


def test_a_subclass_of_money_adds_like_money() -> None:
    class Price(Money):
        pass

    assert Money("1.50", "EUR") + Price("2.25", "EUR") == Money("3.75", "EUR")
    assert (Money("1.50", "EUR") + Price("2.25", "EUR")).currency == "EUR"
    with pytest.raises(CurrencyMismatch):
        Money("1.50", "EUR") + Price("2.25", "USD")


def test_bounded_holds_a_number_to_the_largest_exponent_it_is_given() -> None:
    from partnerkit.core._money import bounded

    assert bounded(Decimal("9.9E+4"), "weight", 4) == Decimal("9.9E+4")
    assert bounded(Decimal("1E+100"), "weight") == Decimal("1E+100")
    for value, maximum in [(Decimal("1E+5"), 4), (Decimal("1E+101"), None)]:
        with pytest.raises(ValidationError) as caught:
            bounded(value, "weight", maximum)
        limit = 5 if maximum == 4 else 101
        assert [(e.path, e.code, e.message) for e in caught.value.errors] == [
            ("weight", "out_of_range", f"must be below 10^{limit} in absolute value")
        ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1.5, "got a float; pass a Decimal, an int or a decimal string"),
        (True, "got a boolean; pass a Decimal, an int or a decimal string"),
        ("12,30", "'12,30' is not a decimal number"),
        ([], "got list; pass a Decimal, an int or a string"),
        ("NaN", "must be a finite number, not NaN or infinity"),
        (Decimal("-Infinity"), "must be a finite number, not NaN or infinity"),
    ],
)
def test_to_decimal_says_why_it_refuses_a_value(value: object, message: str) -> None:
    assert _problems(lambda: to_decimal(value, "price")) == [("price", "invalid", message)]


def test_results_at_the_edges_of_the_amount_range_are_plain_valid_amounts() -> None:
    # The smallest nonzero amount is kept; a zero below it or above 10**18 becomes a plain zero.
    assert Money("1E-99", "EUR") / 10 == Money("1E-100", "EUR")
    tiny_zero = Money("0E-100", "EUR") * Decimal("-1E-50")
    assert repr(tiny_zero) == "Money('0E-100', 'EUR')"
    assert not tiny_zero.amount.is_signed()
    for factor in ["1E+30", "1E+20"]:  # 0E+28, 0E+18: at 10**18 or more
        huge_zero = Money("0.00", "EUR") * Decimal(factor)
        assert repr(huge_zero) == "Money('0', 'EUR')"
        assert huge_zero.is_zero()
    assert repr(Money("0.00", "EUR") * Decimal("1E+16")) == "Money('0E+14', 'EUR')"


def test_an_amount_of_100_digits_is_kept_and_one_of_101_is_refused() -> None:
    hundred = Decimal("1." + "9" * 99)
    assert Money(hundred, "EUR").amount == hundred
    for longer in [Decimal("1." + "9" * 100), Decimal("9" * 17 + "." + "1" * 84)]:
        with pytest.raises(ValidationError) as caught:
            Money(longer, "EUR")
        assert caught.value.paths == ("amount",)


def test_money_says_why_it_refuses_an_amount_or_a_currency() -> None:
    assert _problems(lambda: Money(Decimal("-1E+18"), "XYZ")) == [
        ("amount", "out_of_range", TOO_BIG),
        ("currency", "invalid", "'XYZ' is not a known ISO 4217 currency code"),
    ]
