"""The shipped gettext catalogs: complete, compiled from their .po, and used with a fallback."""

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from partnerkit.addresses._labels import LABELS
from partnerkit.contacts import CONTACT_FIELD_LABELS, DEFAULT_CONTACT_ROLES
from partnerkit.locale import DOMAIN, LOCALE_DIR, N_, available_locales, gettext, translator

REQUIRED = ("en", "de", "fr", "es", "pt", "it", "nl", "ja", "pl", "sv", "da", "ko", "zh_Hans")
SHIPPED = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def _po(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def _pot() -> Catalog:
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as handle:
        return read_po(handle)


def _messages(catalog: Catalog) -> dict[str, str]:
    return {str(m.id): str(m.string) for m in catalog if m.id}


def test_every_required_language_is_shipped_and_compiled() -> None:
    assert set(REQUIRED) <= set(SHIPPED)
    assert set(SHIPPED) == set(available_locales())


def test_the_template_holds_every_label_partnerkit_defines() -> None:
    ids = set(_messages(_pot()))
    defined = set(LABELS.values()) | set(CONTACT_FIELD_LABELS.values())
    defined |= {role.label for role in DEFAULT_CONTACT_ROLES}
    assert defined <= ids


@pytest.mark.parametrize("lang", SHIPPED)
def test_catalog_translates_every_message_of_the_template(lang: str) -> None:
    catalog = _po(lang)
    template = _messages(_pot())
    translated = {str(m.id): m for m in catalog if m.id}
    missing = [i for i in template if i not in translated or not translated[i].string]
    fuzzy = [i for i, m in translated.items() if m.fuzzy]
    assert missing == []
    assert fuzzy == []


@pytest.mark.parametrize("lang", SHIPPED)
def test_committed_mo_matches_its_po(lang: str, tmp_path: Path) -> None:
    fresh = tmp_path / f"{lang}.mo"
    with fresh.open("wb") as handle:
        write_mo(handle, _po(lang))
    with fresh.open("rb") as handle:
        expected = _messages(read_mo(handle))
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as handle:
        committed = _messages(read_mo(handle))
    assert committed == expected


def test_missing_translation_falls_back_to_english_not_to_a_key() -> None:
    assert gettext("A message no catalog has", "de") == "A message no catalog has"
    assert gettext("County", "xx") == "County"
    assert gettext("County", None) == "County"


def test_region_specific_catalog_wins_then_the_language() -> None:
    assert gettext("Postal code", "en_GB") == "Postcode"
    assert gettext("Postal code", "en_US") == "Postal code"
    assert gettext("Postal code", "de_AT") == "Postleitzahl"
    assert gettext("Postal code", "pt-BR") == "Código postal"


@pytest.mark.parametrize("locale", ["zh", "zh_CN", "zh-Hans", "zh_Hans_CN", "zh_SG"])
def test_simplified_chinese_locales_find_the_script_catalog(locale: str) -> None:
    assert gettext("Postal code", locale) == "邮政编码"


@pytest.mark.parametrize("locale", ["zh_TW", "zh_HK", "zh_Hant"])
def test_traditional_chinese_has_no_catalog_and_falls_back_to_english(locale: str) -> None:
    assert gettext("Postal code", locale) == "Postal code"


def test_translators_are_loaded_once_per_locale() -> None:
    assert translator("fr") is translator("fr")


def test_marker_returns_the_message_unchanged() -> None:
    assert N_("Province") == "Province"
