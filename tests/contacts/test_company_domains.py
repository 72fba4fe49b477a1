import pytest

from partnerkit.contacts import display_domain, normalize_domain
from partnerkit.core.errors import ValidationError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("example.com", "example.com"),
        ("EXAMPLE.COM.", "example.com"),
        ("www.example.com", "example.com"),
        ("shop.example.co.uk", "example.co.uk"),
        ("https://WWW.Shop.Example.co.uk./pricing?ref=1#top", "example.co.uk"),
        ("http://user:secret@sales.example.de:8443/x", "example.de"),
        ("example.com/about", "example.com"),
        ("example.com:8080", "example.com"),
        ("jane.doe@eu.example.fr", "example.fr"),
        ("mailto:jane@example.org", "example.org"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("WWW.BÜCHER.DE", "xn--bcher-kva.de"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("пример.рф", "xn--e1afmkfd.xn--p1ai"),
        ("https://例え.jp/", "xn--r8jz45g.jp"),
        ("acme.github.io", "acme.github.io"),
        ("www.city.kawasaki.jp", "city.kawasaki.jp"),
        ("a.b.kawasaki.jp", "a.b.kawasaki.jp"),
        ("example.unknowntld", "example.unknowntld"),
    ],
)
def test_what_people_type_becomes_the_registrable_domain(raw: str, expected: str) -> None:
    assert normalize_domain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("192.168.1.10", "IP address"),
        ("http://10.0.0.1/admin", "IP address"),
        ("2001:db8::1", "IP address"),
        ("http://[2001:db8::1]:80/", "IP address"),
        ("localhost", "single label"),
        ("co.uk", "public suffix"),
        ("com", "single label"),
        ("github.io", "public suffix"),
        ("kawasaki.jp", "public suffix"),
        ("exa mple.com", "not a valid"),
        ("-example.com", "not a valid"),
        ("ex_ample.com", "not a valid"),
        ("example..com", "not a valid"),
        ("xn--zz.com", "not a valid"),
        ("a" * 64 + ".com", "not a valid"),
    ],
)
def test_non_company_domains_are_refused_with_a_reason(raw: str, reason: str) -> None:
    with pytest.raises(ValidationError) as info:
        normalize_domain(raw, path="company.domain")
    (error,) = info.value.errors
    assert (error.path, error.code) == ("company.domain", "invalid")
    assert reason in error.message


def test_empty_domain_is_required() -> None:
    with pytest.raises(ValidationError) as info:
        normalize_domain("  ")
    assert info.value.errors[0].code == "required"


def test_display_domain_gives_the_unicode_form_back() -> None:
    assert display_domain("xn--bcher-kva.de") == "bücher.de"
    assert display_domain(normalize_domain("пример.рф")) == "пример.рф"
    assert display_domain("example.com") == "example.com"
    with pytest.raises(ValidationError):
        display_domain("xn--zz.com")
