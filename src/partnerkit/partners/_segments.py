"""Segments of the partner base: a combinable filter, and a CSV export with localized headers."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

import attrs
from babel.core import Locale

from partnerkit.core import ErrorCollector, converter
from partnerkit.core._money import _locale  # the one locale check
from partnerkit.core._validation import is_text_set, text_set
from partnerkit.core.errors import ValidationError
from partnerkit.locale import N_, translator
from partnerkit.partners._partner import (
    DEFAULT_PARTNER_TYPES,
    Partner,
    PartnerType,
    partner_stage_label,
)
from partnerkit.partners._users import PartnerUser

__all__ = ["PARTNER_COLUMNS", "PartnerFilter", "export_csv"]


@attrs.frozen
class PartnerFilter:
    """A segment of partners: every given criterion must hold; within one, any value may match.

    Empty criteria accept every partner. ``certification`` (a certification
    kind, or ``"any"``) keeps partners with at least ``min_certified_users``
    registered users certified on the ``as_of`` date (see
    :func:`~partnerkit.partners.certified_users`); it needs the users and that date.

    >>> acme = Partner("p1", "Acme", "acme.example", "reseller", region="EMEA", tier="gold")
    >>> PartnerFilter(regions={"EMEA", "APAC"}, tiers="gold").matches(acme)
    True
    >>> PartnerFilter(partner_types={"distributor"}).matches(acme)
    False
    """

    partner_types: frozenset[str] = attrs.field(default=frozenset(), converter=text_set)
    regions: frozenset[str] = attrs.field(default=frozenset(), converter=text_set)
    tiers: frozenset[str] = attrs.field(default=frozenset(), converter=text_set)
    industries: frozenset[str] = attrs.field(default=frozenset(), converter=text_set)
    stages: frozenset[str] = attrs.field(default=frozenset(), converter=text_set)
    account_managers: frozenset[str] = attrs.field(default=frozenset(), converter=text_set)
    certification: str | None = None
    min_certified_users: int = 1

    def __attrs_post_init__(self) -> None:
        errors = ErrorCollector()
        for field in attrs.fields(PartnerFilter)[:6]:
            if not is_text_set(getattr(self, field.name)):
                errors.add(field.name, "invalid", "filter values are strings")
        if self.certification is not None and not (
            isinstance(self.certification, str) and self.certification
        ):
            errors.add("certification", "invalid", "a certification kind, 'any', or nothing")
        count = self.min_certified_users
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            errors.add("min_certified_users", "out_of_range", "must be an integer >= 1")
        errors.raise_if_any()

    def _attributes_match(self, partner: Partner) -> bool:
        return (
            (not self.partner_types or partner.partner_type in self.partner_types)
            and (not self.regions or partner.region in self.regions)
            and (not self.tiers or partner.tier in self.tiers)
            and (not self.industries or partner.industry in self.industries)
            and (not self.stages or partner.stage in self.stages)
            and (not self.account_managers or partner.account_manager in self.account_managers)
        )

    def _certified(self, users: Iterable[PartnerUser], as_of: date) -> int:
        kind = self.certification
        return sum(1 for u in users if u.registered and u.is_certified(as_of, kind))

    def _needs(self, users: object, as_of: object) -> None:
        if self.certification is None:
            return
        errors = ErrorCollector()
        if users is None:
            errors.add("users", "required", "a certification criterion needs the partners' users")
        if isinstance(as_of, datetime) or not isinstance(as_of, date):
            errors.add("as_of", "required", "a certification criterion needs the date to check")
        errors.raise_if_any()

    def matches(
        self,
        partner: Partner,
        users: Iterable[PartnerUser] | None = None,
        as_of: date | None = None,
    ) -> bool:
        """Whether ``partner`` is in the segment; ``users`` may hold other partners' users too.

        Raises :class:`~partnerkit.core.errors.ValidationError` when the filter
        has a certification criterion and ``users`` or ``as_of`` is missing.
        """
        self._needs(users, as_of)
        if not self._attributes_match(partner):
            return False
        if self.certification is None:
            return True
        assert users is not None
        assert as_of is not None
        own = (u for u in users if u.partner_id == partner.id)
        return self._certified(own, as_of) >= self.min_certified_users

    def apply(
        self,
        partners: Iterable[Partner],
        users: Iterable[PartnerUser] | None = None,
        as_of: date | None = None,
    ) -> list[Partner]:
        """The partners in the segment, in the given order (users grouped by partner once)."""
        self._needs(users, as_of)
        selected = list(partners)
        # One plain comprehension per criterion given, each over what the previous kept.
        wanted = self.partner_types
        if wanted:
            selected = [p for p in selected if p.partner_type in wanted]
        wanted = self.regions
        if wanted:
            selected = [p for p in selected if p.region in wanted]
        wanted = self.tiers
        if wanted:
            selected = [p for p in selected if p.tier in wanted]
        wanted = self.industries
        if wanted:
            selected = [p for p in selected if p.industry in wanted]
        wanted = self.stages
        if wanted:
            selected = [p for p in selected if p.stage in wanted]
        wanted = self.account_managers
        if wanted:
            selected = [p for p in selected if p.account_manager in wanted]
        if self.certification is None:
            return selected
        assert users is not None
        assert as_of is not None
        by_partner: dict[str, list[PartnerUser]] = {}
        for user in users:
            by_partner.setdefault(user.partner_id, []).append(user)
        return [
            p
            for p in selected
            if self._certified(by_partner.get(p.id, ()), as_of) >= self.min_certified_users
        ]


def _unstructure_filter(value: PartnerFilter) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for field in attrs.fields(PartnerFilter):
        item = getattr(value, field.name)
        data[field.name] = sorted(item) if isinstance(item, frozenset) else item
    return data


converter.register_unstructure_hook(PartnerFilter, _unstructure_filter)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


Column = Callable[[Partner, str, Mapping[str, PartnerType]], str]


def _type_label(partner: Partner, locale: str, types: Mapping[str, PartnerType]) -> str:
    found = types.get(partner.partner_type)
    return found.label_in(locale) if found is not None else partner.partner_type


def _attribute(name: str) -> Column:
    return lambda partner, locale, types: _text(getattr(partner, name))


def _address_part(name: str) -> Column:
    def get(partner: Partner, locale: str, types: Mapping[str, PartnerType]) -> str:
        return getattr(partner.address, name) if partner.address is not None else ""

    return get


#: The columns :func:`export_csv` can write: key -> English header (gettext msgid).
PARTNER_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "id": N_("Partner ID"),
        "name": N_("Partner name"),
        "domain": N_("Company domain"),
        "partner_type": N_("Partner type"),
        "region": N_("Region"),
        "industry": N_("Industry"),
        "tier": N_("Tier"),
        "stage": N_("Lifecycle stage"),
        "account_manager": N_("Account manager"),
        "agreement_start": N_("Agreement start"),
        "renewal_date": N_("Renewal date"),
        "currency": N_("Currency"),
        "locale": N_("Locale"),
        "country": N_("Country"),
        "city": N_("City"),
    }
)

_GETTERS: dict[str, Column] = {
    **{name: _attribute(name) for name in PARTNER_COLUMNS},
    "partner_type": _type_label,
    "stage": lambda partner, locale, types: partner_stage_label(partner.stage, locale),
    "country": _address_part("country_code"),
    "city": _address_part("city"),
}

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection),
# also behind leading whitespace or invisible format characters (some skip them) and in
# their full-width forms.
_FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_CONTROL_STARTS = ("\t", "\r", "\n")


def _visible_start(cell: str) -> str:
    """``cell`` from its first character that is neither whitespace nor format (Unicode Cf).

    A spreadsheet may skip a zero-width space or a byte-order mark before ``=``.
    """
    for i, char in enumerate(cell):
        if not char.isspace() and unicodedata.category(char) != "Cf":
            return cell[i:]
    return ""


def _safe(cell: str) -> str:
    if cell.startswith(_CONTROL_STARTS) or _visible_start(cell).startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def export_csv(
    partners: Iterable[Partner],
    columns: Iterable[str],
    locale: str | Locale = "en",
    *,
    partner_types: Iterable[PartnerType] = DEFAULT_PARTNER_TYPES,
) -> str:
    """The partners as CSV text: a header row in ``locale``, then one row per partner.

    ``columns`` are keys of :data:`PARTNER_COLUMNS`, written in the order given.
    Partner types and lifecycle stages are written as their labels in
    ``locale``, dates as ISO 8601. A cell that a spreadsheet would run as a
    formula (starting with ``=``, ``+``, ``-`` or ``@``, also after leading
    whitespace or invisible format characters such as a zero-width space, or in
    their full-width forms, or with a tab, carriage return or
    line feed) is written with a leading apostrophe. Rows end with CRLF (RFC 4180).
    Raises :class:`~partnerkit.core.errors.ValidationError` naming every
    unknown or repeated column (``columns.2``).

    >>> acme = Partner("p1", "=Acme", "acme.example", "reseller", stage="at_risk")
    >>> print(export_csv([acme], ["name", "partner_type", "stage"], "de"), end="")
    Partnername,Partnertyp,Lebenszyklusphase
    '=Acme,Wiederverkäufer,Gefährdet
    """
    _locale(locale)
    errors = ErrorCollector()
    if isinstance(columns, str):
        errors.add("columns", "invalid", "expected a list of column keys, not one string")
        errors.raise_if_any()
    wanted = list(columns)
    for i, column in enumerate(wanted):
        if not isinstance(column, str) or column not in PARTNER_COLUMNS:
            errors.add(f"columns.{i}", "invalid_choice", f"{column!r} is not a partner column")
        elif column in wanted[:i]:
            errors.add(f"columns.{i}", "duplicate", f"{column!r} is listed twice")
    if not wanted:
        errors.add("columns", "required", "choose at least one column")
    errors.raise_if_any()
    language = str(locale)
    types = {t.key: t for t in partner_types}
    translate = translator(locale).gettext
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_safe(translate(PARTNER_COLUMNS[c])) for c in wanted])
    getters = [_GETTERS[c] for c in wanted]
    for partner in partners:
        if not isinstance(partner, Partner):
            raise ValidationError.single(
                "partners", "invalid", f"expected Partner values, got {type(partner).__name__}"
            )
        writer.writerow([_safe(get(partner, language, types)) for get in getters])
    return out.getvalue()
