"""Dashboard use cases: a partner's dashboard and home page, the vendor's view, daily snapshots.

Reading a dashboard needs ``view_dashboard`` on the partner (by default a
partner's administrators and the vendor's roles); a partner's user sees its own
partner only, and never a plan that is still a vendor draft. The home page's
parts follow the program's permissions: customers and renewals need
``view_customers``, open registrations ``register_deals`` (or
``approve_deals`` on the vendor side). The figures come from the scoring
activities the host passes (e.g. from an
:class:`~partnerkit.storage.ActivityStore`), scored in one pass of the batch
engine for every partner concerned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

import attrs

from partnerkit.core.errors import PermissionDenied, ValidationError
from partnerkit.dashboard import (
    CRITERIA,
    DashboardFigures,
    DashboardSnapshot,
    PartnerDashboard,
    PartnerHome,
    SnapshotsTaken,
    VendorOverview,
    partner_dashboard,
    partner_home,
    trend,
    vendor_overview,
)
from partnerkit.partners import (
    APPROVE_DEALS,
    REGISTER_DEALS,
    VIEW_CUSTOMERS,
    VIEW_DASHBOARD,
    Partner,
    PartnerFilter,
)
from partnerkit.plans import Plan, PlanProgress, plan_progress
from partnerkit.scoring import Activity, MetricValue
from partnerkit.services._context import (
    Context,
    load,
    reaches,
    reading,
    require_role,
    use_case,
)
from partnerkit.services._paging import every
from partnerkit.services._plans import _activities, _measured
from partnerkit.services._segments import partners_in
from partnerkit.storage import (
    DASHBOARD_SNAPSHOTS,
    DEAL_REGISTRATIONS,
    MAX_PAGE_SIZE,
    ORDERS,
    PARTNER_USERS,
    PARTNERS,
    PLANS,
    PROSPECTS,
    QUOTES,
    SUBSCRIPTIONS,
    AggregateSpec,
    UnitOfWork,
)
from partnerkit.storage._common import Where

__all__ = [
    "SnapshotReport",
    "dashboard_trend",
    "partner_dashboard_of",
    "partner_home_of",
    "snapshot_dashboards",
    "vendor_dashboard",
]

R = TypeVar("R")

_CRITERION_KEYS = tuple(spec.key for spec in CRITERIA)

#: The most partners one bulk listing of a record kind asks for at once (``where`` lists).
_CHUNK = 500


@attrs.frozen
class SnapshotReport:
    """What :func:`snapshot_dashboards` stored: the day and the partners, added or replaced."""

    day: date
    added: tuple[str, ...]
    replaced: tuple[str, ...]


def _by_partner(
    uow: UnitOfWork, spec: AggregateSpec[R], partners: Sequence[str] | None
) -> dict[str, list[R]]:
    """Every record of ``spec`` of ``partners`` (all partners for None), grouped by partner."""
    grouped: dict[str, list[R]] = {}
    repository = uow.repository(spec)
    if partners is None:
        chunks: list[Where] = [{}]
    else:
        chunks = [
            {"partner_id": list(partners[i : i + _CHUNK])} for i in range(0, len(partners), _CHUNK)
        ]
    for where in chunks:
        for record in every(repository, where, limit=MAX_PAGE_SIZE):
            grouped.setdefault(record.partner_id, []).append(record)  # type: ignore[attr-defined]
    return grouped


def _figures(ctx: Context, rows: list[Activity], partners: Sequence[str]) -> DashboardFigures:
    program = ctx.program
    return DashboardFigures.compute(
        rows,
        calendar=program.fiscal,
        as_of=ctx.today(),
        currency=program.currency,
        tz=program.timezone,
        model=program.scoring,
        partners=partners,
    )


def _boards(
    uow: UnitOfWork,
    ctx: Context,
    partners: Sequence[Partner],
    activities: object,
    progress: Callable[[int], None] | None = None,
    *,
    partner_view: bool = False,
) -> list[PartnerDashboard]:
    """Every partner's dashboard today, from one scoring pass and one listing per record kind.

    ``activities`` is read once (an iterator is fine). ``partner_view`` shows
    the plans as the partner sees them (no vendor draft) whoever reads; a
    partner-side actor always gets that view. Renewals are left out for a
    reader without ``view_customers`` on the partner.
    """
    ids = [p.id for p in partners]
    wanted = set(ids)
    rows = [a for a in _activities(activities) if a.partner_id in wanted]
    figures = _figures(ctx, rows, ids)
    few = None if len(ids) > _CHUNK * 4 else ids
    year = figures.year.year
    drafts_visible = ctx.actor.vendor_side and not partner_view
    plans = [
        p
        for p in every(uow.repository(PLANS), {"fiscal_year": year}, limit=MAX_PAGE_SIZE)
        if p.partner_id in wanted and (drafts_visible or p.visible_to_partner)
    ]
    measured = _measured(ctx, plans, rows) if plans else {}
    calendar, today = ctx.program.fiscal, ctx.today()
    plans_of: dict[str, list[tuple[Plan, PlanProgress]]] = {}
    for plan in plans:
        done = plan_progress(plan, calendar, today, measured.get(plan.id, {}))
        plans_of.setdefault(plan.partner_id, []).append((plan, done))
    registrations = _by_partner(uow, DEAL_REGISTRATIONS, few)
    users = _by_partner(uow, PARTNER_USERS, few)
    orders = _by_partner(uow, ORDERS, few)
    subscriptions = _by_partner(uow, SUBSCRIPTIONS, few)
    settings = ctx.program.dashboard
    customers = (ctx.actor.role, VIEW_CUSTOMERS) in ctx.permissions.pairs
    boards = []
    for i, partner in enumerate(partners):
        pid = partner.id
        boards.append(
            partner_dashboard(
                partner,
                figures,
                plans=plans_of.get(pid, ()),
                registrations=registrations.get(pid, ()),
                users=users.get(pid, ()),
                orders=orders.get(pid, ()),
                subscriptions=subscriptions.get(pid, ()),
                settings=settings,
                show_renewals=customers and reaches(ctx, VIEW_CUSTOMERS, partner),
            )
        )
        if progress is not None:
            progress(i + 1)
    return boards


def _progress_arg(progress: object) -> Callable[[int], None] | None:
    if progress is not None and not callable(progress):
        raise ValidationError.single("progress", "invalid", "expected a callable or None")
    return progress


def _segment_arg(segment: object) -> PartnerFilter:
    if segment is None:
        return PartnerFilter()
    if not isinstance(segment, PartnerFilter):
        raise ValidationError.single("segment", "invalid", "expected a PartnerFilter")
    return segment


@reading
def partner_dashboard_of(
    uow: UnitOfWork, ctx: Context, partner_id: str, activities: Iterable[Activity] = ()
) -> PartnerDashboard:
    """A partner's Program Success Dashboard today, its figures scored from ``activities``.

    Needs ``view_dashboard`` on the partner: a partner's user reaches its
    own partner only (another partner is ``NotFound``); plans still in the
    vendor's draft are left out for the partner's side. ``activities`` are
    the program's scoring activities (any partner's: only this partner's
    count).
    """
    partner = load(uow, ctx, PARTNERS, partner_id, VIEW_DASHBOARD)
    return _boards(uow, ctx, [partner], activities)[0]


@reading
def vendor_dashboard(
    uow: UnitOfWork,
    ctx: Context,
    activities: Iterable[Activity] = (),
    *,
    segment: PartnerFilter | None = None,
    behind: int = 10,
) -> VendorOverview:
    """The vendor's view today: each criterion's red/amber/green counts over the partners.

    ``segment`` filters the partners (region, type, tier, ...: the
    companies table's filters); ``behind`` partners furthest behind plan
    are listed. Vendor side only, with ``view_dashboard``; an account
    manager sees the partners they manage.
    """
    _vendor_side(ctx)
    partners = partners_in(uow, ctx, _segment_arg(segment), VIEW_DASHBOARD)
    return vendor_overview(_boards(uow, ctx, partners, activities), behind=behind)


@use_case
def snapshot_dashboards(
    uow: UnitOfWork,
    ctx: Context,
    activities: Iterable[Activity] = (),
    *,
    progress: Callable[[int], None] | None = None,
) -> SnapshotReport:
    """Store today's dashboard snapshot of every partner the actor reaches, in one commit.

    One scoring pass of the batch engine for all partners; a snapshot of
    the same day made earlier is replaced (the nightly job may run again).
    A snapshot holds what the partner sees: plans still in the vendor's
    draft are left out, since the partner's users read the trend.
    ``progress`` is called with the number of partners done; the commit
    publishes :class:`~partnerkit.dashboard.SnapshotsTaken`. Vendor side
    only, with ``view_dashboard`` (a nightly job runs as
    :meth:`Context.system <partnerkit.services.Context.system>`).
    """
    _vendor_side(ctx)
    report_progress = _progress_arg(progress)
    partners = partners_in(uow, ctx, PartnerFilter(), VIEW_DASHBOARD)
    # Snapshots show what the partner sees (no vendor draft): the partner reads their trend.
    boards = _boards(uow, ctx, partners, activities, report_progress, partner_view=True)
    repository = uow.repository(DASHBOARD_SNAPSHOTS)
    today = ctx.today()
    added, replaced = [], []
    for board in boards:
        snapshot = DashboardSnapshot.of(board)
        held = repository.find(snapshot.id)
        if held is None:
            repository.add(snapshot)
            added.append(board.partner_id)
        else:
            repository.save(attrs.evolve(snapshot, version=held.version))
            replaced.append(board.partner_id)
    uow.record(SnapshotsTaken(today, tuple(b.partner_id for b in boards), ctx.actor.user_id))
    return SnapshotReport(today, tuple(added), tuple(replaced))


@reading
def dashboard_trend(
    uow: UnitOfWork, ctx: Context, partner_id: str, key: str, *, days: int = 90
) -> tuple[tuple[date, MetricValue | None], ...]:
    """Criterion ``key``'s daily actuals over the last ``days`` days, from the stored snapshots.

    One point a day, oldest first, ending today; None on a day without a
    snapshot. Read as :func:`partner_dashboard_of` (an unknown partner is
    ``NotFound``); an unknown ``key`` is a ValidationError.
    """
    if key not in _CRITERION_KEYS:
        raise ValidationError.single(
            "key", "unknown", f"no criterion {key!r}: one of {', '.join(_CRITERION_KEYS)}"
        )
    load(uow, ctx, PARTNERS, partner_id, VIEW_DASHBOARD)
    today = ctx.today()
    points = trend((), key, end=today, days=days)  # checks days before the snapshots are read
    first = points[0][0].isoformat()
    snapshots = [
        s
        for s in every(
            uow.repository(DASHBOARD_SNAPSHOTS),
            {"partner_id": partner_id},
            order_by="day",
            limit=MAX_PAGE_SIZE,
        )
        if s.day.isoformat() >= first
    ]
    return trend(snapshots, key, end=today, days=days)


@reading
def partner_home_of(uow: UnitOfWork, ctx: Context, partner_id: str) -> PartnerHome:
    """A partner's home page today: customers, upcoming renewals, open registrations.

    Each part needs its permission on the partner: customers and renewals
    ``view_customers``, open registrations ``register_deals`` (or
    ``approve_deals`` on the vendor side); a part the actor may not see is
    None, and an actor who may see no part is ``PermissionDenied``.
    """
    pairs, role = ctx.permissions.pairs, ctx.actor.role
    held = [p for p in (VIEW_CUSTOMERS, REGISTER_DEALS, APPROVE_DEALS) if (role, p) in pairs]
    if not held:
        require_role(ctx, VIEW_CUSTOMERS)  # PermissionDenied: the role may see no part
    partner = load(uow, ctx, PARTNERS, partner_id, held[0])
    allowed = {
        p: p in held and reaches(ctx, p, partner)
        for p in (VIEW_CUSTOMERS, REGISTER_DEALS, APPROVE_DEALS)
    }
    mine = {"partner_id": partner.id}
    customers = allowed[VIEW_CUSTOMERS]
    orders = list(every(uow.repository(ORDERS), mine, limit=MAX_PAGE_SIZE)) if customers else []
    prospect_ids = sorted({o.prospect_id for o in orders})
    prospects_repo = uow.repository(PROSPECTS)
    prospects = [p for p in map(prospects_repo.find, prospect_ids) if p is not None]
    registrations: list[Any] | None = None
    if allowed[REGISTER_DEALS] or allowed[APPROVE_DEALS]:
        registrations = list(every(uow.repository(DEAL_REGISTRATIONS), mine, limit=MAX_PAGE_SIZE))
    return partner_home(
        partner.id,
        ctx.today(),
        currency=ctx.program.currency,
        prospects=prospects if customers else None,
        orders=orders,
        subscriptions=(
            list(every(uow.repository(SUBSCRIPTIONS), mine, limit=MAX_PAGE_SIZE))
            if customers
            else []
        ),
        quotes=list(every(uow.repository(QUOTES), mine, limit=MAX_PAGE_SIZE)) if customers else [],
        registrations=registrations,
        settings=ctx.program.dashboard,
    )


def _vendor_side(ctx: Context) -> None:
    require_role(ctx, VIEW_DASHBOARD)
    actor = ctx.actor
    if not actor.vendor_side:
        raise PermissionDenied(
            f"{actor.role} {actor.user_id!r}",
            VIEW_DASHBOARD,
            "dashboard",
            "the vendor's view of every partner",
        )
