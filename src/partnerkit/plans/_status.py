"""The plan status table: statuses, their labels, and which steps lead where."""

from __future__ import annotations

from enum import Enum
from operator import attrgetter

from babel.core import Locale

from partnerkit.core._money import _locale
from partnerkit.locale import N_, gettext

__all__ = [
    "CONTENT_STATUSES",
    "PLAN_STATUS_LABELS",
    "PLAN_TRANSITIONS",
    "WORKING_STATUSES",
    "PlanStatus",
    "plan_status_label",
]


class PlanStatus(str, Enum):
    """Where a plan stands; the value is the stable key stored and exchanged."""

    #: Being written by the vendor; the partner cannot see it.
    DRAFT = "draft"
    #: Shared with the partner for review: the partner comments and proposes.
    SHARED = "shared"
    #: Signed off by both sides: the content of the revision is frozen.
    SIGNED_OFF = "signed_off"
    #: Being worked on during its fiscal year.
    IN_PROGRESS = "in_progress"
    #: Finished.
    COMPLETED = "completed"
    #: Ended without being completed.
    CLOSED = "closed"


#: English labels (msgids); translate with :func:`plan_status_label`.
PLAN_STATUS_LABELS: dict[PlanStatus, str] = {
    PlanStatus.DRAFT: N_("Draft"),
    PlanStatus.SHARED: N_("Shared for review"),
    PlanStatus.SIGNED_OFF: N_("Signed off"),
    PlanStatus.IN_PROGRESS: N_("In progress"),
    PlanStatus.COMPLETED: N_("Completed"),
    PlanStatus.CLOSED: N_("Closed"),
}

#: The statuses in which the vendor may change the plan's content.
CONTENT_STATUSES: frozenset[PlanStatus] = frozenset({PlanStatus.DRAFT, PlanStatus.SHARED})

#: The statuses in which tasks are checked off, milestones held and custom actuals entered.
WORKING_STATUSES: frozenset[PlanStatus] = frozenset(
    {PlanStatus.SHARED, PlanStatus.SIGNED_OFF, PlanStatus.IN_PROGRESS}
)

#: Every status change by its step: the step's name -> (the statuses it leaves, where it goes).
#: ``sign_off`` moves only when the second side signs.
PLAN_TRANSITIONS: dict[str, tuple[frozenset[PlanStatus], PlanStatus]] = {
    "share": (frozenset({PlanStatus.DRAFT}), PlanStatus.SHARED),
    "sign_off": (frozenset({PlanStatus.SHARED}), PlanStatus.SIGNED_OFF),
    "start": (frozenset({PlanStatus.SIGNED_OFF}), PlanStatus.IN_PROGRESS),
    "complete": (frozenset({PlanStatus.IN_PROGRESS}), PlanStatus.COMPLETED),
    "close": (
        frozenset(
            {PlanStatus.DRAFT, PlanStatus.SHARED, PlanStatus.SIGNED_OFF, PlanStatus.IN_PROGRESS}
        ),
        PlanStatus.CLOSED,
    ),
    "reopen": (frozenset({PlanStatus.SIGNED_OFF, PlanStatus.IN_PROGRESS}), PlanStatus.SHARED),
}


def plan_status_label(status: PlanStatus, locale: str | Locale = "en") -> str:
    """The name of a plan status in ``locale``'s language (English without a catalog)."""
    _locale(locale)
    return gettext(PLAN_STATUS_LABELS[PlanStatus(status)], locale)


def _enum_hooks(kind: type[Enum], what: str) -> None:
    """Read ``kind`` back from its stored value (a str subclass would stay a plain string)."""
    from partnerkit.core import converter
    from partnerkit.core.errors import ValidationError

    members = kind._value2member_map_  # value -> member, as Enum's own lookup finds it

    def structure(value: object, _: object) -> Enum:
        member = members.get(value) if type(value) is str else None
        if member is not None:
            return member  # a stored value, found without Enum.__call__
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(str(k.value) for k in kind)
            raise ValidationError.single(
                "", "invalid_choice", f"{value!r} is not {what} ({allowed})"
            ) from None

    converter.register_structure_hook(kind, structure)
    # ``_value_`` is what Enum's ``value`` property reads, without the property's call.
    converter.register_unstructure_hook(kind, attrgetter("_value_"))


_enum_hooks(PlanStatus, "a plan status")
