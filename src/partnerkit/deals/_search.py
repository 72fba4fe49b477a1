"""Searching and listing registrations: text, stage, partner and close-date filters, ordering."""

from __future__ import annotations

import unicodedata
from datetime import date
from functools import lru_cache
from typing import Literal

import attrs

from partnerkit.core import ErrorCollector
from partnerkit.deals._lifecycle import Stage
from partnerkit.deals._registration import DealRegistration

__all__ = ["ORDERINGS", "DealQuery", "Ordering", "fold", "matches", "sort_key"]

#: How a listing may be ordered; a leading ``-`` means newest or largest first.
Ordering = Literal[
    "number", "-number", "close_date", "-close_date", "prospect_name", "-prospect_name"
]
ORDERINGS: tuple[str, ...] = (
    "number",
    "-number",
    "close_date",
    "-close_date",
    "prospect_name",
    "-prospect_name",
)


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """``text`` case- and accent-folded for matching (``"Bücher GmbH"`` gives ``"bucher gmbh"``).

    >>> fold("Société Générale")
    'societe generale'
    """
    # Compatibility forms first (a mathematical bold A is an A), then case, then again,
    # since folding the case can produce characters that decompose further.
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


@attrs.frozen
class DealQuery:
    """What a registration listing shows: filters, order, page size and cursor.

    ``text`` matches part of the deal number or of the prospect name, case-
    and accent-insensitively; ``stages`` keeps any of the stages given;
    ``partner_id`` one partner's; ``close_from``/``close_to`` bound the close
    date (inclusive). Raises :class:`ValidationError` for bad values.
    """

    text: str = ""
    stages: tuple[Stage, ...] = ()
    partner_id: str | None = None
    close_from: date | None = None
    close_to: date | None = None
    order_by: Ordering = "-number"
    limit: int = 50
    cursor: str | None = None

    def __attrs_post_init__(self) -> None:
        errors = ErrorCollector()
        if not isinstance(self.text, str):
            errors.add("text", "invalid", "expected text")
        if not isinstance(self.stages, tuple) or not all(isinstance(s, Stage) for s in self.stages):
            errors.add("stages", "invalid_choice", "expected a tuple of stages")
        for name in ("close_from", "close_to"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, date):
                errors.add(name, "invalid", "expected a date")
        if (
            isinstance(self.close_from, date)
            and isinstance(self.close_to, date)
            and self.close_from > self.close_to
        ):
            errors.add("close_to", "out_of_range", "the range ends before it starts")
        if self.order_by not in ORDERINGS:
            errors.add("order_by", "invalid_choice", f"use one of: {', '.join(ORDERINGS)}")
        if (
            isinstance(self.limit, bool)
            or not isinstance(self.limit, int)
            or not (1 <= self.limit <= 1000)
        ):
            errors.add("limit", "out_of_range", "limit must be an integer in 1..1000")
        errors.raise_if_any()

    @property
    def folded_text(self) -> str:
        """The search text, folded and trimmed."""
        return fold(self.text.strip())


def matches(deal: DealRegistration, query: DealQuery) -> bool:
    """Whether ``deal`` passes every filter of ``query``."""
    if query.stages and deal.stage not in query.stages:
        return False
    if query.partner_id is not None and deal.partner_id != query.partner_id:
        return False
    close = deal.close_date
    if query.close_from is not None and close < query.close_from:
        return False
    if query.close_to is not None and close > query.close_to:
        return False
    text = query.folded_text
    return not text or text in fold(deal.id) or text in fold(deal.prospect_name)


def sort_key(deal: DealRegistration, order_by: str) -> tuple[str, str]:
    """The position of ``deal`` in a listing ordered by ``order_by`` (ties broken by number)."""
    field = order_by.lstrip("-")
    if field == "close_date":
        return (deal.close_date.isoformat(), deal.id)
    if field == "prospect_name":
        return (fold(deal.prospect_name), deal.id)
    return (deal.id, deal.id)
