"""ErrorCollector and ConfigReader: find every bad field, then raise once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnerkit.core import ConfigReader, ErrorCollector
from partnerkit.core.errors import FieldError, ValidationError

# -- ErrorCollector --------------------------------------------------------------------------


def test_an_empty_collector_is_falsy_and_does_not_raise() -> None:
    errors = ErrorCollector()
    assert not errors
    assert errors.errors == ()
    errors.raise_if_any()


def test_collector_raises_once_with_every_error_in_order() -> None:
    errors = ErrorCollector()
    errors.add("name", "required", "name is required")
    errors.add("lines.2.quantity", "out_of_range", "must be positive")
    assert errors
    with pytest.raises(ValidationError) as info:
        errors.raise_if_any()
    assert info.value.errors == (
        FieldError("name", "required", "name is required"),
        FieldError("lines.2.quantity", "out_of_range", "must be positive"),
    )


def test_collector_prefix_goes_in_front_of_every_path() -> None:
    errors = ErrorCollector("fiscal")
    errors.add("start_month", "out_of_range", "1..12")
    errors.add("", "invalid", "not a table")
    errors.extend(ValidationError.single("name", "required", "x"), "periods.3")
    assert errors.paths == ("fiscal.start_month", "fiscal", "fiscal.periods.3.name")


def test_catch_records_a_validation_error_under_its_prefix() -> None:
    errors = ErrorCollector()
    with errors.catch("address"):
        raise ValidationError(
            [
                FieldError("postal_code", "invalid", "not a postcode"),
                FieldError("city", "required", "city is required"),
            ]
        )
    with errors.catch():
        raise ValidationError.single("name", "required", "name is required")
    assert errors.paths == ("address.postal_code", "address.city", "name")


def test_catch_lets_other_exceptions_through() -> None:
    errors = ErrorCollector()
    with pytest.raises(KeyError), errors.catch("x"):
        raise KeyError("boom")
    assert not errors


def test_check_returns_the_value_or_none_after_recording() -> None:
    errors = ErrorCollector()

    def refuse() -> int:
        raise ValidationError.single("amount", "invalid", "bad")

    assert errors.check("price", lambda: 42) == 42
    assert errors.check("price", refuse) is None
    assert errors.paths == ("price.amount",)


# -- ConfigReader: reading typed values ------------------------------------------------------


def test_reader_returns_typed_values_and_defaults() -> None:
    reader = ConfigReader(
        {"name": "FY", "month": 4, "strict": True, "rate": "12.5", "units": 3},
        path="fiscal",
    )
    assert reader.str("name") == "FY"
    assert reader.int("month", minimum=1, maximum=12) == 4
    assert reader.bool("strict") is True
    assert reader.decimal("rate") == Decimal("12.5")
    assert reader.decimal("units") == Decimal(3)
    assert reader.str("label", default="none") == "none"
    assert reader.int("weeks", 52) == 52
    assert reader.bool("lenient", False) is False
    assert reader.decimal("cap", None) is None
    reader.finish()


def test_missing_required_keys_are_reported() -> None:
    reader = ConfigReader({}, path="program")
    assert reader.str("key") is None
    assert reader.int("version") is None
    assert reader.decimal("rate") is None
    assert reader.bool("active") is None
    with pytest.raises(ValidationError) as info:
        reader.finish()
    assert info.value.paths == (
        "program.key",
        "program.version",
        "program.rate",
        "program.active",
    )
    assert {e.code for e in info.value.errors} == {"required"}


@pytest.mark.parametrize(
    ("method", "value"),
    [
        ("str", 5),
        ("str", True),
        ("str", ["a"]),
        ("int", "5"),
        ("int", 5.0),
        ("int", True),
        ("bool", "true"),
        ("bool", 1),
        ("decimal", True),
        ("decimal", [1]),
    ],
)
def test_values_of_the_wrong_type_are_invalid(method: str, value: object) -> None:
    reader = ConfigReader({"x": value})
    assert getattr(reader, method)("x") is None
    assert reader.errors.errors[0].path == "x"
    assert reader.errors.errors[0].code == "invalid"


@pytest.mark.parametrize("method", ["str", "int", "bool", "decimal"])
@pytest.mark.parametrize("default", [None, "d", 0, False])
def test_a_null_value_is_invalid_even_with_a_default(method: str, default: Any) -> None:
    reader = ConfigReader({"x": None})
    assert getattr(reader, method)("x", default) is None
    assert reader.errors.paths == ("x",)
    assert reader.errors.errors[0].code == "invalid"


@pytest.mark.parametrize("method", ["str", "int", "bool", "decimal"])
def test_a_null_required_value_is_invalid(method: str) -> None:
    reader = ConfigReader({"x": None})
    assert getattr(reader, method)("x") is None
    assert reader.errors.paths == ("x",)


def test_choices_are_enforced() -> None:
    reader = ConfigReader({"basis": "weekly"})
    assert reader.str("basis", choices={"monthly", "quarterly"}) is None
    error = reader.errors.errors[0]
    assert (error.path, error.code) == ("basis", "invalid_choice")
    assert "monthly, quarterly" in error.message


def test_a_blank_required_string_counts_as_missing() -> None:
    reader = ConfigReader({"name": "   "})
    assert reader.str("name") is None
    assert reader.errors.errors[0].code == "required"


@pytest.mark.parametrize(
    ("value", "bad"),
    [(0, True), (1, False), (12, False), (13, True), (-5, True)],
)
def test_int_range_is_inclusive(value: int, bad: bool) -> None:
    reader = ConfigReader({"month": value})
    result = reader.int("month", minimum=1, maximum=12)
    assert (result is None) is bad
    assert bool(reader.errors) is bad
    if bad:
        assert reader.errors.errors[0].code == "out_of_range"


@pytest.mark.parametrize("default", [0, 13])
def test_int_range_applies_even_when_the_value_equals_the_default(default: int) -> None:
    reader = ConfigReader({"month": default})
    assert reader.int("month", default, minimum=1, maximum=12) is None
    assert reader.errors.paths == ("month",)


def test_an_absent_int_gets_its_default_without_a_range_check() -> None:
    reader = ConfigReader({})
    assert reader.int("month", 0, minimum=1) == 0
    assert not reader.errors


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_decimal_never_reads_a_float(value: float) -> None:
    reader = ConfigReader({"rate": value})
    assert reader.decimal("rate") is None
    assert reader.errors.paths == ("rate",)
    assert reader.errors.errors[0].code == "invalid"


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_reads_decimal_strings_exactly(value: Decimal) -> None:
    result = ConfigReader({"rate": str(value)}).decimal("rate")
    assert result == value
    assert isinstance(result, Decimal)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "sNaN", "twelve", ""])
def test_decimal_refuses_non_finite_and_junk_strings(value: str) -> None:
    reader = ConfigReader({"rate": value})
    assert reader.decimal("rate") is None
    assert reader.errors.paths == ("rate",)


# -- ConfigReader: unknown keys, nesting, reporting everything at once -----------------------


def test_finish_flags_keys_nobody_read() -> None:
    reader = ConfigReader({"month": 4, "naem": "FY", "colour": "red"}, path="fiscal")
    reader.int("month")
    reader.str("name", default="FY")
    with pytest.raises(ValidationError) as info:
        reader.finish()
    assert info.value.paths == ("fiscal.naem", "fiscal.colour")
    assert {e.code for e in info.value.errors} == {"unknown"}


def test_finish_can_allow_unknown_keys_or_defer_raising() -> None:
    ConfigReader({"extra": 1}).finish(allow_unknown=True)
    reader = ConfigReader({"extra": 1})
    reader.finish(raise_errors=False)
    assert reader.errors.paths == ("extra",)


def test_raw_marks_a_key_as_read() -> None:
    reader = ConfigReader({"blob": {"anything": [1, 2]}})
    assert reader.raw("blob") == {"anything": [1, 2]}
    reader.finish()


def test_has_keys_child_path_and_error() -> None:
    reader = ConfigReader({"b": 1, "a": 2}, path="root")
    assert reader.has("a")
    assert not reader.has("c")
    assert reader.keys() == ["b", "a"]
    assert reader.child_path("a") == "root.a"
    assert reader.child_path(3) == "root.3"
    assert reader.path == "root"
    reader.error("a", "invalid", "custom check failed")
    assert reader.errors.paths == ("root.a",)


def test_a_non_table_is_reported_at_its_path() -> None:
    reader = ConfigReader(["not", "a", "table"], path="fiscal")
    assert reader.errors.paths == ("fiscal",)
    assert reader.keys() == []
    assert not reader.is_table
    assert ConfigReader({}, path="fiscal").is_table


def test_nested_tables_and_arrays_of_tables_report_dotted_paths_all_at_once() -> None:
    data = {
        "program": {"key": "acme", "currency": 978},
        "tiers": [
            {"name": "Silver", "threshold": "1000"},
            {"name": "Gold", "threshold": 2.5},
            {"threshold": "5000", "colour": "gold"},
        ],
        "fiscal": {"start_month": 13},
        "stray": True,
    }
    reader = ConfigReader(data)
    program = reader.table("program", required=True)
    program.str("key")
    program.str("currency")
    program.finish(raise_errors=False)
    for tier in reader.tables("tiers"):
        tier.str("name")
        tier.decimal("threshold")
        tier.finish(raise_errors=False)
    fiscal = reader.table("fiscal")
    fiscal.int("start_month", minimum=1, maximum=12)
    fiscal.finish(raise_errors=False)
    with pytest.raises(ValidationError) as info:
        reader.finish()
    assert set(info.value.paths) == {
        "program.currency",
        "tiers.1.threshold",
        "tiers.2.name",
        "tiers.2.colour",
        "fiscal.start_month",
        "stray",
    }
    assert len(info.value.errors) == 6
    codes = {e.path: e.code for e in info.value.errors}
    assert codes["tiers.2.name"] == "required"
    assert codes["tiers.2.colour"] == "unknown"
    assert codes["fiscal.start_month"] == "out_of_range"


def test_a_missing_required_table_is_reported() -> None:
    reader = ConfigReader({})
    section = reader.table("program", required=True)
    assert section.path == "program"
    assert section.str("key") is None
    with pytest.raises(ValidationError) as info:
        reader.finish()
    assert info.value.paths == ("program", "program.key")
    assert info.value.errors[0].code == "required"


def test_a_missing_optional_table_reads_as_empty() -> None:
    reader = ConfigReader({})
    section = reader.table("fiscal")
    assert section.int("start_month", 1) == 1
    assert reader.tables("tiers") == []
    reader.finish()
    section.finish()


def test_an_array_of_tables_that_is_not_a_list_is_invalid() -> None:
    reader = ConfigReader({"tiers": {"name": "Gold"}})
    assert reader.tables("tiers") == []
    assert reader.errors.paths == ("tiers",)
    assert reader.errors.errors[0].code == "invalid"


def test_an_item_of_an_array_of_tables_that_is_not_a_table_is_invalid() -> None:
    reader = ConfigReader({"tiers": [{"name": "Gold"}, "platinum"]})
    tiers = reader.tables("tiers")
    assert [tier.path for tier in tiers] == ["tiers.0", "tiers.1"]
    assert reader.errors.paths == ("tiers.1",)
    assert reader.errors.errors[0].code == "invalid"


def test_child_readers_share_the_parent_collector() -> None:
    collector = ErrorCollector()
    reader = ConfigReader({"a": {"b": "x"}}, errors=collector)
    assert reader.errors is collector
    child = reader.table("a")
    assert child.errors is collector
    child.int("b")
    assert collector.paths == ("a.b",)


@pytest.mark.parametrize(
    ("raw", "multiline", "expected"),
    [
        ("  Ada \t  Lovelace\n", False, "Ada Lovelace"),
        ("  line one\n\tline two  ", True, "line one\n\tline two"),
    ],
)
def test_text_collapses_or_keeps_line_breaks(raw: str, multiline: bool, expected: str) -> None:
    errors = ErrorCollector()
    assert errors.text(raw, "note", required=True, multiline=multiline) == expected
    assert not errors


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (42, "invalid"),
        ("bell\x07", "invalid"),
        ("del\x7f", "invalid"),
        ("csi\x9b", "invalid"),
        ("lone \ud800", "invalid"),
        ("x" * 201, "invalid"),
        ("   ", "required"),
    ],
)
def test_text_refuses_what_is_not_clean_text(raw: object, code: str) -> None:
    errors = ErrorCollector("contact")
    assert errors.text(raw, "name", required=True, label="Name") == ""
    assert [(e.path, e.code) for e in errors.errors] == [("contact.name", code)]


def test_multiline_text_still_refuses_carriage_returns_and_other_controls() -> None:
    errors = ErrorCollector()
    errors.text("a\r\nb", "problems", required=True, multiline=True, limit=4000)
    assert errors.paths == ("problems",)


def test_a_collector_counts_its_errors() -> None:
    errors = ErrorCollector("rows")
    assert len(errors) == 0
    errors.add("0.kind", "invalid", "bad")
    errors.add("3", "invalid", "bad")
    assert len(errors) == 2 == len(errors.errors)


# -- values of the wrong Python type (#19) ----------------------------------------------------


def test_expect_returns_a_value_of_the_kind_and_refuses_others_naming_the_path() -> None:
    from partnerkit.core._validation import expect

    assert expect("en", str, "role", "text") == "en"
    assert expect(3, int, "months", "a whole number") == 3
    for bad, kind in (([], str), (None, str), (True, int), (b"", str)):
        with pytest.raises(ValidationError) as caught:
            expect(bad, kind, "role", "text")
        assert caught.value.errors == (
            FieldError("role", "invalid", f"expected text, got {type(bad).__name__}"),
        )


def test_the_collection_converters_keep_what_is_no_list_for_the_check_to_refuse() -> None:
    from partnerkit.core._validation import as_tuple, is_text_set, items_of, text_set

    nothing: Any = None
    nested: Any = [["p1"]]
    assert as_tuple([1, 2]) == (1, 2)
    assert as_tuple({3}) == (3,)
    assert as_tuple(nothing) is None
    assert as_tuple("ab") == "ab"
    assert text_set("p1") == frozenset({"p1"})
    assert text_set(["p1", "p2"]) == frozenset({"p1", "p2"})
    assert text_set(nested) == (["p1"],)  # unhashable: kept, and no text set
    assert not is_text_set(text_set(nested))
    assert not is_text_set(text_set(nothing))
    assert is_text_set(text_set(("a", "b")))
    errors = ErrorCollector()
    assert items_of(iter([1]), "kpis", errors) == (1,)
    assert items_of(5, "custom", errors) == ()
    assert items_of("ab", "decayed", errors) == ()
    assert errors.paths == ("custom", "decayed")
