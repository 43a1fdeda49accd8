"""Observe the events on the wire with pika, independently of our own kombu code."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from typing import Any

import pika

from shared.events.base import consuming_services
from shared.events.sealing import Sealer, SealError


class NotObserved(AssertionError):
    """A test waited for a type its wire observer is not bound to."""


class WireObserver:
    """Binds an exclusive queue to the run's exchange with the routing keys a test asks for (never
    '#': a catch-all would make every type look routed) and records every message.

    Each record is the message's JSON with `_routing_key`, `_delivery_mode`, `_user_id`, `_headers`
    and `_body` (the bytes as they travelled). With a sealer, the fields sealed for notification
    are opened in the record's payload, so a test can follow a mailed link; `_body` stays sealed.
    """

    def __init__(self, amqp_url: str, exchange: str, routing_keys: Iterable[str] = (), sealer: Sealer | None = None):
        self.params = pika.URLParameters(amqp_url)
        self.exchange = exchange
        self.routing_keys: set[str] = set(routing_keys)
        self.sealer = sealer
        self._conn: pika.BlockingConnection | None = None
        self._channel: Any = None
        self._queue = ""
        self.messages: list[dict] = []
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="wire-observer")

    def start(self) -> WireObserver:
        self._thread.start()
        if not self._ready.wait(10):
            raise TimeoutError("wire observer did not start")
        return self

    def _run(self) -> None:
        conn = self._conn = pika.BlockingConnection(self.params)
        ch = self._channel = conn.channel()
        ch.exchange_declare(self.exchange, exchange_type="topic", durable=True)
        queue = self._queue = ch.queue_declare("", exclusive=True, auto_delete=True).method.queue
        for key in sorted(self.routing_keys):
            ch.queue_bind(queue, self.exchange, routing_key=key)
        ch.basic_consume(queue, self._on_message, auto_ack=True)  # pushed: no polling delay
        self._ready.set()
        try:
            while not self._stop.is_set():
                conn.process_data_events(time_limit=0.1)
        finally:
            try:
                conn.close()
            except Exception:
                pass

    def _on_message(self, _ch, method, props, body) -> None:
        try:
            data = json.loads(body)
        except ValueError:
            data = {"_raw": body}
        if self.sealer is not None and isinstance(data.get("payload"), dict):
            try:
                data["payload"] = self.sealer.open(str(data.get("type")), data["payload"], "notification")
            except SealError:
                pass  # sealed with another key: recorded as it travelled
        data["_routing_key"] = method.routing_key
        data["_delivery_mode"] = props.delivery_mode
        data["_user_id"] = props.user_id
        data["_headers"] = dict(props.headers or {})
        data["_body"] = body
        data["_received_at"] = time.perf_counter()
        with self._cond:
            self.messages.append(data)
            self._cond.notify_all()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def watch(self, *routing_keys: str) -> WireObserver:
        """Bind more routing keys (from now on)."""
        done = threading.Event()

        def bind() -> None:
            for key in routing_keys:
                self._channel.queue_bind(self._queue, self.exchange, routing_key=key)
            done.set()

        assert self._conn is not None
        self._conn.add_callback_threadsafe(bind)
        if not done.wait(10):
            raise TimeoutError("wire observer did not bind")
        self.routing_keys.update(routing_keys)
        return self

    def _observes(self, type_: str) -> None:
        if not any(_matches(key, type_) for key in self.routing_keys):
            raise NotObserved(f"the wire observer is not bound to {type_!r}: mark the test "
                              f"@pytest.mark.wire({type_!r}, ...) or call wire.watch({type_!r}) before the action")

    def of_type(self, type_: str) -> list[dict]:
        self._observes(type_)
        with self._cond:
            return [m for m in self.messages if m.get("type") == type_]

    def wait_for(self, type_: str, predicate=lambda e: True, count: int = 1, timeout: float = 20.0) -> list[dict]:
        self._observes(type_)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m for m in self.messages if m.get("type") == type_ and predicate(m)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = sorted({str(m.get("type")) for m in self.messages})
                    raise TimeoutError(f"expected {count} {type_}, got {len(found)}; seen types {seen}")
                self._cond.wait(remaining)


def _matches(key: str, type_: str) -> bool:
    """Whether a topic binding key matches a routing key ('*' one word, '#' any number)."""
    def walk(k: list[str], t: list[str]) -> bool:
        if not k:
            return not t
        if k[0] == "#":
            return any(walk(k[1:], t[i:]) for i in range(len(t) + 1))
        return bool(t) and (k[0] in ("*", t[0])) and walk(k[1:], t[1:])
    return walk(key.split("."), type_.split("."))


# The services that consume (and so own queues), and every retry delay a run may have used (the
# tests' own and the default ones a whole platform started by a test uses).
CONSUMING_SERVICES = ("registration", "evidence", "scoring", "notification", "gateway")
ALL_DELAYS = (1, 2, 10, 60)


def run_queues(prefix: str, services: Iterable[str] = ()) -> list[str]:
    """Every queue a run with this prefix may have declared (deleting one that is not there is harmless)."""
    names = []
    for service in sorted(set(services) | set(CONSUMING_SERVICES) | set(consuming_services())):
        base = f"{prefix}.{service}"
        names += [base, f"{base}.dead", *(f"{base}.retry.{d}s" for d in ALL_DELAYS)]
    return [*names, f"{prefix}.archive"]


def delete_prefixed(amqp_url: str, prefix: str, queues: list[str]) -> None:
    """Remove a test run's queues and exchange."""
    try:
        conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    except Exception:
        return
    try:
        ch = conn.channel()
        for q in queues:
            try:
                ch.queue_delete(q)
            except Exception:
                ch = conn.channel()
        try:
            ch.exchange_delete(f"{prefix}.events")
        except Exception:
            pass
    finally:
        try:
            conn.close()
        except Exception:
            pass
