"""Authorization and segments against what a host would write by hand.

- ``authorize`` vs a straightforward check over a dict of role -> list of permissions
  (the same rules: the role holds the permission, a partner-side actor stays in its
  partner, an account manager in the partners they manage); allowed calls, then a mix
  with denials (each denial raises, in both);
- ``PartnerFilter.apply`` vs a list comprehension over the same criteria.

Same inputs for peer and partnerkit, results checked to agree before timing, one run.
"""

from __future__ import annotations

import random

import attrs
from _harness import best_seconds, report

from partnerkit.core.errors import PermissionDenied
from partnerkit.partners import (
    DEFAULT_PERMISSIONS,
    PARTNER_ACCOUNT_MANAGER,
    PARTNER_ROLES,
    PERMISSIONS,
    ROLES,
    Actor,
    Partner,
    PartnerFilter,
    authorize,
)

PARTNER_IDS = [f"p{i}" for i in range(20)]


@attrs.frozen
class Deal:
    id: str
    partner_id: str


# What a host writes without partnerkit: a dict of lists, scanned on every call.
PEER_MAP: dict[str, list[str]] = {
    role: list(DEFAULT_PERMISSIONS.permissions_of(role)) for role in ROLES
}


class Denied(Exception):
    pass


def peer_authorize(actor: Actor, permission: str, resource: Deal | Partner) -> None:
    if permission not in PEER_MAP.get(actor.role, []):
        raise Denied(actor.user_id, permission)
    owner = resource.partner_id
    if actor.partner_id is not None:
        if owner != actor.partner_id:
            raise Denied(actor.user_id, permission)
    elif actor.role == PARTNER_ACCOUNT_MANAGER and owner not in list(actor.managed_partner_ids):
        raise Denied(actor.user_id, permission)


def _actor(rng: random.Random, n: int) -> Actor:
    role = rng.choice(ROLES)
    if role in PARTNER_ROLES:
        return Actor(f"u{n}", role, partner_id=rng.choice(PARTNER_IDS))
    managed = rng.sample(PARTNER_IDS, 5) if role == PARTNER_ACCOUNT_MANAGER else []
    return Actor(f"v{n}", role, managed_partner_ids=managed)


def _calls(count: int) -> list[tuple[Actor, str, Deal]]:
    rng = random.Random(5)
    actors = [_actor(rng, n) for n in range(200)]
    return [
        (rng.choice(actors), rng.choice(PERMISSIONS), Deal(f"d{i}", rng.choice(PARTNER_IDS)))
        for i in range(count)
    ]


def _outcomes(check: object, calls: list[tuple[Actor, str, Deal]]) -> list[bool]:
    result = []
    for actor, permission, resource in calls:
        try:
            check(actor, permission, resource)  # type: ignore[operator]
            result.append(True)
        except (PermissionDenied, Denied):
            result.append(False)
    return result


def _authorize_cases() -> None:
    mixed = _calls(60_000)
    expected = _outcomes(peer_authorize, mixed)
    assert _outcomes(authorize, mixed) == expected, "authorize and the peer disagree"
    allowed = [call for call, ok in zip(mixed, expected, strict=True) if ok]

    def peer_allowed() -> None:
        for actor, permission, resource in allowed:
            peer_authorize(actor, permission, resource)

    def ours_allowed() -> None:
        for actor, permission, resource in allowed:
            authorize(actor, permission, resource)

    ours = best_seconds(ours_allowed)
    report(
        "authorize: allowed calls",
        len(allowed),
        "dict-of-lists check",
        best_seconds(peer_allowed),
        ours,
    )
    print(f"{'':<48} partnerkit authorize: {ours / len(allowed) * 1e6:.3f} µs per allowed call")

    def peer_mixed() -> list[bool]:
        return _outcomes(peer_authorize, mixed)

    def ours_mixed() -> list[bool]:
        return _outcomes(authorize, mixed)

    ours = best_seconds(ours_mixed)
    denied = expected.count(False)
    report(
        f"authorize: mixed ({denied} of {len(mixed)} denied)",
        len(mixed),
        "dict-of-lists check",
        best_seconds(peer_mixed),
        ours,
    )
    per_call = ours / len(mixed) * 1e6
    print(f"{'':<48} partnerkit authorize: {per_call:.3f} µs per call, denials included")


def _segment_case() -> None:
    rng = random.Random(7)
    partners = [
        Partner(
            f"p{i}",
            f"Partner {i}",
            f"partner{i}.example",
            rng.choice(["reseller", "distributor", "referral", "managed_service_provider"]),
            region=rng.choice(["EMEA", "APAC", "AMER"]),
            tier=rng.choice(["gold", "silver", "bronze"]),
            industry=rng.choice(["Health", "Finance", "Retail", ""]),
            stage=rng.choice(["active", "at_risk", "onboarding"]),
        )
        for i in range(50_000)
    ]
    segment = PartnerFilter(regions={"EMEA", "APAC"}, tiers="gold", stages={"active", "at_risk"})

    def peer() -> list[Partner]:
        return [
            p
            for p in partners
            if p.region in ("EMEA", "APAC")
            and p.tier == "gold"
            and p.stage in ("active", "at_risk")
        ]

    def ours() -> list[Partner]:
        return segment.apply(partners)

    assert ours() == peer(), "PartnerFilter and the comprehension disagree"
    report(
        "segment filter (3 criteria, 50k partners)",
        len(partners),
        "list comprehension",
        best_seconds(peer),
        best_seconds(ours),
    )


def main() -> None:
    _authorize_cases()
    _segment_case()


if __name__ == "__main__":
    main()
