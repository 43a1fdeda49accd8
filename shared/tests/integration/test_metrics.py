"""Metrics that are true: a two-worker gunicorn API (multiprocess mode) and a consumer process,
both run for real as processes, scraped over HTTP, their counts checked against the work done."""

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from chora_testing.servers import free_port, wait_for_port
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.integration

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))


def scrape(url: str) -> dict[tuple[str, tuple], float]:
    text = requests.get(url, timeout=5).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples, name, **labels) -> float:
    return sum(v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= set(ls))


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


@pytest.fixture
def metered(settings_for, tmp_path):
    settings = settings_for("metered")
    api_port, metrics_port = free_port(), free_port()
    env = {**os.environ, "PYTHONPATH": HERE, "CHORA_MONGO_URL": settings.mongo_url,
           "CHORA_METERED_MONGO_DB": settings.mongo_db, "CHORA_AMQP_URL": settings.amqp_url,
           "CHORA_AMQP_PREFIX": settings.amqp_prefix, "CHORA_RETRY_DELAYS": "1,2", "CHORA_SECRET_KEY": "test-secret",
           "CHORA_RELAY_POLL_INTERVAL": "0.5", "CHORA_LOG_LEVEL": "WARNING", "CHORA_WEB_WORKERS": "2",
           "CHORA_HTTP_PORT": str(api_port), "CHORA_METRICS_PORT": str(metrics_port),
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    log = open(tmp_path / "processes.log", "wb")
    api = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "python:shared.gunicorn_conf",
                            "metered_service:create_app()"], env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    consumer_env = {k: v for k, v in env.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    consumer = subprocess.Popen([sys.executable, os.path.join(HERE, "metered_service.py")], env=consumer_env, cwd=REPO,
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(api_port, timeout=60)
        wait_for_port(metrics_port, timeout=60)
        yield f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{metrics_port}/metrics"
    finally:
        for proc in (api, consumer):
            proc.terminate()
        for proc in (api, consumer):
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


def test_a_two_worker_api_and_a_consumer_report_the_work_done(metered):
    api, consumer_metrics = metered

    def post(key):
        with requests.Session() as fresh:  # a connection of its own: the workers share the load
            answer = fresh.post(f"{api}/items", json={"key": key}, timeout=10)
        assert answer.status_code == 201, answer.text
        return answer.headers["X-Worker"]

    # Rounds of ten at once until both workers have served some (the first may take all while the
    # second still starts); two of the first round fail in the consumer.
    keys = [f"item-{i}" for i in range(8)] + ["bad", "bad"]
    workers: set[str] = set()
    with ThreadPoolExecutor(10) as pool:
        workers |= set(pool.map(post, keys))
        while len(workers) < 2 or len(keys) < 20:
            assert len(keys) < 200, "the second worker never answered"
            more = [f"item-{len(keys) + i}" for i in range(10)]
            workers |= set(pool.map(post, more))
            keys += more
    posted, good = len(keys), len(keys) - 2

    # One scrape of the API sums both workers, whichever of them answers it.
    for _ in range(4):
        samples = scrape(f"{api}/metrics")
        assert value(samples, "chora_http_requests_total", service="metered", method="POST", status="201") == posted

    def consumed():
        s = scrape(consumer_metrics)
        return (value(s, "chora_events_consumed_total", service="metered", outcome="ok") == good
                and value(s, "chora_events_consumed_total", service="metered", outcome="dead_lettered") == 2)

    assert wait_for(consumed)
    s = scrape(consumer_metrics)
    assert value(s, "chora_events_consumed_total", service="metered", outcome="retried") == 4  # 2 delays each
    assert value(s, "chora_dead_letters_total", service="metered", kind="handler") == 2
    assert value(s, "chora_event_handler_seconds_count", service="metered", type="test.metered") == good + 2 * 3
    published = (value(scrape(f"{api}/metrics"), "chora_events_published_total", service="metered")
                 + value(s, "chora_events_published_total", service="metered"))
    assert published == posted
    assert value(s, "chora_outbox_pending", service="metered") == 0
    assert value(s, "chora_outbox_parked", service="metered") == 0
    # The broker's own count of the dead-letter queue (read every few seconds).
    dead_queue = [ls for (n, ls) in s if n == "chora_queue_messages" and dict(ls)["queue"].endswith(".metered.dead")]
    assert dead_queue, "the consumer reports its queues' depths"
    assert wait_for(lambda: value(scrape(consumer_metrics), "chora_queue_messages", queue=dict(dead_queue[0])["queue"])
                    == 2, timeout=20)
    for url in (f"{api}/metrics", consumer_metrics):  # shown with -s: what an operator scrapes
        print(f"\n# {url}")
        print("\n".join(line for line in requests.get(url, timeout=5).text.splitlines()
                        if line.startswith("chora_") and not line.startswith(("chora_http_request_seconds_bucket",
                                                                               "chora_event_handler_seconds_bucket",
                                                                               "chora_relay_lag_seconds_bucket"))))
