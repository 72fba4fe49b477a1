"""Products, price books with volume bands and effective dates, and the optional FX-rate port."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Protocol

import attrs

from partnerkit.core import Money, is_known_currency
from partnerkit.core._context import isolated
from partnerkit.core._validation import ErrorCollector, expected, is_day, items_of
from partnerkit.core.errors import FieldError, NotFound, ValidationError
from partnerkit.locale import N_

__all__ = [
    "BILLING_UNIT_LABELS",
    "BillingUnit",
    "FxRates",
    "PriceBook",
    "Product",
    "ProductPrice",
    "VolumeBand",
    "convert_price_book",
    "select_price_book",
]

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_TWELVE = Decimal(12)


class BillingUnit(enum.Enum):
    """How a product is charged: per user per month, per user per year, or a flat amount per unit.

    A per-month price is multiplied by the seat count and the term in months;
    a per-year price by the seat count and the term in years (``term / 12``);
    a flat price by the quantity alone (the term does not change it).
    """

    PER_USER_MONTH = "per_user_month"
    PER_USER_YEAR = "per_user_year"
    FLAT = "flat"

    @property
    def recurring(self) -> bool:
        """Whether the product renews with a subscription (every unit but ``FLAT``)."""
        return self is not BillingUnit.FLAT

    @isolated
    def periods(self, term_months: int) -> Decimal:
        """How many times the unit price is charged per unit of quantity over ``term_months``."""
        if self is BillingUnit.PER_USER_MONTH:
            return Decimal(term_months)
        if self is BillingUnit.PER_USER_YEAR:
            return Decimal(term_months) / _TWELVE
        return Decimal(1)


def _exact_periods(unit: BillingUnit) -> dict[int, Decimal]:
    # The terms (up to ten years) whose periods are exact decimals, so working them out
    # once gives the same Decimal as BillingUnit.periods in any decimal context: all
    # but the per-year terms that are not whole quarters (pricing computes those per line).
    return {
        term: unit.periods(term)
        for term in range(1, 121)
        if unit is not BillingUnit.PER_USER_YEAR or term % 3 == 0
    }


_PERIODS: dict[BillingUnit, dict[int, Decimal]] = {
    unit: _exact_periods(unit) for unit in BillingUnit
}

#: English labels (gettext msgids) of the billing units.
BILLING_UNIT_LABELS: dict[BillingUnit, str] = {
    BillingUnit.PER_USER_MONTH: N_("per user per month"),
    BillingUnit.PER_USER_YEAR: N_("per user per year"),
    BillingUnit.FLAT: N_("flat"),
}


def _check_key(value: object, path: str, what: str) -> list[FieldError]:
    if not isinstance(value, str) or not _KEY.match(value):
        return [
            FieldError(
                path,
                "invalid",
                f"a {what} is 1-64 letters, digits, '_', '.', ':' or '-', "
                "starting with a letter or digit",
            )
        ]
    return []


@attrs.frozen
class Product:
    """Something the vendor sells: a SKU, a display name and a :class:`BillingUnit`.

    Raises :class:`ValidationError` naming every bad field (``sku``, ``name``,
    ``billing_unit``).
    """

    sku: str
    name: str
    billing_unit: BillingUnit = BillingUnit.PER_USER_MONTH

    def __attrs_post_init__(self) -> None:
        errors = _check_key(self.sku, "sku", "SKU")
        if not isinstance(self.name, str) or not self.name.strip():
            errors.append(FieldError("name", "required", "the product needs a name"))
        if not isinstance(self.billing_unit, BillingUnit):
            errors.append(FieldError("billing_unit", "invalid", "expected a BillingUnit"))
        if errors:
            raise ValidationError(errors)


def _bands(value: Iterable[VolumeBand]) -> tuple[VolumeBand, ...]:
    return tuple(value)


def _prices(value: Iterable[ProductPrice]) -> tuple[ProductPrice, ...]:
    return tuple(value)


@attrs.frozen
class VolumeBand:
    """A unit price that applies from ``min_quantity`` seats (or units) upwards."""

    min_quantity: int
    unit_price: Money


@attrs.frozen
class ProductPrice:
    """The price of one product in a price book: volume bands by quantity, lowest band first.

    The first band must start at 1; bands must start at strictly increasing
    quantities and be in the book's currency with non-negative prices.
    Raises :class:`ValidationError` (paths ``bands.N.min_quantity`` and
    ``bands.N.unit_price``).
    """

    product: Product
    bands: tuple[VolumeBand, ...] = attrs.field(converter=_bands)

    def __attrs_post_init__(self) -> None:
        errors: list[FieldError] = []
        if not isinstance(self.product, Product):
            errors.append(FieldError("product", "invalid", "expected a Product"))
        if not self.bands:
            errors.append(FieldError("bands", "required", "give at least one price band"))
        previous = 0
        for i, band in enumerate(self.bands):
            if not isinstance(band, VolumeBand):
                errors.append(FieldError(f"bands.{i}", "invalid", "expected a VolumeBand"))
                continue
            q = band.min_quantity
            if isinstance(q, bool) or not isinstance(q, int):
                errors.append(FieldError(f"bands.{i}.min_quantity", "invalid", "expected an int"))
            else:
                if i == 0 and q != 1:
                    errors.append(
                        FieldError(
                            f"bands.{i}.min_quantity", "out_of_range", "the first band starts at 1"
                        )
                    )
                elif i > 0 and q <= previous:
                    errors.append(
                        FieldError(
                            f"bands.{i}.min_quantity",
                            "out_of_range",
                            "bands must start at strictly increasing quantities",
                        )
                    )
                previous = q
            if not isinstance(band.unit_price, Money):
                errors.append(FieldError(f"bands.{i}.unit_price", "invalid", "expected Money"))
            elif band.unit_price.amount < 0:
                errors.append(
                    FieldError(f"bands.{i}.unit_price", "out_of_range", "must not be negative")
                )
            elif band.unit_price.currency != self.bands[0].unit_price.currency:
                errors.append(
                    FieldError(f"bands.{i}.unit_price", "invalid", "all bands share one currency")
                )
        if errors:
            raise ValidationError(errors)

    def unit_price(self, quantity: int) -> Money:
        """The unit price for ``quantity``: the band with the largest start not above it."""
        bands = self.bands
        for i in range(len(bands) - 1, -1, -1):
            if bands[i].min_quantity <= quantity:
                return bands[i].unit_price
        return bands[0].unit_price


@attrs.frozen
class PriceBook:
    """List prices in one currency, effective from a date until an optional last date (inclusive).

    ``prices`` holds one :class:`ProductPrice` per SKU. Raises
    :class:`ValidationError` naming every bad field: ``key``, ``currency``,
    ``effective_to`` before ``effective_from``, ``prices.N`` in another
    currency or a ``duplicate`` SKU.

    >>> from datetime import date
    >>> from partnerkit.core import Money
    >>> mail = Product("MAIL", "Mail security")
    >>> book = PriceBook(
    ...     "usd-2026", "USD", date(2026, 1, 1),
    ...     prices=[ProductPrice(mail, [VolumeBand(1, Money("4.00", "USD")),
    ...                                 VolumeBand(100, Money("3.50", "USD"))])],
    ... )
    >>> book.unit_price("MAIL", 250)
    Money('3.50', 'USD')
    >>> book.covers(date(2025, 12, 31))
    False
    """

    key: str
    currency: str
    effective_from: date
    effective_to: date | None = None
    prices: tuple[ProductPrice, ...] = attrs.field(default=(), converter=_prices)
    _by_sku: Mapping[str, ProductPrice] = attrs.field(
        init=False, eq=False, repr=False, hash=False, alias="_by_sku"
    )
    # What pricing needs per SKU, worked out once (internal use): the product, its bands
    # as (min_quantity, unit price) pairs highest first, and the exact periods by term.
    _bands_by_sku: Mapping[
        str, tuple[Product, tuple[tuple[int, Money], ...], Mapping[int, Decimal]]
    ] = attrs.field(init=False, eq=False, repr=False, hash=False, alias="_bands_by_sku")

    def __attrs_post_init__(self) -> None:
        errors = _check_key(self.key, "key", "price book key")
        if not isinstance(self.currency, str) or not is_known_currency(self.currency):
            errors.append(
                FieldError("currency", "invalid", f"{self.currency!r} is not an ISO 4217 code")
            )
        if not isinstance(self.effective_from, date):
            errors.append(FieldError("effective_from", "invalid", "expected a date"))
        if self.effective_to is not None:
            if not isinstance(self.effective_to, date):
                errors.append(FieldError("effective_to", "invalid", "expected a date or None"))
            elif isinstance(self.effective_from, date) and self.effective_to < self.effective_from:
                errors.append(
                    FieldError("effective_to", "out_of_range", "ends before effective_from")
                )
        by_sku: dict[str, ProductPrice] = {}
        for i, price in enumerate(self.prices):
            if not isinstance(price, ProductPrice):
                errors.append(FieldError(f"prices.{i}", "invalid", "expected a ProductPrice"))
                continue
            sku = price.product.sku
            if sku in by_sku:
                errors.append(FieldError(f"prices.{i}.product.sku", "duplicate", f"{sku} twice"))
            by_sku[sku] = price
            if price.bands[0].unit_price.currency != self.currency:
                errors.append(
                    FieldError(
                        f"prices.{i}.bands",
                        "invalid",
                        f"prices must be in the book's currency {self.currency}",
                    )
                )
        if errors:
            raise ValidationError(errors)
        object.__setattr__(self, "_by_sku", by_sku)
        object.__setattr__(
            self,
            "_bands_by_sku",
            {
                sku: (
                    price.product,
                    tuple((band.min_quantity, band.unit_price) for band in reversed(price.bands)),
                    _PERIODS[price.product.billing_unit],
                )
                for sku, price in by_sku.items()
            },
        )

    def covers(self, day: date) -> bool:
        """Whether the book is in effect on ``day``."""
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def price(self, sku: str) -> ProductPrice:
        """The price entry of ``sku``; raises :class:`NotFound` when the book has none."""
        found = self._by_sku.get(sku)
        if found is None:
            raise NotFound("product", sku)
        return found

    def find(self, sku: str) -> ProductPrice | None:
        """The price entry of ``sku``, or None."""
        return self._by_sku.get(sku)

    def unit_price(self, sku: str, quantity: int) -> Money:
        """The list unit price of ``sku`` for ``quantity`` seats (its volume band)."""
        return self.price(sku).unit_price(quantity)

    @property
    def skus(self) -> tuple[str, ...]:
        """The SKUs this book prices, in book order."""
        return tuple(self._by_sku)


def select_price_book(books: Iterable[PriceBook], currency: str, as_of: date) -> PriceBook:
    """The book in ``currency`` in effect on ``as_of``; the latest ``effective_from`` wins.

    Raises :class:`NotFound` when no book covers that currency and day: there
    is no silent conversion from another currency (see :func:`convert_price_book`).
    Arguments of the wrong type are one :class:`ValidationError` naming each.
    """
    errors = ErrorCollector()
    found = items_of(books, "books", errors)
    for i, book in enumerate(found):
        if not isinstance(book, PriceBook):
            errors.add(f"books.{i}", "invalid", expected("a PriceBook", book))
    if not isinstance(currency, str):
        errors.add("currency", "invalid", expected("a currency code", currency))
    if not is_day(as_of):
        errors.add("as_of", "invalid", expected("a date", as_of))
    errors.raise_if_any()
    best: PriceBook | None = None
    for book in found:
        if (
            book.currency == currency
            and book.covers(as_of)
            and (best is None or book.effective_from > best.effective_from)
        ):
            best = book
    if best is None:
        raise NotFound("price_book", f"{currency}@{as_of.isoformat()}")
    return best


class FxRates(Protocol):
    """A port for exchange rates, implemented by the host (a treasury feed, a fixed table).

    partnerkit never converts on its own: a host that wants a price book in
    another currency calls :func:`convert_price_book` with its rates.
    """

    def rate(self, source: str, target: str, on: date) -> Decimal:
        """How many units of ``target`` one unit of ``source`` buys on ``on``.

        Raises:
            NotFound: the host has no rate for that pair and day.

        """
        ...


def convert_price_book(
    book: PriceBook, rates: FxRates, currency: str, on: date, *, key: str | None = None
) -> PriceBook:
    """Return ``book`` with every unit price converted to ``currency`` at the rate of ``on``.

    Each converted unit price is rounded half-up to the minor unit of
    ``currency`` (the one rounding point of a conversion). The new book keeps
    the dates and takes ``key`` (default ``<old key>-<currency>``). A rate
    that is not a positive finite Decimal raises :class:`ValidationError`.
    """
    if not is_known_currency(currency):
        raise ValidationError.single("currency", "invalid", f"{currency!r} is not ISO 4217")
    rate = rates.rate(book.currency, currency, on)
    if type(rate) is not Decimal or not rate.is_finite() or rate <= 0:
        raise ValidationError.single("rate", "invalid", "rates are positive finite Decimals")
    prices = [
        ProductPrice(
            p.product,
            [
                VolumeBand(b.min_quantity, Money(b.unit_price.amount * rate, currency).round())
                for b in p.bands
            ],
        )
        for p in book.prices
    ]
    return PriceBook(
        key or f"{book.key}-{currency.lower()}",
        currency,
        book.effective_from,
        book.effective_to,
        prices,
    )
