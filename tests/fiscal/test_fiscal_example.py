import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fiscal_retail_calendar.py"


def test_the_retail_calendar_example_prints_a_53_week_fiscal_2023() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("FY2023: 2023-01-29 to 2024-02-03, 53 weeks")
    assert "FY2023 Q4: 2023-10-29 to 2024-02-03 (14 weeks)" in done.stdout


def test_the_retail_calendar_example_refuses_a_bad_year() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLE), "next"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
