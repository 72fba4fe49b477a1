"""The partners of a segment (the companies table's filters) that an actor reaches."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from partnerkit.partners import Partner, PartnerFilter
from partnerkit.services._context import Context, narrowed
from partnerkit.services._paging import every
from partnerkit.storage import MAX_PAGE_SIZE, PARTNER_USERS, PARTNERS, IndexValue, UnitOfWork

__all__ = ["partner_ids_in", "partners_in"]


def partners_in(
    uow: UnitOfWork, ctx: Context, segment: PartnerFilter, permission: str
) -> list[Partner]:
    """The stored partners matching ``segment`` that the actor may exercise ``permission`` on.

    The indexed filters (type, region, tier, stage, account manager) are
    applied in storage; the others (industry, certification) by the filter
    itself. By partner id.
    """
    reach = narrowed(ctx, permission, None)
    if reach is not None and not reach:
        return []
    allowed = None if reach is None else set(reach)
    partners = [
        p
        for p in every(uow.repository(PARTNERS), _indexed(segment), limit=MAX_PAGE_SIZE)
        if allowed is None or p.id in allowed
    ]
    if segment.certification is None:
        found = segment.apply(partners)
    else:
        users = every(
            uow.repository(PARTNER_USERS),
            {"partner_id": [p.id for p in partners]},
            limit=MAX_PAGE_SIZE,
        )
        found = segment.apply(partners, users, ctx.today())
    return sorted(found, key=lambda p: p.id)


def partner_ids_in(
    uow: UnitOfWork, ctx: Context, segment: PartnerFilter, permission: str
) -> list[str]:
    """The ids of :func:`partners_in`, sorted, read without the partners where storage can.

    A segment of indexed filters only (no industry, no certification) is
    all in the storage's indexes: a repository that lists ids alone (an
    ``ids(where)`` method, as the reference backends have) gives them
    without a partner being read, as its index columns say (see
    ``ids`` in the storage guide). Otherwise the partners are read.
    """
    reach = narrowed(ctx, permission, None)  # the permission first, as partners_in
    repository = uow.repository(PARTNERS)
    ids: Callable[[Where], list[str]] | None = getattr(repository, "ids", None)
    if ids is None or segment.industries or segment.certification is not None:
        return [p.id for p in partners_in(uow, ctx, segment, permission)]
    if reach is not None and not reach:
        return []
    found = ids(_indexed(segment))
    if reach is not None:
        allowed = set(reach)
        found = [id for id in found if id in allowed]
    return sorted(found)


Where = dict[str, IndexValue | Sequence[IndexValue]]


def _indexed(segment: PartnerFilter) -> Where:
    """The part of ``segment`` the partners' indexes answer, as a listing's ``where``."""
    where: Where = {}
    for index, values in (
        ("partner_type", segment.partner_types),
        ("region", segment.regions),
        ("tier", segment.tiers),
        ("stage", segment.stages),
        ("account_manager", segment.account_managers),
    ):
        if values:
            where[index] = sorted(values)
    return where
