"""Load a partner program's TOML file, and see every bad setting reported at once.

Run it: ``python examples/program_file.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from partnerkit import ValidationError
from partnerkit.program import Program

GOOD = """
[program]
key = "contoso-channel"
name = "Contoso Channel Program"
currency = "GBP"
locale = "en_GB"
timezone = "Europe/London"
"""

BAD = """
[program]
key = "Contoso Channel"
name = "Contoso Channel Program"
currency = "POUNDS"
timezone = "Europe/Londres"
colour = "blue"
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "program.toml"
        path.write_text(GOOD, encoding="utf-8")
        program = Program.from_toml(path)
        print(f"loaded {program.name}: {program.currency}, {program.locale}, {program.timezone}")

    try:
        Program.from_toml_string(BAD)
    except ValidationError as error:
        print(f"the bad file has {len(error.errors)} problems:")
        for problem in error.errors:
            print(f"  {problem.path:<20} {problem.code:<10} {problem.message}")
    else:
        raise SystemExit("the bad file should have been refused")


if __name__ == "__main__":
    main()
