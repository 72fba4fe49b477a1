"""Host records conform to the quoting protocols: mypy checks these assignments."""

from __future__ import annotations

import enum
from datetime import date
from decimal import Decimal

import attrs
from quoting_fixtures import APPROVED, Registration, book

from partnerkit.quoting import FxRates, Quote, RegistrationLike, convert_price_book, is_approved
from partnerkit.storage import QUOTES, MemoryStorage, Repository


class Stage(enum.Enum):
    APPROVED = "approved"
    DECLINED = "declined"


@attrs.frozen
class EnumStagedRegistration:
    id: str
    partner_id: str
    prospect_id: str
    stage: Stage


class FixedRates:
    def rate(self, source: str, target: str, on: date) -> Decimal:
        return Decimal("0.9")


def test_frozen_records_with_string_or_enum_stages_are_registrations() -> None:
    plain: RegistrationLike = APPROVED
    staged: RegistrationLike = EnumStagedRegistration("DR-2", "p-1", "acme", Stage.APPROVED)
    declined: RegistrationLike = EnumStagedRegistration("DR-3", "p-1", "acme", Stage.DECLINED)
    assert isinstance(plain, RegistrationLike)
    assert is_approved(plain)
    assert is_approved(staged)
    assert not is_approved(declined)
    assert not is_approved(Registration("DR-4", "p-1", "acme", "withdrawn"))
    assert not is_approved(None)


def test_a_host_rate_table_is_an_fx_rates_port() -> None:
    rates: FxRates = FixedRates()
    assert convert_price_book(book(), rates, "EUR", date(2026, 3, 1)).currency == "EUR"


def test_the_quote_repository_is_typed() -> None:
    with MemoryStorage().unit_of_work() as uow:
        repository: Repository[Quote] = uow.repository(QUOTES)
        assert repository.count() == 0
