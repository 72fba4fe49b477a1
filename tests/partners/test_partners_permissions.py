from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerkit.core import ConfigReader, from_dict, to_dict
from partnerkit.core.errors import PermissionDenied, ValidationError
from partnerkit.partners import (
    DEFAULT_PERMISSIONS,
    PARTNER_ACCOUNT_MANAGER,
    PARTNER_ROLES,
    PERMISSIONS,
    PROGRAM_ADMINISTRATOR,
    ROLES,
    VENDOR_ROLES,
    Actor,
    Owned,
    Partner,
    PartnerUser,
    PermissionMap,
    authorize,
    permissions_from_dict,
    permissions_to_dict,
    read_permissions,
    role_label,
)

PARTNER_IDS = ("p1", "p2", "p3")


@attrs.frozen
class Deal:
    id: str
    partner_id: str


# -- the default map follows the seeds ------------------------------------------------------------

EXPECTED = {
    "register_deals": {"administrator", "executive", "manager", "user"},
    "view_customers": {"administrator"},
    "view_invoices": {"administrator"},
    "manage_users": {"administrator", "program_administrator"},
    "check_plan_items": {"executive", "manager", "program_administrator"},
    "create_plans": {"program_administrator"},
    "create_plan_templates": {"program_administrator"},
    "approve_deals": {"program_administrator", "partner_account_manager"},
    "view_dashboard": {"administrator", "program_administrator", "partner_account_manager"},
    "edit_plan": {"administrator", "program_administrator", "partner_account_manager"},
    "manage_partners": {"program_administrator", "partner_account_manager"},
    "sign_off_plans": {
        "administrator",
        "executive",
        "program_administrator",
        "partner_account_manager",
    },
}


@pytest.mark.parametrize("permission", PERMISSIONS)
def test_the_default_map_grants_each_permission_to_the_roles_the_seeds_name(
    permission: str,
) -> None:
    assert set(DEFAULT_PERMISSIONS.roles_with(permission)) == EXPECTED[permission]


# -- the [permissions] table ----------------------------------------------------------------------


def test_a_role_in_the_table_holds_exactly_what_it_lists_and_others_keep_defaults() -> None:
    permissions = permissions_from_dict({"user": [], "manager": ["register_deals", "edit_plan"]})
    assert permissions.permissions_of("user") == ()
    assert permissions.permissions_of("manager") == ("register_deals", "edit_plan")
    assert permissions.permissions_of("administrator") == DEFAULT_PERMISSIONS.permissions_of(
        "administrator"
    )


def test_every_bad_role_and_permission_is_reported_at_once_with_paths() -> None:
    with pytest.raises(ValidationError) as caught:
        permissions_from_dict(
            {
                "boss": ["register_deals"],
                "user": ["register_deals", "fly", "register_deals"],
                "manager": "edit_plan",
                "executive": [1],
            }
        )
    assert [(e.path, e.code) for e in caught.value.errors] == [
        ("permissions.boss", "unknown"),
        ("permissions.user.1", "invalid_choice"),
        ("permissions.user.2", "duplicate"),
        ("permissions.manager", "invalid"),
        ("permissions.executive", "invalid"),
    ]


def test_read_permissions_records_errors_without_raising() -> None:
    root = ConfigReader({"permissions": {"user": ["fly"]}, "program": {}})
    assert read_permissions(root.table("permissions")) is None
    assert root.errors.paths == ("permissions.user.0",)
    good = ConfigReader({"user": ["register_deals"]}, "permissions")
    assert read_permissions(good) == DEFAULT_PERMISSIONS


def test_the_table_of_the_default_map_lists_every_role() -> None:
    table = permissions_to_dict(DEFAULT_PERMISSIONS)
    assert list(table) == list(ROLES)
    assert table["program_administrator"][0] == "manage_users"


permission_maps = st.sets(st.tuples(st.sampled_from(ROLES), st.sampled_from(PERMISSIONS))).map(
    PermissionMap
)


@settings(max_examples=100)
@given(permission_maps)
def test_any_map_round_trips_through_its_table_and_the_converter(
    permissions: PermissionMap,
) -> None:
    assert permissions_from_dict(permissions_to_dict(permissions)) == permissions
    assert from_dict(PermissionMap, to_dict(permissions)) == permissions


def test_a_map_refuses_unknown_roles_and_permissions() -> None:
    with pytest.raises(ValidationError) as caught:
        PermissionMap({("boss", "register_deals"), ("user", "fly")})
    assert caught.value.paths == ("boss", "user")


def test_with_role_replaces_one_role_only() -> None:
    changed = DEFAULT_PERMISSIONS.with_role("user", ["register_deals", "view_dashboard"])
    assert changed.allows("user", "view_dashboard")
    assert changed.permissions_of("manager") == DEFAULT_PERMISSIONS.permissions_of("manager")


# -- actors ---------------------------------------------------------------------------------------


def test_actors_must_fit_their_side() -> None:
    with pytest.raises(ValidationError) as caught:
        Actor("", "administrator")
    assert caught.value.paths == ("user_id", "partner_id")
    with pytest.raises(ValidationError):
        Actor("v1", "program_administrator", partner_id="p1")
    with pytest.raises(ValidationError):
        Actor("u1", "user", partner_id="p1", managed_partner_ids={"p2"})
    with pytest.raises(ValidationError):
        Actor("u1", "janitor", partner_id="p1")


def test_an_actor_serializes_with_sorted_managed_partners() -> None:
    pam = Actor("v1", PARTNER_ACCOUNT_MANAGER, managed_partner_ids={"p2", "p1"})
    data = to_dict(pam)
    assert data["managed_partner_ids"] == ["p1", "p2"]
    assert from_dict(Actor, data) == pam


def test_records_with_a_partner_id_are_owned() -> None:
    assert isinstance(Deal("d1", "p1"), Owned)
    assert isinstance(Partner("p1", "Acme", "acme.example", "reseller"), Owned)
    assert isinstance(PartnerUser("u1", "p1", "Ann", "ann@acme.example"), Owned)


# -- authorization --------------------------------------------------------------------------------


def test_a_partner_administrator_manages_only_its_own_users() -> None:
    admin = Actor("u1", "administrator", partner_id="p1")
    authorize(admin, "manage_users", PartnerUser("u2", "p1", "Bo", "bo@acme.example"))
    with pytest.raises(PermissionDenied) as caught:
        authorize(admin, "manage_users", PartnerUser("u3", "p2", "Cy", "cy@other.example"))
    assert "another partner" in str(caught.value)


def test_a_role_without_the_permission_is_denied_on_its_own_records() -> None:
    with pytest.raises(PermissionDenied) as caught:
        authorize(Actor("u1", "user", partner_id="p1"), "view_invoices", Deal("d1", "p1"))
    assert caught.value.permission == "view_invoices"


def test_account_managers_reach_only_the_partners_they_manage() -> None:
    pam = Actor("v1", PARTNER_ACCOUNT_MANAGER, managed_partner_ids={"p1"})
    authorize(pam, "approve_deals", Deal("d1", "p1"))
    with pytest.raises(PermissionDenied):
        authorize(pam, "approve_deals", Deal("d2", "p2"))


def test_only_program_administrators_act_on_the_program_itself() -> None:
    authorize(Actor("v1", PROGRAM_ADMINISTRATOR), "create_plan_templates", None)
    everything = PermissionMap((r, p) for r in ROLES for p in PERMISSIONS)
    with pytest.raises(PermissionDenied):
        authorize(Actor("v2", PARTNER_ACCOUNT_MANAGER), "create_plan_templates", None, everything)
    with pytest.raises(PermissionDenied):
        authorize(Actor("u1", "administrator", partner_id="p1"), "create_plans", None, everything)


def test_role_labels_are_translated() -> None:
    assert role_label("executive", "de") == "Geschäftsleitung"
    assert role_label("nobody", "de") == "nobody"


@st.composite
def actors(draw: st.DrawFn) -> Actor:
    role = draw(st.sampled_from(ROLES))
    if role in PARTNER_ROLES:
        return Actor("someone", role, partner_id=draw(st.sampled_from(PARTNER_IDS)))
    managed: frozenset[str] = frozenset()
    if role in VENDOR_ROLES[1:]:
        managed = draw(st.frozensets(st.sampled_from(PARTNER_IDS)))
    return Actor("someone", role, managed_partner_ids=managed)


resources = st.builds(Deal, st.just("d1"), st.sampled_from(PARTNER_IDS)) | st.builds(
    Partner,
    st.sampled_from(PARTNER_IDS),
    st.just("Acme"),
    st.just("acme.example"),
    st.just("reseller"),
)


def allowed(actor: Actor, permission: str, resource: Owned, permissions: PermissionMap) -> bool:
    try:
        authorize(actor, permission, resource, permissions)
    except PermissionDenied:
        return False
    return True


@settings(max_examples=400)
@given(actors(), st.sampled_from(PERMISSIONS), resources, permission_maps)
def test_no_map_lets_an_actor_out_of_its_reach(
    actor: Actor, permission: str, resource: Owned, permissions: PermissionMap
) -> None:
    if allowed(actor, permission, resource, permissions):
        assert permissions.allows(actor.role, permission)
        if actor.partner_id is not None:
            assert resource.partner_id == actor.partner_id
        if actor.role == PARTNER_ACCOUNT_MANAGER:
            assert resource.partner_id in actor.managed_partner_ids


@settings(max_examples=300)
@given(actors(), st.sampled_from(PERMISSIONS), resources)
def test_with_every_permission_granted_reach_alone_decides(
    actor: Actor, permission: str, resource: Owned
) -> None:
    everything = PermissionMap((r, p) for r in ROLES for p in PERMISSIONS)
    if actor.partner_id is not None:
        expected = resource.partner_id == actor.partner_id
    elif actor.role == PARTNER_ACCOUNT_MANAGER:
        expected = resource.partner_id in actor.managed_partner_ids
    else:
        expected = True
    assert allowed(actor, permission, resource, everything) is expected


@settings(max_examples=300)
@given(actors(), st.sampled_from(PERMISSIONS), resources)
def test_with_the_default_map_a_reachable_record_is_allowed_iff_the_role_holds_it(
    actor: Actor, permission: str, resource: Owned
) -> None:
    reachable = allowed(
        actor, permission, resource, PermissionMap((r, p) for r in ROLES for p in PERMISSIONS)
    )
    assert allowed(actor, permission, resource, DEFAULT_PERMISSIONS) is (
        reachable and DEFAULT_PERMISSIONS.allows(actor.role, permission)
    )


def test_an_account_manager_given_one_partner_id_as_text_manages_that_partner_only() -> None:
    pam = Actor("v1", PARTNER_ACCOUNT_MANAGER, managed_partner_ids="p12")
    assert pam.managed_partner_ids == frozenset({"p12"})
    authorize(pam, "approve_deals", Deal("d1", "p12"))
    for elsewhere in ("p", "1", "2"):
        with pytest.raises(PermissionDenied):
            authorize(pam, "approve_deals", Deal("d2", elsewhere))


def test_unhashable_permissions_in_grants_are_validation_errors() -> None:
    with pytest.raises(ValidationError) as caught:
        PermissionMap.from_grants({"user": [["register_deals"], "fly"]})  # type: ignore[list-item]
    assert caught.value.paths == ("user.0", "user.1")


# -- arguments of the wrong Python type (#19) ----------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "paths"),
    [
        ({"user_id": None, "role": None, "managed_partner_ids": None},
         ("user_id", "role", "managed_partner_ids")),
        ({"user_id": "v1", "role": PARTNER_ACCOUNT_MANAGER, "managed_partner_ids": 5},
         ("managed_partner_ids",)),
        ({"user_id": "v1", "role": PARTNER_ACCOUNT_MANAGER, "managed_partner_ids": [["p1"]]},
         ("managed_partner_ids",)),
        ({"user_id": "v1", "role": PARTNER_ACCOUNT_MANAGER, "managed_partner_ids": [1, "p2"]},
         ("managed_partner_ids",)),
    ],
)  # fmt: skip
def test_an_actor_names_every_field_of_the_wrong_type(kwargs: dict[str, Any], paths: Any) -> None:
    # Issue #19: Actor(None, None, managed_partner_ids=None) raised TypeError (not iterable).
    with pytest.raises(ValidationError) as caught:
        Actor(**kwargs)
    assert caught.value.paths == paths


def test_one_managed_partner_id_given_as_text_is_that_id() -> None:
    pam = Actor("v1", PARTNER_ACCOUNT_MANAGER, managed_partner_ids="p1")
    assert pam.managed_partner_ids == frozenset({"p1"})


@pytest.mark.parametrize(
    "pairs", [None, 3, "user", [("user",)], [["user", "register_deals"]], [("user", 1)], [[1]]]
)
def test_a_permission_map_of_no_role_permission_pairs_is_a_validation_error(pairs: Any) -> None:
    # Issue #19: PermissionMap(None) raised TypeError (not iterable).
    with pytest.raises(ValidationError) as caught:
        PermissionMap(pairs)
    assert caught.value.paths == ("pairs",)
