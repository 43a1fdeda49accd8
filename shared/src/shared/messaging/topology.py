"""The broker objects, derived from the event catalogue: one topic exchange, one queue per
consuming service bound to exactly the types the catalogue says it consumes (with its retry and
dead-letter queues), and a bounded archive bound to the types nobody consumes.

Each service declares its own queues and, as a producer, the queues of the consumers of every
type it produces (a declare is idempotent), so an event for a consumer that has not started yet
waits in that consumer's queue. A type without consumers is a fact for later consumers and the
audit trail: it goes to `<prefix>.archive`, a queue capped in length that drops its oldest. Only
a real misconfiguration is left unroutable, and the relay parks what stays so.

Why explicit archive bindings and not an alternate exchange: the exchange keeps the arguments it
always had, so a broker or a `make run` data directory from before needs no migration, and a type
that should reach a consumer but does not (a deleted queue) is still reported as unroutable instead
of disappearing into the archive.

In production (queue_type quorum) the queues dead-letter at-least-once (RabbitMQ's default for
quorum queues is at-most-once), which needs `x-overflow: reject-publish`. A queue declared before
with other arguments is refused by RabbitMQ (PRECONDITION_FAILED); it is then used as it is, with a
warning naming it (the operator moves it over with a policy, deploy/rabbitmq/README.md).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from amqp.exceptions import PreconditionFailed
from kombu import Exchange, Queue, binding

from shared.events.base import CATALOGUE, produced_by, subscriptions

log = logging.getLogger(__name__)

# Headers used on retried and dead-lettered messages.
H_RETRIES = "x-chora-retries"
H_REASON = "x-chora-death-reason"
H_ORIGINAL_KEY = "x-chora-original-routing-key"
H_FAILED_AT = "x-chora-failed-at"
H_QUEUE = "x-chora-queue"
H_PUBLISHED_BY = "x-chora-published-by"  # the producer's broker user, kept when a consumer republishes
H_REPLAYED = "x-chora-replayed"

# A quorum queue redelivers a message at most this often (a handler that crashes its process on it)
# before it is dead-lettered; the consumer's own retries do not count, it acks before retrying.
QUORUM_DELIVERY_LIMIT = 20


@dataclass(frozen=True)
class Topology:
    """The broker objects one service uses, derived from a prefix so test runs never meet."""

    prefix: str
    service: str
    retry_delays: tuple[int, ...] = (1, 10, 60)
    queue_type: str = "classic"
    archive_max_length: int = 100_000

    @property
    def handled_types(self) -> tuple[str, ...]:
        return subscriptions(self.service)

    @property
    def produced_types(self) -> tuple[str, ...]:
        return produced_by(self.service)

    @property
    def exchange_name(self) -> str:
        return f"{self.prefix}.events"

    @property
    def exchange(self) -> Exchange:
        return Exchange(self.exchange_name, type="topic", durable=True)

    def queue_name_of(self, service: str) -> str:
        return f"{self.prefix}.{service}"

    @property
    def queue_name(self) -> str:
        return self.queue_name_of(self.service)

    @property
    def dead_letter_name(self) -> str:
        return f"{self.queue_name}.dead"

    @property
    def archive_name(self) -> str:
        return f"{self.prefix}.archive"

    def retry_name(self, delay: int) -> str:
        return f"{self.queue_name}.retry.{delay}s"

    # -- arguments --------------------------------------------------------------------------------
    @property
    def quorum(self) -> bool:
        return self.queue_type == "quorum"

    def _args(self, dead_letter_to: str | None = None, **extra: object) -> dict[str, object]:
        args: dict[str, object] = {"x-queue-type": self.queue_type, **extra}
        if dead_letter_to is not None:
            args["x-dead-letter-exchange"] = ""
            args["x-dead-letter-routing-key"] = dead_letter_to
            if self.quorum:
                # At-least-once: the broker keeps a message until the target queue confirmed it.
                args["x-dead-letter-strategy"] = "at-least-once"
                args["x-overflow"] = "reject-publish"
        return args

    # -- queues -----------------------------------------------------------------------------------
    def consumer_queue(self, service: str) -> Queue:
        """A consuming service's queue, bound to every type the catalogue says it consumes."""
        name = self.queue_name_of(service)
        # Classic queues stay as they always were; a quorum queue dead-letters a message redelivered
        # too often (a crash loop) into the dead-letter queue, at least once.
        args = self._args(f"{name}.dead", **{"x-delivery-limit": QUORUM_DELIVERY_LIMIT}) if self.quorum else self._args()
        return Queue(
            name,
            bindings=[binding(self.exchange, routing_key=t) for t in subscriptions(service)],
            durable=True,
            queue_arguments=args,
        )

    def main_queue(self) -> Queue:
        return self.consumer_queue(self.service)

    def retry_queues(self) -> list[Queue]:
        # Each retry queue holds a message for its TTL, then dead-letters it back to the main
        # queue through the default exchange.
        return [
            Queue(
                self.retry_name(delay),
                durable=True,
                queue_arguments=self._args(self.queue_name, **{"x-message-ttl": delay * 1000}),
            )
            for delay in self.retry_delays
        ]

    def dead_letter_queue(self) -> Queue:
        return Queue(self.dead_letter_name, durable=True, queue_arguments=self._args())

    def archive_queue(self, types: Iterable[str] = ()) -> Queue:
        """The bounded archive of types nobody consumes (oldest dropped first), bound to `types`."""
        return Queue(
            self.archive_name,
            bindings=[binding(self.exchange, routing_key=t) for t in types],
            durable=True,
            queue_arguments=self._args(None, **{"x-max-length": self.archive_max_length, "x-overflow": "drop-head"}),
        )

    def own_queues(self) -> Iterable[Queue]:
        yield self.main_queue()
        yield from self.retry_queues()
        yield self.dead_letter_queue()

    all_queues = own_queues  # the name the tests and the bench used

    def queues_to_declare(self) -> list[Queue]:
        """This service's queues if it consumes, the queues of its types' consumers, and the archive
        bound to its types that nobody consumes."""
        queues: list[Queue] = list(self.own_queues()) if self.handled_types else []
        consumers = sorted({c for t in self.produced_types for c in CATALOGUE[t].consumers} - {self.service})
        queues += [self.consumer_queue(c) for c in consumers]
        unconsumed = [t for t in self.produced_types if not CATALOGUE[t].consumers]
        if unconsumed:
            queues.append(self.archive_queue(unconsumed))
        return queues

    # -- declaring --------------------------------------------------------------------------------
    def declare(self, channel: Any) -> None:
        """Declare the exchange and the queues above with their bindings (idempotent), and unbind
        what the catalogue no longer routes there (a type that gained a consumer leaves the archive).

        Works on a channel of its own, so a refused declaration never closes the caller's."""
        connection = channel.connection.client  # the kombu Connection this channel belongs to
        own = connection.channel()
        try:
            self.exchange.bind(own).declare()
            memory = connection.transport.driver_type == "memory"
            # The in-memory transport (one process, `make run` without a broker) caps no queue: an
            # archive there would only grow, so unconsumed types are dropped on that transport.
            queues = [q for q in self.queues_to_declare() if not (memory and q.name == self.archive_name)]
            for queue in queues:
                own = self._declare_queue(connection, own, queue)
            if memory:
                return  # nothing kept from an earlier run to clean up
            stale: list[tuple[str, str]] = []
            if self.handled_types:
                stale += [(self.queue_name, t) for t in CATALOGUE if t not in self.handled_types]
            if any(q.name == self.archive_name for q in queues):
                stale += [(self.archive_name, t) for t in self.produced_types if CATALOGUE[t].consumers]
            for queue_name, routing_key in stale:
                own.queue_unbind(queue_name, self.exchange_name, routing_key)
        finally:
            try:
                own.close()
            except Exception:  # noqa: BLE001 - closing a channel the broker may have closed
                pass

    def _declare_queue(self, connection: Any, channel: Any, queue: Queue) -> Any:
        """Declare one queue; one declared before with other arguments is used as it is."""
        try:
            queue.bind(channel).declare()
            return channel
        except PreconditionFailed as exc:
            log.warning("queue exists with other arguments; using it as it is (see deploy/rabbitmq/README.md)",
                        extra={"queue": queue.name, "error": str(exc)})
            channel = connection.channel()  # the broker closed the channel that was refused
            channel.queue_declare(queue.name, passive=True)
            for b in queue.bindings:
                channel.queue_bind(queue.name, b.exchange.name, b.routing_key)
            return channel
