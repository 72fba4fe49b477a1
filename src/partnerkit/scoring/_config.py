"""Reading the engagement model from a Program's ``[scoring]`` table, and back."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from partnerkit.core import ConfigReader, Money, from_dict
from partnerkit.scoring._engagement import (
    DEFAULT_ENGAGEMENT_MODEL,
    NORMALIZATIONS,
    EngagementModel,
    Signal,
    model_problems,
)
from partnerkit.scoring._kpis import BUILTIN_KPIS, MEASURES, Kpi
from partnerkit.scoring._status import DEFAULT_AMBER, DEFAULT_GREEN, Target, target_problems
from partnerkit.scoring._windows import WINDOW_KINDS, Window

__all__ = ["engagement_model_from_dict", "engagement_model_to_dict", "read_engagement_model"]


def engagement_model_from_dict(
    data: Mapping[str, object], path: str = "scoring", *, currency: str | None = None
) -> EngagementModel:
    """Build an :class:`EngagementModel` from a Program's ``[scoring]`` settings.

    Keys: ``builtin_kpis`` (true by default: start from
    :data:`BUILTIN_KPIS`), ``[[kpis]]`` (``name``, ``measure``, ``window``,
    ``days`` for a trailing window, ``kinds``, ``of``), ``[[signals]]``
    (``name``, ``kpi``, ``weight``, ``normalization``, ``target``,
    ``half_life_days``) and ``[[targets]]`` (``kpi``, ``value``, ``green``,
    ``amber``). Decimals are strings or integers. A target of a money KPI
    is a table ``{ amount, currency }``, or a plain amount in ``currency``
    (the program's) when one is given; a Money target in another
    ``currency`` is refused. Without ``signals`` the default model's signals
    are used. Raises one :class:`~partnerkit.core.errors.ValidationError`
    naming every bad, missing or unknown key under ``path``
    (``scoring.signals.0.weight``), including what the parts get wrong
    together: a ``yoy_growth`` KPI ``of`` an unknown KPI
    (``scoring.kpis.0.of``), a half-life on a KPI that cannot decay
    (``scoring.signals.0.half_life_days``).

    >>> model = engagement_model_from_dict({"signals": [
    ...     {"name": "logins", "kpi": "logins_90d", "weight": 1, "target": "20"}]})
    >>> [s.name for s in model.signals]
    ['logins']
    >>> engagement_model_from_dict({"signals": [{"name": "x", "kpi": "nope", "weight": 0.5}]})
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 2 invalid fields: scoring.signals.0.kpi: ...
    """
    reader = ConfigReader(data, path)
    model = read_engagement_model(reader, currency=currency)
    reader.errors.raise_if_any()
    assert model is not None
    return model


def _window(reader: ConfigReader) -> Window | None:
    kind = reader.str("window", "ytd", choices=WINDOW_KINDS)
    days = reader.int("days", None, minimum=1, maximum=3660)
    if kind is None:
        return None
    if kind == "trailing" and days is None:
        if not reader.has("days"):
            reader.error("days", "required", "a trailing window needs days")
        return None
    if kind != "trailing" and reader.has("days"):
        reader.error("days", "invalid", "only trailing windows take days")
        return None
    return Window(kind, days)


def _read_kpi(reader: ConfigReader) -> Kpi | None:
    name = reader.str("name")
    measure = reader.str("measure", choices=MEASURES)
    window = _window(reader)
    kinds = reader.raw("kinds", [])
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        reader.error("kinds", "invalid", "expected a list of kinds")
        kinds = None
    of = reader.str("of", None)
    reader.finish(raise_errors=False)
    if None in (name, measure, window, kinds):
        return None
    with reader.errors.catch(reader.path):
        return Kpi(name, measure, window, tuple(kinds), of)  # type: ignore[arg-type]
    return None


def _read_signal(reader: ConfigReader, known: Mapping[str, Kpi]) -> Signal | None:
    name = reader.str("name")
    kpi = reader.str("kpi")
    if kpi is not None and kpi not in known:
        reader.error("kpi", "unknown", f"no KPI named {kpi!r}")
        kpi = None
    weight = reader.decimal("weight")
    normalization = reader.str("normalization", "cap", choices=NORMALIZATIONS)
    target = reader.decimal("target", None)
    half_life = reader.int("half_life_days", None, minimum=1)
    reader.finish(raise_errors=False)
    if None in (name, kpi, weight, normalization):
        return None
    with reader.errors.catch(reader.path):
        return Signal(name, kpi, weight, normalization, target, half_life)
    return None


def _read_target(
    reader: ConfigReader, known: Mapping[str, Kpi], currency: str | None
) -> Target | None:
    kpi = reader.str("kpi")
    if kpi is not None and kpi not in known:
        reader.error("kpi", "unknown", f"no KPI named {kpi!r}")
        kpi = None
    value: Decimal | Money | None = None
    raw = reader.raw("value")
    if isinstance(raw, Mapping):
        value = reader.errors.check(reader.child_path("value"), lambda: from_dict(Money, raw))
    elif reader.has("value"):
        amount: Decimal | None = reader.decimal("value")
        value = amount
        if amount is not None and kpi is not None and known[kpi].is_money and currency is not None:
            # A plain amount of a money KPI is in the program's currency.
            value = reader.errors.check(reader.child_path("value"), lambda: Money(amount, currency))
    green = reader.decimal("green", DEFAULT_GREEN)
    amber = reader.decimal("amber", DEFAULT_AMBER)
    reader.finish(raise_errors=False)
    if None in (kpi, value, green, amber):
        return None
    with reader.errors.catch(reader.path):
        return Target(kpi, value, green, amber)  # type: ignore[arg-type]
    return None


def read_engagement_model(
    reader: ConfigReader, *, currency: str | None = None
) -> EngagementModel | None:
    """Read the model from the table ``reader`` holds, recording problems instead of raising.

    Pass ``root.table("scoring")`` and the program's ``currency``; the same
    keys, paths and codes as :func:`engagement_model_from_dict`. Returns None
    when the table had errors.

    >>> from partnerkit.core import ConfigReader
    >>> root = ConfigReader({"scoring": {"builtin_kpis": "yes"}})
    >>> read_engagement_model(root.table("scoring")) is None, root.errors.paths
    (True, ('scoring.builtin_kpis',))
    """
    before = len(reader.errors.errors)
    builtin = reader.bool("builtin_kpis", True)
    kpis: list[Kpi | None] = list(BUILTIN_KPIS) if builtin is not False else []
    first = len(kpis)
    kpis += [_read_kpi(table) for table in reader.tables("kpis")]
    known: dict[str, Kpi] = {}
    for kpi in kpis:
        if kpi is not None:
            known.setdefault(kpi.name, kpi)
    signals = [_read_signal(t, known) for t in reader.tables("signals")]
    targets = [_read_target(t, known, currency) for t in reader.tables("targets")]
    # What the parts get wrong together, under the table's own paths (scoring.kpis.0.of).
    model_problems(reader.error, signals, kpis, targets, first_kpi=first)
    if currency is not None:
        for i, target in enumerate(targets):
            if target is not None:
                target_problems(reader.error, f"targets.{i}", target, None, currency)
    reader.finish(raise_errors=False)
    if len(reader.errors.errors) != before:
        return None
    model: EngagementModel | None = None
    with reader.errors.catch(reader.path):
        model = EngagementModel(
            signals=tuple(s for s in signals if s is not None) or DEFAULT_ENGAGEMENT_MODEL.signals,
            kpis=tuple(k for k in kpis if k is not None),
            targets=tuple(t for t in targets if t is not None),
        )
    return model if len(reader.errors.errors) == before else None


def _decimal(value: Decimal) -> str:
    return str(value)


def engagement_model_to_dict(model: EngagementModel) -> dict[str, Any]:
    """Return the ``[scoring]`` table that :func:`engagement_model_from_dict` reads back equal.

    >>> data = engagement_model_to_dict(DEFAULT_ENGAGEMENT_MODEL)
    >>> engagement_model_from_dict(data) == DEFAULT_ENGAGEMENT_MODEL
    True
    """
    builtin = model.kpis[: len(BUILTIN_KPIS)] == BUILTIN_KPIS
    extra = model.kpis[len(BUILTIN_KPIS) :] if builtin else model.kpis
    data: dict[str, Any] = {"builtin_kpis": builtin}
    if extra:
        kpis = []
        for kpi in extra:
            item: dict[str, Any] = {"name": kpi.name, "measure": kpi.measure}
            item["window"] = kpi.window.kind
            if kpi.window.days is not None:
                item["days"] = kpi.window.days
            if kpi.kinds:
                item["kinds"] = list(kpi.kinds)
            if kpi.of is not None:
                item["of"] = kpi.of
            kpis.append(item)
        data["kpis"] = kpis
    signals = []
    for signal in model.signals:
        entry: dict[str, Any] = {
            "name": signal.name,
            "kpi": signal.kpi,
            "weight": _decimal(signal.weight),
            "normalization": signal.normalization,
        }
        if signal.target is not None:
            entry["target"] = _decimal(signal.target)
        if signal.half_life_days is not None:
            entry["half_life_days"] = signal.half_life_days
        signals.append(entry)
    data["signals"] = signals
    if model.targets:
        data["targets"] = [
            {
                "kpi": t.kpi,
                "value": t.value.to_dict() if isinstance(t.value, Money) else _decimal(t.value),
                "green": _decimal(t.green),
                "amber": _decimal(t.amber),
            }
            for t in model.targets
        ]
    return data
