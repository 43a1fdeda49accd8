"""Observe the events on the wire with pika, independently of our own kombu code."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable

import pika


class WireObserver:
    """Binds an exclusive queue to the run's exchange with '#' and records every message."""

    def __init__(self, amqp_url: str, exchange: str):
        self.params = pika.URLParameters(amqp_url)
        self.exchange = exchange
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
        conn = pika.BlockingConnection(self.params)
        ch = conn.channel()
        ch.exchange_declare(self.exchange, exchange_type="topic", durable=True)
        queue = ch.queue_declare("", exclusive=True, auto_delete=True).method.queue
        ch.queue_bind(queue, self.exchange, routing_key="#")
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
        data["_routing_key"] = method.routing_key
        data["_delivery_mode"] = props.delivery_mode
        data["_received_at"] = time.perf_counter()
        with self._cond:
            self.messages.append(data)
            self._cond.notify_all()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def of_type(self, type_: str) -> list[dict]:
        with self._cond:
            return [m for m in self.messages if m.get("type") == type_]

    def wait_for(self, type_: str, predicate=lambda e: True, count: int = 1, timeout: float = 20.0) -> list[dict]:
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


# The services that consume (and so own queues), and every retry delay a run may have used (the
# tests' own and the default ones a whole platform started by a test uses).
CONSUMING_SERVICES = ("registration", "evidence", "scoring", "notification", "gateway")
ALL_DELAYS = (1, 2, 10, 60)


def run_queues(prefix: str, services: Iterable[str] = ()) -> list[str]:
    """Every queue a run with this prefix may have declared (deleting one that is not there is harmless)."""
    names = []
    for service in sorted(set(services) | set(CONSUMING_SERVICES)):
        base = f"{prefix}.{service}"
        names += [base, f"{base}.dead", *(f"{base}.retry.{d}s" for d in ALL_DELAYS)]
    return names


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
