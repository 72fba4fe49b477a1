"""Stored bodies are the JSON of to_dict, byte for byte, however often their parts are reused.

encode_body writes a reused form (the sections the plans of one template
share) with its text made once, and encodes the other values in runs
around it: the body must not differ from encoding the whole dict.

decode_body keeps, per thread, the texts met at the tuple fields of a type
and gives a body holding one of them the tuple structured before. Whatever
it keeps, every body must read back exactly as parsing it whole would read
it, and nothing mutable may be shared.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pendulum
import pytest
from cattrs.gen import make_dict_structure_fn, override
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerkit.core import Money, converter, from_dict, to_dict
from partnerkit.core._serialization import (
    SharedItems,
    _Converter,
    deeply_frozen,
    shareable,
    structure_changes,
    to_stored_dict,
)
from partnerkit.core.errors import ValidationError
from partnerkit.partners import Partner
from partnerkit.plans import (
    Objective,
    ObjectiveKind,
    PeriodTarget,
    Plan,
    PlanStatus,
    PlanTemplate,
    Section,
)
from partnerkit.storage import (
    PARTNERS,
    PLANS,
    AggregateSpec,
    MemoryStorage,
    SqliteStorage,
    assignment_key,
)
from partnerkit.storage._common import (
    _SHARED_KEPT,
    _SHARED_MAX,
    _SHARED_MIN,
    _SHARED_TRIES,
    _encode,
    _shared_fields,
    _stand_in,
    decode_body,
    encode_body,
)

AT = pendulum.datetime(2026, 1, 5, 9, tz="Europe/London")


def _template(title: str, target: str = "25000") -> PlanTemplate:
    section = Section(
        "sales",
        title,
        objectives=[
            Objective(
                "arr",
                "New ARR",
                ObjectiveKind.NEW_ARR,
                [PeriodTarget(q, Money(target, "EUR")) for q in ("q1", "q2", "q3", "q4")],
            )
        ],
    )
    return PlanTemplate("t-1", "Reseller plan", sections=(section,)).published_by("vera", AT)


def _plans(template: PlanTemplate, count: int) -> list[Plan]:
    return [
        Plan.assign(
            template, id=f"PL-{i}", partner_id=f"p-{i}", fiscal_year=2026, actor="vera", at=AT
        )[0]
        for i in range(count)
    ]


def _expected(plan: Plan) -> str:
    data = to_dict(plan)
    del data["version"]
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize("title", ["Sales", "Ventes «été» \u00e9", 'quote " and \\ slash'])
def test_bodies_equal_the_json_of_to_dict(title: str) -> None:
    for plan in _plans(_template(title), 5):
        body = encode_body(PLANS, plan)
        assert body == _expected(plan)
        assert decode_body(PLANS, body, 1, 1) == attrs.evolve(plan, version=1)


@pytest.mark.parametrize("count", [1, 2])
def test_a_string_like_the_stand_in_is_written_as_itself(count: int) -> None:
    # The reused sections are written through a stand-in string with a NUL in it; a
    # string of the plan's own equal to the stand-in must not take the sections' place.
    for plan in _plans(_template("Sales"), 4):
        named = attrs.evolve(plan, name=_stand_in(0)[0] * count, purpose=_stand_in(0)[0])
        data = to_dict(named)
        del data["version"]
        stored = to_stored_dict(named)
        stored.pop("version", None)
        assert _encode(stored) == json.dumps(data, separators=(",", ":"), ensure_ascii=False)


@given(st.text(), st.text(), st.integers(min_value=-(10**20), max_value=10**20))
def test_assignment_keys_are_the_json_of_their_parts(
    partner_id: str, template_id: str, year: int
) -> None:
    # Stored as index values: the text must stay what json.dumps wrote when they were made.
    expected = json.dumps([partner_id, template_id, year], ensure_ascii=False)
    assert assignment_key(partner_id, template_id, year) == expected


@pytest.mark.parametrize("status", list(PlanStatus))
def test_stored_statuses_read_back_as_members_and_others_are_refused(status: PlanStatus) -> None:
    assert from_dict(PlanStatus, status.value) is status
    for bad in (status.value.upper(), 1, None, [status.value]):
        with pytest.raises(ValidationError):
            from_dict(PlanStatus, bad)


# -- bodies read one after another share their tuples --------------------------------------------


def _whole(spec: AggregateSpec[Any], body: str) -> Any:
    """The body read as before sharing: parsed whole, then structured."""
    data = json.loads(body)
    data["version"] = 1
    return from_dict(spec.type, data)


def test_plans_of_one_template_read_back_equal_and_share_their_sections() -> None:
    plans = _plans(_template("Shared sales"), 6)
    read = [decode_body(PLANS, encode_body(PLANS, plan), 1, 1) for plan in plans]
    for plan, back in zip(plans, read, strict=True):
        assert back == attrs.evolve(plan, version=1)
    assert all(back.sections is read[0].sections for back in read)
    assert all(back.audit is read[0].audit for back in read)  # the same assignment entry
    assert len({id(back) for back in read}) == len(read)


def test_a_plan_of_another_template_gets_its_own_sections() -> None:
    first = decode_body(PLANS, encode_body(PLANS, _plans(_template("North"), 1)[0]), 1, 1)
    other = _plans(_template("South", target="30000"), 1)[0]
    back = decode_body(PLANS, encode_body(PLANS, other), 1, 1)
    assert back == attrs.evolve(other, version=1)
    assert back.sections != first.sections


def test_the_parsed_items_are_not_given_as_values() -> None:
    # The list shared between bodies is read as the tuple: no SharedItems reaches a value.
    plans = _plans(_template("No leak"), 3)
    for plan in plans:
        back = decode_body(PLANS, encode_body(PLANS, plan), 1, 1)
        assert type(back.sections) is tuple
        values = attrs.asdict(back, recurse=False).values()
        assert not any(isinstance(v, SharedItems) for v in values)


def test_a_body_written_with_spaces_reads_back_as_parsed_whole() -> None:
    plans = _plans(_template("Spaced"), 3)
    for plan in plans:
        data = to_dict(plan)
        del data["version"]
        body = json.dumps(data, indent=2)
        assert decode_body(PLANS, body, 1, 1) == _whole(PLANS, body)


def test_a_bad_body_fails_as_before() -> None:
    plan = _plans(_template("Broken"), 1)[0]
    decode_body(PLANS, encode_body(PLANS, plan), 1, 1)  # its sections' text is kept now
    body = encode_body(PLANS, _plans(_template("Broken"), 2)[1])
    for bad in (body[:-1], body.replace(',"status"', ' "status"')):
        with pytest.raises(json.JSONDecodeError) as whole:
            json.loads(bad)
        with pytest.raises(json.JSONDecodeError) as shared:
            decode_body(PLANS, bad, 1, 1)
        assert (str(shared.value), shared.value.doc) == (str(whole.value), bad)


# -- a type built to trip the sharing up ---------------------------------------------------------


@attrs.frozen
class Item:
    name: str
    note: str = "x" * 40


@attrs.frozen
class Inner:
    left: tuple[Item, ...] = ()


@attrs.define
class Loose:
    name: str


@attrs.frozen
class Pair:
    id: str
    left: tuple[Item, ...] = ()
    right: tuple[Item, ...] = ()
    nested: tuple[Inner, ...] = ()
    loose: tuple[Loose, ...] = ()
    version: int = 0


PAIRS = AggregateSpec(kind="test_shared_pairs", type=Pair, share_tuples=True)
ITEMS = tuple(Item(f"item-{i}") for i in range(4))
OTHER = tuple(Item(f"other-{i}") for i in range(4))


def _body(pair: Pair) -> str:
    return encode_body(PAIRS, pair)


def _read(pair: Pair) -> Pair:
    back = decode_body(PAIRS, _body(pair), 1, 1)
    assert back == attrs.evolve(pair, version=1)
    assert back == _whole(PAIRS, _body(pair))
    return back


def test_a_spec_that_does_not_share_tuples_reads_each_body_whole() -> None:
    own = AggregateSpec(kind="test_shared_own", type=Pair)
    first, second = (decode_body(own, encode_body(own, Pair(i, left=ITEMS)), 1, 1) for i in "ab")
    assert first.left == second.left
    assert first.left is not second.left


def test_the_texts_kept_are_long_tuple_texts_only() -> None:
    assert len(json.dumps(to_dict(ITEMS), separators=(",", ":"))) >= _SHARED_MIN
    first = _read(Pair("a", left=ITEMS))
    again = _read(Pair("b", left=ITEMS))
    assert again.left is first.left
    short = (Item("s", note=""),)
    assert _read(Pair("c", left=short)).left is not _read(Pair("d", left=short)).left


def test_a_kept_text_at_another_field_or_nested_is_read_as_itself() -> None:
    kept = _read(Pair("a", left=ITEMS)).left
    # The same text at another field of the same tuple type: read, not taken for `left`.
    moved = _read(Pair("b", left=OTHER, right=ITEMS))
    assert moved.left == OTHER
    assert moved.right == ITEMS
    # Under the same name, nested in another value: the top-level `left` is its own.
    nested = _read(Pair("c", left=(), nested=(Inner(ITEMS),)))
    assert nested.left == ()
    assert nested.nested[0].left == ITEMS
    # Twice in one body: both read, equal to the kept tuple.
    twice = _read(Pair("d", left=ITEMS, right=ITEMS))
    assert twice.left == kept
    assert twice.right == kept


def test_tuples_of_mutable_values_are_never_shared() -> None:
    loose = tuple(Loose(f"loose-{i}-" + "y" * 40) for i in range(4))
    first = _read(Pair("a", loose=loose))
    second = _read(Pair("b", loose=loose))
    assert first.loose == second.loose
    assert first.loose is not second.loose
    first.loose[0].name = "changed"
    assert second.loose[0].name == "loose-0-" + "y" * 40
    fields = _shared_fields(Pair)
    assert fields is not None
    assert not fields["loose"].texts


def test_a_field_whose_lists_differ_stops_looking_and_comes_back() -> None:
    fields = _shared_fields(Pair)
    assert fields is not None
    for i in range(3 * _SHARED_TRIES):
        _read(Pair(f"a{i}", left=tuple(Item(f"own-{i}-{j}") for j in range(4))))
    # Each body's own list: after so many misses, at most the one text tried last is kept.
    assert fields["left"].misses >= 2 * _SHARED_TRIES
    assert len(fields["left"].texts) <= 1
    read = [_read(Pair(f"b{i}", left=ITEMS)) for i in range(_SHARED_TRIES + 2)]
    assert read[-1].left is read[-2].left
    assert fields["left"].misses == 0


def test_each_thread_keeps_its_own_texts() -> None:
    kept = _read(Pair("a", left=ITEMS)).left
    seen: list[Pair] = []
    worker = threading.Thread(target=lambda: seen.append(_read(Pair("b", left=ITEMS))))
    worker.start()
    worker.join()
    assert seen[0].left == kept
    assert seen[0].left is not kept


_ITEM_LISTS = st.lists(
    st.builds(Item, st.sampled_from(["a", 'q"uote', "back\\slash", "é«»", '[{"left":'])),
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_ITEM_LISTS, _ITEM_LISTS, _ITEM_LISTS), min_size=1, max_size=8))
def test_any_run_of_bodies_reads_back_as_parsed_whole(
    runs: list[tuple[list[Item], list[Item], list[Item]]],
) -> None:
    for i, (left, right, inner) in enumerate(runs):
        pair = Pair(f"p{i}", tuple(left), tuple(right), (Inner(tuple(inner)),) if inner else ())
        _read(pair)


def test_a_memory_listing_of_one_templates_plans_shares_the_sections() -> None:
    storage = MemoryStorage()
    template = _template("Listed")
    plans = _plans(template, 5)
    with storage.unit_of_work() as uow:
        for i in range(5):
            uow.repository(PARTNERS).add(Partner(f"p-{i}", f"P {i}", f"p{i}.example", "reseller"))
            uow.repository(PLANS).add(plans[i])
        uow.commit()
    with storage.unit_of_work() as uow:
        read = uow.repository(PLANS).list({}, limit=10).items
    assert [p.partner_id for p in read] == [f"p-{i}" for i in range(5)]
    assert all(p.sections is read[0].sections for p in read)
    assert all(p.sections == template.sections for p in read)


def test_a_body_whose_field_spells_the_stand_in_otherwise_is_read_as_itself() -> None:
    text = json.dumps(to_dict(ITEMS), separators=(",", ":"), ensure_ascii=False)
    _read(Pair("a", left=ITEMS))  # the text is kept at `left`
    for spelling in ("\\u0000partnerkit:shared", "\\u0000\\u0070artnerkit:shared"):
        for body in (
            '{"id":"b","left":' + text + ',"left":"' + spelling + '"}',
            '{"id":"b","left":' + text + ',"right":["' + spelling + '"]}',
        ):
            with pytest.raises(ValidationError) as whole:
                _whole(PAIRS, body)
            with pytest.raises(ValidationError) as shared:
                decode_body(PAIRS, body, 1, 1)
            assert str(shared.value) == str(whole.value)


def test_duplicate_keys_read_as_json_reads_them() -> None:
    text = json.dumps(to_dict(ITEMS), separators=(",", ":"), ensure_ascii=False)
    _read(Pair("a", left=ITEMS))
    for body in (
        '{"id":"b","left":' + text + ',"left":[]}',
        '{"id":"b","left":[],"left":' + text + "}",
    ):
        assert decode_body(PAIRS, body, 1, 1) == _whole(PAIRS, body)


@pytest.mark.parametrize("body", ["[]", "null", '"x"', "[1]", "3"])
def test_a_body_that_is_not_an_object_fails_as_before(body: str) -> None:
    _read(Pair("a", left=ITEMS))
    with pytest.raises((TypeError, AttributeError, ValueError)) as whole:
        _whole(PAIRS, body)
    with pytest.raises((TypeError, AttributeError, ValueError)) as shared:
        decode_body(PAIRS, body, 1, 1)
    assert type(shared.value) is type(whole.value)


def test_a_body_given_as_bytes_reads_back() -> None:
    for pair in (Pair("a", left=ITEMS), Pair("b", left=ITEMS)):
        body = _body(pair)
        assert decode_body(PAIRS, body.encode(), 1, 1) == _whole(PAIRS, body)


def test_a_very_long_text_is_not_kept() -> None:
    many = tuple(Item(f"long-{i}") for i in range(_SHARED_MAX // 40))
    assert len(json.dumps(to_dict(many), separators=(",", ":"))) > _SHARED_MAX
    assert _read(Pair("a", left=many)).left is not _read(Pair("b", left=many)).left


def test_a_field_keeps_at_most_so_many_texts() -> None:
    fields = _shared_fields(Pair)
    assert fields is not None
    for i in range(_SHARED_KEPT + 4):
        own = tuple(Item(f"kept-{i}-{j}") for j in range(4))
        _read(Pair(f"a{i}", left=own))
        _read(Pair(f"b{i}", left=own))  # found again: the field does not back off
    assert len(fields["left"].texts) == _SHARED_KEPT


def test_a_field_backing_off_learns_one_body_in_so_many() -> None:
    fields = _shared_fields(Pair)
    assert fields is not None
    for i in range(3 * _SHARED_TRIES):  # up to a body whose list the field learns
        if fields["left"].misses >= _SHARED_TRIES and not fields["left"].misses % _SHARED_TRIES:
            break
        _read(Pair("m", left=tuple(Item(f"miss-{i}-{j}") for j in range(4))))
    else:
        pytest.fail("the field never backed off")
    once = tuple(Item(f"once-{j}") for j in range(4))
    first, second = _read(Pair("x", left=once)), _read(Pair("y", left=once))
    assert first.left == second.left
    assert first.left is not second.left  # the first was not learnt: not one body in so many


@attrs.frozen
class Tag:
    name: str
    note: str = "z" * 40


@attrs.frozen
class Part:
    name: str
    pieces: tuple[str, ...] = ()


@attrs.frozen
class Tagged:
    id: str
    tags: tuple[Tag, ...] = ()
    parts: tuple[Part, ...] = ()
    version: int = 0


TAGGED = AggregateSpec(kind="test_shared_tagged", type=Tagged, share_tuples=True)
TAGS = tuple(Tag(f"tag-{i}") for i in range(4))


def test_a_hook_registered_later_structures_what_is_read_after_it() -> None:
    body = encode_body(TAGGED, Tagged("a", TAGS))
    assert decode_body(TAGGED, body, 1, 1).tags == TAGS
    assert decode_body(TAGGED, body, 1, 1).tags == TAGS  # shared now
    converter.register_structure_hook(Tag, lambda d, _: Tag(d["name"].upper(), d["note"]))
    try:
        assert decode_body(TAGGED, body, 1, 1) == _whole(TAGGED, body)
        assert decode_body(TAGGED, body, 1, 1).tags[0].name == "TAG-0"
    finally:
        converter.register_structure_hook(Tag, lambda d, _: Tag(d["name"], d["note"]))


def test_a_tuple_a_hook_made_mutable_for_some_data_is_not_shared() -> None:
    # The hints say frozen; the host's hook keeps the pieces of "m-" parts as a list.
    def hook(data: dict[str, Any], _: object) -> Part:
        pieces: Any = data["pieces"]
        pieces = list(pieces) if data["name"].startswith("m-") else tuple(pieces)
        return Part(data["name"], pieces)

    converter.register_structure_hook(Part, hook)
    frozen = tuple(Part(f"f-{i}", ("x" * 20,)) for i in range(4))
    mutable = tuple(Part(f"m-{i}", ("y" * 20,)) for i in range(4))
    reads = [
        decode_body(TAGGED, encode_body(TAGGED, Tagged(str(i), parts=frozen)), 1, 1)
        for i in range(2)
    ]
    assert reads[0].parts is reads[1].parts
    one, two = (
        decode_body(TAGGED, encode_body(TAGGED, Tagged(i, parts=mutable)), 1, 1) for i in "cd"
    )
    assert one.parts[0] is not two.parts[0]
    one.parts[0].pieces.append("changed")  # type: ignore[attr-defined]
    assert list(two.parts[0].pieces) == ["y" * 20]


@attrs.frozen(eq=False)
class Kept:
    id: str
    tags: tuple[Tag, ...] = ()
    source: Any = None
    version: int = 0


KEPT = AggregateSpec(kind="test_shared_kept", type=Kept, share_tuples=True)


def test_a_type_with_its_own_hook_shares_nothing() -> None:
    # A host's hook for the aggregate may keep the data it is given: it gets plain lists.
    def hook(data: dict[str, Any], cls: type[Kept]) -> Kept:
        tags = converter.structure(data["tags"], tuple[Tag, ...])
        return cls(data["id"], tags, source=dict(data), version=data["version"])

    converter.register_structure_hook(Kept, hook)
    a, b = (decode_body(KEPT, encode_body(KEPT, Kept(i, TAGS)), 1, 1) for i in "ab")
    assert type(a.source["tags"]) is list
    assert a.source["tags"] is not b.source["tags"]
    assert _shared_fields(Kept) is None


def test_an_older_body_is_upgraded_and_read_whole() -> None:
    upgraded = AggregateSpec(
        kind="test_shared_upgraded",
        type=Pair,
        schema_version=2,
        upgrades={1: lambda body: {**body, "right": body["left"]}},
        share_tuples=True,
    )
    body = encode_body(upgraded, Pair("a", left=ITEMS))
    for _ in range(3):
        back = decode_body(upgraded, body, 1, 1)
        assert back == Pair("a", left=ITEMS, right=ITEMS, version=1)


def test_a_sqlite_listing_of_one_templates_plans_shares_the_sections(tmp_path: Path) -> None:
    template = _template("Listed in a file")
    storage = SqliteStorage(tmp_path / "plans.db")
    with storage.unit_of_work() as uow:
        for i, plan in enumerate(_plans(template, 4)):
            uow.repository(PARTNERS).add(Partner(f"p-{i}", f"P {i}", f"p{i}.example", "reseller"))
            uow.repository(PLANS).add(plan)
        uow.commit()
    with storage.unit_of_work() as uow:
        read = uow.repository(PLANS).list({}, limit=10).items
    assert [p.sections for p in read] == [template.sections] * 4
    assert all(p.sections is read[0].sections for p in read)


@attrs.frozen
class Node:
    name: str
    children: tuple[Node, ...] = ()


@attrs.frozen
class Tree:
    id: str
    nodes: tuple[Node, ...] = ()
    version: int = 0


TREES = AggregateSpec(kind="test_shared_trees", type=Tree, share_tuples=True)


def test_a_tuple_too_deep_to_look_at_is_read_but_not_shared() -> None:
    node: dict[str, Any] = {"name": "leaf", "children": []}
    for i in range(200):
        node = {"name": f"n{i}", "children": [node]}
    body = json.dumps({"id": "a", "nodes": [node]}, separators=(",", ":"))
    first, second = decode_body(TREES, body, 1, 1), decode_body(TREES, body, 1, 1)
    assert first == second == _whole(TREES, body)
    assert first.nodes is not second.nodes


class _Text(str):
    pass


class _SlottedText(str):
    __slots__ = ()


def test_only_atoms_that_hold_nothing_of_their_own_are_frozen() -> None:
    assert deeply_frozen(_SlottedText("x"))
    assert not deeply_frozen(_Text("x"))  # a __dict__: a reader could set an attribute on it
    assert deeply_frozen((pendulum.datetime(2026, 1, 1), pendulum.date(2026, 1, 1), True))


def test_the_converter_counts_every_way_of_registering_a_structure_hook() -> None:
    conv = _Converter()
    made: list[int] = [conv.structure_changes]

    def hook(value: object, _: object) -> Tag:
        return Tag(str(value))

    conv.register_structure_hook(Tag, hook)
    made.append(conv.structure_changes)
    conv.register_structure_hook_func(lambda t: t is Part, lambda v, _: Part(str(v)))
    made.append(conv.structure_changes)
    conv.register_structure_hook_factory(lambda t: t is Node, lambda t: lambda v, _: Node(v))
    made.append(conv.structure_changes)

    def tagged(value: object, _: object) -> Tagged:
        return Tagged(str(value))

    assert conv.register_structure_hook(tagged) is tagged  # the decorator form
    made.append(conv.structure_changes)
    decorate = conv.register_structure_hook_factory(lambda t: t is Tree)
    made.append(conv.structure_changes)

    def trees(_: object) -> Any:
        return lambda v, _: Tree(str(v))

    assert decorate(trees) is trees
    made.append(conv.structure_changes)
    assert made == sorted(set(made))  # each registration counted, the decorated one when applied
    assert conv.structure(7, Tree) == Tree("7")
    assert conv.structure("x", Tagged) == Tagged("x")


def test_a_memory_row_read_again_after_a_hook_is_registered_is_read_with_it() -> None:
    storage = MemoryStorage(specs=[TAGGED])
    with storage.unit_of_work() as uow:
        uow.repository(TAGGED).add(Tagged("a", (Tag("low"),)))
        uow.commit()

    def read() -> Tagged:
        with storage.unit_of_work() as uow:
            return uow.repository(TAGGED).get("a")

    read()
    assert read() is read()  # read again: the row keeps its value
    converter.register_structure_hook(Tag, lambda d, _: Tag(d["name"].upper(), d["note"]))
    try:
        assert read().tags[0].name == "LOW"
    finally:
        converter.register_structure_hook(Tag, lambda d, _: Tag(d["name"], d["note"]))
    assert read().tags[0].name == "low"


class _Label(str):
    __slots__ = ()


@attrs.frozen
class Labelled:
    id: str
    labels: tuple[_Label, ...] = ()
    tags: tuple[Tag, ...] = ()
    version: int = 0


LABELLED = AggregateSpec(kind="test_shared_labelled", type=Labelled, share_tuples=True)


def test_a_tuple_type_with_a_hook_of_its_own_is_given_plain_lists() -> None:
    given: list[type] = []

    def hook(value: Any, _: object) -> tuple[_Label, ...]:
        given.append(type(value))
        return tuple(_Label(v) for v in value)

    converter.register_structure_hook_func(lambda t: t == tuple[_Label, ...], hook)
    labels = tuple(_Label(f"label-number-{i:03d}") for i in range(12))
    for i in range(3):
        body = encode_body(LABELLED, Labelled(str(i), labels, TAGS))
        assert decode_body(LABELLED, body, 1, 1) == _whole(LABELLED, body)
    assert set(given) == {list}
    fields = _shared_fields(Labelled)
    assert fields is not None
    assert sorted(fields) == ["tags"]  # the converter's own tuple hook reads these alone


def test_a_verdict_on_a_type_holds_for_the_hooks_that_made_its_value() -> None:
    before = structure_changes()
    frozen = Part("f", ("x",))
    assert shareable(Part, frozen, before)
    converter.register_structure_hook(Part, lambda d, _: Part(d["name"], tuple(d["pieces"])))
    mutable = Part("m", ["y"])  # type: ignore[arg-type]  # what a host's hook might build
    assert not shareable(Part, mutable)  # judged again: a hook was registered since


class _NotedDecimal(Decimal):
    __slots__ = ("note",)


def test_an_atom_with_slots_of_its_own_is_not_frozen() -> None:
    assert not deeply_frozen(_NotedDecimal("1.5"))
    assert deeply_frozen(Decimal("1.5"))


def test_share_tuples_is_true_or_false() -> None:
    with pytest.raises(ValidationError) as caught:
        AggregateSpec(kind="test_bad_share", type=Pair, share_tuples="yes")  # type: ignore[arg-type]
    assert [e.path for e in caught.value.errors] == ["share_tuples"]


def test_a_value_too_deep_to_walk_is_written_and_read_again_and_again() -> None:
    node = Node("leaf")
    for i in range(170):
        node = Node(f"n{i}", (node,))
    tree = Tree("deep", (node,))
    storage = MemoryStorage(specs=[TREES])
    with storage.unit_of_work() as uow:
        uow.repository(TREES).add(tree)
        uow.commit()
    for _ in range(3):  # read again: the memory backend asks whether it may keep the value
        with storage.unit_of_work() as uow:
            assert uow.repository(TREES).get("deep").nodes == tree.nodes
    assert encode_body(TREES, tree) == encode_body(TREES, tree)  # the writer's reuse asks too


@attrs.frozen
class Coded:
    id: str
    codes: tuple[str, ...] = ()
    version: int = 0


CODED = AggregateSpec(kind="test_shared_coded", type=Coded, share_tuples=True)


def _strict_codes(value: object, _: object) -> tuple[str, ...]:
    """A host's field hook that insists on the JSON list it was promised."""
    if type(value) is not list:
        raise TypeError(f"expected the JSON list, got {type(value).__name__}")
    return tuple(value)


def _read_whole_with_codes(spec: AggregateSpec[Any]) -> None:
    for i in range(3):
        body = encode_body(spec, spec.type(str(i), tuple(f"code-{n:04d}" for n in range(20))))
        assert decode_body(spec, body, 1, 1) == _whole(spec, body)
    assert _shared_fields(spec.type) is None


def test_a_class_hook_made_by_the_host_from_cattrs_is_given_plain_lists() -> None:
    hook = make_dict_structure_fn(Coded, converter, codes=override(struct_hook=_strict_codes))
    converter.register_structure_hook(Coded, hook)
    _read_whole_with_codes(CODED)


def test_a_value_too_deep_to_walk_gives_no_verdict_for_its_type() -> None:
    node = Node("leaf")
    for i in range(170):
        node = Node(f"n{i}", (node,))
    storage = MemoryStorage(specs=[TREES])
    with storage.unit_of_work() as uow:
        uow.repository(TREES).add(Tree("deep", (node,)))
        uow.repository(TREES).add(Tree("small", (Node("leaf"),)))
        uow.commit()

    def read(id: str) -> Tree:
        with storage.unit_of_work() as uow:
            return uow.repository(TREES).get(id)

    read("deep")
    read("deep")  # too deep to judge: neither kept nor a verdict on trees
    read("small")
    assert read("small") is read("small")


@attrs.frozen
class Racer:
    name: str
    data: tuple[str, ...] = ()


@attrs.frozen
class Race:
    id: str
    racers: tuple[Racer, ...] = ()
    version: int = 0


RACES = AggregateSpec(kind="test_shared_races", type=Race)


def test_a_hook_registered_while_a_row_is_decoded_leaves_no_value_shared() -> None:
    # The old hook registers the new one mid-decode, as another thread might: the verdict
    # taken from the value the old hook made must not stand for the new hook's values.
    armed = [False]

    def new(data: dict[str, Any], _: object) -> Racer:
        return Racer(data["name"], list(data["data"]))  # type: ignore[arg-type]

    def old(data: dict[str, Any], _: object) -> Racer:
        if armed[0]:
            armed[0] = False
            converter.register_structure_hook(Racer, new)
        return Racer(data["name"], tuple(data["data"]))

    converter.register_structure_hook(Racer, old)
    storage = MemoryStorage(specs=[RACES])
    with storage.unit_of_work() as uow:
        for id in ("r1", "r2"):
            uow.repository(RACES).add(Race(id, (Racer("a", ("x",)),)))
        uow.commit()

    def read(id: str) -> Race:
        with storage.unit_of_work() as uow:
            return uow.repository(RACES).get(id)

    read("r1")
    armed[0] = True
    read("r1")
    read("r2")
    first, second = read("r2"), read("r2")
    assert first is not second
    first.racers[0].data.append("changed")  # type: ignore[attr-defined]
    assert list(read("r2").racers[0].data) == ["x"]


@attrs.frozen
class CodedBase:
    id: str
    codes: tuple[str, ...] = ()
    version: int = 0


@attrs.frozen
class CodedSub(CodedBase):
    pass


def test_a_hook_registered_for_a_base_class_counts_for_its_subclasses() -> None:
    hook = make_dict_structure_fn(CodedBase, converter, codes=override(struct_hook=_strict_codes))
    converter.register_structure_hook(CodedBase, hook)
    _read_whole_with_codes(
        AggregateSpec(kind="test_shared_coded_subs", type=CodedSub, share_tuples=True)
    )


def test_a_predicate_that_raises_is_one_that_does_not_take_the_class() -> None:
    conv = _Converter()

    def careless(t: Any) -> bool:
        return t.__origin__ is Tag  # raises for a plain class

    conv.register_structure_hook_func(careless, lambda v, _: v)
    assert not conv.registered_for(Pair)
    conv.register_structure_hook_func(lambda t: t is Pair, lambda v, _: v)
    assert conv.registered_for(Pair)
