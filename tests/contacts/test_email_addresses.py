import pytest

from partnerkit.contacts import normalize_email
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
