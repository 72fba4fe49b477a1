"""Money: a Decimal amount in one ISO 4217 currency."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import (
    MAX_EMAX,
    MIN_EMIN,
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
    InvalidOperation,
    Overflow,
    localcontext,
)
from fractions import Fraction
from functools import cache
from typing import Any, SupportsIndex, overload

import attrs
from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, list_currencies

from partnerkit.core._validation import MIN_ADJUSTED, ErrorCollector, bounds_problem
from partnerkit.core.errors import CurrencyMismatch, FieldError, ValidationError

__all__ = [
    "DEFAULT_ROUNDING",
    "MetricValue",
    "Money",
    "currency_exponent",
    "is_known_currency",
    "to_decimal",
]

#: The rounding mode :meth:`Money.round` uses unless told otherwise: half away
#: from zero, the "commercial" rounding of invoices and price lists.
DEFAULT_ROUNDING = ROUND_HALF_UP

_KNOWN_CURRENCIES = frozenset(list_currencies())

# Amounts stay below 10**18, checked wherever a Money is built, so rounding to
# any minor unit fits the arithmetic context below with room to spare. Nonzero
# amounts are at least 10**-100 and have at most 100 digits (bounds_problem).
_MAX_MAGNITUDE = 18
_MAX_DIGITS = 100

# Money and Percentage arithmetic runs in this context, never in the caller's
# ambient one (which a host may have set to 6 digits or to trap Inexact): 50
# significant digits, exponents as wide as the decimal module allows, and the
# conditions that would give a NaN or an infinity raise. Its flags are written
# by every operation and read by nothing.
_PRECISION = 50
_CTX = Context(
    prec=_PRECISION,
    rounding=ROUND_HALF_EVEN,
    Emax=MAX_EMAX,
    Emin=MIN_EMIN,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)
_add = _CTX.add
_subtract = _CTX.subtract
_multiply = _CTX.multiply
_divide = _CTX.divide

_ROUNDINGS = frozenset(
    {
        ROUND_05UP,
        ROUND_CEILING,
        ROUND_DOWN,
        ROUND_FLOOR,
        ROUND_HALF_DOWN,
        ROUND_HALF_EVEN,
        ROUND_HALF_UP,
        ROUND_UP,
    }
)


def _bad_rounding(rounding: object) -> ValidationError:
    return ValidationError.single(
        "rounding",
        "invalid_choice",
        f"{rounding!r} is not a rounding mode of the decimal module (such as ROUND_HALF_UP)",
    )


def _out_of_range(tiny: bool = False) -> ValidationError:
    if tiny:
        return ValidationError.single(
            "amount", "out_of_range", f"amounts must be zero or at least 10^{MIN_ADJUSTED}"
        )
    return ValidationError.single(
        "amount", "out_of_range", f"amounts must be below 10^{_MAX_MAGNITUDE} in absolute value"
    )


def bounded(value: Decimal, path: str, maximum: int | None = None) -> Decimal:
    """Return ``value`` if it is within partnerkit's number bounds, else raise ``out_of_range``.

    The bounds: at most 100 significant digits, and an adjusted exponent
    from -100 to ``maximum`` (100 unless given), so ``10**-100 <= |x| <
    10**(maximum + 1)`` or zero. Amounts, weights, rates and the numbers of
    a program file are held to them.
    """
    problem = bounds_problem(value) if maximum is None else bounds_problem(value, maximum)
    if problem is not None:
        raise ValidationError.single(path, "out_of_range", problem)
    return value


_LOCALES: dict[str, Locale] = {}


def _locale(value: object) -> Locale:
    """Parse a locale identifier (``en_US``) once; refuse unknown ones as a ValidationError."""
    if isinstance(value, str):
        found = _LOCALES.get(value)
        if found is not None:
            return found
        try:
            parsed = Locale.parse(value.strip().replace("-", "_"))
        except (UnknownLocaleError, ValueError, TypeError):
            pass
        else:
            _LOCALES[value] = parsed
            return parsed
    elif isinstance(value, Locale):
        return value
    raise ValidationError.single(
        "locale", "invalid", f"{value!r} is not a known locale (such as en_US)"
    )


# The contexts formatting runs in: babel quantizes with the ambient context's rounding.
_FORMAT_CONTEXTS: dict[str, Context] = {}


def _format_context(rounding: str) -> Context:
    context = _FORMAT_CONTEXTS.get(rounding)
    if context is None:
        context = _FORMAT_CONTEXTS[rounding] = _CTX.copy()
        context.rounding = rounding
    return context


def is_known_currency(code: str) -> bool:
    """Whether ``code`` is an ISO 4217 currency code that babel (CLDR) knows."""
    return isinstance(code, str) and code in _KNOWN_CURRENCIES


@cache
def currency_exponent(code: str) -> int:
    """The number of decimal places of ``code``'s minor unit (JPY 0, EUR 2, BHD 3), from CLDR."""
    return int(get_currency_precision(code))


_QUANTA: dict[str, Decimal] = {}


def _quantum(code: str) -> Decimal:
    quantum = _QUANTA.get(code)
    if quantum is None:
        quantum = _QUANTA[code] = Decimal(1).scaleb(-currency_exponent(code), _CTX)
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
    everywhere. Arithmetic runs with 50 significant digits whatever the
    caller's ``decimal`` context, and every amount stays below 10^18 in
    absolute value, is zero or at least 10^-100, and has at most 100
    significant digits (a :class:`ValidationError` at ``amount`` otherwise:
    ``out_of_range``).

    >>> from decimal import Decimal
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
            and MIN_ADJUSTED <= amount.adjusted() < _MAX_MAGNITUDE
            and amount.adjusted() - amount.as_tuple().exponent < _MAX_DIGITS  # type: ignore[operator]
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
        problem = bounds_problem(value, _MAX_MAGNITUDE - 1)
        if problem is not None:
            errors.append(FieldError("amount", "out_of_range", f"amounts {problem}"))
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
        # Internal fast path for results of arithmetic on already valid values: only
        # the magnitude can be wrong, and a negative zero becomes zero.
        if not amount:
            amount = amount.copy_abs()
            if amount.adjusted() < MIN_ADJUSTED:  # 0E-200: the same zero, a smaller exponent
                amount = Decimal((0, (0,), MIN_ADJUSTED))
            elif amount.adjusted() >= _MAX_MAGNITUDE:
                amount = Decimal(0)
        elif not MIN_ADJUSTED <= amount.adjusted() < _MAX_MAGNITUDE:
            raise _out_of_range(tiny=amount.adjusted() < MIN_ADJUSTED)
        self = _new(cls)
        _set_amount(self, amount)
        _set_currency(self, currency)
        return self

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in ``currency``, at the currency's minor unit (``0.00`` for EUR)."""
        checked = cls(0, currency)
        return cls._trusted(_multiply(_quantum(currency), 0), checked.currency)

    @classmethod
    def from_minor_units(cls, units: int, currency: str) -> Money:
        """Build from an integer count of minor units (cents): ``from_minor_units(1999, "EUR")``.

        Raises :class:`ValidationError` at ``amount`` for 10^18 or more in absolute value.
        """
        if isinstance(units, bool) or not isinstance(units, int):
            raise ValidationError.single("units", "invalid", "minor units must be an integer")
        money = cls(0, currency)
        exponent = currency_exponent(currency)
        if abs(units) >= 10 ** (_MAX_MAGNITUDE + exponent):
            raise _out_of_range()
        return cls._trusted(Decimal(units).scaleb(-exponent, _CTX), money.currency)

    @classmethod
    def sum(cls, values: Iterable[Money], currency: str) -> Money:
        """Add up ``values``; an empty iterable gives zero in ``currency``.

        The builtin ``sum(values)`` works too for a non-empty list; this one
        knows the currency of an empty total.
        """
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
        amount = self.amount
        return amount == amount.quantize(_quantum(self.currency), ROUND_FLOOR, _CTX)

    @property
    def minor_units(self) -> int:
        """The amount as an integer count of minor units; the amount must be rounded."""
        if not self.is_rounded:
            raise ValidationError.single(
                "amount",
                "not_rounded",
                f"{self.amount} has digits below the minor unit of {self.currency}; round() first",
            )
        return int(self.amount.scaleb(self.exponent, _CTX))

    def is_zero(self) -> bool:
        """Whether the amount is zero."""
        return not self.amount

    # -- rounding and splitting --------------------------------------------------------------

    def round(self, rounding: str = DEFAULT_ROUNDING) -> Money:
        """Round to the currency's minor unit (CLDR data) with ``rounding`` (half-up by default).

        ``rounding`` is one of the ``decimal`` module's ``ROUND_*`` modes, such
        as ``decimal.ROUND_HALF_EVEN`` for banker's rounding; anything else is a
        :class:`ValidationError` at ``rounding``. A result of zero is never
        negative zero.

        >>> Money("2.345", "EUR").round()
        Money('2.35', 'EUR')
        >>> Money("2.5", "JPY").round(), Money("1.2345", "BHD").round()
        (Money('3', 'JPY'), Money('1.235', 'BHD'))
        """
        if type(rounding) is not str or rounding not in _ROUNDINGS:
            raise _bad_rounding(rounding)
        currency = self.currency
        quantum = _QUANTA.get(currency) or _quantum(currency)
        return Money._trusted(self.amount.quantize(quantum, rounding, _CTX), currency)

    def scaled(self, factor: Decimal | int, rounding: str = DEFAULT_ROUNDING) -> Money:
        """Multiply by ``factor`` and round to the minor unit in one step (one rounding point).

        ``rounding`` is as for :meth:`round`.

        >>> from decimal import Decimal
        >>> Money("199.99", "EUR").scaled(Decimal("0.175"))
        Money('35.00', 'EUR')
        """
        if type(factor) is not Decimal or not factor.is_finite():
            factor = to_decimal(factor, "factor")
        if type(rounding) is not str or rounding not in _ROUNDINGS:
            raise _bad_rounding(rounding)
        currency = self.currency
        quantum = _QUANTA.get(currency) or _quantum(currency)
        try:
            amount = _multiply(self.amount, factor).quantize(quantum, rounding, _CTX)
        except (InvalidOperation, Overflow):  # a product far beyond 10**18
            raise _out_of_range() from None
        return Money._trusted(amount, currency)

    def allocate(self, weights: Sequence[int | Decimal]) -> list[Money]:
        """Split into parts proportional to ``weights`` that add up to exactly this amount.

        Works in minor units with the largest-remainder method: each part is
        its exact share rounded down, and the units left over go one each to
        the parts with the largest remainders (earlier parts first on ties).
        No part is ever more than one minor unit away from its exact share.
        The amount must already be rounded; weights must be non-negative
        integers or Decimals with a positive sum, each within partnerkit's
        number bounds (:func:`bounded`: below 10^101, zero or at least
        10^-100, at most 100 digits; ``out_of_range`` otherwise).
        """
        errors = ErrorCollector()
        if not weights:
            errors.add("weights", "required", "at least one weight is needed")
        decimal_weights: list[Decimal] = []
        for i, weight in enumerate(weights):
            try:
                w = bounded(to_decimal(weight, f"weights.{i}"), f"weights.{i}")
            except ValidationError as exc:
                errors.extend(exc)
                continue
            if w < 0:
                errors.add(f"weights.{i}", "out_of_range", "weights must not be negative")
            decimal_weights.append(w)
        if not errors and not any(w > 0 for w in decimal_weights):
            errors.add("weights", "out_of_range", "the weights must have a positive sum")
        if not self.is_rounded:
            errors.add("amount", "not_rounded", "round() the amount before allocating it")
        errors.raise_if_any()
        total_units = int(self.amount.scaleb(self.exponent, _CTX))
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
        return [
            Money._trusted(Decimal(sign * f).scaleb(-exponent, _CTX), self.currency) for f in floors
        ]

    # -- arithmetic --------------------------------------------------------------------------

    def _other(self, other: object, operation: str) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot {operation} Money and {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(self.currency, other.currency, operation)
        return other

    def __add__(self, other: Money) -> Money:
        currency = self.currency
        if type(other) is Money and other.currency == currency:
            # Inlined _trusted: adding up is the hottest path.
            amount = _add(self.amount, other.amount)
            if amount and MIN_ADJUSTED <= amount.adjusted() < _MAX_MAGNITUDE:
                result = _new(Money)
                _set_amount(result, amount)
                _set_currency(result, currency)
                return result
            return Money._trusted(amount, currency)
        if not isinstance(other, Money):
            return NotImplemented
        return Money._trusted(_add(self.amount, self._other(other, "add").amount), currency)

    def __radd__(self, other: int) -> Money:
        # Only for the builtin sum(), which starts from the int 0.
        if type(other) is int and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money._trusted(
            _subtract(self.amount, self._other(other, "subtract").amount), self.currency
        )

    def __mul__(self, factor: Decimal | int) -> Money:
        if type(factor) is not Decimal:
            if isinstance(factor, Money):
                raise TypeError("cannot multiply Money by Money")
            factor = to_decimal(factor, "factor")
        elif not factor.is_finite():
            raise ValidationError.single("factor", "invalid", "must be a finite number")
        try:
            product = _multiply(self.amount, factor)
        except Overflow:
            raise _out_of_range() from None
        return Money._trusted(product, self.currency)

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
            # No overflow: amounts are below 10**18 and nonzero ones at least 10**-100, so a
            # ratio is below 10**118, far inside the context's exponent range.
            return _divide(self.amount, divisor_amount)
        divisor = to_decimal(other, "divisor")
        if not divisor:
            raise ValidationError.single("divisor", "invalid", "cannot divide by zero")
        try:
            quotient = _divide(self.amount, divisor)
        except Overflow:
            raise _out_of_range() from None
        return Money._trusted(quotient, self.currency)

    def __neg__(self) -> Money:
        return Money._trusted(self.amount.copy_negate(), self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money._trusted(self.amount.copy_abs(), self.currency)

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
        self,
        locale: str,
        *,
        format: str | None = None,
        currency_digits: bool = True,
        rounding: str = DEFAULT_ROUNDING,
    ) -> str:
        r"""Format for people in ``locale`` through babel (always pass the reader's locale).

        With ``currency_digits`` (the default) the amount is shown at the
        currency's minor unit, rounded with ``rounding`` exactly as
        :meth:`round` does, so the text matches the rounded amount. An unknown
        locale or rounding mode is a :class:`ValidationError` at ``locale`` or
        ``rounding``.

        >>> Money("1234.5", "EUR").format("de_DE")
        '1.234,50\xa0€'
        >>> Money("1234.5", "USD").format("en_US")
        '$1,234.50'
        >>> Money("2.345", "EUR").format("en_US")
        '€2.35'
        """
        if type(rounding) is not str or rounding not in _ROUNDINGS:
            raise _bad_rounding(rounding)
        parsed = _locale(locale)
        amount = self.amount
        if currency_digits:
            amount = amount.quantize(_quantum(self.currency), rounding, _CTX)
        if not amount:
            amount = amount.copy_abs()  # no "-€0.00"
        with localcontext(_format_context(rounding)):
            return str(
                format_currency(
                    amount,
                    self.currency,
                    format=format,
                    locale=parsed,
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


MetricValue = int | Decimal | Money
"""A measured value of a partner: a count (``int``), a rate, quantity or duration
(``Decimal``), or an amount (:class:`Money`). What a scoring KPI evaluates to and
what a tier criterion compares; ``partnerkit.scoring`` and ``partnerkit.tiers``
export this same alias."""
