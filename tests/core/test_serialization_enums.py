"""Enums with a text base (``class Rag(str, Enum)``) are read back as enums, not as text."""

from __future__ import annotations

import pytest

from partnerkit.core import from_dict, from_json, to_json
from partnerkit.core.errors import ValidationError
from partnerkit.dashboard import SnapshotFigure
from partnerkit.scoring import KpiResult, Rag


@pytest.mark.parametrize("rag", list(Rag))
def test_a_text_enum_round_trips_through_json_as_the_enum(rag: Rag) -> None:
    figure = from_json(SnapshotFigure, to_json(SnapshotFigure("new_arr", 5, 10, rag)))
    assert figure.rag is rag


def test_a_text_enum_in_an_optional_field_reads_as_the_enum() -> None:
    data = {"name": "x", "value": 1, "start": "2026-01-01", "end": "2026-01-02", "status": "red"}
    assert from_dict(KpiResult, data).status is Rag.RED


@pytest.mark.parametrize("bad", ["purple", 5, ["red"], None])
def test_a_value_outside_the_enum_is_an_invalid_choice(bad: object) -> None:
    with pytest.raises(ValidationError) as caught:
        from_dict(Rag, bad)
    assert caught.value.errors[0].code == "invalid_choice"


def test_plain_text_and_numbers_stay_strict() -> None:
    with pytest.raises(ValidationError):
        from_dict(str, 5)
    with pytest.raises(ValidationError):
        from_dict(int, "5")
