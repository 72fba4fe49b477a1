"""to_dict / from_dict / to_json / from_json: lossless round trips, every bad field named."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs
import pendulum
import pytest
from babel.numbers import list_currencies
from hypothesis import given
from hypothesis import strategies as st

from partnerkit.core import Money, Percentage, aware, from_dict, from_json, to_dict, to_json
from partnerkit.core.errors import ValidationError
from partnerkit.program import Program

T = TypeVar("T")


@attrs.frozen
class OrderLine:
    sku: str
    price: Money
    quantity: int
    discount: Percentage


@attrs.frozen
class Order:
    number: str
    placed_on: date
    placed_at: datetime
    total: Decimal
    lines: list[OrderLine]
    margin: Percentage | None = None


ALL_CURRENCIES = sorted(list_currencies())

finite_decimals = st.decimals(allow_nan=False, allow_infinity=False)
rates = st.decimals(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)
# Money amounts stay below 10**18 in absolute value (Money refuses larger ones), with a
# bounded number of places (Money refuses more than 100 significant digits).
money_amounts = st.decimals(
    min_value=Decimal("-999999999999999999.999999"),
    max_value=Decimal("999999999999999999.999999"),
    places=6,
    allow_nan=False,
    allow_infinity=False,
)
money = st.builds(Money, money_amounts, st.sampled_from(ALL_CURRENCIES))
percentages = st.builds(Percentage, rates)
offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
aware_datetimes = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=offsets
)
zoned_datetimes = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2099, 12, 31),
    timezones=st.sampled_from(["America/New_York", "Europe/Berlin", "Australia/Lord_Howe"]).map(
        ZoneInfo
    ),
)
order_lines = st.builds(
    OrderLine,
    sku=st.text(max_size=10),
    price=money,
    quantity=st.integers(min_value=-(10**6), max_value=10**6),
    discount=percentages,
)
orders = st.builds(
    Order,
    number=st.text(max_size=10),
    placed_on=st.dates(),
    placed_at=aware_datetimes,
    total=finite_decimals,
    lines=st.lists(order_lines, max_size=4),
    margin=st.none() | percentages,
)
programs = st.builds(
    Program,
    key=st.from_regex(r"[a-z0-9][a-z0-9_-]{0,63}", fullmatch=True),
    # Names follow the text rule: no control characters, lone surrogates or bidi controls.
    name=st.text(
        st.characters(
            exclude_categories=("Cc", "Cs"),
            exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
        ),
        min_size=1,
        max_size=40,
    ).filter(str.strip),
    currency=st.sampled_from(["EUR", "USD", "JPY", "BHD", "CHF"]),
    locale=st.sampled_from(["en_US", "de_DE", "ja_JP", "fr_CH"]),
    timezone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kathmandu"]),
    version=st.integers(min_value=0, max_value=10**9),
)


def round_trip(cls: type[T], value: T) -> T:
    data = to_dict(value)
    json.dumps(data)  # JSON-compatible: raises if not
    restored = from_dict(cls, data)
    assert to_dict(restored) == data
    return restored


def bad_fields(cls: type[Any], data: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        from_dict(cls, data)
    return {e.path: e.code for e in info.value.errors}


# -- lossless round trips --------------------------------------------------------------------


@given(money)
def test_money_round_trips_exactly(value: Money) -> None:
    restored = round_trip(Money, value)
    assert restored == value
    assert restored.currency == value.currency
    assert restored.amount.as_tuple() == value.amount.as_tuple()


@given(percentages)
def test_percentage_round_trips_exactly(value: Percentage) -> None:
    restored = round_trip(Percentage, value)
    assert restored == value
    assert restored.value.as_tuple() == value.value.as_tuple()


@given(finite_decimals)
def test_decimal_round_trips_exactly(value: Decimal) -> None:
    restored = round_trip(Decimal, value)
    assert restored == value
    assert restored.as_tuple() == value.as_tuple()


@given(st.dates())
def test_date_round_trips(value: date) -> None:
    assert round_trip(date, value) == value


@given(aware_datetimes)
def test_aware_datetime_round_trips_with_its_offset(value: datetime) -> None:
    restored = round_trip(datetime, value)
    assert restored == value
    assert restored.utcoffset() == value.utcoffset()
    assert restored.replace(tzinfo=None) == value.replace(tzinfo=None)
    assert isinstance(restored, pendulum.DateTime)


@given(zoned_datetimes)
def test_datetime_in_a_named_zone_round_trips_with_its_zone(value: datetime) -> None:
    restored = round_trip(pendulum.DateTime, aware(value))
    assert round_trip(datetime, value) == restored
    assert restored.astimezone(timezone.utc) == value.astimezone(timezone.utc)
    in_force = pendulum.instance(value.astimezone(timezone.utc).astimezone(value.tzinfo))
    assert restored.utcoffset() == in_force.utcoffset()
    assert restored.replace(tzinfo=None) == in_force.replace(tzinfo=None)
    assert isinstance(restored.tzinfo, ZoneInfo)
    assert isinstance(value.tzinfo, ZoneInfo)
    assert restored.tzinfo.key == value.tzinfo.key
    # Calendar arithmetic follows the zone's rules, as it did before the trip.
    later, expected = restored.add(months=7), in_force.add(months=7)
    assert later == expected
    assert later.utcoffset() == expected.utcoffset()


def test_a_named_zone_is_written_as_an_rfc_9557_suffix() -> None:
    paris = datetime(2026, 3, 1, 12, tzinfo=ZoneInfo("Europe/Paris"))
    assert to_dict(paris) == "2026-03-01T12:00:00+01:00[Europe/Paris]"
    assert to_dict(pendulum.instance(paris)) == "2026-03-01T12:00:00+01:00[Europe/Paris]"
    restored = from_dict(pendulum.DateTime, "2026-03-01T12:00:00+01:00[Europe/Paris]")
    assert restored.tzinfo == pendulum.timezone("Europe/Paris")
    # A month later Paris is on summer time: still noon there, an hour less from UTC.
    assert restored.add(months=1).isoformat() == "2026-04-01T12:00:00+02:00"


def test_utc_and_fixed_offsets_are_written_without_a_suffix() -> None:
    assert to_dict(pendulum.datetime(2026, 1, 1, 9)) == "2026-01-01T09:00:00+00:00"
    assert to_dict(datetime(2026, 1, 1, 9, tzinfo=ZoneInfo("UTC"))) == "2026-01-01T09:00:00+00:00"
    fixed = datetime(2026, 1, 1, 9, tzinfo=timezone(timedelta(hours=1)))
    assert to_dict(fixed) == "2026-01-01T09:00:00+01:00"
    assert from_dict(datetime, "2026-01-01T09:00:00+00:00").tzinfo == pendulum.UTC


def test_the_second_of_two_repeated_wall_times_keeps_its_offset() -> None:
    # 02:30 happens twice in Paris on 2026-10-25; fold=1 is the later one, at +01:00.
    later = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Paris"))
    text = to_dict(later)
    assert text == "2026-10-25T02:30:00+01:00[Europe/Paris]"
    restored = from_dict(datetime, text)
    assert restored.astimezone(timezone.utc) == later.astimezone(timezone.utc)
    assert restored.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01T11:00:00Z", "2026-03-01T11:00:00+00:00"),
        ("2026-03-01T11:00:00z", "2026-03-01T11:00:00+00:00"),
        ("2026-03-01T11:00:00.250000Z", "2026-03-01T11:00:00.250000+00:00"),
        ("2026-03-01T11:00:00Z[Europe/Paris]", "2026-03-01T12:00:00+01:00[Europe/Paris]"),
        ("2026-03-01T12:00:00+01:00[!Europe/Paris]", "2026-03-01T12:00:00+01:00[Europe/Paris]"),
        # Without the critical flag the offset fixes the instant; the zone gives the wall time.
        ("2026-03-01T12:00:00+02:00[Europe/Paris]", "2026-03-01T11:00:00+01:00[Europe/Paris]"),
        ("2026-03-01T12:00:00-05:00", "2026-03-01T12:00:00-05:00"),
    ],
)
def test_instants_are_read_with_z_offsets_and_zone_suffixes(text: str, expected: str) -> None:
    assert to_dict(from_dict(datetime, text)) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2026-03-01T12:00:00+01:00[Bad/Zone]", "invalid"),
        ("2026-03-01T12:00:00+01:00[]", "invalid"),
        ("2026-03-01T12:00:00+01:00[Europe/Paris][u-ca=iso8601]", "invalid"),
        ("2026-03-01T12:00:00+02:00[!Europe/Paris]", "invalid"),
        ("yesterday[Europe/Paris]", "invalid"),
        ("2026-03-01T12:00:00[Europe/Paris]", "naive_datetime"),
    ],
)
def test_bad_zone_suffixes_are_refused(text: str, code: str) -> None:
    assert bad_fields(datetime, text) == {"": code}
    assert bad_fields(Order, {**good_order(), "placed_at": text}) == {"placed_at": code}


@given(aware_datetimes)
def test_pendulum_datetime_round_trips(value: datetime) -> None:
    instant = pendulum.instance(value)
    assert round_trip(pendulum.DateTime, instant) == instant


@given(orders)
def test_attrs_classes_holding_kernel_values_round_trip(value: Order) -> None:
    assert round_trip(Order, value) == value


@given(st.lists(money, max_size=5))
def test_lists_of_money_round_trip(values: list[Money]) -> None:
    assert round_trip(list[Money], values) == values


@given(programs)
def test_program_round_trips(value: Program) -> None:
    assert round_trip(Program, value) == value


@given(orders)
def test_json_round_trip_is_lossless_and_stable(value: Order) -> None:
    text = to_json(value)
    restored = from_json(Order, text)
    assert restored == value
    assert to_json(restored) == text
    assert from_json(Order, text.encode("utf-8")) == value


def test_to_json_is_compact_with_sorted_keys() -> None:
    text = to_json(Money("12.30", "EUR"))
    assert text == '{"amount":"12.30","currency":"EUR"}'


def test_to_dict_writes_amounts_and_instants_as_strings() -> None:
    line = OrderLine("A-1", Money("19.90", "EUR"), 2, Percentage("12.5"))
    at = datetime(2026, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    order = Order("O-1", date(2026, 12, 31), at, Decimal("39.80"), [line])
    assert to_dict(order) == {
        "number": "O-1",
        "placed_on": "2026-12-31",
        "placed_at": "2026-12-31T23:30:00-05:00",
        "total": "39.80",
        "lines": [
            {
                "sku": "A-1",
                "price": {"amount": "19.90", "currency": "EUR"},
                "quantity": 2,
                "discount": "12.5",
            }
        ],
        "margin": None,
    }


def test_to_dict_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValidationError) as info:
        to_dict(datetime(2026, 1, 1, 12))
    assert info.value.errors[0].code == "naive_datetime"


# -- floats never become money ---------------------------------------------------------------


@given(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["EUR", "JPY"]))
def test_from_dict_never_turns_a_float_into_money(amount: float, currency: str) -> None:
    assert bad_fields(Money, {"amount": amount, "currency": currency}) == {"amount": "invalid"}


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_from_dict_never_turns_a_float_into_a_decimal_or_percentage(value: float) -> None:
    assert bad_fields(Decimal, value) == {"": "invalid"}
    assert bad_fields(Percentage, value) == {"": "invalid"}


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_from_json_refuses_a_json_number_with_a_fraction_for_money(amount: float) -> None:
    text = json.dumps({"amount": amount, "currency": "EUR"})
    with pytest.raises(ValidationError) as info:
        from_json(Money, text)
    assert info.value.paths == ("amount",)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity", "nan", "sNaN"])
def test_from_dict_refuses_nan_and_infinity_strings(text: str) -> None:
    assert bad_fields(Money, {"amount": text, "currency": "EUR"}) == {"amount": "invalid"}
    assert bad_fields(Decimal, text) == {"": "invalid"}


def test_from_dict_refuses_booleans_as_amounts() -> None:
    assert bad_fields(Money, {"amount": True, "currency": "EUR"}) == {"amount": "invalid"}
    assert bad_fields(Decimal, False) == {"": "invalid"}


# -- every bad field, with its dotted path ---------------------------------------------------


def good_order() -> dict[str, Any]:
    return {
        "number": "O-1",
        "placed_on": "2026-12-31",
        "placed_at": "2026-12-31T23:30:00-05:00",
        "total": "39.80",
        "lines": [
            {
                "sku": "A-1",
                "price": {"amount": "19.90", "currency": "EUR"},
                "quantity": 2,
                "discount": "12.5",
            },
            {
                "sku": "B-2",
                "price": {"amount": "0.00", "currency": "EUR"},
                "quantity": 1,
                "discount": "0",
            },
        ],
    }


def test_good_data_builds_the_class() -> None:
    order = from_dict(Order, good_order())
    assert order.lines[0].price == Money("19.90", "EUR")
    assert order.placed_at.utcoffset() == timedelta(hours=-5)
    assert order.margin is None


def test_several_bad_fields_in_nested_classes_are_all_reported_with_dotted_paths() -> None:
    data = good_order()
    data["placed_on"] = "2026-02-30"
    data["total"] = 39.8
    data["lines"][1]["price"]["amount"] = 19.9
    data["lines"][1]["price"]["currency"] = "XXY"
    data["lines"][1]["quantity"] = "many"
    data["lines"][0]["discount"] = "120"
    assert bad_fields(Order, data) == {
        "placed_on": "invalid",
        "total": "invalid",
        "lines.1.price.amount": "invalid",
        "lines.1.price.currency": "invalid",
        "lines.1.quantity": "invalid",
        "lines.0.discount": "out_of_range",
    }


def test_unknown_keys_are_flagged_at_every_level() -> None:
    data = good_order()
    data["colour"] = "red"
    data["lines"][0]["note"] = "x"
    data["lines"][1]["price"]["rate"] = "1.1"
    assert bad_fields(Order, data) == {
        "colour": "unknown",
        "lines.0.note": "unknown",
        "lines.1.price.rate": "unknown",
    }


def test_unknown_keys_do_not_hide_bad_values_next_to_them() -> None:
    price = {"amount": "1.5.0", "currency": "EUR", "rate": "1"}
    assert bad_fields(Money, price) == {"amount": "invalid", "rate": "unknown"}


def test_missing_fields_are_required() -> None:
    data = good_order()
    del data["number"]
    del data["lines"][1]["price"]["currency"]
    del data["lines"][0]["sku"]
    assert bad_fields(Order, data) == {
        "number": "required",
        "lines.0.sku": "required",
        "lines.1.price.currency": "required",
    }


def test_a_naive_datetime_string_is_refused() -> None:
    data = good_order()
    data["placed_at"] = "2026-12-31T23:30:00"
    assert bad_fields(Order, data) == {"placed_at": "naive_datetime"}
    assert bad_fields(datetime, "2026-12-31T23:30:00") == {"": "naive_datetime"}


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", 20261231, None])
def test_bad_instants_are_refused(value: object) -> None:
    assert bad_fields(datetime, value) == {"": "invalid"}


@pytest.mark.parametrize("value", ["2026-02-30", "31.12.2026", "2026-12-31T10:00:00", 20261231])
def test_bad_dates_are_refused(value: object) -> None:
    assert bad_fields(date, value) == {"": "invalid"}


def test_a_datetime_is_not_taken_for_a_date() -> None:
    assert bad_fields(date, datetime(2026, 1, 1, tzinfo=timezone.utc)) == {"": "invalid"}


@pytest.mark.parametrize("value", ["12.30 EUR", ["12.30", "EUR"], None, 12])
def test_money_must_be_a_mapping(value: object) -> None:
    assert bad_fields(Money, value) == {"": "invalid"}


@pytest.mark.parametrize("value", [[], "order", 5, None])
def test_a_class_given_something_that_is_not_a_mapping_is_a_validation_error(
    value: object,
) -> None:
    assert set(bad_fields(Order, value)) == {""}


def test_a_line_that_is_not_a_mapping_is_named_by_its_index() -> None:
    data = good_order()
    data["lines"][1] = "B-2"
    assert set(bad_fields(Order, data)) == {"lines.1"}


def test_a_bad_percentage_is_reported_at_its_field() -> None:
    data = good_order()
    data["margin"] = "-5"
    assert bad_fields(Order, data) == {"margin": "out_of_range"}


@pytest.mark.parametrize("text", ["{", "", "not json", '{"amount": "1", "currency": "EUR"'])
def test_bad_json_is_a_validation_error(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        from_json(Money, text)
    assert info.value.paths == ("",)
    assert info.value.errors[0].code == "invalid"


def test_from_json_reports_bad_fields_like_from_dict() -> None:
    text = json.dumps({"amount": "x", "currency": "XXY"})
    with pytest.raises(ValidationError) as info:
        from_json(Money, text)
    assert info.value.paths == ("amount", "currency")


@attrs.frozen
class Counts:
    seats: int
    label: str
    active: bool


@pytest.mark.parametrize(
    ("data", "bad"),
    [
        ({"seats": 1.7, "label": "x", "active": True}, ["seats"]),
        ({"seats": True, "label": "x", "active": True}, ["seats"]),
        ({"seats": "3", "label": 5, "active": 1}, ["seats", "label", "active"]),
        ({"seats": 3, "label": "x", "active": "yes"}, ["active"]),
    ],
)
def test_from_dict_refuses_primitives_of_the_wrong_type_instead_of_coercing(
    data: dict[str, object], bad: list[str]
) -> None:
    with pytest.raises(ValidationError) as caught:
        from_dict(Counts, data)
    assert list(caught.value.paths) == bad


def test_from_dict_keeps_primitives_of_the_right_type() -> None:
    assert from_dict(Counts, {"seats": 3, "label": "x", "active": False}) == Counts(3, "x", False)


@pytest.mark.parametrize("value", [b"", {"a": [b"x"]}, {1, 2}])
def test_a_value_with_no_json_form_is_a_validation_error(value: object) -> None:
    # Issue #19: to_json(b"") raised the json module's TypeError.
    with pytest.raises(ValidationError) as caught:
        to_json(value)
    assert caught.value.paths == ("",)
