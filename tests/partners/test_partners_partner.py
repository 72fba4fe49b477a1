from datetime import date, datetime

import attrs
import pendulum
import pytest

from partnerkit.addresses import Address
from partnerkit.core import from_dict, to_dict
from partnerkit.core.errors import InvalidTransition, ValidationError
from partnerkit.partners import (
    DEFAULT_PARTNER_TYPES,
    LIFECYCLE_STAGE_LABELS,
    LIFECYCLE_STAGES,
    LIFECYCLE_TRANSITIONS,
    Partner,
    PartnerType,
    StageChange,
    partner_stage_label,
    validate_partner,
)

AT = pendulum.datetime(2026, 4, 1, 10, tz="America/New_York")


def acme(**changes: object) -> Partner:
    return attrs.evolve(Partner("p1", "Acme", "acme.example", "reseller"), **changes)  # type: ignore[arg-type]


def test_validation_normalizes_text_domain_and_address() -> None:
    partner = acme(
        name="  Acme   Channel  Ltd ",
        domain="https://shop.Acme.co.uk/pricing",
        region=" EMEA ",
        address=Address("gb", "1 Main St", city="London", postal_code="ec1y8sy"),
    )
    clean = validate_partner(partner)
    assert clean.name == "Acme Channel Ltd"
    assert clean.domain == "acme.co.uk"
    assert clean.region == "EMEA"
    assert clean.address is not None
    assert clean.address.postal_code == "EC1Y 8SY"
    assert clean.address.country_code == "GB"


def test_validation_names_every_bad_field_with_dotted_paths() -> None:
    partner = Partner(
        "",
        "",
        "co.uk",
        "pirate",
        stage="dormant",
        agreement_start=date(2026, 6, 1),
        renewal_date=date(2026, 1, 1),
        currency="EUROS",
        locale="xx_YY_ZZ",
        address=Address("US", "1 Main St", city="Springfield", country_area="IL", postal_code="1"),
        registered_administrators=-1,
    )
    with pytest.raises(ValidationError) as caught:
        validate_partner(partner, path="partner")
    assert set(caught.value.paths) == {
        "partner.id",
        "partner.name",
        "partner.domain",
        "partner.partner_type",
        "partner.stage",
        "partner.renewal_date",
        "partner.currency",
        "partner.locale",
        "partner.address.postal_code",
        "partner.registered_administrators",
    }
    codes = {e.path: e.code for e in caught.value.errors}
    assert codes["partner.partner_type"] == "invalid_choice"
    assert codes["partner.renewal_date"] == "out_of_range"


def test_a_datetime_is_not_a_business_date() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_partner(acme(agreement_start=datetime(2026, 1, 1, tzinfo=pendulum.UTC)))
    assert caught.value.paths == ("agreement_start",)


def test_hosts_can_offer_their_own_partner_types() -> None:
    marketplace = PartnerType("marketplace", "Cloud marketplace")
    types = (*DEFAULT_PARTNER_TYPES, marketplace)
    clean = validate_partner(acme(partner_type="marketplace"), partner_types=types)
    assert clean.partner_type == "marketplace"
    with pytest.raises(ValidationError):
        validate_partner(acme(partner_type="marketplace"))
    assert marketplace.label_in("de") == "Cloud marketplace"


def test_every_stage_has_transitions_and_a_label_and_only_reaches_stages() -> None:
    assert set(LIFECYCLE_TRANSITIONS) == set(LIFECYCLE_STAGES) == set(LIFECYCLE_STAGE_LABELS)
    for targets in LIFECYCLE_TRANSITIONS.values():
        assert targets <= set(LIFECYCLE_STAGES)


def test_a_stage_change_is_recorded_with_who_when_from_to_and_note() -> None:
    moved = acme().change_stage("onboarding", by="pam", at=AT, note="signed")
    moved = moved.change_stage("active", by="pam", at=AT.add(days=30))
    assert moved.stage == "active"
    assert moved.stage_history == (
        StageChange("pam", AT, "recruited", "onboarding", "signed"),
        StageChange("pam", AT.add(days=30), "onboarding", "active"),
    )


def test_a_move_the_lifecycle_does_not_allow_is_refused_and_changes_nothing() -> None:
    partner = acme()
    with pytest.raises(InvalidTransition) as caught:
        partner.change_stage("active", by="pam", at=AT)
    assert (caught.value.from_state, caught.value.to_state) == ("recruited", "active")
    assert partner.stage == "recruited"
    assert partner.stage_history == ()
    with pytest.raises(InvalidTransition):
        partner.change_stage("recruited", by="pam", at=AT)


def test_a_naive_instant_is_refused_for_a_stage_change() -> None:
    with pytest.raises(ValidationError):
        acme().change_stage("onboarding", by="pam", at=datetime(2026, 1, 1))


def test_a_host_can_pass_its_own_transitions() -> None:
    fast_track = {**LIFECYCLE_TRANSITIONS, "recruited": frozenset({"active"})}
    assert acme().change_stage("active", by="pam", at=AT, transitions=fast_track).stage == "active"


def test_an_exited_partner_can_only_be_recruited_again() -> None:
    partner = acme(stage="exited")
    assert partner.change_stage("recruited", by="pam", at=AT).stage == "recruited"
    with pytest.raises(InvalidTransition):
        partner.change_stage("active", by="pam", at=AT)


def test_a_partner_round_trips_through_to_dict_and_from_dict() -> None:
    partner = acme(
        tier="gold",
        stage_history=(StageChange("pam", AT, "recruited", "onboarding"),),
        stage="onboarding",
        agreement_start=date(2026, 1, 1),
        renewal_date=date(2027, 1, 1),
        address=Address("DE", "Unter den Linden 1", city="Berlin", postal_code="10117"),
        registered_administrators=3,
        version=4,
    )
    data = to_dict(partner)
    assert data["stage_history"][0]["at"] == "2026-04-01T10:00:00-04:00[America/New_York]"
    assert from_dict(Partner, data) == partner


def test_the_stored_form_refuses_floats_for_counts() -> None:
    data = to_dict(acme())
    data["registered_administrators"] = 1.0
    with pytest.raises(ValidationError) as caught:
        from_dict(Partner, data)
    assert caught.value.paths == ("registered_administrators",)


@pytest.mark.parametrize(
    ("locale", "label"),
    [("en", "At risk"), ("de", "Gefährdet"), ("fr", "À risque"), ("ja", "リスクあり")],
)
def test_stage_labels_are_translated(locale: str, label: str) -> None:
    assert partner_stage_label("at_risk", locale) == label


def test_a_partner_is_owned_by_itself() -> None:
    assert acme().partner_id == "p1"


def test_a_partner_type_that_is_not_text_is_reported_with_the_other_bad_fields() -> None:
    bad = attrs.evolve(acme(), partner_type=["reseller"], name="")  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as caught:
        validate_partner(bad)
    assert set(caught.value.paths) == {"partner_type", "name"}


@pytest.mark.parametrize("name", ["Acme \u202eLtd", "Acme \u2066Ltd\u2069", "Acme\x00"])
def test_a_partner_name_with_a_bidi_control_or_nul_is_refused(name: str) -> None:
    # Issue #19: the one text rule refuses bidi embeddings, overrides and isolates too.
    with pytest.raises(ValidationError) as caught:
        validate_partner(acme(name=name), path="partner")
    assert [(e.path, e.code) for e in caught.value.errors] == [("partner.name", "invalid")]


def test_a_partner_name_keeps_its_right_to_left_mark() -> None:
    assert validate_partner(acme(name="אקמה\u200f בע״מ")).name == "אקמה\u200f בע״מ"
