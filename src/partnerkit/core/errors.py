"""The errors partnerkit raises on purpose.

Every error raised on purpose derives from :class:`PartnerkitError`, so a host
can catch everything partnerkit refuses with one ``except`` clause. Leaf
classes also derive from the fitting built-in (``ValueError``,
``LookupError``, ``PermissionError``), so code that already catches those keeps
working. Each error keeps its facts as attributes and builds its message from
them; nothing needs to parse the message.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = [
    "Conflict",
    "CurrencyMismatch",
    "FieldError",
    "InvalidTransition",
    "NotFound",
    "PartnerkitError",
    "PermissionDenied",
    "PublishError",
    "StorageError",
    "ValidationError",
]


class PartnerkitError(Exception):
    """Root of every error partnerkit raises on purpose."""


@attrs.frozen(repr=False)
class FieldError:
    """One bad field: where it is, a machine-readable code, and a message for people.

    ``path`` is dotted from the root of the input (``end_user.address.postal_code``,
    ``lines.2.quantity``); the empty string means the input as a whole.
    ``code`` is a short stable word (``required``, ``invalid``, ``invalid_choice``,
    ``out_of_range``, ``unknown``, ...) that hosts can map to their own texts.
    ``line`` and ``column`` (1-based, keyword-only) say where the field was
    written when the input was read from text (a TOML program file, see
    :meth:`Program.from_toml_string <partnerkit.program.Program.from_toml_string>`);
    they are None for input that has no lines, such as a dict.
    """

    path: str
    code: str
    message: str
    line: int | None = attrs.field(default=None, kw_only=True)
    column: int | None = attrs.field(default=None, kw_only=True)

    def __repr__(self) -> str:
        text = f"FieldError(path={self.path!r}, code={self.code!r}, message={self.message!r}"
        if self.line is not None or self.column is not None:
            text += f", line={self.line!r}, column={self.column!r}"
        return text + ")"

    def prefixed(self, prefix: str) -> FieldError:
        """Return this error with ``prefix`` put in front of its path."""
        if not prefix:
            return self
        return attrs.evolve(self, path=join_path(prefix, self.path))

    def at(self, line: int | None, column: int | None) -> FieldError:
        """Return this error placed at ``line`` and ``column`` of the text it was read from."""
        return attrs.evolve(self, line=line, column=column)

    @property
    def where(self) -> str:
        """``"line 12, column 1"`` when the position is known, else the empty string."""
        if self.line is None:
            return ""
        if self.column is None:
            return f"line {self.line}"
        return f"line {self.line}, column {self.column}"


def join_path(*parts: str | int) -> str:
    """Join path parts with dots, skipping empty parts (``join_path("a", 2, "b") == "a.2.b"``)."""
    return ".".join(str(p) for p in parts if p != "")


class ValidationError(PartnerkitError, ValueError):
    """Input was refused; :attr:`errors` names every bad field found, not just the first.

    Raised once per operation with all the problems found, so a form can
    mark every bad field in one round trip.
    """

    errors: tuple[FieldError, ...]

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = tuple(errors)
        if not self.errors:
            raise ValueError("a ValidationError needs at least one FieldError")
        super().__init__(self.errors)

    @classmethod
    def single(cls, path: str, code: str, message: str) -> ValidationError:
        """Build an error for one bad field."""
        return cls([FieldError(path, code, message)])

    @property
    def paths(self) -> tuple[str, ...]:
        """The paths of the bad fields, in the order they were found."""
        return tuple(e.path for e in self.errors)

    def prefixed(self, prefix: str) -> ValidationError:
        """Return the same error with every path put under ``prefix``."""
        return ValidationError(e.prefixed(prefix) for e in self.errors)

    def __str__(self) -> str:
        parts = [
            f"{e.path or '<input>'}{f' ({e.where})' if e.where else ''}: {e.message} [{e.code}]"
            for e in self.errors
        ]
        noun = "field" if len(parts) == 1 else "fields"
        return f"{len(parts)} invalid {noun}: " + "; ".join(parts)

    def __reduce__(self) -> tuple[type[ValidationError], tuple[tuple[FieldError, ...]]]:
        return (type(self), (self.errors,))


class CurrencyMismatch(PartnerkitError, ValueError):
    """Arithmetic or comparison was asked between amounts in different currencies.

    partnerkit never converts silently; convert explicitly first.
    """

    def __init__(self, left: str, right: str, operation: str) -> None:
        self.left = left
        self.right = right
        self.operation = operation
        super().__init__(left, right, operation)

    def __str__(self) -> str:
        return (
            f"cannot {self.operation} {self.left} and {self.right}: "
            "amounts are in different currencies"
        )

    def __reduce__(self) -> tuple[type[CurrencyMismatch], tuple[str, str, str]]:
        return (type(self), (self.left, self.right, self.operation))


class NotFound(PartnerkitError, LookupError):
    """No record of ``kind`` has the identifier ``id``."""

    def __init__(self, kind: str, id: str) -> None:
        self.kind = kind
        self.id = id
        super().__init__(kind, id)

    def __str__(self) -> str:
        return f"no {self.kind} with id {self.id!r}"

    def __reduce__(self) -> tuple[type[NotFound], tuple[str, str]]:
        return (type(self), (self.kind, self.id))


class Conflict(PartnerkitError):
    """A write clashed with the stored state: a duplicate, or a stale version.

    ``expected_version`` and ``actual_version`` are set for stale writes;
    ``field`` is set when a unique field clashed. Nothing was written.
    """

    def __init__(
        self,
        kind: str,
        id: str,
        reason: str,
        *,
        field: str | None = None,
        expected_version: int | None = None,
        actual_version: int | None = None,
    ) -> None:
        self.kind = kind
        self.id = id
        self.reason = reason
        self.field = field
        self.expected_version = expected_version
        self.actual_version = actual_version
        super().__init__(kind, id, reason)

    def __str__(self) -> str:
        text = f"{self.kind} {self.id!r}: {self.reason}"
        if self.expected_version is not None:
            text += f" (written from version {self.expected_version}, stored version is "
            text += f"{self.actual_version})"
        return text


class InvalidTransition(PartnerkitError):
    """A state change is not allowed from the current state, or its guard failed."""

    def __init__(self, kind: str, id: str, from_state: str, to_state: str, reason: str) -> None:
        self.kind = kind
        self.id = id
        self.from_state = from_state
        self.to_state = to_state
        self.reason = reason
        super().__init__(kind, id, from_state, to_state, reason)

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.id!r} cannot go from {self.from_state} to "
            f"{self.to_state}: {self.reason}"
        )


class PermissionDenied(PartnerkitError, PermissionError):
    """The actor may not perform ``permission`` on ``resource``."""

    def __init__(self, actor: str, permission: str, resource: str, reason: str = "") -> None:
        self.actor = actor
        self.permission = permission
        self.resource = resource
        self.reason = reason
        super().__init__(actor, permission, resource, reason)

    def __str__(self) -> str:
        text = f"{self.actor} may not {self.permission} on {self.resource}"
        return f"{text}: {self.reason}" if self.reason else text


class PublishError(PartnerkitError):
    """The commit succeeded, then an event handler's error was re-raised by ``on_error``.

    The unit of work's writes are durable; only delivering its events failed
    (the handler's exception is the ``__cause__``). Retrying the use case
    would do its work twice.
    """


class StorageError(PartnerkitError):
    """The database failed in a way that is not a conflict (the driver's error is chained).

    Raised by the storage backends instead of a driver's own exception: a
    broken connection, a full disk, a missing or corrupt table. The unit of
    work's writes did not happen (it was rolled back); whether to retry is
    the host's call. A write that lost a race, or waited for a lock longer
    than the backend's timeout, is a :class:`Conflict` instead.
    """
