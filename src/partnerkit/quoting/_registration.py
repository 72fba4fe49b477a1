"""What quoting needs to know about a deal registration: a structural protocol."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

__all__ = ["APPROVED", "REWARD_STAGES", "RegistrationLike", "earns_reward_margin", "is_approved"]

#: The stage value of an approved registration (``Stage.APPROVED.value`` in
#: :mod:`partnerkit.deals`); a stage compares equal to it, or has it as ``.value``.
APPROVED = "approved"

#: The stage values whose registrations earn the reward margin: approved, and
#: order started (the quote became an order; revisions keep the reward).
REWARD_STAGES = frozenset({APPROVED, "order_started"})


@runtime_checkable
class RegistrationLike(Protocol):
    """A deal registration as quoting sees it: who registered which prospect, and its stage.

    :mod:`partnerkit.deals`' ``DealRegistration`` satisfies it structurally,
    and so can a host's own record: ``id``, ``partner_id`` and
    ``prospect_id`` are strings; ``stage`` is the registration's stage, a
    string such as ``"approved"`` or an enum whose ``value`` is one. A
    registration earns the reward margin while approved or order started (see
    :func:`earns_reward_margin`). Quoting never changes
    a registration: moving it to ORDER_STARTED or ORDER_SUBMITTED is the job
    of the deal-to-order process in :mod:`partnerkit.services`
    (:func:`~partnerkit.services.start_order`,
    :func:`~partnerkit.services.submit_order`).
    """

    @property
    def id(self) -> str:
        """The registration's identifier."""
        ...

    @property
    def partner_id(self) -> str:
        """The partner that registered the deal."""
        ...

    @property
    def prospect_id(self) -> str:
        """The prospect (end customer) the deal is for."""
        ...

    @property
    def stage(self) -> object:
        """The registration's stage: ``"approved"`` or an enum with that ``value`` when approved."""
        ...


def is_approved(registration: RegistrationLike | None) -> bool:
    """Whether ``registration`` is in the APPROVED stage (None is not).

    >>> from types import SimpleNamespace
    >>> is_approved(SimpleNamespace(id="DR-1", partner_id="p", prospect_id="x", stage="approved"))
    True
    """
    if registration is None:
        return False
    stage = registration.stage
    return bool(getattr(stage, "value", stage) == APPROVED)


def earns_reward_margin(registration: RegistrationLike | None) -> bool:
    """Whether quotes for ``registration``'s prospect earn the reward margin now.

    A registration that says so itself (an ``earns_reward_margin`` attribute,
    as :mod:`partnerkit.deals`' registrations have) decides; otherwise its
    stage must be one of :data:`REWARD_STAGES`. None earns nothing.

    >>> from types import SimpleNamespace
    >>> earns_reward_margin(SimpleNamespace(stage="order_started"))
    True
    >>> earns_reward_margin(SimpleNamespace(stage="declined"))
    False
    """
    if registration is None:
        return False
    own = getattr(registration, "earns_reward_margin", None)
    if isinstance(own, bool):
        return own
    stage = registration.stage
    return getattr(stage, "value", stage) in REWARD_STAGES
