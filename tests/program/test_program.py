"""Program: built in code or loaded from TOML, every bad key reported at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnerkit.core import from_dict, to_dict
from partnerkit.core.errors import ValidationError
from partnerkit.program import Program
from partnerkit.testing import make_program

VALID_TOML = """
[program]
key = "acme-partners"
name = "Acme Partner Network"
currency = "EUR"
locale = "de_DE"
timezone = "Europe/Berlin"
"""

keys = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,63}", fullmatch=True)
programs = st.builds(
    Program,
    key=keys,
    # Names follow the text rule: no control characters, lone surrogates or bidi controls.
    name=st.text(
        st.characters(
            exclude_categories=("Cc", "Cs"),
            exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
        ),
        min_size=1,
        max_size=40,
    ).filter(str.strip),
    currency=st.sampled_from(["EUR", "USD", "JPY", "BHD", "CHF", "GBP"]),
    locale=st.sampled_from(["en_US", "de_DE", "ja_JP", "fr_CH", "pt_BR"]),
    timezone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Kathmandu"]),
)


def good_data() -> dict[str, Any]:
    return {
        "program": {
            "key": "acme-partners",
            "name": "Acme Partner Network",
            "currency": "EUR",
            "locale": "de_DE",
            "timezone": "Europe/Berlin",
        }
    }


def bad_fields(data: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        Program.from_dict(data)  # type: ignore[arg-type]
    return {e.path: e.code for e in info.value.errors}


# -- loading ---------------------------------------------------------------------------------


def test_from_toml_string_reads_a_valid_program() -> None:
    program = Program.from_toml_string(VALID_TOML)
    assert program == Program(
        key="acme-partners",
        name="Acme Partner Network",
        currency="EUR",
        locale="de_DE",
        timezone="Europe/Berlin",
    )


def test_locale_and_timezone_have_defaults() -> None:
    program = Program.from_toml_string('[program]\nkey = "acme"\nname = "Acme"\ncurrency = "JPY"\n')
    assert (program.locale, program.timezone, program.version) == ("en_US", "UTC", 0)


def test_many_bad_keys_are_reported_together() -> None:
    data = {
        "program": {
            "key": "Acme Partners",
            "name": "Acme",
            "currency": "EUROS",
            "locale": "xx_XX",
            "timezone": "Mars/Olympus_Mons",
            "colour": "red",
        },
        "colours": {"gold": "#d4af37"},
    }
    assert bad_fields(data) == {
        "program.key": "invalid",
        "program.currency": "invalid",
        "program.locale": "invalid",
        "program.timezone": "invalid",
        "program.colour": "unknown",
        "colours": "unknown",
    }


def test_missing_and_mistyped_keys_are_reported_together() -> None:
    data = {"program": {"key": 7, "currency": "EUR", "locale": True, "naem": "Acme"}}
    assert bad_fields(data) == {
        "program.key": "invalid",
        "program.name": "required",
        "program.locale": "invalid",
        "program.naem": "unknown",
    }


def test_a_missing_program_table_is_required() -> None:
    fields = bad_fields({})
    assert fields["program"] == "required"
    assert bad_fields({"fiscal": {}})["program"] == "required"


def test_a_program_that_is_not_a_table_is_invalid() -> None:
    assert bad_fields({"program": "acme"})["program"] == "invalid"


@pytest.mark.parametrize("data", [[], "program", None])
def test_data_that_is_not_a_table_is_a_validation_error(data: object) -> None:
    assert "" in bad_fields(data)


@pytest.mark.parametrize("field", ["key", "name", "currency", "locale", "timezone"])
def test_null_values_are_validation_errors(field: str) -> None:
    data = good_data()
    data["program"][field] = None
    assert bad_fields(data) == {f"program.{field}": "invalid"}


def test_a_blank_name_is_required() -> None:
    data = good_data()
    data["program"]["name"] = "  "
    assert bad_fields(data) == {"program.name": "required"}


@pytest.mark.parametrize(
    "text",
    [
        "[program\nkey = 'acme'",
        "[program]\nkey = acme",
        "[program]\nkey = 'a'\nkey = 'b'",
        "= 1",
    ],
)
def test_bad_toml_syntax_is_a_validation_error(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        Program.from_toml_string(text)
    assert info.value.paths == ("",)
    assert info.value.errors[0].code == "invalid_toml"


def test_from_toml_reads_a_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "program.toml"
    path.write_bytes(
        VALID_TOML.replace("Acme Partner Network", "Société Générale Partenaires").encode()
    )
    for where in (path, str(path)):
        program = Program.from_toml(where)
        assert program.name == "Société Générale Partenaires"
        assert program.key == "acme-partners"


def test_from_toml_reports_bad_keys_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "program.toml"
    path.write_text(VALID_TOML.replace('"EUR"', '"EURO"'), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Program.from_toml(path)
    assert info.value.paths == ("program.currency",)


@given(programs)
def test_from_dict_of_to_dict_gives_the_program_back(program: Program) -> None:
    assert Program.from_dict(program.to_dict()) == program


def test_to_dict_holds_the_program_table_as_parsed_from_toml() -> None:
    assert Program.from_toml_string(VALID_TOML).to_dict()["program"] == good_data()["program"]


# -- building in code ------------------------------------------------------------------------


@given(keys)
def test_keys_of_lower_case_letters_digits_dashes_and_underscores_are_accepted(key: str) -> None:
    assert Program(key=key, name="Acme", currency="EUR").key == key


@pytest.mark.parametrize(
    "key",
    ["", "Acme", "acme partners", "-acme", "_acme", "acme.partners", "a" * 65, "acme\n", "ácme"],
)
def test_other_keys_are_refused(key: str) -> None:
    with pytest.raises(ValidationError) as info:
        Program(key=key, name="Acme", currency="EUR")
    assert info.value.paths == ("program.key",)


def test_building_in_code_reports_every_bad_field() -> None:
    with pytest.raises(ValidationError) as info:
        Program(
            key="Bad Key",
            name="",
            currency="EUROS",
            locale="nowhere",
            timezone="Mars/Olympus_Mons",
        )
    assert set(info.value.paths) == {
        "program.key",
        "program.name",
        "program.currency",
        "program.locale",
        "program.timezone",
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [("timezone", 3600), ("timezone", None), ("locale", None), ("locale", 1), ("currency", 978)],
)
def test_settings_that_are_not_strings_are_refused(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as info:
        make_program(**{field: value})
    assert info.value.paths == (f"program.{field}",)


@pytest.mark.parametrize("version", [True, "1", 1.0, None])
def test_the_version_must_be_an_integer(version: object) -> None:
    with pytest.raises(ValidationError) as info:
        make_program(version=version)
    assert info.value.paths == ("version",)


def test_programs_are_immutable() -> None:
    program = make_program()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        program.currency = "EUR"  # type: ignore[misc]


# -- the factory for host tests --------------------------------------------------------------


def test_make_program_builds_a_valid_program() -> None:
    program = make_program()
    assert isinstance(program, Program)
    assert Program.from_dict(program.to_dict()) == program


def test_make_program_applies_overrides() -> None:
    program = make_program(currency="JPY", locale="ja_JP", timezone="Asia/Tokyo")
    assert (program.currency, program.locale, program.timezone) == ("JPY", "ja_JP", "Asia/Tokyo")


def test_make_program_refuses_bad_overrides() -> None:
    with pytest.raises(ValidationError) as info:
        make_program(currency="XXY")
    assert info.value.paths == ("program.currency",)


TIERED = """
[program]
key = "tiered"
name = "Tiered Program"
currency = "EUR"
timezone = "Europe/Berlin"

[fiscal]
kind = "monthly"
start_month = 7

[[tiers.levels]]
key = "registered"
name = "Registered"
rank = 1
[tiers.levels.benefits]
partner_margin = "10"

[[tiers.levels]]
key = "premier"
name = "Premier"
rank = 2
[tiers.levels.benefits]
partner_margin = "20"
reward_margin = "5"
[[tiers.levels.criteria.rules]]
metric = "new_arr"
threshold = { amount = "100000", currency = "EUR" }

[tiers.policy]
upgrades = "next_period"
downgrade_grace_days = 30
"""


def test_a_program_file_carries_its_fiscal_calendar_tier_ladder_and_policy() -> None:
    program = Program.from_toml_string(TIERED)
    assert program.fiscal.year_of(date(2026, 7, 1)).start == date(2026, 7, 1)
    assert program.tiers is not None
    assert program.tiers.keys == ("registered", "premier")
    assert program.tier_policy.upgrades == "next_period"
    assert program.tier_policy.downgrade_grace_days == 30
    assert Program.from_dict(program.to_dict()) == program
    assert from_dict(Program, to_dict(program)) == program


def test_errors_in_program_fiscal_and_tiers_sections_are_reported_together() -> None:
    broken = (
        TIERED.replace('currency = "EUR"\ntimezone', 'currency = "EURO"\ntimezone')
        .replace("start_month = 7", "start_month = 13")
        .replace('partner_margin = "20"', 'partner_margin = "120"')
        .replace("downgrade_grace_days = 30", "downgrade_grace_days = -1")
    )
    with pytest.raises(ValidationError) as caught:
        Program.from_toml_string(broken)
    assert set(caught.value.paths) == {
        "program.currency",
        "fiscal.start_month",
        "tiers.levels.1.benefits.partner_margin",
        "tiers.policy.downgrade_grace_days",
    }


def test_the_default_fiscal_calendar_follows_the_program_time_zone_when_it_changes() -> None:
    program = Program(key="p", name="P", currency="USD", timezone="America/New_York")
    moved = attrs.evolve(program, timezone="Asia/Tokyo")
    instant = pendulum.datetime(2026, 12, 31, 20, tz="UTC")  # 2027-01-01 in Tokyo
    assert program.fiscal.year_of(instant).year == 2026
    assert moved.fiscal.year_of(instant).year == 2027
    assert "fiscal" not in moved.to_dict()


def test_a_negative_version_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Program(key="p", name="P", currency="USD", version=-5)
    assert caught.value.paths == ("version",)


def test_a_program_file_that_is_not_utf8_is_a_validation_error(tmp_path: Path) -> None:
    path = tmp_path / "program.toml"
    path.write_bytes(b'[program]\nname = "\xff"\n')
    with pytest.raises(ValidationError) as caught:
        Program.from_toml(path)
    assert caught.value.errors[0].code == "invalid_toml"


def test_a_permissions_table_changes_only_the_roles_it_names() -> None:
    from partnerkit.partners import DEFAULT_PERMISSIONS

    program = Program.from_toml_string(
        TIERED + '\n[permissions]\nmanager = ["register_deals", "view_dashboard"]\n'
    )
    assert program.permissions != DEFAULT_PERMISSIONS
    assert set(program.permissions.permissions_of("manager")) == {
        "register_deals",
        "view_dashboard",
    }
    assert program.permissions.permissions_of("executive") == (
        DEFAULT_PERMISSIONS.permissions_of("executive")
    )
    assert Program.from_dict(program.to_dict()) == program


def test_bad_permissions_are_reported_with_the_other_sections() -> None:
    with pytest.raises(ValidationError) as caught:
        Program.from_toml_string(
            TIERED.replace('currency = "EUR"\ntimezone', 'currency = "EURO"\ntimezone')
            + '\n[permissions]\nboss = ["view_dashboard"]\nuser = ["fly"]\n'
        )
    assert {"program.currency", "permissions.boss", "permissions.user.0"} <= set(caught.value.paths)


@pytest.mark.parametrize("zone", ["Europe", "Mars/Base", "../etc"])
def test_time_zones_that_are_folders_or_unknown_are_validation_errors(zone: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Program(key="p", name="P", currency="USD", timezone=zone)
    assert caught.value.paths == ("program.timezone",)


def test_tier_reviews_can_follow_the_programs_fiscal_calendar() -> None:
    from partnerkit.tiers import FiscalReviews

    text = TIERED.replace(
        "downgrade_grace_days = 30",
        'downgrade_grace_days = 30\ncalendar = { kind = "fiscal", period = "quarter" }',
    )
    program = Program.from_toml_string(text)
    assert program.tier_policy.calendar == FiscalReviews(program.fiscal, "quarter")
    written = program.to_dict()
    assert "fiscal" not in written["tiers"]["policy"]["calendar"]
    assert Program.from_dict(written) == program


def test_a_scoring_table_sets_the_engagement_model_and_its_errors_join_the_rest() -> None:
    from partnerkit.scoring import DEFAULT_ENGAGEMENT_MODEL

    scoring = (
        "\n[scoring]\n"
        '[[scoring.signals]]\nname = "logins"\nkpi = "logins_90d"\nweight = "100"\n'
        'normalization = "cap"\ntarget = "40"\n'
    )
    program = Program.from_toml_string(TIERED + scoring)
    assert program.scoring != DEFAULT_ENGAGEMENT_MODEL
    assert [s.name for s in program.scoring.signals] == ["logins"]
    assert Program.from_dict(program.to_dict()) == program
    with pytest.raises(ValidationError) as caught:
        Program.from_toml_string(
            TIERED.replace("start_month = 7", "start_month = 13")
            + scoring.replace('"cap"', '"zscore"')
        )
    assert {"fiscal.start_month", "scoring.signals.0.normalization"} <= set(caught.value.paths)


DEALS_AND_PRICING = """
[deals]
review_days = 12

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

[pricing.margins]
cap = "35"
"""


def test_deals_and_pricing_tables_set_the_registration_policy_and_the_price_books() -> None:
    from partnerkit.core import Money
    from partnerkit.deals import RegistrationPolicy

    program = Program.from_toml_string(TIERED + DEALS_AND_PRICING)
    assert program.registration_policy != RegistrationPolicy()
    assert program.registration_policy.review_days == 12
    assert program.pricing is not None
    book = program.pricing.price_book("EUR", date(2026, 6, 1))
    assert book.unit_price("MAIL", 10) == Money("4.00", "EUR")
    assert Program.from_dict(program.to_dict()) == program
    assert from_dict(Program, to_dict(program)) == program


def test_bad_deals_and_pricing_settings_join_the_other_errors() -> None:
    broken = (
        DEALS_AND_PRICING.replace("review_days = 12", "review_days = -3")
        .replace('unit_price = "4.00"', "unit_price = 4.5")
        .replace('cap = "35"', 'cap = "140"')
    )
    with pytest.raises(ValidationError) as caught:
        Program.from_toml_string(TIERED.replace("start_month = 7", "start_month = 0") + broken)
    paths = set(caught.value.paths)
    assert "fiscal.start_month" in paths
    assert "deals.review_days" in paths
    assert "pricing.price_books.0.prices.0.unit_price" in paths
    assert "pricing.margins.cap" in paths


# -- one text rule for every text field (issue #19) ----------------------------------------------


@pytest.mark.parametrize(
    "name", ["P\x00", "P\u202e", "P\u2066x\u2069", "P\ud800", "x" * 201, "x" * 1_000_000]
)
def test_a_program_name_is_text_without_controls_of_at_most_200_characters(name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Program(key="p", name=name, currency="EUR")
    assert caught.value.paths == ("program.name",)
    with pytest.raises(ValidationError) as caught:
        Program.from_dict({"program": {"key": "p", "name": name, "currency": "EUR"}})
    assert caught.value.paths == ("program.name",)


def test_a_program_name_of_200_characters_round_trips() -> None:
    program = Program(key="p", name="ü" * 200, currency="EUR")
    assert Program.from_dict(program.to_dict()) == program
    assert from_dict(Program, to_dict(program)) == program


@pytest.mark.parametrize(
    ("entry", "path"),
    [
        ({"key": "msp", "label": "MSP\u202e"}, "partners.types.0.label"),
        ({"key": "m\x00sp", "label": "MSP"}, "partners.types.0.key"),
        ({"key": "msp", "label": "M" * 201}, "partners.types.0.label"),
    ],
)
def test_partner_types_of_a_program_file_follow_the_text_rule(
    entry: dict[str, str], path: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Program.from_dict(
            {
                "program": {"key": "p", "name": "P", "currency": "EUR"},
                "partners": {"types": [entry]},
            }
        )
    assert [(e.path, e.code) for e in caught.value.errors] == [(path, "invalid")]
