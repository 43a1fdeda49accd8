"""Benchmarks through the running platform: each service as its own gunicorn and consumer
processes (the `make run` process mode), on the run's SecantusDB and the real RabbitMQ."""

from __future__ import annotations

import importlib.util
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
from chora_testing.servers import SmtpSink, free_port, wait_for_port
from chora_testing.wire import delete_prefixed, run_queues

ROOT = Path(__file__).resolve().parents[2]


def _load_platform_module():
    spec = importlib.util.spec_from_file_location("embedded", ROOT / "deploy" / "embedded.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def process_tree_rss(root_pid: int) -> list[tuple[int, float]]:
    """(pid, MB) of a process and its children (gunicorn arbiter and workers)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(root_pid)], capture_output=True, text=True).stdout
    pids = [root_pid] + [int(p) for p in out.split()]
    return [(pid, rss_mb(pid)) for pid in pids if os.path.exists(f"/proc/{pid}")]


def load(url: str, *, seconds: float, concurrency: int, cookies=None, headers=None) -> tuple[float, float]:
    """Requests a second and p95 latency of GETs on one URL from `concurrency` threads."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        session = requests.Session()
        if cookies:
            session.cookies.update(cookies)
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            response = session.get(url, headers=headers, timeout=10)
            took = time.perf_counter() - started
            with lock:
                if response.status_code == 200:
                    latencies.append(took)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors[0] and not latencies:
        raise RuntimeError(f"every request to {url} failed")
    return len(latencies) / elapsed, percentile(latencies, 0.95)


def bare_flask_rate(seconds: float, concurrency: int) -> tuple[float, float]:
    """A bare Flask 'ok' on gunicorn with the same worker settings as the gateway."""
    app_dir = tempfile.mkdtemp(prefix="bench-bare-")
    Path(app_dir, "bare_app.py").write_text(
        "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/')\ndef ok():\n    return 'ok'\n"
    )
    port = free_port()
    env = {**os.environ, "CHORA_HTTP_PORT": str(port), "CHORA_WEB_WORKERS": "1", "PYTHONPATH": app_dir}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "python:shared.gunicorn_conf", "bare_app:app"],
                            env=env, cwd=app_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        load(f"http://127.0.0.1:{port}/", seconds=1, concurrency=concurrency)  # warm up
        return load(f"http://127.0.0.1:{port}/", seconds=seconds, concurrency=concurrency)
    finally:
        proc.terminate()
        proc.wait(10)


def register(base: str, box, n: int = 1) -> list[tuple[float, str, str]]:
    """Register libraries one at a time; (seconds from request to mail received, email, token)."""
    results = []
    for _ in range(n):
        email = f"bench{uuid.uuid4().hex[:10]}@bibliotek.dk"
        started = time.perf_counter()
        answer = requests.post(f"{base}/api/v1/registrations", json={
            "library": {"name": "Benchby Bibliotek", "isil": f"DK-{random.randint(100000, 999999)}",
                        "municipality": "Aarhus", "kind": "folkebibliotek", "staff_count": 20},
            "coordinator": {"name": "Bent Bench", "email": email, "password": "et-godt-kodeord-123"},
        }, timeout=30)
        if answer.status_code != 201:
            raise RuntimeError(f"registration failed: {answer.status_code} {answer.text[:300]}")
        mail = box.wait_for(lambda m, e=email: e in str(m["To"]), timeout=30)[0]
        took = time.perf_counter() - started
        text = mail.get_body(preferencelist=("plain",)).get_content()
        token = text.split("token=", 1)[1].split()[0].strip(".,)>\"'")
        results.append((took, email, token))
    return results


def outbox_sizes(mongo_url: str, prefix: str) -> dict[str, int]:
    """Events pending or parked in each service's outbox."""
    from pymongo import MongoClient

    client = MongoClient(mongo_url)
    try:
        sizes = {}
        for service in ("registration", "evidence", "scoring", "notification"):
            db = client[f"{prefix}_{service}"]
            sizes[service] = sum(len(d["events"]) for c in ("outbox", "outbox_parked") for d in db[c].find({}, {"events.id": 1}))
        return sizes
    finally:
        client.close()


def mixed_run(base: str, box, seconds: float, mongo_url: str, prefix: str) -> tuple[int, int, dict[str, int], float]:
    """A mixed load through the gateway for `seconds`: libraries register and confirm (registration,
    person and score events, mails), and each logs and submits evidence (evidence, score and mail
    events; score.changed has no consumer, so it is archived). Then at rest: (libraries, items,
    events left in each outbox, seconds the outboxes took to empty)."""
    stop_at = time.monotonic() + seconds
    libraries = items = 0
    while time.monotonic() < stop_at:
        _, email, token = register(base, box, 1)[0]
        requests.post(f"{base}/api/v1/email-confirmations", json={"token": token}, timeout=30).raise_for_status()
        auth = {"Authorization": "Bearer " + requests.post(f"{base}/api/v1/auth/token", timeout=30, json={
            "email": email, "password": "et-godt-kodeord-123"}).json()["access_token"]}
        library_id = requests.get(f"{base}/api/v1/me", headers=auth, timeout=30).json()["library_id"]
        libraries += 1
        for k in range(3):
            created = requests.post(f"{base}/api/v1/libraries/{library_id}/evidence", headers=auth, timeout=30, json={
                "kind": "communication", "title": f"Udstilling {k}", "dimension": "formidling", "sdgs": [4, 13],
                "date": time.strftime("%Y-%m-%d"), "description": "Bench"})
            created.raise_for_status()
            requests.post(f"{base}/api/v1/evidence/{created.json()['id']}/submit", json={}, headers=auth,
                          timeout=30).raise_for_status()
            items += 1
    rested = time.monotonic()
    deadline = rested + 120
    sizes = outbox_sizes(mongo_url, prefix)
    while any(sizes.values()) and time.monotonic() < deadline:
        time.sleep(0.5)
        sizes = outbox_sizes(mongo_url, prefix)
    return libraries, items, sizes, time.monotonic() - rested


def run_all(db, amqp_url: str, *, raw_publish: float, raw_store: float,
            mixed_seconds: float = 60.0, only_mixed: bool = False) -> list[tuple[str, str]]:
    embedded = _load_platform_module()
    sink = SmtpSink().start()
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    gateway_port = free_port()
    env = {
        "CHORA_MONGO_URL": db.url, "CHORA_AMQP_URL": amqp_url, "CHORA_AMQP_PREFIX": prefix,
        "CHORA_DB_PREFIX": prefix, "CHORA_SMTP_HOST": "127.0.0.1", "CHORA_SMTP_PORT": str(sink.port),
        "CHORA_GATEWAY_PORT": str(gateway_port), "CHORA_SEED_DEMO": "0", "CHORA_LOG_LEVEL": "WARNING",
        "CHORA_MAIL_RATE": "1000",
    }
    os.environ["CHORA_RUN_DIR"] = tempfile.mkdtemp(prefix="bench-run-")
    embedded.RUN_DIR = Path(os.environ["CHORA_RUN_DIR"])
    platform = embedded.Platform(env)
    results: list[tuple[str, str]] = []
    try:
        platform.start_infrastructure()
        platform.start_processes()
        base = f"http://127.0.0.1:{gateway_port}"
        wait_for_port(gateway_port, timeout=60)
        for service in embedded.BACKEND_SERVICES:
            wait_for_port(int(platform.env[f"CHORA_{service.upper()}_PORT"]), timeout=60)

        def mixed() -> None:
            libraries, items, sizes, drained = mixed_run(base, sink.box, mixed_seconds, db.url, prefix)
            results.append((f"outbox after a {mixed_seconds / 60:.1f}-minute mixed run, at rest (events, all services)",
                            f"{sum(sizes.values())}  ({libraries} libraries registered and confirmed, {items} items "
                            f"submitted; empty {drained:.1f} s after the load stopped; {sizes})"))

        if only_mixed:
            mixed()
            return results

        # Resident memory of every service process at rest.
        time.sleep(3)
        sizes = []
        for child in platform.children:
            for pid, mb in process_tree_rss(child.pid):
                sizes.append((" ".join(child.args[-2:] if "gunicorn" in " ".join(child.args) else child.args[-1:]), pid, mb))
        worst = max(sizes, key=lambda s: s[2])
        results.append(("largest service process at rest (RSS)", f"{worst[2]:.0f} MB  ({worst[0]}; {len(sizes)} processes, target < 150 MB)"))

        # Walking skeleton: gateway request to mail received.
        register(base, sink.box, 3)  # warm up
        skeleton = [took for took, _, _ in register(base, sink.box, 40)]
        results.append(("walking skeleton: registration to mail received",
                        f"p50 {statistics.median(skeleton) * 1000:.0f} ms  p95 {percentile(skeleton, 0.95) * 1000:.0f} ms"))

        # Authenticated dashboard through the gateway next to a bare Flask "ok".
        _, email, token = register(base, sink.box, 1)[0]
        requests.post(f"{base}/api/v1/email-confirmations", json={"token": token}, timeout=10).raise_for_status()
        bearer = requests.post(f"{base}/api/v1/auth/token", json={"email": email, "password": "et-godt-kodeord-123"},
                               timeout=10).json()["access_token"]
        me = requests.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {bearer}"}, timeout=10).json()
        session = requests.Session()
        login = session.get(f"{base}/log-ind", timeout=10)
        csrf = login.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        landed = session.post(f"{base}/log-ind", timeout=10,
                              data={"email": email, "password": "et-godt-kodeord-123", "csrf_token": csrf})
        dashboard = landed.url  # a coordinator lands on the library dashboard
        if landed.status_code != 200 or dashboard.rstrip("/").endswith("log-ind"):
            raise RuntimeError(f"login did not reach the dashboard: {landed.status_code} {dashboard}")
        load(dashboard, seconds=1, concurrency=4, cookies=session.cookies)  # warm up
        dash_rps, dash_p95 = load(dashboard, seconds=8, concurrency=4, cookies=session.cookies)
        bare_rps, bare_p95 = bare_flask_rate(8, 4)
        results.append(("bare Flask 'ok' on gunicorn (1 worker, 8 threads)", f"{bare_rps:,.0f} req/s  p95 {bare_p95 * 1000:.0f} ms"))
        results.append(("authenticated dashboard through the gateway", f"{dash_rps:,.0f} req/s  p95 {dash_p95 * 1000:.0f} ms  ratio {dash_rps / bare_rps:.2f}x bare (library {me.get('library_id')})"))
        if mixed_seconds:
            mixed()
    except Exception as exc:  # report what was measured and why the rest was not
        results.append(("(platform flows stopped)", repr(exc)[:300]))
    finally:
        platform.stop()
        sink.stop()
        delete_prefixed(amqp_url, prefix, run_queues(prefix))

    try:
        from tests.bench import flows_scoring
    except ImportError:
        return results
    try:
        latencies = flows_scoring.score_latency(db.url, amqp_url, n=100)
        results.append(("evidence.submitted -> score.changed, idle", f"p50 {statistics.median(latencies) * 1000:.0f} ms  p95 {percentile(latencies, 0.95) * 1000:.0f} ms"))
        if hasattr(flows_scoring, "score_latency_under_load"):
            loaded = flows_scoring.score_latency_under_load(db.url, amqp_url, rate=50, seconds=10)
            results.append(("evidence.submitted -> score.changed at 50/s", f"p50 {statistics.median(loaded) * 1000:.0f} ms  p95 {percentile(loaded, 0.95) * 1000:.0f} ms"))
        rate = flows_scoring.rescoring_rate(db.url, amqp_url)
        results.append(("re-scoring after a model publish changing a target (1,000 libraries x 100 items)",
                        f"{rate:,.0f} libraries/s  ratio {rate / raw_store:.2f}x raw store writes"))
        recount = flows_scoring.rescoring_rate(db.url, amqp_url, change="filter")
        results.append(("re-scoring after a model publish changing what counts (evidence recounted)",
                        f"{recount:,.0f} libraries/s  ratio {recount / raw_store:.2f}x raw store writes"))
    except Exception as exc:
        results.append(("(scoring flows stopped)", repr(exc)[:300]))
    return results
