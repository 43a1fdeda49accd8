"""A service's consumer: decode, validate, check the producer, handle, ack only after the handler
committed.

A service may also give a batch handler: the messages already waiting in the channel (up to
the prefetch) are then handled together, in one transaction that records every event in the
inbox, and acked after it commits. If the batch fails for any reason, its messages are handled
one by one, so a poison message is isolated and retried (or dead-lettered) on its own.

A handler failure is retried through per-delay TTL queues that dead-letter back to the service
queue; when the delays are used up, or the message cannot be decoded, fails its schema, or was
published by anyone but its type's producer, it goes to the service's dead-letter queue with the
reason in a header. The consumer never loops on a poison message and goes on with the next one.

Retries and dead letters are published with confirms on a second connection that this consumer's
loop services between messages (heartbeats read and sent), so the broker never drops it as idle.

Who published a message: RabbitMQ checks the AMQP `user_id` property against the connection's
user, so it names the publisher's broker account. A message this consumer republished (a retry)
or an operator replayed with this service's own account carries the original publisher in
`x-chora-published-by`; that header is believed only on a message whose user_id is this
consumer's own account.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kombu import Connection, Producer
from kombu.mixins import ConsumerMixin
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from shared import context, metrics, tracing
from shared.events import CATALOGUE, Event, EventError, decode
from shared.events.sealing import Sealer, SealError
from shared.messaging.topology import (
    H_FAILED_AT,
    H_ORIGINAL_KEY,
    H_PUBLISHED_BY,
    H_QUEUE,
    H_REASON,
    H_RETRIES,
    Topology,
)
from shared.mongo import AlreadyProcessed

log = logging.getLogger(__name__)

Handler = Callable[[Event], None]
BatchHandler = Callable[[list[Event]], None]

QUEUE_DEPTH_INTERVAL = 10.0  # seconds between readings of this service's queue depths


class ServiceConsumer(ConsumerMixin):
    def __init__(self, url: str, topology: Topology, handle: Handler, *, prefetch: int = 20, heartbeat: int = 30,
                 handle_batch: BatchHandler | None = None, sealer: Sealer | None = None,
                 user_prefix: str = "", shared_user: str = ""):
        self.topology = topology
        self.service = topology.service
        self.handle = handle
        self.handle_batch = handle_batch
        self.prefetch = prefetch
        self.sealer = sealer
        self.user_prefix = user_prefix
        self.shared_user = shared_user
        self._pending: list[tuple[object, Event]] = []
        self._live = None  # the connection consume() drains
        self._memory = url.startswith("memory://")
        self.connection = Connection(
            url,
            heartbeat=0 if self._memory else heartbeat,
            transport_options={"confirm_publish": True},
        )
        self.own_user = None if self._memory else self.connection.userid
        self.out: Connection | None = None  # retries and dead letters go out on this connection
        self._producer: Producer | None = None
        self._next_depths = 0.0
        self.ready = threading.Event()
        self._timers: list[threading.Timer] = []
        self._lock = threading.Lock()  # the publisher is used by retry timers too (memory transport)
        # What the health checks read (shared.health): when the loop last turned (at least once
        # a second while idle), since when the broker connection is lost, and the loop's thread.
        self.last_turn = time.monotonic()
        self.lost_since: float | None = None
        self._thread: threading.Thread | None = None

    # -- kombu wiring -------------------------------------------------------------------------
    def get_consumers(self, consumer_cls: Any, channel: Any) -> list[Any]:
        self.topology.declare(channel)
        return [
            consumer_cls(
                queues=[self.topology.main_queue()],
                on_message=self.on_message,
                prefetch_count=self.prefetch,
                accept=["application/json"],
            )
        ]

    def on_consume_ready(self, connection: Any, channel: Any, consumers: Any, **kwargs: Any) -> None:
        self._pending.clear()  # deliveries of a lost channel are redelivered by the broker
        self._live = connection
        self.lost_since = None
        self.last_turn = time.monotonic()
        self.ready.set()

    def on_connection_error(self, exc: Exception, interval: float) -> None:
        self._pending.clear()
        self.ready.clear()
        if self.lost_since is None:
            self.lost_since = time.monotonic()
        log.warning("broker connection lost; reconnecting", extra={"error": repr(exc), "in_seconds": interval})

    def stop(self) -> None:
        self.should_stop = True
        for timer in self._timers:
            timer.cancel()
        self._close_out()

    def run_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name=f"consumer-{self.service}", daemon=True)
        thread.start()
        self._thread = thread
        return thread

    # -- the publishing connection --------------------------------------------------------------
    def _publisher(self) -> Producer:
        if self._producer is None:
            conn = self.connection.clone()  # same URL, heartbeat and confirm_publish
            conn.ensure_connection(max_retries=3)
            self.out, self._producer = conn, Producer(conn.channel(), auto_declare=False)
        return self._producer

    def _close_out(self) -> None:
        out, self.out, self._producer = self.out, None, None
        if out is not None:
            try:
                out.release()
            except Exception:  # noqa: BLE001 - it may be gone already
                pass

    def _service_out(self) -> None:
        """Read the publishing connection's frames (the broker's heartbeats) and send ours when due."""
        if self.out is None or self._memory:
            return
        try:
            try:
                self.out.drain_events(timeout=0.001)
            except (TimeoutError, BlockingIOError):
                pass
            self.out.heartbeat_check()
        except Exception as exc:  # noqa: BLE001 - a lost connection is made again on the next publish
            log.warning("publishing connection lost; reconnecting when needed", extra={"error": repr(exc)})
            self._close_out()

    def _read_queue_depths(self) -> None:
        if self._memory or time.monotonic() < self._next_depths:
            return
        self._next_depths = time.monotonic() + QUEUE_DEPTH_INTERVAL
        try:
            channel = self._publisher().channel
            for queue in self.topology.own_queues():
                ok = channel.queue_declare(queue.name, passive=True)
                metrics.QUEUE_MESSAGES.labels(self.service, queue.name).set(ok.message_count)
                metrics.QUEUE_CONSUMERS.labels(self.service, queue.name).set(ok.consumer_count)
        except Exception as exc:  # noqa: BLE001 - a reading is not worth a consumer
            log.warning("reading queue depths failed", extra={"error": repr(exc)})
            self._close_out()

    @property
    def thread_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self.should_stop

    # -- one message ----------------------------------------------------------------------------
    def on_message(self, message: Any) -> None:
        headers = dict(message.headers or {})
        publisher = self._publisher_of(message, headers)
        headers[H_PUBLISHED_BY] = publisher or ""
        try:
            evt = decode(message.body)
        except EventError as exc:
            self._dead_letter(message, headers, f"undecodable: {exc}", "?", "invalid")
            return
        if evt.type not in self.topology.handled_types:
            self._dead_letter(message, headers, f"not handled here: {evt.type}", evt.type, "not_handled")
            return
        refused = self._refusal(evt, publisher)
        if refused:
            self._dead_letter(message, headers, refused, evt.type, "wrong_producer")
            return
        if self.sealer is not None:
            try:
                evt = self.sealer.open_event(evt, self.service)
            except SealError as exc:
                self._dead_letter(message, headers, f"cannot open: {exc}", evt.type, "unsealable")
                return
        if self.handle_batch is not None:
            self._pending.append((message, evt))
            if len(self._pending) >= self.prefetch:
                self._flush()
            return
        self._handle_one(message, headers, evt)

    def _publisher_of(self, message: Any, headers: dict[str, Any]) -> str | None:
        user = (message.properties or {}).get("user_id")
        if isinstance(user, bytes):
            user = user.decode()
        if user and user == self.own_user and headers.get(H_PUBLISHED_BY):
            return str(headers[H_PUBLISHED_BY])  # republished by this service (retry or replay)
        return user or None

    def _refusal(self, evt: Event, publisher: str | None) -> str | None:
        """Why an event must not be believed (published by anyone but its producer), or None."""
        if self._memory:
            return None  # one process, no broker accounts
        producer = CATALOGUE[evt.type].producer
        expected = f"{self.user_prefix}{producer}"
        if publisher == expected:
            return None
        if self.shared_user and self.own_user == self.shared_user and publisher in (None, self.shared_user):
            return None  # every service shares one account here: nobody can be told apart
        return f"forged: {evt.type} published by {publisher or 'an unnamed user'}, not by its producer {expected}"

    # -- batches ------------------------------------------------------------------------------
    def on_iteration(self) -> None:
        """Between messages: note the turn (health), keep the publishing connection alive, then
        handle what is buffered."""
        self.last_turn = time.monotonic()
        self._service_out()
        self._read_queue_depths()
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
            parents = [_parent(message, evt) for message, evt in batch]
            started = time.perf_counter()
            try:
                with tracing.span(self.service, f"process batch of {len(batch)}", kind=tracing.SpanKind.CONSUMER,
                                  parent=parents[0], links=[p for p in parents[1:] if p is not None]), \
                        context.bound(correlation=tracing.current_trace_id(), causation=batch[-1][1].id):
                    self.handle_batch([evt for _, evt in batch])  # type: ignore[misc]
            except Exception as exc:
                log.warning("batch failed; handling its events one by one", extra={"size": len(batch), "error": repr(exc)})
            else:
                elapsed = (time.perf_counter() - started) / len(batch)
                for message, evt in batch:
                    metrics.EVENTS_CONSUMED.labels(self.service, evt.type, "ok").inc()
                    metrics.HANDLER_SECONDS.labels(self.service, evt.type).observe(elapsed)
                    message.ack()  # type: ignore[attr-defined]
                return
        for message, evt in batch:
            headers = dict(message.headers or {})  # type: ignore[attr-defined]
            headers[H_PUBLISHED_BY] = self._publisher_of(message, headers) or ""
            self._handle_one(message, headers, evt)

    def _handle_one(self, message: Any, headers: dict[str, Any], evt: Event) -> None:
        started = time.perf_counter()
        try:
            with tracing.span(self.service, f"process {evt.type}", kind=tracing.SpanKind.CONSUMER,
                              parent=_parent(message, evt),
                              attributes={"messaging.system": "rabbitmq", "messaging.message.id": evt.id,
                                          "messaging.destination.name": self.topology.queue_name}), \
                    context.bound(correlation=tracing.current_trace_id() or evt.correlation_id, causation=evt.id):
                self.handle(evt)
        except AlreadyProcessed:
            metrics.EVENTS_CONSUMED.labels(self.service, evt.type, "duplicate").inc()
        except Exception as exc:
            log.warning("handler failed", exc_info=True, extra={"event_id": evt.id, "type": evt.type})
            metrics.HANDLER_SECONDS.labels(self.service, evt.type).observe(time.perf_counter() - started)
            self._retry_or_dead_letter(message, headers, evt, exc)
            return
        else:
            metrics.EVENTS_CONSUMED.labels(self.service, evt.type, "ok").inc()
        metrics.HANDLER_SECONDS.labels(self.service, evt.type).observe(time.perf_counter() - started)
        message.ack()

    def _retry_or_dead_letter(self, message: Any, headers: dict[str, Any], evt: Event, exc: Exception) -> None:
        retries = int(headers.get(H_RETRIES, 0))
        delays = self.topology.retry_delays
        if retries >= len(delays):
            self._dead_letter(message, headers, f"handler failed after {retries} retries: {exc!r}", evt.type, "handler")
            return
        metrics.EVENTS_CONSUMED.labels(self.service, evt.type, "retried").inc()
        # Kept from the first try on: after a retry queue the message arrives under the queue's name.
        headers.setdefault(H_ORIGINAL_KEY, message.delivery_info.get("routing_key"))
        headers[H_RETRIES] = retries + 1
        headers[H_REASON] = repr(exc)[:500]
        if self._memory:
            # The in-memory transport has no TTL queues: wait in a timer, then requeue.
            self._republish(message, headers, self.topology.queue_name, delay=delays[retries])
        else:
            self._republish(message, headers, self.topology.retry_name(delays[retries]))
        message.ack()

    def _dead_letter(self, message: Any, headers: dict[str, Any], reason: str, type_: str, kind: str) -> None:
        log.error("message dead-lettered", extra={"reason": reason, "type": type_})
        metrics.EVENTS_CONSUMED.labels(self.service, type_, "dead_lettered").inc()
        metrics.DEAD_LETTERS.labels(self.service, kind).inc()
        headers[H_REASON] = reason[:1000]
        headers.setdefault(H_ORIGINAL_KEY, message.delivery_info.get("routing_key"))
        headers[H_QUEUE] = self.topology.queue_name
        headers[H_FAILED_AT] = datetime.now(UTC).isoformat()
        self._republish(message, headers, self.topology.dead_letter_name)
        message.ack()

    def _republish(self, message: Any, headers: dict[str, Any], queue_name: str, delay: float = 0) -> None:
        props = message.properties or {}

        def send() -> None:
            with self._lock:
                self._publisher().publish(
                    message.body,
                    exchange="",
                    routing_key=queue_name,
                    content_type=message.content_type or "application/json",
                    content_encoding=message.content_encoding or "utf-8",
                    headers=headers,
                    delivery_mode=2,
                    message_id=props.get("message_id"),
                    correlation_id=props.get("correlation_id"),
                    type=props.get("type"),
                    **({"user_id": self.own_user} if self.own_user else {}),
                    retry=False,
                )

        if delay:
            timer = threading.Timer(delay, send)
            timer.daemon = True
            self._timers.append(timer)
            timer.start()
        else:
            send()


def _parent(message: Any, evt: Event) -> Any:
    """The trace context a message carries; for one without (published before tracing, or by hand)
    the trace named by its correlation id, so the trace id stays the correlation id."""
    carried = tracing.context_from(message.headers)
    if carried is not None:
        return carried
    try:
        trace_id = int(evt.correlation_id, 16)
    except (TypeError, ValueError):
        return None
    if not 0 < trace_id < 2 ** 128:
        return None
    span_context = SpanContext(trace_id=trace_id, span_id=int.from_bytes(evt.id.encode()[:8].ljust(8, b"0"), "big") or 1,
                               is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED))
    return trace.set_span_in_context(NonRecordingSpan(span_context))


def body_preview(body: bytes | str, limit: int = 200) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        return json.dumps(json.loads(text))[:limit]
    except ValueError:
        return text[:limit]
