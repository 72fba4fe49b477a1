from pathlib import Path

import pytest
from babel.messages.pofile import read_po

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
TRANSLATED = ("de", "fr", "es", "pt", "it", "nl", "ja")


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
