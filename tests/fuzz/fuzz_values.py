"""Strategies of junk values and the generic call of a public entry point with them."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

#: Short texts a boundary must refuse or survive: NUL, bidi controls, a lone surrogate,
#: zero-width characters before a formula, digits outside ASCII, a long text.
NASTY_TEXTS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eevil",
    "\u2066x\u2069",
    "\ud800",
    "\u200b=1+1",
    "\ufeff=1+1",
    "=cmd|' /C calc'!A0",
    "²",
    "٣",
    "1e-5000",
    "1e999999",
    "NaN",
    "sNaN",
    "-Infinity",
    "x" * 2000,
    "{start[0]}",
    "{year:>99999999999}",
    "xx_YY",
    "0",
    "EUR",
    "USD",
    "en_US",
    "de_DE",
    "UTC",
    "Europe/Berlin",
    "2026-01-01",
    "9999-12-31",
    "4-4-5",
    "p1",
]

NASTY_DECIMALS = [
    Decimal("NaN"),
    Decimal("sNaN"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    Decimal("1e-999999"),
    Decimal("1e999999"),
    Decimal("-0"),
    Decimal("0.000000000000000000000000000001"),
    Decimal("123456789012345678901234567890.123"),
    Decimal("1.5"),
    Decimal("-1"),
]

UTC_MINUS_1 = timezone(timedelta(hours=-1))
UTC_PLUS_14 = timezone(timedelta(hours=14))

NASTY_TEMPORALS: list[object] = [
    date(1, 1, 1),
    date(9999, 12, 31),
    date(9999, 12, 1),
    date(2026, 2, 28),
    datetime(2026, 1, 1, 12),  # naive
    datetime(2026, 1, 1, 12, tzinfo=timezone.utc),
    datetime(9999, 12, 31, 23, tzinfo=UTC_MINUS_1),
    datetime(1, 1, 1, 0, tzinfo=UTC_PLUS_14),
    datetime.min,
    datetime.max,
    time(12),
    timedelta(days=1),
    timedelta.max,
]

scalars: st.SearchStrategy[object] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([-(2**63), 2**63, 10**30, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(NASTY_DECIMALS),
    st.decimals(allow_nan=False, allow_infinity=False, places=None),
    st.sampled_from(NASTY_TEXTS),
    st.text(max_size=8),
    st.binary(max_size=4),
    st.sampled_from(NASTY_TEMPORALS),
    st.dates(),
    st.datetimes(timezones=st.none() | st.timezones()),
)

#: Any junk value: a scalar, or a small list or dict of them.
junk: st.SearchStrategy[object] = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=4) | st.integers(-2, 2), inner, max_size=3)
        | st.tuples(inner, inner)
    ),
    max_leaves=6,
)


def public_callables(module: Any) -> list[tuple[str, Callable[..., Any]]]:
    """The functions and concrete classes of ``module.__all__`` (not constants, not protocols)."""
    found: list[tuple[str, Callable[..., Any]]] = []
    for name in module.__all__:
        value = getattr(module, name)
        if inspect.isfunction(value) or inspect.isbuiltin(value):
            found.append((name, value))
        elif inspect.isclass(value):
            if getattr(value, "_is_protocol", False) or issubclass(value, BaseException):
                continue
            if inspect.isabstract(value):
                continue
            found.append((name, value))
    return found


def signature_of(target: Callable[..., Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(target)
    except (TypeError, ValueError):
        return None


#: The names an annotation may be made of for a parameter to count as data (a value that can
#: come from a user, a file or a JSON body): such parameters get junk. A parameter annotated
#: with a partnerkit class, a protocol, a callable or a class is a programming interface,
#: whose wrong types ``mypy --strict`` refuses; it gets a valid example of its type, or the
#: target is left to the targeted tests.
DATA_NAMES = frozenset(
    {
        "str", "int", "float", "bool", "bytes", "Decimal", "date", "datetime", "time", "None",
        "object", "Any", "Mapping", "Sequence", "Iterable", "Collection", "dict", "list",
        "tuple", "set", "frozenset", "Optional", "Union", "NumberLike", "DateLike", "typing",
        "collections", "abc", "decimal", "pendulum", "DateTime", "Date", "MetricValue",
    }
)  # fmt: skip

_IDENTIFIER = __import__("re").compile(r"[A-Za-z_][A-Za-z0-9_]*")


def annotation_names(annotation: object) -> set[str]:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "")
    if not isinstance(annotation, str) and not text:
        text = repr(annotation)
    return set(_IDENTIFIER.findall(str(text)))


def is_data(param: inspect.Parameter) -> bool:
    if param.annotation is param.empty:
        return True
    return annotation_names(param.annotation) <= DATA_NAMES


def call_arguments_with(
    target: Callable[..., Any],
    typed: Callable[[inspect.Parameter], st.SearchStrategy[Any]],
    values: st.SearchStrategy[object] = junk,
    skip: frozenset[str] | set[str] = frozenset(),
) -> st.SearchStrategy[tuple[list[object], dict[str, object]]]:
    """Arguments for ``target``: junk for data parameters, ``typed(param)`` for the others.

    An optional parameter is passed half the time; an optional typed one whose ``typed``
    raises ``LookupError`` is left out.
    """

    @st.composite
    def build(draw: st.DrawFn) -> tuple[list[object], dict[str, object]]:
        sig = signature_of(target)
        args: list[object] = []
        kwargs: dict[str, object] = {}
        if sig is None:
            return args, kwargs
        for param in sig.parameters.values():
            if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD) or param.name in skip:
                continue
            required = param.default is param.empty
            if not required and not draw(st.booleans()):
                continue
            if is_data(param):
                value = draw(values)
            else:
                try:
                    value = draw(typed(param))
                except LookupError:
                    if required:
                        raise
                    continue
            if param.kind is param.POSITIONAL_ONLY:
                args.append(value)
            else:
                kwargs[param.name] = value
        return args, kwargs

    return build()
