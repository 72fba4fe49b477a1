"""Printable PDFs of a partner's dashboard and of a plan: the ``partnerkit[pdf]`` extra.

:func:`dashboard_pdf` prints a :class:`~partnerkit.dashboard.PartnerDashboard`
(the four areas with each criterion's actual, target, status and
explanation, then the secondary views as tables); :func:`plan_pdf` prints a
:class:`~partnerkit.plans.Plan` (its facts, sign-offs, sections with their
objectives, tasks and milestones, and the audit), with its
:class:`~partnerkit.plans.PlanProgress` when given. Both return the PDF's
bytes, with numbers, money, dates and status words in the reader's locale.

The PDFs are drawn with `fpdf2 <https://py-pdf.github.io/fpdf2/>`_ (pure
Python). Text from data is drawn literally: nothing is read as markup. For
text beyond Latin-1 (``€``, ``Zoë`` is fine either way) the PDF embeds a
Unicode TrueType font: the ``font`` argument, else the file the
``PARTNERKIT_PDF_FONT`` environment variable names, else DejaVu Sans where
the system has it (Debian and Ubuntu: ``fonts-dejavu-core``). Without one
it falls back to the PDF's built-in Helvetica, writing ``EUR`` for ``€`` and
``?`` for other characters it cannot show.
"""

from __future__ import annotations

try:
    import fpdf as _fpdf  # noqa: F401
except ImportError as _missing:  # pragma: no cover - depends on the environment
    raise ImportError(
        "partnerkit.dashboard.pdf needs fpdf2: pip install 'partnerkit[pdf]'"
    ) from _missing

import os
from pathlib import Path

from babel import Locale
from fpdf import FPDF, FontFace

from partnerkit.core._context import isolated
from partnerkit.core.errors import ValidationError
from partnerkit.dashboard._document import (
    RAG_COLOURS,
    Document,
    Fields,
    Heading,
    Paragraph,
    Table,
    checked_locale,
    dashboard_document,
    plan_document,
)
from partnerkit.dashboard._model import PartnerDashboard
from partnerkit.locale import gettext
from partnerkit.plans import Plan, PlanProgress

__all__ = ["FONT_ENV", "dashboard_pdf", "find_font", "plan_pdf"]

#: The environment variable naming a Unicode TrueType font file for the PDFs (its bold face,
#: when there is one, is looked for beside it as ``<name>-Bold.ttf``).
FONT_ENV = "PARTNERKIT_PDF_FONT"

# Where systems keep DejaVu Sans: Debian/Ubuntu (fonts-dejavu-core), Fedora, Arch, Homebrew.
_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
    "/opt/homebrew/share/fonts/DejaVuSans.ttf",
)

_FAMILY = "partnerkit"
_CORE_FAMILY = "helvetica"
_ASCII_FOR = {
    "\u20ac": "EUR",
    "\u2013": "-",
    "\u2014": "-",
    "\u2192": "->",
    "\u202f": " ",
    "\u2009": " ",
    "\u2212": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
}
_SIZES = {1: 16.0, 2: 13.0, 3: 11.0}
_BODY = 9.0
_SMALL = 8.0
_HEADINGS_FILL = (225, 230, 238)
_RULE = (160, 160, 160)
_KEEP_WITH_NEXT = 30.0  # mm: a heading lower on the page than this starts the next page
_WIDE = 6  # tables with more columns are set smaller


def find_font(font: str | os.PathLike[str] | None = None) -> Path | None:
    """The Unicode TrueType font the PDFs use: ``font``, else ``$PARTNERKIT_PDF_FONT``, else DejaVu.

    None when there is none (the PDFs then use the built-in Helvetica). A
    ``font`` or ``PARTNERKIT_PDF_FONT`` that names no file is a
    :class:`~partnerkit.core.errors.ValidationError` on ``font``.
    """
    named = font if font is not None else os.environ.get(FONT_ENV) or None
    if named is not None:
        path = Path(named)
        if not path.is_file():
            raise ValidationError.single("font", "not_found", f"no font file at {str(path)!r}")
        return path
    for candidate in _FONT_CANDIDATES:
        path = Path(candidate)
        if path.is_file():
            return path
    return None


def _bold_beside(regular: Path) -> Path | None:
    for name in (f"{regular.stem}-Bold{regular.suffix}", f"{regular.stem}Bold{regular.suffix}"):
        path = regular.with_name(name)
        if path.is_file():
            return path
    return None


class _Pdf(FPDF):
    """An A4 page flow with a footer (the document's title and the page number)."""

    def __init__(self, document: Document, loc: Locale, font: Path | None) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self._document = document
        self._loc = loc
        self._unicode_font = font is not None
        if font is not None:
            self.add_font(_FAMILY, "", str(font))
            self.add_font(_FAMILY, "B", str(_bold_beside(font) or font))
            self._family = _FAMILY
        else:
            self._family = _CORE_FAMILY
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(auto=True, margin=15)
        self.set_title(self._shown(document.title))
        self.set_lang(document.language.replace("_", "-"))
        self.set_creator("partnerkit")

    def _shown(self, value: str) -> str:
        """``value`` as the font can show it (the built-in font is Latin-1 only)."""
        if self._unicode_font:
            return value
        for char, ascii in _ASCII_FOR.items():
            value = value.replace(char, ascii)
        return value.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        """The title on the left and ``page / pages`` on the right of each page's foot."""
        self.set_y(-11)
        self.set_font(self._family, "", 7)
        self.set_text_color(110, 110, 110)
        width = self.epw
        self.cell(width * 0.75, 5, self._shown(self._document.title), align="L")
        page = gettext("Page {page} of {pages}", self._loc).format(
            page=self.page_no(), pages="{nb}"
        )
        self.cell(width * 0.25, 5, self._shown(page), align="R")
        self.set_text_color(0, 0, 0)

    # -- blocks ---------------------------------------------------------------------------------

    def heading(self, block: Heading) -> None:
        size = _SIZES.get(block.level, _SIZES[3])
        if self.get_y() > self.page_break_trigger - _KEEP_WITH_NEXT:
            self.add_page()  # a heading never ends a page: it goes with what follows it
        elif block.level > 1:
            self.ln(2 if block.level == 3 else 4)
        self.set_font(self._family, "B", size)
        self.multi_cell(
            0, size * 0.5, self._shown(block.text), align="L", new_x="LMARGIN", new_y="NEXT"
        )
        if block.level == 1:
            self.set_draw_color(40, 70, 120)
            self.set_line_width(0.6)
            self.line(self.l_margin, self.get_y() + 1, self.l_margin + self.epw, self.get_y() + 1)
            self.ln(3)
            self.set_draw_color(*_RULE)
            self.set_line_width(0.2)
        self.ln(1)

    def paragraph(self, block: Paragraph) -> None:
        size = _SMALL if block.small else _BODY
        self.set_font(self._family, "", size)
        if block.small:
            self.set_text_color(70, 70, 70)
        self.multi_cell(
            0, size * 0.5, self._shown(block.text), align="L", new_x="LMARGIN", new_y="NEXT"
        )
        self.set_text_color(0, 0, 0)
        self.ln(0.5)

    def fields(self, block: Fields) -> None:
        label_width = self.epw * 0.28
        for label, value in block.pairs:
            self.set_font(self._family, "B", _BODY)
            self.multi_cell(
                label_width, 5, self._shown(label), align="L", new_x="RIGHT", new_y="TOP"
            )
            self.set_font(self._family, "", _BODY)
            self.multi_cell(0, 5, self._shown(value), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def table_block(self, block: Table) -> None:
        wide = len(block.widths) > _WIDE
        self.set_font(self._family, "", _SMALL - 0.5 if wide else _BODY - 0.5)
        self.set_draw_color(*_RULE)
        self.set_line_width(0.2)
        align = tuple("RIGHT" if i in block.numeric else "LEFT" for i in range(len(block.widths)))
        with self.table(
            col_widths=block.widths,
            text_align=align,
            line_height=4.6,
            padding=(0.8, 1.2),
            headings_style=FontFace(emphasis="BOLD", fill_color=_HEADINGS_FILL),
            markdown=False,
            first_row_as_headings=True,
        ) as table:
            heading = table.row()
            for text in block.headers:
                heading.cell(self._shown(text))
            for i, cells in enumerate(block.rows):
                row = table.row()
                rag = block.rags[i] if i < len(block.rags) else None
                for column, text in enumerate(cells):
                    style = None
                    if column == block.status_column and rag is not None:
                        style = FontFace(emphasis="BOLD", color=RAG_COLOURS[rag])
                    row.cell(self._shown(text), style=style)
        self.ln(2)

    def draw(self) -> bytes:
        self.add_page()
        for block in self._document.blocks:
            if isinstance(block, Heading):
                self.heading(block)
            elif isinstance(block, Paragraph):
                self.paragraph(block)
            elif isinstance(block, Fields):
                self.fields(block)
            else:
                self.table_block(block)
        return bytes(self.output())


@isolated
def dashboard_pdf(
    board: PartnerDashboard,
    locale: str | Locale = "en",
    *,
    font: str | os.PathLike[str] | None = None,
) -> bytes:
    """A partner's dashboard as a PDF (A4), in ``locale``: the bytes of the file.

    The four areas, each with its criteria (label, actual, target, status in
    its colour) and their one-line explanations, then the secondary views:
    ARR by quarter, registrations by stage and decline reasons, certified
    users, plans, services and the renewals due. An unknown ``locale`` is a
    :class:`~partnerkit.core.errors.ValidationError`; ``font`` is as for
    :func:`find_font`.
    """
    loc = checked_locale(locale)
    if not isinstance(board, PartnerDashboard):
        raise ValidationError.single("board", "invalid", "expected a PartnerDashboard")
    return _Pdf(dashboard_document(board, loc), loc, find_font(font)).draw()


@isolated
def plan_pdf(
    plan: Plan,
    locale: str | Locale = "en",
    progress: PlanProgress | None = None,
    *,
    partner_name: str | None = None,
    font: str | os.PathLike[str] | None = None,
) -> bytes:
    """A plan as a printable PDF (A4), in ``locale``: the bytes of the file.

    The plan's name, partner (``partner_name``, else its id), kind, fiscal
    year, status, revision and purpose; its sign-offs; each section with its
    objectives (the targets per period), tasks (checked off by whom and when)
    and milestones (held or not); then the audit. With ``progress`` (from
    :func:`~partnerkit.plans.plan_progress`) it adds the completion and
    status overall, per section and per objective. An unknown ``locale`` is
    a :class:`~partnerkit.core.errors.ValidationError`; ``font`` is as for
    :func:`find_font`.
    """
    loc = checked_locale(locale)
    if not isinstance(plan, Plan):
        raise ValidationError.single("plan", "invalid", "expected a Plan")
    document = plan_document(plan, loc, progress, partner_name=partner_name)
    return _Pdf(document, loc, find_font(font)).draw()
