"""Collecting every bad field before raising, and reading settings from dicts."""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeGuard, TypeVar

import attrs

from partnerkit.core.errors import FieldError, ValidationError, join_path

__all__ = [
    "MAX_ADJUSTED",
    "MAX_DIGITS",
    "MAX_NAME_LENGTH",
    "MIN_ADJUSTED",
    "ConfigReader",
    "ErrorCollector",
]

T = TypeVar("T")

# C0 controls but tab and line feed (collapsed text has neither anyway), NUL among them,
# DEL, the C1 controls, lone surrogates (not encodable, so not storable), and the bidi
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which reorder the
# text around them, so that what a reviewer reads is not what is stored. The bidi marks
# LRM, RLM and ALM (U+200E, U+200F, U+061C) are allowed: they only set the direction of
# neighbouring punctuation and digits, which right-to-left names and addresses need.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")

#: The longest name partnerkit keeps (a program's, a partner's, a choice's label).
MAX_NAME_LENGTH = 200


#: The largest adjusted exponent of a number partnerkit reads: ``|x| < 10**101``.
MAX_ADJUSTED = 100
#: The smallest adjusted exponent of a number partnerkit reads: ``|x| >= 10**-100`` unless zero.
MIN_ADJUSTED = -100
#: The most significant digits a number partnerkit reads may have.
MAX_DIGITS = 100


def bounds_problem(value: Decimal, maximum: int = MAX_ADJUSTED) -> str | None:
    """Why the finite ``value`` is outside the numbers partnerkit accepts, or None.

    Accepted: at most :data:`MAX_DIGITS` significant digits, an adjusted
    exponent (the power of ten of the first digit) from :data:`MIN_ADJUSTED`
    to ``maximum``; a zero's exponent in the same range. The bounds keep every
    computation fast and every number printable (``Decimal("1e-999999999")``
    would make exact arithmetic and formatting build numbers of a billion digits).
    """
    adjusted = value.adjusted()
    if adjusted > maximum:
        return f"must be below 10^{maximum + 1} in absolute value"
    if adjusted < MIN_ADJUSTED:
        return f"must be zero or at least 10^{MIN_ADJUSTED} in absolute value (exponent too small)"
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and adjusted - exponent >= MAX_DIGITS:
        return f"must have at most {MAX_DIGITS} significant digits"
    return None


# -- values of the wrong Python type, from untyped host code ------------------------------------
# The boundary refuses them with a ValidationError naming the parameter or field, as it does a
# bad value of the right type, instead of a TypeError from deep inside (#19).


def expected(what: str, value: object) -> str:
    """The message for ``value`` of the wrong type: ``"expected <what>, got <type>"``."""
    return f"expected {what}, got {type(value).__name__}"


def expect(value: object, kind: type[T], path: str, what: str) -> T:
    """``value`` when it is a ``kind`` (a bool is no int), else a ValidationError at ``path``.

    >>> expect("en", str, "role", "text")
    'en'
    >>> expect([], str, "role", "text")
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 1 invalid field: role: expected text, got list [invalid]
    """
    if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
        return value
    raise ValidationError.single(path, "invalid", expected(what, value))


def is_day(value: object) -> TypeGuard[date]:
    """Whether ``value`` is a date and not a datetime (which does not compare with a date)."""
    return isinstance(value, date) and not isinstance(value, datetime)


def is_items(value: object) -> TypeGuard[Iterable[Any]]:
    """Whether ``value`` is a collection of items: an iterable, but not text or bytes."""
    return isinstance(value, Iterable) and not isinstance(value, (str, bytes, bytearray))


def items_of(value: object, path: str, errors: ErrorCollector) -> tuple[Any, ...]:
    """``value``'s items as a tuple, or ``()`` after recording at ``path`` that it is no list."""
    if is_items(value):
        return tuple(value)
    errors.add(path, "invalid", expected("a list", value))
    return ()


_FROZEN_CONVERTERS: set[Callable[..., Any]] = set()
_F = TypeVar("_F", bound=Callable[..., Any])


def frozen_converter(function: _F) -> _F:
    """Mark an attrs converter whose result holds nothing mutable when its class accepts it.

    Called after the converter's definition, not as a decorator: mypy's attrs
    plugin takes only plain functions as converters.

    A tuple, a frozenset, an instant: the class's hint for the field then
    says what the converted value is (``frozen_type`` trusts it). Any other
    value such a converter passes through is refused by the class's checks.
    """
    _FROZEN_CONVERTERS.add(function)
    return function


def is_frozen_converter(function: object) -> bool:
    """Whether ``function`` was marked with :func:`frozen_converter`."""
    try:
        return function in _FROZEN_CONVERTERS
    except TypeError:  # an unhashable callable
        return False


def as_tuple(value: Iterable[Any]) -> Any:
    """Converter of a tuple field: the items of a list, set or other iterable, as a tuple.

    Any other value (None, a number, text) is kept as it is, for the class's checks to
    refuse by the field's name (:func:`check_tuple`, or ``__attrs_post_init__``).
    """
    if type(value) is tuple:
        return value
    return tuple(value) if is_items(value) else value


def check_tuple(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """Validator of a field converted by :func:`as_tuple`: refuse what was no list, by name."""
    if not isinstance(value, tuple):
        raise ValidationError.single(attribute.name, "invalid", expected("a list", value))


def text_set(value: Iterable[str] | str) -> Any:
    """Converter of a set-of-texts field: a text is a set of one, an iterable of texts a frozenset.

    Anything else (None, a number, a list holding a list) is kept as it is, for
    :func:`is_text_set` to refuse in the class's checks.
    """
    if isinstance(value, str):
        return frozenset((value,))
    if not is_items(value):
        return value
    items = tuple(value)
    return frozenset(items) if all(isinstance(v, str) for v in items) else items


frozen_converter(as_tuple)
frozen_converter(text_set)


def is_text_set(value: object) -> bool:
    """Whether ``value`` is a frozenset of texts (what :func:`text_set` makes of good input)."""
    return isinstance(value, frozenset) and all(isinstance(v, str) for v in value)


class ErrorCollector:
    """Gathers :class:`FieldError` values so one :class:`ValidationError` can name them all.

    >>> from partnerkit.core.errors import ValidationError
    >>> errors = ErrorCollector()
    >>> errors.add("name", "required", "name is required")
    >>> with errors.catch("address"):
    ...     raise ValidationError.single("postal_code", "invalid", "not a postcode")
    >>> errors.paths
    ('name', 'address.postal_code')
    >>> errors.raise_if_any()
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 2 invalid fields: ...
    """

    __slots__ = ("_errors", "_prefix")

    def __init__(self, prefix: str = "") -> None:
        self._prefix = prefix
        self._errors: list[FieldError] = []

    def add(self, path: str, code: str, message: str) -> None:
        """Record one bad field (``path`` is relative to this collector's prefix)."""
        self._errors.append(FieldError(join_path(self._prefix, path), code, message))

    def extend(self, error: ValidationError, prefix: str = "") -> None:
        """Record every field of ``error``, its paths put under ``prefix``."""
        full = join_path(self._prefix, prefix)
        self._errors.extend(e.prefixed(full) for e in error.errors)

    @contextmanager
    def catch(self, prefix: str = "") -> Iterator[None]:
        """Record a :class:`ValidationError` raised in the block instead of letting it out."""
        try:
            yield
        except ValidationError as exc:
            self.extend(exc, prefix)

    def text(
        self,
        value: object,
        path: str,
        *,
        required: bool,
        label: str = "",
        limit: int = 200,
        multiline: bool = False,
    ) -> str:
        """``value`` as clean text, or ``""`` after recording why it is not acceptable.

        Runs of whitespace become one space (with ``multiline``, the text is
        only trimmed, so tabs and line feeds stay). Other control characters
        (C0 with NUL, DEL, C1), lone surrogates and the bidi embeddings,
        overrides and isolates (U+202A-U+202E, U+2066-U+2069; the marks LRM,
        RLM and ALM are allowed) are refused (``invalid``), as is text longer than
        ``limit`` characters; empty text is ``required`` when ``required``
        ("<label> is required", the path when there is no label).

        >>> errors = ErrorCollector()
        >>> errors.text("  Ada   Lovelace ", "name", required=True)
        'Ada Lovelace'
        >>> errors.text("", "first_name", required=True, label="First name")
        ''
        >>> [(e.path, e.message) for e in errors.errors]
        [('first_name', 'First name is required')]
        """
        if not isinstance(value, str):
            self.add(path, "invalid", f"expected text, got {type(value).__name__}")
            return ""
        cleaned = value.strip() if multiline else " ".join(value.split())
        if not cleaned.isprintable() and _CONTROL.search(cleaned):
            self.add(path, "invalid", "must not contain control characters")
            return ""
        if len(cleaned) > limit:
            self.add(path, "invalid", f"must be at most {limit} characters long")
            return ""
        if required and not cleaned:
            self.add(path, "required", f"{label or path} is required")
        return cleaned

    def check(self, path: str, fn: Callable[[], T]) -> T | None:
        """Call ``fn``; on a :class:`ValidationError` record it under ``path`` and return None."""
        try:
            return fn()
        except ValidationError as exc:
            self.extend(exc, path)
            return None

    @property
    def errors(self) -> tuple[FieldError, ...]:
        """The errors recorded so far."""
        return tuple(self._errors)

    @property
    def paths(self) -> tuple[str, ...]:
        """The paths recorded so far."""
        return tuple(e.path for e in self._errors)

    def __bool__(self) -> bool:
        return bool(self._errors)

    def __len__(self) -> int:
        """How many errors are recorded (without copying them, unlike :attr:`errors`)."""
        return len(self._errors)

    def raise_if_any(self) -> None:
        """Raise one :class:`ValidationError` naming every recorded field, if any."""
        if self._errors:
            raise ValidationError(self._errors)


_MISSING: Any = object()


class ConfigReader:
    """Reads typed settings out of a plain mapping (parsed TOML or JSON), recording bad keys.

    Each accessor returns the value, or the default when the key is absent,
    or ``None`` after recording an error when the value is bad. Call
    :meth:`finish` at the end: it flags keys nobody read (typos) and raises
    one :class:`ValidationError` for everything found.

    >>> reader = ConfigReader({"month": 13, "naem": "x"}, path="fiscal")
    >>> reader.int("month", minimum=1, maximum=12)
    >>> reader.str("name", default="FY")
    'FY'
    >>> reader.finish()
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 2 invalid fields: fiscal.month: ...
    """

    __slots__ = ("_data", "_errors", "_is_table", "_path", "_seen")

    def __init__(
        self,
        data: object,
        path: builtins.str = "",
        errors: ErrorCollector | None = None,
    ) -> None:
        self._path = path
        self._errors = errors if errors is not None else ErrorCollector()
        self._seen: set[builtins.str] = set()
        self._is_table = isinstance(data, Mapping)
        if isinstance(data, Mapping):
            self._data: Mapping[builtins.str, object] = data
        else:
            self._data = {}
            self._errors.add(path, "invalid", f"expected a table, got {type(data).__name__}")

    @property
    def errors(self) -> ErrorCollector:
        """The collector this reader records into."""
        return self._errors

    @property
    def is_table(self) -> builtins.bool:
        """Whether the data is a table (a mapping); when not, the error is already recorded."""
        return self._is_table

    @property
    def path(self) -> builtins.str:
        """The dotted path of this table."""
        return self._path

    def has(self, key: builtins.str) -> builtins.bool:
        """Whether ``key`` is present."""
        return key in self._data

    def keys(self) -> list[builtins.str]:
        """The keys present, in input order."""
        return list(self._data)

    def child_path(self, key: builtins.str | int) -> builtins.str:
        """The dotted path of ``key`` under this table."""
        return join_path(self._path, key)

    def error(self, key: builtins.str | int, code: builtins.str, message: builtins.str) -> None:
        """Record an error for ``key`` of this table."""
        self._errors.add(self.child_path(key), code, message)

    def raw(self, key: builtins.str, default: object = _MISSING) -> object:
        """Return the value as it is, marking the key as read."""
        self._seen.add(key)
        if key in self._data:
            return self._data[key]
        if default is _MISSING:
            self.error(key, "required", f"{key} is required")
            return None
        return default

    def _typed(
        self, key: builtins.str, default: object, kinds: tuple[type, ...], label: builtins.str
    ) -> Any:
        value = self.raw(key, default)
        if key not in self._data:
            return value  # the default, or None after raw() recorded "required"
        if isinstance(value, builtins.bool) and builtins.bool not in kinds:
            self.error(key, "invalid", f"expected {label}, got a boolean")
            return None
        if not isinstance(value, kinds):
            self.error(key, "invalid", f"expected {label}, got {type(value).__name__}")
            return None
        return value

    def str(
        self,
        key: builtins.str,
        default: Any = _MISSING,
        *,
        choices: Collection[builtins.str] | None = None,
    ) -> Any:
        """Read a string; with ``choices``, it must be one of them."""
        value = self._typed(key, default, (str,), "a string")
        if isinstance(value, builtins.str) and choices is not None and value not in choices:
            allowed = ", ".join(sorted(choices))
            self.error(key, "invalid_choice", f"{value!r} is not one of: {allowed}")
            return None
        if isinstance(value, builtins.str) and not value.strip() and default is _MISSING:
            self.error(key, "required", f"{key} must not be empty")
            return None
        return value

    def bool(self, key: builtins.str, default: Any = _MISSING) -> Any:
        """Read a boolean."""
        return self._typed(key, default, (bool,), "true or false")

    def int(
        self,
        key: builtins.str,
        default: Any = _MISSING,
        *,
        minimum: builtins.int | None = None,
        maximum: builtins.int | None = None,
    ) -> Any:
        """Read an integer, optionally within ``minimum``..``maximum`` (inclusive)."""
        value = self._typed(key, default, (int,), "an integer")
        if (
            isinstance(value, builtins.int)
            and key in self._data
            and (
                (minimum is not None and value < minimum)
                or (maximum is not None and value > maximum)
            )
        ):
            low = "" if minimum is None else builtins.str(minimum)
            high = "" if maximum is None else builtins.str(maximum)
            self.error(key, "out_of_range", f"{value} is outside {low}..{high}")
            return None
        return value

    def decimal(self, key: builtins.str, default: Any = _MISSING) -> Any:
        """Read a decimal from a string or an integer (never from a float).

        The number must be within partnerkit's bounds (see :func:`bounds_problem`):
        at most 100 significant digits, ``10**-100 <= |x| < 10**101`` or zero;
        ``out_of_range`` otherwise.
        """
        value = self.raw(key, default)
        if key not in self._data:
            return value  # the default, or None after raw() recorded "required"
        if isinstance(value, builtins.bool) or not isinstance(
            value, (builtins.str, builtins.int, Decimal)
        ):
            self.error(
                key, "invalid", "expected a decimal written as a string or an integer, not a float"
            )
            return None
        try:
            result = Decimal(value)
        except InvalidOperation:
            self.error(key, "invalid", f"{value!r} is not a decimal number")
            return None
        if not result.is_finite():
            self.error(key, "invalid", "must be a finite number")
            return None
        problem = bounds_problem(result)
        if problem is not None:
            self.error(key, "out_of_range", problem)
            return None
        return result

    def table(self, key: builtins.str, *, required: builtins.bool = False) -> ConfigReader:
        """Return a reader for the sub-table ``key`` (an empty one when absent)."""
        value = self.raw(key, _MISSING if required else {})
        return ConfigReader(value if value is not None else {}, self.child_path(key), self._errors)

    def tables(self, key: builtins.str) -> list[ConfigReader]:
        """Return readers for an array of tables (``[[key]]`` in TOML)."""
        value = self.raw(key, [])
        if not isinstance(value, list):
            self.error(key, "invalid", "expected an array of tables")
            return []
        return [
            ConfigReader(item, join_path(self.child_path(key), i), self._errors)
            for i, item in enumerate(value)
        ]

    def finish(
        self, *, allow_unknown: builtins.bool = False, raise_errors: builtins.bool = True
    ) -> None:
        """Flag keys nobody read as ``unknown``, then raise if anything was recorded."""
        if not allow_unknown:
            for key in self._data:
                if key not in self._seen:
                    self.error(key, "unknown", f"unknown setting {key!r}")
        if raise_errors:
            self._errors.raise_if_any()
