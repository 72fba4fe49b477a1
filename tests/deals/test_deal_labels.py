"""Stage names, field labels and default choices are user-facing: every catalog translates them."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from partnerkit.deals import (
    DEFAULT_MAIL_PLATFORMS,
    DEFAULT_PROJECT_PRIORITIES,
    FIELD_LABELS,
    STAGE_LABELS,
    Stage,
    deal_stage_label,
)
from partnerkit.locale import DOMAIN, LOCALE_DIR

LABELS = (
    set(STAGE_LABELS.values())
    | set(FIELD_LABELS.values())
    | {c.label for c in DEFAULT_PROJECT_PRIORITIES + DEFAULT_MAIL_PLATFORMS}
)


def test_the_template_holds_every_deals_label() -> None:
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as handle:
        ids = {str(m.id) for m in read_po(handle) if m.id}
    assert ids >= LABELS


@pytest.mark.parametrize(
    "lang", sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
)
def test_every_deals_label_is_translated(lang: str) -> None:
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        translated = {str(m.id): str(m.string) for m in read_po(handle, locale=lang) if m.id}
    assert [label for label in LABELS if not translated.get(label)] == []


def test_stage_labels_follow_the_locale_and_fall_back_to_english() -> None:
    assert deal_stage_label(Stage.APPROVED, "fr") == "Approuvée"
    assert deal_stage_label(Stage.ORDER_SUBMITTED, "ja") == "注文送信済み"
    assert deal_stage_label(Stage.WITHDRAWN, "sw") == "Withdrawn"
