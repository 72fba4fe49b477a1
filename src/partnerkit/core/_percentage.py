"""Percentage: a validated Decimal rate that applies to Money with explicit rounding."""

from __future__ import annotations

from decimal import Decimal, localcontext

import attrs
from babel.numbers import format_percent

from partnerkit.core._money import (
    _CTX,
    _ROUNDINGS,
    DEFAULT_ROUNDING,
    Money,
    _add,
    _bad_rounding,
    _divide,
    _locale,
    _multiply,
    _subtract,
    bounded,
    to_decimal,
)
from partnerkit.core.errors import ValidationError

__all__ = ["Percentage"]

_HUNDRED = Decimal(100)


@attrs.frozen(order=True, repr=False, init=False)
class Percentage:
    """A rate in percent between 0 and 100 inclusive: ``Percentage("12.5")`` is 12.5 %.

    The value is zero or at least 10^-100 and has at most 100 significant
    digits (``out_of_range`` at ``value`` otherwise), like every number partnerkit reads.

    Margins, discounts and shares are percentages; applying one to Money
    says when it rounds. Arithmetic runs with 50 significant digits whatever
    the caller's ``decimal`` context.

    >>> margin = Percentage("12.5")
    >>> margin.of(Money("199.99", "EUR"))
    Money('25.00', 'EUR')
    >>> margin.of(Money("199.99", "EUR"), rounded=False)
    Money('24.99875', 'EUR')
    >>> margin.complement()
    Percentage('87.5')
    >>> Percentage("120")
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 1 invalid field: value: 120 is outside 0..100 ...
    """

    value: Decimal
    _fraction: Decimal = attrs.field(init=False, eq=False, order=False, repr=False, hash=False)

    def __init__(self, value: Decimal | int | str) -> None:
        number = bounded(to_decimal(value, "value"), "value")
        if not 0 <= number <= _HUNDRED:
            raise ValidationError.single(
                "value", "out_of_range", f"{number} is outside 0..100 (percent)"
            )
        object.__setattr__(self, "value", number)
        object.__setattr__(self, "_fraction", _divide(number, _HUNDRED))

    @classmethod
    def from_fraction(cls, fraction: Decimal | int | str) -> Percentage:
        """Build from a fraction of one: ``from_fraction("0.15")`` is 15 %.

        A fraction outside 0..1 is a :class:`ValidationError` at ``fraction``.
        """
        number = bounded(to_decimal(fraction, "fraction"), "fraction", 0)
        if not 0 <= number <= 1:
            raise ValidationError.single(
                "fraction", "out_of_range", f"{number} is outside 0..1 (a fraction of one)"
            )
        try:
            return cls(_multiply(number, _HUNDRED))
        except ValidationError as exc:  # a fraction below 10^-102: a value below 10^-100
            raise ValidationError.single(
                "fraction", "out_of_range", exc.errors[0].message
            ) from None

    @property
    def fraction(self) -> Decimal:
        """The rate as a fraction of one (15 % → ``Decimal("0.15")``)."""
        return self._fraction

    def of(self, money: Money, *, rounded: bool = True, rounding: str = DEFAULT_ROUNDING) -> Money:
        """Return this share of ``money``, rounded with ``rounding`` unless ``rounded=False``.

        ``rounding`` is one of the ``decimal`` module's ``ROUND_*`` modes, as
        for :meth:`Money.round`.
        """
        if rounded:
            return money.scaled(self._fraction, rounding)
        if type(rounding) is not str or rounding not in _ROUNDINGS:
            raise _bad_rounding(rounding)
        return money * self._fraction

    def complement(self) -> Percentage:
        """100 % minus this rate."""
        return Percentage(_subtract(_HUNDRED, self.value))

    def __add__(self, other: Percentage) -> Percentage:
        if not isinstance(other, Percentage):
            return NotImplemented
        return Percentage(_add(self.value, other.value))

    def __sub__(self, other: Percentage) -> Percentage:
        if not isinstance(other, Percentage):
            return NotImplemented
        return Percentage(_subtract(self.value, other.value))

    def format(self, locale: str, *, decimal_quantization: bool = False) -> str:
        """Format for people in ``locale`` through babel (``12,5 %`` in German).

        An unknown locale is a :class:`ValidationError` at ``locale``.
        """
        parsed = _locale(locale)
        with localcontext(_CTX):
            return str(
                format_percent(
                    self.fraction, locale=parsed, decimal_quantization=decimal_quantization
                )
            )

    def __repr__(self) -> str:
        return f"Percentage({str(self.value)!r})"

    def __str__(self) -> str:
        return f"{self.value}%"
