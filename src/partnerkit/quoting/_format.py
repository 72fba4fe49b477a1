"""Rendering a quote as readable text, with babel-formatted money, numbers and dates."""

from __future__ import annotations

from babel.dates import format_date
from babel.numbers import format_decimal

from partnerkit.core._context import isolated
from partnerkit.core._money import _locale  # the one locale check
from partnerkit.locale import N_, translator
from partnerkit.quoting._catalog import BILLING_UNIT_LABELS
from partnerkit.quoting._quote import QUOTE_STATUS_LABELS, Quote

__all__ = ["format_quote"]

# Labels are gettext msgids, translated when a quote is formatted.
_QUOTE = N_("Quote")
_REVISION = N_("revision")
_PARTNER = N_("Partner")
_PROSPECT = N_("Prospect")
_PRICED_ON = N_("Priced on")
_VALID_UNTIL = N_("Valid until")
_MONTHS = N_("months")
_LIST = N_("List")
_DISCOUNT = N_("Discount")
_NET = N_("Net")
_TOTALS = (
    (N_("List total"), "list_total"),
    (N_("Promotion"), "promotion"),
    (N_("Partner margin"), "partner_margin"),
    (N_("Reward margin"), "reward_margin"),
    (N_("Partner net price"), "net_total"),
    (N_("Customer price"), "customer_price"),
)


@isolated
def format_quote(quote: Quote, locale: str) -> str:
    """Render ``quote`` as plain text for people in ``locale`` (labels through gettext).

    Money, quantities and dates are formatted by babel for ``locale``; rule
    reasons are explained in it (English where partnerkit has no translation).
    An unknown locale is a :class:`~partnerkit.core.errors.ValidationError`
    at ``locale``.
    """
    _locale(locale)
    t = translator(locale).gettext
    status = t(QUOTE_STATUS_LABELS[quote.status])
    priced_on = format_date(quote.priced_on, "medium", locale=locale)
    valid_until = format_date(quote.valid_until, "medium", locale=locale)
    out = [
        f"{t(_QUOTE)} {quote.number} ({t(_REVISION)} {quote.revision}): {status}",
        f"{t(_PARTNER)}: {quote.partner_id}; {t(_PROSPECT)}: {quote.prospect_id}",
        f"{t(_PRICED_ON)}: {priced_on}; {t(_VALID_UNTIL)}: {valid_until}",
    ]
    months = t(_MONTHS)
    for i, line in enumerate(quote.lines, 1):
        unit = t(BILLING_UNIT_LABELS[line.billing_unit])
        term = f", {line.term_months} {months}" if line.billing_unit.recurring else ""
        out.append(
            f"{i}. {line.name} ({line.sku}): {format_decimal(line.quantity, locale=locale)} x "
            f"{line.unit_price.format(locale)} {unit}{term}"
        )
        out.append(
            f"   {t(_LIST)} {line.list_total.format(locale)}; "
            f"{t(_DISCOUNT)} {line.discount.format(locale)}; "
            f"{t(_NET)} {line.net.format(locale)}"
        )
    for label, field in _TOTALS:
        out.append(f"{t(label)}: {getattr(quote, field).format(locale)}")
    out.extend(f"- {rule.explain(locale)}" for rule in quote.rules)
    return "\n".join(out)
