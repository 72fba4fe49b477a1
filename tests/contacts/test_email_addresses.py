import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerkit.contacts import normalize_email
from partnerkit.contacts._email import _plain_address
from partnerkit.core.errors import ValidationError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jane@example.com", "jane@example.com"),
        ("  Jane.Doe@EXAMPLE.COM  ", "Jane.Doe@example.com"),
        ("info@bücher.de", "info@bücher.de"),
        ("info@xn--bcher-kva.de", "info@bücher.de"),
        ("用户@例子.广告", "用户@例子.广告"),
    ],
)
def test_valid_addresses_are_normalized(raw: str, expected: str) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize("raw", ["jane", "jane@", "@example.com", "jane@@example.com", "a b@c.com"])
def test_malformed_addresses_are_invalid_at_the_given_path(raw: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_email(raw, path="end_user.email")
    assert [(e.path, e.code) for e in info.value.errors] == [("end_user.email", "invalid")]


def test_empty_address_is_required() -> None:
    with pytest.raises(ValidationError) as info:
        normalize_email("   ", path="end_user.email")
    assert info.value.errors[0].code == "required"


def test_no_dns_is_needed_for_a_domain_that_does_not_exist() -> None:
    assert normalize_email("x@no-such-domain-partnerkit.example") == (
        "x@no-such-domain-partnerkit.example"
    )


# -- the fast path for plain ASCII addresses agrees with email-validator -------------------

_ATOMS = "aZ09_!#$%&'*+-/=?^`{|}~"
_local_parts = st.lists(st.text(_ATOMS, min_size=1, max_size=12), min_size=1, max_size=4).map(
    ".".join
)
_labels = st.text("abcXYZ019-", min_size=1, max_size=12)
_domains = st.lists(_labels, min_size=1, max_size=4).map(".".join)
_shaped = st.builds(lambda local, domain: f"{local}@{domain}", _local_parts, _domains)
_anything = st.text("aZ09.-_@+!'\"<> ()[]\\é", max_size=40)


def _reference(text: str) -> str | None:
    try:
        return str(validate_email(text.strip(), check_deliverability=False).normalized)
    except EmailNotValidError:
        return None


@settings(max_examples=400)
@given(st.one_of(_shaped, _anything))
def test_plain_address_fast_path_agrees_with_email_validator(text: str) -> None:
    fast = _plain_address(text)
    if fast is not None:
        assert fast == _reference(text)
    try:
        ours: str | None = normalize_email(text)
    except ValidationError:
        ours = None
    assert ours == _reference(text)


@pytest.mark.parametrize(
    "text",
    [
        "Postmaster@Example.com",  # a role mailbox: email-validator lower-cases it
        "jane@mail.test",  # special-use domain
        "jane@xn--bcher-kva.de",  # Punycode becomes Unicode
        "jane@ab--cd.com",  # an R-LDH label
        "j@" + "a" * 64 + ".com",  # a label over 63 characters
        "x" * 65 + "@example.com",  # over 64 before the @ is still accepted by default
    ],
)
def test_addresses_outside_the_fast_path_are_left_to_email_validator(text: str) -> None:
    assert _plain_address(text) is None
    try:
        ours: str | None = normalize_email(text)
    except ValidationError:
        ours = None
    assert ours == _reference(text)


def test_a_host_edit_to_the_role_mailbox_list_is_seen_by_both_paths() -> None:
    from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

    CASE_INSENSITIVE_MAILBOX_NAMES.append("channel")
    try:
        assert normalize_email("Channel@Example.com") == _reference("Channel@Example.com")
        assert normalize_email("Channel@Example.com") == "channel@example.com"
    finally:
        CASE_INSENSITIVE_MAILBOX_NAMES.remove("channel")
    assert normalize_email("Channel@Example.com") == "Channel@example.com"
