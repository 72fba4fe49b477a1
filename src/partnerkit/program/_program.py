"""Program: one partner program's configuration, built in code or loaded from TOML."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, TypeVar

import attrs
import pendulum
from babel import Locale, UnknownLocaleError

from partnerkit.core import ConfigReader, ErrorCollector, converter, is_known_currency
from partnerkit.core._validation import MAX_NAME_LENGTH
from partnerkit.core.errors import FieldError, ValidationError
from partnerkit.dashboard import DashboardSettings
from partnerkit.deals import RegistrationPolicy
from partnerkit.fiscal import FiscalCalendar
from partnerkit.partners import (
    DEFAULT_PARTNER_TYPES,
    DEFAULT_PERMISSIONS,
    PartnerType,
    PermissionMap,
)
from partnerkit.plans import PlanTemplate
from partnerkit.program._area import AreaContext, ProgramArea, calendar_year
from partnerkit.program._areas import AREAS
from partnerkit.program._locate import TomlPositions, decode_error_position
from partnerkit.quoting import Pricing
from partnerkit.scoring import DEFAULT_ENGAGEMENT_MODEL, EngagementModel
from partnerkit.tiers import CustomCriterion, TierLadder, TierPolicy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["Program"]

_P = TypeVar("_P", bound="Program")

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# tomllib's "(at line 2, column 5)": the error's line and column say it instead.
_AT_POSITION = re.compile(r"\s*\(at (line \d+, column \d+|end of document)\)")


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
    elif "name" in values:
        # The text rule of every text field: no control or bidi control characters, no
        # lone surrogates, and a bounded length.
        text = ErrorCollector("program")
        text.text(values["name"], "name", required=True, limit=MAX_NAME_LENGTH)
        errors.extend(text.errors)
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


def _default(cls: type[Program], attribute: str) -> Any:
    """The default of an area's attribute: what a file without its table gets."""
    default: Any = attrs.fields_dict(cls)[attribute].default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type] # a class at run time
        return default.factory()
    return default


def _keyword(cls: type[Program], attribute: str) -> str:
    """An attribute's constructor keyword: its attrs alias (``fiscal`` for ``fiscal_calendar``)."""
    return attrs.fields_dict(cls)[attribute].alias or attribute


def _table_reader(root: ConfigReader, table: str, tables: Iterable[str]) -> ConfigReader | None:
    """A reader for the dotted ``table`` of the file, or None when the file does not hold it.

    The keys of nested tables (``policy`` of ``tiers``) are marked read, so
    the parent's reader does not report them as unknown; a table that holds
    nothing but nested tables counts as absent.
    """
    *parents, name = table.split(".")
    reader = root
    for part in parents:
        if not reader.has(part) or not isinstance(reader.raw(part), Mapping):
            return None  # absent, or not a table: the parent's own area reports that
        reader = reader.table(part)
    if not reader.has(name):
        reader.raw(name, None)  # a table the program knows, even when absent
        return None
    found = reader.table(name)
    nested = {t[len(table) + 1 :].split(".")[0] for t in tables if t.startswith(f"{table}.")}
    for key in nested:
        found.raw(key, None)
    if nested and found.keys() and set(found.keys()) <= nested:
        return None
    return found


@attrs.frozen(repr=False)
class Program:
    """One partner program's configuration: its identity and every area's table of its file.

    ``key``, ``name``, ``currency``, ``locale`` and ``timezone`` come from
    the ``[program]`` table. Each other table fills one attribute through its
    :class:`ProgramArea`, listed in :attr:`areas`: ``fiscal=`` from
    ``[fiscal]`` (:attr:`fiscal` is the calendar year in the program's time
    zone without it), ``tiers=`` from ``[tiers]``, ``tier_policy=`` from
    ``[tiers.policy]``, ``permissions=`` from ``[permissions]``,
    ``scoring=`` from ``[scoring]``, ``registration_policy=`` from
    ``[deals]`` and ``pricing=`` from ``[pricing]``; a table left out gives
    the attribute's default. Build it in code, or load it with
    :meth:`from_toml`, which reports every bad key with its dotted path. It
    is also an aggregate (stored under :data:`partnerkit.storage.PROGRAMS`,
    keyed by :attr:`key`), so an administrator's edits are saved with
    optimistic concurrency like any other record.

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

    #: Every table of the program file but ``[program]``, in file order: how each is read,
    #: written, checked and shown. A subclass that adds a table extends it.
    areas: ClassVar[tuple[ProgramArea[Any], ...]] = AREAS

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
    #: The partner types the program offers; :data:`~partnerkit.partners.DEFAULT_PARTNER_TYPES`
    #: unless a ``[partners]`` table lists its own ``types``.
    partner_types: tuple[PartnerType, ...] = attrs.field(
        default=DEFAULT_PARTNER_TYPES, kw_only=True
    )
    #: The engagement model of the nightly scoring; the built-in one unless a ``[scoring]``
    #: table describes another.
    scoring: EngagementModel = attrs.field(default=DEFAULT_ENGAGEMENT_MODEL, kw_only=True)
    #: Deal registration rules: lists for the form, review and protection days, channel
    #: conflict; the defaults unless a ``[deals]`` table changes them.
    registration_policy: RegistrationPolicy = attrs.field(factory=RegistrationPolicy, kw_only=True)
    #: Products, price books and the margin policy, from a ``[pricing]`` table (None without).
    pricing: Pricing | None = attrs.field(default=None, kw_only=True)
    #: Plan templates written in the program file's ``[plans]`` table (published ones).
    plan_templates: tuple[PlanTemplate, ...] = attrs.field(default=(), kw_only=True)
    #: What the dashboard shows beyond the scores (service SKUs, renewal horizons), from a
    #: ``[dashboard]`` table; the defaults of :class:`~partnerkit.dashboard.DashboardSettings`.
    dashboard: DashboardSettings = attrs.field(factory=DashboardSettings, kw_only=True)
    version: int = attrs.field(default=0, kw_only=True)

    def __attrs_post_init__(self) -> None:
        cls = type(self)
        errors = _field_errors(
            {field.name: getattr(self, field.name) for field in attrs.fields(cls)}
        )
        for area in cls.areas:
            problems = area.check(getattr(self, area.attribute), self)
            errors.extend(problem.prefixed(area.table) for problem in problems)
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 0:
            errors.append(FieldError("version", "invalid", "the version must be an integer >= 0"))
        if errors:
            raise ValidationError(errors)

    def __repr__(self) -> str:
        cls = type(self)
        parts = [
            f"key={self.key!r}",
            f"name={self.name!r}",
            f"currency={self.currency!r}",
            f"locale={self.locale!r}",
            f"timezone={self.timezone!r}",
        ]
        for area in cls.areas:
            value = getattr(self, area.attribute)
            if value != _default(cls, area.attribute):
                parts.append(f"{_keyword(cls, area.attribute)}={area.summary(value)}")
        parts.append(f"version={self.version!r}")
        return f"{cls.__name__}({', '.join(parts)})"

    @property
    def fiscal(self) -> FiscalCalendar:
        """The program's fiscal calendar: the one set, or the calendar year in its time zone."""
        if self.fiscal_calendar is not None:
            return self.fiscal_calendar
        return calendar_year(self.timezone)

    # -- loading -------------------------------------------------------------------------------

    @classmethod
    def from_dict(
        cls: type[_P],
        data: Mapping[str, Any],
        *,
        custom_criteria: Iterable[CustomCriterion] = (),
    ) -> _P:
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
        present = {name: value for name, value in values.items() if value is not None}
        settings_problems = _field_errors(present)
        bad = {problem.path for problem in settings_problems}
        currency = values["currency"] if "program.currency" not in bad else None
        timezone = values["timezone"] if "program.timezone" not in bad else None
        custom = tuple(
            custom_criteria.values() if isinstance(custom_criteria, Mapping) else custom_criteria
        )
        tables = [area.table for area in cls.areas]
        read: dict[str, Any] = {}
        for area in cls.areas:
            reader = _table_reader(root, area.table, tables)
            if reader is not None and reader.is_table:  # not a table: already reported
                context = AreaContext(currency, timezone, dict(read), custom)
                value = area.read(reader, context)
                if value is not None:
                    read[area.attribute] = value
        root.finish(raise_errors=False)
        for problem in settings_problems:
            errors.add(problem.path, problem.code, problem.message)
        errors.raise_if_any()
        return cls(**values, **{_keyword(cls, name): value for name, value in read.items()})

    @classmethod
    def from_toml_string(
        cls: type[_P], text: str, *, custom_criteria: Iterable[CustomCriterion] = ()
    ) -> _P:
        """Build from the text of a TOML program file; bad TOML is a ``ValidationError`` too.

        Every :class:`~partnerkit.core.errors.FieldError` carries the
        ``line`` and ``column`` (1-based) where its key, array element or
        table header was written, so an editor can show the problem beside
        its line: a key that is missing is placed at its table's header, a
        problem of the whole file (no ``[program]`` table) at none. A syntax
        error is one ``invalid_toml`` error at the place the TOML parser
        stopped.
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line, column = decode_error_position(exc, text)
            message = _AT_POSITION.sub("", str(exc)).strip()
            raise ValidationError(
                [FieldError("", "invalid_toml", message, line=line, column=column)]
            ) from None
        except RecursionError:
            raise ValidationError.single(
                "", "invalid_toml", "arrays or tables nested more deeply than a program file needs"
            ) from None
        try:
            return cls.from_dict(data, custom_criteria=custom_criteria)
        except ValidationError as exc:
            positions = TomlPositions(text)
            placed = []
            for error in exc.errors:
                found = positions.find(error.path)
                placed.append(error.at(*found) if found else error)
            raise ValidationError(placed) from None

    @classmethod
    def from_toml(
        cls: type[_P],
        path: str | os.PathLike[str],
        *,
        custom_criteria: Iterable[CustomCriterion] = (),
    ) -> _P:
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

        An area whose attribute holds its default writes no table. The
        storage version is not part of the file form:
        :func:`partnerkit.core.to_dict` adds it for storage.
        """
        cls = type(self)
        data: dict[str, Any] = {
            "program": {
                "key": self.key,
                "name": self.name,
                "currency": self.currency,
                "locale": self.locale,
                "timezone": self.timezone,
            },
        }
        for area in cls.areas:
            value = getattr(self, area.attribute)
            if value == _default(cls, area.attribute):
                continue
            *parents, name = area.table.split(".")
            target = data
            for part in parents:
                target = target.setdefault(part, {})
            target[name] = area.write(value, self)
        return data


def _unstructure_program(program: Program) -> dict[str, Any]:
    # The stored form is the file form plus the storage version.
    return {**program.to_dict(), "version": program.version}


def _structure_program(data: Any, cls: type[Program]) -> Program:
    if not isinstance(data, Mapping):
        raise ValidationError.single("", "invalid", "expected a table")
    body = dict(data)
    version = body.pop("version", 0)
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ValidationError.single("version", "invalid", "the version must be an integer >= 0")
    return attrs.evolve(cls.from_dict(body), version=version)


converter.register_unstructure_hook(Program, _unstructure_program)
converter.register_structure_hook(Program, _structure_program)
