"""Rendering a quote as readable text, with babel-formatted money, numbers and dates."""

from __future__ import annotations

from babel.dates import format_date
from babel.numbers import format_decimal

from partnerkit.locale import gettext
from partnerkit.quoting._catalog import BILLING_UNIT_LABELS
from partnerkit.quoting._quote import QUOTE_STATUS_LABELS, Quote

__all__ = ["format_quote"]


def format_quote(quote: Quote, locale: str) -> str:
    """Render ``quote`` as plain text for people in ``locale`` (labels through gettext).

    Money, quantities and dates are formatted by babel for ``locale``; rule
    reasons are explained in it (English where partnerkit has no translation).
    """
    t = gettext
    status = t(QUOTE_STATUS_LABELS[quote.status], locale)
    out = [
        f"{t('Quote', locale)} {quote.number} ({t('revision', locale)} {quote.revision}): {status}",
        f"{t('Partner', locale)}: {quote.partner_id}; {t('Prospect', locale)}: {quote.prospect_id}",
        f"{t('Priced on', locale)}: {format_date(quote.priced_on, 'medium', locale=locale)}; "
        f"{t('Valid until', locale)}: {format_date(quote.valid_until, 'medium', locale=locale)}",
    ]
    months = t("months", locale)
    for i, line in enumerate(quote.lines, 1):
        unit = t(BILLING_UNIT_LABELS[line.billing_unit], locale)
        out.append(
            f"{i}. {line.name} ({line.sku}): {format_decimal(line.quantity, locale=locale)} x "
            f"{line.unit_price.format(locale)} {unit}"
            + (f", {line.term_months} {months}" if line.billing_unit.recurring else "")
        )
        out.append(
            f"   {t('List', locale)} {line.list_total.format(locale)}; "
            f"{t('Discount', locale)} {line.discount.format(locale)}; "
            f"{t('Net', locale)} {line.net.format(locale)}"
        )
    for label, amount in (
        ("List total", quote.list_total),
        ("Promotion", quote.promotion),
        ("Partner margin", quote.partner_margin),
        ("Reward margin", quote.reward_margin),
        ("Partner net price", quote.net_total),
        ("Customer price", quote.customer_price),
    ):
        out.append(f"{t(label, locale)}: {amount.format(locale)}")
    for rule in quote.rules:
        out.append(f"- {rule.explain(locale)}")
    return "\n".join(out)
