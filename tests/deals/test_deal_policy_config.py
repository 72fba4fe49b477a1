"""The [deals] section: defaults, every bad key reported at once, and a lossless round trip."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerkit.core import ConfigReader, from_dict, to_dict
from partnerkit.core.errors import ValidationError
from partnerkit.deals import (
    RegistrationPolicy,
    read_registration_policy,
    registration_policy_from_dict,
    registration_policy_to_dict,
)
from partnerkit.locale import Choice


def test_an_empty_section_gives_the_defaults() -> None:
    assert registration_policy_from_dict({}) == RegistrationPolicy()


def test_every_bad_key_is_reported_with_its_path() -> None:
    with pytest.raises(ValidationError) as caught:
        registration_policy_from_dict(
            {
                "approval_mode": "maybe",
                "review_days": 0,
                "protection_days": 1.5,
                "project_priorities": [{"key": "p1"}],
                "free_mail_domains": "gmail.com",
                "colour": "red",
            }
        )
    assert set(caught.value.paths) == {
        "deals.approval_mode",
        "deals.review_days",
        "deals.protection_days",
        "deals.project_priorities.0.label",
        "deals.free_mail_domains",
        "deals.colour",
    }


def test_deadlines_that_contradict_each_other_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        registration_policy_from_dict({"order_start_days": 60, "order_submit_days": 30})
    assert caught.value.paths == ("deals.order_submit_days",)


def test_read_records_errors_without_raising() -> None:
    root = ConfigReader({"deals": {"max_extensions": -1}})
    assert read_registration_policy(root.table("deals")) is None
    assert root.errors.paths == ("deals.max_extensions",)


def test_extra_free_mail_domains_add_to_the_defaults() -> None:
    policy = registration_policy_from_dict({"extra_free_mail_domains": ["Mail.Example."]})
    assert policy.is_free_mail("mail.example")
    assert policy.is_free_mail("gmail.com")


_days = st.integers(min_value=1, max_value=400)


@settings(max_examples=60)
@given(
    mode=st.sampled_from(["manual", "automatic"]),
    conflict=st.sampled_from(["flag", "decline"]),
    days=st.lists(_days, min_size=3, max_size=3),
    products=st.lists(
        st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True), unique=True, max_size=3
    ),
)
def test_a_policy_round_trips_through_its_dict_and_the_core_converter(
    mode: str, conflict: str, days: list[int], products: list[str]
) -> None:
    start, submit, protect = sorted(days)
    policy = RegistrationPolicy(
        approval_mode=mode,  # type: ignore[arg-type]
        channel_conflict=conflict,  # type: ignore[arg-type]
        order_start_days=start,
        order_submit_days=submit,
        protection_days=protect,
        products=tuple(Choice(p, p.title()) for p in products),
    )
    assert registration_policy_from_dict(registration_policy_to_dict(policy)) == policy
    assert from_dict(RegistrationPolicy, to_dict(policy)) == policy


# -- one text rule for every text field (issue #19) ----------------------------------------------


@pytest.mark.parametrize(
    ("choice", "path"),
    [
        ({"key": "high", "label": "High\u202e"}, "deals.project_priorities.0.label"),
        ({"key": "hi\x00gh", "label": "High"}, "deals.project_priorities.0.key"),
        ({"key": "high", "label": "H" * 201}, "deals.project_priorities.0.label"),
        ({"key": "h" * 201, "label": "High"}, "deals.project_priorities.0.key"),
    ],
)
def test_list_choices_follow_the_text_rule(choice: dict[str, str], path: str) -> None:
    with pytest.raises(ValidationError) as caught:
        registration_policy_from_dict({"project_priorities": [choice]})
    assert [(e.path, e.code) for e in caught.value.errors] == [(path, "invalid")]


def test_list_choices_built_in_code_follow_the_text_rule() -> None:
    with pytest.raises(ValidationError) as caught:
        RegistrationPolicy(products=(Choice("crm", "CRM\u2067"),))
    assert [(e.path, e.code) for e in caught.value.errors] == [
        ("deals.products.0.label", "invalid")
    ]
