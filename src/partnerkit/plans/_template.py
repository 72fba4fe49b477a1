"""Plan templates: what administrators write once and assign to many partners."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
import pendulum

from partnerkit.core import aware
from partnerkit.core._validation import ErrorCollector, as_tuple
from partnerkit.core.errors import ValidationError
from partnerkit.plans._items import (
    ObjectiveKind,
    Section,
    Side,
    check_key,
    check_sections,
)
from partnerkit.plans._status import _enum_hooks

__all__ = ["BUSINESS", "MARKETING", "PlanTemplate", "PublishedVersion", "default_sections"]

# Stored templates and plans read their kinds and sides back as these enums.
_enum_hooks(ObjectiveKind, "an objective kind")
_enum_hooks(Side, "a side")

#: The kind of a business plan (revenue, deals, enablement goals).
BUSINESS = "business"
#: The kind of a marketing plan (campaigns, content, events).
MARKETING = "marketing"


def default_sections() -> tuple[Section, ...]:
    """The sections a new template starts with: Sales, Marketing, Enablement and Onboarding.

    Rename them to the program's own words with :meth:`PlanTemplate.rename_section`.
    """
    return (
        Section("sales", "Sales", "Revenue and deal goals for the fiscal year."),
        Section("marketing", "Marketing", "Campaigns and demand generation."),
        Section("enablement", "Enablement", "Training and certification of the partner's team."),
        Section("onboarding", "Onboarding", "What a new partner sets up in its first weeks."),
    )


def _text(errors: ErrorCollector, value: object, path: str, *, limit: int) -> None:
    errors.text(value, path, required=path == "name", limit=limit, multiline=path != "name")


def _check_content(errors: ErrorCollector, content: PlanTemplate | PublishedVersion) -> None:
    """The checks of what a template version holds: name, purpose, kind, sections, number."""
    _text(errors, content.name, "name", limit=120)
    _text(errors, content.purpose, "purpose", limit=4000)
    check_key(errors, content.kind, "kind")
    with errors.catch():
        check_sections(content.sections)
    number = content.template_version
    if isinstance(number, bool) or not isinstance(number, int):
        errors.add("template_version", "invalid", "expected a whole number")
    elif number < 1:
        errors.add("template_version", "out_of_range", "versions count from 1")


@attrs.frozen
class PublishedVersion:
    """A template's last published version, kept while the next version is a draft.

    What plans are assigned from (and pushed to) until the draft is
    published: :meth:`PlanTemplate.latest_published` makes it a published
    :class:`PlanTemplate` again. ``published_by`` and ``published_at`` tell
    who last changed it (its publisher) and when; like a template's
    ``updated_by`` they are not part of its value.
    """

    template_version: int
    name: str
    kind: str
    purpose: str
    sections: tuple[Section, ...] = attrs.field(converter=as_tuple)
    published_by: str = attrs.field(default="", eq=False)
    published_at: pendulum.DateTime | None = attrs.field(default=None, eq=False)

    def __attrs_post_init__(self) -> None:
        errors = ErrorCollector()
        _check_content(errors, self)
        if self.published_at is not None:
            with errors.catch():
                aware(self.published_at, "published_at")
        errors.raise_if_any()


@attrs.frozen
class PlanTemplate:
    """A versioned plan template: name, purpose, kind and ordered sections.

    ``template_version`` counts published versions. A draft template
    (``published`` false) is edited in place; editing a published one makes
    the next version, a draft again until it is published, and keeps the
    published one as :attr:`last_published`: plans are still assigned from
    it (:meth:`latest_published`) while the draft is written. Plans copy the
    version they are made from (:attr:`Plan.template_version`), so no
    template edit ever changes a plan that was signed off.
    ``kind`` is :data:`BUSINESS`, :data:`MARKETING` or a kind of the host's
    own (a key: lower-case letters, digits, ``_`` and ``-``).
    """

    id: str
    name: str
    kind: str = BUSINESS
    purpose: str = ""
    sections: tuple[Section, ...] = attrs.field(factory=default_sections, converter=as_tuple)
    template_version: int = 1
    published: bool = False
    #: The version published before this draft (``template_version - 1``), kept until the
    #: draft is published; None for a published template and a draft never published before.
    last_published: PublishedVersion | None = attrs.field(default=None, kw_only=True)
    #: Who last changed the template and when: not part of its value (two templates with the
    #: same content are equal, as the program file, which does not hold them, reads back).
    updated_by: str = attrs.field(default="", eq=False)
    updated_at: pendulum.DateTime | None = attrs.field(default=None, eq=False)
    version: int = 0

    def __attrs_post_init__(self) -> None:
        errors = ErrorCollector()
        if not isinstance(self.id, str) or not self.id:
            errors.add("id", "required", "a template needs an id")
        _check_content(errors, self)
        if not isinstance(self.published, bool):
            errors.add("published", "invalid", "expected true or false")
        before = self.last_published
        if before is not None:
            if not isinstance(before, PublishedVersion):
                errors.add("last_published", "invalid", "expected a PublishedVersion or None")
            elif self.published is True:
                errors.add("last_published", "invalid", "a published version keeps no other")
            elif isinstance(self.template_version, int) and (
                before.template_version != self.template_version - 1
            ):
                errors.add(
                    "last_published.template_version",
                    "invalid",
                    f"the version before this draft's is {self.template_version - 1}",
                )
        if self.updated_at is not None:
            with errors.catch():
                aware(self.updated_at, "updated_at")
        errors.raise_if_any()

    def latest_published(self) -> PlanTemplate | None:
        """The version plans are made from: the latest published one, or None if none ever was.

        This template when it is published; while its next version is a
        draft, the version published before (:attr:`last_published`), as a
        published template with that version's number and content.
        """
        if self.published:
            return self
        before = self.last_published
        if before is None:
            return None
        return PlanTemplate(
            self.id,
            before.name,
            kind=before.kind,
            purpose=before.purpose,
            sections=before.sections,
            template_version=before.template_version,
            published=True,
            updated_by=before.published_by,
            updated_at=before.published_at,
            version=self.version,
        )

    def section(self, key: str) -> Section:
        """The section with ``key``; an unknown key is a ``ValidationError`` at ``section``."""
        for section in self.sections:
            if section.key == key:
                return section
        raise ValidationError.single("section", "unknown", f"no section {key!r}")

    def edited(
        self,
        actor: str,
        at: pendulum.DateTime,
        *,
        name: str | None = None,
        purpose: str | None = None,
        kind: str | None = None,
        sections: Iterable[Section] | None = None,
    ) -> PlanTemplate:
        """This template with the changes given; a published one becomes the next draft version.

        The published version is then kept as :attr:`last_published` (plans
        are still assigned from it); a draft keeps the one it had.
        """
        at = aware(at)
        changed = attrs.evolve(
            self,
            name=self.name if name is None else name,
            purpose=self.purpose if purpose is None else purpose,
            kind=self.kind if kind is None else kind,
            sections=self.sections if sections is None else as_tuple(sections),
            updated_by=actor,
            updated_at=at,
        )
        if self.published:
            kept = PublishedVersion(
                self.template_version,
                self.name,
                self.kind,
                self.purpose,
                self.sections,
                published_by=self.updated_by,
                published_at=self.updated_at,
            )
            return attrs.evolve(
                changed,
                template_version=self.template_version + 1,
                published=False,
                last_published=kept,
            )
        return changed

    def rename_section(
        self,
        key: str,
        title: str,
        actor: str,
        at: pendulum.DateTime,
        *,
        description: str | None = None,
    ) -> PlanTemplate:
        """This template with section ``key`` renamed (a new draft version if published).

        An unknown ``key`` and a bad ``title`` or ``description`` are named together.
        """
        errors = ErrorCollector()
        found: Section | None = None
        with errors.catch():
            found = self.section(key)
        with errors.catch():
            # A section unknown: the new title is still checked, on a section standing in.
            probe = Section("section", "Section") if found is None else found
            renamed = probe.renamed(title, description)
        errors.raise_if_any()
        sections = tuple(renamed if s is found else s for s in self.sections)
        return self.edited(actor, at, sections=sections)

    def published_by(self, actor: str, at: pendulum.DateTime) -> PlanTemplate:
        """This version, published: the one that plans are made from from now on.

        The version published before it (:attr:`last_published`) is no longer kept.
        """
        if self.published:
            raise ValidationError.single(
                "published", "invalid", f"version {self.template_version} is published already"
            )
        return attrs.evolve(
            self, published=True, last_published=None, updated_by=actor, updated_at=aware(at)
        )

    def duplicate(self, id: str, name: str, actor: str, at: pendulum.DateTime) -> PlanTemplate:
        """A new draft template with ``name`` and this one's content; no history is copied."""
        return PlanTemplate(
            id,
            name,
            kind=self.kind,
            purpose=self.purpose,
            sections=self.sections,
            updated_by=actor,
            updated_at=aware(at),
        )


#: What a stored template's field is checked again with when it could not be read (each
#: good on its own): the template's own checks then run, and name what else is wrong.
_STAND_INS: dict[str, Any] = {
    "id": "template",
    "name": "Template",
    "kind": BUSINESS,
    "purpose": "",
    "sections": [],
    "template_version": 1,
    "published": False,
    "last_published": None,
    "updated_by": "",
    "updated_at": None,
    "version": 0,
}


def _kept_stand_in(kept: object) -> dict[str, Any] | None:
    """A good kept version with the number ``kept`` gives, to compare it with the draft's."""
    number = kept.get("template_version") if isinstance(kept, dict) else None
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        return None  # named as it is, or nothing to compare
    return {
        "template_version": number,
        "name": "Template",
        "kind": BUSINESS,
        "purpose": "",
        "sections": [],
    }


def _template_hooks() -> None:
    """Read stored templates naming every bad field at once.

    cattrs builds a template's fields before the template: one that cannot
    be built (a bad section, a bad kept version) stopped the template's own
    checks, which were not named (an empty name; a kept version whose number
    is not the one before the draft's). Such a body is read again with a
    stand-in for each field that failed, and what the template's checks then
    find beside those fields is named too.
    """
    from cattrs.gen import make_dict_structure_fn

    from partnerkit.core import converter
    from partnerkit.core._serialization import _field_errors

    made: list[Any] = []

    def base() -> Any:
        if not made:  # generated at first use, after every hook of the package is registered
            made.append(make_dict_structure_fn(PlanTemplate, converter))
        return made[0]

    def structure(value: object, _: object) -> PlanTemplate:
        try:
            return base()(value, PlanTemplate)  # type: ignore[no-any-return]
        except Exception as error:
            if not isinstance(value, dict):
                raise
            first = _field_errors(error, "")
        failed = {e.path.split(".")[0] for e in first}
        # Unknown keys (named already) left out; a field that failed, or is missing, stood in.
        again = {k: v for k, v in value.items() if k in _STAND_INS and k not in failed}
        again.update((k, v) for k, v in _STAND_INS.items() if k not in again)
        if "last_published" in failed and not failed & {"template_version", "published"}:
            # Compared with the draft's number and state, which are good.
            again["last_published"] = _kept_stand_in(value.get("last_published"))
        try:
            base()(again, PlanTemplate)
        except Exception as error:
            seen = {(e.path, e.code) for e in first}
            # A draft whose own number failed stood in with 1: its kept version's number is
            # not to be compared with that stand-in.
            compared = not failed & {"template_version", "published"}
            more = [
                e
                for e in _field_errors(error, "")
                if (e.path, e.code) not in seen
                and (e.path.split(".")[0] not in failed or e.path.split(".")[0] == "last_published")
                and (compared or e.path != "last_published.template_version")
            ]
            raise ValidationError([*first, *more]) from None
        raise ValidationError(first)

    converter.register_structure_hook(PlanTemplate, structure)


_template_hooks()
