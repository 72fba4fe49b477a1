"""The in-process event dispatcher: routing by class, in order, one failure does not stop others."""

from __future__ import annotations

import logging

import attrs
import pytest

from partnerkit.core import DomainEvent, EventDispatcher
from partnerkit.core._events import EventHandler


@attrs.frozen
class PartnerEvent(DomainEvent):
    partner_id: str


@attrs.frozen
class PartnerJoined(PartnerEvent):
    tier: str


@attrs.frozen
class PartnerLeft(PartnerEvent):
    pass


@attrs.frozen
class DealRegistered(DomainEvent):
    deal_id: str


class Recorder:
    """A handler that remembers what it saw, tagged with its own name."""

    def __init__(self, name: str, log: list[tuple[str, DomainEvent]]) -> None:
        self.name = name
        self.log = log

    def __call__(self, event: DomainEvent) -> None:
        self.log.append((self.name, event))


def test_handlers_get_events_of_their_class_and_its_subclasses() -> None:
    log: list[tuple[str, DomainEvent]] = []
    dispatcher = EventDispatcher()
    dispatcher.subscribe(PartnerEvent, Recorder("partner", log))
    dispatcher.subscribe(PartnerJoined, Recorder("joined", log))
    dispatcher.subscribe(DomainEvent, Recorder("all", log))
    joined = PartnerJoined("p-1", "gold")
    left = PartnerLeft("p-2")
    deal = DealRegistered("d-1")
    dispatcher.publish([joined, left, deal])
    assert log == [
        ("partner", joined),
        ("joined", joined),
        ("all", joined),
        ("partner", left),
        ("all", left),
        ("all", deal),
    ]


def test_an_event_nobody_subscribed_to_goes_nowhere() -> None:
    log: list[tuple[str, DomainEvent]] = []
    dispatcher = EventDispatcher()
    dispatcher.subscribe(DealRegistered, Recorder("deals", log))
    dispatcher.publish([PartnerJoined("p-1", "gold")])
    assert log == []


def test_handlers_run_in_subscription_order_for_each_event_in_turn() -> None:
    log: list[tuple[str, DomainEvent]] = []
    dispatcher = EventDispatcher()
    names = ["c", "a", "b", "d"]
    for name in names:
        dispatcher.subscribe(DomainEvent, Recorder(name, log))
    events = [DealRegistered(f"d-{i}") for i in range(3)]
    dispatcher.publish(iter(events))
    assert log == [(name, event) for event in events for name in names]


def test_a_raising_handler_does_not_stop_the_others_and_goes_to_on_error() -> None:
    log: list[tuple[str, DomainEvent]] = []
    failures: list[tuple[DomainEvent, EventHandler, Exception]] = []
    problem = RuntimeError("mail server down")

    def broken(event: DomainEvent) -> None:
        raise problem

    dispatcher = EventDispatcher(on_error=lambda e, h, exc: failures.append((e, h, exc)))
    dispatcher.subscribe(DomainEvent, Recorder("before", log))
    dispatcher.subscribe(DomainEvent, broken)
    dispatcher.subscribe(DomainEvent, Recorder("after", log))
    first, second = DealRegistered("d-1"), DealRegistered("d-2")
    dispatcher.publish([first, second])
    assert log == [("before", first), ("after", first), ("before", second), ("after", second)]
    assert failures == [(first, broken, problem), (second, broken, problem)]


def test_failures_are_logged_with_their_traceback_by_default(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log: list[tuple[str, DomainEvent]] = []

    def broken(event: DomainEvent) -> None:
        raise ValueError("index unavailable")

    dispatcher = EventDispatcher()
    dispatcher.subscribe(DealRegistered, broken)
    dispatcher.subscribe(DealRegistered, Recorder("after", log))
    event = DealRegistered("d-1")
    with caplog.at_level(logging.ERROR, logger="partnerkit.events"):
        dispatcher.publish([event])
    assert log == [("after", event)]
    [record] = [r for r in caplog.records if r.name == "partnerkit.events"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], ValueError)
    assert "d-1" in record.getMessage()


def test_keyboard_interrupt_in_a_handler_is_not_swallowed() -> None:
    def interrupted(event: DomainEvent) -> None:
        raise KeyboardInterrupt

    failures: list[Exception] = []
    dispatcher = EventDispatcher(on_error=lambda e, h, exc: failures.append(exc))
    dispatcher.subscribe(DomainEvent, interrupted)
    with pytest.raises(KeyboardInterrupt):
        dispatcher.publish([DealRegistered("d-1")])
    assert failures == []


def test_unsubscribe_stops_delivery_for_that_class_only() -> None:
    log: list[tuple[str, DomainEvent]] = []
    dispatcher = EventDispatcher()
    handler = Recorder("h", log)
    other = Recorder("other", log)
    dispatcher.subscribe(PartnerEvent, handler)
    dispatcher.subscribe(DealRegistered, handler)
    dispatcher.subscribe(PartnerEvent, other)
    dispatcher.unsubscribe(PartnerEvent, handler)
    joined, deal = PartnerJoined("p-1", "gold"), DealRegistered("d-1")
    dispatcher.publish([joined, deal])
    assert log == [("other", joined), ("h", deal)]


def test_unsubscribe_matches_the_exact_class_not_a_base() -> None:
    log: list[tuple[str, DomainEvent]] = []
    dispatcher = EventDispatcher()
    handler = Recorder("h", log)
    dispatcher.subscribe(PartnerJoined, handler)
    dispatcher.unsubscribe(PartnerEvent, handler)
    event = PartnerJoined("p-1", "gold")
    dispatcher.publish([event])
    assert log == [("h", event)]


def test_unsubscribing_an_unknown_pair_is_ignored() -> None:
    log: list[tuple[str, DomainEvent]] = []
    dispatcher = EventDispatcher()
    dispatcher.unsubscribe(DomainEvent, Recorder("never", log))
    dispatcher.subscribe(DomainEvent, Recorder("h", log))
    dispatcher.unsubscribe(DomainEvent, Recorder("h", log))  # an equal-looking other object
    dispatcher.publish([DealRegistered("d-1")])
    assert [name for name, _ in log] == ["h"]


def test_a_bound_method_can_be_unsubscribed() -> None:
    class Mailer:
        def __init__(self) -> None:
            self.sent: list[DomainEvent] = []

        def on_deal(self, event: DealRegistered) -> None:
            self.sent.append(event)

    mailer = Mailer()
    dispatcher = EventDispatcher()
    dispatcher.subscribe(DealRegistered, mailer.on_deal)
    dispatcher.publish([DealRegistered("d-1")])
    dispatcher.unsubscribe(DealRegistered, mailer.on_deal)
    dispatcher.publish([DealRegistered("d-2")])
    assert mailer.sent == [DealRegistered("d-1")]


def test_subscribing_twice_delivers_twice_and_unsubscribe_removes_both() -> None:
    log: list[tuple[str, DomainEvent]] = []
    dispatcher = EventDispatcher()
    handler = Recorder("h", log)
    dispatcher.subscribe(DomainEvent, handler)
    dispatcher.subscribe(DomainEvent, handler)
    dispatcher.publish([DealRegistered("d-1")])
    assert len(log) == 2
    dispatcher.unsubscribe(DomainEvent, handler)
    dispatcher.publish([DealRegistered("d-2")])
    assert len(log) == 2


def test_a_handler_unsubscribing_during_publish_does_not_disturb_the_round() -> None:
    log: list[tuple[str, DomainEvent]] = []
    dispatcher = EventDispatcher()
    later = Recorder("later", log)

    def remove_later(event: DomainEvent) -> None:
        dispatcher.unsubscribe(DomainEvent, later)

    dispatcher.subscribe(DomainEvent, remove_later)
    dispatcher.subscribe(DomainEvent, later)
    first, second = DealRegistered("d-1"), DealRegistered("d-2")
    dispatcher.publish([first, second])
    assert log == [("later", first)]


def test_events_are_immutable_values() -> None:
    event = PartnerJoined("p-1", "gold")
    assert event == PartnerJoined("p-1", "gold")
    assert hash(event) == hash(PartnerJoined("p-1", "gold"))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.tier = "silver"  # type: ignore[misc]
