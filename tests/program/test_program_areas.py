"""Program.areas: every table of the program file is read, written, checked and shown through it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, ClassVar

import attrs
import pytest

from partnerkit.core import ConfigReader, Money, from_dict, to_dict
from partnerkit.core.errors import FieldError, ValidationError
from partnerkit.fiscal import FiscalCalendar, MonthlyFiscalCalendar
from partnerkit.program import AreaContext, Program, ProgramArea
from partnerkit.scoring import engagement_model_from_dict
from partnerkit.testing import make_program
from partnerkit.tiers import FiscalReviews, TierPolicy

PROGRAM = """
[program]
key = "northwind-partners"
name = "Northwind Partner Network"
currency = "EUR"
locale = "de_DE"
timezone = "Europe/Berlin"
"""

FULL = (
    PROGRAM
    + """
[fiscal]
kind = "monthly"
start_month = 7
tz = "Europe/Berlin"

[[tiers.levels]]
key = "registered"
name = "Registered"
rank = 1
benefits = { partner_margin = "10" }

[[tiers.levels]]
key = "premier"
name = "Premier"
rank = 2
benefits = { partner_margin = "20", reward_margin = "5" }
[[tiers.levels.criteria.rules]]
metric = "new_arr"
threshold = { amount = "50000", currency = "EUR" }

[tiers.policy]
upgrades = "next_period"
downgrade_grace_days = 30
calendar = { kind = "fiscal", period = "quarter" }

[permissions]
manager = ["register_deals", "view_dashboard"]

[partners]
types = [{ key = "reseller", label = "Reseller" }, { key = "msp", label = "MSP" }]

[scoring]
[[scoring.signals]]
name = "logins"
kpi = "logins_90d"
weight = "100"
target = "40"

[[scoring.targets]]
kpi = "sourced_revenue_ytd"
value = "250000"

[deals]
review_days = 5

[pricing]
[[pricing.products]]
sku = "MAIL"
name = "Mail security"

[[pricing.price_books]]
key = "eur-2026"
currency = "EUR"
effective_from = "2026-01-01"
[[pricing.price_books.prices]]
sku = "MAIL"
unit_price = "4.00"

[[plans.templates]]
id = "reseller-2026"
name = "Reseller plan"
[[plans.templates.sections]]
key = "sales"
title = "Revenue"
[[plans.templates.sections.objectives]]
key = "arr"
title = "New ARR"
kind = "new_arr"
targets = { year = "100000" }

[dashboard]
service_skus = ["MAIL-ONBOARD"]
renewal_horizons = [30, 90]
"""
)

TABLES = [
    "fiscal",
    "tiers",
    "tiers.policy",
    "permissions",
    "partners",
    "scoring",
    "deals",
    "pricing",
    "plans",
    "dashboard",
]


def default_of(cls: type[Program], attribute: str) -> Any:
    default: Any = attrs.fields_dict(cls)[attribute].default
    return default.factory() if isinstance(default, attrs.Factory) else default  # type: ignore[arg-type]


def keyword_of(cls: type[Program], attribute: str) -> str:
    return attrs.fields_dict(cls)[attribute].alias or attribute


def table_at(data: dict[str, Any], path: str) -> Any:
    for part in path.split("."):
        data = data[part]
    return data


def paths(call: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        call()
    return list(caught.value.paths)


# -- the registry ------------------------------------------------------------------------------


def test_the_registry_lists_every_table_in_file_order() -> None:
    assert [area.table for area in Program.areas] == TABLES
    assert [area.attribute for area in Program.areas] == [
        "fiscal_calendar",
        "tiers",
        "tier_policy",
        "permissions",
        "partner_types",
        "scoring",
        "registration_policy",
        "pricing",
        "plan_templates",
        "dashboard",
    ]


@pytest.mark.parametrize("area", Program.areas, ids=TABLES)
def test_every_area_fills_a_keyword_only_attribute_that_has_a_default(
    area: ProgramArea[Any],
) -> None:
    field = attrs.fields_dict(Program)[area.attribute]
    assert field.kw_only
    assert field.default is not attrs.NOTHING


def test_a_nested_table_comes_after_the_area_of_its_parent() -> None:
    tables = [area.table for area in Program.areas]
    for i, table in enumerate(tables):
        if "." in table:
            assert table.rsplit(".", 1)[0] in tables[:i]


# -- every table read, written, checked, shown -------------------------------------------------


def test_a_file_with_every_table_sets_every_area_and_round_trips() -> None:
    program = Program.from_toml_string(FULL)
    written = program.to_dict()
    for area in Program.areas:
        value = getattr(program, area.attribute)
        assert value != default_of(Program, area.attribute), area.table
        # A parent table also holds its nested tables ([tiers] holds [tiers.policy]).
        assert area.write(value, program).items() <= table_at(written, area.table).items()
    assert Program.from_dict(written) == program
    assert from_dict(Program, to_dict(program)) == program


def test_a_program_with_only_defaults_writes_only_its_program_table() -> None:
    assert list(make_program().to_dict()) == ["program"]


def test_the_repr_names_every_area_that_is_not_the_default_by_its_keyword() -> None:
    text = repr(Program.from_toml_string(FULL))
    for keyword in ("fiscal=", "tiers=", "tier_policy=", "permissions=<customized>"):
        assert keyword in text
    assert "scoring=<customized>" in text
    assert "registration_policy=<customized>" in text
    assert "pricing=<1 price books>" in text
    assert "tiers=['registered', 'premier']" in text
    assert "fiscal=" not in repr(make_program())


@pytest.mark.parametrize("area", Program.areas, ids=TABLES)
def test_a_value_of_the_wrong_type_is_refused_at_the_path_of_its_table(
    area: ProgramArea[Any],
) -> None:
    keyword = keyword_of(Program, area.attribute)
    assert paths(lambda: make_program(**{keyword: "not this"})) == [area.table]


def test_wrong_values_in_every_area_are_reported_at_once_with_the_program_settings() -> None:
    wrong: dict[str, Any] = {keyword_of(Program, area.attribute): 42 for area in Program.areas}
    found = paths(lambda: Program(key="Bad Key", name="N", currency="EUR", **wrong))
    assert found == ["program.key", *TABLES]


def test_a_bad_key_in_every_table_is_reported_at_once_with_its_dotted_path() -> None:
    broken = (
        FULL.replace('key = "northwind-partners"', 'key = "Northwind Partners"')
        .replace("start_month = 7", "start_month = 13")
        .replace('partner_margin = "20"', 'partner_margin = "120"')
        .replace('upgrades = "next_period"', 'upgrades = "never"')
        .replace('"view_dashboard"]', '"fly"]')
        .replace('key = "msp"', 'key = "reseller"')
        .replace('target = "40"', "target = 40.5")
        .replace("review_days = 5", "review_days = 0")
        .replace('unit_price = "4.00"', "unit_price = 4.0")
        .replace("renewal_horizons = [30, 90]", "renewal_horizons = [90, 30]")
    )
    assert set(paths(lambda: Program.from_toml_string(broken))) == {
        "program.key",
        "fiscal.start_month",
        "tiers.levels.1.benefits.partner_margin",
        "tiers.policy.upgrades",
        "permissions.manager.1",
        "partners.types.1.key",
        "scoring.signals.0.target",
        "deals.review_days",
        "pricing.price_books.0.prices.0.unit_price",
        "dashboard.renewal_horizons",
    }


@pytest.mark.parametrize("table", TABLES)
def test_a_table_that_is_not_a_table_is_reported_once(table: str) -> None:
    data: dict[str, Any] = {"program": {"key": "p", "name": "P", "currency": "EUR"}}
    if table == "tiers.policy":
        data["tiers"] = {"policy": ["upgrades"]}
    else:
        data[table] = ["not", "a", "table"]
    assert paths(lambda: Program.from_dict(data)) == [table]


def test_an_unknown_table_is_reported_with_the_others() -> None:
    text = FULL.replace("review_days = 5", "review_days = 0") + '\n[colours]\ngold = "#d4af37"\n'
    assert set(paths(lambda: Program.from_toml_string(text))) == {"deals.review_days", "colours"}


# -- what the areas need from each other ------------------------------------------------------


def test_a_scoring_target_in_a_plain_amount_is_money_in_the_program_currency() -> None:
    program = Program.from_toml_string(FULL)
    assert program.scoring.targets[0].value == Money("250000", "EUR")


def test_a_money_target_in_another_currency_than_the_program_is_refused() -> None:
    euro_model = engagement_model_from_dict(
        {"targets": [{"kpi": "sourced_revenue_ytd", "value": "1000"}]}, currency="EUR"
    )
    assert paths(lambda: make_program(currency="USD", scoring=euro_model)) == [
        "scoring.targets.0.value"
    ]
    # A bad currency is reported once, on program.currency, not again on every target.
    assert paths(lambda: make_program(currency="EURO", scoring=euro_model)) == ["program.currency"]


def test_tier_reviews_on_the_fiscal_calendar_use_the_program_calendar_and_do_not_repeat_it() -> (
    None
):
    program = Program.from_toml_string(FULL)
    assert program.tier_policy.calendar == FiscalReviews(program.fiscal, "quarter")
    assert "fiscal" not in program.to_dict()["tiers"]["policy"]["calendar"]
    elsewhere = MonthlyFiscalCalendar(4, tz="Europe/Berlin")
    moved = attrs.evolve(program, tier_policy=TierPolicy(FiscalReviews(elsewhere, "quarter")))
    assert "fiscal" in moved.to_dict()["tiers"]["policy"]["calendar"]
    assert Program.from_dict(moved.to_dict()) == moved


def test_without_a_fiscal_table_tier_reviews_follow_the_calendar_year_in_the_program_zone() -> None:
    text = PROGRAM + '\n[tiers.policy]\ncalendar = { kind = "fiscal", period = "quarter" }\n'
    program = Program.from_toml_string(text)
    assert program.tier_policy.calendar == FiscalReviews(
        MonthlyFiscalCalendar(1, tz="Europe/Berlin"), "quarter"
    )
    assert Program.from_dict(program.to_dict()) == program


def test_a_tier_policy_without_a_ladder_round_trips() -> None:
    program = make_program(tier_policy=TierPolicy(upgrades="next_period"))
    assert program.tiers is None
    assert list(program.to_dict()["tiers"]) == ["policy"]
    assert Program.from_dict(program.to_dict()) == program


def test_an_empty_tiers_table_still_needs_its_levels() -> None:
    assert paths(lambda: Program.from_toml_string(PROGRAM + "\n[tiers]\n")) == ["tiers.levels"]


def test_a_bad_time_zone_is_reported_once_even_when_tier_reviews_need_the_calendar() -> None:
    text = PROGRAM.replace("Europe/Berlin", "Mars/Olympus_Mons") + (
        '\n[tiers.policy]\ncalendar = { kind = "fiscal", period = "quarter" }\n'
    )
    assert paths(lambda: Program.from_toml_string(text)) == ["program.timezone"]


def test_the_context_gives_the_program_calendar_or_the_calendar_year_in_its_zone() -> None:
    july = MonthlyFiscalCalendar(7)
    assert AreaContext(values={"fiscal_calendar": july}).fiscal is july
    assert AreaContext(timezone="Asia/Tokyo").fiscal == MonthlyFiscalCalendar(1, tz="Asia/Tokyo")
    assert AreaContext().fiscal == MonthlyFiscalCalendar(1, tz="UTC")


# -- adding an area: a Program subclass and one area object, no edit of Program ----------------


@attrs.frozen
class Widgets:
    """A made-up area: how many widgets a partner gets, in which colour, as of which quarter."""

    count: int
    colour: str = "blue"
    budget: Money | None = None
    since: date | None = None


class WidgetsArea:
    """The [widgets] table; a plain amount of ``budget`` is in the program's currency."""

    table = "widgets"
    attribute = "widgets"

    def read(self, reader: ConfigReader, context: AreaContext) -> Widgets | None:
        before = len(reader.errors)
        count = reader.int("count", minimum=0)
        colour = reader.str("colour", "blue", choices=("blue", "green"))
        amount = reader.decimal("budget", None)
        reader.finish(raise_errors=False)
        if len(reader.errors) != before:
            return None
        budget = (
            Money(amount, context.currency) if amount is not None and context.currency else None
        )
        # The fiscal calendar as read by the [fiscal] area before this one.
        since = context.fiscal.quarter_of(date(2026, 1, 15)).start
        return Widgets(count, colour, budget, since)

    def write(self, value: Widgets, program: Program) -> dict[str, Any]:
        data: dict[str, Any] = {"count": value.count, "colour": value.colour}
        if value.budget is not None:
            data["budget"] = str(value.budget.amount)
        return data

    def check(self, value: object, program: Program) -> Iterable[FieldError]:
        if value is None:
            return ()
        if not isinstance(value, Widgets):
            return (FieldError("", "invalid", "expected Widgets"),)
        if value.budget is not None and value.budget.currency != program.currency:
            return (FieldError("budget", "invalid", "the budget is not in the program currency"),)
        return ()

    def summary(self, value: Widgets) -> str:
        return f"<{value.count} widgets>"


WIDGETS: ProgramArea[Widgets] = WidgetsArea()


@attrs.frozen(repr=False)
class WidgetProgram(Program):
    """A host's program with one table more."""

    areas: ClassVar[tuple[ProgramArea[Any], ...]] = (*Program.areas, WIDGETS)

    widgets: Widgets | None = attrs.field(default=None, kw_only=True)


WIDGETS_TABLE = '\n[widgets]\ncount = 3\ncolour = "green"\nbudget = "500"\n'


def test_a_new_area_is_read_with_the_context_of_the_areas_before_it() -> None:
    program = WidgetProgram.from_toml_string(FULL + WIDGETS_TABLE)
    assert isinstance(program, WidgetProgram)
    # The [fiscal] year starts in July: 15 January 2026 is in the quarter from 1 January.
    assert program.widgets == Widgets(3, "green", Money("500", "EUR"), date(2026, 1, 1))
    assert program.tiers is not None
    assert program.tiers.keys == ("registered", "premier")


def test_a_new_area_is_written_shown_and_round_trips() -> None:
    program = WidgetProgram.from_toml_string(PROGRAM + WIDGETS_TABLE)
    assert program.to_dict()["widgets"] == {"count": 3, "colour": "green", "budget": "500"}
    assert repr(program).endswith("widgets=<3 widgets>, version=0)")
    assert repr(program).startswith("WidgetProgram(")
    assert WidgetProgram.from_dict(program.to_dict()) == program
    assert list(WidgetProgram.from_toml_string(PROGRAM).to_dict()) == ["program"]


def test_a_new_area_reports_its_errors_with_the_rest_of_the_file() -> None:
    text = FULL.replace("review_days = 5", "review_days = 0") + WIDGETS_TABLE.replace(
        "count = 3", "count = -3"
    ).replace('"green"', '"red"')
    assert set(paths(lambda: WidgetProgram.from_toml_string(text))) == {
        "deals.review_days",
        "widgets.count",
        "widgets.colour",
    }


def test_a_new_area_checks_its_value_when_the_program_is_built() -> None:
    usd = Widgets(1, budget=Money("10", "USD"))
    assert paths(lambda: WidgetProgram(key="p", name="P", currency="EUR", widgets=usd)) == [
        "widgets.budget"
    ]
    assert paths(lambda: WidgetProgram(key="p", name="P", currency="EUR", widgets=7)) == [  # type: ignore[arg-type]
        "widgets"
    ]


def test_the_base_program_does_not_know_the_new_table() -> None:
    assert paths(lambda: Program.from_toml_string(PROGRAM + WIDGETS_TABLE)) == ["widgets"]
    assert WIDGETS not in Program.areas


def test_a_program_subclass_is_stored_in_its_file_form() -> None:
    program = WidgetProgram.from_toml_string(PROGRAM + WIDGETS_TABLE)
    stored = to_dict(attrs.evolve(program, version=4))
    assert stored["widgets"]["count"] == 3
    assert stored["version"] == 4
    back = from_dict(WidgetProgram, stored)
    assert isinstance(back, WidgetProgram)
    assert back.version == 4


def test_the_shipped_areas_are_program_areas() -> None:
    areas: tuple[ProgramArea[Any], ...] = Program.areas
    calendar: FiscalCalendar | None = Program.from_toml_string(FULL).fiscal_calendar
    assert calendar is not None
    assert areas[0].summary(calendar).startswith("MonthlyFiscalCalendar(")
