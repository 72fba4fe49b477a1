import csv
import io
from datetime import date

import attrs
import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerkit.addresses import Address
from partnerkit.core import from_dict, to_dict
from partnerkit.core.errors import ValidationError
from partnerkit.locale import gettext
from partnerkit.partners import (
    PARTNER_COLUMNS,
    Certification,
    Partner,
    PartnerFilter,
    PartnerType,
    PartnerUser,
    export_csv,
)

DAY = date(2026, 9, 1)


def partner(id: str, **changes: object) -> Partner:
    base = Partner(id, f"Partner {id}", f"{id}.example", "reseller")
    return attrs.evolve(base, **changes)  # type: ignore[arg-type]


PARTNERS = [
    partner("a", region="EMEA", tier="gold", industry="Health", stage="active",
            account_manager="pam1"),
    partner("b", region="EMEA", tier="silver", partner_type="distributor", stage="at_risk",
            account_manager="pam2"),
    partner("c", region="APAC", tier="gold", partner_type="referral", industry="Finance",
            stage="active", account_manager="pam1"),
    partner("d", region="AMER", tier="gold", industry="Health", stage="onboarding"),
]  # fmt: skip

SALES = Certification("sales", "Sales Pro", date(2026, 1, 1), date(2027, 1, 1))
OLD = Certification("technical", "Engineer", date(2024, 1, 1), date(2026, 1, 1))
USERS = [
    PartnerUser("u1", "a", "Ann", "ann@a.example", certifications=(SALES,)),
    PartnerUser("u2", "a", "Bo", "bo@a.example", certifications=(SALES,)),
    PartnerUser("u3", "c", "Cy", "cy@c.example", certifications=(OLD,)),
    PartnerUser("u4", "d", "Di", "di@d.example", certifications=(SALES,)),
]


def ids(found: list[Partner]) -> list[str]:
    return [p.id for p in found]


def test_an_empty_filter_keeps_every_partner() -> None:
    assert ids(PartnerFilter().apply(PARTNERS)) == ["a", "b", "c", "d"]


def test_values_of_one_criterion_are_alternatives_and_criteria_combine() -> None:
    segment = PartnerFilter(regions={"EMEA", "APAC"}, tiers="gold")
    assert ids(segment.apply(PARTNERS)) == ["a", "c"]
    segment = PartnerFilter(industries="Health", stages=["active", "onboarding"])
    assert ids(segment.apply(PARTNERS)) == ["a", "d"]
    assert ids(
        PartnerFilter(account_managers="pam1", partner_types="referral").apply(PARTNERS)
    ) == ["c"]


def test_a_certification_criterion_counts_unexpired_certifications_on_the_date() -> None:
    segment = PartnerFilter(certification="sales")
    assert ids(segment.apply(PARTNERS, USERS, DAY)) == ["a", "d"]
    assert ids(PartnerFilter(certification="technical").apply(PARTNERS, USERS, DAY)) == []
    two = PartnerFilter(certification="any", min_certified_users=2)
    assert ids(two.apply(PARTNERS, USERS, DAY)) == ["a"]
    assert segment.matches(PARTNERS[0], USERS, DAY)
    assert not segment.matches(PARTNERS[2], USERS, DAY)
    assert ids(segment.apply(PARTNERS, USERS, date(2027, 1, 1))) == []


def test_a_certification_criterion_needs_users_and_a_date() -> None:
    with pytest.raises(ValidationError) as caught:
        PartnerFilter(certification="sales").apply(PARTNERS)
    assert caught.value.paths == ("users", "as_of")


def test_bad_filters_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        PartnerFilter(regions=[1], certification="", min_certified_users=0)  # type: ignore[list-item]
    assert caught.value.paths == ("regions", "certification", "min_certified_users")


def test_a_filter_round_trips_through_to_dict_and_from_dict() -> None:
    segment = PartnerFilter(regions={"EMEA", "APAC"}, tiers="gold", certification="sales")
    data = to_dict(segment)
    assert data["regions"] == ["APAC", "EMEA"]
    assert from_dict(PartnerFilter, data) == segment


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_export_writes_chosen_columns_in_order_with_german_headers() -> None:
    exported = export_csv(
        [partner("a", stage="at_risk", agreement_start=date(2026, 2, 1),
                 address=Address("DE", "Hauptstr. 1", city="Berlin", postal_code="10115"))],
        ["name", "stage", "agreement_start", "country", "city", "partner_type"],
        "de_DE",
    )  # fmt: skip
    assert exported.endswith("\r\n")
    assert rows(exported) == [
        ["Partnername", "Lebenszyklusphase", "Vertragsbeginn", "Land", "Ort", "Partnertyp"],
        ["Partner a", "Gefährdet", "2026-02-01", "DE", "Berlin", "Wiederverkäufer"],
    ]


@pytest.mark.parametrize("locale", ["en", "en_GB", "de", "fr", "es", "pt", "it", "nl", "ja"])
def test_every_header_is_translated_in_every_shipped_language(locale: str) -> None:
    header = rows(export_csv([], list(PARTNER_COLUMNS), locale))[0]
    assert header == [gettext(label, locale) for label in PARTNER_COLUMNS.values()]
    if not locale.startswith("en"):
        assert header != list(PARTNER_COLUMNS.values())


def test_a_host_partner_type_is_exported_with_its_label() -> None:
    types = (PartnerType("marketplace", "Cloud marketplace"),)
    exported = export_csv([partner("a", partner_type="marketplace")], ["partner_type"], "fr",
                          partner_types=types)  # fmt: skip
    assert rows(exported)[1] == ["Cloud marketplace"]


def test_unknown_and_repeated_columns_are_all_reported() -> None:
    with pytest.raises(ValidationError) as caught:
        export_csv(PARTNERS, ["name", "revenue", "name", "secret"])
    assert [(e.path, e.code) for e in caught.value.errors] == [
        ("columns.1", "invalid_choice"),
        ("columns.2", "duplicate"),
        ("columns.3", "invalid_choice"),
    ]
    with pytest.raises(ValidationError):
        export_csv(PARTNERS, [])


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_is_neutralized(start: str) -> None:
    exported = export_csv([partner("a", name=f"{start}HYPERLINK(1)")], ["name"])
    assert rows(exported)[1] == [f"'{start}HYPERLINK(1)"]


@settings(max_examples=200)
@given(st.text(max_size=30), st.text(max_size=30))
def test_no_exported_cell_starts_like_a_formula_and_text_survives(name: str, region: str) -> None:
    exported = export_csv([partner("a", name=name, region=region)], ["name", "region"])
    (cells,) = rows(exported)[1:]
    for cell, original in zip(cells, (name, region), strict=True):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
        assert cell in (original, "'" + original)


def test_a_moved_partner_is_exported_with_its_new_stage_label() -> None:
    moved = partner("a").change_stage("onboarding", by="pam", at=pendulum.datetime(2026, 1, 1))
    assert rows(export_csv([moved], ["stage"]))[1] == ["Onboarding"]


partners_strategy = st.lists(
    st.builds(
        partner,
        st.text("abc", min_size=1, max_size=3),
        region=st.sampled_from(["EMEA", "APAC", ""]),
        tier=st.sampled_from(["gold", "silver"]),
        industry=st.sampled_from(["Health", "Retail"]),
        stage=st.sampled_from(["active", "at_risk", "exited"]),
        account_manager=st.sampled_from(["pam1", "pam2", ""]),
        partner_type=st.sampled_from(["reseller", "referral"]),
    ),
    max_size=12,
)
VALUES = ["EMEA", "APAC", "gold", "silver", "Health", "active", "exited", "pam1", "", "reseller"]
criteria = st.frozensets(st.sampled_from(VALUES), max_size=3)


@settings(max_examples=200)
@given(partners_strategy, criteria, criteria, criteria, criteria, criteria, criteria)
def test_apply_keeps_exactly_the_partners_that_match(
    partners: list[Partner],
    types: frozenset[str],
    regions: frozenset[str],
    tiers: frozenset[str],
    industries: frozenset[str],
    stages: frozenset[str],
    managers: frozenset[str],
) -> None:
    segment = PartnerFilter(types, regions, tiers, industries, stages, managers)
    assert segment.apply(partners) == [p for p in partners if segment.matches(p)]


@pytest.mark.parametrize(
    "cell",
    [
        " =1+1",
        "  @SUM(A1)",
        " -2+3",
        "\n=cmd",
        "\u3000=1",
        "\u00a0+1",
        " \t=1",
        "\uff1d1+1",
        "\uff20A1",
    ],
)
def test_a_formula_behind_leading_whitespace_or_in_full_width_is_neutralized(cell: str) -> None:
    exported = export_csv([partner("a", name=cell)], ["name"])
    assert rows(exported)[1] == ["'" + cell]


@settings(max_examples=200)
@given(
    st.text(alphabet=" \t\r\n\u00a0\u3000", max_size=3),
    st.sampled_from("=+-@\uff1d\uff0b\uff0d\uff20"),
    st.text(max_size=10),
)
def test_no_cell_has_a_formula_start_after_whitespace(lead: str, start: str, rest: str) -> None:
    (cell,) = rows(export_csv([partner("a", name=lead + start + rest)], ["name"]))[1]
    assert cell.startswith("'")


def test_columns_given_as_one_string_or_unhashable_values_are_validation_errors() -> None:
    with pytest.raises(ValidationError) as caught:
        export_csv(PARTNERS, "name")
    assert caught.value.paths == ("columns",)
    with pytest.raises(ValidationError) as caught:
        export_csv(PARTNERS, ["name", ["id"], {"x": 1}])  # type: ignore[list-item]
    assert caught.value.paths == ("columns.1", "columns.2")


@pytest.mark.parametrize("value", [None, 3, [["gold"]], [1], {"gold": 1}.items()])
def test_a_filter_criterion_of_the_wrong_type_is_named(value: object) -> None:
    # Issue #19: PartnerFilter(account_managers=None) raised TypeError (not iterable).
    with pytest.raises(ValidationError) as caught:
        PartnerFilter(tiers=value, account_managers=value)  # type: ignore[arg-type]
    assert caught.value.paths == ("tiers", "account_managers")
