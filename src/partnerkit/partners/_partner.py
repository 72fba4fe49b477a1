"""The partner company: its type, region, tier, lifecycle stage with history, and agreement."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

import attrs
import pendulum
from babel.core import Locale, UnknownLocaleError

from partnerkit.addresses import Address, validate_address
from partnerkit.contacts import normalize_domain
from partnerkit.core import ConfigReader, DomainEvent, ErrorCollector, aware, is_known_currency
from partnerkit.core._validation import MAX_NAME_LENGTH
from partnerkit.core.errors import InvalidTransition, ValidationError
from partnerkit.locale import N_, Choice
from partnerkit.partners._roles import key_label

__all__ = [
    "DEFAULT_PARTNER_TYPES",
    "LIFECYCLE_STAGES",
    "LIFECYCLE_STAGE_LABELS",
    "LIFECYCLE_TRANSITIONS",
    "Partner",
    "PartnerStageChanged",
    "PartnerType",
    "StageChange",
    "partner_stage_label",
    "partner_types_to_dict",
    "read_partner_types",
    "validate_partner",
]


@attrs.frozen
class PartnerType(Choice):
    """A kind of partner (reseller, distributor, ...): a stable ``key`` and an English ``label``.

    A program lists its own in its ``[partners]`` table (:func:`read_partner_types`),
    replacing :data:`DEFAULT_PARTNER_TYPES`; their labels are translated where the
    catalogs know them and shown in English otherwise.
    """


#: The partner types a program offers unless it configures its own.
DEFAULT_PARTNER_TYPES: tuple[PartnerType, ...] = (
    PartnerType("reseller", N_("Reseller")),
    PartnerType("value_added_reseller", N_("Value-added reseller")),
    PartnerType("managed_service_provider", N_("Managed service provider")),
    PartnerType("distributor", N_("Distributor")),
    PartnerType("referral", N_("Referral partner")),
    PartnerType("affiliate", N_("Affiliate")),
    PartnerType("services", N_("Services and integration partner")),
    PartnerType("technology", N_("Technology partner (ISV)")),
    PartnerType("oem", N_("OEM / white-label partner")),
    PartnerType("strategic", N_("Strategic partner")),
)


def read_partner_types(reader: ConfigReader) -> tuple[PartnerType, ...] | None:
    """Read a ``[partners]`` table's ``types``: the partner types a program offers.

    ``types`` is an array of ``{ key = "...", label = "..." }`` tables, replacing
    :data:`DEFAULT_PARTNER_TYPES` (hosts list the defaults they keep). Problems
    go into the reader's collector (``partners.types.<i>.key``: ``required``,
    ``invalid``, ``duplicate``); returns None when there were any, and the
    defaults when the table names no types.

    >>> from partnerkit.core import ConfigReader
    >>> root = ConfigReader({"partners": {"types": [{"key": "msp", "label": "MSP"}]}})
    >>> read_partner_types(root.table("partners"))
    (PartnerType(key='msp', label='MSP'),)
    """
    before = len(reader.errors)
    if not reader.has("types"):
        reader.finish(raise_errors=False)
        return DEFAULT_PARTNER_TYPES
    found: list[PartnerType] = []
    seen: set[str] = set()
    for entry in reader.tables("types"):
        key = entry.str("key")
        label = entry.str("label")
        entry.finish(raise_errors=False)
        if not isinstance(key, str) or not isinstance(label, str):
            continue
        if not key.strip() or not label.strip():
            entry.error("key" if not key.strip() else "label", "required", "give it a text")
            continue
        text = ErrorCollector(entry.path)  # the text rule of every text field
        text.text(key, "key", required=True, limit=MAX_NAME_LENGTH)
        text.text(label, "label", required=True, limit=MAX_NAME_LENGTH)
        if text:
            reader.errors.extend(ValidationError(text.errors))
            continue
        if key in seen:
            entry.error("key", "duplicate", f"the partner type {key!r} is listed twice")
            continue
        seen.add(key)
        with reader.errors.catch(entry.path):
            found.append(PartnerType(key, label))
    reader.finish(raise_errors=False)
    if len(reader.errors) > before:
        return None
    if not found:
        reader.error("types", "required", "list at least one partner type")
        return None
    return tuple(found)


def partner_types_to_dict(types: Iterable[PartnerType]) -> dict[str, Any]:
    """The ``[partners]`` table that :func:`read_partner_types` reads back as ``types``."""
    return {"types": [{"key": t.key, "label": t.label} for t in types]}


RECRUITED = "recruited"
ONBOARDING = "onboarding"
ACTIVE = "active"
AT_RISK = "at_risk"
EXITING = "exiting"
EXITED = "exited"

#: The lifecycle stages, in the order a partner usually goes through them.
LIFECYCLE_STAGES: tuple[str, ...] = (RECRUITED, ONBOARDING, ACTIVE, AT_RISK, EXITING, EXITED)

#: English labels (gettext msgids) of the lifecycle stages, by key.
LIFECYCLE_STAGE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        RECRUITED: N_("Recruited"),
        ONBOARDING: N_("Onboarding"),
        ACTIVE: N_("Active"),
        AT_RISK: N_("At risk"),
        EXITING: N_("Exiting"),
        EXITED: N_("Exited"),
    }
)

#: Which stage may follow which: the allowed lifecycle transitions, as data.
#: A partner can drop out at any point (towards ``exiting``), be won back while exiting,
#: and an exited partner can only be recruited again.
LIFECYCLE_TRANSITIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        RECRUITED: frozenset({ONBOARDING, EXITED}),
        ONBOARDING: frozenset({ACTIVE, AT_RISK, EXITING}),
        ACTIVE: frozenset({AT_RISK, EXITING}),
        AT_RISK: frozenset({ACTIVE, EXITING}),
        EXITING: frozenset({ACTIVE, EXITED}),
        EXITED: frozenset({RECRUITED}),
    }
)


def partner_stage_label(stage: str, locale: str | Locale = "en") -> str:
    """The label of lifecycle ``stage`` in ``locale``; an unknown key is returned as it is.

    >>> partner_stage_label("at_risk", "de")
    'Gefährdet'
    """
    return key_label(LIFECYCLE_STAGE_LABELS, stage, locale, "stage")


@attrs.frozen
class StageChange:
    """One move of a partner through its lifecycle: who, when, from which stage to which, why."""

    by: str
    at: pendulum.DateTime
    from_stage: str
    to_stage: str
    note: str = ""


@attrs.frozen
class PartnerStageChanged(DomainEvent):
    """Domain event: a partner moved from one lifecycle stage to another."""

    partner_id: str
    change: StageChange


def _aware_at(value: object) -> pendulum.DateTime:
    return aware(value, "at")


@attrs.frozen
class PartnerEdited(DomainEvent):
    """Domain event: a partner's record was edited; ``changes`` holds (field, before, after).

    Values are given as text, so hosts can show or log them without knowing their types.
    """

    partner_id: str
    by: str
    at: pendulum.DateTime = attrs.field(converter=_aware_at)
    changes: tuple[tuple[str, str, str], ...]


#: The fields :func:`partnerkit.services.edit_partner` may change.
EDITABLE_PARTNER_FIELDS = (
    "name",
    "domain",
    "partner_type",
    "region",
    "industry",
    "tier",
    "account_manager",
    "agreement_start",
    "renewal_date",
    "currency",
    "locale",
    "address",
)


@attrs.frozen
class Partner:
    """A partner company in the program (an aggregate, stored under ``PARTNERS``).

    ``domain`` is the registrable company domain (:func:`~partnerkit.contacts.normalize_domain`),
    unique across partners. ``partner_type`` is the key of a :class:`PartnerType`,
    ``tier`` the key of a tier of the program's ladder, ``stage`` a lifecycle stage
    (:data:`LIFECYCLE_STAGES`) whose every change is kept in ``stage_history``.
    ``account_manager`` is the user id of the vendor's partner account manager.
    ``registered_administrators`` counts the partner's registered users with the
    administrator role; the user-maintenance services keep it and save the partner
    with every change of its users, so concurrent changes are serialized.
    Check a new or edited value with :func:`validate_partner`.
    """

    id: str
    name: str
    domain: str
    partner_type: str
    region: str = ""
    industry: str = ""
    tier: str = ""
    stage: str = RECRUITED
    stage_history: tuple[StageChange, ...] = ()
    account_manager: str = ""
    agreement_start: date | None = None
    renewal_date: date | None = None
    #: The partner's currency and locale; None until the partner joins a program, whose
    #: currency and locale :func:`partnerkit.services.add_partner` then fills in.
    currency: str | None = None
    locale: str | None = None
    address: Address | None = None
    registered_administrators: int = 0
    version: int = 0

    @property
    def partner_id(self) -> str:
        """The partner this record belongs to: itself (so a Partner is ``Owned``)."""
        return self.id

    def change_stage(
        self,
        to_stage: str,
        *,
        by: str,
        at: datetime,
        note: str = "",
        transitions: Mapping[str, Iterable[str]] = LIFECYCLE_TRANSITIONS,
    ) -> Partner:
        """Return the partner moved to ``to_stage``, the change appended to its history.

        ``at`` must be timezone-aware. Raises
        :class:`~partnerkit.core.errors.InvalidTransition` when ``transitions``
        does not allow the move (staying in the same stage is not a move).

        >>> import pendulum
        >>> partner = Partner("p1", "Acme", "acme.example", "reseller")
        >>> moved = partner.change_stage("onboarding", by="pam", at=pendulum.datetime(2026, 1, 5))
        >>> moved.stage, moved.stage_history[0].from_stage
        ('onboarding', 'recruited')
        >>> moved.change_stage("exited", by="pam", at=pendulum.datetime(2026, 2, 1))
        Traceback (most recent call last):
        ...
        partnerkit.core.errors.InvalidTransition: partner 'p1' cannot go from onboarding to ...
        """
        instant = aware(at, "at")
        if to_stage not in transitions.get(self.stage, ()):
            raise InvalidTransition(
                "partner", self.id, self.stage, to_stage, "the lifecycle does not allow this move"
            )
        change = StageChange(by, instant, self.stage, to_stage, note)
        return attrs.evolve(self, stage=to_stage, stage_history=(*self.stage_history, change))


def _optional_date(value: object, name: str, errors: ErrorCollector) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    errors.add(name, "invalid", f"expected a date or nothing, got {type(value).__name__}")
    return None


def validate_partner(
    partner: Partner,
    *,
    partner_types: Iterable[PartnerType] = DEFAULT_PARTNER_TYPES,
    path: str = "",
) -> Partner:
    """Check every field of ``partner`` and return it normalized.

    Text is trimmed and whitespace collapsed; the domain reduced to the
    registrable domain; the address validated and normalized for its country.
    ``partner_type`` must be a key of ``partner_types``, ``stage`` a lifecycle
    stage, ``currency`` an ISO 4217 code or None, ``locale`` a CLDR locale or None, and the
    renewal date must not precede the agreement start.

    Raises one :class:`~partnerkit.core.errors.ValidationError` naming every bad
    field under ``path`` (codes ``required``, ``invalid``, ``invalid_choice``,
    ``out_of_range``; ``address.postal_code`` and the like for the address).

    >>> clean = validate_partner(Partner("p1", " Acme  Ltd ", "https://acme.co.uk/", "reseller"))
    >>> clean.name, clean.domain
    ('Acme Ltd', 'acme.co.uk')
    >>> validate_partner(Partner("p1", "", "co.uk", "pirate"), path="partner")
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 3 invalid fields: partner.name: ...
    """
    if not isinstance(partner, Partner):
        raise ValidationError.single(
            path, "invalid", f"expected a Partner, got {type(partner).__name__}"
        )
    errors = ErrorCollector(path)
    id = errors.text(partner.id, "id", required=True)
    name = errors.text(partner.name, "name", required=True)
    domain = errors.check("domain", lambda: normalize_domain(partner.domain)) or ""
    keys = {t.key for t in partner_types}
    partner_type = partner.partner_type
    if not isinstance(partner_type, str) or partner_type not in keys:
        errors.add(
            "partner_type", "invalid_choice", f"{partner_type!r} is not one of: {sorted(keys)}"
        )
    region, industry, tier, account_manager = (
        errors.text(getattr(partner, field), field, required=False)
        for field in ("region", "industry", "tier", "account_manager")
    )
    if partner.stage not in LIFECYCLE_STAGES:
        errors.add("stage", "invalid_choice", f"{partner.stage!r} is not a lifecycle stage")
    start = _optional_date(partner.agreement_start, "agreement_start", errors)
    renewal = _optional_date(partner.renewal_date, "renewal_date", errors)
    if start is not None and renewal is not None and renewal < start:
        errors.add("renewal_date", "out_of_range", "the renewal date precedes the agreement start")
    currency = partner.currency
    if currency is not None and (not isinstance(currency, str) or not is_known_currency(currency)):
        errors.add("currency", "invalid", f"{currency!r} is not an ISO 4217 currency")
    try:
        if partner.locale is not None:
            if not isinstance(partner.locale, str):
                raise TypeError(partner.locale)
            Locale.parse(partner.locale)
    except (UnknownLocaleError, ValueError, TypeError, AttributeError):
        errors.add("locale", "invalid", f"{partner.locale!r} is not a known locale (such as en_US)")
    address = partner.address
    if address is not None:
        given = address
        address = errors.check("address", lambda: validate_address(given))
    count = partner.registered_administrators
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        errors.add("registered_administrators", "invalid", "must be an integer >= 0")
    errors.raise_if_any()
    return attrs.evolve(
        partner,
        id=id,
        name=name,
        domain=domain,
        region=region,
        industry=industry,
        tier=tier,
        account_manager=account_manager,
        address=address,
    )
