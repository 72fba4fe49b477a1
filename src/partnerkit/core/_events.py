"""Domain events and the in-process dispatcher hosts subscribe to."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar

import attrs

__all__ = ["DomainEvent", "EventDispatcher", "EventHandler"]

_log = logging.getLogger("partnerkit.events")


@attrs.frozen
class DomainEvent:
    """Base of every domain event: something that happened, in the past tense.

    Subclasses are frozen attrs classes carrying what a host needs to act on
    the event (send the e-mail, update a search index) without loading the
    aggregate again. Units of work hand events to the dispatcher only after a
    successful commit.
    """


E = TypeVar("E", bound=DomainEvent)


class EventHandler(Protocol):
    """A callable that receives one published event; its return value is ignored.

    Hosts write handlers (send the e-mail, update a search index) and
    subscribe them to an :class:`EventDispatcher`.
    """

    def __call__(self, event: Any, /) -> None:
        """Handle ``event``."""


class EventDispatcher:
    """Routes events to the handlers subscribed to their class or one of its bases.

    Handlers run in subscription order. A handler that raises does not stop
    the others nor undo the commit that produced the event: the exception is
    passed to ``on_error`` (by default, logged on the ``partnerkit.events``
    logger with its traceback).

    >>> seen = []
    >>> dispatcher = EventDispatcher()
    >>> dispatcher.subscribe(DomainEvent, seen.append)
    >>> dispatcher.publish([DomainEvent()])
    >>> seen
    [DomainEvent()]
    """

    __slots__ = ("_handlers", "_on_error")

    def __init__(
        self, on_error: Callable[[DomainEvent, EventHandler, Exception], None] | None = None
    ) -> None:
        self._handlers: list[tuple[type[DomainEvent], EventHandler]] = []
        self._on_error = on_error or _log_failure

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        """Call ``handler`` for every published event that is an instance of ``event_type``."""
        self._handlers.append((event_type, handler))

    def unsubscribe(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        """Stop calling ``handler`` for ``event_type``; unknown pairs are ignored."""
        self._handlers = [
            (t, h) for t, h in self._handlers if not (t is event_type and h == handler)
        ]

    def publish(self, events: Iterable[DomainEvent]) -> None:
        """Deliver ``events`` in order to every matching handler."""
        for event in events:
            for event_type, handler in list(self._handlers):
                if isinstance(event, event_type):
                    try:
                        handler(event)
                    except Exception as exc:
                        self._on_error(event, handler, exc)


def _log_failure(event: DomainEvent, handler: EventHandler, exc: Exception) -> None:
    _log.error("event handler %r failed on %r", handler, event, exc_info=exc)
