"""ProgramArea: how one area contributes its table of the program file."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import attrs

from partnerkit.fiscal import FiscalCalendar, MonthlyFiscalCalendar
from partnerkit.tiers import CustomCriterion

if TYPE_CHECKING:
    from partnerkit.core import ConfigReader
    from partnerkit.core.errors import FieldError
    from partnerkit.program._program import Program

__all__ = ["AreaContext", "ProgramArea"]

T = TypeVar("T")


@functools.cache
def calendar_year(timezone: str) -> FiscalCalendar:
    """The default fiscal calendar: the calendar year in ``timezone`` (a valid IANA zone)."""
    return MonthlyFiscalCalendar(1, tz=timezone)


@attrs.frozen
class AreaContext:
    """What an area's :meth:`~ProgramArea.read` may know beyond its own table.

    :meth:`Program.from_dict <partnerkit.program.Program.from_dict>` builds
    one for each area it reads, in the order of
    :attr:`Program.areas <partnerkit.program.Program.areas>`. Settings of the
    ``[program]`` table that are missing or bad are None here (their errors
    are reported by the program itself), so an area never reports them twice.
    """

    #: The program's currency, when the ``[program]`` table holds a known ISO 4217 code.
    currency: str | None = None
    #: The program's IANA time zone, when the ``[program]`` table holds a valid one.
    timezone: str | None = None
    #: What the areas read before this one, by :attr:`ProgramArea.attribute`; an area
    #: whose table is absent or had errors is not in it.
    values: Mapping[str, object] = attrs.field(factory=dict)
    #: The tier criteria written in Python that ``[tiers]`` rules name (``custom = "<key>"``).
    custom_criteria: tuple[CustomCriterion, ...] = ()

    @property
    def fiscal(self) -> FiscalCalendar:
        """The program's fiscal calendar as :attr:`Program.fiscal` will be.

        The ``[fiscal]`` table's calendar when it was read, else the calendar
        year in the program's time zone (in UTC while the time zone is bad:
        that error is reported on ``program.timezone``).
        """
        calendar = self.values.get("fiscal_calendar")
        if isinstance(calendar, FiscalCalendar):
            return calendar
        return calendar_year(self.timezone or "UTC")


class ProgramArea(Protocol[T]):
    """One area's table of the program file: how it is read, written, checked and shown.

    partnerkit implements one for each of its tables;
    :attr:`Program.areas <partnerkit.program.Program.areas>` lists them in
    file order, and :class:`~partnerkit.program.Program` reads, writes,
    checks and shows every table through them. Adding an area takes an
    object implementing this protocol, its entry in that registry, and the
    ``Program`` attribute it fills (an attrs field with a default: a file
    without the table gets the default, and a default value writes no table).
    A host adds its own table the same way, in a ``Program`` subclass.
    """

    @property
    def table(self) -> str:
        """The dotted path of the table in the file: ``"fiscal"``, ``"tiers.policy"``.

        A nested table comes after its parent's area in the registry; the
        parent's reader never sees it as an unknown key, and a parent table
        that holds nothing but nested tables counts as absent.
        """
        ...

    @property
    def attribute(self) -> str:
        """The :class:`~partnerkit.program.Program` attribute the table fills.

        Its constructor keyword is the attribute's attrs alias
        (``fiscal_calendar`` is given as ``fiscal=``), and so is its name in
        the program's repr.
        """
        ...

    def read(self, reader: ConfigReader, context: AreaContext) -> T | None:
        """Read the value from the table ``reader`` holds; called only when the file has one.

        Record every bad, missing or unknown key in ``reader``'s collector
        (``reader.error``, ``reader.finish(raise_errors=False)``) with its
        dotted path, so the whole file's problems are reported at once, and
        return None when the table had errors; raise nothing.
        """
        ...

    def write(self, value: T, program: Program) -> dict[str, Any]:
        """The table for ``value``, which :meth:`read` gives back equal.

        Called by :meth:`Program.to_dict <partnerkit.program.Program.to_dict>`
        only when ``value`` is not the attribute's default.

        Raises:
            partnerkit.core.errors.ValidationError: ``value`` holds something
                that has no file form (a host-written calendar, say).

        """
        ...

    def check(self, value: object, program: Program) -> Iterable[FieldError]:
        """What is wrong with ``value`` in ``program``, paths relative to the table.

        Called when a program is built, with whatever was passed (check the
        type first) and with the program's other settings possibly bad
        (check what you use, such as a known currency). The program reports
        these errors under :attr:`table` with its own; raise nothing.
        """
        ...

    def summary(self, value: T) -> str:
        """The short form of a value other than the default, for the program's repr."""
        ...
