from datetime import date, datetime, timedelta, timezone

import attrs
import pytest
from quoting_fixtures import APPROVED, AT, DECLINED, GOLD, MAIL, TODAY, book, quote

from partnerkit.core import Money, Percentage, from_dict, from_json, to_dict, to_json
from partnerkit.core.errors import InvalidTransition, ValidationError
from partnerkit.quoting import (
    LineRequest,
    MarginPolicy,
    PriceBook,
    ProductPrice,
    Quote,
    QuoteStatus,
    VolumeBand,
    accept_quote,
    expire_quote,
    format_quote,
    quote_from_registration,
    reprice,
    revise_quote,
    send_quote,
)


def test_a_three_line_quote_rounds_list_totals_and_reconciles_to_the_cent() -> None:
    q = quote()
    assert [line.list_total for line in q.lines] == [
        Money("10500.00", "USD"),
        Money("989.51", "USD"),  # 19.99 x 33 x 1.5 = 989.505, rounded half-up
        Money("1500.00", "USD"),
    ]
    assert q.list_total == Money("12989.51", "USD")
    assert q.discount == Money("3896.85", "USD")  # 30 % of the exact list: 3896.853
    assert q.net_total == Money("9092.66", "USD")
    for field in ("list_total", "promotion", "partner_margin", "reward_margin"):
        assert Money.sum((getattr(line, field) for line in q.lines), "USD") == getattr(q, field)
    assert Money.sum((line.net for line in q.lines), "USD") == q.net_total
    assert q.customer_price == q.list_total


def test_zero_decimal_currencies_allocate_whole_yen() -> None:
    yen = PriceBook(
        "jpy",
        "JPY",
        date(2026, 1, 1),
        prices=[ProductPrice(MAIL, [VolumeBand(1, Money("333", "JPY"))])],
    )
    q = quote((LineRequest("MAIL", 1, 1),), price_book=yen)
    assert q.list_total == Money("333", "JPY")
    assert q.partner_margin == Money("67", "JPY")  # 66.6 + 33.3 = 99.9 -> 100 split 2:1
    assert q.reward_margin == Money("33", "JPY")
    assert q.net_total == Money("233", "JPY")


def test_three_decimal_currencies_round_to_the_fils() -> None:
    dinar = PriceBook(
        "bhd",
        "BHD",
        date(2026, 1, 1),
        prices=[ProductPrice(MAIL, [VolumeBand(1, Money("1.2345", "BHD"))])],
    )
    q = quote((LineRequest("MAIL", 1, 1),), price_book=dinar, registration=None)
    assert q.list_total == Money("1.235", "BHD")
    assert q.partner_margin == Money("0.247", "BHD")
    assert q.net_total == Money("0.988", "BHD")


def test_bad_lines_are_all_reported_with_their_paths() -> None:
    with pytest.raises(ValidationError) as info:
        quote((LineRequest("FAX", 0, 12), LineRequest("MAIL", 5, 0), LineRequest("MAIL", 5, 12)))
    assert info.value.paths == ("lines.0.sku", "lines.0.quantity", "lines.1.term_months")
    assert info.value.errors[0].code == "unknown"


def test_lines_too_large_for_money_are_refused_not_crashed() -> None:
    huge = PriceBook(
        "huge",
        "USD",
        date(2026, 1, 1),
        prices=[ProductPrice(MAIL, [VolumeBand(1, Money("900000000000", "USD"))])],
    )
    with pytest.raises(ValidationError) as info:
        quote((LineRequest("MAIL", 10_000, 120), LineRequest("MAIL", 5_000, 120)), price_book=huge)
    assert info.value.paths == ("lines.0.quantity", "lines.1.quantity")
    with pytest.raises(ValidationError) as info:
        quote((LineRequest("MAIL", True, "12"),))  # type: ignore[arg-type]
    assert [e.code for e in info.value.errors] == ["invalid", "invalid"]


def test_a_quote_priced_outside_the_books_dates_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        quote(price_book=attrs.evolve(book(), effective_from=date(2026, 6, 1)))
    assert info.value.paths == ("as_of",)


def test_a_quote_is_valid_for_the_policys_days_and_records_its_creation() -> None:
    q = quote(policy=MarginPolicy(valid_days=14))
    assert q.valid_until == TODAY + timedelta(days=14)
    assert q.status is QuoteStatus.DRAFT
    assert [(c.action, c.to_status, c.actor) for c in q.history] == [
        ("created", QuoteStatus.DRAFT, "u-1")
    ]


def test_the_automatic_quote_uses_the_opportunitys_product_and_seats_with_reward_margin() -> None:
    q = quote_from_registration(
        APPROVED,
        book(),
        MarginPolicy(),
        TODAY,
        sku="MAIL",
        seats=120,
        id="Q-1-R1",
        number="Q-1",
        actor="system",
        at=AT,
        tier=GOLD,
    )
    assert (q.partner_id, q.prospect_id, q.registration_id) == ("p-1", "acme", "DR-1")
    assert q.lines[0].unit_price == Money("3.50", "USD")
    assert q.list_total == Money("5040.00", "USD")
    assert q.reward_margin == Money("504.00", "USD")


def test_the_automatic_quote_reads_product_and_seats_from_a_deals_registration() -> None:
    @attrs.frozen
    class Deal:
        id: str
        partner_id: str
        prospect_id: str
        stage: str
        product: str
        users: int

    deal = Deal("DR-1", "p-1", "acme", "approved", "ARCH", 40)
    q = quote_from_registration(
        deal, book(), MarginPolicy(), TODAY, id="Q-1-R1", number="Q-1", actor="system", at=AT
    )
    assert [line.request for line in q.lines] == [LineRequest("ARCH", 40, 12)]
    with pytest.raises(ValidationError) as info:
        quote_from_registration(
            APPROVED, book(), MarginPolicy(), TODAY, id="Q-1-R1", number="Q-1", actor="s", at=AT
        )
    assert info.value.paths == ("sku", "seats")


def test_quotes_move_draft_sent_accepted_and_accepted_is_final() -> None:
    q = accept_quote(send_quote(quote(), actor="u-1", at=AT), actor="u-2", at=AT)
    assert q.status is QuoteStatus.ACCEPTED
    assert [(c.from_status, c.to_status) for c in q.history[1:]] == [
        (QuoteStatus.DRAFT, QuoteStatus.SENT),
        (QuoteStatus.SENT, QuoteStatus.ACCEPTED),
    ]
    with pytest.raises(InvalidTransition):
        expire_quote(q, actor="u-1", at=AT)


def test_a_quote_past_its_valid_until_date_cannot_be_accepted() -> None:
    q = quote()
    late = datetime.combine(q.valid_until + timedelta(days=1), datetime.min.time(), timezone.utc)
    with pytest.raises(InvalidTransition):
        accept_quote(q, actor="u-1", at=late)
    assert expire_quote(q, actor="u-1", at=late).status is QuoteStatus.EXPIRED


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValidationError):
        send_quote(quote(), actor="u-1", at=datetime(2026, 3, 2, 9, 0))


def test_a_revision_supersedes_the_old_quote_and_keeps_its_number() -> None:
    old, new = revise_quote(
        quote(),
        [LineRequest("MAIL", 300, 24)],
        book(),
        MarginPolicy(),
        id="Q-2026-000001-R2",
        as_of=TODAY,
        actor="u-1",
        at=AT,
        tier=GOLD,
        registration=APPROVED,
    )
    assert old.status is QuoteStatus.SUPERSEDED
    assert old.superseded_by == new.id
    assert (new.number, new.revision, new.supersedes) == ("Q-2026-000001", 2, old.id)
    assert new.registration_id == "DR-1"
    assert new.list_total == Money("25200.00", "USD")
    with pytest.raises(InvalidTransition):
        revise_quote(
            old,
            [LineRequest("MAIL", 1)],
            book(),
            MarginPolicy(),
            id="x",
            as_of=TODAY,
            actor="u-1",
            at=AT,
        )


def _reprice_declined(q: Quote, price_book: PriceBook | None = None) -> Quote:
    """``q`` repriced today for the gold tier after its registration was declined."""
    return reprice(
        q,
        price_book or book(),
        MarginPolicy(),
        as_of=TODAY,
        actor="u-1",
        at=AT,
        tier=GOLD,
        registration=DECLINED,
    )


def test_reward_margin_is_dropped_when_registration_is_declined() -> None:
    q = quote()
    repriced = _reprice_declined(q)
    assert repriced.reward_margin.is_zero()
    assert repriced.partner_margin == Money("2597.90", "USD")
    assert repriced.net_total == q.list_total - repriced.partner_margin
    assert repriced.history[-1].action == "repriced"
    assert repriced.history[-1].note == "net 9092.66 USD -> 10391.61 USD"


def test_repricing_is_idempotent() -> None:
    once = _reprice_declined(quote())
    assert _reprice_declined(once) is once


def test_accepted_quotes_keep_their_prices_when_the_registration_is_declined() -> None:
    accepted = accept_quote(quote(), actor="u-1", at=AT)
    kept = _reprice_declined(accepted)
    assert kept is accepted
    assert kept.reward_margin == Money("1298.95", "USD")


def test_repricing_never_converts_currencies() -> None:
    with pytest.raises(ValidationError) as info:
        _reprice_declined(quote(), book("EUR", key="eur"))
    assert info.value.paths == ("price_book.currency",)


def test_repricing_needs_the_quotes_own_registration() -> None:
    other = attrs.evolve(APPROVED, id="DR-9")
    with pytest.raises(ValidationError) as info:
        reprice(quote(), book(), MarginPolicy(), as_of=TODAY, actor="u", at=AT, registration=other)
    assert info.value.paths == ("registration.id",)
    with pytest.raises(ValidationError):
        reprice(quote(), book(), MarginPolicy(), as_of=TODAY, actor="u", at=AT)


def test_quotes_round_trip_through_dicts_and_json() -> None:
    q = quote(policy=MarginPolicy(cap=Percentage(25)))
    data = to_dict(q)
    assert data["net_total"] == {"amount": "9742.14", "currency": "USD"}
    assert data["status"] == "draft"
    back = from_dict(Quote, data)
    assert back == q
    assert back.status is QuoteStatus.DRAFT
    assert back.lines[0].billing_unit is q.lines[0].billing_unit
    assert back.rules[0].kind is q.rules[0].kind
    assert from_json(Quote, to_json(q)) == q
    assert q.to_dict() == data


def test_a_quote_with_a_float_quantity_is_refused_when_read_back() -> None:
    data = to_dict(quote())
    data["lines"][0]["quantity"] = 1.5
    with pytest.raises(ValidationError) as info:
        from_dict(Quote, data)
    assert info.value.paths == ("lines.0.quantity",)


def test_format_quote_renders_money_and_dates_for_the_locale() -> None:
    text = format_quote(quote(), "de_DE")
    assert "Q-2026-000001" in text
    assert "02.03.2026" in text
    assert "12.989,51\xa0$" in text
    assert "Bonusmarge: 10\xa0%, solange Registrierung DR-1 genehmigt ist" in text
    english = format_quote(quote(), "en_US")
    assert "Partner net price: $9,092.66" in english
    assert "Valid until: Apr 1, 2026" in english


@pytest.mark.parametrize(
    ("locale", "rate", "ten"),
    [
        ("de_DE", "17,5\xa0%", "10\xa0%"),
        ("fr_FR", "17,5\xa0%", "10\xa0%"),
        ("en_US", "17.5%", "10%"),
    ],
)
def test_rule_lines_format_their_rates_for_the_locale(locale: str, rate: str, ten: str) -> None:
    policy = MarginPolicy(overrides={"p-1": Percentage("17.5")})
    text = format_quote(quote(policy=policy), locale)
    rules = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(rules) == 2
    assert rate in rules[0]
    assert ten in rules[1]
    assert locale == "en_US" or "17.5%" not in text
