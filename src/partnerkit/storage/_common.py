"""What the reference backends share: bodies, listing arguments, cursors, the unit-of-work flow."""

from __future__ import annotations

import functools
import hashlib
import json
import keyword
import re
import threading
import typing
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, Generic, TypeVar

import attrs

from partnerkit.core import DomainEvent, EventDispatcher, from_dict
from partnerkit.core._cursor import pack_cursor, unpack_cursor
from partnerkit.core._serialization import (
    SharedItems,
    converter,
    hooks_registered_for,
    stored_texts,
    structure_changes,
    to_stored_dict,
)
from partnerkit.core._validation import ErrorCollector
from partnerkit.core.errors import NotFound, PublishError, StorageError, ValidationError
from partnerkit.storage._ports import (
    MAX_PAGE_SIZE,
    AggregateSpec,
    IndexValue,
    Page,
    check_index_value,
)

A = TypeVar("A")

SortKey = tuple[int, IndexValue, str]
Where = Mapping[str, IndexValue | Sequence[IndexValue]]


# Keys keep the order to_dict gives them (attrs field order): sorting them cost a fifth
# of the encoding and nothing compares bodies as text.
_BODY_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


# The C encoder behind it, made once: JSONEncoder.encode makes one per call, a tenth of
# writing a plan. No circular check: to_stored_dict makes trees (reused parts included).
def _c_encoder() -> Any:
    """The C encoder of json set as ``_BODY_ENCODER``, or None where it differs or is absent.

    Its arguments are the ones ``JSONEncoder.iterencode`` passes (CPython
    3.11 to 3.13); a sample is checked against the encoder at import, so
    another signature or output falls back to the encoder itself.
    """
    make: Any = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    sample = {"a": [1, -2.5, None, True, '\u00e9"\\\n'], "b": {}}
    try:
        encoder = make(
            None, _BODY_ENCODER.default, json.encoder.encode_basestring, None, ":", ",",
            False, False, True,
        )  # fmt: skip
        same = "".join(encoder(sample, 0)) == _BODY_ENCODER.encode(sample)
    except (TypeError, ValueError):
        return None
    return encoder if same else None


_C_ENCODER = _c_encoder()


def _to_json(data: object) -> str:
    """``_BODY_ENCODER.encode(data)``, through the C encoder kept for it where there is one."""
    if _C_ENCODER is None or isinstance(data, str):
        return _BODY_ENCODER.encode(data)
    return "".join(_C_ENCODER(data, 0))


def encode_body(spec: AggregateSpec[Any], aggregate: object) -> str:
    """Serialize an aggregate without its version (the backends keep that in its own column)."""
    spec.id_of(aggregate)  # refuses values of the wrong type
    data = to_stored_dict(aggregate)  # only read here: parts may be shared with earlier bodies
    data.pop("version", None)  # the top-level dict is this body's own
    body = _encode(data)
    try:
        body.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError.single(
            "", "invalid", "text must be valid Unicode (no lone surrogates)"
        ) from None
    if "\\u0000" in body and _NUL.search(body):
        raise ValidationError.single("", "invalid", "text must not contain NUL characters")
    return body


def _encode(data: object) -> str:
    """``data`` as JSON text, the same as the encoder writes it.

    A value of the top-level dict that :func:`to_stored_dict` reuses (the
    sections of a template's plans) is written with its text made once: the
    dict is encoded with a stand-in string for it, and the stand-in's text
    replaced. A stand-in holds a NUL, which the encoder escapes; should the
    body hold its text twice (a string of the data equal to it), the pieces
    are encoded one by one instead.
    """
    encode = _to_json
    if type(data) is not dict:
        return encode(data)
    texts = stored_texts(data, encode)
    if not texts:
        return encode(data)
    copy = dict(data)
    for i, key in enumerate(texts):
        copy[key] = _stand_in(i)[0]
    body = encode(copy)
    for i, text in enumerate(texts.values()):
        written = _stand_in(i)[1]
        if body.count(written) != 1:
            return _encode_by_pieces(data, texts)
        body = body.replace(written, text)
    return body


@functools.cache
def _stand_in(i: int) -> tuple[str, str]:
    """The ``i``-th stand-in string of :func:`_encode` and its text as the encoder writes it."""
    value = f"\x00partnerkit:{i}"
    return value, _BODY_ENCODER.encode(value)


def _encode_by_pieces(data: dict[Any, Any], texts: dict[str, str]) -> str:
    """:func:`_encode` for a dict whose data holds a stand-in's text: runs and kept texts joined."""
    encode = _to_json
    pieces: list[str] = []
    run: dict[str, Any] = {}
    for key, value in data.items():
        text = texts.get(key)
        if text is None:
            run[key] = value
            continue
        if run:
            pieces.append(encode(run)[1:-1])
            run = {}
        pieces.append(f"{encode(key)}:{text}")
    if run:
        pieces.append(encode(run)[1:-1])
    return "{" + ",".join(pieces) + "}"


# A NUL character as JSON writes it (an escaped backslash before "u0000" is not one).
_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def decode_body(spec: AggregateSpec[A], body: str | bytes, version: int, schema: int) -> A:
    """Rebuild an aggregate from a stored body, upgrading it from an older schema first.

    A body of the current schema of a spec that ``share_tuples`` shares the
    tuples it holds with the bodies read before it on this thread: see
    :func:`_load_sharing`.
    """
    if schema < spec.schema_version:
        data: dict[str, Any] = spec.upgrade(json.loads(body), schema)
        data["version"] = version
        return from_dict(spec.type, data)
    fresh: Fresh = []
    loaded = None
    if spec.share_tuples and isinstance(body, str):
        fields = _shared_fields(spec.type)
        if fields:
            loaded = _load_sharing(body, fields, fresh)
    if loaded is None:
        loaded = json.loads(body)
    loaded["version"] = version
    try:
        return from_dict(spec.type, loaded)
    finally:
        _keep_shared(fresh)


# -- tuples shared between the bodies read -------------------------------------------------------

#: The shortest text of a tuple field that bodies may share (a shorter one is parsed each time).
_SHARED_MIN = 128
#: The longest text kept (a longer one is parsed each time, not held for the thread's life).
_SHARED_MAX = 1 << 16
#: How many texts are kept per field of a type, the latest used first.
_SHARED_KEPT = 8
#: Bodies in a row a field may miss before it looks for texts in only one body of so many.
_SHARED_TRIES = 16

_SHARING = threading.local()
#: Type -> its fields hinted as homogeneous tuples, with the hints (None: none, or not attrs).
_TUPLE_FIELDS: dict[type, dict[str, Any] | None] = {}


class _Field:
    """The texts met at one tuple field of a type on this thread, and how the field fares.

    ``texts`` maps a text to the :class:`~partnerkit.core._serialization.SharedItems`
    parsed from it, the latest used first. ``misses`` counts the bodies
    since the last one that held a kept text there (with a list in it): a
    field whose lists differ from body to body (each partner's own targets)
    stops writing each body's list again after :data:`_SHARED_TRIES` of
    them. It then forgets its texts and learns the text of one body in so
    many, which the bodies after it are searched for.
    """

    __slots__ = ("misses", "texts")

    def __init__(self) -> None:
        self.texts: OrderedDict[str, SharedItems] = OrderedDict()
        self.misses = 0


Fields = dict[str, _Field]
Fresh = list[tuple[_Field, str, SharedItems]]


def _shared_fields(cls: type) -> Fields | None:
    """This thread's kept texts of ``cls``'s tuple fields, by field; None when it shares none.

    A type shares when it is an attrs class with tuple fields whose
    structure hook is the one cattrs generates (a host's own hook might keep
    the raw data it is given). Everything kept is dropped when a structure
    hook is registered on the converter: the tuples kept were made by the
    hooks before.
    """
    state = _SHARING.__dict__
    changes = structure_changes()
    by_type: dict[type, Fields | None] | None = state.get("by_type")
    if by_type is None or state.get("changes") != changes:
        by_type = state["by_type"] = {}
        state["changes"] = changes
    if cls in by_type:
        return by_type[cls]
    fields: Fields | None = None
    if cls not in _TUPLE_FIELDS:
        _TUPLE_FIELDS[cls] = _tuple_fields(cls)
    hints = _TUPLE_FIELDS[cls]
    if hints is not None and _generated_hook(cls):
        # Only the fields the converter's own tuple hook reads: a host's hook for a tuple
        # type is given the plain lists it expects.
        names = sorted(name for name, hint in hints.items() if _shares_items(hint))
        fields = {name: _Field() for name in names} or None
    by_type[cls] = fields
    return fields


def _shares_items(hint: Any) -> bool:
    """Whether the converter structures ``hint`` with its tuple hook (which takes SharedItems)."""
    try:
        hook = converter.get_structure_hook(hint)
    except Exception:  # no hook can be made: the body will not decode anyway
        return False
    return getattr(hook, "shares_items", False) is True


def _generated_hook(cls: type) -> bool:
    """Whether the converter structures ``cls`` with the function cattrs generates by default.

    Not when a hook was registered that may take ``cls`` (one a host made
    with ``make_dict_structure_fn`` and its own field hooks included).
    """
    if hooks_registered_for(cls):
        return False
    try:
        hook = converter.get_structure_hook(cls)
    except Exception:  # no hook can be made: the body will not decode anyway
        return False
    code = getattr(hook, "__code__", None)
    return code is not None and code.co_filename.startswith("<cattrs generated structure ")


def _tuple_fields(cls: type) -> dict[str, Any] | None:
    """The fields of the attrs class ``cls`` hinted as homogeneous tuples, with their hints."""
    if not attrs.has(cls):
        return None
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # a hint no module defines: share nothing
        return None
    tuples = {
        f.name: hints[f.name]
        for f in attrs.fields(cls)
        if typing.get_origin(hints.get(f.name)) is tuple
        and typing.get_args(hints[f.name])[1:] == (Ellipsis,)
    }
    return tuples or None


def _load_sharing(body: str, fields: Fields, fresh: Fresh) -> Any:
    """``json.loads(body)``, the texts of its tuple fields met before given as parsed then.

    ``fields`` holds, per tuple field of the body's type, the texts met at
    that field in bodies read before on this thread (:class:`_Field`), each
    with the :class:`~partnerkit.core._serialization.SharedItems` parsed from
    it; the converter gives the tuple it structured from those before (the
    plans of one template share their sections).

    A kept text found in the body after the field's name is put aside: a
    stand-in string takes its place, the rest is parsed, and the stand-in
    must come back as the field's value at the top of the object. The
    stand-in holds a NUL, and a body holding a NUL in any spelling is parsed
    whole, so nothing but the text put aside can read as the stand-in. A
    text is a list's, so it ends where its brackets close: the stand-in at
    the field means the text was the whole value there. Anything else (the
    text nested in another value, a body that is not an object) is None,
    and the caller parses the body whole, which raises what it raises.

    A list at a tuple field not kept yet is written again as
    :func:`encode_body` writes it; one whose text is long (but not too long)
    and in the body is listed in ``fresh`` for :func:`_keep_shared`.
    """
    if "\\u0000" in body:
        return None  # the stand-in has a NUL: a body with one (not encode_body's) is read whole
    found: list[tuple[str, _Field, SharedItems]] = []
    for key, field in fields.items():
        if field.texts:
            member = f'"{key}":'
            for text, items in field.texts.items():
                at = body.find(text)
                if at > 0 and body.startswith(member, at - len(member)):
                    found.append((key, field, items))
                    body = f"{body[:at]}{_SHARED_STAND_IN}{body[at + len(text) :]}"
                    field.texts.move_to_end(text, last=False)
                    break
    try:
        data = json.loads(body)
    except ValueError:  # the error is the body's own: parsed whole, it says where
        return None
    if type(data) is not dict:
        return None
    if found:
        for key, field, items in found:
            if data.get(key) != _SHARED_STAND_IN_VALUE:
                return None
            data[key] = items
            field.misses = 0
    for key, field in fields.items():
        value = data.get(key)
        if type(value) is not list or not value:
            continue
        field.misses += 1
        if field.misses >= _SHARED_TRIES:
            if field.misses % _SHARED_TRIES:
                continue
            field.texts.clear()  # missed in a row: look for one new text, not for old ones
        text = _to_json(value)
        if _SHARED_MIN <= len(text) <= _SHARED_MAX and text in body:
            items = data[key] = SharedItems(value)
            fresh.append((field, text, items))
    return data


_SHARED_STAND_IN_VALUE = "\x00partnerkit:shared"
_SHARED_STAND_IN = json.dumps(_SHARED_STAND_IN_VALUE)


def _keep_shared(fresh: Fresh) -> None:
    """Keep the new texts whose tuples the converter kept (:func:`_load_sharing`), the latest first.

    A text whose items no tuple was kept for (a tuple of mutable values, a
    host's hook that did not give them to the converter's tuple hook) is not
    kept: only items structured into a deeply frozen tuple are given to
    another body. A body that failed after one of its tuples was structured
    keeps that tuple's text: the tuple is the text's all the same.
    """
    for field, text, items in fresh:
        if items.structured:
            field.texts[text] = items
            field.texts.move_to_end(text, last=False)
            if len(field.texts) > _SHARED_KEPT:
                field.texts.popitem()


def specs_by_kind(specs: Iterable[AggregateSpec[Any]]) -> dict[str, AggregateSpec[Any]]:
    """Index specs by kind, refusing two specs of one kind."""
    result: dict[str, AggregateSpec[Any]] = {}
    for spec in specs:
        if spec.kind in result and result[spec.kind] != spec:
            raise ValidationError.single(
                "specs", "duplicate", f"two different specs have the kind {spec.kind!r}"
            )
        result[spec.kind] = spec
    return result


def with_version(aggregate: A, version: int) -> A:
    """Return ``aggregate`` with its ``version`` attribute set.

    A frozen slotted attrs value (every partnerkit aggregate) is copied field
    by field: it was validated when it was made, and the version the backend
    sets is its own integer, so its validators need not run again (they were
    a tenth of a bulk write). Any other class goes through ``attrs.evolve``.
    """
    cls: type = type(aggregate)
    copy = _COPIERS[cls] if cls in _COPIERS else _COPIERS.setdefault(cls, _copier(cls))
    if copy is None:
        return attrs.evolve(aggregate, version=version)  # type: ignore[misc]
    return copy(aggregate, version)  # type: ignore[no-any-return]


_COPIERS: dict[type, Callable[[Any, int], Any] | None] = {}


def _copier(cls: type) -> Callable[[Any, int], Any] | None:
    """The function :func:`with_version` copies a ``cls`` value with, or None to use evolve.

    Written out field by field, as attrs writes its ``__init__``: one
    ``object.__setattr__`` per field, with no loop over the names.
    """
    names = _copied_fields(cls)
    if names is None or not all(n.isidentifier() and not keyword.iskeyword(n) for n in names):
        return None  # a field named like a keyword (``from``, with an alias): evolve copes
    lines = [
        "def copy(aggregate, version):",
        "    made = new(cls)",
        "    put = setattr_.__get__(made)",
        *(f"    put({name!r}, aggregate.{name})" for name in names),
        "    put('version', version)",
        "    return made",
    ]
    scope: dict[str, Any] = {"new": object.__new__, "cls": cls, "setattr_": object.__setattr__}
    exec(compile("\n".join(lines), f"<partnerkit with_version {cls.__qualname__}>", "exec"), scope)
    return scope["copy"]  # type: ignore[no-any-return]


def _copied_fields(cls: type) -> tuple[str, ...] | None:
    """The attribute names :func:`with_version` copies for ``cls``, or None to use evolve.

    Only for a class attrs made itself (not a plain subclass with an
    ``__init__`` of its own) whose every slot is a field set by ``__init__``:
    no ``init=False`` field (derived from others, or left unset), no cached
    hash, no hook that makes more state.
    """
    if (
        "__attrs_attrs__" not in cls.__dict__
        or "__dict__" in dir(cls)
        or hasattr(cls, "__attrs_post_init__")
        or hasattr(cls, "__attrs_pre_init__")
    ):
        return None
    fields = attrs.fields(cls)
    names = {f.name for f in fields}
    slots = {slot for klass in cls.__mro__ for slot in getattr(klass, "__slots__", ())}
    if (
        "version" not in names
        or any(not f.init for f in fields)
        or not slots <= names | {"__weakref__"}
    ):
        return None  # state made in __init__ beyond the fields: let evolve make it
    return tuple(f.name for f in fields if f.name != "version")


def _where(
    spec: AggregateSpec[Any], where: Where | None, errors: ErrorCollector
) -> dict[str, list[IndexValue]]:
    indexes = {i.name: i for i in spec.indexes}
    result: dict[str, list[IndexValue]] = {}
    for name, wanted in (where or {}).items():
        path = f"where.{name}"
        index = indexes.get(name) if isinstance(name, str) else None
        if index is None:
            errors.add(path, "unknown", f"{spec.kind} has no index {name!r}")
            continue
        values = (
            list(wanted)
            if isinstance(wanted, Sequence) and not isinstance(wanted, str)
            else [wanted]
        )
        if any(
            v is not None and (isinstance(v, bool) or not isinstance(v, index.type)) for v in values
        ):
            errors.add(path, "invalid", f"filter values must be {index.type.__name__} or None")
        else:
            for value in values:
                with errors.catch():
                    check_index_value(value, path)
        result[name] = values
    return result


def normalize_where(spec: AggregateSpec[Any], where: Where | None) -> dict[str, list[IndexValue]]:
    """Check the filter names real indexes and holds index values; return name -> allowed values."""
    errors = ErrorCollector()
    result = _where(spec, where, errors)
    errors.raise_if_any()
    return result


def check_listing(
    spec: AggregateSpec[Any],
    where: Where | None,
    order_by: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[dict[str, list[IndexValue]], SortKey | None]:
    """Check every listing argument at once; return the filter and the key to start after."""
    errors = ErrorCollector()
    wanted = _where(spec, where, errors)
    if order_by is not None and order_by not in {i.name for i in spec.indexes}:
        errors.add("order_by", "unknown", f"{spec.kind} has no index {order_by!r}")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        errors.add("limit", "out_of_range", f"limit must be an integer in 1..{MAX_PAGE_SIZE}")
    after = None
    if cursor is not None:
        with errors.catch():
            after = decode_cursor(order_by, cursor, listing_scope(spec, wanted))
            index = next((i for i in spec.indexes if i.name == order_by), None)
            if (
                after[0] == 1
                and index is not None
                and (isinstance(after[1], bool) or not isinstance(after[1], index.type))
            ):
                raise ValidationError.single("cursor", "invalid", _BAD_CURSOR)
    errors.raise_if_any()
    return wanted, after


def listing_key(order_by: str | None, id: str, indexes: Mapping[str, IndexValue]) -> SortKey:
    """The listing position: by the ``order_by`` index (``None`` first), then by id; or by id."""
    if order_by is None:
        return (1, "", id)
    value = indexes[order_by]
    return (0, 0, id) if value is None else (1, value, id)


_BAD_CURSOR = "not a cursor of this listing; start again without one"


def listing_scope(spec: AggregateSpec[Any], wanted: Mapping[str, list[IndexValue]]) -> str:
    """What a cursor belongs to: the kind and the filter (a short digest), checked on reuse."""
    shape = json.dumps(
        [spec.kind, sorted((name, sorted(map(repr, values))) for name, values in wanted.items())]
    )
    return hashlib.blake2b(shape.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


def encode_cursor(order_by: str | None, key: SortKey, scope: str = "") -> str:
    """An opaque cursor pointing just after ``key`` in the listing ``scope`` names."""
    return pack_cursor({"o": order_by, "k": list(key), "s": scope})


def _position_ok(order_by: str | None, flag: object, value: object, id: object) -> bool:
    """Whether a listing could have produced this position (see :func:`listing_key`)."""
    if isinstance(flag, bool) or flag not in (0, 1) or not isinstance(id, str) or not id:
        return False
    if isinstance(value, bool) or not (value is None or isinstance(value, (str, int))):
        return False
    if order_by is None:
        return flag == 1 and value == ""
    return value == 0 if flag == 0 else value is not None


def decode_cursor(order_by: str | None, cursor: str, scope: str = "") -> SortKey:
    """Read a cursor made by :func:`encode_cursor` for the same ``order_by`` and ``scope``.

    Refuses a cursor of another kind, filter or order, and positions no
    listing can produce (a value with the "empty" flag, a value when the
    listing is by id alone, an integer beyond 64 bits, bad text).
    """
    data = unpack_cursor(cursor, _BAD_CURSOR)
    try:
        flag, value, id = data["k"]  # type: ignore[index]
        valid = (
            data["o"] == order_by  # type: ignore[index]
            and isinstance(data, dict)
            and data.get("s", "") == scope
            and _position_ok(order_by, flag, value, id)
        )
        if valid:
            check_index_value(value, "cursor")
            check_index_value(id, "cursor")
    except (ValueError, KeyError, TypeError, AttributeError):
        valid = False
    if not valid:
        raise ValidationError.single("cursor", "invalid", _BAD_CURSOR)
    return (int(flag), value, id)


def page_of(
    spec: AggregateSpec[A],
    wanted: Mapping[str, list[IndexValue]],
    order_by: str | None,
    limit: int,
    rows: Sequence[Sequence[Any]],
    decode: Callable[[AggregateSpec[A], Any, int, int], A],
) -> Page[A]:
    """The page of SQL listing ``rows`` (``id, version, schema, body[, order_by value]``).

    ``rows`` holds up to ``limit + 1`` rows in listing order: one more than
    the page means there is a next page, whose cursor points after the last
    row shown.
    """
    items = tuple(decode(spec, r[3], r[1], r[2]) for r in rows[:limit])
    if len(rows) <= limit:
        return Page(items, None)
    last = rows[limit - 1]
    indexes = {order_by: last[4]} if order_by else {}
    key = listing_key(order_by, last[0], indexes)
    return Page(items, encode_cursor(order_by, key, listing_scope(spec, wanted)))


_SEQUENCE_NAME_LIMIT = 200


def check_sequence_name(name: object) -> str:
    """Refuse a counter name that is not short, non-empty, storable text."""
    if not isinstance(name, str) or not name or len(name) > _SEQUENCE_NAME_LIMIT:
        raise ValidationError.single(
            "name", "invalid", f"a counter's name is text of 1 to {_SEQUENCE_NAME_LIMIT} characters"
        )
    check_index_value(name, "name")
    return name


class BaseRepository(Generic[A]):
    """What the reference repositories share: ``get`` in terms of ``find``."""

    _spec: AggregateSpec[A]

    def find(self, id: str) -> A | None:
        """Return the aggregate with identifier ``id``, or ``None``."""
        raise NotImplementedError

    def get(self, id: str) -> A:
        """Return the aggregate with identifier ``id``; raise ``NotFound`` if there is none."""
        self._spec.check_id(id)
        found = self.find(id)
        if found is None:
            raise NotFound(self._spec.kind, id)
        return found


class BaseUnitOfWork:
    """The commit/rollback/event flow shared by the reference backends."""

    def __init__(self, dispatcher: EventDispatcher | None) -> None:
        self._dispatcher = dispatcher
        # Why the database transaction can no longer commit, once a statement broke it.
        self._failed: str | None = None
        self._events: list[DomainEvent] = []
        self._active = False

    def repository(self, spec: AggregateSpec[A]) -> Any:
        """Return the repository for ``spec`` (each backend narrows the type)."""
        raise NotImplementedError

    def __enter__(self) -> BaseUnitOfWork:
        if self._active:
            raise RuntimeError("this unit of work is already in use")
        self._active = True
        self._events = []
        self._failed = None
        self._begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._active:
                self.rollback()
        finally:
            self._active = False
            self._close()

    def record(self, *events: DomainEvent) -> None:
        """Queue events to publish after a successful commit."""
        self._require_active()
        self._events.extend(events)

    def commit(self) -> None:
        """Write everything atomically, then publish the queued events."""
        self._require_active()
        if self._failed is not None:
            reason = self._failed
            self.rollback()
            raise StorageError(
                f"nothing was written: the transaction failed earlier ({reason}); "
                "roll back and start again"
            )
        self._commit()
        events, self._events = self._events, []
        self._after_commit()
        if self._dispatcher is not None and events:
            try:
                self._dispatcher.publish(events)
            except Exception as exc:
                # Committed already: say so, never as a Conflict of a write that did happen.
                raise PublishError(
                    f"committed; an event handler failed: {exc.__class__.__name__}: {exc}"
                ) from exc

    def rollback(self) -> None:
        """Drop every write and queued event."""
        self._events = []
        self._failed = None
        if self._active:
            self._rollback()
            self._after_commit()

    def _require_active(self) -> None:
        if not self._active:
            raise RuntimeError("use the unit of work inside a 'with' block")

    def _broken(self, error: Exception) -> Exception:
        """Record that the database transaction failed (``error`` says how); return ``error``.

        From then on every statement and ``commit`` raise ``StorageError``
        until the unit of work is rolled back: the database has dropped the
        writes, so going on would commit only what came after.
        """
        if self._failed is None:
            self._failed = str(error)
        return error

    def _check_usable(self) -> None:
        """Raise ``StorageError`` if an earlier statement broke the transaction."""
        if self._failed is not None:
            raise StorageError(
                f"the transaction failed earlier ({self._failed}); roll back and start again"
            )

    # Backend hooks.
    def _begin(self) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError

    def _after_commit(self) -> None:
        """Start afresh after a commit or rollback, so the unit of work can go on being used."""

    def _close(self) -> None:
        """Release resources when the block ends."""
