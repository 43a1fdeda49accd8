"""Run every benchmark against real servers and print the figures with their ratios."""

from __future__ import annotations

import os
import sys
import tempfile

from shared.config import Settings
from shared.testing.servers import Secantus
from tests.bench import load


def main() -> int:
    amqp_url = os.environ.get("CHORA_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
    data = tempfile.mkdtemp(prefix="bench-secantus-")
    db = Secantus(data).start()
    results: list[tuple[str, str]] = []
    try:
        settings = Settings.from_env("bench", {"CHORA_MONGO_URL": db.url, "CHORA_AMQP_URL": amqp_url,
                                               "CHORA_DB_PREFIX": "bench"})
        from tests.bench import backbone

        raw = backbone.raw_confirmed_publish_rate(amqp_url)
        relay = backbone.relay_publish_rate(settings)
        live, commits, lag = backbone.relay_live_rate(settings)
        store_rate = backbone.raw_store_write_rate(settings)
        results += [
            ("raw kombu publish, one confirm per message", f"{raw:,.0f} msg/s"),
            ("outbox relay, live path (commit to broker, published from memory)",
             f"{live:,.0f} events/s  ratio {live / raw:.2f}x raw  (bounded by the commits: {commits:,.0f}/s; "
             f"last event on the broker {lag * 1000:.0f} ms after the last commit)"),
            ("outbox relay, backlog sweep (read, publish, mark sent)", f"{relay:,.0f} events/s  ratio {relay / raw:.2f}x raw"),
            ("raw SecantusDB single-document write", f"{store_rate:,.0f} writes/s"),
        ]
        try:
            from tests.bench import flows
        except ImportError:
            flows = None
        if flows is not None:
            results += flows.run_all(db, amqp_url, raw_publish=raw, raw_store=store_rate)
    finally:
        db.stop()
    # The whole platform under locust (its own make run, one then two replicas of each service).
    results += load.run_all(amqp_url)
    width = max(len(name) for name, _ in results)
    print("\nmake bench — figures from one run on this machine")
    for name, value in results:
        print(f"  {name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
