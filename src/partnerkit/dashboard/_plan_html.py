"""A read-only HTML view of a plan: one self-contained page, inline CSS, no scripts."""

from __future__ import annotations

from babel import Locale

from partnerkit.core._context import isolated
from partnerkit.core.errors import ValidationError
from partnerkit.dashboard._document import (
    RAG_COLOURS,
    Block,
    Fields,
    Heading,
    Paragraph,
    Table,
    checked_locale,
    plan_document,
)
from partnerkit.dashboard._svg import _esc
from partnerkit.plans import Plan, PlanProgress

__all__ = ["plan_html"]

_CSS = """
body{font-family:"DejaVu Sans",Arial,Helvetica,sans-serif;color:#111;margin:2rem auto;
max-width:60rem;padding:0 1rem;line-height:1.4;font-size:15px}
h1{border-bottom:3px solid #284678;padding-bottom:.3rem}
h2{margin-top:2rem;color:#284678}
h3{margin-bottom:.3rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dt{font-weight:bold}dd{margin:0}
table{border-collapse:collapse;width:100%;margin:.3rem 0 1rem}
th,td{border:1px solid #bbb;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{background:#e1e6ee}.num{text-align:right;white-space:nowrap}
p.small{font-size:.85em;color:#444;margin:.2rem 0}
@media print{body{margin:0;max-width:none}}
""".strip()


def _e(text: str) -> str:
    return _esc(text)


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        level = min(max(block.level, 1), 3)
        return f"<h{level}>{_e(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        css = ' class="small"' if block.small else ""
        return f"<p{css}>{_e(block.text)}</p>"
    if isinstance(block, Fields):
        items = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in block.pairs)
        return f"<dl>{items}</dl>"
    return _table(block)


def _table(block: Table) -> str:
    numeric = ' class="num"'
    head = "".join(
        f'<th scope="col"{numeric if i in block.numeric else ""}>{_e(h)}</th>'
        for i, h in enumerate(block.headers)
    )
    rows = []
    for i, cells in enumerate(block.rows):
        rag = block.rags[i] if i < len(block.rags) else None
        tds = []
        for column, text in enumerate(cells):
            attrs = ' class="num"' if column in block.numeric else ""
            if column == block.status_column and rag is not None:
                red, green, blue = RAG_COLOURS[rag]
                attrs += f' style="color:rgb({red},{green},{blue});font-weight:bold"'
            tds.append(f"<td{attrs}>{_e(text)}</td>")
        rows.append(f"<tr>{''.join(tds)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


@isolated
def plan_html(
    plan: Plan,
    locale: str | Locale = "en",
    progress: PlanProgress | None = None,
    *,
    partner_name: str | None = None,
) -> str:
    """A read-only view of a (signed-off) plan as one self-contained HTML page, in ``locale``.

    The same content as :func:`partnerkit.dashboard.pdf.plan_pdf`: the
    plan's facts, sign-offs, sections (objectives, tasks, milestones) and
    audit, with ``progress`` when given. The page has its CSS inline, no
    scripts and no external references; every value from data is escaped.
    An unknown ``locale`` is a :class:`~partnerkit.core.errors.ValidationError`.
    """
    loc = checked_locale(locale)
    if not isinstance(plan, Plan):
        raise ValidationError.single("plan", "invalid", "expected a Plan")
    document = plan_document(plan, loc, progress, partner_name=partner_name)
    body = "\n".join(_block(block) for block in document.blocks)
    lang = _e(document.language.replace("_", "-"))
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        f"<title>{_e(document.title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
