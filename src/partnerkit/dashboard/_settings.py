"""What a program's dashboard shows beyond the scores: its service products, renewal horizons."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from partnerkit.core import ConfigReader, ErrorCollector
from partnerkit.core.errors import ValidationError

__all__ = ["DashboardSettings", "dashboard_settings_to_dict", "read_dashboard_settings"]

_MAX_HORIZON = 366


def _skus(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValidationError.single("service_skus", "invalid", "expected a list of SKUs")
    return frozenset(value)


def _horizons(value: Iterable[int]) -> tuple[int, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValidationError.single("renewal_horizons", "invalid", "expected a list of days")
    return tuple(value)


@attrs.frozen
class DashboardSettings:
    """A program's dashboard settings (the ``[dashboard]`` table of the program file).

    ``service_skus`` are the SKUs of the vendor's service products: a
    partner that ordered one "uses the vendor's services".
    ``renewal_horizons`` are the windows of upcoming renewals in days
    (ascending, 1-366; by default 30, 60 and 90). Raises
    :class:`~partnerkit.core.errors.ValidationError` naming every bad field.

    >>> DashboardSettings(service_skus=["SVC-ONBOARD"]).renewal_horizons
    (30, 60, 90)
    """

    service_skus: frozenset[str] = attrs.field(default=frozenset(), converter=_skus)
    renewal_horizons: tuple[int, ...] = attrs.field(default=(30, 60, 90), converter=_horizons)

    def __attrs_post_init__(self) -> None:
        errors = ErrorCollector()
        for sku in sorted(self.service_skus, key=repr):
            if not isinstance(sku, str) or not sku.strip() or len(sku) > 64:
                errors.add("service_skus", "invalid", f"{sku!r} is no SKU (text of 1-64 chars)")
        horizons = self.renewal_horizons
        if not horizons:
            errors.add("renewal_horizons", "required", "give at least one horizon")
        elif not all(
            isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= _MAX_HORIZON
            for d in horizons
        ):
            errors.add("renewal_horizons", "out_of_range", "horizons are whole days, 1-366")
        elif list(horizons) != sorted(set(horizons)):
            errors.add("renewal_horizons", "invalid", "horizons ascend, without repeats")
        errors.raise_if_any()


def read_dashboard_settings(reader: ConfigReader) -> DashboardSettings | None:
    """Read the ``[dashboard]`` table ``reader`` holds, recording problems by path.

    ``service_skus`` is a list of SKUs, ``renewal_horizons`` a list of days.
    Returns the settings, or None when the table had errors.

    >>> from partnerkit.core import ConfigReader
    >>> root = ConfigReader({"dashboard": {"service_skus": ["SVC-1"], "colour": 1}})
    >>> read_dashboard_settings(root.table("dashboard")) is None, root.errors.paths
    (True, ('dashboard.colour',))
    """
    before = len(reader.errors.errors)
    values: dict[str, Any] = {}
    for key, kind, label in (
        ("service_skus", str, "a list of SKUs"),
        ("renewal_horizons", int, "a list of whole days"),
    ):
        if not reader.has(key):
            continue
        raw = reader.raw(key)
        if not isinstance(raw, list) or not all(
            isinstance(v, kind) and not isinstance(v, bool) for v in raw
        ):
            reader.error(key, "invalid", f"expected {label}")
            continue
        values[key] = raw
    reader.finish(raise_errors=False)
    settings = None
    with reader.errors.catch(reader.path):
        # Built from the keys that were read well, so their own problems are reported too.
        settings = DashboardSettings(**values)
    return settings if len(reader.errors.errors) == before else None


def dashboard_settings_to_dict(settings: DashboardSettings) -> dict[str, Any]:
    """The ``[dashboard]`` table of ``settings`` (what :func:`read_dashboard_settings` reads)."""
    return {
        "service_skus": sorted(settings.service_skus),
        "renewal_horizons": list(settings.renewal_horizons),
    }
