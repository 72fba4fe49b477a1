import sys
from datetime import date

import pytest

from partnerkit.core import ConfigReader, Money, Percentage, from_dict, to_dict
from partnerkit.core.errors import ValidationError
from partnerkit.quoting import (
    BillingUnit,
    MarginPolicy,
    PriceBook,
    Pricing,
    Stacking,
    margin_policy_from_dict,
    margin_policy_to_dict,
    pricing_from_dict,
    pricing_to_dict,
    read_pricing,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 only
    import tomli as tomllib

PRICING_TOML = """
[pricing]
[[pricing.products]]
sku = "MAIL"
name = "Mail security"

[[pricing.products]]
sku = "ARCH"
name = "Archive"
billing_unit = "per_user_year"

[[pricing.price_books]]
key = "usd-2026"
currency = "USD"
effective_from = 2026-01-01
effective_to = 2026-12-31

[[pricing.price_books.prices]]
sku = "MAIL"
bands = [{ min_quantity = 1, unit_price = "4.00" }, { min_quantity = 100, unit_price = "3.50" }]

[[pricing.price_books.prices]]
sku = "ARCH"
unit_price = "19.99"

[pricing.margins]
stacking = "compounding"
cap = "40"
partner_margin = "5"
reward_margin = 3
valid_days = 45
overrides = { "p-77" = "25" }

[[pricing.margins.promotions]]
key = "spring"
name = "Spring offer"
rate = "5"
skus = ["MAIL"]
starts = 2026-03-01
ends = 2026-05-31
"""


def test_pricing_reads_products_books_bands_and_margins_from_toml() -> None:
    pricing = pricing_from_dict(tomllib.loads(PRICING_TOML)["pricing"])
    assert [p.billing_unit for p in pricing.products] == [
        BillingUnit.PER_USER_MONTH,
        BillingUnit.PER_USER_YEAR,
    ]
    book = pricing.price_book("USD", date(2026, 4, 1))
    assert book.unit_price("MAIL", 150) == Money("3.50", "USD")
    assert book.unit_price("ARCH", 1) == Money("19.99", "USD")
    policy = pricing.margins
    assert policy.stacking is Stacking.COMPOUNDING
    assert policy.cap == Percentage(40)
    assert policy.reward_margin == Percentage(3)
    assert policy.overrides == {"p-77": Percentage(25)}
    assert policy.promotions[0].ends == date(2026, 5, 31)
    assert policy.valid_days == 45


def test_pricing_round_trips_through_its_dict_form() -> None:
    pricing = pricing_from_dict(tomllib.loads(PRICING_TOML)["pricing"])
    assert pricing_from_dict(pricing_to_dict(pricing)) == pricing
    policy = pricing.margins
    assert margin_policy_from_dict(margin_policy_to_dict(policy)) == policy
    assert margin_policy_from_dict(margin_policy_to_dict(MarginPolicy())) == MarginPolicy()


def test_every_bad_pricing_key_is_reported_with_its_path() -> None:
    data = {
        "products": [{"sku": "MAIL", "name": "Mail", "billing_unit": "weekly"}, {"name": 3}],
        "price_books": [
            {
                "key": "usd",
                "currency": "USX",
                "effective_from": "2026-13-01",
                "prices": [
                    {"sku": "FAX", "unit_price": "1"},
                    {"sku": "MAIL", "unit_price": 1.5},
                    {"sku": "MAIL", "bands": [{"min_quantity": 0, "unit_price": "x"}]},
                ],
            }
        ],
        "margins": {"stacking": "sideways", "cap": "140", "colour": "red"},
        "discounts": {},
    }
    with pytest.raises(ValidationError) as info:
        pricing_from_dict(data)
    assert set(info.value.paths) >= {
        "pricing.products.0.billing_unit",
        "pricing.products.1.sku",
        "pricing.products.1.name",
        "pricing.price_books.0.effective_from",
        "pricing.price_books.0.prices.0.sku",
        "pricing.price_books.0.prices.1.unit_price",
        "pricing.price_books.0.prices.2.bands.0.min_quantity",
        "pricing.price_books.0.prices.2.bands.0.unit_price",
        "pricing.margins.stacking",
        "pricing.margins.cap",
        "pricing.margins.colour",
        "pricing.discounts",
    }
    codes = {e.path: e.code for e in info.value.errors}
    assert codes["pricing.price_books.0.prices.0.sku"] == "unknown"
    assert codes["pricing.discounts"] == "unknown"


def test_a_missing_effective_date_and_duplicate_promotions_are_reported() -> None:
    with pytest.raises(ValidationError) as info:
        pricing_from_dict(
            {
                "price_books": [{"key": "eur", "currency": "EUR"}],
                "margins": {
                    "promotions": [
                        {"key": "a", "name": "A", "rate": "1"},
                        {"key": "a", "name": "A", "rate": "2"},
                        {"key": "b", "name": "B"},
                    ]
                },
            }
        )
    assert info.value.paths == (
        "pricing.price_books.0.effective_from",
        "pricing.margins.promotions.1.key",
        "pricing.margins.promotions.2.rate",
    )


def test_read_pricing_records_errors_without_raising() -> None:
    root = ConfigReader({"pricing": {"margins": {"valid_days": 0}}})
    assert read_pricing(root.table("pricing")) is None
    assert root.errors.paths == ("pricing.margins.valid_days",)


def test_price_books_and_policies_round_trip_through_the_core_converter() -> None:
    pricing = pricing_from_dict(tomllib.loads(PRICING_TOML)["pricing"])
    book = pricing.price_books[0]
    assert from_dict(PriceBook, to_dict(book)) == book
    assert from_dict(PriceBook, to_dict(book)).unit_price("MAIL", 100) == Money("3.50", "USD")
    back = from_dict(MarginPolicy, to_dict(pricing.margins))
    assert back == pricing.margins
    assert back.stacking is Stacking.COMPOUNDING
    assert from_dict(Pricing, to_dict(pricing)) == pricing
    data = to_dict(pricing.margins)
    data["valid_days"] = 30.0
    with pytest.raises(ValidationError) as info:
        from_dict(MarginPolicy, data)
    assert info.value.paths == ("valid_days",)
