"""The ``partnerkit`` command line (also ``python -m partnerkit``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from partnerkit import __version__
from partnerkit._demo import run_demo


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = argparse.ArgumentParser(
        prog="partnerkit", description="partnerkit: the domain core for partner programs."
    )
    parser.add_argument("--version", action="version", version=f"partnerkit {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="run an end-to-end partner-program scenario on an SQLite database"
    )
    demo.add_argument(
        "--db",
        type=Path,
        default=None,
        help="SQLite file to use and keep (default: a temporary file, removed afterwards)",
    )
    args = parser.parse_args(argv)
    if args.command == "demo":
        run_demo(args.db)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
