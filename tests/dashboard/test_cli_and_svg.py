"""``partnerkit dashboard`` on the demo's database, and the dashboard as one SVG picture."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from partnerkit._cli import main
from partnerkit._dashboard_cli import ProgressBar
from partnerkit.dashboard import DashboardFigures, dashboard_svg, partner_dashboard
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.locale import gettext
from partnerkit.partners import Partner

PROGRAM_FILE = Path(__file__).resolve().parents[2] / "src" / "partnerkit" / "_demo_program.toml"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    assert main(["demo", "--db", str(db)]) == 0
    return db


@pytest.mark.parametrize("output", ["html", "svg", "text"])
def test_the_command_renders_the_demo_partners_dashboard(
    demo_db: Path, tmp_path: Path, output: str
) -> None:
    out = tmp_path / f"board.{output}"
    args = ["dashboard", "--db", str(demo_db), "--program", str(PROGRAM_FILE)]
    assert main([*args, "--partner", "p-contoso", "--format", output, "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Contoso Reseller" in text
    if output == "svg":
        assert ET.fromstring(text).tag == "{http://www.w3.org/2000/svg}svg"
    if output == "html":
        assert text.startswith("<!DOCTYPE html>")


def test_the_snapshot_of_every_partner_reports_its_progress(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["dashboard", "--db", str(demo_db), "--program", str(PROGRAM_FILE), "--snapshot"]
    assert main([*args, "--as-of", "2026-11-02"]) == 0
    err = capsys.readouterr().err
    assert "snapshots: 1/1" in err
    assert "snapshots of 2026-11-02: 1 added" in err


@pytest.mark.parametrize(
    ("extra", "shown"),
    [
        (["--partner", "p-nobody"], "no partner with id 'p-nobody'"),
        (["--partner", "p-contoso", "--locale", "xx_YY"], "locale"),
    ],
)
def test_a_refusal_is_one_line_and_status_2(
    demo_db: Path, capsys: pytest.CaptureFixture[str], extra: list[str], shown: str
) -> None:
    args = ["dashboard", "--db", str(demo_db), "--program", str(PROGRAM_FILE), *extra]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert shown in err[0]


def test_a_missing_database_is_refused_without_creating_it(tmp_path: Path) -> None:
    db = tmp_path / "none.sqlite3"
    assert main(["dashboard", "--db", str(db), "--program", str(PROGRAM_FILE), "--snapshot"]) == 2
    assert not db.exists()


def test_the_progress_bar_redraws_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = ProgressBar(3, "snapshots", screen)
    for done in (1, 2, 3):
        bar(done)
    frames = screen.getvalue().split("\r")[1:]
    assert [f.split("]")[1].strip() for f in frames] == ["1/3", "2/3", "3/3"]
    assert frames[-1].startswith("snapshots [" + "#" * 30 + "]")


def test_the_svg_picture_escapes_data_and_names_every_criterion() -> None:
    figures = DashboardFigures.compute(
        [], calendar=MonthlyFiscalCalendar(1), as_of=date(2026, 5, 15), currency="EUR",
        partners=["p-1"],
    )  # fmt: skip
    partner = Partner("p-1", "<script>alert(1)</script>", "acme.example", "reseller")
    svg = dashboard_svg(partner_dashboard(partner, figures), "de_DE")
    root = ET.fromstring(svg)  # well-formed: the name is text, not markup
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    texts = " ".join(t for t in root.itertext())
    for label in ("New ARR", "Upsell ARR", "Registrations approved", "Plan completion"):
        assert gettext(label, "de_DE") in texts
    assert "Neu-ARR" in texts
