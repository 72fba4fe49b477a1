"""The memory backend's listings page through the matching rows like a plain sort would.

It keys only the rows after the cursor and picks each page out of them
(instead of sorting every match for every page), and finds committed rows
through the postings of one filtered index: these cases compare whole
listings, page by page, with the sorted reference, committed and staged
rows mixed.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from partnerkit.storage import IndexValue, MemoryStorage
from partnerkit.testing.contract import CONTRACT_NOTES, ContractNote

_TAGS = st.sampled_from([None, "a", "b", "c"])
_NOTES = st.lists(
    st.tuples(st.integers(0, 40), _TAGS, st.integers(-3, 3)),
    max_size=40,
    unique_by=lambda t: t[0],
)


def _note(number: int, tag: str | None, rank: int) -> ContractNote:
    return ContractNote(f"n{number:02d}", f"s{number:02d}", tag, rank)


def _reference(
    notes: dict[str, ContractNote],
    tags: list[str | None] | None,
    ranks: list[int] | None,
    order_by: str | None,
) -> list[str]:
    def key(note: ContractNote) -> tuple[object, ...]:
        if order_by is None:
            return (note.id,)
        value = getattr(note, order_by)
        return (value is not None, value if value is not None else 0, note.id)

    chosen = [
        n
        for n in notes.values()
        if (tags is None or n.tag in tags) and (ranks is None or n.rank in ranks)
    ]
    return [n.id for n in sorted(chosen, key=key)]


@settings(max_examples=60, deadline=None)
@given(
    committed=_NOTES,
    staged=_NOTES,
    deleted=st.sets(st.integers(0, 40)),
    tags=st.none() | st.lists(_TAGS, min_size=1, max_size=3),
    ranks=st.none() | st.lists(st.integers(-3, 3), min_size=1, max_size=3),
    order_by=st.sampled_from([None, "tag", "rank"]),
    limit=st.integers(1, 7),
)
def test_pages_hold_the_sorted_matches_once_each(
    committed: list[tuple[int, str | None, int]],
    staged: list[tuple[int, str | None, int]],
    deleted: set[int],
    tags: list[str | None] | None,
    ranks: list[int] | None,
    order_by: str | None,
    limit: int,
) -> None:
    storage = MemoryStorage(specs=[CONTRACT_NOTES])
    visible: dict[str, ContractNote] = {}
    with storage.unit_of_work() as uow:
        repo = uow.repository(CONTRACT_NOTES)
        for fields in committed:
            visible[repo.add(_note(*fields)).id] = _note(*fields)
        uow.commit()
    with storage.unit_of_work() as uow:
        repo = uow.repository(CONTRACT_NOTES)
        for number, tag, rank in staged:  # rewritten (another slug: never a clash) or new
            note = _note(number, tag, rank)
            note = ContractNote(note.id, f"x{number:02d}", tag, rank)
            held = repo.find(note.id)
            if held is None:
                repo.add(note)
            else:
                repo.save(ContractNote(note.id, note.slug, tag, rank, held.version))
            visible[note.id] = note
        for number in sorted(deleted):
            held = repo.find(f"n{number:02d}")
            if held is not None:
                repo.delete(held)
                del visible[held.id]
        where: dict[str, object] = {}
        if tags is not None:
            where["tag"] = tags
        if ranks is not None:
            where["rank"] = ranks
        seen: list[str] = []
        cursor: str | None = None
        while True:
            page = repo.list(where, order_by=order_by, limit=limit, cursor=cursor)  # type: ignore[arg-type]
            assert 0 < len(page) <= limit or (not seen and not page.items)
            seen.extend(n.id for n in page)
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == _reference(visible, tags, ranks, order_by)
        assert repo.count(where) == len(seen)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    committed=_NOTES,
    added=_NOTES,
    tags=st.none() | st.lists(_TAGS, min_size=1, max_size=3),
    order_by=st.sampled_from([None, "tag", "rank"]),
    limit=st.integers(1, 7),
    commit_after=st.integers(1, 6),
)
def test_a_listing_read_on_follows_what_others_commit_between_its_pages(
    committed: list[tuple[int, str | None, int]],
    added: list[tuple[int, str | None, int]],
    tags: list[str | None] | None,
    order_by: str | None,
    limit: int,
    commit_after: int,
) -> None:
    # Pages after the first come from a sorted listing the table keeps: a commit between two
    # pages must reach the later ones exactly as a fresh sort would show them.
    storage = MemoryStorage(specs=[CONTRACT_NOTES])
    visible: dict[str, ContractNote] = {}
    with storage.unit_of_work() as uow:
        repo = uow.repository(CONTRACT_NOTES)
        for fields in committed:
            visible[repo.add(_note(*fields)).id] = _note(*fields)
        uow.commit()
    where: dict[str, object] = {} if tags is None else {"tag": tags}
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    with storage.unit_of_work() as reader:
        repo = reader.repository(CONTRACT_NOTES)
        while True:
            page = repo.list(where, order_by=order_by, limit=limit, cursor=cursor)  # type: ignore[arg-type]
            seen.extend(n.id for n in page)
            pages += 1
            cursor = page.next_cursor
            if pages == commit_after:
                with storage.unit_of_work() as writer:
                    other = writer.repository(CONTRACT_NOTES)
                    for number, tag, rank in added:
                        note = ContractNote(f"m{number:02d}", f"t{number:02d}", tag, rank)
                        other.add(note)
                        visible[note.id] = note
                    writer.commit()
                if cursor is None:
                    return  # the listing had ended before the commit
                # What a fresh read from here shows: the rows after the cursor, new ones too.
                rest = repo.list(where, order_by=order_by, limit=1000, cursor=cursor)  # type: ignore[arg-type]
                fresh: list[str] = []
                fresh_cursor: str | None = cursor
                while fresh_cursor is not None:
                    step = repo.list(where, order_by=order_by, limit=limit, cursor=fresh_cursor)  # type: ignore[arg-type]
                    fresh.extend(n.id for n in step)
                    fresh_cursor = step.next_cursor
                assert fresh == [n.id for n in rest]
                reference = _reference(visible, tags, None, order_by)
                assert seen + fresh == [i for i in reference if i in set(seen) or i in fresh]
                return
            if cursor is None:
                break
    assert seen == _reference(visible, tags, None, order_by)


class NoteId(str):
    """A host's own id type: a str subclass, which the backends accept as an id."""


_IDS = st.sampled_from(["n1", "n22", "n333", NoteId("n4"), NoteId("n55")])


@given(st.lists(st.tuples(st.booleans(), st.sampled_from(["a", "b", None]), _IDS), max_size=40))
def test_postings_hold_what_a_dict_of_sets_holds(steps: list[tuple[bool, str | None, str]]) -> None:
    # A lone holder is kept as its id, two or more as a set: they read as one set would.
    from partnerkit.storage._memory import _held, _Holders, _post, _unpost

    postings: dict[IndexValue, _Holders] = {}
    model: dict[IndexValue, set[str]] = {}
    for adding, value, id in steps:
        if adding:
            _post(postings, value, id)
            model.setdefault(value, set()).add(id)
        else:
            _unpost(postings, value, id)
            model.get(value, set()).discard(id)
            if not model.get(value, True):
                del model[value]
        assert {k: set(_held(v)) for k, v in postings.items()} == model
        assert all(not isinstance(v, set) or len(v) > 1 for v in postings.values())


def test_an_id_of_a_str_subclass_is_found_through_the_postings() -> None:
    storage = MemoryStorage(specs=[CONTRACT_NOTES])
    with storage.unit_of_work() as uow:
        notes = uow.repository(CONTRACT_NOTES)
        notes.add(ContractNote(NoteId("n1"), "s1", "a", 1))
        notes.add(ContractNote(NoteId("n2"), "s2", "b", 2))
        notes.add(ContractNote("n3", "s3", "b", 3))
        uow.commit()
    with storage.unit_of_work() as uow:
        notes = uow.repository(CONTRACT_NOTES)
        assert [n.id for n in notes.list({"tag": "a"}).items] == ["n1"]
        assert [n.id for n in notes.list({"tag": "b"}).items] == ["n2", "n3"]
        assert (notes.count({"tag": "a"}), notes.count({"tag": "b"})) == (1, 2)
