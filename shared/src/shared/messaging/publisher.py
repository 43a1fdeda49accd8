"""Publish events with publisher confirms, `mandatory` and persistence, many in flight at once."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from kombu import Connection, Producer

from shared import tracing
from shared.messaging.topology import Topology

log = logging.getLogger(__name__)


class PublishTimeout(Exception):
    """The broker did not confirm in time."""


@dataclass
class BatchResult:
    confirmed: list[str] = field(default_factory=list)
    unroutable: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


class ConfirmingPublisher:
    """Owns one connection and channel in confirm mode and publishes envelopes in batches.

    A batch is published back to back and the confirms are awaited together; the broker
    answers `basic.return` before `basic.ack` for an unroutable mandatory message, so each
    message is classified as confirmed, unroutable (returned) or failed (nacked / timed out).

    Every message carries the AMQP `user_id` of the connection (RabbitMQ refuses one that is not
    the connection's user, so consumers can tell who published it) and the W3C trace context of
    a publish span, child of the context the outbox event was written in.
    """

    def __init__(self, url: str, topology: Topology, *, confirm_timeout: float = 5.0, heartbeat: int = 30):
        self.url = url
        self.topology = topology
        self.confirm_timeout = confirm_timeout
        self.heartbeat = heartbeat
        self._conn: Connection | None = None
        self._channel = None
        self._producer: Producer | None = None
        self._memory = url.startswith("memory://")
        self._tag = 0
        self._acked: set[int] = set()
        self._nacked: set[int] = set()
        self._returned: dict[str, str] = {}
        self._user: str | None = None

    # -- connection -------------------------------------------------------------------------
    def _ensure(self) -> None:
        if self._producer is not None:
            return
        conn = Connection(self.url, heartbeat=0 if self._memory else self.heartbeat)
        conn.ensure_connection(max_retries=1)
        channel = conn.channel()
        self.topology.declare(channel)
        if not self._memory:
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            channel.events["basic_return"].add(self._on_return)
        self._conn, self._channel = conn, channel
        self._user = None if self._memory else conn.userid
        self._producer = Producer(channel, exchange=self.topology.exchange, auto_declare=False)
        self._tag = 0
        self._acked.clear()
        self._nacked.clear()

    def close(self) -> None:
        conn, self._conn, self._producer, self._channel = self._conn, None, None, None
        if conn is not None:
            try:
                conn.release()
            except Exception:
                pass

    def heartbeat_check(self) -> None:
        if self._conn is not None and not self._memory:
            try:
                self._conn.heartbeat_check()
            except Exception:
                log.warning("publisher connection lost at heartbeat; reconnecting on next publish")
                self.close()

    # -- confirms ---------------------------------------------------------------------------
    def _expand(self, tag: int, multiple: bool) -> set[int]:
        return set(range(1, tag + 1)) if multiple else {tag}

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._acked |= self._expand(delivery_tag, multiple) - self._nacked

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._nacked |= self._expand(delivery_tag, multiple) - self._acked

    def _on_return(self, exc: Any, exchange: Any, routing_key: Any, message: Any) -> None:
        message_id = (getattr(message, "properties", None) or {}).get("message_id")
        if message_id:
            self._returned[message_id] = f"unroutable: {routing_key} ({exc})"

    # -- publishing -------------------------------------------------------------------------
    def publish_batch(self, envelopes: list[dict[str, Any]], bodies: list[bytes]) -> BatchResult:
        """Publish message bodies, described by envelopes (dicts with id, type, correlation_id,
        producer and the trace context they were emitted in); wait for all confirms."""
        result = BatchResult()
        if not envelopes:
            return result
        try:
            self._ensure()
            assert self._producer is not None
            self._returned.clear()
            tags: dict[int, str] = {}
            service = self.topology.service
            for env, body in zip(envelopes, bodies, strict=True):
                with tracing.span(service, f"publish {env['type']}", kind=tracing.SpanKind.PRODUCER,
                                  parent=tracing.context_from(env.get("trace")),
                                  attributes={"messaging.system": "rabbitmq", "messaging.message.id": env["id"],
                                              "messaging.destination.name": self.topology.exchange_name}):
                    self._producer.publish(
                        body,
                        content_type="application/json",
                        content_encoding="utf-8",
                        routing_key=env["type"],
                        mandatory=True,
                        delivery_mode=2,
                        message_id=env["id"],
                        correlation_id=env.get("correlation_id"),
                        type=env["type"],
                        **({"user_id": self._user} if self._user else {}),
                        headers={"x-chora-producer": env.get("producer", ""), **tracing.carrier()},
                        retry=False,
                    )
                if not self._memory:
                    self._tag += 1
                    tags[self._tag] = env["id"]
            if self._memory:
                result.confirmed = [e["id"] for e in envelopes]
                return result
            self._wait(set(tags))
            for tag, event_id in tags.items():
                if event_id in self._returned:
                    result.unroutable[event_id] = self._returned[event_id]
                elif tag in self._acked:
                    result.confirmed.append(event_id)
                elif tag in self._nacked:
                    result.failed[event_id] = "nacked by broker"
                else:
                    result.failed[event_id] = "confirm timeout"
            self._acked -= set(tags)
            self._nacked -= set(tags)
            if any(reason == "confirm timeout" for reason in result.failed.values()):
                self.close()  # a connection that stopped confirming is not to be trusted
        except Exception as exc:  # connection trouble: nothing in this batch counts as sent
            log.warning("publish failed; reconnecting: %r", exc, exc_info=True)
            self.close()
            done = set(result.confirmed) | set(result.unroutable)
            result.failed.update({e["id"]: repr(exc) for e in envelopes if e["id"] not in done})
        return result

    def _wait(self, tags: set[int]) -> None:
        assert self._conn is not None
        deadline = time.monotonic() + self.confirm_timeout
        while not tags <= (self._acked | self._nacked):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                self._conn.drain_events(timeout=min(remaining, 1.0))
            except TimeoutError:
                continue
