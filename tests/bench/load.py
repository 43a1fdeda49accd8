"""A locust load run of the whole platform, for `make bench`: N signed-in staff against a real
`make run` (one, then two replicas of every API and consumer, RabbitMQ mode, loopback), beside
a bare Flask "ok" on gunicorn under the same locust settings; with the resident memory of every
process at rest and under the load."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests
from chora_testing.servers import SmtpSink, free_port, wait_for_port
from chora_testing.wire import delete_prefixed, run_queues

from tests.scale.run_harness import PASSWORD, MakeRun, Proc, Traffic, rss_mb

HERE = Path(__file__).resolve().parent
STAFF = int(os.environ.get("CHORA_BENCH_STAFF_USERS", "10"))
SECONDS = int(os.environ.get("CHORA_BENCH_LOAD_SECONDS", "20"))
BARE_APP = "from flask import Flask\napp = Flask(__name__)\n\n@app.get('/')\ndef ok():\n    return 'ok'\n"


@dataclass
class Row:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float


@dataclass
class LoadRun:
    label: str
    rows: list[Row] = field(default_factory=list)
    memory: list[tuple[str, float, float]] = field(default_factory=list)  # (process, MB at rest, MB under load)

    @property
    def total(self) -> Row:
        return next(r for r in self.rows if r.name == "Aggregated")


def run_locust(host: str, user_class: str, env: dict[str, str] | None = None) -> list[Row]:
    """Headless locust for SECONDS with STAFF users against host; its statistics per request name."""
    out = Path(tempfile.mkdtemp(prefix="bench-locust-"))
    command = [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless", "-u", str(STAFF),
               "-r", str(STAFF), "-t", f"{SECONDS}s", "--host", host, "--csv", str(out / "run"), "--only-summary",
               "--loglevel", "ERROR", "--stop-timeout", "5", user_class]
    subprocess.run(command, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False, timeout=SECONDS + 120)
    rows = []
    with open(out / "run_stats.csv", newline="") as fh:
        for line in csv.DictReader(fh):
            name = line["Name"] if line["Name"] == "Aggregated" else f"{line['Type']} {line['Name']}"
            rows.append(Row(name, int(line["Request Count"]), int(line["Failure Count"]),
                            float(line["Requests/s"]), float(line["50%"] or 0), float(line["95%"] or 0)))
    return rows


def bare_flask() -> LoadRun:
    """The yardstick: Flask 'ok' on gunicorn with the services' settings (1 worker, 8 threads)."""
    app_dir = tempfile.mkdtemp(prefix="bench-bare-")
    Path(app_dir, "bare_app.py").write_text(BARE_APP)
    port = free_port()
    env = {**os.environ, "CHORA_WEB_WORKERS": "1", "PYTHONPATH": app_dir}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "python:shared.gunicorn_conf", "--bind",
                             f"127.0.0.1:{port}", "bare_app:app"], env=env, cwd=app_dir,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        return LoadRun("bare Flask 'ok'", run_locust(f"http://127.0.0.1:{port}", "BareUser"))
    finally:
        proc.terminate()
        proc.wait(10)


def portal_session(base: str, email: str) -> list[dict[str, str]]:
    """Sign in to the portal as a person would (the form, its CSRF token); the session's cookies."""
    session = requests.Session()
    page = session.get(f"{base}/log-ind", timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    landed = session.post(f"{base}/log-ind", data={"email": email, "password": PASSWORD, "csrf_token": token},
                          timeout=60)
    if landed.url.rstrip("/").endswith("log-ind"):
        raise RuntimeError(f"portal sign-in failed for {email}: {landed.status_code}")
    return [{"name": c.name, "value": c.value, "domain": c.domain, "path": c.path} for c in session.cookies]


def process_name(proc: Proc, supervisor: int) -> str:
    argv = proc.argv
    if any(a.endswith("embedded.py") for a in argv):
        return "make run (supervisor, mail sink)"
    if "secantus" in argv:
        return "SecantusDB"
    app = next((a for a in argv if a.endswith(".api:create_app()")), None)
    if app:
        return f"{app.split('.')[0]} api " + ("master" if proc.ppid == supervisor else "worker")
    module = next((a for a in argv if a.endswith(".consumer")), None)
    return module.replace(".", " ") if module else proc.command[:40]


class MemoryWatch(threading.Thread):
    """The largest resident size of each of the run's processes while the load runs."""

    def __init__(self, run: MakeRun):
        super().__init__(daemon=True, name="memory-watch")
        self.run_ = run
        self.peak: dict[int, float] = {}
        self.stop_ = threading.Event()

    def run(self) -> None:
        while not self.stop_.wait(1.0):
            for proc in self.run_.processes():
                self.peak[proc.pid] = max(self.peak.get(proc.pid, 0.0), rss_mb(proc.pid))


def platform(replicas: int, amqp_url: str) -> LoadRun:
    """make run with `replicas` of each service under locust's staff; its figures and memory."""
    sink = SmtpSink().start()
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    work = Path(tempfile.mkdtemp(prefix="bench-run-"))
    run = MakeRun(work / "run", prefix=prefix, smtp_port=sink.port, gateway_port=free_port(), replicas=replicas,
                  amqp_url=amqp_url, env={"CHORA_MAIL_VIEWER_PORT": str(free_port())})
    label = f"{replicas} replica{'s' if replicas > 1 else ''} of each service"
    try:
        run.start(timeout=300)
        traffic = Traffic(run.base, sink)
        traffic.add_coordinators(STAFF)
        staff_file = work / "staff.json"
        staff_file.write_text(json.dumps([{"library_id": c.library_id, "cookies": portal_session(run.base, c.email)}
                                          for c in traffic.coordinators]))
        supervisor = run.supervisor_pid()
        rest = {p.pid: (process_name(p, supervisor), rss_mb(p.pid)) for p in run.processes()}
        watch = MemoryWatch(run)
        watch.start()
        rows = run_locust(run.base, "StaffUser", {"CHORA_BENCH_STAFF": str(staff_file)})
        watch.stop_.set()
        watch.join(5)
        memory = sorted((name, mb, watch.peak.get(pid, mb)) for pid, (name, mb) in rest.items())
        return LoadRun(label, rows, memory)
    finally:
        run.stop()
        run.kill_leftovers()
        sink.stop()
        delete_prefixed(amqp_url, prefix, run_queues(prefix))


def _fmt_row(row: Row) -> str:
    return (f"{row.rps:8.1f} {row.p50:6.0f} {row.p95:6.0f} {row.failures:6d}/{row.requests:<6d}")


def report(bare: LoadRun, runs: list[LoadRun]) -> str:
    """The locust table (per page: req/s, p50 and p95 in ms, errors/requests) and the memory tables."""
    lines = [f"\nlocust, {STAFF} signed-in staff, no think time, {SECONDS} s per column, headless on loopback",
             "  (p50/p95 in ms; errors/requests)"]
    names = [r.name for r in runs[0].rows if r.name != "Aggregated"] + ["Aggregated"]
    header = f"  {'request':<34}" + "".join(f" | {run.label:<33}" for run in runs)
    lines += [header, f"  {'':<34}" + " | {:>8} {:>6} {:>6} {:>13}".format("req/s", "p50", "p95", "errors") * len(runs)]
    for name in names:
        cells = []
        for run in runs:
            row = next((r for r in run.rows if r.name == name), None)
            cells.append(_fmt_row(row) if row else " " * 33)
        lines.append(f"  {name:<34}" + "".join(f" | {c:<33}" for c in cells))
    bare_total = bare.total
    lines.append(f"  {'bare Flask ok (same locust)':<34} | {_fmt_row(bare_total)}")
    for run in runs:
        lines.append(f"  {run.label}: {run.total.rps:,.0f} req/s = {run.total.rps / bare_total.rps:.2f}x the bare "
                     f"Flask 'ok' ({bare_total.rps:,.0f} req/s)")
    for run in runs:
        lines.append(f"\nresident memory (MB) of every process, {run.label}: at rest / peak under the load")
        total_rest = total_load = 0.0
        for name, rest, load in run.memory:
            lines.append(f"  {name:<36} {rest:7.0f} {load:7.0f}")
            total_rest += rest
            total_load += load
        lines.append(f"  {'all ' + str(len(run.memory)) + ' processes':<36} {total_rest:7.0f} {total_load:7.0f}")
    return "\n".join(lines)


def run_all(amqp_url: str) -> list[tuple[str, str]]:
    """Run the load benchmark; print its tables; return its headline figures for the summary."""
    bare = bare_flask()
    runs = [platform(1, amqp_url), platform(2, amqp_url)]
    print(report(bare, runs), flush=True)
    return [(f"locust, {STAFF} staff: {run.label}",
             f"{run.total.rps:,.0f} req/s  p50 {run.total.p50:.0f} ms  p95 {run.total.p95:.0f} ms  "
             f"errors {run.total.failures}/{run.total.requests}  ratio {run.total.rps / bare.total.rps:.2f}x bare "
             f"Flask 'ok' under locust ({bare.total.rps:,.0f} req/s)") for run in runs]


if __name__ == "__main__":
    url = os.environ.get("CHORA_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
    for name, value in run_all(url):
        print(f"  {name}  {value}")
