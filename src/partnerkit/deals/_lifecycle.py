"""The deal registration stage table: stages, transitions and the four-step progress bar.

The table is plain data (:data:`TRANSITIONS`) so a host can read it: a portal
draws its progress bar from :data:`PROGRESS_STEPS`, an admin page lists who may
move a registration where.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

import attrs
from babel.core import Locale

from partnerkit.core import converter
from partnerkit.core._money import _locale  # the one locale check
from partnerkit.core._validation import expect
from partnerkit.core.errors import ValidationError
from partnerkit.locale import N_, gettext

__all__ = [
    "ACTIVE_STAGES",
    "CLOSED_STAGES",
    "PROGRESS_STEPS",
    "STAGE_LABELS",
    "TRANSITIONS",
    "ProgressStep",
    "Stage",
    "StepState",
    "Transition",
    "deal_stage_label",
    "progress",
    "transition_for",
]


class Stage(str, Enum):
    """Where a deal registration stands; the value is the stable key stored and exchanged."""

    #: Registered by the partner, awaiting the vendor's review.
    OPPORTUNITY = "opportunity"
    #: Approved by the vendor (a quote is generated with the reward margin).
    APPROVED = "approved"
    #: The quote has been progressed to an order.
    ORDER_STARTED = "order_started"
    #: The customer confirmed the order and it was submitted.
    ORDER_SUBMITTED = "order_submitted"
    #: Refused by the vendor, with a reason.
    DECLINED = "declined"
    #: Not reviewed in time, or past a deadline.
    EXPIRED = "expired"
    #: The customer bought elsewhere or not at all.
    LOST = "lost"
    #: Taken back by the partner.
    WITHDRAWN = "withdrawn"


#: English labels (msgids) of the stages; translate with :func:`deal_stage_label`.
STAGE_LABELS: dict[Stage, str] = {
    Stage.OPPORTUNITY: N_("Opportunity"),
    Stage.APPROVED: N_("Approved"),
    Stage.ORDER_STARTED: N_("Order started"),
    Stage.ORDER_SUBMITTED: N_("Order submitted"),
    Stage.DECLINED: N_("Declined"),
    Stage.EXPIRED: N_("Expired"),
    Stage.LOST: N_("Lost"),
    Stage.WITHDRAWN: N_("Withdrawn"),
}

#: The stages in which a registration holds (or claims) the prospect for its partner.
ACTIVE_STAGES: frozenset[Stage] = frozenset(
    {Stage.OPPORTUNITY, Stage.APPROVED, Stage.ORDER_STARTED}
)

#: The stages no transition leaves.
CLOSED_STAGES: frozenset[Stage] = frozenset(
    {Stage.ORDER_SUBMITTED, Stage.DECLINED, Stage.EXPIRED, Stage.LOST, Stage.WITHDRAWN}
)


@attrs.frozen
class Transition:
    """One allowed move: its ``name`` (the service verb), from which stages, to which stage.

    ``parties`` says who may fire it (``"partner"``, ``"vendor"``, ``"system"``);
    ``needs_reason`` is true when a note is required (declining).
    """

    name: str
    sources: frozenset[Stage]
    target: Stage
    parties: frozenset[str]
    needs_reason: bool = False


_PARTNER = frozenset({"partner"})
_VENDOR = frozenset({"vendor"})
_EITHER = frozenset({"partner", "vendor"})

#: Every transition of the lifecycle: the main path, then the side exits.
TRANSITIONS: tuple[Transition, ...] = (
    Transition("approve", frozenset({Stage.OPPORTUNITY}), Stage.APPROVED, _VENDOR),
    Transition("start_order", frozenset({Stage.APPROVED}), Stage.ORDER_STARTED, _EITHER),
    Transition("submit_order", frozenset({Stage.ORDER_STARTED}), Stage.ORDER_SUBMITTED, _EITHER),
    Transition(
        "decline", frozenset({Stage.OPPORTUNITY}), Stage.DECLINED, _VENDOR, needs_reason=True
    ),
    Transition("expire", ACTIVE_STAGES, Stage.EXPIRED, frozenset({"system", "vendor"})),
    Transition("mark_lost", frozenset({Stage.APPROVED, Stage.ORDER_STARTED}), Stage.LOST, _EITHER),
    Transition("withdraw", ACTIVE_STAGES, Stage.WITHDRAWN, _PARTNER | _VENDOR),
)

_BY_NAME: dict[str, Transition] = {t.name: t for t in TRANSITIONS}

#: The four steps of the progress bar, in order.
PROGRESS_STEPS: tuple[Stage, ...] = (
    Stage.OPPORTUNITY,
    Stage.APPROVED,
    Stage.ORDER_STARTED,
    Stage.ORDER_SUBMITTED,
)

#: How a progress step is drawn: passed, the current one, still ahead, or never reached.
StepState = Literal["done", "current", "upcoming", "skipped"]


@attrs.frozen
class ProgressStep:
    """One step of the progress bar: its stage, its English label (msgid), and its state."""

    stage: Stage
    label: str
    state: StepState


def transition_for(name: str) -> Transition:
    """The transition called ``name``.

    A name not in :data:`TRANSITIONS` is a :class:`~partnerkit.core.errors.ValidationError`
    at ``name`` (``invalid_choice``; ``invalid`` for a value that is no text).

    >>> transition_for("decline").needs_reason
    True
    """
    transition = _BY_NAME.get(expect(name, str, "name", "text"))
    if transition is None:
        raise ValidationError.single(
            "name", "invalid_choice", f"{name!r} is not one of: {', '.join(_BY_NAME)}"
        )
    return transition


def deal_stage_label(stage: Stage, locale: str | Locale = "en") -> str:
    """The label of ``stage`` in ``locale`` (English when there is no translation).

    >>> deal_stage_label(Stage.ORDER_STARTED, "de")
    'Bestellung begonnen'
    """
    _locale(locale)
    return gettext(STAGE_LABELS[Stage(stage)], locale)


def progress(
    stage: Stage, reached: Stage | None = None, locale: str | Locale | None = None
) -> tuple[ProgressStep, ...]:
    """The four progress steps with the current one marked.

    For a side exit (declined, expired, lost, withdrawn) pass ``reached``, the
    last step of the main path the registration got to: that step is shown
    ``"current"`` and the later ones ``"skipped"``. With ``locale`` the labels
    are translated.

    >>> [s.state for s in progress(Stage.APPROVED)]
    ['done', 'current', 'upcoming', 'upcoming']
    """
    if locale is not None:
        _locale(locale)
    current = stage if stage in PROGRESS_STEPS else (reached or Stage.OPPORTUNITY)
    closed_early = stage not in PROGRESS_STEPS
    if current not in PROGRESS_STEPS:
        raise ValidationError.single(
            "reached", "invalid", f"{current!r} is not a step of the main path"
        )
    position = PROGRESS_STEPS.index(current)
    steps = []
    for index, step in enumerate(PROGRESS_STEPS):
        state: StepState
        if index < position:
            state = "done"
        elif index == position:
            state = "current"
        else:
            state = "skipped" if closed_early else "upcoming"
        label = STAGE_LABELS[step]
        steps.append(ProgressStep(step, gettext(label, locale) if locale else label, state))
    return tuple(steps)


def _structure_stage(value: object, _: object) -> Stage:
    try:
        return Stage(value)
    except ValueError:
        allowed = ", ".join(s.value for s in Stage)
        raise ValidationError.single(
            "", "invalid_choice", f"{value!r} is not a stage ({allowed})"
        ) from None


# Stage is a str subclass: without these hooks the strict str hook would keep plain strings.
converter.register_structure_hook(Stage, _structure_stage)
converter.register_unstructure_hook(Stage, lambda stage: stage.value)
