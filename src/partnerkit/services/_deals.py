"""Use cases for prospects and deal registrations: register, review, extend, expire, search.

Every one has the shape ``name(uow, ctx, ...)`` and follows the rules of
:mod:`partnerkit.services` (one commit, all or nothing, the program's time
zone, another partner's registration is ``NotFound``). What a registration's
stage change does to its quotes and orders (the approval quote, the reward
margin leaving open quotes) belongs to the deal-to-order process,
:mod:`partnerkit.services._process`, which these use cases call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from partnerkit.core import DomainEvent
from partnerkit.core._cursor import pack_cursor, unpack_cursor
from partnerkit.core.errors import Conflict, PermissionDenied, ValidationError
from partnerkit.deals import (
    ACTIVE_STAGES,
    DealQuery,
    DealRegistration,
    DomainCheck,
    Prospect,
    RegistrationForm,
    check_channel,
    new_registration,
    prospect_domain,
    validate_registration_form,
)
from partnerkit.deals._search import matches, sort_key  # the search rules, for this use case only
from partnerkit.partners import APPROVE_DEALS, REGISTER_DEALS
from partnerkit.services._context import (
    Context,
    load,
    narrowed,
    reading,
    require_partner,
    require_program_wide,
    retrying_use_case,
    use_case,
)
from partnerkit.services._paging import every
from partnerkit.services._process import quote_on_approval, save_leaving
from partnerkit.storage import (
    DEAL_REGISTRATIONS,
    MAX_PAGE_SIZE,
    PARTNER_USERS,
    PARTNERS,
    PROSPECTS,
    IndexValue,
    Page,
    UnitOfWork,
)

__all__ = [
    "AutoApprovalRule",
    "ExpiryReport",
    "approve_deal",
    "decide_extension",
    "decline_deal",
    "expire_due",
    "get_deal",
    "mark_deal_lost",
    "register_deal",
    "request_extension",
    "search_deals",
    "verify_domain",
    "withdraw_deal",
]

#: Decides, for ``approval_mode = "automatic"``, whether a new registration is approved.
AutoApprovalRule = Callable[[DealRegistration], bool]

_POLICY_ACTOR = "policy"


@attrs.frozen
class ExpiryReport:
    """What :func:`expire_due` changed: the registrations expired and why, and what it checked."""

    expired: tuple[tuple[str, str], ...]
    checked: int
    skipped: tuple[str, ...] = ()


# -- helpers -------------------------------------------------------------------------------


def _territory(ctx: Context) -> str | None:
    # en_GB -> GB: national telephone numbers are read in the program's country.
    locale = ctx.program.locale
    return locale.rsplit("_", 1)[1].upper() if "_" in locale else None


def _by_side(ctx: Context) -> str:
    # What a registration asks of the actor's side: the partner registers, the vendor reviews.
    return REGISTER_DEALS if ctx.actor.partner_id is not None else APPROVE_DEALS


def _registration(
    uow: UnitOfWork, ctx: Context, registration_id: str, permission: str | None
) -> DealRegistration:
    # ``permission`` None: the permission of the actor's side (:func:`_by_side`).
    return load(uow, ctx, DEAL_REGISTRATIONS, registration_id, permission or _by_side(ctx))


def _save(uow: UnitOfWork, step: tuple[DealRegistration, DomainEvent]) -> DealRegistration:
    # A step that keeps what the registration earns (approval, extensions).
    deal, event = step
    stored = uow.repository(DEAL_REGISTRATIONS).save(deal)
    uow.record(event)
    return stored


def _find_prospect(uow: UnitOfWork, domain: str) -> Prospect | None:
    found = uow.repository(PROSPECTS).list({"domain": domain}, limit=1)
    return found.items[0] if found.items else None


def _active_for(uow: UnitOfWork, prospect_id: str) -> list[DealRegistration]:
    held = every(
        uow.repository(DEAL_REGISTRATIONS), {"prospect_id": prospect_id}, limit=MAX_PAGE_SIZE
    )
    return [d for d in held if d.stage in ACTIVE_STAGES]


def _registering_partner(ctx: Context) -> str:
    # Deals are registered by a partner's users, whatever a vendor-side role may hold.
    actor = ctx.actor
    if actor.partner_id is None:
        raise PermissionDenied(
            f"{actor.role} {actor.user_id!r}",
            REGISTER_DEALS,
            "deal registrations",
            "deals are registered by a partner's users",
        )
    return actor.partner_id


# -- prospects -----------------------------------------------------------------------------


@reading
def verify_domain(uow: UnitOfWork, ctx: Context, company_name: str, domain: str) -> DomainCheck:
    """Check a company domain before registering: is there a prospect to select.

    Needs ``register_deals``. Returns the normalized domain and, for an
    existing prospect, only what the portal may show: its id and name, and
    whether some partner holds an active registration for it, never which
    partner or user. Reads only. Raises :class:`ValidationError` at
    ``company.domain`` for a malformed or free-mail domain (code ``free_mail``).
    """
    require_partner(ctx, REGISTER_DEALS, _registering_partner(ctx), "prospect")
    normalized = prospect_domain(domain, ctx.registration_policy)
    prospect = _find_prospect(uow, normalized)
    if prospect is None:
        return DomainCheck(normalized, company_name)
    registered = bool(_active_for(uow, prospect.id))
    return DomainCheck(normalized, company_name, prospect.id, prospect.name, registered)


def _guarded_prospect(
    uow: UnitOfWork, ctx: Context, name: str, domain: str
) -> tuple[Prospect, bool]:
    """The prospect for ``domain``, written in this unit of work (found and touched, or created).

    Writing it is the guard of the checks that read its registrations: two
    registrations racing for one prospect both write it, so the second to
    commit gets a :class:`Conflict` (a stale version, or a taken domain) and
    its use case reads again, now seeing the first one's registration.
    """
    repository = uow.repository(PROSPECTS)
    existing = _find_prospect(uow, domain)
    if existing is not None:
        return repository.save(existing), False
    at = ctx.now()
    number = uow.sequences.next("prospects")
    prospect = Prospect(f"PR-{number:06d}", name, domain, at, ctx.actor.user_id)
    return repository.add(prospect), True


def _guard_lost(exc: Conflict) -> bool:
    # The prospect's write lost a race: read again.
    return exc.kind == PROSPECTS.kind


# -- registering and reviewing --------------------------------------------------------------


@retrying_use_case(_guard_lost)
def register_deal(
    uow: UnitOfWork,
    ctx: Context,
    form: RegistrationForm,
    *,
    auto_approve: AutoApprovalRule | None = None,
) -> DealRegistration:
    """Validate ``form``, find or create the prospect, store the registration, commit.

    The actor must be a partner-side user whose role holds
    :data:`~partnerkit.partners.REGISTER_DEALS` (else :class:`PermissionDenied`);
    the registration is its partner's. The form is validated against the
    program's registration policy, with the partner section's company name
    taken from the partner record and its contact e-mail from the
    registering user's record (when there is one): one
    :class:`ValidationError` names every bad field. The prospect is found by
    domain or created. The checks that read other registrations run after
    the prospect is written (the guard two racing registrations collide
    on; the loser reads again): a second active registration of the same
    partner for the prospect and product is refused at
    ``opportunity.product`` as ``duplicate``; if other partners hold the
    prospect, the registration is flagged or declined per the policy's
    ``channel_conflict``. In ``automatic`` approval mode it is approved at
    once when ``auto_approve`` (if given) agrees, and its approval quote is
    made in the same commit. The number comes from the
    ``deal_registrations_<year>`` sequence (``DR-2026-000123``). A failure
    writes nothing.
    """
    actor = ctx.actor
    partner = load(uow, ctx, PARTNERS, _registering_partner(ctx), REGISTER_DEALS)
    user = uow.repository(PARTNER_USERS).find(actor.user_id)
    email = user.email if user is not None and user.partner_id == partner.id else None
    settings = ctx.registration_policy
    now = ctx.now()
    clean = validate_registration_form(
        form,
        settings,
        today=now.date(),
        partner_name=partner.name,
        partner_email=email,
        default_region=_territory(ctx),
    )
    prospect, created = _guarded_prospect(uow, ctx, clean.company.name, clean.company.domain)
    active = () if created else _active_for(uow, prospect.id)
    channel = check_channel(partner.id, clean.opportunity.product, active)
    if channel.duplicates:
        raise ValidationError.single(
            "opportunity.product",
            "duplicate",
            f"you already hold {channel.duplicates[0]} for this prospect and product",
        )
    number = f"DR-{now.year}-{uow.sequences.next(f'deal_registrations_{now.year}'):06d}"
    deal, registered = new_registration(
        number,
        partner.id,
        prospect,
        clean,
        actor.user_id,
        now,
        settings,
        prospect_created=created,
        conflicting=channel.conflicting,
    )
    events: list[DomainEvent] = [registered]
    approved = False
    if channel.conflicting and settings.channel_conflict == "decline":
        deal, declined = deal.decline(
            _POLICY_ACTOR, now, "channel conflict: the prospect is registered by another partner"
        )
        events.append(declined)
    elif settings.approval_mode == "automatic" and (auto_approve is None or auto_approve(deal)):
        deal, event = deal.approve(_POLICY_ACTOR, now, settings)
        events.append(event)
        approved = True
    stored = uow.repository(DEAL_REGISTRATIONS).add(deal)
    uow.record(*events)
    if approved:
        quote_on_approval(uow, ctx, stored)
    return stored


@use_case
def approve_deal(uow: UnitOfWork, ctx: Context, registration_id: str) -> DealRegistration:
    """Approve an opportunity (vendor side), set its deadlines and make its approval quote.

    The actor's role must hold :data:`~partnerkit.partners.APPROVE_DEALS` and
    reach the registration's partner. In a program with ``[pricing]`` the
    approval quote (the opportunity's product and seats, the partner's tier
    margins, the reward margin) is made in the same commit, priced on the
    program's date; if it fails, nothing is written. Raises
    :class:`PermissionDenied`, :class:`~partnerkit.core.errors.NotFound`,
    :class:`~partnerkit.core.errors.InvalidTransition`, or :class:`Conflict`
    when someone else changed the registration meanwhile (two concurrent
    approvals: exactly one wins).
    """
    deal = _registration(uow, ctx, registration_id, APPROVE_DEALS)
    stored = _save(uow, deal.approve(ctx.actor.user_id, ctx.now(), ctx.registration_policy))
    quote_on_approval(uow, ctx, stored)
    return stored


@use_case
def decline_deal(
    uow: UnitOfWork, ctx: Context, registration_id: str, reason: str
) -> DealRegistration:
    """Decline an opportunity with a reason (vendor side)."""
    deal = _registration(uow, ctx, registration_id, APPROVE_DEALS)
    return save_leaving(uow, ctx, deal.decline(ctx.actor.user_id, ctx.now(), reason))


@use_case
def withdraw_deal(
    uow: UnitOfWork, ctx: Context, registration_id: str, reason: str = ""
) -> DealRegistration:
    """Withdraw an active registration (its partner or the vendor).

    Its open quotes lose the reward margin in the same commit.
    """
    return _close(
        uow, ctx, registration_id, lambda d: d.withdraw(ctx.actor.user_id, ctx.now(), reason)
    )


@use_case
def mark_deal_lost(
    uow: UnitOfWork, ctx: Context, registration_id: str, reason: str = ""
) -> DealRegistration:
    """Close an approved deal or started order as lost (its partner or the vendor).

    Its open quotes lose the reward margin in the same commit.
    """
    return _close(
        uow, ctx, registration_id, lambda d: d.mark_lost(ctx.actor.user_id, ctx.now(), reason)
    )


def _close(
    uow: UnitOfWork,
    ctx: Context,
    registration_id: str,
    step: Callable[[DealRegistration], tuple[DealRegistration, DomainEvent]],
) -> DealRegistration:
    # The registering side or the vendor closes it; the process reprices its open quotes.
    return save_leaving(uow, ctx, step(_registration(uow, ctx, registration_id, None)))


@use_case
def request_extension(
    uow: UnitOfWork, ctx: Context, registration_id: str, reason: str
) -> DealRegistration:
    """Ask for more time with a reason (the registering partner; once by default)."""
    deal = _registration(uow, ctx, registration_id, REGISTER_DEALS)
    return _save(
        uow, deal.request_extension(ctx.actor.user_id, ctx.now(), reason, ctx.registration_policy)
    )


@use_case
def decide_extension(
    uow: UnitOfWork, ctx: Context, registration_id: str, *, grant: bool, note: str = ""
) -> DealRegistration:
    """Grant or refuse the pending extension request (vendor side)."""
    deal = _registration(uow, ctx, registration_id, APPROVE_DEALS)
    step = deal.decide_extension(
        ctx.actor.user_id, ctx.now(), grant=grant, policy=ctx.registration_policy, note=note
    )
    return _save(uow, step)


@use_case
def expire_due(uow: UnitOfWork, ctx: Context) -> ExpiryReport:
    """Expire every active registration past its review date or deadline, in one commit.

    Dates are the program's, in its time zone. Run by a scheduler with
    :meth:`Context.system <partnerkit.services.Context.system>` or by a
    program administrator (``approve_deals`` program-wide). The open quotes
    of every expired registration lose the reward margin in the same commit.
    Returns what was expired and why, how many were checked, and the
    registrations skipped because someone else changed them meanwhile.
    """
    require_program_wide(ctx, APPROVE_DEALS)
    at = ctx.now()
    day = at.date()
    repository = uow.repository(DEAL_REGISTRATIONS)
    candidates = list(
        every(repository, {"stage": [s.value for s in ACTIVE_STAGES]}, limit=MAX_PAGE_SIZE)
    )
    expired: list[tuple[str, str]] = []
    skipped: list[str] = []
    for deal in sorted(candidates, key=lambda d: d.id):
        reason = deal.due_expiry(day)
        if reason is None:
            continue
        try:
            save_leaving(uow, ctx, deal.expire(ctx.actor.user_id, at, reason))
        except Conflict as exc:
            if exc.kind != DEAL_REGISTRATIONS.kind or exc.expected_version is None:
                raise  # not a stale registration: a lock timeout, say
            # Changed by someone else since it was read; a failed save writes nothing.
            skipped.append(deal.id)
            continue
        expired.append((deal.id, reason))
    return ExpiryReport(tuple(expired), len(candidates), tuple(skipped))


# -- reading ----------------------------------------------------------------------------------


@reading
def get_deal(uow: UnitOfWork, ctx: Context, registration_id: str) -> DealRegistration:
    """Read one registration: a partner's users read their own, the vendor side what it reaches.

    A registration the actor may not see (another partner's, or one of a
    partner an account manager does not manage) is
    :class:`~partnerkit.core.errors.NotFound`, as if it did not exist.
    """
    return _registration(uow, ctx, registration_id, None)


_BAD_CURSOR = "not a cursor of this listing"


def _decode_cursor(order_by: str, cursor: str) -> tuple[str, str]:
    data = unpack_cursor(cursor, _BAD_CURSOR)
    if not (
        isinstance(data, list)
        and len(data) == 3
        and data[0] == order_by
        and all(isinstance(v, str) for v in data)
    ):
        raise ValidationError.single("cursor", "invalid", _BAD_CURSOR)
    return (data[1], data[2])


@reading
def search_deals(uow: UnitOfWork, ctx: Context, query: DealQuery) -> Page[DealRegistration]:
    """One page of the registrations the actor may see that match ``query``, in its order.

    A partner's user sees only its partner's registrations (a
    ``partner_id`` naming another partner gives an empty page), a partner
    account manager those of the partners they manage, a program
    administrator all. Matching on text is case- and accent-insensitive
    over the deal number and the prospect name. Follow ``next_cursor`` for
    the next page.
    """
    if not isinstance(query, DealQuery):
        raise ValidationError.single("query", "invalid", "expected a DealQuery")
    reach = narrowed(ctx, _by_side(ctx), query.partner_id)
    where: dict[str, IndexValue | Sequence[IndexValue]] = {}
    if reach is not None:
        if not reach:
            return Page((), None)
        where["partner_id"] = reach
    if query.stages:
        where["stage"] = [s.value for s in query.stages]
    after = _decode_cursor(query.order_by, query.cursor) if query.cursor else None
    descending = query.order_by.startswith("-")
    keyed = sorted(
        (
            (sort_key(d, query.order_by), d)
            for d in every(uow.repository(DEAL_REGISTRATIONS), where, limit=MAX_PAGE_SIZE)
            if matches(d, query)
        ),
        key=lambda item: item[0],
        reverse=descending,
    )
    if after is not None:
        keyed = [item for item in keyed if (item[0] < after if descending else item[0] > after)]
    chunk = keyed[: query.limit + 1]
    items = tuple(d for _, d in chunk[: query.limit])
    more = len(chunk) > query.limit
    cursor = pack_cursor([query.order_by, *chunk[query.limit - 1][0]]) if more else None
    return Page(items, cursor)
