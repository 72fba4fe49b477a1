"""The printable dashboard and plan (PDF, the pdf extra) and the read-only plan page (HTML).

The PDFs are checked the way a person sees them: their text is extracted
(pypdf) and their first page rasterized (pypdfium2) to a PNG written to
``artifacts/pdf/`` (``$PARTNERKIT_ARTIFACTS/pdf`` when set) for a look.
Without the extra's packages these tests skip, except under
``PARTNERKIT_REQUIRE_EXTRAS=1`` (CI), where that is a failure.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pendulum
import pytest

from partnerkit.core import Money
from partnerkit.core.errors import ValidationError
from partnerkit.dashboard import DashboardFigures, PartnerDashboard, partner_dashboard, plan_html
from partnerkit.fiscal import MonthlyFiscalCalendar
from partnerkit.partners import Certification, Partner, PartnerUser
from partnerkit.plans import (
    Milestone,
    Objective,
    ObjectiveKind,
    PeriodTarget,
    Plan,
    PlanProgress,
    PlanTemplate,
    Section,
    Side,
    Task,
    plan_progress,
)
from partnerkit.scoring import Activity, MetricValue, Rag

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "<script>alert(1)</script>"
CALENDAR = MonthlyFiscalCalendar(1)
AS_OF = date(2026, 7, 1)
_REQUIRE = os.environ.get("PARTNERKIT_REQUIRE_EXTRAS", "") == "1"
_MISSING = [m for m in ("fpdf", "pypdf", "pypdfium2") if importlib.util.find_spec(m) is None]

needs_pdf = pytest.mark.skipif(
    bool(_MISSING) and not _REQUIRE,
    reason=f"the pdf extra's packages are not installed ({', '.join(_MISSING)})",
)


@pytest.fixture
def unicode_font() -> None:
    """Skip (fail under PARTNERKIT_REQUIRE_EXTRAS=1) without a Unicode font for the PDFs."""
    from partnerkit.dashboard.pdf import find_font

    if find_font() is None:
        reason = "no Unicode TrueType font (DejaVu Sans: fonts-dejavu-core) for the PDFs"
        if _REQUIRE:
            pytest.fail(f"PARTNERKIT_REQUIRE_EXTRAS=1 but {reason}", pytrace=False)
        pytest.skip(reason)


def moment(month: int, day: int, hour: int = 12) -> pendulum.DateTime:
    return pendulum.datetime(2026, month, day, hour, tz="UTC")


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=timezone.utc)


def signed_plan(name: str = "Reseller plan 2026") -> Plan:
    template = PlanTemplate(
        "t-1",
        name,
        purpose="Grow the EDR business in DACH",
        sections=[
            Section(
                "sales",
                "Sales",
                "New business with Zoë's team",
                objectives=[
                    Objective(
                        "arr", "New ARR", ObjectiveKind.NEW_ARR,
                        [PeriodTarget(q, Money("6000", "EUR")) for q in ("q1", "q2", "q3", "q4")],
                    ),
                    Objective("regs", "Qualified registrations",
                              ObjectiveKind.QUALIFIED_REGISTRATIONS, [PeriodTarget("year", 8)]),
                ],
                tasks=[
                    Task("kickoff-deck", "Prepare the kick-off deck", due="start"),
                    Task("hostile", HOSTILE, due="q2"),
                ],
                milestones=[Milestone("qbr1", "First quarterly business review", at="q1")],
            ),
            Section(
                "enablement",
                "Enablement",
                tasks=[Task("certify", "Certify two engineers", due="q3")],
            ),
        ],
    )  # fmt: skip
    plan, _ = Plan.assign(
        template.published_by("vera", moment(1, 2)), id="PL-1", partner_id="p-1",
        fiscal_year=2026, actor="vera", at=moment(1, 5),
    )  # fmt: skip
    plan, _ = plan.share("vera", moment(1, 6))
    plan, _ = plan.sign_off("vera", Side.VENDOR, moment(1, 7))
    plan, _ = plan.sign_off("Zoë Adams", Side.PARTNER, moment(1, 8))
    plan, _ = plan.start("vera", moment(1, 9))
    plan, _ = plan.check_task("kickoff-deck", "Zoë Adams", "manager", Side.PARTNER, moment(1, 12))
    plan, _ = plan.hold_milestone("qbr1", "vera", Side.VENDOR, moment(3, 30), "Pipeline reviewed")
    return plan


def progress_of(plan: Plan) -> PlanProgress:
    measured: dict[tuple[str, str], MetricValue] = {
        ("arr", "year"): Money("15000", "EUR"),
        ("arr", "q1"): Money("10000", "EUR"),
        ("arr", "q2"): Money("5000", "EUR"),
        ("regs", "year"): 3,
    }
    return plan_progress(plan, CALENDAR, AS_OF, measured)


def board(partner_name: str = "Acme") -> PartnerDashboard:
    activities = [
        Activity("p-1", "deal_won", _at(2, 10), amount=Money("10000", "EUR"),
                 attributes={"motion": "new"}),
        Activity("p-1", "deal_won", _at(5, 10), amount=Money("5000", "EUR"),
                 attributes={"motion": "new"}),
        Activity("p-1", "deal_approved", _at(3, 1)),
    ]  # fmt: skip
    figures = DashboardFigures.compute(activities, calendar=CALENDAR, as_of=AS_OF, currency="EUR")
    plan = signed_plan()
    users = [
        PartnerUser("u-2", "p-1", "Zoë Adams", "zoe@acme.example", certifications=(
            Certification("technical", "Engineer", date(2026, 1, 1)),
        )),
    ]  # fmt: skip
    return partner_dashboard(
        Partner("p-1", partner_name, "acme.example", "reseller"),
        figures,
        plans=[(plan, progress_of(plan))],
        users=users,
    )


def _text(pdf: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Money and percentages are set with no-break spaces; compare as a reader does.
    return re.sub(r"[\u00a0\u202f ]+", " ", text)


def _flat(value: str) -> str:
    return re.sub(r"[\u00a0\u202f ]+", " ", value)


def _artifacts() -> Path:
    base = os.environ.get("PARTNERKIT_ARTIFACTS")
    folder = (Path(base) if base else ROOT / "artifacts") / "pdf"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _first_page_ink(pdf: bytes, name: str) -> tuple[int, int]:
    """Rasterize page 1 (PNG in the artifacts folder); how many pixels are ink, and coloured."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        image: Any = document[0].render(scale=1.5).to_pil().convert("RGB")
    finally:
        document.close()
    image.save(_artifacts() / f"{name}.png")
    (_artifacts() / f"{name}.pdf").write_bytes(pdf)
    ink = coloured = 0
    pixels = image.tobytes()  # RGB, one byte each
    for i in range(0, len(pixels), 3):
        red, green, blue = pixels[i], pixels[i + 1], pixels[i + 2]
        if min(red, green, blue) < 200:
            ink += 1
        if max(red, green, blue) - min(red, green, blue) > 80:
            coloured += 1
    return ink, coloured


# -- the PDFs -----------------------------------------------------------------------------------


@needs_pdf
@pytest.mark.usefixtures("unicode_font")
def test_the_plan_pdf_shows_the_plan_in_the_readers_locale() -> None:
    from partnerkit.dashboard.pdf import plan_pdf

    plan = signed_plan()
    pdf = plan_pdf(plan, "de_DE", progress_of(plan), partner_name="Zoë's Reseller GmbH")
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    for expected in (
        "Reseller plan 2026",
        "Zoë's Reseller GmbH",
        "Grow the EDR business in DACH",
        "Prepare the kick-off deck",
        "Certify two engineers",
        "First quarterly business review",
        "Pipeline reviewed",
        HOSTILE,  # drawn literally, never interpreted
        _flat(Money("24000", "EUR").format("de_DE")),  # the year: four quarters of 6.000
        _flat(Money("6000", "EUR").format("de_DE")),
        _flat(Money("15000", "EUR").format("de_DE")),  # the year's actual
        "Zoë Adams",
        "08.01.2026",  # the partner's sign-off, as German dates read
    ):
        assert expected in text, expected
    assert "24,000.00" not in text
    ink, _ = _first_page_ink(pdf, "plan-de_DE")
    assert ink > 5_000


@needs_pdf
@pytest.mark.usefixtures("unicode_font")
def test_the_dashboard_pdf_shows_the_four_areas_and_the_views() -> None:
    from partnerkit.dashboard.pdf import dashboard_pdf

    dashboard = board(f"Acme {HOSTILE}")
    pdf = dashboard_pdf(dashboard, "de_DE")
    text = _text(pdf)
    new_arr = dashboard.criterion("new_arr")
    assert new_arr.rag is not None
    for expected in (
        f"Acme {HOSTILE}",
        _flat(Money("15000", "EUR").format("de_DE")),
        _flat(Money("24000", "EUR").format("de_DE")),
        _flat(new_arr.explain("de_DE")),
        new_arr.rag.label("de_DE"),
        "Zoë Adams",
        "Engineer",
        "Reseller plan 2026",
        "01.07.2026",
    ):
        assert expected in text, expected
    for criterion in dashboard.criteria:
        assert criterion.label("de_DE") in text
    ink, coloured = _first_page_ink(pdf, "dashboard-de_DE")
    assert ink > 5_000
    assert coloured > 50  # the status words are drawn in their colours


@needs_pdf
@pytest.mark.usefixtures("unicode_font")
def test_the_english_dashboard_formats_the_english_way() -> None:
    from partnerkit.dashboard.pdf import dashboard_pdf

    text = _text(dashboard_pdf(board(), "en_US"))
    assert _flat(Money("15000", "EUR").format("en_US")) in text
    assert "Jul 1, 2026" in text
    assert Rag.GREEN.label("en_US") in text or Rag.RED.label("en_US") in text


@needs_pdf
def test_without_a_unicode_font_the_pdf_falls_back_to_the_builtin_font(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from partnerkit.dashboard import pdf as module

    monkeypatch.setattr(module, "_FONT_CANDIDATES", ())
    monkeypatch.delenv(module.FONT_ENV, raising=False)
    assert module.find_font() is None
    text = _text(module.dashboard_pdf(board("Zoë Ltd"), "de_DE"))
    assert "Zoë Ltd" in text  # Latin-1 survives
    assert "15.000,00 EUR" in text  # the euro sign does not: spelt out


@needs_pdf
def test_a_font_that_is_not_there_and_an_unknown_locale_are_validation_errors(
    tmp_path: Path,
) -> None:
    from partnerkit.dashboard.pdf import dashboard_pdf, plan_pdf

    with pytest.raises(ValidationError) as raised:
        dashboard_pdf(board(), "en", font=tmp_path / "nope.ttf")
    assert raised.value.errors[0].path == "font"
    with pytest.raises(ValidationError) as raised:
        plan_pdf(signed_plan(), "xx_NOPE")
    assert raised.value.errors[0].path == "locale"
    with pytest.raises(ValidationError):
        dashboard_pdf("not a board", "en")  # type: ignore[arg-type]


def test_importing_partnerkit_and_the_dashboard_does_not_import_the_renderer() -> None:
    code = (
        "import sys, partnerkit, partnerkit.dashboard, partnerkit.plans; "
        "assert 'fpdf' not in sys.modules, 'fpdf imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ})


def test_without_fpdf2_the_module_names_the_extra_to_install() -> None:
    code = (
        "import sys; sys.modules['fpdf'] = None\n"
        "try:\n    import partnerkit.dashboard.pdf\n"
        "except ImportError as e:\n    print(e)\nelse:\n    print('imported')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ}
    )
    assert "pip install 'partnerkit[pdf]'" in result.stdout


# -- the HTML view ------------------------------------------------------------------------------


def test_the_plan_page_escapes_data_and_holds_the_plan() -> None:
    plan = signed_plan(f"Plan {HOSTILE}")
    page = plan_html(plan, "de_DE", progress_of(plan), partner_name='Zoë "Q" & Co')
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="de-DE">' in page
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Zoë &quot;Q&quot; &amp; Co" in page
    for expected in ("Prepare the kick-off deck", "First quarterly business review", "Zoë Adams"):
        assert expected in page
    assert Money("24000", "EUR").format("de_DE") in page
    assert "08.01.2026" in page


def test_the_plan_page_makes_no_external_request() -> None:
    page = plan_html(signed_plan(), "en")
    lowered = page.lower()
    for needle in ("http://", "https://", "//cdn", "src=", "<link", "@import", "url("):
        assert needle not in lowered, needle
    assert "default-src 'none'" in page  # and forbids any


def test_the_plan_page_refuses_an_unknown_locale() -> None:
    with pytest.raises(ValidationError) as raised:
        plan_html(signed_plan(), "xx_NOPE")
    assert raised.value.errors[0].path == "locale"


def test_the_plan_page_writes_an_artifact_for_a_look() -> None:
    plan = signed_plan()
    page = plan_html(plan, "en_US", progress_of(plan), partner_name="Acme")
    (_artifacts() / "plan-en_US.html").write_text(page, encoding="utf-8")
    assert "Sign-offs" in page
