"""Run every benchmark against real servers and print the figures with their ratios.

CHORA_BENCH_MIXED_SECONDS sets the length of the mixed run after which every outbox must be empty
at rest (default 60; the issue's figure is for 600). CHORA_BENCH_ONLY=mixed runs only that."""

from __future__ import annotations

import os
import sys
import tempfile

from chora_testing.servers import Secantus

from shared.config import ServiceSettings
from tests.bench import load


def main() -> int:
    amqp_url = os.environ.get("CHORA_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
    data = tempfile.mkdtemp(prefix="bench-secantus-")
    db = Secantus(data).start()
    results: list[tuple[str, str]] = []
    try:
        settings = ServiceSettings.from_env({"CHORA_SECRET_KEY": "bench-secret", "CHORA_MONGO_URL": db.url,
                                             "CHORA_AMQP_URL": amqp_url, "CHORA_DB_PREFIX": "bench"}, service="bench")
        from tests.bench import backbone, flows

        mixed = float(os.environ.get("CHORA_BENCH_MIXED_SECONDS", "60"))
        if os.environ.get("CHORA_BENCH_ONLY") == "mixed":
            results += flows.run_all(db, amqp_url, raw_publish=0, raw_store=0, mixed_seconds=mixed, only_mixed=True)
            return _print(results)
        raw = backbone.raw_confirmed_publish_rate(amqp_url)
        relay = backbone.relay_publish_rate(settings)
        archived = backbone.relay_publish_rate(settings, unconsumed_every=3)
        live, commits, lag = backbone.relay_live_rate(settings)
        store_rate = backbone.raw_store_write_rate(settings)
        results += [
            ("raw kombu publish, one confirm per message", f"{raw:,.0f} msg/s"),
            ("outbox relay, live path (commit to broker, published from memory)",
             f"{live:,.0f} events/s  ratio {live / raw:.2f}x raw  (bounded by the commits: {commits:,.0f}/s; "
             f"last event on the broker {lag * 1000:.0f} ms after the last commit)"),
            ("outbox relay, backlog sweep (read, publish, mark sent), every event routed",
             f"{relay:,.0f} events/s  ratio {relay / raw:.2f}x raw"),
            ("outbox relay, backlog sweep, a third of the events of a type nobody consumes (archived)",
             f"{archived:,.0f} events/s  ratio {archived / raw:.2f}x raw, {archived / relay:.2f}x all routed"),
            ("raw SecantusDB single-document write", f"{store_rate:,.0f} writes/s"),
        ]
        for type_, (build, receive) in backbone.validation_cost().items():
            results.append((f"event validation by marshmallow, {type_}",
                            f"{build:.0f} us to build (publish), {receive:.0f} us to decode (receipt)"))
        results += flows.run_all(db, amqp_url, raw_publish=raw, raw_store=store_rate, mixed_seconds=mixed)
    finally:
        db.stop()
    # The whole platform under locust (its own make run, one then two replicas of each service).
    results += load.run_all(amqp_url)
    return _print(results)


def _print(results: list[tuple[str, str]]) -> int:
    width = max(len(name) for name, _ in results)
    print("\nmake bench — figures from one run on this machine")
    for name, value in results:
        print(f"  {name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
