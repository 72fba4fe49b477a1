"""Use cases for partners and their users: add a partner, move it, maintain its users.

Every one has the shape ``name(uow, ctx, ...)`` and follows the rules of
:mod:`partnerkit.services`: the program's permissions, one commit, all or
nothing, and a partner or user the actor may not reach is ``NotFound``.

Every user-maintenance use case also saves the user's :class:`~partnerkit.partners.Partner`
with its count of registered administrators. Saving the partner bumps its
version, so two units of work changing users of the same partner are
serialized by optimistic concurrency: the second to commit gets a
:class:`~partnerkit.core.errors.Conflict` instead of both deregistering "the
other" administrator and leaving the partner with none. The count is
checked in the same unit of work that writes the partner, so the partner's
version is the guard of the check.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from partnerkit.core import ErrorCollector
from partnerkit.core._validation import expected
from partnerkit.core.errors import Conflict, ValidationError
from partnerkit.partners import (
    ADMINISTRATOR,
    DEREGISTERED,
    EDITABLE_PARTNER_FIELDS,
    MANAGE_PARTNERS,
    MANAGE_USERS,
    PARTNER_ROLES,
    REGISTERED,
    USER,
    Certification,
    Partner,
    PartnerEdited,
    PartnerStageChanged,
    PartnerUser,
    PartnerUserChanged,
    RegistrationChange,
    StageChange,
    authorize,
    validate_partner,
    validate_user,
)
from partnerkit.services._context import Context, load, reading, use_case
from partnerkit.storage import (
    DEFAULT_PAGE_SIZE,
    PARTNER_USERS,
    PARTNERS,
    Page,
    Repository,
    UnitOfWork,
)

__all__ = [
    "add_partner",
    "change_partner_stage",
    "deregister_user",
    "edit_partner",
    "edit_user",
    "list_users",
    "register_user",
    "reregister_user",
]


_PENDING_ID = "PU-pending"


def _in_program(ctx: Context, partner: Partner) -> Partner:
    # A partner without its own currency or locale takes the program's.
    program = ctx.program
    return attrs.evolve(
        partner,
        currency=partner.currency or program.currency,
        locale=partner.locale or program.locale,
    )


@use_case
def add_partner(
    uow: UnitOfWork,
    ctx: Context,
    partner: Partner,
) -> Partner:
    """Validate and store a new partner (``manage_partners``), and commit.

    Its type must be one of the program's partner types (its ``[partners]``
    table). Its first stage is recorded in ``stage_history`` (from ``""``) and raised
    as :class:`~partnerkit.partners.PartnerStageChanged`. A partner given no
    ``currency`` or ``locale`` takes the program's. Raises
    ``PermissionDenied``, ``ValidationError``, or ``Conflict`` when the id or
    the domain is taken (``field == "domain"``).
    """
    clean = _in_program(
        ctx, validate_partner(partner, partner_types=ctx.program.partner_types, path="partner")
    )
    authorize(ctx.actor, MANAGE_PARTNERS, clean, ctx.permissions)
    first = PartnerStageChanged(
        clean.id, StageChange(ctx.actor.user_id, ctx.now(), "", clean.stage, "added to the program")
    )
    clean = attrs.evolve(
        clean,
        stage_history=(first.change,),
        registered_administrators=0,
        version=0,
    )
    stored = uow.repository(PARTNERS).add(clean)
    uow.record(first)
    return stored


@use_case
def edit_partner(
    uow: UnitOfWork,
    ctx: Context,
    partner_id: str,
    changes: Mapping[str, object],
) -> Partner:
    """Change fields of a partner's record (``manage_partners``), and commit.

    ``changes`` maps names from :data:`~partnerkit.partners.EDITABLE_PARTNER_FIELDS`
    (name, domain, type, region, industry, tier, account manager, agreement
    and renewal dates, currency, locale, address) to their new values; the
    lifecycle stage changes through :func:`change_partner_stage` and the
    administrator count through user maintenance. The result is validated
    like a new partner and raised as :class:`~partnerkit.partners.PartnerEdited`
    with every changed field. Raises ``ValidationError`` naming every bad or
    unknown field (``changes.<field>``), ``PermissionDenied``, ``NotFound``, or
    ``Conflict`` (a stale partner, or a domain another partner holds).
    """
    if not isinstance(changes, Mapping):
        raise ValidationError.single("changes", "invalid", expected("a mapping of fields", changes))
    errors = ErrorCollector()
    unknown = [key for key in changes if key not in EDITABLE_PARTNER_FIELDS]
    for key in unknown:
        errors.add(f"changes.{key}", "unknown", f"{key!r} cannot be edited here")
    errors.raise_if_any()
    partner = load(uow, ctx, PARTNERS, partner_id, MANAGE_PARTNERS)
    partners = uow.repository(PARTNERS)
    with errors.catch("changes"):
        edited = _in_program(
            ctx,
            validate_partner(
                attrs.evolve(partner, **changes),  # type: ignore[arg-type]
                partner_types=ctx.program.partner_types,
                path="",
            ),
        )
    errors.raise_if_any()
    diff = tuple(
        (name, str(getattr(partner, name)), str(getattr(edited, name)))
        for name in EDITABLE_PARTNER_FIELDS
        if getattr(partner, name) != getattr(edited, name)
    )
    if not diff:
        return partner
    stored = partners.save(edited)
    uow.record(PartnerEdited(partner_id, ctx.actor.user_id, ctx.now(), diff))
    return stored


@use_case
def change_partner_stage(
    uow: UnitOfWork, ctx: Context, partner_id: str, to_stage: str, *, note: str = ""
) -> Partner:
    """Move a partner to another lifecycle stage (``manage_partners``), record it, and commit.

    Raises ``NotFound``, ``PermissionDenied``, ``InvalidTransition`` (the
    lifecycle does not allow the move), or ``Conflict`` (changed meanwhile).
    """
    partner = load(uow, ctx, PARTNERS, partner_id, MANAGE_PARTNERS)
    moved = partner.change_stage(to_stage, by=ctx.actor.user_id, at=ctx.now(), note=note)
    stored = uow.repository(PARTNERS).save(moved)
    uow.record(PartnerStageChanged(stored.id, stored.stage_history[-1]))
    return stored


def _admins(users: Repository[PartnerUser], partner_id: str) -> int:
    return users.count({"partner_id": partner_id, "status": REGISTERED, "role": ADMINISTRATOR})


def _write(
    uow: UnitOfWork,
    partner: Partner,
    before: PartnerUser | None,
    after: PartnerUser,
    event: PartnerUserChanged,
) -> PartnerUser:
    """Stage ``after`` and the partner with its new administrator count.

    The count is read in this unit of work and guarded by the partner's
    version: should another unit of work change the partner's users
    meanwhile, saving the partner (or the commit) is a ``Conflict``.
    """
    users = uow.repository(PARTNER_USERS)
    counted = _admins(users, partner.id)
    was = before is not None and before.is_registered_administrator
    now = after.is_registered_administrator
    remaining = counted - int(was) + int(now)
    if counted > 0 and remaining <= 0:
        raise Conflict(
            "partner",
            partner.id,
            "it would leave the partner without a registered administrator",
            field="registered_administrators",
        )
    stored = users.add(after) if before is None else users.save(after)
    uow.repository(PARTNERS).save(attrs.evolve(partner, registered_administrators=remaining))
    uow.record(event)
    return stored


@use_case
def register_user(
    uow: UnitOfWork,
    ctx: Context,
    partner_id: str,
    *,
    name: str,
    email: str,
    role: str = USER,
    user_id: str | None = None,
    certifications: tuple[Certification, ...] = (),
) -> PartnerUser:
    """Register a new user of a partner (``manage_users`` on the partner), and commit.

    The id is ``user_id``, or ``PU-000001`` and onwards from the storage's
    sequence, taken only once the input is valid. Raises ``PermissionDenied``
    (the role may not manage users), ``NotFound`` (no such partner, or one
    the actor may not reach),
    ``ValidationError`` (every bad field), or ``Conflict`` (the e-mail is taken
    by any partner's user, ``field == "email"``; or the partner changed meanwhile).
    """
    partner = load(uow, ctx, PARTNERS, partner_id, MANAGE_USERS)
    actor = ctx.actor
    at = ctx.now()
    user = validate_user(
        PartnerUser(
            _PENDING_ID if user_id is None else user_id,
            partner.id,
            name,
            email,
            role=role,
            history=(RegistrationChange(actor.user_id, at, "", REGISTERED),),
            certifications=certifications,
        ),
        roles=PARTNER_ROLES,
    )
    if user_id is None:
        # Number the user only once the input is known to be good.
        user = attrs.evolve(user, id=f"PU-{uow.sequences.next('partner_users'):06d}")
    event = PartnerUserChanged(user.id, partner.id, "registered", actor.user_id, at)
    return _write(uow, partner, None, user, event)


def _load_user(uow: UnitOfWork, ctx: Context, user_id: str) -> tuple[Partner, PartnerUser]:
    # The user decides the partner: a user the actor may not reach is NotFound.
    user = load(uow, ctx, PARTNER_USERS, user_id, MANAGE_USERS)
    return uow.repository(PARTNERS).get(user.partner_id), user


@use_case
def edit_user(
    uow: UnitOfWork,
    ctx: Context,
    user_id: str,
    *,
    name: str | None = None,
    email: str | None = None,
    role: str | None = None,
    certifications: tuple[Certification, ...] | None = None,
) -> PartnerUser:
    """Change a user's name, e-mail, role or certifications (``manage_users``), and commit.

    Fields left ``None`` stay as they are. Raises ``NotFound``,
    ``PermissionDenied``, ``ValidationError``, or ``Conflict``: the e-mail is
    taken (``field == "email"``), the partner changed meanwhile, or the change
    would take the role from the partner's last registered administrator
    (``field == "registered_administrators"``).
    """
    partner, user = _load_user(uow, ctx, user_id)
    edited = validate_user(
        attrs.evolve(
            user,
            name=user.name if name is None else name,
            email=user.email if email is None else email,
            role=user.role if role is None else role,
            certifications=user.certifications if certifications is None else certifications,
        ),
        roles=PARTNER_ROLES,
    )
    diff = {
        field: (str(getattr(user, field)), str(getattr(edited, field)))
        for field in ("name", "email", "role")
        if getattr(user, field) != getattr(edited, field)
    }
    if edited.certifications != user.certifications:
        diff["certifications"] = (str(len(user.certifications)), str(len(edited.certifications)))
    event = PartnerUserChanged(user.id, partner.id, "edited", ctx.actor.user_id, ctx.now(), diff)
    return _write(uow, partner, user, edited, event)


@use_case
def deregister_user(uow: UnitOfWork, ctx: Context, user_id: str, *, note: str = "") -> PartnerUser:
    """Withdraw a user's access (``manage_users``), recording who and when, and commit.

    The record stays, with its e-mail reserved, for :func:`reregister_user`.
    Raises ``NotFound``, ``PermissionDenied``, ``InvalidTransition`` (already
    deregistered), or ``Conflict``: the partner changed meanwhile, or the
    user is its last registered administrator (``field == "registered_administrators"``).
    """
    partner, user = _load_user(uow, ctx, user_id)
    at = ctx.now()
    changed = user.deregister(by=ctx.actor.user_id, at=at, note=note)
    event = PartnerUserChanged(user.id, partner.id, DEREGISTERED, ctx.actor.user_id, at)
    return _write(uow, partner, user, changed, event)


@use_case
def reregister_user(uow: UnitOfWork, ctx: Context, user_id: str, *, note: str = "") -> PartnerUser:
    """Give a deregistered user access again (``manage_users``), and commit.

    Raises ``NotFound``, ``PermissionDenied``, ``InvalidTransition`` (already
    registered), or ``Conflict`` (the partner changed meanwhile).
    """
    partner, user = _load_user(uow, ctx, user_id)
    at = ctx.now()
    changed = user.reregister(by=ctx.actor.user_id, at=at, note=note)
    event = PartnerUserChanged(user.id, partner.id, "reregistered", ctx.actor.user_id, at)
    return _write(uow, partner, user, changed, event)


@reading
def list_users(
    uow: UnitOfWork,
    ctx: Context,
    partner_id: str,
    *,
    status: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    cursor: str | None = None,
) -> Page[PartnerUser]:
    """One page of a partner's users (``manage_users``), filtered by registration status.

    ``status`` is ``"registered"``, ``"deregistered"`` or None for both; the
    filter runs in storage through the ``status`` index. Ordered by id; pass
    ``next_cursor`` back for the next page. Raises ``NotFound``,
    ``PermissionDenied`` or ``ValidationError`` (a bad status, limit or cursor).
    """
    partner = load(uow, ctx, PARTNERS, partner_id, MANAGE_USERS)
    where: dict[str, str] = {"partner_id": partner.id}
    if status is not None:
        if status not in (REGISTERED, DEREGISTERED):
            raise ValidationError.single(
                "status", "invalid_choice", f"{status!r} is not 'registered' or 'deregistered'"
            )
        where["status"] = status
    return uow.repository(PARTNER_USERS).list(where, limit=limit, cursor=cursor)
