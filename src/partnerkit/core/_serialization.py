"""Round-tripping public values through JSON-compatible dicts (a cattrs converter)."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal
from enum import Enum, Flag
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import cattrs
import pendulum
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ForbiddenExtraKeysError,
    IterableValidationNote,
)

from partnerkit.core._money import Money, to_decimal
from partnerkit.core._percentage import Percentage
from partnerkit.core._time import aware, time_zone
from partnerkit.core.errors import FieldError, ValidationError, join_path

__all__ = ["converter", "from_dict", "from_json", "to_dict", "to_json"]

T = TypeVar("T")


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)

    # Strict primitives: cattrs would otherwise turn 1.7 into 1, 5 into "5" and "1" into 1.
    conv.register_structure_hook(int, _strict(int, "an integer"))
    conv.register_structure_hook(str, _strict(str, "a string"))
    conv.register_structure_hook(bool, _strict(bool, "true or false"))
    # Every enum reads the same way (an enum with a text or number base reaches _strict first).
    conv.register_structure_hook_func(
        lambda cls: isinstance(cls, type) and issubclass(cls, Enum), _structure_enum
    )

    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(Decimal, lambda v, _: to_decimal(v, ""))

    conv.register_unstructure_hook(Money, Money.to_dict)
    conv.register_structure_hook(Money, _structure_money)

    conv.register_unstructure_hook(Percentage, lambda p: str(p.value))
    conv.register_structure_hook(Percentage, _structure_percentage)

    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_structure_hook(date, _structure_date)

    conv.register_unstructure_hook(datetime, _unstructure_instant)
    conv.register_unstructure_hook(pendulum.DateTime, _unstructure_instant)
    conv.register_structure_hook(datetime, _structure_instant)
    conv.register_structure_hook(pendulum.DateTime, _structure_instant)
    return conv


def _structure_enum(value: object, cls: type[Enum]) -> Enum:
    if isinstance(value, cls):
        return value
    # As strict as the base type: an int enum takes an int (no bool, no 2.0), a text enum text.
    base_ok = (
        not isinstance(value, (bool, float))
        and (not issubclass(cls, int) or isinstance(value, int))
        and (not issubclass(cls, str) or isinstance(value, str))
    )
    member: Enum | None = None
    if base_ok:
        try:
            member = cls(value)
        except (ValueError, TypeError):
            member = None
    if member is not None and issubclass(cls, Flag):
        # A flag takes only the bits of its members (IntFlag would keep unknown ones).
        known = 0
        for flag in cls:
            known |= int(flag.value)
        if int(member.value) & ~known:
            member = None
    if member is None:
        choices = ", ".join(repr(m.value) for m in cls)
        raise ValidationError.single("", "invalid_choice", f"expected one of {choices}")
    return member


def _strict(kind: type[T], label: str) -> Callable[[object, object], T]:
    def structure(value: object, cls: object) -> T:
        if cls is not kind and isinstance(cls, type) and issubclass(cls, Enum):
            # An enum with this base (class Rag(str, Enum)) reaches this hook through its base
            # class: it is read as the enum, not as the plain value.
            return _structure_enum(value, cls)  # type: ignore[return-value]
        if type(value) is kind or (
            isinstance(value, kind) and not isinstance(value, bool) and not issubclass(kind, bool)
        ):
            return value
        raise ValidationError.single("", "invalid", f"expected {label}, got {type(value).__name__}")

    return structure


def _structure_money(value: object, _: object) -> Money:
    if not isinstance(value, Mapping):
        raise ValidationError.single("", "invalid", "expected {'amount': ..., 'currency': ...}")
    errors = [
        FieldError(key, "required", f"{key} is required")
        for key in ("amount", "currency")
        if key not in value
    ]
    errors += [
        FieldError(key, "unknown", f"unknown key {key!r}")
        for key in value
        if key not in ("amount", "currency")
    ]
    if not any(e.code == "required" for e in errors):
        try:
            money = Money(value["amount"], value["currency"])
        except ValidationError as exc:
            errors += exc.errors
    if errors:
        raise ValidationError(errors)
    return money


def _structure_percentage(value: object, _: object) -> Percentage:
    try:
        return Percentage(value)  # type: ignore[arg-type]
    except ValidationError as exc:
        # The serialized form is the bare number: the errors belong to the field itself.
        raise ValidationError(FieldError("", e.code, e.message) for e in exc.errors) from None


def _structure_date(value: object, _: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError.single("", "invalid", f"expected an ISO date (YYYY-MM-DD), got {value!r}")


# An RFC 9557 time zone suffix: "[Europe/Paris]", or "[!Europe/Paris]" when the
# zone is critical (the offset must then agree with it).
_ZONE_SUFFIX = re.compile(r"\[(!?)([^\[\]]+)\]\Z")


def _zone_name(zone: tzinfo | None) -> str | None:
    # A named IANA zone (pendulum's Timezone is a ZoneInfo); not a fixed offset.
    # UTC is written as a bare +00:00, which reads back as UTC anyway.
    if isinstance(zone, ZoneInfo):
        key = zone.key
        if key and key != "UTC":
            return key
    return None


def _unstructure_instant(value: datetime) -> str:
    instant = aware(value, "")
    name = _zone_name(instant.tzinfo)
    text = instant.isoformat()
    return f"{text}[{name}]" if name else text


def _structure_instant(value: object, _: object) -> pendulum.DateTime:
    if isinstance(value, datetime):
        return aware(value, "")
    if not isinstance(value, str):
        raise ValidationError.single("", "invalid", f"expected an ISO 8601 instant, got {value!r}")
    return _read_instant(value)


@functools.lru_cache(maxsize=4096)
def _read_instant(value: str) -> pendulum.DateTime:
    """Parse a stored instant; pendulum's values are immutable, so equal text shares one.

    Records written by one use case share its instant (the context pins the
    clock), so reading many of them parses each distinct text once.
    """
    text = value
    zone: tzinfo | None = None
    match = _ZONE_SUFFIX.search(text)
    if match:
        zone = time_zone(match.group(2), "")
        text = text[: match.start()]
    if text.endswith(("Z", "z")):  # Python 3.10 reads neither, 3.11 only "Z"
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError.single(
            "", "invalid", f"expected an ISO 8601 instant with offset, got {value!r}"
        ) from None
    instant = aware(parsed, "")
    if zone is None:
        return instant
    # The offset fixes the instant (and which of two repeated wall times is meant);
    # the zone gives the wall time and the rules later calendar arithmetic follows.
    local = instant.in_timezone(zone)  # type: ignore[arg-type]
    if match and match.group(1) and local.utcoffset() != instant.utcoffset():
        raise ValidationError.single(
            "", "invalid", f"the offset of {value!r} is not the one its critical zone has then"
        )
    return local


#: The converter behind :func:`to_dict` and :func:`from_dict`. Later modules
#: register hooks for their own types on it; hosts may too.
converter: cattrs.Converter = _make_converter()


def to_dict(value: object) -> Any:
    """Turn a partnerkit value into JSON-compatible data (dicts, lists, strings, numbers).

    Decimals and Money amounts become strings, dates and instants ISO 8601
    strings, enums their values.

    >>> to_dict(Money("12.30", "EUR"))
    {'amount': '12.30', 'currency': 'EUR'}
    """
    return converter.unstructure(value)


def from_dict(cls: type[T], data: object) -> T:
    """Build a ``cls`` from data made by :func:`to_dict`.

    Raises :class:`ValidationError` naming every bad field by its dotted path.

    >>> from_dict(Money, {"amount": "12.30", "currency": "EUR"})
    Money('12.30', 'EUR')
    >>> from_dict(Money, {"amount": 1.5, "currency": "XXY"})
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 2 invalid fields: amount: ...; currency: ...
    """
    try:
        return converter.structure(data, cls)
    except (
        BaseValidationError,
        ForbiddenExtraKeysError,
        # Wrongly shaped input at the top level (a list for a class, ...); nested,
        # cattrs collects these into a BaseValidationError itself.
        ValueError,  # ValidationError included
        TypeError,
        AttributeError,
        KeyError,
    ) as exc:
        raise ValidationError(_field_errors(exc, "")) from None


def to_json(value: object) -> str:
    """Serialize to a compact JSON string with sorted keys (stable for storage and hashing).

    A value with no JSON form (bytes, a set, ...) is a :class:`ValidationError`.
    """
    data = to_dict(value)
    try:
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError.single("", "invalid", f"not serializable as JSON: {exc}") from None


def from_json(cls: type[T], text: str | bytes) -> T:
    """Build a ``cls`` from JSON made by :func:`to_json`; bad JSON is a :class:`ValidationError`."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValidationError.single("", "invalid", f"not valid JSON: {exc}") from None
    except RecursionError:
        raise ValidationError.single(
            "", "invalid", "arrays or objects nested more deeply than any partnerkit value"
        ) from None
    return from_dict(cls, data)


def _field_errors(exc: BaseException, path: str) -> list[FieldError]:
    if isinstance(exc, ValidationError):
        return [e.prefixed(path) for e in exc.errors]
    if isinstance(exc, ForbiddenExtraKeysError):
        return [
            FieldError(join_path(path, key), "unknown", f"unknown key {key!r}")
            for key in sorted(exc.extra_fields, key=repr)  # keys of mixed types sort too
        ]
    if isinstance(exc, BaseValidationError):
        found: list[FieldError] = []
        for sub in exc.exceptions:
            sub_path = path
            for note in getattr(sub, "__notes__", ()):
                if isinstance(note, AttributeValidationNote):
                    sub_path = join_path(path, note.name)
                elif isinstance(note, IterableValidationNote):
                    sub_path = join_path(path, note.index)
            found.extend(_field_errors(sub, sub_path))
        return found
    if isinstance(exc, KeyError):
        return [FieldError(path, "required", "this field is required")]
    return [FieldError(path, "invalid", str(exc) or type(exc).__name__)]
