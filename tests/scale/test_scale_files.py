"""Activity files (CSV, Parquet): the schema, bad rows by file, row and field, stop or skip."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from scale_data import (
    COLUMNS,
    activities,
    plan,
    record,
    write_csv,
    write_parquet,
)
from scale_extras import require

from partnerkit.core.errors import ValidationError
from partnerkit.scoring import (
    EcosystemScores,
    RowReport,
    activity_file_rows,
    count_file_rows,
    tally_files,
)

ROOT = Path(__file__).resolve().parents[2]


def good_row(**changes: str) -> dict[str, str]:
    row = {
        "partner_id": "P1",
        "kind": "deal_won",
        "at": "2026-05-04T09:30:00+02:00",
        "user_id": "u-1",
        "amount": "1200.50",
        "currency": "EUR",
        "motion": "upsell",
        "registered_on": "",
    }
    row.update(changes)
    return row


def rows_of(path: Path, report: RowReport | None = None) -> list[tuple[Any, ...]]:
    return [r for chunk in activity_file_rows(path, currency="EUR", report=report) for r in chunk]


def test_csv_scores_like_the_activities_it_holds(tmp_path: Path) -> None:
    acts = activities(3000)
    path = write_csv(tmp_path / "a.csv", [record(a) for a in acts])
    expected = EcosystemScores(plan().tally(acts))
    got = EcosystemScores(tally_files([path], plan()))
    assert got.partners == expected.partners
    assert list(got.scorecards()) == list(expected.scorecards())


def test_parquet_scores_like_the_activities_it_holds(tmp_path: Path) -> None:
    require("pyarrow")
    acts = activities(3000)
    path = write_parquet(tmp_path / "a.parquet", acts, row_group_size=700)
    assert count_file_rows(path) == 3000
    expected = EcosystemScores(plan().tally(acts))
    got = EcosystemScores(tally_files([path], plan()))
    assert list(got.scorecards()) == list(expected.scorecards())
    # Row groups read apart add up to the whole file.
    some = [
        r for chunk in activity_file_rows(path, currency="EUR", row_groups=[1, 3]) for r in chunk
    ]
    assert len(some) == 1400


def test_a_row_becomes_the_engines_tuple(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        [
            good_row(),
            good_row(kind="login", amount="", currency="", motion="", user_id=""),
            good_row(kind="deal_approved", amount="", currency="", registered_on="2026-04-30"),
            good_row(amount="10.005", motion="", at="2026-05-04T23:30:00-05:00"),
        ],
    )
    day = date(2026, 5, 4).toordinal()
    assert rows_of(path) == [
        ("P1", "deal_won", day, 120050, "u-1", "upsell"),
        ("P1", "login", day, None, None, None),
        ("P1", "deal_approved", day, None, "u-1", 4),
        # Half up to the cent; the day is the UTC day (the plan's zone), the 5th.
        ("P1", "deal_won", day + 1, 1001, "u-1", "new"),
    ]


BAD = [
    ({"at": "2026-05-04T09:30:00"}, "at", "naive_datetime"),
    ({"at": "yesterday"}, "at", "invalid"),
    ({"at": ""}, "at", "required"),
    ({"partner_id": ""}, "partner_id", "required"),
    ({"kind": "Login"}, "kind", "invalid"),
    ({"amount": "12,50"}, "amount", "invalid"),
    ({"amount": "NaN"}, "amount", "invalid"),
    ({"amount": "1e18"}, "amount", "out_of_range"),
    ({"currency": "USD"}, "currency", "invalid"),
    ({"currency": ""}, "currency", "required"),
    ({"motion": "renewal"}, "motion", "invalid_choice"),
    ({"kind": "deal_approved", "registered_on": "May 1"}, "registered_on", "invalid"),
]


@pytest.mark.parametrize(("change", "field", "code"), BAD)
def test_a_bad_field_is_named_by_file_row_and_field(
    tmp_path: Path, change: dict[str, str], field: str, code: str
) -> None:
    path = write_csv(tmp_path / "a.csv", [good_row(), good_row(**change), good_row()])
    with pytest.raises(ValidationError) as raised:
        rows_of(path)
    assert [(e.path, e.code) for e in raised.value.errors] == [(f"{path}:2.{field}", code)]


def test_every_bad_field_of_a_row_is_named(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [good_row(partner_id="", at="2026-05-04", currency="GBP")])
    with pytest.raises(ValidationError) as raised:
        rows_of(path)
    assert raised.value.paths == (f"{path}:1.partner_id", f"{path}:1.at", f"{path}:1.currency")


def test_skip_leaves_bad_rows_out_and_lists_them(tmp_path: Path) -> None:
    rows = [good_row(user_id=f"u{i}") for i in range(6)]
    rows[1]["at"] = "2026-05-04 09:30"
    rows[4]["amount"] = "ten"
    path = write_csv(tmp_path / "a.csv", rows)
    report = RowReport("skip", max_errors=5)
    tally = tally_files([path], plan(), report=report)
    assert (tally.rows, report.rows, report.skipped) == (4, 6, 2)
    assert [b.path for b in report.bad] == [f"{path}:2.at", f"{path}:5.amount"]


def test_skip_gives_up_past_the_limit_listing_up_to_it(tmp_path: Path) -> None:
    rows = [good_row(kind="") for _ in range(4)] + [good_row()]
    path = write_csv(tmp_path / "a.csv", rows)
    report = RowReport("skip", max_errors=2)
    with pytest.raises(ValidationError) as raised:
        tally_files([path], plan(), report=report)
    assert raised.value.paths == (f"{path}:1.kind", f"{path}:2.kind", "rows")
    assert raised.value.errors[-1].code == "too_many_bad_rows"


def test_stop_lists_at_most_max_errors_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [good_row(kind="") for _ in range(5)])
    with pytest.raises(ValidationError) as raised:
        rows_of(path, RowReport("stop", max_errors=3))
    assert len(raised.value.errors) == 3


def test_a_csv_row_of_the_wrong_width_is_a_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "partner_id,kind,at\nP1,login,2026-05-04T09:30:00Z\nP1,login\nP2,login,2026-05-04T10:00Z\n",
        encoding="utf-8",
    )
    report = RowReport("skip")
    got = rows_of(path, report)
    assert [r[0] for r in got] == ["P1", "P2"]
    assert [b.path for b in report.bad] == [f"{path}:2.row"]


def test_a_file_without_a_required_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("partner_id,at\nP1,2026-05-04T09:30:00Z\n", encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        rows_of(path)
    assert raised.value.paths == (str(path),)
    assert "kind" in str(raised.value)


def test_parquet_naive_timestamps_and_float_amounts_are_bad_rows(tmp_path: Path) -> None:
    require("pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "a.parquet"
    pq.write_table(
        pa.table(
            {
                "partner_id": ["P1", "P2"],
                "kind": ["login", "deal_won"],
                "at": pa.array([1_700_000_000_000_000] * 2, pa.timestamp("us")),
                "amount": pa.array([None, 12.5], pa.float64()),
                "currency": [None, "EUR"],
            }
        ),
        path,
    )
    with pytest.raises(ValidationError) as raised:
        rows_of(path)
    assert [(e.path, e.code) for e in raised.value.errors] == [
        (f"{path}:1.at", "naive_datetime"),
        (f"{path}:2.at", "naive_datetime"),
        (f"{path}:2.amount", "invalid"),
    ]


def test_the_report_refuses_a_bad_policy() -> None:
    with pytest.raises(ValidationError) as raised:
        RowReport("ignore", max_errors=0)
    assert raised.value.paths == ("on_bad_rows", "max_errors")


def test_reports_merge_in_order_up_to_the_limit() -> None:
    from partnerkit.scoring import BadRow

    first, second = RowReport("skip", max_errors=2), RowReport("skip", max_errors=2)
    first._add([[BadRow("a", 1, "at", "invalid", "x")]])
    second._add([[BadRow("b", 1, "at", "invalid", "x"), BadRow("b", 1, "kind", "invalid", "y")]])
    second._add([[BadRow("b", 2, "at", "invalid", "x")]])
    merged = first.merge(second)
    assert merged.skipped == 3
    assert [b.path for b in merged.bad] == ["a:1.at", "b:1.at", "b:1.kind"]


def test_importing_partnerkit_imports_no_extra() -> None:
    code = (
        "import sys, partnerkit, partnerkit.scoring, partnerkit._cli\n"
        "print(sorted(m for m in ('dask', 'distributed', 'pyarrow', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""},
    ).stdout
    assert out.strip() == "[]"


def test_the_schema_is_documented() -> None:
    from partnerkit.scoring import ACTIVITY_COLUMNS

    assert ACTIVITY_COLUMNS == COLUMNS
    page = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")
    for column in ACTIVITY_COLUMNS:
        assert f"`{column}`" in page
