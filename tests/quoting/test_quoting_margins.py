from datetime import date
from decimal import Decimal

import attrs
import pytest
from quoting_fixtures import APPROVED, DECLINED, GOLD, SILVER, quote

from partnerkit.core import Money, Percentage
from partnerkit.core.errors import ValidationError
from partnerkit.quoting import LineRequest, MarginPolicy, Promotion, RuleKind, Stacking

ONE_LINE = (LineRequest("MAIL", 10, 12),)  # 4.00 x 10 x 12 = 480.00


def test_partner_margin_comes_from_the_tier_benefits() -> None:
    q = quote(ONE_LINE, tier=SILVER, registration=None)
    assert q.partner_margin == Money("48.00", "USD")
    assert q.reward_margin == Money("0.00", "USD")
    assert q.net_total == Money("432.00", "USD")
    assert [r.explain("en") for r in q.rules] == ["Partner margin: 10% from the Silver tier"]


def test_a_per_partner_override_beats_the_tier() -> None:
    policy = MarginPolicy(overrides={"p-1": Percentage(25)})
    q = quote(ONE_LINE, policy=policy, tier=GOLD, registration=None)
    assert q.partner_margin == Money("120.00", "USD")
    assert q.rules[0].explain("en") == "Partner margin: 25% agreed for this partner"


def test_a_partner_without_tier_gets_the_program_default() -> None:
    q = quote(ONE_LINE, policy=MarginPolicy(partner_margin=Percentage(5)), tier=None)
    assert q.partner_margin == Money("24.00", "USD")


def test_reward_margin_applies_while_the_registration_is_approved() -> None:
    q = quote(ONE_LINE, tier=GOLD, registration=APPROVED)
    assert q.reward_margin == Money("48.00", "USD")
    assert q.net_total == Money("336.00", "USD")
    assert q.registration_id == "DR-1"
    assert "Reward margin: 10% while registration DR-1 is approved" in [
        r.explain("en") for r in q.rules
    ]


def test_no_reward_margin_for_a_registration_that_is_not_approved_and_the_quote_says_why() -> None:
    q = quote(ONE_LINE, tier=GOLD, registration=DECLINED)
    assert q.reward_margin.is_zero()
    assert q.rules[-1].kind is RuleKind.NO_REWARD_MARGIN
    assert q.rules[-1].explain("en") == "No reward margin: registration DR-1 is declined"


def test_an_order_started_registration_keeps_earning_the_reward_margin() -> None:
    started = attrs.evolve(APPROVED, stage="order_started")
    assert quote(ONE_LINE, registration=started).reward_margin == Money("48.00", "USD")
    submitted = attrs.evolve(APPROVED, stage="order_submitted")
    assert quote(ONE_LINE, registration=submitted).reward_margin.is_zero()


def test_a_registration_that_says_whether_it_earns_the_reward_margin_decides() -> None:
    @attrs.frozen
    class Deal:
        id: str
        partner_id: str
        prospect_id: str
        stage: str
        earns_reward_margin: bool

    assert quote(ONE_LINE, registration=Deal("DR-1", "p-1", "acme", "custom", True)).reward_margin
    assert not quote(
        ONE_LINE, registration=Deal("DR-1", "p-1", "acme", "approved", False)
    ).reward_margin


def test_an_enum_stage_with_the_approved_value_counts_as_approved() -> None:
    class Stage:
        value = "approved"

    registration = attrs.evolve(APPROVED, stage=Stage())  # type: ignore[arg-type]
    assert quote(ONE_LINE, registration=registration).reward_margin == Money("48.00", "USD")


def test_the_program_reward_margin_applies_when_the_tier_gives_none() -> None:
    policy = MarginPolicy(reward_margin=Percentage(3))
    q = quote(ONE_LINE, policy=policy, tier=SILVER, registration=APPROVED)
    assert q.reward_margin == Money("14.40", "USD")


def test_a_registration_of_another_partner_or_prospect_is_refused() -> None:
    other = attrs.evolve(APPROVED, partner_id="p-2", prospect_id="globex")
    with pytest.raises(ValidationError) as info:
        quote(ONE_LINE, registration=other)
    assert info.value.paths == ("registration.partner_id", "registration.prospect_id")


def test_compounding_applies_each_rate_to_what_the_previous_left() -> None:
    q = quote(ONE_LINE, policy=MarginPolicy(stacking=Stacking.COMPOUNDING))
    assert q.partner_margin == Money("96.00", "USD")
    assert q.reward_margin == Money("38.40", "USD")  # 10 % of 384.00
    assert q.net_total == Money("345.60", "USD")


def test_the_cap_cuts_the_reward_margin_first_and_records_it() -> None:
    q = quote(ONE_LINE, policy=MarginPolicy(cap=Percentage(25)))
    assert q.partner_margin == Money("96.00", "USD")
    assert q.reward_margin == Money("24.00", "USD")
    assert q.discount == Money("120.00", "USD")
    assert q.rules[-1].kind is RuleKind.CAP
    assert q.rules[-1].explain("en") == "Discount cap: total discount 30% capped at 25%"


def test_a_tight_cap_cuts_into_the_partner_margin_and_the_promotion_last() -> None:
    policy = MarginPolicy(cap=Percentage(3), promotions=[Promotion("p", "Spring", Percentage(5))])
    assert policy.effective(Decimal("0.05"), Decimal("0.2"), Decimal("0.1")) == (
        Decimal("0.03"),
        Decimal("0"),
        Decimal("0"),
        True,
    )
    q = quote(ONE_LINE, policy=policy)
    assert q.promotion == Money("14.40", "USD")
    assert q.partner_margin.is_zero()
    assert q.reward_margin.is_zero()


def test_the_largest_applicable_promotion_wins_and_lowers_the_customer_price() -> None:
    policy = MarginPolicy(
        promotions=[
            Promotion("small", "Small", Percentage(2)),
            Promotion("big", "Big", Percentage(5), skus=["MAIL"], starts=date(2026, 3, 1)),
            Promotion("later", "Later", Percentage(9), starts=date(2026, 4, 1)),
        ]
    )
    q = quote(ONE_LINE, policy=policy, registration=None)
    assert q.promotion == Money("24.00", "USD")
    assert q.customer_price == Money("456.00", "USD")
    assert q.partner_margin == Money("96.00", "USD")
    assert q.rules[-1].explain("en") == "Promotion: 5% from promotion Big"
    assert q.rules[-1].skus == ("MAIL",)


def test_bad_policies_name_every_bad_field() -> None:
    with pytest.raises(ValidationError) as info:
        MarginPolicy(
            valid_days=0,
            promotions=[
                Promotion("a", "A", Percentage(1)),
                Promotion("a", "A again", Percentage(2)),
            ],
        )
    assert info.value.paths == ("promotions.1.key", "valid_days")


def test_promotions_refuse_bad_dates() -> None:
    with pytest.raises(ValidationError) as info:
        Promotion("x", "X", Percentage(1), starts=date(2026, 2, 1), ends=date(2026, 1, 1))
    assert info.value.paths == ("ends",)


@pytest.mark.parametrize(
    ("kwargs", "paths"),
    [
        ({"skus": None}, ("skus",)),
        ({"skus": 5}, ("skus",)),
        ({"skus": [1]}, ("skus",)),
        ({"starts": [], "ends": False}, ("starts", "ends")),
        ({"starts": date(2026, 1, 1), "ends": "2026-12-31"}, ("ends",)),
    ],
)
def test_a_promotion_names_every_field_of_the_wrong_type(
    kwargs: dict[str, object], paths: object
) -> None:
    # Issue #19: Promotion(..., skus=None) raised TypeError; starts=[], ends=False another.
    with pytest.raises(ValidationError) as caught:
        Promotion("spring", "Spring", Percentage(10), **kwargs)  # type: ignore[arg-type]
    assert caught.value.paths == paths


@pytest.mark.parametrize("skus", [None, 5])
def test_an_applied_rule_refuses_skus_that_are_no_list(skus: object) -> None:
    # Issue #19: AppliedRule(..., skus=None) raised TypeError in the converter.
    from partnerkit.quoting import AppliedRule

    with pytest.raises(ValidationError) as caught:
        AppliedRule(RuleKind.CAP, Percentage(40), "capped", skus=skus)  # type: ignore[arg-type]
    assert caught.value.paths == ("skus",)
    assert AppliedRule(RuleKind.CAP, Percentage(40), "capped", skus=["MAIL"]).skus == ("MAIL",)


@pytest.mark.parametrize("promotions", [None, 5])
def test_a_margin_policy_names_promotions_that_are_no_list(promotions: object) -> None:
    with pytest.raises(ValidationError) as caught:
        MarginPolicy(promotions=promotions, valid_days=0)  # type: ignore[arg-type]
    assert caught.value.paths == ("promotions", "valid_days")
