"""Round-tripping public values through JSON-compatible dicts (a cattrs converter)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

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
from partnerkit.core._time import aware
from partnerkit.core.errors import FieldError, ValidationError, join_path

__all__ = ["converter", "from_dict", "from_json", "to_dict", "to_json"]

T = TypeVar("T")


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)

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


def _unstructure_instant(value: datetime) -> str:
    return aware(value, "").isoformat()


def _structure_instant(value: object, _: object) -> pendulum.DateTime:
    if isinstance(value, datetime):
        return aware(value, "")
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValidationError.single(
                "", "invalid", f"expected an ISO 8601 instant with offset, got {value!r}"
            ) from None
        return aware(parsed, "")
    raise ValidationError.single("", "invalid", f"expected an ISO 8601 instant, got {value!r}")


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
    """Serialize to a compact JSON string with sorted keys (stable for storage and hashing)."""
    return json.dumps(to_dict(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def from_json(cls: type[T], text: str | bytes) -> T:
    """Build a ``cls`` from JSON made by :func:`to_json`; bad JSON is a :class:`ValidationError`."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValidationError.single("", "invalid", f"not valid JSON: {exc}") from None
    return from_dict(cls, data)


def _field_errors(exc: BaseException, path: str) -> list[FieldError]:
    if isinstance(exc, ValidationError):
        return [e.prefixed(path) for e in exc.errors]
    if isinstance(exc, ForbiddenExtraKeysError):
        return [
            FieldError(join_path(path, key), "unknown", f"unknown key {key!r}")
            for key in sorted(exc.extra_fields)
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
