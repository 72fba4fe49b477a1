"""Percentage: a rate from 0 to 100 percent that says when it rounds."""

from __future__ import annotations

from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
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
    localcontext,
)
from typing import Any

import attrs
import pytest
from babel.numbers import format_percent
from hypothesis import given
from hypothesis import strategies as st

from partnerkit.core import Money, Percentage
from partnerkit.core.errors import ValidationError

EXPONENTS = {"JPY": 0, "EUR": 2, "CHF": 2, "BHD": 3}
ROUNDING_MODES = [ROUND_HALF_UP, ROUND_HALF_EVEN, ROUND_DOWN, ROUND_UP, ROUND_FLOOR, ROUND_CEILING]

rates = st.decimals(min_value=0, max_value=100, allow_nan=False, allow_infinity=False, places=4)
outside = st.one_of(
    st.decimals(max_value=Decimal("-0.0001"), allow_nan=False, allow_infinity=False, places=4),
    st.decimals(min_value=Decimal("100.0001"), allow_nan=False, allow_infinity=False, places=4),
)


@st.composite
def money(draw: st.DrawFn) -> Money:
    currency = draw(st.sampled_from(sorted(EXPONENTS)))
    amount = draw(
        st.decimals(
            min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False, places=3
        )
    )
    return Money(amount, currency)


def exact_share(value: Money, rate: Decimal) -> Decimal:
    with localcontext() as context:
        context.prec = 100
        return value.amount * rate / 100


def rounded(amount: Decimal, currency: str, mode: str) -> Decimal:
    with localcontext() as context:
        context.prec = 100
        return amount.quantize(Decimal(1).scaleb(-EXPONENTS[currency]), rounding=mode)


# -- range -----------------------------------------------------------------------------------


@given(rates)
def test_every_rate_from_0_to_100_is_accepted_as_given(rate: Decimal) -> None:
    assert Percentage(rate).value == rate
    assert Percentage(str(rate)).value == rate


@pytest.mark.parametrize("rate", [0, 100, "0", "100.000", Decimal("0.0001"), Decimal("99.9999")])
def test_the_range_includes_both_ends(rate: Any) -> None:
    assert Percentage(rate).value == Decimal(rate)


@given(outside)
def test_rates_outside_0_to_100_are_refused(rate: Decimal) -> None:
    with pytest.raises(ValidationError) as info:
        Percentage(rate)
    assert info.value.paths == ("value",)
    assert info.value.errors[0].code == "out_of_range"


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_floats_are_refused(rate: float) -> None:
    with pytest.raises(ValidationError) as info:
        Percentage(rate)  # type: ignore[arg-type]
    assert info.value.errors[0].code == "invalid"


@pytest.mark.parametrize("rate", [True, False, "NaN", "Infinity", "-Infinity", "ten", None])
def test_booleans_non_finite_and_junk_rates_are_refused(rate: Any) -> None:
    with pytest.raises(ValidationError) as info:
        Percentage(rate)
    assert info.value.paths == ("value",)


def test_percentage_is_immutable() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Percentage(5).value = Decimal(6)  # type: ignore[misc]


# -- fractions -------------------------------------------------------------------------------


@given(rates)
def test_fraction_is_the_rate_over_100(rate: Decimal) -> None:
    assert Percentage(rate).fraction == rate / 100


@given(st.decimals(min_value=0, max_value=1, allow_nan=False, allow_infinity=False, places=6))
def test_from_fraction_is_the_inverse_of_fraction(fraction: Decimal) -> None:
    rate = Percentage.from_fraction(fraction)
    assert rate.value == fraction * 100
    assert rate.fraction == fraction
    assert Percentage.from_fraction(str(fraction)) == rate


def test_from_fraction_reads_parts_of_one() -> None:
    assert Percentage.from_fraction("0.15") == Percentage(15)
    assert Percentage.from_fraction(1) == Percentage(100)
    assert Percentage.from_fraction(0) == Percentage(0)


@pytest.mark.parametrize("fraction", ["1.5", "-0.01", 2, "1.0000001"])
def test_from_fraction_refuses_fractions_outside_0_to_1_at_fraction(fraction: Any) -> None:
    with pytest.raises(ValidationError) as info:
        Percentage.from_fraction(fraction)
    assert [(e.path, e.code) for e in info.value.errors] == [("fraction", "out_of_range")]


@pytest.mark.parametrize("fraction", [0.15, True, "NaN"])
def test_from_fraction_refuses_floats_booleans_and_nan(fraction: Any) -> None:
    with pytest.raises(ValidationError) as info:
        Percentage.from_fraction(fraction)
    assert info.value.paths == ("fraction",)


# -- applying to money -----------------------------------------------------------------------


@given(rate=rates, value=money())
def test_of_is_the_exact_share_rounded_half_up_by_default(rate: Decimal, value: Money) -> None:
    share = Percentage(rate).of(value)
    assert share.currency == value.currency
    assert share.is_rounded
    assert share.amount == rounded(exact_share(value, rate), value.currency, ROUND_HALF_UP)


@pytest.mark.parametrize("mode", ROUNDING_MODES)
@given(rate=rates, value=money())
def test_of_rounds_with_the_mode_it_is_given(mode: str, rate: Decimal, value: Money) -> None:
    share = Percentage(rate).of(value, rounding=mode)
    assert share.amount == rounded(exact_share(value, rate), value.currency, mode)


@given(rate=rates, value=money())
def test_of_unrounded_is_the_exact_share(rate: Decimal, value: Money) -> None:
    share = Percentage(rate).of(value, rounded=False)
    assert share.currency == value.currency
    assert share.amount == exact_share(value, rate)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (ROUND_HALF_UP, "0.03"),
        (ROUND_HALF_EVEN, "0.02"),
        (ROUND_DOWN, "0.02"),
        (ROUND_UP, "0.03"),
    ],
)
def test_of_a_half_cent_share_depends_on_the_rounding_mode(mode: str, expected: str) -> None:
    # 50 % of 0.05 EUR is exactly 0.025 EUR, half-way between two cents.
    assert Percentage(50).of(Money("0.05", "EUR"), rounding=mode) == Money(expected, "EUR")


def test_of_the_issue_example_rounds_to_the_cent() -> None:
    value = Money("199.99", "EUR")
    # 12.5 % of 199.99 is exactly 24.99875.
    assert Percentage("12.5").of(value, rounded=False) == Money("24.99875", "EUR")
    assert Percentage("12.5").of(value) == Money("25.00", "EUR")


@given(value=money())
def test_0_percent_is_nothing_and_100_percent_is_everything(value: Money) -> None:
    assert Percentage(0).of(value).is_zero()
    assert Percentage(100).of(value) == value.round()


# -- complement and arithmetic ---------------------------------------------------------------


@given(rates)
def test_a_rate_and_its_complement_make_100_percent(rate: Decimal) -> None:
    percentage = Percentage(rate)
    assert percentage + percentage.complement() == Percentage(100)
    assert percentage.complement().complement() == percentage
    assert percentage.complement().value == 100 - rate


@given(rates, rates)
def test_adding_and_subtracting_stays_exact_inside_the_range(a: Decimal, b: Decimal) -> None:
    if a + b <= 100:
        assert (Percentage(a) + Percentage(b)).value == a + b
    else:
        with pytest.raises(ValidationError) as info:
            Percentage(a) + Percentage(b)
        assert info.value.errors[0].code == "out_of_range"
    if a >= b:
        assert (Percentage(a) - Percentage(b)).value == a - b
    else:
        with pytest.raises(ValidationError) as info:
            Percentage(a) - Percentage(b)
        assert info.value.errors[0].code == "out_of_range"


def test_adding_past_100_or_subtracting_below_0_is_refused() -> None:
    with pytest.raises(ValidationError):
        Percentage(60) + Percentage(50)
    with pytest.raises(ValidationError):
        Percentage(10) - Percentage("10.01")


@pytest.mark.parametrize("other", [5, Decimal(5), "5"])
def test_adding_a_bare_number_is_a_type_error(other: Any) -> None:
    with pytest.raises(TypeError):
        Percentage(10) + other
    with pytest.raises(TypeError):
        Percentage(10) - other


# -- ordering, equality, display -------------------------------------------------------------


@given(rates, rates)
def test_ordering_and_equality_follow_the_rate(a: Decimal, b: Decimal) -> None:
    assert (Percentage(a) < Percentage(b)) == (a < b)
    assert (Percentage(a) <= Percentage(b)) == (a <= b)
    assert (Percentage(a) == Percentage(b)) == (a == b)


def test_trailing_zeros_do_not_make_rates_different() -> None:
    assert Percentage("12.5") == Percentage("12.50")
    assert hash(Percentage("12.5")) == hash(Percentage("12.50"))


@pytest.mark.parametrize("locale", ["de_DE", "en_US", "ja_JP", "fr_FR"])
@pytest.mark.parametrize("rate", ["12.5", "0", "100", "33.3333"])
def test_format_matches_babel_for_the_locale(locale: str, rate: str) -> None:
    fraction = Decimal(rate) / 100
    assert Percentage(rate).format(locale) == format_percent(
        fraction, locale=locale, decimal_quantization=False
    )
    assert Percentage(rate).format(locale, decimal_quantization=True) == format_percent(
        fraction, locale=locale, decimal_quantization=True
    )


@given(rates)
def test_repr_evaluates_back_to_an_equal_rate(rate: Decimal) -> None:
    percentage = Percentage(rate)
    assert eval(repr(percentage), {"Percentage": Percentage}) == percentage
    assert str(percentage) == f"{rate}%"


# -- independent of the caller's decimal context ----------------------------------------------


def test_the_review_example_works_under_a_six_digit_ambient_context() -> None:
    with localcontext() as context:
        context.prec = 6
        assert Percentage("12.5").of(Money("1000000.00", "EUR")) == Money("125000.00", "EUR")


@given(a=rates, b=rates, value=money())
def test_percentage_arithmetic_ignores_the_ambient_decimal_context(
    a: Decimal, b: Decimal, value: Money
) -> None:
    def outcomes() -> list[str]:
        rate = Percentage(a)
        results: list[object] = [
            rate.fraction,
            rate.complement(),
            Percentage.from_fraction(rate.fraction),
            rate.of(value),
            rate.of(value, rounded=False),
            rate.of(value, rounding=ROUND_DOWN),
            rate.format("de_DE"),
            rate.format("en_US", decimal_quantization=True),
        ]
        try:
            results.append(rate + Percentage(b))
        except ValidationError as exc:
            results.append(exc.errors)
        try:
            results.append(rate - Percentage(b))
        except ValidationError as exc:
            results.append(exc.errors)
        return [repr(r) for r in results]

    expected = outcomes()
    hostile = Context(
        prec=2,
        rounding=ROUND_FLOOR,
        traps=[InvalidOperation, DivisionByZero, Overflow, Inexact, Rounded],
    )
    with localcontext(hostile):
        assert outcomes() == expected
