from datetime import date, timedelta

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerkit.core import from_dict, to_dict
from partnerkit.core.errors import InvalidTransition, ValidationError
from partnerkit.partners import (
    ANY_CERTIFICATION,
    DEREGISTERED,
    REGISTERED,
    Certification,
    PartnerUser,
    RegistrationChange,
    certified_users,
    status_label,
    validate_user,
)

AT = pendulum.datetime(2026, 5, 4, 8, tz="Asia/Tokyo")
DAY = date(2026, 6, 30)


def user(id: str = "u1", *certs: Certification, role: str = "user") -> PartnerUser:
    return PartnerUser(id, "p1", "Ann", f"{id}@acme.example", role=role, certifications=certs)


def cert(kind: str, earned: date, expires: date | None) -> Certification:
    return Certification(kind, f"{kind} course", earned, expires)


def test_validation_normalizes_name_and_email() -> None:
    clean = validate_user(PartnerUser("u1", "p1", "  Ann   Lee ", " Ann.Lee@ACME.Example "))
    assert (clean.name, clean.email) == ("Ann Lee", "Ann.Lee@acme.example")


def test_validation_names_every_bad_field_including_certifications() -> None:
    bad = PartnerUser(
        "",
        "p1",
        "",
        "not-an-email",
        role="boss",
        status="lost",
        certifications=(
            cert("sales", date(2026, 1, 1), date(2027, 1, 1)),
            Certification("", "", date(2026, 1, 1), date(2025, 1, 1)),
        ),
    )
    with pytest.raises(ValidationError) as caught:
        validate_user(bad, path="user")
    assert set(caught.value.paths) == {
        "user.id",
        "user.name",
        "user.email",
        "user.role",
        "user.status",
        "user.certifications.1.kind",
        "user.certifications.1.name",
        "user.certifications.1.expires",
    }


def test_vendor_roles_are_not_partner_user_roles() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_user(user(role="program_administrator"))
    assert caught.value.errors[0].code == "invalid_choice"


def test_deregistering_and_registering_again_is_recorded() -> None:
    first = user().deregister(by="admin", at=AT, note="left the company")
    second = first.reregister(by="admin", at=AT.add(days=3))
    assert (first.status, second.status) == (DEREGISTERED, REGISTERED)
    assert second.history == (
        RegistrationChange("admin", AT, REGISTERED, DEREGISTERED, "left the company"),
        RegistrationChange("admin", AT.add(days=3), DEREGISTERED, REGISTERED),
    )
    assert second.status_changed == second.history[-1]


def test_deregistering_twice_is_an_invalid_transition() -> None:
    gone = user().deregister(by="admin", at=AT)
    with pytest.raises(InvalidTransition):
        gone.deregister(by="admin", at=AT)
    with pytest.raises(InvalidTransition):
        user().reregister(by="admin", at=AT)


def test_a_certification_counts_from_its_earned_day_until_the_day_before_it_expires() -> None:
    c = cert("sales", date(2026, 1, 1), date(2026, 7, 1))
    assert not c.valid_on(date(2025, 12, 31))
    assert c.valid_on(date(2026, 1, 1))
    assert c.valid_on(date(2026, 6, 30))
    assert not c.valid_on(date(2026, 7, 1))
    assert cert("sales", date(2026, 1, 1), None).valid_on(date(2100, 1, 1))


def test_certified_users_count_only_unexpired_certifications_of_registered_users() -> None:
    users = [
        user("current", cert("sales", date(2026, 1, 1), date(2027, 1, 1))),
        user("expired", cert("sales", date(2024, 1, 1), date(2026, 6, 30))),
        user("future", cert("sales", date(2026, 7, 1), None)),
        user("technical", cert("technical", date(2026, 1, 1), None)),
        user("gone", cert("sales", date(2026, 1, 1), None)).deregister(by="a", at=AT),
        user("none"),
    ]
    assert [u.id for u in certified_users(users, DAY)] == ["current", "technical"]
    assert [u.id for u in certified_users(users, DAY, "sales")] == ["current"]
    assert [u.id for u in certified_users(users, DAY, ANY_CERTIFICATION)] == [
        "current",
        "technical",
    ]
    assert certified_users(users, DAY, "partner-defined") == []


def test_certified_users_needs_a_date_not_a_datetime() -> None:
    with pytest.raises(ValidationError):
        certified_users([], pendulum.datetime(2026, 1, 1))


def test_hosts_can_define_their_own_certification_kinds() -> None:
    partner_user = validate_user(user("u1", cert("cloud-architect", date(2026, 1, 1), None)))
    assert certified_users([partner_user], DAY, "cloud-architect") == [partner_user]


dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=150)
@given(
    certs=st.lists(
        st.tuples(st.sampled_from(["sales", "technical"]), dates, st.none() | st.integers(1, 800)),
        max_size=4,
    ),
    as_of=dates,
)
def test_a_user_is_certified_exactly_when_one_certification_spans_the_day(
    certs: list[tuple[str, date, int | None]], as_of: date
) -> None:
    held = tuple(
        cert(kind, earned, None if days is None else earned + timedelta(days=days))
        for kind, earned, days in certs
    )
    someone = user("u1", *held)
    expected = any(c.earned <= as_of and (c.expires is None or as_of < c.expires) for c in held)
    assert (certified_users([someone], as_of) == [someone]) is expected


def test_a_user_round_trips_through_to_dict_and_from_dict() -> None:
    someone = user(
        "u1", cert("sales", date(2026, 1, 1), date(2027, 1, 1)), cert("technical", DAY, None)
    ).deregister(by="admin", at=AT)
    assert from_dict(PartnerUser, to_dict(someone)) == someone


def test_status_labels_are_translated() -> None:
    assert status_label(DEREGISTERED, "de") == "Abgemeldet"
    assert status_label("unknown", "de") == "unknown"
