"""Program: one partner program's configuration, built in code or loaded from TOML."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from typing import Any

import attrs
import pendulum
from babel import Locale, UnknownLocaleError

from partnerkit.core import ConfigReader, ErrorCollector, converter, is_known_currency
from partnerkit.core.errors import FieldError, ValidationError
from partnerkit.fiscal import (
    FiscalCalendar,
    MonthlyFiscalCalendar,
    calendar_to_dict,
    read_calendar,
)
from partnerkit.storage import AggregateSpec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["PROGRAMS", "Program"]

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
    except (ValueError, TypeError):
        bad("timezone", "invalid", f"{timezone!r} is not an IANA time zone (Europe/London)")
    return errors


def _calendar_year(program: Program) -> FiscalCalendar:
    # The default: the fiscal year is the calendar year, in the program's time zone.
    try:
        return MonthlyFiscalCalendar(1, tz=program.timezone)
    except ValidationError:
        # A bad time zone is reported once, as program.timezone, by the checks that follow.
        return MonthlyFiscalCalendar(1)


@attrs.frozen
class Program:
    """One partner program's configuration: identity, currency, locale, time zone, fiscal calendar.

    ``fiscal`` defaults to the calendar year in the program's time zone; a
    ``[fiscal]`` table in the file describes any other calendar (see
    :func:`partnerkit.fiscal.calendar_from_dict`). Later areas add their
    sections (tier ladder, registration and margin policies, price books,
    scoring model, roles).
    Build it in code, or load it with :meth:`from_toml`, which reports every
    bad key with its dotted path. It is also an aggregate (stored under
    :data:`PROGRAMS`, keyed by :attr:`key`), so an administrator's edits are
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
    fiscal: FiscalCalendar = attrs.field(
        default=attrs.Factory(_calendar_year, takes_self=True), kw_only=True
    )
    version: int = attrs.field(default=0, kw_only=True)

    def __attrs_post_init__(self) -> None:
        errors = _field_errors(
            {field.name: getattr(self, field.name) for field in attrs.fields(Program)}
        )
        if not isinstance(self.fiscal, FiscalCalendar):
            errors.append(FieldError("fiscal", "invalid", "expected a partnerkit.fiscal calendar"))
        if isinstance(self.version, bool) or not isinstance(self.version, int):
            errors.append(FieldError("version", "invalid", "the version must be an integer"))
        if errors:
            raise ValidationError(errors)

    # -- loading -------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Program:
        """Build from the parsed form of a program file (the tables of the TOML document).

        Every bad, missing or unknown key is reported at once in one
        :class:`~partnerkit.core.errors.ValidationError` with dotted paths
        (``program.currency``, ``fiscal.start_month``).
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
        root.finish(raise_errors=False)
        present = {name: value for name, value in values.items() if value is not None}
        for problem in _field_errors(present):
            errors.add(problem.path, problem.code, problem.message)
        errors.raise_if_any()
        if fiscal is None:
            return cls(**values)
        return cls(**values, fiscal=fiscal)

    @classmethod
    def from_toml_string(cls, text: str) -> Program:
        """Build from the text of a TOML program file; bad TOML is a ``ValidationError`` too."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError.single("", "invalid_toml", str(exc)) from None
        return cls.from_dict(data)

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Program:
        """Load a TOML program file (UTF-8)."""
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
        return cls.from_toml_string(text)

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
            "fiscal": calendar_to_dict(self.fiscal),
        }
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

#: How programs are stored: one row per program, keyed by :attr:`Program.key`.
PROGRAMS: AggregateSpec[Program] = AggregateSpec("programs", Program, id_attr="key")
