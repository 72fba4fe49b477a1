"""Money: a Decimal amount in one ISO 4217 currency."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from functools import cache
from typing import Any, SupportsIndex, overload

import attrs
from babel.numbers import format_currency, get_currency_precision, list_currencies

from partnerkit.core._validation import ErrorCollector
from partnerkit.core.errors import CurrencyMismatch, FieldError, ValidationError

__all__ = [
    "DEFAULT_ROUNDING",
    "Money",
    "currency_exponent",
    "is_known_currency",
    "to_decimal",
]

#: The rounding mode :meth:`Money.round` uses unless told otherwise: half away
#: from zero, the "commercial" rounding of invoices and price lists.
DEFAULT_ROUNDING = ROUND_HALF_UP

_KNOWN_CURRENCIES = frozenset(list_currencies())


def is_known_currency(code: str) -> bool:
    """Whether ``code`` is an ISO 4217 currency code that babel (CLDR) knows."""
    return code in _KNOWN_CURRENCIES


@cache
def currency_exponent(code: str) -> int:
    """The number of decimal places of ``code``'s minor unit (JPY 0, EUR 2, BHD 3), from CLDR."""
    return int(get_currency_precision(code))


_QUANTA: dict[str, Decimal] = {}


def _quantum(code: str) -> Decimal:
    quantum = _QUANTA.get(code)
    if quantum is None:
        quantum = _QUANTA[code] = Decimal(1).scaleb(-currency_exponent(code))
    return quantum


def to_decimal(value: object, path: str = "amount") -> Decimal:
    """Convert ``value`` to a finite Decimal, refusing floats, booleans and NaN/infinity.

    Accepts ``Decimal``, ``int`` and decimal strings such as ``"12.30"``.
    Raises :class:`ValidationError` naming ``path`` otherwise.
    """
    if type(value) is Decimal:
        result = value
    elif isinstance(value, (bool, float)):
        kind = "a boolean" if isinstance(value, bool) else "a float"
        raise ValidationError.single(
            path, "invalid", f"got {kind}; pass a Decimal, an int or a decimal string"
        )
    elif isinstance(value, (int, Decimal)):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValidationError.single(
                path, "invalid", f"{value!r} is not a decimal number"
            ) from None
    else:
        raise ValidationError.single(
            path, "invalid", f"got {type(value).__name__}; pass a Decimal, an int or a string"
        )
    if not result.is_finite():
        raise ValidationError.single(
            path, "invalid", "must be a finite number, not NaN or infinity"
        )
    return result


@attrs.frozen(eq=True, order=False, repr=False, init=False)
class Money:
    """An amount of money: a finite ``Decimal`` and an ISO 4217 currency code.

    The amount keeps the precision it was given; :meth:`round` brings it to
    the currency's minor unit. Arithmetic between different currencies raises
    :class:`~partnerkit.core.errors.CurrencyMismatch`; floats are refused
    everywhere.

    >>> price = Money("19.99", "EUR")
    >>> price * 3
    Money('59.97', 'EUR')
    >>> (price * Decimal("0.15")).round()
    Money('3.00', 'EUR')
    >>> Money(100, "JPY").allocate([1, 1, 1])
    [Money('34', 'JPY'), Money('33', 'JPY'), Money('33', 'JPY')]
    >>> Money(1.5, "EUR")
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 1 invalid field: amount: got a float; ...
    """

    amount: Decimal
    currency: str

    def __init__(self, amount: Decimal | int | str, currency: str) -> None:
        # Fast path: an already finite Decimal in a known currency needs no further checks.
        if (
            type(amount) is Decimal
            and type(currency) is str
            and currency in _KNOWN_CURRENCIES
            and amount.is_finite()
        ):
            _set_amount(self, amount)
            _set_currency(self, currency)
            return
        errors: list[FieldError] = []
        try:
            value = to_decimal(amount)
        except ValidationError as exc:
            errors.extend(exc.errors)
            value = Decimal(0)
        if not isinstance(currency, str) or currency not in _KNOWN_CURRENCIES:
            errors.append(
                FieldError(
                    "currency", "invalid", f"{currency!r} is not a known ISO 4217 currency code"
                )
            )
        if errors:
            raise ValidationError(errors)
        _set_amount(self, value)
        _set_currency(self, currency)

    @classmethod
    def _trusted(cls, amount: Decimal, currency: str) -> Money:
        # Internal fast path for results of arithmetic on already valid values.
        self = _new(cls)
        _set_amount(self, amount)
        _set_currency(self, currency)
        return self

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in ``currency``, at the currency's minor unit (``0.00`` for EUR)."""
        checked = cls(0, currency)
        return cls._trusted(_quantum(currency) * 0, checked.currency)

    @classmethod
    def from_minor_units(cls, units: int, currency: str) -> Money:
        """Build from an integer count of minor units (cents): ``from_minor_units(1999, "EUR")``."""
        if isinstance(units, bool) or not isinstance(units, int):
            raise ValidationError.single("units", "invalid", "minor units must be an integer")
        money = cls(0, currency)
        return cls._trusted(Decimal(units).scaleb(-currency_exponent(currency)), money.currency)

    @classmethod
    def sum(cls, values: Iterable[Money], currency: str) -> Money:
        """Add up ``values``; an empty iterable gives zero in ``currency``."""
        total = cls.zero(currency)
        for value in values:
            total = total + value
        return total

    # -- facts ------------------------------------------------------------------------------

    @property
    def exponent(self) -> int:
        """Decimal places of this currency's minor unit."""
        return currency_exponent(self.currency)

    @property
    def is_rounded(self) -> bool:
        """Whether the amount has no digits below the currency's minor unit."""
        return self.amount == self.amount.quantize(_quantum(self.currency), rounding=ROUND_FLOOR)

    @property
    def minor_units(self) -> int:
        """The amount as an integer count of minor units; the amount must be rounded."""
        if not self.is_rounded:
            raise ValidationError.single(
                "amount",
                "not_rounded",
                f"{self.amount} has digits below the minor unit of {self.currency}; round() first",
            )
        return int(self.amount.scaleb(self.exponent))

    def is_zero(self) -> bool:
        """Whether the amount is zero."""
        return not self.amount

    # -- rounding and splitting --------------------------------------------------------------

    def round(self, rounding: str = DEFAULT_ROUNDING) -> Money:
        """Round to the currency's minor unit (CLDR data) with ``rounding`` (half-up by default).

        ``rounding`` is one of the ``decimal`` module's modes, such as
        ``decimal.ROUND_HALF_EVEN`` for banker's rounding.

        >>> Money("2.345", "EUR").round()
        Money('2.35', 'EUR')
        >>> Money("2.5", "JPY").round(), Money("1.2345", "BHD").round()
        (Money('3', 'JPY'), Money('1.235', 'BHD'))
        """
        currency = self.currency
        quantum = _QUANTA.get(currency) or _quantum(currency)
        return Money._trusted(self.amount.quantize(quantum, rounding=rounding), currency)

    def scaled(self, factor: Decimal | int, rounding: str = DEFAULT_ROUNDING) -> Money:
        """Multiply by ``factor`` and round to the minor unit in one step (one rounding point).

        >>> Money("199.99", "EUR").scaled(Decimal("0.175"))
        Money('35.00', 'EUR')
        """
        if type(factor) is not Decimal or not factor.is_finite():
            factor = to_decimal(factor, "factor")
        currency = self.currency
        quantum = _QUANTA.get(currency) or _quantum(currency)
        return Money._trusted((self.amount * factor).quantize(quantum, rounding=rounding), currency)

    def allocate(self, weights: Sequence[int | Decimal]) -> list[Money]:
        """Split into parts proportional to ``weights`` that add up to exactly this amount.

        Works in minor units with the largest-remainder method: each part is
        its exact share rounded down, and the units left over go one each to
        the parts with the largest remainders (earlier parts first on ties).
        No part is ever more than one minor unit away from its exact share.
        The amount must already be rounded; weights must be non-negative
        integers or Decimals with a positive sum.
        """
        errors = ErrorCollector()
        if not weights:
            errors.add("weights", "required", "at least one weight is needed")
        decimal_weights: list[Decimal] = []
        for i, weight in enumerate(weights):
            try:
                w = to_decimal(weight, f"weights.{i}")
            except ValidationError as exc:
                errors.extend(exc)
                continue
            if w < 0:
                errors.add(f"weights.{i}", "out_of_range", "weights must not be negative")
            decimal_weights.append(w)
        if not errors and sum(decimal_weights) <= 0:
            errors.add("weights", "out_of_range", "the weights must have a positive sum")
        if not self.is_rounded:
            errors.add("amount", "not_rounded", "round() the amount before allocating it")
        errors.raise_if_any()
        total_units = int(self.amount.scaleb(self.exponent))
        sign = -1 if total_units < 0 else 1
        units = abs(total_units)
        # Exact rational arithmetic: Decimal division rounds to the context
        # precision, which broke the one-minor-unit promise for long amounts
        # and weights.
        fractions = [Fraction(w) for w in decimal_weights]
        total_weight = sum(fractions, Fraction(0))
        floors: list[int] = []
        remainders: list[tuple[Fraction, int]] = []
        for i, part_weight in enumerate(fractions):
            exact = units * part_weight / total_weight
            floor = exact.numerator // exact.denominator
            floors.append(floor)
            remainders.append((exact - floor, i))
        leftover = units - sum(floors)
        remainders.sort(key=lambda r: (-r[0], r[1]))
        for _, i in remainders[:leftover]:
            floors[i] += 1
        exponent = self.exponent
        return [Money._trusted(Decimal(sign * f).scaleb(-exponent), self.currency) for f in floors]

    # -- arithmetic --------------------------------------------------------------------------

    def _other(self, other: object, operation: str) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot {operation} Money and {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(self.currency, other.currency, operation)
        return other

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money._trusted(self.amount + self._other(other, "add").amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money._trusted(self.amount - self._other(other, "subtract").amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if type(factor) is not Decimal:
            if isinstance(factor, Money):
                raise TypeError("cannot multiply Money by Money")
            factor = to_decimal(factor, "factor")
        elif not factor.is_finite():
            raise ValidationError.single("factor", "invalid", "must be a finite number")
        return Money._trusted(self.amount * factor, self.currency)

    __rmul__ = __mul__

    @overload
    def __truediv__(self, other: Money) -> Decimal: ...
    @overload
    def __truediv__(self, other: Decimal | int) -> Money: ...

    def __truediv__(self, other: Money | Decimal | int) -> Money | Decimal:
        """Divide by a number (unrounded Money) or by Money of the same currency (a ratio)."""
        if isinstance(other, Money):
            divisor_amount = self._other(other, "divide").amount
            if not divisor_amount:
                raise ValidationError.single("divisor", "invalid", "cannot divide by zero")
            return self.amount / divisor_amount
        divisor = to_decimal(other, "divisor")
        if not divisor:
            raise ValidationError.single("divisor", "invalid", "cannot divide by zero")
        return Money._trusted(self.amount / divisor, self.currency)

    def __neg__(self) -> Money:
        return Money._trusted(-self.amount, self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money._trusted(abs(self.amount), self.currency)

    def __bool__(self) -> bool:
        return bool(self.amount)

    def __round__(self, ndigits: SupportsIndex | None = None) -> Money:
        if ndigits is not None:
            raise TypeError("Money rounds to its currency's minor unit; use Money.round()")
        return self.round()

    # -- ordering ----------------------------------------------------------------------------

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._other(other, "compare").amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._other(other, "compare").amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._other(other, "compare").amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._other(other, "compare").amount

    # -- display -----------------------------------------------------------------------------

    def format(
        self, locale: str, *, format: str | None = None, currency_digits: bool = True
    ) -> str:
        r"""Format for people in ``locale`` through babel (always pass the reader's locale).

        >>> Money("1234.5", "EUR").format("de_DE")
        '1.234,50\xa0€'
        >>> Money("1234.5", "USD").format("en_US")
        '$1,234.50'
        """
        return str(
            format_currency(
                self.amount,
                self.currency,
                format=format,
                locale=locale,
                currency_digits=currency_digits,
            )
        )

    def __repr__(self) -> str:
        return f"Money({str(self.amount)!r}, {self.currency!r})"

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form: ``{"amount": "12.30", "currency": "EUR"}``."""
        return {"amount": str(self.amount), "currency": self.currency}


# attrs gives Money slots; writing through the slot descriptors skips the frozen __setattr__.
_set_amount = Money.__dict__["amount"].__set__
_set_currency = Money.__dict__["currency"].__set__
_new = object.__new__
