"""Names and declarations of the exchange, the service queues, retry queues and dead letters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kombu import Exchange, Queue, binding

# Headers used on retried and dead-lettered messages.
H_RETRIES = "x-chora-retries"
H_REASON = "x-chora-death-reason"
H_ORIGINAL_KEY = "x-chora-original-routing-key"
H_FAILED_AT = "x-chora-failed-at"
H_QUEUE = "x-chora-queue"


@dataclass(frozen=True)
class Topology:
    """The broker objects one service uses, derived from a prefix so test runs never meet."""

    prefix: str
    service: str
    handled_types: tuple[str, ...] = ()
    retry_delays: tuple[int, ...] = (1, 10, 60)
    queue_type: str = "classic"

    @property
    def exchange_name(self) -> str:
        return f"{self.prefix}.events"

    @property
    def exchange(self) -> Exchange:
        return Exchange(self.exchange_name, type="topic", durable=True)

    @property
    def queue_name(self) -> str:
        return f"{self.prefix}.{self.service}"

    @property
    def dead_letter_name(self) -> str:
        return f"{self.queue_name}.dead"

    def retry_name(self, delay: int) -> str:
        return f"{self.queue_name}.retry.{delay}s"

    def _args(self, **extra) -> dict:
        return {"x-queue-type": self.queue_type, **extra}

    def main_queue(self) -> Queue:
        return Queue(
            self.queue_name,
            bindings=[binding(self.exchange, routing_key=t) for t in self.handled_types],
            durable=True,
            queue_arguments=self._args(),
        )

    def retry_queues(self) -> list[Queue]:
        # Each retry queue holds a message for its TTL, then dead-letters it back to the main
        # queue through the default exchange.
        return [
            Queue(
                self.retry_name(delay),
                durable=True,
                queue_arguments=self._args(**{
                    "x-message-ttl": delay * 1000,
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": self.queue_name,
                }),
            )
            for delay in self.retry_delays
        ]

    def dead_letter_queue(self) -> Queue:
        return Queue(self.dead_letter_name, durable=True, queue_arguments=self._args())

    def all_queues(self) -> Iterable[Queue]:
        yield self.main_queue()
        yield from self.retry_queues()
        yield self.dead_letter_queue()

    def declare(self, channel) -> None:
        """Declare the exchange and, for a consuming service, its queues (idempotent)."""
        self.exchange.bind(channel).declare()
        if self.handled_types:
            for queue in self.all_queues():
                queue.bind(channel).declare()
