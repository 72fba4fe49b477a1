import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import partnerkit
from partnerkit import __version__
from partnerkit._cli import main
from partnerkit.core.errors import NotFound


def test_demo_tells_the_whole_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    headings = (
        "1. The program",
        "2. The fiscal calendar",
        "3. Tiers",
        "4. An end user's address",
        "5. Money",
        "6. Storage",
        "7. A deal",
        "8. Events",
        "9. Nightly scoring",
        "10. A partner plan",
    )
    for heading in headings:
        assert heading in out
    assert "für Elite noch nötig" in out  # the tier explanation, in the program's German
    assert "D02 X285" in out  # the normalized Eircode
    assert "Bonusmarge: 5\xa0%, solange" in out  # the approval quote, in the program's German
    assert "[Bestellung übermittelt]" in out  # the registration followed its order
    assert "stale edit was refused" in out
    assert "DR-" in out
    # The deal of section 7 reaches scoring as activities, its win as revenue.
    assert "activities: deal_registered, deal_approved, deal_won" in out
    assert "scored 20,003 activities of 501 partners" in out
    assert "sourced revenue this fiscal year: 8.835,00\xa0€" in out  # the order's net
    # The plan: from the program file, assigned, signed off by both sides, measured.
    assert "templates from the program file: reseller-plan stored" in out
    assert "signed_off, signed off by partner erik and vendor vera" in out
    assert "audit: assign > share > sign_off > sign_off > check_task" in out
    assert "Sourced revenue: 8.835,00\xa0€ of 40.000,00\xa0€" in out
    assert "Deals won: 1 of 4" in out


def test_demo_keeps_its_database_with_db_and_continues_from_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "kept.sqlite3"
    assert main(["demo", "--db", str(db)]) == 0
    assert db.exists()
    capsys.readouterr()
    assert main(["demo", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "at version 2 from an earlier run" in out
    assert "reseller-plan unchanged" in out
    assert ": already_had PL-" in out  # the plan of the first run, not a second one
    assert "DR-2026-000003" in out or "-000003" in out


def test_version_flag_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_a_database_in_a_missing_folder_is_one_error_line_and_status_2(tmp_path: Path) -> None:
    db = tmp_path / "missing" / "x.db"
    source = str(Path(partnerkit.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-m", "partnerkit", "demo", "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("partnerkit: error: ")
    assert str(db) in lines[0]


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (NotFound("program", "northwind"), "no program with id 'northwind'"),
        (PermissionError(13, "Permission denied", "/srv/x.db"), "Permission denied"),
        (sqlite3.OperationalError("database is locked"), "database error: database is locked"),
        (sqlite3.DatabaseError("file is not a database"), "database error: file is not"),
    ],
)
def test_expected_failures_are_one_line_on_stderr_with_status_2(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    error: Exception,
    shown: str,
) -> None:
    def fail(db: Path | None) -> None:
        raise error

    monkeypatch.setattr("partnerkit._cli.run_demo", fail)
    assert main(["demo"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("partnerkit: error: ")
    assert shown in err
    assert err.count("\n") == 1


def test_a_bug_is_not_disguised_as_an_error_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(db: Path | None) -> None:
        raise RuntimeError("a defect")

    monkeypatch.setattr("partnerkit._cli.run_demo", fail)
    with pytest.raises(RuntimeError):
        main(["demo"])
