import pytest

from partnerkit.core.errors import ValidationError
from partnerkit.fiscal import (
    MonthlyFiscalCalendar,
    WeekFiscalCalendar,
    calendar_from_dict,
    calendar_to_dict,
)


def test_monthly_settings_round_trip() -> None:
    cal = MonthlyFiscalCalendar(4, start_day=6, naming="start", tz="Europe/London", week_start=0)
    data = calendar_to_dict(cal)
    assert data == {
        "kind": "monthly",
        "start_month": 4,
        "start_day": 6,
        "naming": "start",
        "tz": "Europe/London",
        "week_start": 0,
    }
    assert calendar_from_dict(data) == cal


def test_week_settings_round_trip() -> None:
    cal = WeekFiscalCalendar(1, 5, rule="nearest", pattern="4-5-4", naming="start")
    assert calendar_from_dict(calendar_to_dict(cal)) == cal


def test_defaults_fill_missing_optional_settings() -> None:
    assert calendar_from_dict({"kind": "week", "end_month": 9, "end_weekday": 5}) == (
        WeekFiscalCalendar(9, 5, rule="last", pattern="4-4-5", extra_week_quarter=4)
    )


def test_every_bad_monthly_setting_is_reported_at_once_with_its_path() -> None:
    data = {
        "kind": "monthly",
        "start_month": 13,
        "start_day": 0,
        "naming": "middle",
        "tz": "Mars/Olympus",
        "colour": "red",
    }
    with pytest.raises(ValidationError) as caught:
        calendar_from_dict(data)
    found = {(e.path, e.code) for e in caught.value.errors}
    assert found == {
        ("fiscal.start_month", "out_of_range"),
        ("fiscal.start_day", "out_of_range"),
        ("fiscal.naming", "invalid_choice"),
        ("fiscal.tz", "invalid"),
        ("fiscal.colour", "unknown"),
    }


def test_every_bad_week_setting_is_reported_at_once_with_its_path() -> None:
    data = {
        "kind": "week",
        "end_weekday": 9,
        "rule": "first",
        "pattern": "4-4-4",
        "extra_week_quarter": 5,
    }
    with pytest.raises(ValidationError) as caught:
        calendar_from_dict(data, path="program.fiscal")
    found = {(e.path, e.code) for e in caught.value.errors}
    assert found == {
        ("program.fiscal.end_month", "required"),
        ("program.fiscal.end_weekday", "out_of_range"),
        ("program.fiscal.rule", "invalid_choice"),
        ("program.fiscal.pattern", "invalid"),
        ("program.fiscal.extra_week_quarter", "out_of_range"),
    }


def test_a_missing_or_unknown_kind_is_reported() -> None:
    with pytest.raises(ValidationError) as caught:
        calendar_from_dict({"start_month": 7})
    assert [(e.path, e.code) for e in caught.value.errors] == [("fiscal.kind", "required")]
    with pytest.raises(ValidationError) as caught:
        calendar_from_dict({"kind": "lunar"})
    assert [(e.path, e.code) for e in caught.value.errors] == [("fiscal.kind", "invalid_choice")]


def test_wrong_types_are_invalid_not_type_errors() -> None:
    with pytest.raises(ValidationError) as caught:
        calendar_from_dict({"kind": "monthly", "start_month": "July", "week_start": True})
    assert {(e.path, e.code) for e in caught.value.errors} == {
        ("fiscal.start_month", "invalid"),
        ("fiscal.week_start", "invalid"),
    }


def test_a_table_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        calendar_from_dict(["monthly"])  # type: ignore[arg-type]
    assert caught.value.paths[0] == "fiscal"


def test_settings_parse_from_toml() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+; the loader itself takes any dict

    data = tomllib.loads(
        """
        [fiscal]
        kind = "week"
        end_month = 8
        end_weekday = 5
        rule = "last"
        pattern = [5, 4, 4]
        extra_week_quarter = 4
        naming = "end"
        tz = "America/Los_Angeles"
        """
    )
    cal = calendar_from_dict(data["fiscal"])
    assert isinstance(cal, WeekFiscalCalendar)
    assert cal.pattern == (5, 4, 4)
    assert cal.tz == "America/Los_Angeles"


def test_read_calendar_records_errors_in_a_shared_collector_without_raising() -> None:
    from partnerkit.core import ConfigReader
    from partnerkit.fiscal import read_calendar

    root = ConfigReader(
        {"fiscal": {"kind": "week", "end_month": 9, "end_weekday": 7}, "currency": "EUR"}
    )
    assert read_calendar(root.table("fiscal")) is None
    root.str("currency")
    assert root.errors.paths == ("fiscal.end_weekday",)

    good = ConfigReader({"fiscal": {"kind": "monthly", "start_month": 10}})
    assert read_calendar(good.table("fiscal")) == MonthlyFiscalCalendar(10)
    good.finish()
