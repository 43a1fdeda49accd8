"""Scoring benchmarks: re-scoring every library on a model publication, and the latency from an
evidence event on the wire to the score.changed it causes. Wired into `make bench` by the lead."""

from __future__ import annotations

import time
import uuid
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from chora_testing.wire import WireObserver, delete_prefixed, run_queues

from scoring import consumer, migrate, store
from scoring.bootstrap import bootstrap
from scoring.config import Settings
from scoring.domain import MODEL_V1, Projection, new_library
from scoring.domain.commands import CreateModelDraft, PublishModel, UpdateModelDraft
from scoring.domain.items import normalise_item_data
from scoring.domain.library import rescored_from_items, with_evidence
from shared.runtime import Runtime


def _settings(secantus_url: str, amqp_url: str, prefix: str) -> Settings:
    return Settings.from_env({"CHORA_SECRET_KEY": "bench-secret", "CHORA_MONGO_URL": secantus_url, "CHORA_AMQP_URL": amqp_url,
                                         "CHORA_DB_PREFIX": prefix, "CHORA_AMQP_PREFIX": prefix,
                                         "CHORA_RETRY_DELAYS": "1", "CHORA_RELAY_POLL_INTERVAL": "0.2",
                                         "CHORA_LOG_LEVEL": "WARNING"})


def _entries(library_no: int, per_library: int) -> dict:
    today = date.today()
    kinds = (("communication", "formidling"), ("activity", "faellesskaber"), ("operations_measure", "drift"),
             ("staff_training", "drift"), ("activity", "formidling"))
    entries = {}
    for i in range(per_library):
        kind, dim = kinds[i % len(kinds)]
        status = ("approved", "submitted", "rejected", "approved")[i % 4]
        data = normalise_item_data({
            "kind": kind, "dimension": dim, "sdgs": [1 + (i + library_no) % 17], "partners": [f"Partner {i % 7}"],
            "age_groups": [("children", "youth", "adults", "seniors")[i % 4]], "co_created": i % 3 == 0,
            "date": (today - timedelta(days=(i * 7) % 500)).isoformat(), "participants": i % 40,
            "before": 10.0 if kind == "operations_measure" else None,
            "after": 8.0 if kind == "operations_measure" else None,
            "staff_share": 80.0 + i % 20 if kind == "staff_training" else None, "title": f"Item {i}",
        })
        at = "2024-05-01T10:00:00+00:00"
        entries[f"i{i:04d}"] = {"revision": 1, "status": status, "decided_at": at if status != "submitted" else None,
                                "data_revision": 1, "data": data, "approved_at": at if status == "approved" else None}
    return entries


def rescoring_rate(secantus_url: str, amqp_url: str, libraries: int = 1000, items: int = 100,
                   change: str = "target") -> float:
    """Libraries a second re-scored when a new model version is published (seeding not timed).

    change="target": the new version raises a target (scored from the counts kept with each
    score); change="filter": it changes what counts (every library's evidence is counted again)."""
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    settings = _settings(secantus_url, amqp_url, prefix)
    migrate.run(settings)
    service = bootstrap(settings)
    db = service.runtime.open_store().db
    try:
        now = datetime.now(UTC)
        lib_docs, ev_docs = [], []
        for n in range(libraries):
            lid = f"lib{n:05d}"
            lib = replace(new_library(lid, now), name=f"Bibliotek {n}", municipality=f"Kommune {n % 98}",
                          kind="folkebibliotek", staff_count=5 + n % 40, status="active", reg_version=1,
                          registered=True, cohort_id="open")
            proj = Projection.from_dict({"library_id": lid, "entries": _entries(n, items)})
            scored, _ = rescored_from_items(lib, MODEL_V1, proj.items(), now)
            lib_docs.append(store.library_doc(with_evidence(scored, proj)))
            ev_docs.extend(store.projection_docs(proj))  # as the Evidence repository writes them
        for i in range(0, libraries, 500):
            db[store.LIBRARIES].insert_many(lib_docs[i:i + 500])
        for i in range(0, len(ev_docs), 5000):
            db[store.EVIDENCE_ITEMS].insert_many(ev_docs[i:i + 5000])
        del lib_docs, ev_docs

        started = time.perf_counter()
        draft, _ = service.bus.handle(CreateModelDraft("bench"))
        if change == "target":
            reqs = [{**r.to_dict(), "target": 5} if r.id == "F1" else r.to_dict() for r in MODEL_V1.requirements]
        else:
            reqs = [{**r.to_dict(), "filters": {**r.filters, "co_created": True}} if r.id == "F1" else r.to_dict()
                    for r in MODEL_V1.requirements]
        service.bus.handle(UpdateModelDraft(draft.version, tuple(reqs), "bench"))
        result = service.bus.handle(PublishModel(draft.version, "bench"))
        elapsed = time.perf_counter() - started
        assert result["rescored"] == libraries, result
        assert db[store.LIBRARIES].count_documents({"score.model_version": draft.version}) == libraries
        return libraries / elapsed
    finally:
        service.runtime.open_store().client.drop_database(settings.mongo_db)
        service.stop()


@contextmanager
def _scoring_behind_the_bus(secantus_url: str, amqp_url: str):
    """The scoring consumer on a run's own exchange, an upstream outbox (as the evidence service's)
    with its relay, and a wire observer; yields (upstream store, wire); cleans up after."""
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    settings = _settings(secantus_url, amqp_url, prefix)
    upstream_settings = settings.with_changes(service="evidence", mongo_db=f"{prefix}_evidence")
    wire = WireObserver(amqp_url, f"{prefix}.events", ["score.changed"]).start()
    migrate.run(settings)
    scoring = bootstrap(settings)
    consumer.start(scoring)
    upstream = Runtime(upstream_settings)
    upstream_store = upstream.open_store()
    upstream.start_relay()
    # library.registered comes from registration: only its producer may emit it.
    registration = Runtime(settings.with_changes(service="registration", mongo_db=f"{prefix}_registration"))
    upstream_store.registration = registration.open_store()  # type: ignore[attr-defined]
    registration.start_relay()
    try:
        assert scoring.runtime.consumer is not None and scoring.runtime.consumer.ready.wait(10), \
            "scoring consumer did not connect"
        yield upstream_store, wire
    finally:
        registration.stop()
        upstream.stop()
        scoring.stop()
        wire.stop()
        for db in (settings.mongo_db, upstream_settings.mongo_db, f"{prefix}_registration"):
            try:
                upstream_store.client.drop_database(db)
            except Exception:
                pass
        delete_prefixed(amqp_url, prefix, run_queues(prefix))


def _of(lid: str):
    return lambda e: e["payload"].get("library_id") == lid


def _register(upstream_store, wire, lids: list[str]) -> None:
    """Register the libraries and wait for each one's first (zero) score."""
    for lid in lids:
        upstream_store.registration.transact(lambda tx, lid=lid: tx.emit("library.registered", {
            "library_id": lid, "version": 1, "name": f"Bibliotek {lid}", "municipality": "Roskilde",
            "kind": "folkebibliotek", "isil": "DK-123456", "staff_count": 20, "status": "active",
            "open_branch_count": 1, "registered_at": datetime.now(UTC).isoformat(), "coordinator": None,
            "confirmation_token": None, "token_expires_at": None}))
    for lid in lids:
        wire.wait_for("score.changed", _of(lid), timeout=30)


_ACTOR = {"person_id": "p1", "name": "Karen", "role": "coordinator"}


def _submitted(lid: str, k: int, sdgs: list[int]) -> dict:
    """An evidence.submitted payload for the k-th activity of a library, with a partner of its own."""
    item = {"item_id": f"item{k}", "library_id": lid, "revision": 1, "status": "submitted",
            "kind": "activity", "title": f"Aktivitet {k}", "dimension": "faellesskaber", "sdgs": sdgs,
            "partners": [f"Partner {k}"], "date": date.today().isoformat()}
    header = {f: item[f] for f in ("item_id", "library_id", "revision", "status", "kind", "title")}
    return {**header, "item": item, "actor": _ACTOR}


def score_latency(secantus_url: str, amqp_url: str, n: int = 100) -> list[float]:
    """Seconds from evidence.submitted committed to an outbox (and relayed) to score.changed on the wire."""
    latencies: list[float] = []
    with _scoring_behind_the_bus(secantus_url, amqp_url) as (upstream_store, wire):
        lid = "lib-latency"
        _register(upstream_store, wire, [lid])
        for i in range(n):
            payload = _submitted(lid, i, [11])
            started = time.perf_counter()
            upstream_store.transact(lambda tx, payload=payload: tx.emit("evidence.submitted", payload))
            wire.wait_for("score.changed", _of(lid), count=i + 2, timeout=30)
            latencies.append(time.perf_counter() - started)
    return latencies


def score_latency_under_load(secantus_url: str, amqp_url: str, rate: float = 50, seconds: float = 10,
                             libraries: int = 5) -> list[float]:
    """Seconds from evidence.submitted committed to score.changed on the wire, while submissions
    arrive at a steady `rate` a second across several libraries for `seconds`."""
    lids = [f"lib-load-{k}" for k in range(libraries)]
    started_at: dict[tuple[str, str], float] = {}
    with _scoring_behind_the_bus(secantus_url, amqp_url) as (upstream_store, wire):
        _register(upstream_store, wire, lids)
        plan = [(lids[i % libraries], i // libraries) for i in range(int(rate * seconds))]
        t0 = time.perf_counter()
        for i, (lid, k) in enumerate(plan):
            pause = t0 + i / rate - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            payload = _submitted(lid, k, [1 + k % 17])
            started_at[(lid, f"item{k}")] = time.perf_counter()
            upstream_store.transact(lambda tx, payload=payload: tx.emit("evidence.submitted", payload))

        # A score.changed may cover several submissions (a consumer takes a backlog together): a
        # submission's latency is to the first score.changed of its library that counts its
        # partner (every submission brings a new one, so distinct partners reach k + 1).
        def partners(msg: dict) -> float:
            return next(r["achieved"] for r in msg["payload"]["requirements"] if r["id"] == "C2")

        latencies: list[float] = []
        for lid in lids:
            last = max(k for (owner, k) in plan if owner == lid)
            wire.wait_for("score.changed", lambda e, lid=lid, last=last: _of(lid)(e) and partners(e) >= last + 1,
                          timeout=60)
            changes = [m for m in wire.of_type("score.changed") if _of(lid)(m)]
            for owner, k in plan:
                if owner == lid:
                    first = next(m for m in changes if partners(m) >= k + 1)
                    latencies.append(first["_received_at"] - started_at[(lid, f"item{k}")])
    return latencies


if __name__ == "__main__":
    import os
    import statistics
    import tempfile

    from chora_testing.servers import Secantus

    amqp = os.environ.get("CHORA_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
    server = Secantus(tempfile.mkdtemp(prefix="bench-scoring-")).start()

    def pct(values: list[float], q: float) -> float:
        values = sorted(values)
        return values[max(0, int(len(values) * q) - 1)] * 1000

    try:
        from tests.bench.backbone import raw_store_write_rate

        raw = raw_store_write_rate(_settings(server.url, amqp, "benchraw"))
        print(f"raw SecantusDB single-document write: {raw:,.0f} writes/s")
        rate = rescoring_rate(server.url, amqp)
        print(f"re-scoring: {rate:,.0f} libraries/s ({rate / raw:.2f}x the raw write rate)")
        lat = score_latency(server.url, amqp)
        print(f"score latency p50 {statistics.median(lat) * 1000:.0f} ms, p95 {pct(lat, 0.95):.0f} ms")
        loaded = score_latency_under_load(server.url, amqp)
        print(f"score latency at 50 submissions/s ({len(loaded)} submissions): "
              f"p50 {statistics.median(loaded) * 1000:.0f} ms, p95 {pct(loaded, 0.95):.0f} ms, "
              f"max {max(loaded) * 1000:.0f} ms")
    finally:
        server.stop()
