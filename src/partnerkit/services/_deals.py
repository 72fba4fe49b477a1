"""Use cases for prospects and deal registrations: register, review, progress, expire, search."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import attrs
import pendulum

from partnerkit.core import Clock, DomainEvent, aware
from partnerkit.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from partnerkit.deals import (
    ACTIVE_STAGES,
    DealQuery,
    DealRegistration,
    DomainCheck,
    Prospect,
    RegistrationForm,
    RegistrationPolicy,
    check_channel,
    matches,
    new_registration,
    prospect_domain,
    sort_key,
    validate_registration_form,
)
from partnerkit.partners import (
    APPROVE_DEALS,
    DEFAULT_PERMISSIONS,
    PARTNER_ACCOUNT_MANAGER,
    PROGRAM_ADMINISTRATOR,
    REGISTER_DEALS,
    Actor,
    PermissionMap,
    authorize,
)
from partnerkit.program import Program
from partnerkit.quoting import MarginPolicy, PriceBook
from partnerkit.services._paging import every
from partnerkit.services._quoting import (
    create_quote_for_registration,
    reprice_quotes_for_registration,
)
from partnerkit.storage import (
    DEAL_REGISTRATIONS,
    MAX_PAGE_SIZE,
    PARTNER_USERS,
    PARTNERS,
    PROSPECTS,
    IndexValue,
    Page,
    Repository,
    UnitOfWork,
)
from partnerkit.tiers import Tier

__all__ = [
    "DEAL_REGISTRATIONS",
    "PROSPECTS",
    "ApprovalHook",
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
    "start_order",
    "submit_order",
    "verify_domain",
    "withdraw_deal",
]

#: Runs inside the approving unit of work, before the commit: the quoting area
#: generates the approval quote here. If it raises, nothing is written.
ApprovalHook = Callable[[UnitOfWork, DealRegistration], None]

#: Decides, for ``approval_mode = "automatic"``, whether a new registration is approved.
AutoApprovalRule = Callable[[DealRegistration], bool]

_SYSTEM = "system"
_POLICY_ACTOR = "policy"


@attrs.frozen
class ExpiryReport:
    """What :func:`expire_due` changed: the registrations expired and why, and what it checked."""

    expired: tuple[tuple[str, str], ...]
    checked: int
    skipped: tuple[str, ...] = ()


# -- helpers -------------------------------------------------------------------------------


def _policy(program: Program | None, policy: RegistrationPolicy | None) -> RegistrationPolicy:
    if policy is not None:
        return policy
    configured = getattr(program, "registration_policy", None)
    return configured if isinstance(configured, RegistrationPolicy) else _DEFAULT_POLICY


_DEFAULT_POLICY = RegistrationPolicy()


def _now(clock: Clock, program: Program | None) -> pendulum.DateTime:
    instant = aware(clock.now(), "clock")
    return instant.in_timezone(program.timezone) if program is not None else instant


def _territory(program: Program | None) -> str | None:
    # en_GB -> GB: national telephone numbers are read in the program's country.
    if program is None or "_" not in program.locale:
        return None
    return program.locale.rsplit("_", 1)[1].upper()


def _permissions(program: Program | None) -> PermissionMap:
    return program.permissions if program is not None else DEFAULT_PERMISSIONS


@attrs.frozen
class _Scope:
    # Stands for "records of this partner" when no record is loaded yet (listings).
    partner_id: str


def _load(
    uow: UnitOfWork,
    actor: Actor,
    registration_id: str,
    permission: str | None,
    permissions: PermissionMap,
) -> tuple[Repository[DealRegistration], DealRegistration]:
    """Read a registration ``actor`` may act on with ``permission`` (None: by side).

    Deal numbers are easy to guess, so a partner-side actor cannot tell another
    partner's registration from none: both are ``NotFound``. A role that lacks
    the permission is refused before anything is read.
    """
    wanted = permission or (REGISTER_DEALS if actor.partner_id is not None else APPROVE_DEALS)
    if actor.partner_id is not None:
        authorize(actor, wanted, _Scope(actor.partner_id), permissions)
    repository = uow.repository(DEAL_REGISTRATIONS)
    deal = repository.find(registration_id)
    if deal is None or (actor.partner_id is not None and deal.partner_id != actor.partner_id):
        raise NotFound(DEAL_REGISTRATIONS.kind, registration_id)
    authorize(actor, wanted, deal, permissions)
    return repository, deal


@contextmanager
def _all_or_nothing(uow: UnitOfWork) -> Iterator[None]:
    # A failure after the first write rolls the unit of work back, so a host that catches
    # the error and commits anyway writes none of this use case.
    try:
        yield
    except BaseException:
        uow.rollback()
        raise


def _finish(
    uow: UnitOfWork,
    repository: Repository[DealRegistration],
    deal: DealRegistration,
    *events: DomainEvent,
    follow: tuple[Actor, Clock, Program | None] | None = None,
) -> DealRegistration:
    with _all_or_nothing(uow):
        stored = repository.save(deal)
        if follow is not None:
            _reprice_on_leaving(uow, stored, *follow)
        uow.record(*events)
        uow.commit()
    return stored


def _find_prospect(uow: UnitOfWork, domain: str) -> Prospect | None:
    found = uow.repository(PROSPECTS).list({"domain": domain}, limit=1)
    return found.items[0] if found.items else None


# -- prospects -----------------------------------------------------------------------------


def verify_domain(
    uow: UnitOfWork,
    company_name: str,
    domain: str,
    *,
    program: Program | None = None,
    policy: RegistrationPolicy | None = None,
) -> DomainCheck:
    """Check a company domain: return the existing prospect, or say one will be created.

    Reads only. Raises :class:`ValidationError` at ``company.domain`` for a
    malformed or free-mail domain (code ``free_mail``).
    """
    normalized = prospect_domain(domain, _policy(program, policy))
    return DomainCheck(normalized, company_name, _find_prospect(uow, normalized))


def _prospect_for(
    uow: UnitOfWork, name: str, domain: str, actor: str, at: pendulum.DateTime
) -> tuple[Prospect, bool]:
    existing = _find_prospect(uow, domain)
    if existing is not None:
        return existing, False
    prospect = Prospect(f"PR-{uow.sequences.next('prospects'):06d}", name, domain, at, actor)
    try:
        return uow.repository(PROSPECTS).add(prospect), True
    except Conflict as exc:
        # Another registration created it meanwhile: use theirs.
        if exc.field != "domain":
            raise
        existing = _find_prospect(uow, domain)
        if existing is None:
            raise
        return existing, False


# -- registering and reviewing --------------------------------------------------------------


def register_deal(
    uow: UnitOfWork,
    actor: Actor,
    form: RegistrationForm,
    *,
    clock: Clock,
    program: Program | None = None,
    policy: RegistrationPolicy | None = None,
    auto_approve: AutoApprovalRule | None = None,
    on_approved: ApprovalHook | None = None,
) -> DealRegistration:
    """Validate ``form``, find or create the prospect, store the registration, commit.

    The actor must be a partner-side user whose role holds
    :data:`~partnerkit.partners.REGISTER_DEALS` in the program's permissions
    (else :class:`PermissionDenied`); the registration is its partner's,
    loaded from :data:`~partnerkit.storage.PARTNERS`
    (:class:`~partnerkit.core.errors.NotFound` if missing). The form is
    validated with the partner section's company name taken from the
    partner record and its contact e-mail from the registering user's record
    in :data:`~partnerkit.storage.PARTNER_USERS` (when there is one): one
    :class:`ValidationError` names every bad field. The prospect is found by
    domain or created. If the same partner already holds an active registration for the prospect and
    product, ``opportunity.product`` is refused as ``duplicate``; if other
    partners hold the prospect, the registration is flagged or declined per
    the policy's ``channel_conflict``. In ``automatic`` approval mode it is
    approved at once when ``auto_approve`` (if given) agrees, running
    ``on_approved`` before the commit. Returns the stored registration; its
    number comes from the ``deal_registrations_<year>`` sequence
    (``DR-2026-000123``). A failure writes nothing.
    """
    settings = _policy(program, policy)
    if actor.partner_id is None:
        raise PermissionDenied(
            f"{actor.role} {actor.user_id!r}",
            REGISTER_DEALS,
            "deal registrations",
            "deals are registered by a partner's users",
        )
    partner = uow.repository(PARTNERS).get(actor.partner_id)
    authorize(actor, REGISTER_DEALS, partner, _permissions(program))
    user = uow.repository(PARTNER_USERS).find(actor.user_id)
    email = user.email if user is not None and user.partner_id == partner.id else None
    now = _now(clock, program)
    clean = validate_registration_form(
        form,
        settings,
        today=now.date(),
        partner_name=partner.name,
        partner_email=email,
        default_region=_territory(program),
    )
    with _all_or_nothing(uow):
        return _register(uow, actor, clean, partner.id, settings, now, auto_approve, on_approved)


def _register(
    uow: UnitOfWork,
    actor: Actor,
    clean: RegistrationForm,
    partner_id: str,
    settings: RegistrationPolicy,
    now: pendulum.DateTime,
    auto_approve: AutoApprovalRule | None,
    on_approved: ApprovalHook | None,
) -> DealRegistration:
    prospect, created = _prospect_for(
        uow, clean.company.name, clean.company.domain, actor.user_id, now
    )
    repository = uow.repository(DEAL_REGISTRATIONS)
    # A prospect created just now has no registrations to conflict with.
    held = () if created else every(repository, {"prospect_id": prospect.id}, limit=MAX_PAGE_SIZE)
    active = [d for d in held if d.stage in ACTIVE_STAGES]
    channel = check_channel(partner_id, clean.opportunity.product, active)
    if channel.duplicates:
        raise ValidationError.single(
            "opportunity.product",
            "duplicate",
            f"you already hold {channel.duplicates[0]} for this prospect and product",
        )
    number = f"DR-{now.year}-{uow.sequences.next(f'deal_registrations_{now.year}'):06d}"
    deal, registered = new_registration(
        number,
        partner_id,
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
            _POLICY_ACTOR,
            now,
            "channel conflict: the prospect is registered by another partner",
        )
        events.append(declined)
    elif settings.approval_mode == "automatic" and (auto_approve is None or auto_approve(deal)):
        deal, event = deal.approve(_POLICY_ACTOR, now, settings)
        events.append(event)
        approved = True
    stored = repository.add(deal)
    if approved and on_approved is not None:
        on_approved(uow, stored)
    uow.record(*events)
    uow.commit()
    return stored


def approve_deal(
    uow: UnitOfWork,
    actor: Actor,
    registration_id: str,
    *,
    clock: Clock,
    program: Program | None = None,
    policy: RegistrationPolicy | None = None,
    on_approved: ApprovalHook | None = None,
) -> DealRegistration:
    """Approve an opportunity (vendor side), set its deadlines, run ``on_approved``, commit.

    The actor's role must hold :data:`~partnerkit.partners.APPROVE_DEALS` and
    reach the registration's partner (:func:`~partnerkit.partners.authorize`).

    ``on_approved`` runs inside this unit of work after the approved
    registration is saved and before the commit; if it raises, nothing is
    written. Without one, a program with ``[pricing]`` generates the
    approval quote there (the opportunity's product and seats, the
    partner's tier margins, the reward margin), so the approval and its
    quote commit together. Raises
    :class:`PermissionDenied`, :class:`~partnerkit.core.errors.NotFound`,
    :class:`~partnerkit.core.errors.InvalidTransition`, or
    :class:`Conflict` when someone else changed the registration meanwhile
    (two concurrent approvals: exactly one wins).
    """
    repository, deal = _load(uow, actor, registration_id, APPROVE_DEALS, _permissions(program))
    now = _now(clock, program)
    deal, event = deal.approve(actor.user_id, now, _policy(program, policy))
    with _all_or_nothing(uow):
        stored = repository.save(deal)
        if on_approved is not None:
            on_approved(uow, stored)
        else:
            _quote_on_approval(uow, stored, actor, clock, program)
        uow.record(event)
        uow.commit()
    return stored


def _pricing_for(
    uow: UnitOfWork, deal: DealRegistration, clock: Clock, program: Program | None
) -> tuple[PriceBook, MarginPolicy, Tier | None] | None:
    # The program's price book in its currency on today's date, its margin policy, and the
    # tier the registering partner holds (for its margins); None without [pricing].
    pricing = getattr(program, "pricing", None)
    if program is None or pricing is None:
        return None
    book = pricing.price_book(program.currency, _now(clock, program).date())
    partner = uow.repository(PARTNERS).find(deal.partner_id)
    ladder = program.tiers
    tier = None
    if partner is not None and ladder is not None and partner.tier in ladder.keys:
        tier = ladder[partner.tier]
    return book, pricing.margins, tier


def _quote_on_approval(
    uow: UnitOfWork, deal: DealRegistration, actor: Actor, clock: Clock, program: Program | None
) -> None:
    priced = _pricing_for(uow, deal, clock, program)
    if priced is not None:
        book, margins, tier = priced
        create_quote_for_registration(uow, deal, book, margins, actor=actor, clock=clock, tier=tier)


def _reprice_on_leaving(
    uow: UnitOfWork, deal: DealRegistration, actor: Actor, clock: Clock, program: Program | None
) -> None:
    # A registration that no longer earns the reward margin takes it off its open quotes.
    priced = _pricing_for(uow, deal, clock, program)
    if priced is not None and not deal.earns_reward_margin:
        book, margins, tier = priced
        reprice_quotes_for_registration(
            uow, deal, book, margins, actor=actor, clock=clock, tier=tier
        )


def decline_deal(
    uow: UnitOfWork,
    actor: Actor,
    registration_id: str,
    reason: str,
    *,
    clock: Clock,
    program: Program | None = None,
) -> DealRegistration:
    """Decline an opportunity with a reason (vendor only) and commit."""
    repository, deal = _load(uow, actor, registration_id, APPROVE_DEALS, _permissions(program))
    deal, event = deal.decline(actor.user_id, _now(clock, program), reason)
    return _finish(uow, repository, deal, event, follow=(actor, clock, program))


def start_order(
    uow: UnitOfWork,
    actor: Actor,
    registration_id: str,
    *,
    clock: Clock,
    program: Program | None = None,
) -> DealRegistration:
    """Progress an approved deal to an order (its partner or the vendor) and commit."""
    repository, deal = _load(uow, actor, registration_id, None, _permissions(program))
    deal, event = deal.start_order(actor.user_id, _now(clock, program))
    return _finish(uow, repository, deal, event)


def submit_order(
    uow: UnitOfWork,
    actor: Actor,
    registration_id: str,
    *,
    clock: Clock,
    program: Program | None = None,
) -> DealRegistration:
    """Submit a started order (its partner or the vendor) and commit."""
    repository, deal = _load(uow, actor, registration_id, None, _permissions(program))
    deal, event = deal.submit_order(actor.user_id, _now(clock, program))
    return _finish(uow, repository, deal, event)


def withdraw_deal(
    uow: UnitOfWork,
    actor: Actor,
    registration_id: str,
    reason: str = "",
    *,
    clock: Clock,
    program: Program | None = None,
) -> DealRegistration:
    """Withdraw an active registration (its partner or the vendor) and commit."""
    repository, deal = _load(uow, actor, registration_id, None, _permissions(program))
    deal, event = deal.withdraw(actor.user_id, _now(clock, program), reason)
    return _finish(uow, repository, deal, event, follow=(actor, clock, program))


def mark_deal_lost(
    uow: UnitOfWork,
    actor: Actor,
    registration_id: str,
    reason: str = "",
    *,
    clock: Clock,
    program: Program | None = None,
) -> DealRegistration:
    """Close an approved deal or started order as lost (its partner or the vendor) and commit."""
    repository, deal = _load(uow, actor, registration_id, None, _permissions(program))
    deal, event = deal.mark_lost(actor.user_id, _now(clock, program), reason)
    return _finish(uow, repository, deal, event, follow=(actor, clock, program))


def request_extension(
    uow: UnitOfWork,
    actor: Actor,
    registration_id: str,
    reason: str,
    *,
    clock: Clock,
    program: Program | None = None,
    policy: RegistrationPolicy | None = None,
) -> DealRegistration:
    """Ask for more time with a reason (the registering partner; once by default) and commit."""
    repository, deal = _load(uow, actor, registration_id, REGISTER_DEALS, _permissions(program))
    deal, event = deal.request_extension(
        actor.user_id, _now(clock, program), reason, _policy(program, policy)
    )
    return _finish(uow, repository, deal, event)


def decide_extension(
    uow: UnitOfWork,
    actor: Actor,
    registration_id: str,
    *,
    grant: bool,
    clock: Clock,
    note: str = "",
    program: Program | None = None,
    policy: RegistrationPolicy | None = None,
) -> DealRegistration:
    """Grant or refuse the pending extension request (vendor only) and commit."""
    repository, deal = _load(uow, actor, registration_id, APPROVE_DEALS, _permissions(program))
    deal, event = deal.decide_extension(
        actor.user_id, _now(clock, program), grant=grant, policy=_policy(program, policy), note=note
    )
    return _finish(uow, repository, deal, event)


def expire_due(
    uow: UnitOfWork,
    now: pendulum.DateTime,
    *,
    actor: Actor | None = None,
    program: Program | None = None,
) -> ExpiryReport:
    """Expire every active registration past its review date or deadline, and commit.

    Dates are compared in the program's time zone (UTC without a program).
    Run by a scheduler (``actor`` ``None``, recorded as ``"system"``) or by
    a vendor user. A registration changed by someone else meanwhile is
    skipped and named in :attr:`ExpiryReport.skipped`.
    """
    if actor is not None:
        authorize(actor, APPROVE_DEALS, None, _permissions(program))
    at = aware(now, "now")
    if program is not None:
        at = at.in_timezone(program.timezone)
    day = at.date()
    who = actor.user_id if actor is not None else _SYSTEM
    repository = uow.repository(DEAL_REGISTRATIONS)
    candidates = list(
        every(repository, {"stage": [s.value for s in ACTIVE_STAGES]}, limit=MAX_PAGE_SIZE)
    )
    expired: list[tuple[str, str]] = []
    skipped: list[str] = []
    events: list[DomainEvent] = []
    with _all_or_nothing(uow):
        for deal in sorted(candidates, key=lambda d: d.id):
            reason = deal.due_expiry(day)
            if reason is None:
                continue
            changed, event = deal.expire(who, at, reason)
            try:
                repository.save(changed)
            except Conflict:
                skipped.append(deal.id)
                continue
            expired.append((deal.id, reason))
            events.append(event)
            if program is not None and program.pricing is not None:
                sweeper = actor if actor is not None else Actor(_SYSTEM, PROGRAM_ADMINISTRATOR)
                _reprice_on_leaving(uow, changed, sweeper, _FixedNow(at), program)
        uow.record(*events)
        uow.commit()
    return ExpiryReport(tuple(expired), len(candidates), tuple(skipped))


class _FixedNow:
    """The sweep's instant as a clock, for the repricing it triggers."""

    def __init__(self, at: pendulum.DateTime) -> None:
        self._at = at

    def now(self) -> pendulum.DateTime:
        return self._at


# -- reading ----------------------------------------------------------------------------------


def get_deal(
    uow: UnitOfWork, actor: Actor, registration_id: str, *, program: Program | None = None
) -> DealRegistration:
    """Read one registration: a partner's users read their own, the vendor side what it reaches.

    Raises :class:`PermissionDenied` for a registration the actor may not see
    (another partner's, or a partner a partner account manager does not manage).
    """
    _, deal = _load(uow, actor, registration_id, None, _permissions(program))
    return deal


def _encode_cursor(order_by: str, key: tuple[str, str]) -> str:
    raw = json.dumps([order_by, *key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(order_by: str, cursor: str) -> tuple[str, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        ok = (
            isinstance(data, list)
            and len(data) == 3
            and data[0] == order_by
            and all(isinstance(v, str) for v in data)
        )
    except (ValueError, binascii.Error):
        ok = False
    if not ok:
        raise ValidationError.single("cursor", "invalid", "not a cursor of this listing")
    return (data[1], data[2])


def search_deals(
    uow: UnitOfWork, actor: Actor, query: DealQuery, *, program: Program | None = None
) -> Page[DealRegistration]:
    """One page of the registrations ``actor`` may see that match ``query``, in its order.

    Scoped by :func:`~partnerkit.partners.authorize`: a partner's user sees
    only its partner's registrations (a ``partner_id`` naming another
    partner gives an empty page), a partner account manager those of the
    partners they manage, a program administrator all.
    Matching on text is case- and accent-insensitive over the deal number
    and the prospect name. Follow ``next_cursor`` for the next page.
    """
    if not isinstance(query, DealQuery):
        raise ValidationError.single("query", "invalid", "expected a DealQuery")
    permissions = _permissions(program)
    where: dict[str, IndexValue | Sequence[IndexValue]] = {}
    if actor.partner_id is not None:
        authorize(actor, REGISTER_DEALS, _Scope(actor.partner_id), permissions)
        if query.partner_id is not None and query.partner_id != actor.partner_id:
            return Page((), None)
        where["partner_id"] = actor.partner_id
    else:
        reach: list[str] | None = None
        if actor.role == PARTNER_ACCOUNT_MANAGER:
            reach = sorted(actor.managed_partner_ids)
        if query.partner_id is not None:
            reach = [p for p in (reach or [query.partner_id]) if p == query.partner_id]
        if reach is not None:
            # authorize() says whether the role may review deals at all, and for which partner.
            for partner_id in reach:
                authorize(actor, APPROVE_DEALS, _Scope(partner_id), permissions)
            if not reach:
                return Page((), None)
            where["partner_id"] = reach
        else:
            authorize(actor, APPROVE_DEALS, None, permissions)
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
    cursor = _encode_cursor(query.order_by, chunk[query.limit - 1][0]) if more else None
    return Page(items, cursor)
