from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from partnerkit.core.errors import ValidationError
from partnerkit.locale import DOMAIN, LOCALE_DIR, gettext
from partnerkit.partners import (
    CERTIFICATION_KIND_LABELS,
    DEFAULT_PARTNER_TYPES,
    LIFECYCLE_STAGE_LABELS,
    PARTNER_COLUMNS,
    REGISTRATION_STATUS_LABELS,
    ROLE_LABELS,
)

LABELS = {
    *PARTNER_COLUMNS.values(),
    *LIFECYCLE_STAGE_LABELS.values(),
    *ROLE_LABELS.values(),
    *REGISTRATION_STATUS_LABELS.values(),
    *CERTIFICATION_KIND_LABELS.values(),
    *(t.label for t in DEFAULT_PARTNER_TYPES),
}
# Every shipped language but English, whose catalogs repeat the English labels.
TRANSLATED = sorted(
    p.parent.parent.name
    for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
    if not p.parent.parent.name.startswith("en")
)


def test_the_template_holds_every_partners_label() -> None:
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as handle:
        ids = {str(m.id) for m in read_po(handle) if m.id}
    assert ids >= LABELS


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_partners_label_is_translated_and_compiled(lang: str) -> None:
    path = Path(LOCALE_DIR) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    for label in LABELS:
        message = catalog[label]
        assert message is not None
        assert message.string
        assert not message.fuzzy
        assert gettext(label, lang) == message.string
    # Most labels read differently in the language; the few loanwords are allowed.
    same = [label for label in LABELS if gettext(label, lang) == label]
    assert len(same) <= 6, same


# -- keys of the wrong Python type (#19) ---------------------------------------------------------


@pytest.mark.parametrize("name", ["role_label", "status_label", "partner_stage_label"])
@pytest.mark.parametrize("key", [[], None, b"user", 1])
def test_a_label_of_a_key_that_is_no_text_is_a_validation_error(name: str, key: object) -> None:
    # Issue #19: role_label([]) raised TypeError (unhashable) from the label table.
    import partnerkit.partners

    label = getattr(partnerkit.partners, name)
    path = {"role_label": "role", "status_label": "status", "partner_stage_label": "stage"}[name]
    with pytest.raises(ValidationError) as caught:
        label(key)
    assert caught.value.paths == (path,)
    with pytest.raises(ValidationError) as caught:
        label(key, "xx_nowhere")  # the locale is named as well
    assert caught.value.paths == (path, "locale")
    assert label("no_such_key", "de") == "no_such_key"  # an unknown text key is returned as is


@pytest.mark.parametrize("message", [[], None, b"County", 3])
def test_gettext_of_a_message_that_is_no_text_is_a_validation_error(message: object) -> None:
    with pytest.raises(ValidationError) as caught:
        gettext(message, "fr")  # type: ignore[arg-type]
    assert caught.value.paths == ("message",)
