"""A service's consumer: decode, validate, handle, ack only after the handler committed.

A service may also give a batch handler: the messages already waiting in the channel (up to
the prefetch) are then handled together, in one transaction that records every event in the
inbox, and acked after it commits. If the batch fails for any reason, its messages are handled
one by one, so a poison message is isolated and retried (or dead-lettered) on its own.

A handler failure is retried through per-delay TTL queues that dead-letter back to the service
queue; when the delays are used up, or the message cannot be decoded or fails its schema, it goes
to the service's dead-letter queue with the reason in a header. The consumer never loops on a
poison message and goes on with the next one.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from kombu import Connection, Producer
from kombu.mixins import ConsumerMixin

from shared import context, metrics
from shared.events import Event, EventError, decode
from shared.messaging.topology import H_FAILED_AT, H_ORIGINAL_KEY, H_QUEUE, H_REASON, H_RETRIES, Topology
from shared.mongo import AlreadyProcessed

log = logging.getLogger(__name__)

Handler = Callable[[Event], None]
BatchHandler = Callable[[list[Event]], None]


class ServiceConsumer(ConsumerMixin):
    def __init__(self, url: str, topology: Topology, handle: Handler, *, prefetch: int = 20, heartbeat: int = 30,
                 handle_batch: BatchHandler | None = None):
        self.topology = topology
        self.handle = handle
        self.handle_batch = handle_batch
        self.prefetch = prefetch
        self._pending: list[tuple[object, Event]] = []
        self._live = None  # the connection consume() drains
        self._memory = url.startswith("memory://")
        self.connection = Connection(
            url,
            heartbeat=0 if self._memory else heartbeat,
            transport_options={"confirm_publish": True},
        )
        self._producer: Producer | None = None
        self.ready = threading.Event()
        self._timers: list[threading.Timer] = []
        # What the health checks read (shared.health): when the loop last turned (at least once
        # a second while idle), since when the broker connection is lost, and the loop's thread.
        self.last_turn = time.monotonic()
        self.lost_since: float | None = None
        self._thread: threading.Thread | None = None

    # -- kombu wiring -------------------------------------------------------------------------
    def get_consumers(self, consumer_cls, channel):
        self.topology.declare(channel)
        # Retries and dead letters go out on their own channel with confirms (confirm_publish).
        self._producer = Producer(self.connection.channel(), auto_declare=False)
        return [
            consumer_cls(
                queues=[self.topology.main_queue()],
                on_message=self.on_message,
                prefetch_count=self.prefetch,
                accept=["application/json"],
            )
        ]

    def on_consume_ready(self, connection, channel, consumers, **kwargs):
        self._pending.clear()  # deliveries of a lost channel are redelivered by the broker
        self._live = connection
        self.lost_since = None
        self.last_turn = time.monotonic()
        self.ready.set()

    def on_connection_error(self, exc, interval):
        self._pending.clear()
        self.ready.clear()
        if self.lost_since is None:
            self.lost_since = time.monotonic()
        log.warning("broker connection lost; reconnecting", extra={"error": repr(exc), "in_seconds": interval})

    def stop(self) -> None:
        self.should_stop = True
        for timer in self._timers:
            timer.cancel()

    def run_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name=f"consumer-{self.topology.service}", daemon=True)
        thread.start()
        self._thread = thread
        return thread

    @property
    def thread_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self.should_stop

    # -- one message ----------------------------------------------------------------------------
    def on_message(self, message) -> None:
        headers = dict(message.headers or {})
        try:
            evt = decode(message.body)
        except EventError as exc:
            self._dead_letter(message, headers, f"undecodable: {exc}")
            metrics.EVENTS_CONSUMED.labels(self.topology.service, "?", "dead_lettered").inc()
            return
        if evt.type not in self.topology.handled_types:
            self._dead_letter(message, headers, f"not handled here: {evt.type}")
            return
        if self.handle_batch is not None:
            self._pending.append((message, evt))
            if len(self._pending) >= self.prefetch:
                self._flush()
            return
        self._handle_one(message, headers, evt)

    # -- batches ------------------------------------------------------------------------------
    def on_iteration(self) -> None:
        """Before waiting for the next message: take what is already buffered, then handle it."""
        self.last_turn = time.monotonic()
        if not self._pending or self._live is None:
            return
        while len(self._pending) < self.prefetch:
            try:
                self._live.drain_events(timeout=0)
            except (TimeoutError, BlockingIOError):
                break
        self._flush()

    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        if len(batch) > 1:
            last = batch[-1][1]
            try:
                with context.bound(correlation=last.correlation_id, causation=last.id):
                    self.handle_batch([evt for _, evt in batch])  # type: ignore[misc]
            except Exception as exc:
                log.warning("batch failed; handling its events one by one", extra={"size": len(batch), "error": repr(exc)})
            else:
                for message, evt in batch:
                    metrics.EVENTS_CONSUMED.labels(self.topology.service, evt.type, "ok").inc()
                    message.ack()  # type: ignore[attr-defined]
                return
        for message, evt in batch:
            self._handle_one(message, dict(message.headers or {}), evt)  # type: ignore[attr-defined]

    def _handle_one(self, message, headers: dict, evt: Event) -> None:
        try:
            with context.bound(correlation=evt.correlation_id, causation=evt.id):
                self.handle(evt)
        except AlreadyProcessed:
            metrics.EVENTS_CONSUMED.labels(self.topology.service, evt.type, "duplicate").inc()
        except Exception as exc:
            log.exception("handler failed", extra={"event_id": evt.id, "type": evt.type})
            self._retry_or_dead_letter(message, headers, evt, exc)
            return
        else:
            metrics.EVENTS_CONSUMED.labels(self.topology.service, evt.type, "ok").inc()
        message.ack()

    def _retry_or_dead_letter(self, message, headers: dict, evt: Event, exc: Exception) -> None:
        retries = int(headers.get(H_RETRIES, 0))
        delays = self.topology.retry_delays
        if retries >= len(delays):
            metrics.EVENTS_CONSUMED.labels(self.topology.service, evt.type, "dead_lettered").inc()
            self._dead_letter(message, headers, f"handler failed after {retries} retries: {exc!r}")
            return
        metrics.EVENTS_CONSUMED.labels(self.topology.service, evt.type, "retried").inc()
        headers[H_RETRIES] = retries + 1
        headers[H_REASON] = repr(exc)[:500]
        if self._memory:
            # The in-memory transport has no TTL queues: wait in a timer, then requeue.
            self._republish(message, headers, self.topology.queue_name, delay=delays[retries])
        else:
            self._republish(message, headers, self.topology.retry_name(delays[retries]))
        message.ack()

    def _dead_letter(self, message, headers: dict, reason: str) -> None:
        log.error("message dead-lettered", extra={"reason": reason})
        headers[H_REASON] = reason[:1000]
        headers.setdefault(H_ORIGINAL_KEY, message.delivery_info.get("routing_key"))
        headers[H_QUEUE] = self.topology.queue_name
        headers[H_FAILED_AT] = datetime.now(UTC).isoformat()
        self._republish(message, headers, self.topology.dead_letter_name)
        message.ack()

    def _republish(self, message, headers: dict, queue_name: str, delay: float = 0) -> None:
        props = message.properties or {}

        def send() -> None:
            assert self._producer is not None
            self._producer.publish(
                message.body,
                exchange="",
                routing_key=queue_name,
                content_type=message.content_type or "application/json",
                content_encoding=message.content_encoding or "utf-8",
                headers=headers,
                delivery_mode=2,
                message_id=props.get("message_id"),
                correlation_id=props.get("correlation_id"),
                retry=False,
            )

        if delay:
            timer = threading.Timer(delay, send)
            timer.daemon = True
            self._timers.append(timer)
            timer.start()
        else:
            send()


def body_preview(body: bytes | str, limit: int = 200) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        return json.dumps(json.loads(text))[:limit]
    except ValueError:
        return text[:limit]
