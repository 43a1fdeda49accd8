"""The gateway hears `person.access_changed`: every gateway process gets every such event (a
broadcast), on an exclusive, auto-delete queue of its own bound to that type on the run's
exchange, through one kombu connection made in the process (after gunicorn's fork) with
heartbeats. Each event makes the process forget what it cached about the person.

Kept small and in one module so that it follows the catalogue's way of declaring consumers when
that changes: what is gateway-specific is only `TYPE`, `queue()` and `on_message`."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from kombu import Connection, Queue
from kombu.mixins import ConsumerMixin

from shared.config import ServiceSettings
from shared.events import EventError, decode
from shared.messaging.topology import Topology

log = logging.getLogger(__name__)

TYPE = "person.access_changed"


class AccessEvents(ConsumerMixin):
    """A thread that calls `forget(person_id)` for each person.access_changed, and `attached()`
    each time it (re)attaches to its queue (events may have been missed while it was away)."""

    def __init__(self, settings: ServiceSettings, forget: Callable[[str], None], attached: Callable[[], None]):
        self.settings = settings
        self.forget, self.attached = forget, attached
        memory = settings.uses_memory_transport
        self.connection = Connection(settings.amqp_url, heartbeat=0 if memory else settings.heartbeat)
        self.live = threading.Event()  # attached to the queue now
        self._thread: threading.Thread | None = None

    def queue(self) -> Queue:
        topology = Topology(self.settings.amqp_prefix, "gateway")
        return Queue(f"{topology.prefix}.gateway.access.{uuid.uuid4().hex[:12]}", exchange=topology.exchange,
                     routing_key=TYPE, exclusive=True, auto_delete=True, durable=False)

    def get_consumers(self, consumer_cls: Any, channel: Any) -> list[Any]:
        Topology(self.settings.amqp_prefix, "gateway").declare(channel)  # the exchange only
        return [consumer_cls(queues=[self.queue()], on_message=self.on_message, accept=["application/json"])]

    def on_consume_ready(self, connection: Any, channel: Any, consumers: Any, **kwargs: Any) -> None:
        self.attached()
        self.live.set()

    def on_connection_error(self, exc: Exception, interval: float) -> None:
        self.live.clear()
        log.warning("access events: broker connection lost; reconnecting",
                    extra={"error": repr(exc), "in_seconds": interval})

    def on_message(self, message: Any) -> None:
        try:
            evt = decode(message.body)
        except EventError as exc:
            log.warning("access events: an undecodable message was dropped", extra={"error": str(exc)})
        else:
            if evt.type == TYPE:
                self.forget(evt.payload["person_id"])
        message.ack()

    def start(self) -> None:
        """Attach in a daemon thread of this process (call after fork)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.run, name="gateway-access-events", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self.should_stop = True
        self.live.clear()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.connection.release()
