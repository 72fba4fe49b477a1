"""Reading products, price books and the margin policy from a Program's ``[pricing]`` table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import attrs

from partnerkit.core import ConfigReader, Money, Percentage, from_dict
from partnerkit.core.errors import NotFound, ValidationError
from partnerkit.quoting._catalog import (
    BillingUnit,
    PriceBook,
    Product,
    ProductPrice,
    VolumeBand,
    select_price_book,
)
from partnerkit.quoting._margin import MarginPolicy, Promotion, Stacking

__all__ = [
    "Pricing",
    "margin_policy_from_dict",
    "margin_policy_to_dict",
    "pricing_from_dict",
    "pricing_to_dict",
    "read_margin_policy",
    "read_pricing",
]


def _products(value: Iterable[Product]) -> tuple[Product, ...]:
    return tuple(value)


def _books(value: Iterable[PriceBook]) -> tuple[PriceBook, ...]:
    return tuple(value)


@attrs.frozen
class Pricing:
    """A program's pricing: its products, its price books and its margin policy."""

    products: tuple[Product, ...] = attrs.field(default=(), converter=_products)
    price_books: tuple[PriceBook, ...] = attrs.field(default=(), converter=_books)
    margins: MarginPolicy = attrs.field(factory=MarginPolicy)

    def product(self, sku: str) -> Product:
        """The product with ``sku``; raises :class:`NotFound`."""
        for product in self.products:
            if product.sku == sku:
                return product
        raise NotFound("product", sku)

    def price_book(self, currency: str, as_of: date) -> PriceBook:
        """The book in ``currency`` in effect on ``as_of`` (latest start wins), or NotFound."""
        return select_price_book(self.price_books, currency, as_of)


def _date(reader: ConfigReader, key: str) -> date | None:
    if not reader.has(key):
        reader.raw(key, None)
        return None
    try:
        # The core converter's date rule: a date (not a datetime) or an ISO string.
        return from_dict(date, reader.raw(key))
    except ValidationError:
        reader.error(key, "invalid", "expected a date (2026-01-31)")
        return None


def _percentage(reader: ConfigReader, key: str, default: Percentage) -> Percentage:
    value = reader.decimal(key, None)
    if value is None:
        return default
    try:
        return Percentage(value)
    except ValidationError:
        reader.error(key, "out_of_range", f"{value} is outside 0..100 (percent)")
        return default


def read_margin_policy(reader: ConfigReader) -> MarginPolicy | None:
    """Read a :class:`MarginPolicy` from the table ``reader`` holds, recording problems.

    Keys: ``stacking`` (``"additive"`` or ``"compounding"``), ``cap``,
    ``partner_margin``, ``reward_margin`` (percent, as strings or integers),
    ``valid_days``, ``overrides`` (a table of partner id → percent) and
    ``[[promotions]]`` (``key``, ``name``, ``rate``, ``skus``, ``starts``,
    ``ends``). Returns None when this table had errors.
    """
    before = len(reader.errors.errors)
    stacking = reader.str("stacking", "additive", choices=[s.value for s in Stacking])
    cap = _percentage(reader, "cap", Percentage(100))
    partner = _percentage(reader, "partner_margin", Percentage(0))
    reward = _percentage(reader, "reward_margin", Percentage(0))
    valid_days = reader.int("valid_days", 30, minimum=1, maximum=366)
    overrides: dict[str, Percentage] = {}
    table = reader.table("overrides")
    for partner_id in list(table.keys()):
        overrides[partner_id] = _percentage(table, partner_id, Percentage(0))
    table.finish(raise_errors=False)
    promotions = []
    seen: set[str] = set()
    for item in reader.tables("promotions"):
        key = item.str("key")
        name = item.str("name")
        rate = _percentage(item, "rate", Percentage(0))
        if not item.has("rate"):
            item.raw("rate")
        skus = item.raw("skus", [])
        if not isinstance(skus, list) or not all(isinstance(s, str) for s in skus):
            item.error("skus", "invalid", "expected a list of SKUs")
            skus = []
        starts = _date(item, "starts")
        ends = _date(item, "ends")
        if isinstance(key, str) and key in seen:
            item.error("key", "duplicate", f"promotion {key!r} twice")
        seen.add(key)
        item.finish(raise_errors=False)
        if key is not None and name is not None:
            with reader.errors.catch(item.path):
                promotions.append(Promotion(key, name, rate, skus, starts, ends))
    reader.finish(raise_errors=False)
    if len(reader.errors.errors) != before:
        return None
    return MarginPolicy(
        Stacking(stacking),
        cap,
        partner,
        reward,
        overrides,
        promotions,
        valid_days,
    )


def margin_policy_from_dict(
    data: Mapping[str, object], path: str = "pricing.margins"
) -> MarginPolicy:
    """Build a :class:`MarginPolicy` from a settings table (see :func:`read_margin_policy`).

    Raises one :class:`ValidationError` naming every bad key under ``path``.

    >>> margin_policy_from_dict({"stacking": "compounding", "cap": "40", "valid_days": 0})
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 1 invalid field: pricing.margins.valid_days: ...
    """
    reader = ConfigReader(data, path)
    policy = read_margin_policy(reader)
    reader.errors.raise_if_any()
    assert policy is not None
    return policy


def margin_policy_to_dict(policy: MarginPolicy) -> dict[str, Any]:
    """The settings of ``policy`` as a dict that :func:`margin_policy_from_dict` reads back."""
    data: dict[str, Any] = {
        "stacking": policy.stacking.value,
        "cap": str(policy.cap.value),
        "partner_margin": str(policy.partner_margin.value),
        "reward_margin": str(policy.reward_margin.value),
        "valid_days": policy.valid_days,
    }
    if policy.overrides:
        data["overrides"] = {k: str(v.value) for k, v in policy.overrides.items()}
    if policy.promotions:
        data["promotions"] = [_promotion_to_dict(p) for p in policy.promotions]
    return data


def _promotion_to_dict(promotion: Promotion) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": promotion.key,
        "name": promotion.name,
        "rate": str(promotion.rate.value),
    }
    if promotion.skus:
        data["skus"] = list(promotion.skus)
    if promotion.starts is not None:
        data["starts"] = promotion.starts.isoformat()
    if promotion.ends is not None:
        data["ends"] = promotion.ends.isoformat()
    return data


def _read_bands(item: ConfigReader, currency: str | None) -> list[VolumeBand]:
    bands: list[VolumeBand] = []
    if item.has("unit_price") and item.has("bands"):
        item.error("bands", "invalid", "give unit_price or bands, not both")
    if item.has("unit_price") or not item.has("bands"):
        price = item.decimal("unit_price")
        if price is not None and currency is not None:
            with item.errors.catch(item.child_path("unit_price")):
                bands.append(VolumeBand(1, Money(price, currency)))
        return bands
    for band in item.tables("bands"):
        quantity = band.int("min_quantity", minimum=1)
        price = band.decimal("unit_price")
        band.finish(raise_errors=False)
        if quantity is not None and price is not None and currency is not None:
            with band.errors.catch(band.child_path("unit_price")):
                bands.append(VolumeBand(quantity, Money(price, currency)))
    return bands


def read_pricing(reader: ConfigReader) -> Pricing | None:
    """Read :class:`Pricing` from a ``[pricing]`` table, recording problems instead of raising.

    ``[[products]]`` have ``sku``, ``name`` and ``billing_unit``
    (``per_user_month``, ``per_user_year`` or ``flat``). ``[[price_books]]``
    have ``key``, ``currency``, ``effective_from``, optional
    ``effective_to`` and ``[[price_books.prices]]`` entries naming a product
    ``sku`` with either ``unit_price`` or ``bands`` (a list of
    ``{min_quantity, unit_price}``); prices are decimals written as strings.
    ``[margins]`` is read by :func:`read_margin_policy`. Every bad key is
    recorded with its dotted path (``pricing.price_books.0.prices.1.sku``);
    returns None when this table had errors.
    """
    before = len(reader.errors.errors)
    products: dict[str, Product] = {}
    for item in reader.tables("products"):
        sku = item.str("sku")
        name = item.str("name")
        unit = item.str("billing_unit", "per_user_month", choices=[u.value for u in BillingUnit])
        item.finish(raise_errors=False)
        if sku is None or name is None or unit is None:
            continue
        if sku in products:
            item.error("sku", "duplicate", f"product {sku!r} twice")
            continue
        with reader.errors.catch(item.path):
            products[sku] = Product(sku, name, BillingUnit(unit))
    books: list[PriceBook] = []
    for item in reader.tables("price_books"):
        key = item.str("key")
        currency = item.str("currency")
        start = _date(item, "effective_from")
        if not item.has("effective_from"):
            item.raw("effective_from")
        end = _date(item, "effective_to")
        prices: list[ProductPrice] = []
        for entry in item.tables("prices"):
            sku = entry.str("sku")
            product = products.get(sku) if isinstance(sku, str) else None
            if isinstance(sku, str) and product is None:
                entry.error("sku", "unknown", f"no product {sku!r} in pricing.products")
            bands = _read_bands(entry, currency)
            entry.finish(raise_errors=False)
            if product is not None and bands:
                with reader.errors.catch(entry.path):
                    prices.append(ProductPrice(product, bands))
        item.finish(raise_errors=False)
        if key is not None and currency is not None and start is not None:
            with reader.errors.catch(item.path):
                books.append(PriceBook(key, currency, start, end, prices))
    margins = read_margin_policy(reader.table("margins"))
    reader.finish(raise_errors=False)
    if len(reader.errors.errors) != before or margins is None:
        return None
    return Pricing(tuple(products.values()), books, margins)


def pricing_from_dict(data: Mapping[str, object], path: str = "pricing") -> Pricing:
    """Build :class:`Pricing` from a Program's ``[pricing]`` table (see :func:`read_pricing`).

    Raises one :class:`ValidationError` naming every bad, missing or unknown
    key by its dotted path under ``path``.

    >>> from datetime import date
    >>> pricing = pricing_from_dict({
    ...     "products": [{"sku": "MAIL", "name": "Mail security"}],
    ...     "price_books": [{"key": "eur", "currency": "EUR", "effective_from": "2026-01-01",
    ...                      "prices": [{"sku": "MAIL", "unit_price": "4.00"}]}],
    ... })
    >>> pricing.price_book("EUR", date(2026, 6, 1)).unit_price("MAIL", 10)
    Money('4.00', 'EUR')
    >>> pricing_from_dict({"price_books": [{"key": "eur", "currency": "EUR",
    ...     "effective_from": "2026-01-01", "prices": [{"sku": "FAX", "unit_price": 1.5}]}]})
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 2 invalid fields: pricing.price_books.0.prices.0...
    """
    reader = ConfigReader(data, path)
    pricing = read_pricing(reader)
    reader.errors.raise_if_any()
    assert pricing is not None
    return pricing


def pricing_to_dict(pricing: Pricing) -> dict[str, Any]:
    """The settings of ``pricing`` as a dict that :func:`pricing_from_dict` reads back."""
    products = [
        {"sku": p.sku, "name": p.name, "billing_unit": p.billing_unit.value}
        for p in pricing.products
    ]
    books = []
    for book in pricing.price_books:
        data: dict[str, Any] = {
            "key": book.key,
            "currency": book.currency,
            "effective_from": book.effective_from.isoformat(),
        }
        if book.effective_to is not None:
            data["effective_to"] = book.effective_to.isoformat()
        data["prices"] = [
            {
                "sku": price.product.sku,
                "bands": [
                    {"min_quantity": b.min_quantity, "unit_price": str(b.unit_price.amount)}
                    for b in price.bands
                ],
            }
            for price in book.prices
        ]
        books.append(data)
    return {
        "products": products,
        "price_books": books,
        "margins": margin_policy_to_dict(pricing.margins),
    }
