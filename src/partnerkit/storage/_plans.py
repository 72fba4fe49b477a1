"""How plan templates and partners' plans are stored: their specs and indexes."""

from __future__ import annotations

import json

from partnerkit.plans import Plan, PlanTemplate
from partnerkit.storage._ports import AggregateSpec, Index

__all__ = ["PLANS", "PLAN_TEMPLATES"]


# json.dumps(..., ensure_ascii=False) made once: the same text, without an encoder per call.
_KEY_ENCODER = json.JSONEncoder(ensure_ascii=False)
_text = json.encoder.encode_basestring  # the string encoding of an ensure_ascii=False encoder


def assignment_key(partner_id: str, template_id: str, fiscal_year: int) -> str:
    """The ``assignment`` index value: one plan per partner, template and fiscal year.

    A JSON array, so ids holding any character (``|`` included) never collide.
    """
    if type(partner_id) is str and type(template_id) is str and type(fiscal_year) is int:
        # What the encoder writes, without its Python-level encode() around the C parts.
        return f"[{_text(partner_id)}, {_text(template_id)}, {fiscal_year!r}]"
    return _KEY_ENCODER.encode([partner_id, template_id, fiscal_year])


def _assignment(plan: Plan) -> str:
    return assignment_key(plan.partner_id, plan.template_id, plan.fiscal_year)


#: Plan templates (one record per template, at its latest version, with the version published
#: before a draft as ``last_published``): ``kind`` and ``published`` (1 when the latest
#: version is published, else 0) indexed for listings. A body written before
#: ``last_published`` was kept has no such key, and reads with none (the field's default):
#: no upgrade, so the schema stays 1.
PLAN_TEMPLATES: AggregateSpec[PlanTemplate] = AggregateSpec(
    "plan_templates",
    PlanTemplate,
    indexes=(
        Index("kind", lambda t: t.kind),
        Index("published", lambda t: int(t.published), type=int),
    ),
)

#: Partners' plans: by partner, template, fiscal year and status; ``assignment``
#: (``partner|template|year``) unique, so a partner never holds two plans from one template
#: for one fiscal year, even when two bulk assignments race.
PLANS: AggregateSpec[Plan] = AggregateSpec(
    "plans",
    Plan,
    indexes=(
        Index("partner_id", lambda p: p.partner_id),
        Index("template_id", lambda p: p.template_id),
        Index("fiscal_year", lambda p: p.fiscal_year, type=int),
        Index("status", lambda p: p.status.value),
        Index("assignment", _assignment, unique=True),
    ),
    share_tuples=True,  # the plans of one template version hold its sections' text
)
