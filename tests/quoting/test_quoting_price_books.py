from datetime import date, datetime
from decimal import Decimal

import pytest
from quoting_fixtures import MAIL, book

from partnerkit.core import Money
from partnerkit.core.errors import NotFound, ValidationError
from partnerkit.quoting import (
    BillingUnit,
    PriceBook,
    Product,
    ProductPrice,
    VolumeBand,
    convert_price_book,
    select_price_book,
)


def test_volume_bands_pick_the_largest_start_not_above_the_quantity() -> None:
    prices = book()
    assert prices.unit_price("MAIL", 1) == Money("4.00", "USD")
    assert prices.unit_price("MAIL", 99) == Money("4.00", "USD")
    assert prices.unit_price("MAIL", 100) == Money("3.50", "USD")
    assert prices.unit_price("MAIL", 10_000) == Money("3.50", "USD")


def test_billing_units_charge_months_years_or_once() -> None:
    assert BillingUnit.PER_USER_MONTH.periods(18) == 18
    assert BillingUnit.PER_USER_YEAR.periods(18) == Decimal("1.5")
    assert BillingUnit.FLAT.periods(18) == 1
    assert not BillingUnit.FLAT.recurring


def test_a_book_covers_its_effective_dates_inclusive() -> None:
    prices = book()
    assert prices.covers(date(2026, 1, 1))
    assert prices.covers(date(2026, 12, 31))
    assert not prices.covers(date(2027, 1, 1))
    assert not prices.covers(date(2025, 12, 31))


def test_the_latest_book_in_effect_is_selected_and_other_currencies_are_never_used() -> None:
    old = book(key="usd-2026")
    newer = PriceBook("usd-q3", "USD", date(2026, 7, 1), prices=old.prices)
    euro = book("EUR", key="eur-2026")
    assert select_price_book([old, newer, euro], "USD", date(2026, 8, 1)) is newer
    assert select_price_book([old, newer, euro], "USD", date(2026, 3, 1)) is old
    with pytest.raises(NotFound):
        select_price_book([old, newer], "EUR", date(2026, 3, 1))


def test_unknown_sku_is_not_found() -> None:
    with pytest.raises(NotFound):
        book().price("FAX")


def test_bad_price_books_name_every_bad_field() -> None:
    with pytest.raises(ValidationError) as info:
        PriceBook(
            "",
            "ABC",
            date(2026, 2, 1),
            date(2026, 1, 1),
            [
                ProductPrice(MAIL, [VolumeBand(1, Money("4", "EUR"))]),
                ProductPrice(MAIL, [VolumeBand(1, Money("4", "EUR"))]),
            ],
        )
    assert set(info.value.paths) >= {"key", "currency", "effective_to", "prices.1.product.sku"}


def test_bands_must_start_at_one_and_increase() -> None:
    with pytest.raises(ValidationError) as info:
        ProductPrice(
            MAIL,
            [
                VolumeBand(2, Money("4", "EUR")),
                VolumeBand(2, Money("-1", "EUR")),
                VolumeBand(5, Money("1", "USD")),
            ],
        )
    assert info.value.paths == (
        "bands.0.min_quantity",
        "bands.1.min_quantity",
        "bands.1.unit_price",
        "bands.2.unit_price",
    )


def test_products_refuse_bad_skus_and_empty_names() -> None:
    with pytest.raises(ValidationError) as info:
        Product("bad sku", " ")
    assert info.value.paths == ("sku", "name")


class _Rates:
    def rate(self, source: str, target: str, on: date) -> Decimal:
        assert (source, target) == ("USD", "JPY")
        return Decimal("151.237")


def test_conversion_happens_only_through_the_hosts_rates_and_rounds_each_price() -> None:
    converted = convert_price_book(book(), _Rates(), "JPY", date(2026, 3, 1))
    assert converted.currency == "JPY"
    assert converted.key == "usd-2026-jpy"
    assert converted.unit_price("MAIL", 1) == Money("605", "JPY")  # 604.948 rounded half-up
    assert converted.unit_price("ARCH", 1) == Money("3023", "JPY")  # 3023.22763


def test_a_rate_that_is_not_a_positive_decimal_is_refused() -> None:
    class Bad:
        def rate(self, source: str, target: str, on: date) -> Decimal:
            return Decimal(0)

    with pytest.raises(ValidationError):
        convert_price_book(book(), Bad(), "EUR", date(2026, 3, 1))


@pytest.mark.parametrize(
    ("books", "currency", "as_of", "paths"),
    [
        ((), None, None, ("currency", "as_of")),
        (None, "USD", date(2026, 6, 1), ("books",)),
        ([None], "USD", date(2026, 6, 1), ("books.0",)),
        ((), "USD", datetime(2026, 6, 1, 12), ("as_of",)),
    ],
)
def test_select_price_book_names_every_argument_of_the_wrong_type(
    books: object, currency: object, as_of: object, paths: object
) -> None:
    # Issue #19: select_price_book((), None, None) raised AttributeError (isoformat).
    with pytest.raises(ValidationError) as caught:
        select_price_book(books, currency, as_of)  # type: ignore[arg-type]
    assert caught.value.paths == paths
