"""The ``partnerkit`` command line (also ``python -m partnerkit``)."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from partnerkit import __version__
from partnerkit._dashboard_cli import (
    FORMATS,
    VIEWS,
    ProgressBar,
    load_program,
    render_dashboard,
    require_database,
    snapshot_all,
    write,
)
from partnerkit._demo import run_demo
from partnerkit._score_cli import add_parser as add_score_parser
from partnerkit._score_cli import run as run_score
from partnerkit.core.errors import PartnerkitError
from partnerkit.storage import PARTNERS, SqliteStorage


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
    board = commands.add_parser(
        "dashboard",
        help="render a partner's dashboard (HTML, SVG, text, PDF) or snapshot every partner's",
        description=(
            "Render a partner's Program Success Dashboard from an SQLite database (its records"
            " and the activity store in the same file) and a program file, as of a date; or,"
            " with --snapshot, store the day's snapshot of every partner. Exit status: 0 done,"
            " 2 refused (bad input, unknown partner, missing file, database error)."
        ),
    )
    board.add_argument("--db", type=Path, required=True, help="the SQLite database file")
    board.add_argument("--program", type=Path, required=True, help="the program's TOML file")
    board.add_argument("--partner", help="the partner whose dashboard to render")
    board.add_argument(
        "--as-of", type=_day, default=None, help="the day, YYYY-MM-DD (default: today)"
    )
    board.add_argument("--format", choices=FORMATS, default="html", help="output format")
    board.add_argument("--locale", default=None, help="the reader's locale (default: program's)")
    board.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")
    board.add_argument(
        "--view",
        choices=VIEWS,
        default="partner",
        help="render as the partner's administrator sees it (default) or as the vendor does",
    )
    board.add_argument("--font", type=Path, default=None, help="TrueType font for --format pdf")
    board.add_argument(
        "--snapshot", action="store_true", help="store the day's snapshot of every partner"
    )
    add_score_parser(commands)
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            run_demo(args.db)
        elif args.command == "dashboard":
            return _dashboard(parser, args)
        elif args.command == "score":
            return run_score(args)
    except (PartnerkitError, OSError, sqlite3.Error) as exc:
        print(f"{parser.prog}: error: {_describe(exc)}", file=sys.stderr)
        return 2
    return 0


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is no date (YYYY-MM-DD)") from None


def _dashboard(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    require_database(args.db)
    program = load_program(args.program)
    if args.snapshot:
        partners = _partner_count(args.db)
        bar = ProgressBar(partners, "snapshots", sys.stderr)
        print(snapshot_all(args.db, program, args.as_of, bar), file=sys.stderr)
        if args.partner is None:
            return 0
    if args.partner is None:
        parser.error("dashboard: give --partner (or --snapshot)")
    data = render_dashboard(
        args.db,
        program,
        args.partner,
        as_of=args.as_of,
        output=args.format,
        locale=args.locale,
        view=args.view,
        font=args.font,
    )
    written = write(data, args.out)
    if written is not None:
        print(written, file=sys.stderr)
    return 0


def _partner_count(db: Path) -> int:
    with SqliteStorage(db).unit_of_work() as uow:
        return uow.repository(PARTNERS).count()


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__  # one line, whatever the message
    return f"database error: {text}" if isinstance(exc, sqlite3.Error) else text


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
