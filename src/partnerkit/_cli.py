"""The ``partnerkit`` command line (also ``python -m partnerkit``)."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from partnerkit import __version__
from partnerkit._demo import run_demo
from partnerkit.core.errors import PartnerkitError


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    A refusal from partnerkit, a file-system error or a database error is
    reported as one ``partnerkit: error: ...`` line on stderr with status 2.
    """
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
    try:
        if args.command == "demo":
            run_demo(args.db)
    except (PartnerkitError, OSError, sqlite3.Error) as exc:
        print(f"{parser.prog}: error: {_describe(exc)}", file=sys.stderr)
        return 2
    return 0


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__  # one line, whatever the message
    return f"database error: {text}" if isinstance(exc, sqlite3.Error) else text


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
