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


# -- every function that takes a locale refuses an unknown one (item 7) --------------------------


def _locale_calls() -> dict[str, Callable[[str], object]]:
    from partnerkit.addresses import address_form, country_name
    from partnerkit.contacts import contact_labels, format_phone, role_choices
    from partnerkit.deals import Stage, deal_stage_label, progress
    from partnerkit.fiscal import label
    from partnerkit.locale import Choice
    from partnerkit.partners import (
        Partner,
        export_csv,
        partner_stage_label,
        role_label,
        status_label,
    )
    from partnerkit.plans import ObjectiveKind, PlanStatus, objective_kind_label, plan_status_label
    from partnerkit.quoting import AppliedRule, RuleKind
    from partnerkit.scoring import Rag

    rule = AppliedRule(RuleKind.CAP, Percentage(40), "capped at {cap}", {"cap": "40%"})
    partner = Partner("p1", "Acme", "acme.example", "reseller")
    return {
        "Money.format": lambda loc: Money("1", "EUR").format(loc),
        "Percentage.format": lambda loc: Percentage("1").format(loc),
        "country_name": lambda loc: country_name("DE", loc),
        "address_form": lambda loc: address_form("DE", loc),
        "contact_labels": contact_labels,
        "role_choices": lambda loc: role_choices(locale=loc),
        "format_phone": lambda loc: format_phone("+442071838750", "auto", loc),
        "deal_stage_label": lambda loc: deal_stage_label(Stage.APPROVED, loc),
        "progress": lambda loc: progress(Stage.APPROVED, locale=loc),
        "fiscal label": lambda loc: label(MonthlyFiscalCalendar(1).year(2026), locale=loc),
        "Choice.label_in": lambda loc: Choice("high", "High").label_in(loc),
        "export_csv": lambda loc: export_csv([partner], ["name"], loc),
        "partner_stage_label": lambda loc: partner_stage_label("at_risk", loc),
        "role_label": lambda loc: role_label("partner_account_manager", loc),
        "status_label": lambda loc: status_label("approved", loc),
        "AppliedRule.explain": rule.explain,
        "Rag.label": Rag.GREEN.label,
        "objective_kind_label": lambda loc: objective_kind_label(ObjectiveKind.REVENUE, loc),
        "plan_status_label": lambda loc: plan_status_label(PlanStatus.SHARED, loc),
    }


@pytest.mark.parametrize("unknown", ["xx_YY", "0", ""])
@pytest.mark.parametrize("function", sorted(_locale_calls()))
def test_an_unknown_locale_is_refused_at_locale(function: str, unknown: str) -> None:
    call = _locale_calls()[function]
    assert call("de_DE") is not None  # a known locale works
    with pytest.raises(ValidationError) as caught:
        call(unknown)
    assert caught.value.paths == ("locale",)


# -- wrong argument types from untyped host code ("Also") ----------------------------------------


def test_validate_contact_refuses_roles_that_are_no_roles() -> None:
    from partnerkit.contacts import Contact, validate_contact

    contact = Contact("Ada", "Lovelace", "ada@example.com")
    for roles in (None, 3, "champion", [None]):
        with pytest.raises(ValidationError) as caught:
            validate_contact(contact, roles=roles, path="end_user")  # type: ignore[arg-type]
        assert caught.value.paths == ("roles",)


def test_format_phone_refuses_a_style_that_is_no_text() -> None:
    from partnerkit.contacts import format_phone

    for style in (Decimal("sNaN"), None, ["national"]):
        with pytest.raises(ValidationError) as caught:
            format_phone("+442071838750", style)  # type: ignore[arg-type]
        assert caught.value.paths == ("style",)


# -- CSV formulas behind invisible characters (item 10) -------------------------------------------


@pytest.mark.parametrize("prefix", ["\u200b", "\ufeff", "\u200e", "\u2060 ", " \u200b\t"])
def test_a_formula_behind_an_invisible_character_is_neutralised(prefix: str) -> None:
    from partnerkit.partners import Partner, export_csv

    name = prefix + "=1+1"
    text = export_csv([Partner("p1", name, "acme.example", "reseller")], ["name"])
    cell = text.split("\r\n")[1]
    assert cell.strip('"') == "'" + name


# -- fiscal label patterns: plain placeholders and bounded widths (item 5) -----------------------


@pytest.mark.parametrize(
    ("pattern", "code"),
    [
        ("{start[0]}", "invalid"),
        ("{start.year}", "invalid"),
        ("{year:{yy}}", "invalid"),
        ("{year:>99999999999}", "out_of_range"),
        ("{year:.101}", "out_of_range"),
        ("{start:%99999Y}", "out_of_range"),
        ("{", "invalid"),
        ("FY" * 101, "invalid"),
        ("{year:%Y}", "invalid"),
    ],
)
def test_a_label_pattern_takes_plain_placeholders_with_bounded_widths(
    pattern: str, code: str
) -> None:
    from partnerkit.fiscal import label

    year = MonthlyFiscalCalendar(1).year(2026)
    with pytest.raises(ValidationError) as caught:
        label(year, pattern)
    assert [(e.path, e.code) for e in caught.value.errors] == [("pattern", code)]


def test_label_patterns_within_the_bounds_still_work() -> None:
    from partnerkit.fiscal import label

    year = MonthlyFiscalCalendar(1).year(2026)
    assert label(year, "{start:%Y-%m}|FY{yy}|{year!r:>6}") == "2026-01|FY26|  2026"
    assert len(label(year, "{year:>100}")) == 100


# -- one text rule for every text field: program names too (issue #19, naive inputs) ----------

_BAD_TEXT = {
    "NUL": "Acme\x00Partners",
    "a right-to-left override": "Acme \u202epartners",
    "a left-to-right embedding": "Acme \u202apartners",
    "a first-strong isolate": "Acme \u2068partners\u2069",
    "a lone surrogate": "Acme \ud800",
    "a million characters": "x" * 1_000_000,
    "201 characters": "x" * 201,
}


@pytest.mark.parametrize("name", list(_BAD_TEXT.values()), ids=list(_BAD_TEXT))
def test_a_program_name_follows_the_text_rule_in_code(name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Program(key="p", name=name, currency="EUR")
    assert [(e.path, e.code) for e in caught.value.errors] == [("program.name", "invalid")]


@pytest.mark.parametrize(
    "name",
    # A lone surrogate cannot be written into a TOML file, so it is left to the dict form.
    [value for key, value in _BAD_TEXT.items() if key != "a lone surrogate"],
    ids=[key for key in _BAD_TEXT if key != "a lone surrogate"],
)
def test_a_program_name_follows_the_text_rule_in_a_file(name: str) -> None:
    escaped = "".join(c if " " <= c <= "~" else f"\\u{ord(c):04x}" for c in name)
    with pytest.raises(ValidationError) as caught:
        Program.from_toml_string(f'[program]\nkey = "p"\nname = "{escaped}"\ncurrency = "EUR"\n')
    assert [(e.path, e.code) for e in caught.value.errors] == [("program.name", "invalid")]


def test_a_program_name_with_a_lone_surrogate_is_refused_at_its_path_when_read() -> None:
    with pytest.raises(ValidationError) as caught:
        Program.from_dict({"program": {"key": "p", "name": "A\udc80", "currency": "EUR"}})
    assert [(e.path, e.code) for e in caught.value.errors] == [("program.name", "invalid")]


@pytest.mark.parametrize(
    "name",
    [
        "x" * 200,
        "שותפי אקמה\u200f 2026",  # a right-to-left mark is a mark, not a control
        "Acme \u200e\u05e4\u05e8\u05d8\u05e0\u05e8\u05d9\u05dd",  # LRM, then Hebrew
        "  Acme   Partners  ",
    ],
)
def test_program_names_within_the_text_rule_are_kept_as_given(name: str) -> None:
    assert Program(key="p", name=name, currency="EUR").name == name


@pytest.mark.parametrize("text", list(_BAD_TEXT.values())[:5], ids=list(_BAD_TEXT)[:5])
def test_the_shared_text_rule_refuses_nul_bidi_controls_and_surrogates(text: str) -> None:
    from partnerkit.core import ErrorCollector

    errors = ErrorCollector()
    assert errors.text(text, "name", required=True) == ""
    assert [(e.path, e.code) for e in errors.errors] == [("name", "invalid")]
