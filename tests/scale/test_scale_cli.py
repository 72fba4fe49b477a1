"""``partnerkit score``: activity files to scorecards, on one process or a Dask cluster."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from scale_data import activities, record, write_csv, write_parquet
from scale_extras import require

from partnerkit._cli import main

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = """
[program]
key = "acme"
name = "Acme Partners"
currency = "EUR"
timezone = "Europe/Berlin"

[[tiers.levels]]
key = "registered"
name = "Registered"
rank = 1
benefits = { partner_margin = "10" }

[[tiers.levels]]
key = "active"
name = "Active"
rank = 2
benefits = { partner_margin = "15" }
[[tiers.levels.criteria.rules]]
metric = "logins_90d"
threshold = 3
"""
ACTS = activities(2500, partners=30)


@pytest.fixture
def program(tmp_path: Path) -> Path:
    path = tmp_path / "program.toml"
    path.write_text(PROGRAM, encoding="utf-8")
    return path


def score(program: Path, files: list[Path], out: Path, *more: str) -> int:
    argv = ["score", "--program", str(program), "--activities", *map(str, files)]
    return main([*argv, "--as-of", "2026-05-15", "--out", str(out), *more])


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_one_process_writes_every_scorecard_best_first(
    program: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_csv(tmp_path / "a.csv", [record(a) for a in ACTS])
    out = tmp_path / "cards.csv"
    assert score(program, [data], out) == 0
    rows = read_csv(out)
    assert len(rows) == 30
    assert [int(r["rank"]) for r in rows] == sorted(int(r["rank"]) for r in rows)
    assert {r["tier"] for r in rows} <= {"registered", "active"}
    assert {r["currency"] for r in rows} == {"EUR"}
    assert "sourced_revenue_ytd" in rows[0]
    err = capsys.readouterr().err
    # Not a terminal: plain log lines, no bar redrawn with carriage returns.
    assert "\r" not in err
    assert "rows: 2500/2500" in err
    assert "wrote 30 scorecards" in err


def test_the_cluster_writes_what_one_process_writes(
    program: Path, tmp_path: Path, cluster: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    require("pyarrow")
    import pyarrow.parquet as pq

    first = write_parquet(tmp_path / "a.parquet", ACTS[:1500], row_group_size=500)
    second = write_csv(tmp_path / "b.csv", [record(a) for a in ACTS[1500:]])
    alone, spread = tmp_path / "alone.parquet", tmp_path / "spread.parquet"
    assert score(program, [first, second], alone) == 0
    assert score(program, [first, second], spread, "--scheduler", cluster.scheduler_address) == 0
    assert pq.read_table(alone).equals(pq.read_table(spread))
    assert "tasks: 2/2" in capsys.readouterr().err
    table = pq.read_table(alone)
    assert str(table.schema.field("sourced_revenue_ytd").type).startswith("decimal128")


def test_workers_start_a_local_cluster(program: Path, tmp_path: Path) -> None:
    require("dask", "distributed", "pyarrow")
    data = write_csv(tmp_path / "a.csv", [record(a) for a in ACTS[:300]])
    alone, spread = tmp_path / "alone.csv", tmp_path / "spread.csv"
    assert score(program, [data], alone, "--no-tiers") == 0
    # A child process, as a batch job runs it (the workers are processes of their own).
    command = [sys.executable, "-m", "partnerkit", "score", "--program", str(program)]
    command += ["--activities", str(data), "--as-of", "2026-05-15", "--out", str(spread)]
    done = subprocess.run(
        [*command, "--workers", "1", "--no-tiers"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": ""},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "starting a local Dask cluster of 1 worker" in done.stderr
    assert read_csv(alone) == read_csv(spread)
    assert "tier" not in read_csv(alone)[0]


def test_bad_rows_stop_the_run_naming_them(
    program: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [record(a) for a in ACTS[:50]]
    rows[9]["at"] = "2026-05-04T09:30:00"
    data = write_csv(tmp_path / "a.csv", rows)
    out = tmp_path / "cards.csv"
    assert score(program, [data], out) == 2
    assert f"{data}:10.at" in capsys.readouterr().err
    assert not out.exists()
    assert score(program, [data], out, "--on-bad-rows", "skip") == 0
    err = capsys.readouterr().err
    assert "skipped 1 bad rows" in err
    assert f"{data}:10.at" in err
    assert score(program, [data], out, "--on-bad-rows", "skip", "--max-errors", "1") == 0
    rows[20]["kind"] = ""
    write_csv(data, rows)
    assert score(program, [data], out, "--on-bad-rows", "skip", "--max-errors", "1") == 2
    assert "too_many_bad_rows" in capsys.readouterr().err


def test_refusals_exit_with_status_2(
    program: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_csv(tmp_path / "a.csv", [record(a) for a in ACTS[:10]])
    assert score(program, [tmp_path / "missing.csv"], tmp_path / "o.csv") == 2
    assert "no activity file" in capsys.readouterr().err
    assert score(program, [data], tmp_path / "o.xlsx") == 2
    assert ".parquet" in capsys.readouterr().err
    bad_program = tmp_path / "bad.toml"
    bad_program.write_text('[program]\nkey = "x"\nname = "X"\ncurrency = "EUROS"\n')
    assert score(bad_program, [data], tmp_path / "o.csv") == 2
    assert "program.currency" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        score(program, [data], tmp_path / "o.csv", "--workers", "0")
    assert exited.value.code == 2


def test_an_unreachable_scheduler_exits_with_status_3(
    program: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    require("dask", "distributed", "pyarrow")
    import partnerkit._score_cli as cli

    data = write_csv(tmp_path / "a.csv", [record(a) for a in ACTS[:10]])
    cli._CONNECT_TIMEOUT = 1
    try:
        status = score(program, [data], tmp_path / "o.csv", "--scheduler", "tcp://127.0.0.1:9")
    finally:
        cli._CONNECT_TIMEOUT = 30
    assert status == 3
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()
