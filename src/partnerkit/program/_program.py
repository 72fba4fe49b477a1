"""Program: one partner program's configuration, built in code or loaded from TOML."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import pendulum
from babel import Locale, UnknownLocaleError

from partnerkit.core import ConfigReader, ErrorCollector, converter, is_known_currency
from partnerkit.core.errors import FieldError, ValidationError
from partnerkit.deals import (
    RegistrationPolicy,
    read_registration_policy,
    registration_policy_to_dict,
)
from partnerkit.fiscal import (
    FiscalCalendar,
    MonthlyFiscalCalendar,
    calendar_to_dict,
    read_calendar,
)
from partnerkit.partners import (
    DEFAULT_PERMISSIONS,
    PermissionMap,
    permissions_to_dict,
    read_permissions,
)
from partnerkit.quoting import Pricing, pricing_to_dict, read_pricing
from partnerkit.scoring import (
    DEFAULT_ENGAGEMENT_MODEL,
    EngagementModel,
    engagement_model_to_dict,
    read_engagement_model,
)
from partnerkit.tiers import (
    CustomCriterion,
    FiscalReviews,
    TierLadder,
    TierPolicy,
    ladder_from_dict,
    ladder_to_dict,
    policy_from_dict,
    policy_to_dict,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["Program"]

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _field_errors(values: Mapping[str, Any]) -> list[FieldError]:
    """Check the identity settings present in ``values``; absent ones are left to the caller."""
    errors: list[FieldError] = []

    def bad(name: str, code: str, message: str) -> None:
        errors.append(FieldError(f"program.{name}", code, message))

    if "key" in values and not (isinstance(values["key"], str) and _KEY.fullmatch(values["key"])):
        bad(
            "key",
            "invalid",
            "use 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit",
        )
    if "name" in values and not (isinstance(values["name"], str) and values["name"].strip()):
        bad("name", "required", "the program needs a name")
    currency = values.get("currency", "USD")
    if not isinstance(currency, str) or not is_known_currency(currency):
        bad("currency", "invalid", f"{currency!r} is not a known ISO 4217 currency code")
    locale = values.get("locale", "en_US")
    try:
        if not isinstance(locale, str):
            raise TypeError(locale)
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError, AttributeError):
        bad("locale", "invalid", f"{locale!r} is not a known locale (such as en_US)")
    timezone = values.get("timezone", "UTC")
    try:
        if not isinstance(timezone, str):
            raise TypeError(timezone)  # pendulum would take an int as a fixed offset
        pendulum.timezone(timezone)
    except (ValueError, TypeError, OSError):
        bad("timezone", "invalid", f"{timezone!r} is not an IANA time zone (Europe/London)")
    return errors


@functools.cache
def _calendar_year(timezone: str) -> FiscalCalendar:
    # The default: the fiscal year is the calendar year, in the program's time zone.
    return MonthlyFiscalCalendar(1, tz=timezone)


@attrs.frozen(repr=False)
class Program:
    """One partner program's configuration: identity, currency, locale, time zone, fiscal calendar.

    :attr:`fiscal` is the calendar year in the program's time zone unless a
    calendar is given (``fiscal=`` or a ``[fiscal]`` table, see
    :func:`partnerkit.fiscal.calendar_from_dict`); ``tiers`` and
    ``tier_policy`` come from the ``[tiers]`` table (see
    :func:`partnerkit.tiers.ladder_from_dict`); ``permissions`` from the
    ``[permissions]`` table (see :func:`partnerkit.partners.permissions_from_dict`);
    ``scoring`` from the ``[scoring]`` table (see
    :func:`partnerkit.scoring.engagement_model_from_dict`);
    ``registration_policy`` from the ``[deals]`` table (see
    :func:`partnerkit.deals.registration_policy_from_dict`); ``pricing`` from
    the ``[pricing]`` table (see :func:`partnerkit.quoting.pricing_from_dict`).
    Build it in code, or load it with :meth:`from_toml`, which reports every
    bad key with its dotted path. It is also an aggregate (stored under
    :data:`partnerkit.storage.PROGRAMS`, keyed by :attr:`key`), so an administrator's edits are
    saved with optimistic concurrency like any other record.

    >>> program = Program.from_toml_string('''
    ... [program]
    ... key = "acme-partners"
    ... name = "Acme Partner Network"
    ... currency = "EUR"
    ... locale = "de_DE"
    ... timezone = "Europe/Berlin"
    ... ''')
    >>> program.currency, program.locale
    ('EUR', 'de_DE')
    >>> Program(key="Bad Key", name="", currency="EUROS")
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 3 invalid fields: program.key: ...
    """

    key: str
    name: str
    currency: str
    locale: str = "en_US"
    timezone: str = "UTC"
    #: The fiscal calendar set for the program, or None for the calendar year in its time zone.
    fiscal_calendar: FiscalCalendar | None = attrs.field(default=None, kw_only=True, alias="fiscal")
    #: The tier ladder, or None for a program without tiers.
    tiers: TierLadder | None = attrs.field(default=None, kw_only=True)
    #: When tier changes take effect; the defaults of :class:`~partnerkit.tiers.TierPolicy`.
    tier_policy: TierPolicy = attrs.field(factory=TierPolicy, kw_only=True)
    #: Which role may do what; :data:`~partnerkit.partners.DEFAULT_PERMISSIONS` unless a
    #: ``[permissions]`` table changes some roles.
    permissions: PermissionMap = attrs.field(default=DEFAULT_PERMISSIONS, kw_only=True)
    #: The engagement model of the nightly scoring; the built-in one unless a ``[scoring]``
    #: table describes another.
    scoring: EngagementModel = attrs.field(default=DEFAULT_ENGAGEMENT_MODEL, kw_only=True)
    #: Deal registration rules: lists for the form, review and protection days, channel
    #: conflict; the defaults unless a ``[deals]`` table changes them.
    registration_policy: RegistrationPolicy = attrs.field(factory=RegistrationPolicy, kw_only=True)
    #: Products, price books and the margin policy, from a ``[pricing]`` table (None without).
    pricing: Pricing | None = attrs.field(default=None, kw_only=True)
    version: int = attrs.field(default=0, kw_only=True)

    def __attrs_post_init__(self) -> None:
        errors = _field_errors(
            {field.name: getattr(self, field.name) for field in attrs.fields(Program)}
        )
        if self.fiscal_calendar is not None and not isinstance(
            self.fiscal_calendar, FiscalCalendar
        ):
            errors.append(FieldError("fiscal", "invalid", "expected a partnerkit.fiscal calendar"))
        if self.tiers is not None and not isinstance(self.tiers, TierLadder):
            errors.append(FieldError("tiers", "invalid", "expected a partnerkit.tiers.TierLadder"))
        if not isinstance(self.registration_policy, RegistrationPolicy):
            errors.append(
                FieldError("deals", "invalid", "expected a partnerkit.deals.RegistrationPolicy")
            )
        if self.pricing is not None and not isinstance(self.pricing, Pricing):
            errors.append(FieldError("pricing", "invalid", "expected a partnerkit.quoting.Pricing"))
        if not isinstance(self.scoring, EngagementModel):
            errors.append(
                FieldError("scoring", "invalid", "expected a partnerkit.scoring.EngagementModel")
            )
        elif isinstance(self.currency, str) and is_known_currency(self.currency):
            try:
                self.scoring.check_currency(self.currency)
            except ValidationError as exc:
                errors.extend(exc.prefixed("scoring").errors)
        if not isinstance(self.permissions, PermissionMap):
            errors.append(
                FieldError("permissions", "invalid", "expected a partnerkit.partners.PermissionMap")
            )
        if not isinstance(self.tier_policy, TierPolicy):
            errors.append(
                FieldError("tiers.policy", "invalid", "expected a partnerkit.tiers.TierPolicy")
            )
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 0:
            errors.append(FieldError("version", "invalid", "the version must be an integer >= 0"))
        if errors:
            raise ValidationError(errors)

    def __repr__(self) -> str:
        parts = [
            f"key={self.key!r}",
            f"name={self.name!r}",
            f"currency={self.currency!r}",
            f"locale={self.locale!r}",
            f"timezone={self.timezone!r}",
        ]
        if self.fiscal_calendar is not None:
            parts.append(f"fiscal={self.fiscal_calendar!r}")
        if self.tiers is not None:
            parts.append(f"tiers={list(self.tiers.keys)!r}")
        if self.tier_policy != TierPolicy():
            parts.append(f"tier_policy={self.tier_policy!r}")
        if self.permissions != DEFAULT_PERMISSIONS:
            parts.append("permissions=<customized>")
        if self.scoring != DEFAULT_ENGAGEMENT_MODEL:
            parts.append("scoring=<customized>")
        if self.registration_policy != RegistrationPolicy():
            parts.append("registration_policy=<customized>")
        if self.pricing is not None:
            parts.append(f"pricing=<{len(self.pricing.price_books)} price books>")
        parts.append(f"version={self.version!r}")
        return f"Program({', '.join(parts)})"

    @property
    def fiscal(self) -> FiscalCalendar:
        """The program's fiscal calendar: the one set, or the calendar year in its time zone."""
        if self.fiscal_calendar is not None:
            return self.fiscal_calendar
        return _calendar_year(self.timezone)

    # -- loading -------------------------------------------------------------------------------

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        custom_criteria: Iterable[CustomCriterion] = (),
    ) -> Program:
        """Build from the parsed form of a program file (the tables of the TOML document).

        Every bad, missing or unknown key is reported at once in one
        :class:`~partnerkit.core.errors.ValidationError` with dotted paths
        (``program.currency``, ``fiscal.start_month``,
        ``tiers.levels.2.benefits.partner_margin``). ``custom_criteria`` are
        the tier criteria written in Python that ``[tiers]`` rules name with
        ``custom = "<key>"``.
        """
        errors = ErrorCollector()
        root = ConfigReader(data, "", errors)
        section = root.table("program", required=True)
        values = {
            "key": section.str("key"),
            "name": section.str("name"),
            "currency": section.str("currency"),
            "locale": section.str("locale", "en_US"),
            "timezone": section.str("timezone", "UTC"),
        }
        section.finish(raise_errors=False)
        fiscal = read_calendar(root.table("fiscal")) if root.has("fiscal") else None
        permissions = (
            read_permissions(root.table("permissions")) if root.has("permissions") else None
        )
        currency = values["currency"]
        known = currency if isinstance(currency, str) and is_known_currency(currency) else None
        # [scoring] reads a plain amount of a money target in the program's currency.
        scoring = (
            read_engagement_model(root.table("scoring"), currency=known)
            if root.has("scoring")
            else None
        )
        registration = read_registration_policy(root.table("deals")) if root.has("deals") else None
        pricing = read_pricing(root.table("pricing")) if root.has("pricing") else None
        tiers_data: Any = root.raw("tiers", None)
        ladder: TierLadder | None = None
        policy: TierPolicy | None = None
        if tiers_data is not None:
            ladder = errors.check(
                "",
                lambda: ladder_from_dict(tiers_data, "tiers", custom_criteria=custom_criteria),
            )
            policy_data = tiers_data.get("policy") if isinstance(tiers_data, Mapping) else None
            if policy_data is not None:
                program_calendar = fiscal
                if program_calendar is None and isinstance(values["timezone"], str):
                    with errors.catch():
                        program_calendar = _calendar_year(values["timezone"])
                policy = errors.check(
                    "",
                    lambda: policy_from_dict(policy_data, "tiers.policy", fiscal=program_calendar),
                )
        root.finish(raise_errors=False)
        present = {name: value for name, value in values.items() if value is not None}
        for problem in _field_errors(present):
            errors.add(problem.path, problem.code, problem.message)
        errors.raise_if_any()
        return cls(
            **values,
            fiscal=fiscal,
            tiers=ladder,
            tier_policy=policy if policy is not None else TierPolicy(),
            permissions=permissions if permissions is not None else DEFAULT_PERMISSIONS,
            scoring=scoring if scoring is not None else DEFAULT_ENGAGEMENT_MODEL,
            registration_policy=registration if registration is not None else RegistrationPolicy(),
            pricing=pricing,
        )

    @classmethod
    def from_toml_string(
        cls, text: str, *, custom_criteria: Iterable[CustomCriterion] = ()
    ) -> Program:
        """Build from the text of a TOML program file; bad TOML is a ``ValidationError`` too."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError.single("", "invalid_toml", str(exc)) from None
        return cls.from_dict(data, custom_criteria=custom_criteria)

    @classmethod
    def from_toml(
        cls, path: str | os.PathLike[str], *, custom_criteria: Iterable[CustomCriterion] = ()
    ) -> Program:
        """Load a TOML program file (UTF-8); a file that is not UTF-8 is a ``ValidationError``."""
        with open(path, "rb") as handle:
            raw = handle.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError.single(
                "", "invalid_toml", f"the file is not UTF-8 text: {exc}"
            ) from None
        return cls.from_toml_string(text, custom_criteria=custom_criteria)

    def to_dict(self) -> dict[str, Any]:
        """The parsed-TOML form; ``from_dict(p.to_dict())`` equals ``p`` but for its version.

        The storage version is not part of the file form: :func:`partnerkit.core.to_dict`
        adds it for storage.
        """
        data: dict[str, Any] = {
            "program": {
                "key": self.key,
                "name": self.name,
                "currency": self.currency,
                "locale": self.locale,
                "timezone": self.timezone,
            },
        }
        if self.fiscal_calendar is not None:
            data["fiscal"] = calendar_to_dict(self.fiscal_calendar)
        if self.permissions != DEFAULT_PERMISSIONS:
            data["permissions"] = permissions_to_dict(self.permissions)
        if self.scoring != DEFAULT_ENGAGEMENT_MODEL:
            data["scoring"] = engagement_model_to_dict(self.scoring)
        if self.registration_policy != RegistrationPolicy():
            data["deals"] = registration_policy_to_dict(self.registration_policy)
        if self.pricing is not None:
            data["pricing"] = pricing_to_dict(self.pricing)
        if self.tiers is not None or self.tier_policy != TierPolicy():
            tiers: dict[str, Any] = ladder_to_dict(self.tiers) if self.tiers is not None else {}
            if self.tier_policy != TierPolicy():
                policy = policy_to_dict(self.tier_policy)
                calendar = self.tier_policy.calendar
                if isinstance(calendar, FiscalReviews) and calendar.calendar == self.fiscal:
                    # Reviews follow the program's own [fiscal] calendar: no need to repeat it.
                    del policy["calendar"]["fiscal"]
                tiers["policy"] = policy
            data["tiers"] = tiers
        return data


def _unstructure_program(program: Program) -> dict[str, Any]:
    # The stored form is the file form plus the storage version.
    return {**program.to_dict(), "version": program.version}


def _structure_program(data: Any, _: object) -> Program:
    if not isinstance(data, Mapping):
        raise ValidationError.single("", "invalid", "expected a table")
    body = dict(data)
    version = body.pop("version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ValidationError.single("version", "invalid", "the version must be an integer >= 0")
    return attrs.evolve(Program.from_dict(body), version=version)


converter.register_unstructure_hook(Program, _unstructure_program)
converter.register_structure_hook(Program, _structure_program)
