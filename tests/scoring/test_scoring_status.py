from datetime import date
from decimal import Decimal

import pytest
from babel.messages.pofile import read_po

from partnerkit.core import Money
from partnerkit.core.errors import CurrencyMismatch, ValidationError
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.locale import DOMAIN, LOCALE_DIR
from partnerkit.scoring import Rag, Target, Window, rag_status

CAL = MonthlyFiscalCalendar(start_month=1)


def test_forty_percent_of_an_annual_target_in_month_five_is_on_track() -> None:
    span = Window.year_to_date().resolve(CAL, date(2026, 5, 15))
    status = rag_status(Money("40000", "EUR"), Target("revenue", Money("100000", "EUR")),
                        elapsed=span.elapsed)  # fmt: skip
    assert status.attainment == Decimal("40.00")
    assert status.pace == Decimal("108.15")
    assert status.rag is Rag.GREEN


@pytest.mark.parametrize(
    ("value", "expected"),
    [(100, Rag.GREEN), (99, Rag.AMBER), (80, Rag.AMBER), (79, Rag.RED), (0, Rag.RED)],
)
def test_default_thresholds_are_100_and_80_percent_of_pace(value: int, expected: Rag) -> None:
    assert rag_status(value, Target("k", 100)).rag is expected


def test_thresholds_are_configurable_per_kpi() -> None:
    lenient = Target("k", 100, green=90, amber=50)
    assert rag_status(90, lenient).rag is Rag.GREEN
    assert rag_status(50, lenient).rag is Rag.AMBER
    assert rag_status(49, lenient).rag is Rag.RED


def test_rates_are_not_paced() -> None:
    half_year = Decimal("0.5")
    assert rag_status(25, Target("win_rate", 50), elapsed=half_year, paced=False).rag is Rag.RED
    assert rag_status(25, Target("deals", 50), elapsed=half_year).rag is Rag.GREEN


def test_lower_is_better_kpis_invert_attainment() -> None:
    slow = rag_status(Decimal(10), Target("days", 5), higher_is_better=False)
    assert (slow.attainment, slow.rag) == (Decimal("50.00"), Rag.RED)
    assert rag_status(0, Target("days", 5), higher_is_better=False).rag is Rag.GREEN


def test_unknown_values_have_no_status() -> None:
    assert rag_status(None, Target("k", 1)).rag is None


def test_money_targets_refuse_values_in_another_currency() -> None:
    with pytest.raises(CurrencyMismatch):
        rag_status(Money("5", "USD"), Target("k", Money("5", "EUR")))


def test_targets_report_every_bad_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Target("", 0, green=0, amber=-1)
    assert set(caught.value.paths) == {"kpi", "value", "green", "amber"}
    with pytest.raises(ValidationError):
        Target("k", 1.5)  # type: ignore[arg-type]


def test_a_bad_target_names_every_bad_field_under_its_own_name() -> None:
    with pytest.raises(ValidationError) as caught:
        Target("k", 1, green=99.5)  # type: ignore[arg-type]
    assert caught.value.paths == ("green",)
    with pytest.raises(ValidationError) as caught:
        Target("", 1.5, green=0, amber=-1)  # type: ignore[arg-type]
    assert set(caught.value.paths) == {"kpi", "value", "green", "amber"}
    with pytest.raises(ValidationError) as caught:
        Target("k", "lots", green="x", amber=0.5)  # type: ignore[arg-type]
    assert set(caught.value.paths) == {"value", "green", "amber"}


@pytest.mark.parametrize(
    ("locale", "names"),
    [
        ("en", ("Red", "Amber", "Green")),
        ("en_GB", ("Red", "Amber", "Green")),
        ("de", ("Rot", "Gelb", "Grün")),
        ("fr", ("Rouge", "Orange", "Vert")),
        ("es", ("Rojo", "Ámbar", "Verde")),
        ("pt_BR", ("Vermelho", "Âmbar", "Verde")),
        ("it", ("Rosso", "Ambra", "Verde")),
        ("nl", ("Rood", "Oranje", "Groen")),
        ("ja", ("赤", "黄", "緑")),
        ("sw", ("Red", "Amber", "Green")),
    ],
)
def test_rag_names_are_translated(locale: str, names: tuple[str, str, str]) -> None:
    assert (Rag.RED.label(locale), Rag.AMBER.label(locale), Rag.GREEN.label(locale)) == names


def test_rag_names_are_in_the_template() -> None:
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as handle:
        ids = {str(m.id) for m in read_po(handle) if m.id}
    assert {"Red", "Amber", "Green"} <= ids


@pytest.mark.parametrize(
    ("value", "pace", "expected"),
    [
        (99996, "100.00", Rag.GREEN),
        (99994, "99.99", Rag.AMBER),
        (79996, "80.00", Rag.AMBER),
        (79994, "79.99", Rag.RED),
    ],
)
def test_the_colour_follows_the_pace_as_shown(value: int, pace: str, expected: Rag) -> None:
    status = rag_status(value, Target("k", 100000))
    assert (status.pace, status.rag) == (Decimal(pace), expected)


def test_a_lower_is_better_pace_shown_as_100_is_green() -> None:
    # 5 / 5.0002 is 99.996 %: shown as 100.00, so not amber.
    slow = rag_status(Decimal("5.0002"), Target("days", 5), higher_is_better=False)
    assert (slow.pace, slow.rag) == (Decimal("100.00"), Rag.GREEN)


def test_a_tiny_target_gives_a_huge_pace_not_a_decimal_error() -> None:
    status = rag_status(5, Target("k", "1e-30"))
    assert status.pace == Decimal("5e32")
    assert status.rag is Rag.GREEN
