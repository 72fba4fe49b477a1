"""A published template version stays assignable while its next version is a draft.

Editing a published template makes the next version, a draft; the published
one is kept beside it (``last_published``), and assigning and pushing use it
until the draft is published. Stored bodies written before it was kept (no
``last_published`` key) load with none, on every backend, with no upgrade.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import attrs
import pendulum
import pytest
from plan_factories import AT, ENABLEMENT, SALES
from plan_services_factories import VENDOR, on, seed

from partnerkit.core import EventDispatcher, from_dict, to_dict
from partnerkit.core.errors import ValidationError
from partnerkit.partners import PartnerFilter
from partnerkit.plans import PlanTemplate, PublishedVersion
from partnerkit.services import (
    ASSIGNED,
    assign_plan,
    assign_plans,
    edit_template,
    get_plan,
    get_template,
    list_templates,
    publish_template,
    push_template_version,
    rename_template_section,
)
from partnerkit.storage import (
    PLAN_TEMPLATES,
    IndexValue,
    MemoryStorage,
    SqliteStorage,
    Storage,
)
from partnerkit.storage._common import decode_body, encode_body
from partnerkit.storage._memory import _Row
from partnerkit.storage.sqlalchemy import SqlAlchemyStorage


@pytest.fixture(params=["memory", "sqlite", "sqlalchemy"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    if request.param == "memory":
        yield MemoryStorage(dispatcher=EventDispatcher())
    elif request.param == "sqlite":
        yield SqliteStorage(tmp_path / "plans.sqlite3", dispatcher=EventDispatcher())
    else:
        opened = SqlAlchemyStorage(f"sqlite:///{tmp_path / 'plans.sqlite3'}")
        yield opened
        opened.close()


def test_while_an_edit_is_a_draft_plans_are_assigned_from_the_published_version(
    storage: Storage,
) -> None:
    vendor = on(VENDOR)
    first = seed(storage)  # version 1: sales and enablement, no purpose
    with storage.unit_of_work() as uow:
        draft = edit_template(uow, vendor, first.id, purpose="Version two", sections=[SALES])
    with storage.unit_of_work() as uow:
        draft = rename_template_section(uow, vendor, first.id, "sales", "Revenue")
    with storage.unit_of_work() as uow:
        stored = get_template(uow, vendor, first.id)
    assert stored == draft
    assert (stored.template_version, stored.published) == (2, False)
    assert stored.last_published == PublishedVersion(
        1, first.name, first.kind, first.purpose, first.sections
    )
    # Version 1 can still be read (the record's storage version is the draft's).
    assert stored.latest_published() == attrs.evolve(first, version=stored.version)
    with storage.unit_of_work() as uow:
        plan = assign_plan(uow, vendor, first.id, "p1")
    assert (plan.template_version, plan.purpose, plan.sections) == (1, "", (SALES, ENABLEMENT))
    with storage.unit_of_work() as uow:
        report = assign_plans(uow, vendor, first.id, PartnerFilter())
    assert report.template_version == 1
    assert report.of(ASSIGNED) == ("p2", "p3")
    with storage.unit_of_work() as uow:
        plans = [get_plan(uow, vendor, e.plan_id or "") for e in report.entries]
    assert {(p.template_version, p.sections) for p in plans} == {(1, (SALES, ENABLEMENT))}
    with storage.unit_of_work() as uow:  # nothing newer than version 1 is published
        assert push_template_version(uow, vendor, first.id).updated == ()
    with storage.unit_of_work() as uow:  # listed by its latest version: a draft
        assert list_templates(uow, vendor, published=True).items == ()
        (listed,) = list_templates(uow, vendor, published=False).items
    assert listed.latest_published() is not None  # though it is assigned from version 1
    with storage.unit_of_work() as uow:
        second = publish_template(uow, vendor, first.id)
    assert (second.template_version, second.published, second.last_published) == (2, True, None)
    with storage.unit_of_work() as uow:
        later = assign_plan(uow, vendor, first.id, "p1", fiscal_year=2027)
    assert (later.template_version, later.purpose) == (2, "Version two")
    assert [s.title for s in later.sections] == ["Revenue"]
    with storage.unit_of_work() as uow:
        pushed = push_template_version(uow, vendor, first.id)
    assert set(pushed.updated) == {p.id for p in plans} | {plan.id}


def test_a_draft_keeps_the_published_version_until_it_is_published() -> None:
    published = PlanTemplate("t", "Plan", sections=[SALES]).published_by("vera", AT)
    later = AT.add(days=1)
    draft = published.edited("olga", later, purpose="Next")
    kept = draft.last_published
    assert kept is not None
    assert (kept.template_version, kept.purpose, kept.sections) == (1, "", (SALES,))
    assert (kept.published_by, kept.published_at) == ("vera", AT)  # who published it
    again = draft.edited("olga", later, name="Renamed").rename_section("sales", "X", "olga", later)
    assert (again.template_version, again.last_published) == (2, kept)
    assert again.latest_published() == published
    assert again.published_by("olga", later).last_published is None
    assert PlanTemplate("u", "Never published").latest_published() is None
    assert published.latest_published() is published
    assert draft.duplicate("t2", "Copy", "olga", later).last_published is None


def test_a_kept_version_must_be_the_one_before_the_draft_and_only_beside_a_draft() -> None:
    kept = PublishedVersion(1, "Plan", "business", "", (SALES,))
    assert PlanTemplate("t", "Plan", template_version=2, last_published=kept).last_published == kept
    with pytest.raises(ValidationError) as raised:
        PlanTemplate("t", "Plan", template_version=3, last_published=kept)
    assert [e.path for e in raised.value.errors] == ["last_published.template_version"]
    with pytest.raises(ValidationError) as raised:
        PlanTemplate("t", "Plan", template_version=2, published=True, last_published=kept)
    assert [e.path for e in raised.value.errors] == ["last_published"]
    with pytest.raises(ValidationError) as raised:
        PlanTemplate("t", "Plan", template_version=2, last_published="v1")  # type: ignore[arg-type]
    assert [e.path for e in raised.value.errors] == ["last_published"]
    with pytest.raises(ValidationError) as raised:  # named as the field, not updated_at.at
        PlanTemplate("t", "Plan", updated_at=pendulum.naive(2026, 1, 1))
    assert [e.path for e in raised.value.errors] == ["updated_at"]
    with pytest.raises(ValidationError) as raised:
        PublishedVersion(
            0,
            "",
            "Not A Key",
            5,  # type: ignore[arg-type]
            (SALES, SALES),
            published_at=pendulum.naive(2026, 1, 1),
        )
    assert sorted(e.path for e in raised.value.errors) == [
        "kind",
        "name",
        "published_at",
        "purpose",
        "sections.1.key",
        "sections.1.milestones.0.key",
        "sections.1.milestones.1.key",
        "sections.1.objectives.0.key",
        "sections.1.objectives.1.key",
        "sections.1.tasks.0.key",
        "template_version",
    ]


def test_a_stored_template_names_every_bad_field_of_its_kept_version_and_its_own() -> None:
    published = PlanTemplate("t", "Plan", sections=[SALES]).published_by("vera", AT)
    data = to_dict(published.edited("olga", AT.add(days=1), purpose="Next"))
    assert from_dict(PlanTemplate, data) == published.edited("olga", AT, purpose="Next")
    kept = data["last_published"]

    def problems(**changes: object) -> list[tuple[str, str]]:
        with pytest.raises(ValidationError) as raised:
            from_dict(PlanTemplate, {**data, **changes})
        return sorted((e.path, e.code) for e in raised.value.errors)

    # Its number is not the one before the draft's, and it has no name: both named.
    assert problems(last_published={**kept, "template_version": 5, "name": ""}) == [
        ("last_published.name", "required"),
        ("last_published.template_version", "invalid"),
    ]
    # A bad kept version does not hide the template's own bad fields, nor they it.
    assert problems(name="", purpose=7, last_published={**kept, "kind": "Not A Key"}) == [
        ("last_published.kind", "invalid"),
        ("name", "required"),
        ("purpose", "invalid"),
    ]
    assert problems(published=True, last_published={**kept, "name": ""}) == [
        ("last_published", "invalid"),  # a published version keeps no other
        ("last_published.name", "required"),
    ]
    # A draft whose own number is of a bad type: named once, the good kept version not
    # compared with what stood in for it.
    for bad in ("2", 2.0):
        assert problems(template_version=bad) == [("template_version", "invalid")]
    sections = [{**data["sections"][0], "title": ""}]
    assert problems(name="", sections=sections, last_published={**kept, "template_version": 3}) == [
        ("last_published.template_version", "invalid"),
        ("name", "required"),
        ("sections.0.title", "required"),
    ]
    # What cannot be compared is not named twice: a bad number is named once, as itself.
    assert problems(template_version="2", last_published={**kept, "name": ""}) == [
        ("last_published.name", "required"),
        ("template_version", "invalid"),
    ]


# Bodies written before last_published was kept: a published template, and the draft an
# edit of it made (which kept nothing of version 1).
_SECTION_V1 = (
    '{"key":"sales","title":"Sales","description":"","objectives":[{"key":"won","title":'
    '"Deals won","kind":"deals_won","targets":[{"period":"year","value":20}],"weight":1,'
    '"description":"","split":null}],"tasks":[{"key":"forecast","title":"Share a forecast",'
    '"due":"q1","owner":"partner","check_roles":["executive","manager",'
    '"program_administrator"],"description":""}],"milestones":[]}'
)
PUBLISHED_V1 = (
    '{"id":"TPL-000009","name":"Reseller plan","kind":"business","purpose":"","sections":['
    + _SECTION_V1
    + '],"template_version":1,"published":true,"updated_by":"vera",'
    '"updated_at":"2026-01-05T09:00:00+00:00[Europe/London]"}'
)
DRAFT_V1 = (
    '{"id":"TPL-000009","name":"Reseller plan","kind":"business","purpose":"Version two",'
    '"sections":[' + _SECTION_V1 + '],"template_version":2,"published":false,"updated_by":"vera",'
    '"updated_at":"2026-01-06T09:00:00+00:00[Europe/London]"}'
)


def test_template_bodies_without_a_kept_version_are_read_with_none_and_no_upgrade() -> None:
    # Nothing to upgrade: the missing key is the field's default, so the schema stays 1.
    assert (PLAN_TEMPLATES.schema_version, dict(PLAN_TEMPLATES.upgrades)) == (1, {})
    published = decode_body(PLAN_TEMPLATES, PUBLISHED_V1, 4, 1)
    draft = decode_body(PLAN_TEMPLATES, DRAFT_V1, 5, 1)
    assert (published.published, published.last_published, published.version) == (True, None, 4)
    assert (draft.template_version, draft.last_published, draft.latest_published()) == (
        2,
        None,
        None,
    )
    # Written again, the body has the same fields and the kept version (none).
    assert json.loads(encode_body(PLAN_TEMPLATES, draft)) == {
        **json.loads(DRAFT_V1),
        "last_published": None,
    }


@pytest.mark.parametrize("backend", ["memory", "sqlite", "sqlalchemy"])
def test_stored_template_bodies_without_a_kept_version_still_load_and_assign(
    backend: str, tmp_path: Path
) -> None:
    path = tmp_path / "old.sqlite3"
    old_rows = [PUBLISHED_V1, DRAFT_V1.replace("TPL-000009", "TPL-000010")]
    opened: Storage
    if backend == "memory":
        opened = MemoryStorage()
        seed(opened)  # the partners
        rows = opened._table("plan_templates")  # no file to write old rows to
        for body in old_rows:
            template = json.loads(body)
            indexes: dict[str, IndexValue] = {
                "kind": "business",
                "published": int(template["published"]),
            }
            rows.put(PLAN_TEMPLATES, template["id"], _Row(1, 1, body, indexes))
    elif backend == "sqlite":
        opened, table = SqliteStorage(path), "agg_plan_templates"
    else:
        opened, table = SqlAlchemyStorage(f"sqlite:///{path}"), "partnerkit_plan_templates"
    try:
        if backend != "memory":
            seed(opened)  # the partners, and the table
            with sqlite3.connect(path) as conn:  # two rows as they were written then
                for body in old_rows:
                    template = json.loads(body)
                    conn.execute(
                        f"INSERT INTO {table} (id, version, schema, body, idx_kind, idx_published)"
                        " VALUES (?, 1, 1, ?, 'business', ?)",
                        (template["id"], body, int(template["published"])),
                    )
        vendor = on(VENDOR)
        with opened.unit_of_work() as uow:
            old = get_template(uow, vendor, "TPL-000009")
            old_draft = get_template(uow, vendor, "TPL-000010")
        assert (old.template_version, old.last_published) == (1, None)
        assert (old_draft.template_version, old_draft.last_published) == (2, None)
        with opened.unit_of_work() as uow:
            assert assign_plan(uow, vendor, "TPL-000009", "p1").template_version == 1
        with opened.unit_of_work() as uow, pytest.raises(ValidationError) as raised:
            assign_plan(uow, vendor, "TPL-000010", "p1")  # its version 1 was not kept
        assert [e.path for e in raised.value.errors] == ["template_id"]
        with opened.unit_of_work() as uow:
            edited = edit_template(uow, vendor, "TPL-000009", purpose="Version two")
        with opened.unit_of_work() as uow:
            assert get_template(uow, vendor, "TPL-000009") == edited
            assert assign_plan(uow, vendor, "TPL-000009", "p2").purpose == ""
        assert attrs.evolve(edited.latest_published() or old, version=1) == old
    finally:
        close = getattr(opened, "close", None)
        if close is not None:
            close()
