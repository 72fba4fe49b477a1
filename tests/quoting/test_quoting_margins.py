import enum
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from quoting_fixtures import APPROVED, DECLINED, GOLD, SILVER, TODAY, quote

from partnerkit.core import Money, Percentage
from partnerkit.core.errors import ValidationError
from partnerkit.quoting import LineRequest, MarginPolicy, Promotion, RuleKind, Stacking
from partnerkit.tiers import Benefits, Tier

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


# -- issue #19: what mutation testing showed no test noticed ----------------------------------

rates = st.integers(min_value=0, max_value=100).map(lambda n: Decimal(n) / 100)


@given(promotion=rates, partner=rates, reward=rates)
def test_compounding_leaves_the_product_of_what_each_rate_leaves(
    promotion: Decimal, partner: Decimal, reward: Decimal
) -> None:
    policy = MarginPolicy(stacking=Stacking.COMPOUNDING)
    p, m, r, cut = policy.effective(promotion, partner, reward)
    assert not cut
    assert p == promotion
    # Each rate takes its share of what the rates before it left of the list price.
    assert m == (1 - promotion) * partner
    assert r == (1 - promotion - m) * reward
    assert 1 - (p + m + r) == (1 - promotion) * (1 - partner) * (1 - reward)


def test_compounding_with_a_promotion_applies_the_margins_to_the_promoted_price() -> None:
    spring = Promotion("spring", "Spring", Percentage(10))
    policy = MarginPolicy(stacking=Stacking.COMPOUNDING, promotions=[spring])
    q = quote(ONE_LINE, policy=policy)  # Gold: 20 % partner margin, 10 % reward margin
    assert q.promotion == Money("48.00", "USD")  # 10 % of 480.00
    assert q.partner_margin == Money("86.40", "USD")  # 20 % of 432.00
    assert q.reward_margin == Money("34.56", "USD")  # 10 % of 345.60
    assert q.net_total == Money("311.04", "USD")  # 480.00 x 0.9 x 0.8 x 0.9


def test_a_promotion_applies_from_its_first_to_its_last_day_inclusive() -> None:
    spring = Promotion(
        "spring", "Spring", Percentage(5), starts=date(2026, 3, 1), ends=date(2026, 3, 31)
    )
    assert not spring.applies("MAIL", date(2026, 2, 28))
    assert spring.applies("MAIL", date(2026, 3, 1))
    assert spring.applies("MAIL", date(2026, 3, 31))
    assert not spring.applies("MAIL", date(2026, 4, 1))


def test_a_one_day_promotion_applies_on_that_day_only() -> None:
    day = date(2026, 3, 2)
    flash = Promotion("flash", "Flash", Percentage(15), starts=day, ends=day)
    assert flash.applies("MAIL", day)
    assert not flash.applies("MAIL", date(2026, 3, 1))
    assert not flash.applies("MAIL", date(2026, 3, 3))
    q = quote(ONE_LINE, policy=MarginPolicy(promotions=[flash]))  # priced on 2026-03-02
    assert q.promotion == Money("72.00", "USD")
    assert (q.rules[-1].kind, q.rules[-1].rate) == (RuleKind.PROMOTION, Percentage(15))


@given(
    starts=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    length=st.integers(min_value=0, max_value=400),
    day=st.dates(date(2019, 1, 1), date(2031, 12, 31)),
)
def test_a_promotion_applies_exactly_on_the_days_of_its_range(
    starts: date, length: int, day: date
) -> None:
    ends = date.fromordinal(starts.toordinal() + length)
    promotion = Promotion("p", "P", Percentage(5), skus=["MAIL"], starts=starts, ends=ends)
    assert promotion.applies("MAIL", day) == (starts <= day <= ends)
    assert not promotion.applies("ARCH", day)
    assert Promotion("o", "Open", Percentage(5), starts=starts).applies("X", day) == (starts <= day)
    assert Promotion("u", "Until", Percentage(5), ends=ends).applies("X", day) == (day <= ends)


@pytest.mark.parametrize("days", [1, 30, 366])
def test_a_quote_stays_valid_from_one_to_366_days(days: int) -> None:
    q = quote(ONE_LINE, policy=MarginPolicy(valid_days=days))
    assert MarginPolicy(valid_days=days).valid_days == days
    assert (q.valid_until - TODAY).days == days


@pytest.mark.parametrize("days", [0, 367, -1, True, 30.0, "30"])
def test_a_validity_outside_one_to_366_whole_days_is_refused(days: object) -> None:
    with pytest.raises(ValidationError) as caught:
        MarginPolicy(valid_days=days)  # type: ignore[arg-type]
    assert caught.value.paths == ("valid_days",)


def test_a_discount_exactly_at_the_cap_is_not_cut_and_records_no_cap_rule() -> None:
    policy = MarginPolicy(cap=Percentage(30))  # Gold: 20 % + 10 % = 30 %
    assert policy.effective(Decimal("0"), Decimal("0.2"), Decimal("0.1")) == (
        Decimal("0"),
        Decimal("0.2"),
        Decimal("0.1"),
        False,
    )
    q = quote(ONE_LINE, policy=policy)
    assert q.discount == Money("144.00", "USD")
    assert RuleKind.CAP not in [r.kind for r in q.rules]
    # One hundredth of a percent less and the cap cuts the reward margin.
    tighter = quote(ONE_LINE, policy=MarginPolicy(cap=Percentage("29.99")))
    assert tighter.rules[-1].kind is RuleKind.CAP


@given(promotion=rates, partner=rates, reward=rates, cap=st.integers(min_value=0, max_value=100))
def test_the_cap_bounds_the_total_and_cuts_reward_then_partner_then_promotion(
    promotion: Decimal, partner: Decimal, reward: Decimal, cap: int
) -> None:
    policy = MarginPolicy(cap=Percentage(cap))
    p, m, r, cut = policy.effective(promotion, partner, reward)
    limit = Decimal(cap) / 100
    total = promotion + partner + reward
    assert cut == (total > limit)
    assert p + m + r == min(total, limit)
    assert 0 <= p <= promotion
    assert 0 <= m <= partner
    assert 0 <= r <= reward
    if r < reward:  # the reward margin gives way first, the promotion last
        assert (p, m) == (promotion, partner) or r == 0
    if m < partner:
        assert r == 0
        assert p == promotion or m == 0
    if p < promotion:
        assert m == r == 0


def test_of_equal_promotions_the_first_listed_wins() -> None:
    first = Promotion("first", "First", Percentage(5))
    second = Promotion("second", "Second", Percentage(5), skus=["MAIL"])
    assert MarginPolicy(promotions=[first, second]).promotion_for("MAIL", TODAY) is first
    assert MarginPolicy(promotions=[second, first]).promotion_for("MAIL", TODAY) is second
    bigger = Promotion("bigger", "Bigger", Percentage("5.01"))
    assert MarginPolicy(promotions=[first, bigger]).promotion_for("MAIL", TODAY) is bigger
    assert MarginPolicy(promotions=[bigger, first]).promotion_for("MAIL", TODAY) is bigger
    assert MarginPolicy(promotions=[first]).promotion_for("ARCH", date(2020, 1, 1)) is first
    assert MarginPolicy(promotions=[second]).promotion_for("ARCH", TODAY) is None


def _problems(call: Callable[[], object]) -> list[tuple[str, str, str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return [(e.path, e.code, e.message) for e in caught.value.errors]


KEY_RULE = "a promotion key is 1-64 letters or digits"


@pytest.mark.parametrize("key", ["", "bad key!", "-starts-with-a-dash", "k" * 65, 5])
def test_a_promotion_key_is_1_to_64_letters_or_digits(key: object) -> None:
    assert _problems(lambda: Promotion(key, "Spring", Percentage(1))) == [  # type: ignore[arg-type]
        ("key", "invalid", KEY_RULE)
    ]
    assert Promotion("k" * 64, "Spring", Percentage(1)).key == "k" * 64


def test_a_bad_promotion_says_what_is_wrong_with_each_field() -> None:
    assert _problems(
        lambda: Promotion("bad key!", " ", 5, skus=5, starts="2026")  # type: ignore[arg-type]
    ) == [
        ("key", "invalid", KEY_RULE),
        ("name", "required", "the promotion needs a name"),
        ("rate", "invalid", "expected a Percentage"),
        ("skus", "invalid", "expected a list of SKUs, got int"),
        ("starts", "invalid", "expected a date or nothing, got str"),
    ]
    unnamed: dict[str, Any] = {"name": 5, "skus": [1]}
    assert _problems(
        lambda: Promotion(
            "p", rate=Percentage(1), starts=date(2026, 2, 1), ends=date(2026, 1, 1), **unnamed
        )
    ) == [
        ("name", "required", "the promotion needs a name"),
        ("skus", "invalid", "SKUs are texts"),
        ("ends", "out_of_range", "ends before it starts"),
    ]


def test_a_bad_margin_policy_says_what_is_wrong_with_each_field() -> None:
    a, again = Promotion("a", "A", Percentage(1)), Promotion("a", "B", Percentage(2))
    assert _problems(
        lambda: MarginPolicy(
            stacking="x",  # type: ignore[arg-type]
            cap=1,  # type: ignore[arg-type]
            partner_margin=2,  # type: ignore[arg-type]
            reward_margin=3,  # type: ignore[arg-type]
            overrides={"": Percentage(1), "p-1": 5},  # type: ignore[dict-item]
            promotions=[5, a, again],  # type: ignore[list-item]
            valid_days=0,
        )
    ) == [
        ("stacking", "invalid_choice", "expected a Stacking"),
        ("cap", "invalid", "expected a Percentage"),
        ("partner_margin", "invalid", "expected a Percentage"),
        ("reward_margin", "invalid", "expected a Percentage"),
        ("overrides", "invalid", "keys are partner ids"),
        ("overrides.p-1", "invalid", "not a Percentage"),
        ("promotions.0", "invalid", "expected a Promotion"),
        ("promotions.2.key", "duplicate", "a"),
        ("valid_days", "out_of_range", "between 1 and 366 days"),
    ]
    assert _problems(lambda: MarginPolicy(overrides=[], promotions=5)) == [  # type: ignore[arg-type]
        ("overrides", "invalid", "expected a mapping"),
        ("promotions", "invalid", "expected a list of Promotions, got int"),
    ]


def test_a_registration_of_another_deal_says_whose_it_is() -> None:
    other = attrs.evolve(APPROVED, partner_id="p-2", prospect_id="globex")
    assert _problems(lambda: quote(ONE_LINE, registration=other)) == [
        ("registration.partner_id", "invalid", "registered by another partner"),
        ("registration.prospect_id", "invalid", "for another prospect"),
    ]


@pytest.mark.parametrize(
    ("requested", "locale", "shown"),
    [
        ("120%", "fr_FR", "120\xa0%"),
        ("100.5%", "de_DE", "100,5\xa0%"),
        ("100%", "de_DE", "100\xa0%"),
        ("250%", "en", "250%"),
    ],
)
def test_a_requested_discount_above_100_percent_is_shown_in_the_locale(
    requested: str, locale: str, shown: str
) -> None:
    from partnerkit.quoting import AppliedRule

    params = {"requested": requested, "cap": "40%"}
    rule = AppliedRule(
        RuleKind.CAP, Percentage(40), "total discount {requested} capped at {cap}", params
    )
    assert shown in rule.explain(locale)


@pytest.mark.parametrize(
    ("settings", "tier", "rate", "why"),
    [
        ({"partner_margin": Percentage(5)}, None, 5, "5% program default"),
        ({"overrides": {"p-1": Percentage(25)}}, GOLD, 25, "25% agreed for this partner"),
        ({}, SILVER, 10, "10% from the Silver tier"),
    ],
)
def test_the_partner_margin_rule_records_its_rate_and_where_it_came_from(
    settings: dict[str, Any], tier: Tier | None, rate: int, why: str
) -> None:
    # A policy of its own: a policy remembers its decisions, and this test checks one made.
    decision = MarginPolicy(**settings).decide(partner_id="p-1", prospect_id="acme", tier=tier)
    (rule,) = decision.rules
    assert (rule.kind, rule.rate, rule.skus) == (RuleKind.PARTNER_MARGIN, Percentage(rate), ())
    assert rule.explain("en") == f"Partner margin: {why}"
    assert decision.partner_margin == Percentage(rate)


def test_a_policy_remembers_at_most_1024_decisions() -> None:
    policy = MarginPolicy(partner_margin=Percentage(5))
    for n in range(1100):
        decision = policy.decide(partner_id=f"p-{n}", prospect_id="acme")
        assert decision.partner_margin == Percentage(5)
        assert len(policy._cache) <= 1024
    assert policy.decide(partner_id="p-1099", prospect_id="acme") is decision


def test_a_tier_reward_margin_of_1_percent_beats_the_program_one() -> None:
    tier = Tier("bronze", "Bronze", 1, Benefits(Percentage(10), Percentage(1)))
    policy = MarginPolicy(reward_margin=Percentage(3))
    decision = policy.decide(partner_id="p-1", prospect_id="acme", tier=tier, registration=APPROVED)
    assert decision.reward_margin == Percentage(1)
    assert [(r.kind, r.rate) for r in decision.rules] == [
        (RuleKind.PARTNER_MARGIN, Percentage(10)),
        (RuleKind.REWARD_MARGIN, Percentage(1)),
    ]


def test_an_approved_registration_without_any_reward_margin_records_no_reward_rule() -> None:
    decision = MarginPolicy().decide(
        partner_id="p-1", prospect_id="acme", tier=SILVER, registration=APPROVED
    )
    assert decision.reward_margin == Percentage(0)
    assert [r.kind for r in decision.rules] == [RuleKind.PARTNER_MARGIN]


def test_the_no_reward_rule_names_the_stage_of_an_enum_and_records_a_zero_rate() -> None:
    class Stage(enum.Enum):
        DECLINED = "declined"

    registration = attrs.evolve(APPROVED, stage=Stage.DECLINED)  # type: ignore[arg-type]
    decision = MarginPolicy().decide(
        partner_id="p-1", prospect_id="acme", tier=GOLD, registration=registration
    )
    rule = decision.rules[-1]
    assert (rule.kind, rule.rate) == (RuleKind.NO_REWARD_MARGIN, Percentage(0))
    assert rule.explain("en") == "No reward margin: registration DR-1 is declined"


def test_rules_and_policies_keep_their_own_copy_of_the_mappings_they_are_given() -> None:
    from partnerkit.quoting import AppliedRule

    params = {"rate": "5%"}
    rule = AppliedRule(RuleKind.PARTNER_MARGIN, Percentage(5), "{rate} program default", params)
    overrides = {"p-1": Percentage(25)}
    policy = MarginPolicy(overrides=overrides)
    params["rate"] = "50%"
    overrides["p-1"] = Percentage(50)
    assert rule.explain("en") == "Partner margin: 5% program default"
    assert policy.decide(partner_id="p-1", prospect_id="acme").partner_margin == Percentage(25)


def test_an_applied_rule_refuses_every_bad_field_at_once() -> None:
    from partnerkit.quoting import AppliedRule

    with pytest.raises(ValidationError) as raised:
        AppliedRule(
            "cap",  # type: ignore[arg-type]
            40,  # type: ignore[arg-type]
            "{requested} capped at {cap}",
            {"requested": 45, 3: "x"},  # type: ignore[dict-item]
            skus=["MAIL", 7],  # type: ignore[list-item]
        )
    assert [(e.path, e.code) for e in raised.value.errors] == [
        ("kind", "invalid"),
        ("rate", "invalid"),
        ("params.requested", "invalid"),
        ("params.3", "invalid"),
        ("reason", "invalid"),
        ("skus", "invalid"),
    ]
    assert "{cap} names no parameter" in str(raised.value)


@pytest.mark.parametrize(
    ("reason", "params", "problem"),
    [
        ("", {}, "required"),
        ("   ", {}, "required"),
        ("capped at {cap", {"cap": "40%"}, "no format text"),
        ("capped at {}", {"cap": "40%"}, "{} names no parameter"),
        ("capped at {cap.real}", {"cap": "40%"}, "{cap.real} names no parameter"),
        ("capped at {cap}", {}, "{cap} names no parameter"),
        ("capped at {cap:>{width}}", {"cap": "40%"}, "{width} names no parameter"),
        ("capped at {cap:>{}}", {"cap": "40%"}, "cannot show its parameters"),
        ("capped at {cap!x}", {"cap": "40%"}, "cannot show its parameters"),
        ("capped at {cap:d}", {"cap": "40%"}, "cannot show its parameters"),
    ],
)
def test_an_applied_rule_refuses_a_reason_it_could_not_explain(
    reason: str, params: dict[str, str], problem: str
) -> None:
    from partnerkit.quoting import AppliedRule

    with pytest.raises(ValidationError) as raised:
        AppliedRule(RuleKind.CAP, Percentage(40), reason, params)
    assert raised.value.paths == ("reason",)
    assert problem in str(raised.value)


def test_an_applied_rule_refuses_params_that_are_no_mapping() -> None:
    from partnerkit.quoting import AppliedRule

    for params in (["cap"], "cap=40%", None):
        with pytest.raises(ValidationError) as raised:
            AppliedRule(RuleKind.CAP, Percentage(40), "capped", params)  # type: ignore[arg-type]
        assert raised.value.paths == ("params",)
    rule = AppliedRule(RuleKind.CAP, Percentage(40), "capped at {cap:>4}", {"cap": "40%"})
    assert rule.explain("en") == "Discount cap: capped at  40%"
    rule = AppliedRule(RuleKind.CAP, Percentage(40), "{{capped}} at {cap!s}", {"cap": "40%"})
    assert rule.explain("en") == "Discount cap: {capped} at 40%"
