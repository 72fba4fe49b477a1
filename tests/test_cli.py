from pathlib import Path

import pytest

from partnerkit import __version__
from partnerkit._cli import main


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
        "7. Events",
    )
    for heading in headings:
        assert heading in out
    assert "needs" in out  # the tier explanation
    assert "D02 X285" in out  # the normalized Eircode
    assert "stale edit was refused" in out
    assert "DR-" in out


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
    assert "DR-2026-000003" in out or "-000003" in out


def test_version_flag_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__ in capsys.readouterr().out
