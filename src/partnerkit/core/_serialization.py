"""Round-tripping public values through JSON-compatible dicts (a cattrs converter)."""

from __future__ import annotations

import contextlib
import functools
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from enum import Enum, Flag
from types import UnionType
from typing import Any, Literal, TypeVar, Union, get_args, get_origin
from zoneinfo import ZoneInfo

import attrs
import cattrs
import pendulum
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ForbiddenExtraKeysError,
    IterableValidationNote,
)
from cattrs.gen import iterable_unstructure_factory

from partnerkit.core._money import Money, to_decimal
from partnerkit.core._percentage import Percentage
from partnerkit.core._time import aware, time_zone
from partnerkit.core._validation import is_frozen_converter
from partnerkit.core.errors import FieldError, ValidationError, join_path

__all__ = ["converter", "from_dict", "from_json", "to_dict", "to_json"]

T = TypeVar("T")


class _Converter(cattrs.Converter):
    """cattrs' converter, counting the changes to its structure hooks and noting who made them.

    ``structure_changes`` grows each time a structure hook, hook function or
    hook factory is registered (also through the decorator forms): what a
    reader keeps structured (see :class:`SharedItems`) holds while it stands.
    The classes given hooks, and the predicates of hook functions and
    factories, registered once the converter is made are noted: see
    :meth:`registered_for`.
    """

    __slots__ = ("hooked", "predicates", "structure_changes")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.structure_changes = 0
        self.hooked: set[Any] = set()
        #: None while cattrs registers its own factories (in ``__init__``).
        self.predicates: list[Callable[[Any], Any]] | None = None
        super().__init__(*args, **kwargs)
        self.predicates = []

    def registered_for(self, cls: Any) -> bool:
        """Whether a structure hook registered on this converter may structure ``cls``.

        True when a hook was registered for ``cls`` or a class it derives
        from (cattrs dispatches hooks by class the way ``singledispatch``
        does), or a hook function or factory whose predicate takes it:
        anything but the structure function cattrs generates for a class by
        default. A predicate that raises is one that does not take ``cls``,
        as cattrs reads it.
        """
        if cls in self.hooked:
            return True
        if isinstance(cls, type):
            for hooked in self.hooked:
                try:
                    if isinstance(hooked, type) and issubclass(cls, hooked):
                        return True
                except TypeError:  # a protocol issubclass cannot answer: assume it takes cls
                    return True
        for predicate in self.predicates or ():
            try:
                if predicate(cls):
                    return True
            except Exception:  # cattrs passes over a predicate that raises
                continue
        return False

    def register_structure_hook(self, *args: Any, **kwargs: Any) -> Any:
        if self.predicates is not None and len(args) + len(kwargs) > 1:
            cls = args[0] if args else kwargs.get("cl")
            with contextlib.suppress(TypeError):  # an unhashable type: no class of an aggregate
                self.hooked.add(cls)
        try:
            return super().register_structure_hook(*args, **kwargs)
        finally:
            self.structure_changes += 1

    def register_structure_hook_func(self, *args: Any, **kwargs: Any) -> None:
        self._note_predicate(args, kwargs)
        try:
            super().register_structure_hook_func(*args, **kwargs)
        finally:
            self.structure_changes += 1

    def register_structure_hook_factory(self, *args: Any, **kwargs: Any) -> Any:
        self._note_predicate(args, kwargs)
        try:
            made = super().register_structure_hook_factory(*args, **kwargs)
        finally:
            self.structure_changes += 1
        if len(args) + len(kwargs) > 1:
            return made

        def decorator(factory: Any) -> Any:  # the decorator form registers when applied
            try:
                return made(factory)
            finally:
                self.structure_changes += 1

        return decorator

    def _note_predicate(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        predicate = args[0] if args else kwargs.get("predicate", kwargs.get("check_func"))
        if self.predicates is not None and callable(predicate):
            self.predicates.append(predicate)


def _make_converter() -> _Converter:
    conv = _Converter(forbid_extra_keys=True)

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

    conv.register_unstructure_hook_factory(_tuple_of_frozen, lambda t: _reusable(t, conv))
    conv.register_structure_hook_func(_homogeneous_tuple, _empty_first(conv))
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


def _homogeneous_tuple(t: Any) -> bool:
    args = get_args(t)
    return get_origin(t) is tuple and len(args) == 2 and args[1] is Ellipsis


class SharedItems(list[Any]):
    """A list read from a stored body whose tuple, once structured, every reader may share.

    A storage backend reading many bodies that hold the same text at one of
    their tuple fields (the sections of the plans of one template) parses
    that text once into a ``SharedItems`` and hands the same one to every
    body holding it. The converter's hook for homogeneous tuples structures
    it once per tuple type and keeps the tuple in :attr:`structured` when
    nothing in it can change (:func:`deeply_frozen`); every later body then gets
    that same tuple, neither parsed nor structured again. To any other hook
    it is the list it holds.
    """

    __slots__ = ("structured",)

    def __init__(self, items: list[Any]) -> None:
        super().__init__(items)
        #: The tuple type -> the tuple structured from these items (only deeply frozen ones).
        self.structured: dict[Any, tuple[Any, ...]] = {}


def _empty_first(conv: cattrs.Converter) -> Callable[[Any, Any], tuple[Any, ...]]:
    """The converter's tuple structuring, with an empty list (most of a record's) done at once.

    A :class:`SharedItems` is structured once per tuple type: the tuple made
    is kept on it when :func:`deeply_frozen`, and given again from then on.
    """
    structure_tuple = conv._structure_tuple

    def structure(value: Any, t: Any) -> tuple[Any, ...]:
        cls = value.__class__
        if cls is SharedItems:
            kept: tuple[Any, ...] | None = value.structured.get(t)
            if kept is not None:
                return kept
            made: tuple[Any, ...] = structure_tuple(value, t)
            # This very tuple is looked at: a hook may build mutable values for some data.
            if deeply_frozen(made):
                value.structured[t] = made
            return made
        if not value and (cls is list or cls is tuple):
            return ()  # what cattrs makes of it, without looking up the items' hook
        return structure_tuple(value, t)

    structure.shares_items = True  # type: ignore[attr-defined]  # see SharedItems
    return structure


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
    last = _LAST_INSTANT.pair
    if last is not None and last[0] is value:
        return last[1]  # the very object written last: a use case's pinned instant
    try:
        text = _instant_text(value, value.tzinfo, value.utcoffset())
    except TypeError:  # a host's tzinfo that cannot be hashed
        return _write_instant(value)
    if (type(value) is pendulum.DateTime or type(value) is datetime) and type(
        value.tzinfo
    ) in _SETTLED_ZONES:
        _LAST_INSTANT.pair = (value, text)  # nothing can change such a value's text
    return text


#: Zones whose offsets follow from what they were made with, these very classes only: a
#: subclass (a host's zone) might work its offset out from state that changes.
_SETTLED_ZONES = frozenset({ZoneInfo, pendulum.Timezone, timezone, pendulum.FixedTimezone})


class _LastInstant(threading.local):
    """This thread's last instant written and its text (held, so its identity stays its own)."""

    pair: tuple[datetime, str] | None = None


_LAST_INSTANT = _LastInstant()


@functools.lru_cache(maxsize=1024)
def _instant_text(value: datetime, zone: tzinfo | None, offset: object) -> str:
    """The stored text of an instant; equal instants in one zone at one offset share it.

    The records one use case writes share its instant (the context pins the
    clock), so writing many of them formats it once. Equal aware datetimes
    with the same ``tzinfo`` show the same wall time; the offset tells apart
    the two instants of a repeated wall time, which compare equal.
    """
    return _write_instant(value)


def _write_instant(value: datetime) -> str:
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


_ATOMIC = (str, int, float, Decimal, date, time, timedelta, Enum, type(None))
_FROZEN: dict[type, bool] = {}


@attrs.frozen
class _FrozenProbe:
    unused: int = 0


_FROZEN_SETATTR = _FrozenProbe.__setattr__


def _frozen_attrs(cls: type) -> bool:
    """Whether ``cls`` is a frozen attrs class (asked once per class).

    Frozen attrs classes (and their subclasses) share attrs' refusing ``__setattr__``;
    comparing it sets nothing, so a mutable class (one with only some fields frozen,
    or with converters run on assignment) is neither changed nor mistaken for frozen.
    """
    known = _FROZEN.get(cls)
    if known is None:
        known = attrs.has(cls) and getattr(cls, "__setattr__", None) is _FROZEN_SETATTR
        _FROZEN[cls] = known
    return known


def deeply_frozen(value: object) -> bool:
    """Whether ``value`` holds nothing mutable: atoms, tuples, frozensets, frozen attrs values.

    An atom is a value of an atomic type (text, numbers, dates, times,
    enums, None) that cannot take attributes: a subclass of one (a text
    type of a host's, pendulum's dates) counts when none of its classes
    gives it a ``__dict__`` or a slot, or when it is an enum or pendulum's.
    A value nested too deep to walk is not taken for frozen (nothing shares it).
    """
    return _frozen_or_unknown(value) is True


def _frozen_or_unknown(value: object) -> bool | None:
    """:func:`deeply_frozen`, None for a value nested too deep to walk."""
    try:
        return _frozen(value)
    except RecursionError:
        return None


def _frozen(value: object) -> bool:
    """:func:`deeply_frozen`'s walk."""
    if isinstance(value, _ATOMIC):
        atom = type(value)
        plain = _PLAIN_ATOMS.get(atom)
        if plain is None:
            plain = _PLAIN_ATOMS[atom] = _plain_atom(atom)
        return plain
    if isinstance(value, (tuple, frozenset)):
        return all(_frozen(item) for item in value)
    cls: Any = type(value)
    if not _frozen_attrs(cls):
        return False
    return all(_frozen(getattr(value, f.name)) for f in attrs.fields(cls))


#: Subclasses of the atomic types, by whether their values are atoms (see deeply_frozen).
_PLAIN_ATOMS: dict[type, bool] = dict.fromkeys(_ATOMIC, True)


def _plain_atom(cls: type) -> bool:
    """Whether values of ``cls`` (a subclass of an atomic type) can hold nothing of their own."""
    if issubclass(cls, Enum) or cls.__module__.split(".")[0] == "pendulum":
        return True  # members are singletons; pendulum's values are immutable by design
    return all(
        c in _ATOMIC or c is object or vars(c).get("__slots__", None) == ()
        for c in cls.__mro__
        if c.__module__ not in ("builtins", "datetime", "decimal", "enum")
    )


#: Types whose hints say frozen, with the verdict on the first value of each looked at.
_SAMPLED: dict[tuple[Any, int], bool] = {}


def shareable(t: Any, value: object, changes: int | None = None) -> bool:
    """Whether ``value`` (structured as ``t``) holds nothing mutable, so readers may share it.

    A type whose hints say frozen (:func:`frozen_type`) has its first value
    looked at all the same: a structure hook a host registered for it, or a
    converter, could build something the hints do not say. Its verdict then
    stands for the type until a structure hook is registered on
    :data:`converter`; any other type's values are each looked at.
    ``changes`` is the converter's count of hook changes read before
    ``value`` was made (the count now by default): a verdict is filed
    under the hooks that made the value it was taken from.
    """
    if not frozen_type(t):
        return deeply_frozen(value)
    if changes is None:
        changes = structure_changes()
    verdict = _SAMPLED.get((t, changes))
    if verdict is None:
        walked = _frozen_or_unknown(value)
        if walked is None:
            return False  # too deep to tell: not this value, and no verdict for the type
        if len(_SAMPLED) > 4096:  # verdicts of hooks registered long since
            _SAMPLED.clear()
        verdict = _SAMPLED[(t, changes)] = walked
    return verdict


_FROZEN_TYPES: dict[Any, bool] = {}


def frozen_type(t: Any) -> bool:
    """Whether every value :func:`from_dict` builds as ``t`` is :func:`deeply_frozen`, by its hints.

    True for atoms (text, numbers, dates, instants, enums, None), literals,
    unions, tuples and frozensets of such, and frozen attrs classes whose
    fields are all hinted so, set by ``__init__``, and converted (if at all)
    by a converter marked with :func:`~partnerkit.core._validation.frozen_converter`.
    Anything else (``Any``, lists, mappings, an ``init=False`` field, another
    converter, a hint that cannot be resolved) is False, and the value itself
    must be looked at. Asked once per type: a stored body decoded by its
    spec's type needs no walk of its values.

    One walk decides a type and the types it reaches; a class met again
    during the walk is assumed frozen until its own answer is in. The
    answers are published when the walk ends, and the assumed ones only if
    the walk's answer is True (then every assumption held), so another
    thread never reads an assumption, and a type on a cycle with a mutable
    type is never taken for frozen.
    """
    known = _FROZEN_TYPES.get(t)
    if known is not None:
        return known
    walk: dict[Any, bool] = {}
    try:
        known = _frozen_hint(t, walk)
    except Exception:  # an unresolvable hint (a name no module defines, ...)
        known = False
    if known:
        _FROZEN_TYPES.update(walk)
    _FROZEN_TYPES[t] = known
    return known


def _frozen_in(t: Any, walk: dict[Any, bool]) -> bool:
    known = _FROZEN_TYPES.get(t)
    if known is None:
        known = walk.get(t)
    if known is None:
        walk[t] = True  # assumed while its fields are looked at (a class that names itself)
        known = walk[t] = _frozen_hint(t, walk)
    return known


def _frozen_hint(t: Any, walk: dict[Any, bool]) -> bool:
    if t is Any or isinstance(t, (str, TypeVar)):
        return False
    origin = get_origin(t)
    if origin is Literal:
        return True
    if origin in (Union, UnionType) or (origin in (tuple, frozenset) and get_args(t)):
        return all(a is Ellipsis or _frozen_in(a, walk) for a in get_args(t))
    if not isinstance(t, type) or origin is not None:
        return False
    if issubclass(t, _ATOMIC) and not issubclass(t, Flag):
        return True
    if not _frozen_attrs(t):
        return False
    cls: Any = t
    attrs.resolve_types(cls)
    return all(
        f.init
        and (f.converter is None or is_frozen_converter(f.converter))
        and _frozen_in(f.type, walk)
        for f in attrs.fields(cls)
    )


def _tuple_of_frozen(t: Any) -> bool:
    """Whether ``t`` is ``tuple[X, ...]`` with ``X`` a frozen attrs class (sections, targets)."""
    if get_origin(t) is not tuple:
        return False
    args = get_args(t)
    return (
        len(args) == 2
        and args[1] is Ellipsis
        and isinstance(args[0], type)
        and (_frozen_attrs(args[0]))
    )


class _Reused:
    """One thread's unstructured forms of deeply frozen tuples met again, by identity.

    A tuple met once is remembered (``seen``); met again, its form is kept if
    nothing in it can change, and handed out as it is from then on, with its
    JSON text once asked for. The maps hold the values themselves, so an
    identity stays theirs while remembered.
    """

    __slots__ = ("by_form", "forms", "seen")

    SIZE = 256

    def __init__(self) -> None:
        #: id(value) -> [value, form, JSON text or None]
        self.forms: OrderedDict[int, list[Any]] = OrderedDict()
        #: id(form) -> the same entry, to find a kept form's text
        self.by_form: dict[int, list[Any]] = {}
        self.seen: OrderedDict[int, object] = OrderedDict()

    def form(self, value: tuple[Any, ...], unstructure: Callable[[Any], Any]) -> Any:
        key = id(value)
        kept = self.forms.get(key)
        if kept is not None and kept[0] is value:
            self.forms.move_to_end(key)
            return kept[1]
        form = unstructure(value)
        if self.seen.get(key) is value:
            del self.seen[key]
            if deeply_frozen(value):
                entry = [value, form, None]
                self.forms[key] = entry
                self.by_form[id(form)] = entry
                if len(self.forms) > self.SIZE:
                    _, dropped = self.forms.popitem(last=False)
                    del self.by_form[id(dropped[1])]
        else:
            self.seen[key] = value
            if len(self.seen) > self.SIZE:
                self.seen.popitem(last=False)
        return form

    def text(self, form: object, encode: Callable[[Any], str]) -> str | None:
        entry = self.by_form.get(id(form))
        if entry is None or entry[1] is not form:
            return None
        if entry[2] is None:
            entry[2] = encode(form)
        return entry[2]  # type: ignore[no-any-return]


_REUSE = threading.local()


def _reusable(t: Any, conv: cattrs.Converter) -> Callable[[Any], Any]:
    """Cattrs' own hook for the tuple type ``t``, reusing forms inside :func:`to_stored_dict`."""
    plain = iterable_unstructure_factory(t, conv, unstructure_to=list)

    def unstructure(value: Any) -> Any:
        if not value and isinstance(value, tuple):
            return []  # what the plain hook makes of an empty tuple, without its loop
        reused: _Reused | None = getattr(_REUSE, "active", None)
        if reused is None:
            return plain(value)
        return reused.form(value, plain)

    return unstructure


def stored_texts(data: dict[Any, Any], encode: Callable[[Any], str]) -> dict[str, str]:
    """The keys of ``data`` whose values are forms :func:`to_stored_dict` reuses, with their text.

    One look per value at the forms kept by identity; empty when nothing of
    ``data`` is reused (most bodies), so the caller encodes it at once.
    """
    reused: _Reused | None = getattr(_REUSE, "reused", None)
    if reused is None:
        return {}
    by_form = reused.by_form
    found = [k for k, v in data.items() if type(v) is list and id(v) in by_form]
    texts: dict[str, str] = {}
    for key in found:
        text = reused.text(data[key], encode) if isinstance(key, str) else None
        if text is not None:
            texts[key] = text
    return texts


def to_stored_dict(value: object) -> Any:
    """:func:`to_dict` for a storage backend about to serialize ``value``: read it, never change it.

    The result may share parts with earlier results of this thread: the
    form of a deeply frozen tuple met again (the sections all the plans of
    one template hold) is made once. The top-level dict is always new.
    """
    reused: _Reused | None = getattr(_REUSE, "reused", None)
    if reused is None:
        reused = _REUSE.reused = _Reused()
    _REUSE.active = reused
    try:
        return converter.unstructure(value)
    finally:
        _REUSE.active = None


#: The converter behind :func:`to_dict` and :func:`from_dict`. Later modules
#: register hooks for their own types on it; hosts may too.
_COUNTING = _make_converter()
converter: cattrs.Converter = _COUNTING


def structure_changes() -> int:
    """How many structure hooks have been registered on :data:`converter` (see ``_Converter``)."""
    return _COUNTING.structure_changes


def hooks_registered_for(cls: Any) -> bool:
    """Whether a structure hook registered on :data:`converter` may structure ``cls``."""
    return _COUNTING.registered_for(cls)


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
