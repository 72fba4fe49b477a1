"""Tier explanations speak every catalog's language: each of their messages is translated."""

from __future__ import annotations

import string
from datetime import date
from gettext import c2py

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from tier_strategies import elite_ladder

from partnerkit.locale import DOMAIN, LOCALE_DIR, gettext, ngettext
from partnerkit.tiers import METRIC_LABELS, MetricValue, evaluate, metric_label

SHIPPED = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def _read(path: str) -> Catalog:
    with (LOCALE_DIR / path).open("rb") as handle:
        return read_po(handle)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


TIER_MESSAGES: list[str | tuple[str, ...]] = [
    m.id if isinstance(m.id, str) else tuple(m.id)
    for m in _read(f"{DOMAIN}.pot")
    if m.id and any("partnerkit/tiers/" in p for p, _ in m.locations)
]


def test_the_template_holds_the_metric_labels_and_the_plural_phrases() -> None:
    ids = set(TIER_MESSAGES)
    assert set(METRIC_LABELS.values()) <= ids
    assert ("{count} more {metric}", "{count} more {metric}") in ids
    assert "{tier}; needs {missing} for {next}." in ids


COUNTS = (1, 2, 5, 22)


def _compiled(msgid: str | tuple[str, ...], lang: str) -> list[str]:
    """What the compiled catalog gives for each of :data:`COUNTS`."""
    if isinstance(msgid, str):
        return [gettext(msgid, lang)] * len(COUNTS)
    return [ngettext(msgid[0], msgid[1], n, lang) for n in COUNTS]


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_tier_message_is_translated_in_every_plural_form(lang: str) -> None:
    catalog = _read(f"{lang}/LC_MESSAGES/{DOMAIN}.po")
    plural = c2py(catalog.plural_expr)
    problems = []
    for msgid in TIER_MESSAGES:
        message = catalog.get(msgid if isinstance(msgid, str) else msgid[0])
        if message is None or message.fuzzy:
            problems.append(f"untranslated: {msgid!r}")
            continue
        string = message.string
        forms = tuple(str(f) for f in string) if isinstance(string, tuple) else (str(string or ""),)
        english = msgid if isinstance(msgid, str) else msgid[1]
        if not all(forms):
            problems.append(f"untranslated: {msgid!r}")
        elif isinstance(msgid, tuple) and len(forms) != catalog.num_plurals:
            problems.append(f"{len(forms)} plural forms, not {catalog.num_plurals}: {msgid!r}")
        elif any(_placeholders(form) != _placeholders(english) for form in forms):
            problems.append(f"placeholders differ: {msgid!r} -> {forms!r}")
        elif _compiled(msgid, lang) != [forms[plural(n) if len(forms) > 1 else 0] for n in COUNTS]:
            problems.append(f"not compiled: {msgid!r}")
    assert problems == []


def test_polish_labels_take_the_form_of_one_few_and_many() -> None:
    forms = [metric_label("customers", n, "pl") for n in (1, 2, 4, 5, 12, 22, 25)]
    assert forms == ["klient", "klienci", "klienci", "klientów", "klientów", "klienci", "klientów"]


def test_korean_swedish_danish_and_polish_explanations_use_their_catalogs() -> None:
    metrics: dict[str, MetricValue] = {"new_arr": 60_000, "certified_sales_users": 0}
    evaluation = evaluate(metrics, elite_ladder(), date(2026, 6, 30))
    locales = ("ko_KR", "sv_SE", "da_DK", "pl_PL", "zh_CN")
    assert [evaluation.explain(locale) for locale in locales] == [
        "Registered; Premier 등급까지 필요: 인증 영업 사용자 2 추가 필요.",
        "Registered; för Premier behövs: 2 certifierade säljanvändare till.",
        "Registered; til Premier mangler: 2 certificerede salgsbrugere mere.",
        "Registered; do poziomu Premier brakuje: jeszcze 2 certyfikowani użytkownicy handlowi.",
        "Registered；距离Premier：认证销售用户还需 2。",  # noqa: RUF001
    ]
