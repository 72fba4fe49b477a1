from decimal import Decimal
from typing import Any

import pytest

from partnerkit.core import ConfigReader, Money, from_dict, to_dict
from partnerkit.core.errors import ValidationError
from partnerkit.scoring import (
    BUILTIN_KPIS,
    DEFAULT_ENGAGEMENT_MODEL,
    EngagementModel,
    Kpi,
    Signal,
    Target,
    Window,
    engagement_model_from_dict,
    engagement_model_to_dict,
    read_engagement_model,
)


def refused(data: dict[str, Any], currency: str | None = None) -> set[str]:
    """The paths of the ValidationError that reading ``data`` raises."""
    with pytest.raises(ValidationError) as caught:
        engagement_model_from_dict(data, currency=currency)
    return set(caught.value.paths)


def test_a_full_scoring_table_reads_into_a_model_and_back() -> None:
    data = {
        "kpis": [
            {"name": "webinars_30d", "measure": "count", "window": "trailing", "days": 30,
             "kinds": ["webinar"]},
            {"name": "webinars_yoy", "measure": "yoy_growth", "window": "ytd", "of": "logins_90d"},
        ],
        "signals": [
            {"name": "webinars", "kpi": "webinars_30d", "weight": "2.5", "normalization": "log"},
            {"name": "logins", "kpi": "logins_90d", "weight": 1, "target": "40",
             "half_life_days": 14},
        ],
        "targets": [{"kpi": "sourced_revenue_ytd", "value": "250000", "amber": "75"}],
    }  # fmt: skip
    model = engagement_model_from_dict(data, currency="EUR")
    assert model.kpis[-2] == Kpi("webinars_30d", "count", Window.trailing(30), ("webinar",))
    assert model.signals[1] == Signal("logins", "logins_90d", Decimal(1), "cap", Decimal(40), 14)
    assert model.targets == (Target("sourced_revenue_ytd", Money("250000", "EUR"), amber=75),)
    assert engagement_model_from_dict(engagement_model_to_dict(model)) == model


def test_the_default_model_round_trips() -> None:
    data = engagement_model_to_dict(DEFAULT_ENGAGEMENT_MODEL)
    assert data["builtin_kpis"] is True
    assert engagement_model_from_dict(data) == DEFAULT_ENGAGEMENT_MODEL
    assert engagement_model_from_dict({}) == DEFAULT_ENGAGEMENT_MODEL


def test_a_model_without_builtins_round_trips() -> None:
    model = EngagementModel(
        (Signal("w", "w", Decimal(1), "percentile"),), kpis=(Kpi("w", "count", kinds=("w",)),)
    )
    data = engagement_model_to_dict(model)
    assert data["builtin_kpis"] is False
    assert engagement_model_from_dict(data) == model


def test_every_bad_key_is_reported_with_its_path() -> None:
    data = {
        "builtin_kpis": True,
        "colour": "red",
        "kpis": [{"name": "x", "measure": "mean", "window": "trailing"}],
        "signals": [
            {"name": "s", "kpi": "ghost", "weight": 0.5, "normalization": "zscore"},
            {"name": "t", "kpi": "logins_90d", "weight": "-1", "normalization": "cap"},
        ],
        "targets": [{"kpi": "logins_90d", "value": "0", "green": "x"}],
    }
    assert refused(data) == {
        "scoring.colour",
        "scoring.kpis.0.measure",
        "scoring.kpis.0.days",
        "scoring.signals.0.kpi",
        "scoring.signals.0.weight",
        "scoring.signals.0.normalization",
        "scoring.signals.1.weight",
        "scoring.signals.1.target",
        "scoring.targets.0.green",
    }


def test_reading_records_errors_without_raising() -> None:
    root = ConfigReader({"scoring": {"signals": [{"name": "s"}]}})
    assert read_engagement_model(root.table("scoring")) is None
    assert set(root.errors.paths) == {"scoring.signals.0.kpi", "scoring.signals.0.weight"}
    fine = ConfigReader({"scoring": {}})
    assert read_engagement_model(fine.table("scoring")) == DEFAULT_ENGAGEMENT_MODEL
    assert len(BUILTIN_KPIS) == len({k.name for k in BUILTIN_KPIS})


def test_model_values_round_trip_through_to_dict_and_from_dict() -> None:
    from datetime import date

    from partnerkit.fiscal import MonthlyFiscalCalendar
    from partnerkit.scoring import Span

    model = EngagementModel(
        DEFAULT_ENGAGEMENT_MODEL.signals,
        targets=(Target("sourced_revenue_ytd", Money("5", "EUR")), Target("win_rate_ytd", 40)),
    )
    assert from_dict(EngagementModel, to_dict(model)) == model
    span = Window.year_to_date().resolve(MonthlyFiscalCalendar(1), date(2026, 3, 3))
    assert from_dict(Span, to_dict(span)) == span
    with pytest.raises(ValidationError):
        from_dict(Window, {"kind": "trailing", "days": "30"})


def test_money_targets_round_trip_through_the_table_and_the_program() -> None:
    from partnerkit.program import Program

    model = EngagementModel(
        DEFAULT_ENGAGEMENT_MODEL.signals,
        targets=(Target("sourced_revenue_ytd", Money("250000", "EUR")), Target("win_rate_ytd", 40)),
    )
    data = engagement_model_to_dict(model)
    assert data["targets"][0]["value"] == {"amount": "250000", "currency": "EUR"}
    assert engagement_model_from_dict(data) == model
    program = Program(key="acme", name="Acme", currency="EUR", scoring=model)
    assert Program.from_dict(program.to_dict()) == program
    assert from_dict(Program, to_dict(program)) == program


def test_a_plain_money_target_is_in_the_currency_the_table_is_read_with() -> None:
    data = {"targets": [{"kpi": "new_arr_ytd", "value": "5000"}]}
    (target,) = engagement_model_from_dict(data, currency="JPY").targets
    assert target.value == Money("5000", "JPY")
    assert refused(data) == {"scoring.targets.0.value"}


def test_targets_of_the_wrong_kind_or_currency_are_reported_when_the_table_is_read() -> None:
    data = {
        "targets": [
            {"kpi": "logins_90d", "value": {"amount": "10", "currency": "EUR"}},
            {"kpi": "sourced_revenue_ytd", "value": {"amount": "100", "currency": "USD"}},
            {"kpi": "new_arr_ytd", "value": {"amount": 1.5, "currency": "EUR", "rate": "1"}},
        ]
    }
    assert refused(data, currency="EUR") == {
        "scoring.targets.0.value",
        "scoring.targets.1.value",
        "scoring.targets.2.value.amount",
        "scoring.targets.2.value.rate",
    }


def test_what_plan_would_refuse_is_reported_when_the_table_is_read() -> None:
    growth = {"name": "g", "measure": "yoy_growth", "of": "nope"}
    assert refused({"kpis": [growth]}) == {"scoring.kpis.0.of"}
    data = {
        "kpis": [
            {"name": "g", "measure": "yoy_growth", "of": "win_rate_ytd"},
            {"name": "every_kind_ytd", "measure": "count"},
        ],
        "signals": [
            {"name": "wins", "kpi": "win_rate_ytd", "weight": 1, "normalization": "minmax",
             "half_life_days": 30},
            {"name": "all", "kpi": "every_kind_ytd", "weight": 1, "normalization": "minmax",
             "half_life_days": 30},
            {"name": "speed", "kpi": "median_days_to_approval_ytd", "weight": 1,
             "normalization": "log"},
            {"name": "bad", "kpi": "logins_90d", "weight": 0.5, "target": "10"},
        ],
    }  # fmt: skip
    assert refused(data) == {
        "scoring.kpis.0.of",
        "scoring.signals.0.half_life_days",
        "scoring.signals.1.half_life_days",
        "scoring.signals.2.normalization",
        "scoring.signals.3.weight",
    }


def test_a_program_reads_plain_money_targets_in_its_currency_and_refuses_others() -> None:
    from partnerkit.program import Program

    text = """
[program]
key = "acme"
name = "Acme"
currency = "EUR"

[[scoring.targets]]
kpi = "sourced_revenue_ytd"
value = "250000"

[[scoring.targets]]
kpi = "new_arr_ytd"
value = { amount = "120000", currency = "EUR" }
"""
    program = Program.from_toml_string(text)
    assert [t.value for t in program.scoring.targets] == [
        Money("250000", "EUR"),
        Money("120000", "EUR"),
    ]
    assert Program.from_dict(program.to_dict()) == program
    with pytest.raises(ValidationError) as caught:
        Program.from_toml_string(text.replace('"EUR" }', '"USD" }'))
    assert caught.value.paths == ("scoring.targets.1.value",)
