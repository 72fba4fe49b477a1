"""Inputs that crashed deep inside now get a ValidationError at the boundary (issue #19, part).

Each case once raised a stray ``ValueError``, ``decimal.InvalidOperation`` or
``TypeError``; it must now raise a :class:`ValidationError` naming its field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from partnerkit.core import Money, Percentage, from_dict, from_json, to_date
from partnerkit.core.errors import ValidationError
from partnerkit.deals import CompanySection
from partnerkit.fiscal import MonthlyFiscalCalendar, WeekFiscalCalendar
from partnerkit.program import Program
from partnerkit.scoring import Target, percentile_ranks, rag_status

#: 23:00 on the last day of year 9999 an hour west of UTC is in year 10000 in UTC.
_PAST_9999 = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-1)))
#: The first instant Python knows, five hours east of UTC, is before year 1 in UTC.
_BEFORE_1 = datetime.min.replace(tzinfo=timezone(timedelta(hours=5)))

CASES: dict[str, tuple[Callable[[], object], tuple[str, ...]]] = {
    "a superscript digit in a week pattern": (
        lambda: WeekFiscalCalendar(12, 5, pattern="4-4-²"),
        ("pattern",),
    ),
    "a week pattern of 5,000 digits": (
        lambda: WeekFiscalCalendar(12, 5, pattern="4-4-" + "5" * 5000),
        ("pattern",),
    ),
    "a superscript digit in a program file's [fiscal] pattern": (
        lambda: Program.from_toml_string(
            '[program]\nkey = "p"\nname = "P"\ncurrency = "EUR"\n'
            '[fiscal]\nkind = "week"\nend_month = 12\nend_weekday = 5\npattern = "4-4-²"\n'
        ),
        ("fiscal.pattern",),
    ),
    "a Decimal NaN among the dates to map": (
        lambda: MonthlyFiscalCalendar(1).map_dates([1, Decimal("NaN")]),  # type: ignore[list-item]
        ("dates.0", "dates.1"),
    ),
    "an instant past year 9999 in UTC, as a date": (
        lambda: to_date(_PAST_9999, "UTC"),
        ("date",),
    ),
    "an instant before year 1 in UTC, as a date": (
        lambda: to_date(_BEFORE_1, "UTC"),
        ("date",),
    ),
    "an instant past year 9999 in UTC, in a fiscal calendar": (
        lambda: MonthlyFiscalCalendar(1).year_of(_PAST_9999),
        ("at",),
    ),
    "a RAG status with no time elapsed": (
        lambda: rag_status(1, Target("x", 1), elapsed=Decimal(0)),
        ("elapsed",),
    ),
    "a RAG status of a text value": (
        lambda: rag_status("a", Target("x", 1)),  # type: ignore[arg-type]
        ("value",),
    ),
    "a RAG status of a value too large to compare": (
        lambda: rag_status(Decimal("1e999999"), Target("x", 1)),
        ("value",),
    ),
    "a NaN among the values to rank": (
        lambda: percentile_ranks([Decimal("NaN"), Decimal(1)]),
        ("values.0",),
    ),
    "a program file nested 100,000 arrays deep": (
        lambda: Program.from_toml_string("x = " + "[" * 100_000 + "]" * 100_000),
        ("",),
    ),
    "JSON nested 100,000 arrays deep": (
        lambda: from_json(Money, "[" * 100_000 + "]" * 100_000),
        ("",),
    ),
    "unknown keys of mixed types": (
        lambda: from_dict(CompanySection, {"name": "a", "domain": "b", "x": 1, 0: 1}),
        ("x", "0"),
    ),
    "a percentage of 10^-5000, formatted": (
        lambda: Percentage("1e-5000").format("en_US"),
        ("value",),
    ),
    "an amount of 10^-10000000": (lambda: Money("1e-10000000", "EUR"), ("amount",)),
    "an amount of 101 digits": (lambda: Money("1." + "0" * 100, "EUR"), ("amount",)),
    "a weight of 10^-999999999": (
        lambda: Money("1.00", "EUR").allocate([Decimal("1e-999999999"), 1]),
        ("weights.0",),
    ),
    "a weight of 10^-10000000": (
        lambda: Money("1.00", "EUR").allocate([1, Decimal("1e-10000000")]),
        ("weights.1",),
    ),
    "a product below 10^-100": (
        lambda: Money("1e-60", "EUR") * Decimal("1e-60"),
        ("amount",),
    ),
    "a fraction below 10^-102": (lambda: Percentage.from_fraction("1e-103"), ("fraction",)),
    "a program file's scoring target of 10^-999999": (
        lambda: Program.from_toml_string(
            '[program]\nkey = "p"\nname = "P"\ncurrency = "EUR"\n'
            '[[scoring.targets]]\nkpi = "win_rate_ytd"\nvalue = "1e-999999"\n'
        ),
        ("scoring.targets.0.value",),
    ),
    "a program file's signal weight of 10^999999": (
        lambda: Program.from_toml_string(
            '[program]\nkey = "p"\nname = "P"\ncurrency = "EUR"\n'
            '[[scoring.signals]]\nname = "l"\nkpi = "logins_90d"\nweight = "1e999999"\n'
            'target = "40"\n'
        ),
        ("scoring.signals.0.weight",),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_a_validation_error_naming_its_field(case: str) -> None:
    call, paths = CASES[case]
    with pytest.raises(ValidationError) as caught:
        call()
    assert caught.value.paths == paths


def test_format_quote_refuses_an_unknown_locale_at_locale() -> None:
    from partnerkit.quoting import format_quote

    with pytest.raises(ValidationError) as caught:
        format_quote(None, "xx_YY")  # type: ignore[arg-type]  # refused before the quote is read
    assert caught.value.paths == ("locale",)
