"""Factories that build valid domain values for host tests, overridable field by field."""

from __future__ import annotations

from typing import Any

from partnerkit.program import Program

__all__ = ["make_program"]


def make_program(**overrides: Any) -> Program:
    """Return a valid :class:`~partnerkit.program.Program`, with ``overrides`` applied.

    >>> make_program(currency="JPY").currency
    'JPY'
    """
    values: dict[str, Any] = {
        "key": "example-program",
        "name": "Example Partner Program",
        "currency": "USD",
        "locale": "en_US",
        "timezone": "America/New_York",
    }
    values.update(overrides)
    return Program(**values)
