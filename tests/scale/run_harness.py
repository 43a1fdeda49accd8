"""A real `make run` (deploy/embedded.py) as a child process, its processes found in /proc, and
traffic through its gateway whose accepted effects are checked afterwards through other doors.

Shared by the supervision and scale-out tests and by the locust benchmark."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pika
import pymongo
import requests

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "et-godt-kodeord-42"
READY_LINE = "the portal is ready"


def wait_for(check: Callable[[], object], timeout: float, what: str, interval: float = 0.2):
    """Poll check() until it returns something truthy; raise AssertionError naming what was awaited."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (requests.RequestException, OSError) as exc:
            last = exc
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what}: not reached within {timeout:.0f} s (last: {last!r})")


def answers(url: str, timeout: float = 3.0, **kwargs) -> bool:
    try:
        return requests.get(url, timeout=timeout, **kwargs).status_code == 200
    except requests.RequestException:
        return False


# -- processes -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    state: str
    argv: tuple[str, ...]
    env: dict[str, str]

    @property
    def command(self) -> str:
        return " ".join(self.argv)


def read_proc(pid: int) -> Proc | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            argv = tuple(a.decode(errors="replace") for a in fh.read().split(b"\0") if a)
        with open(f"/proc/{pid}/environ", "rb") as fh:
            pairs = [e.decode(errors="replace").partition("=") for e in fh.read().split(b"\0") if e]
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return Proc(pid, int(fields[1]), fields[0], argv, {k: v for k, _, v in pairs})


def processes_of(marker: str) -> list[Proc]:
    """Every live process whose command line or environment carries `marker` (a run's directory)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        proc = read_proc(int(entry))
        if proc is None or proc.state == "Z":
            continue
        if marker in proc.command or any(marker in v for v in proc.env.values()):
            found.append(proc)
    return found


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class MakeRun:
    """`make run` started for a test: its own run directory, names prefix, SMTP server and ports."""

    def __init__(self, run_dir: Path, *, prefix: str, smtp_port: int, gateway_port: int, replicas: int = 1,
                 amqp_url: str | None = None, env: dict[str, str] | None = None):
        self.run_dir = run_dir
        self.prefix = prefix
        self.gateway_port = gateway_port
        self.base = f"http://127.0.0.1:{gateway_port}"
        self.log_path = run_dir.parent / f"{run_dir.name}-make-run.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CHORA_")}
        self.env.update({
            "CHORA_RUN_DIR": str(run_dir), "CHORA_GATEWAY_PORT": str(gateway_port),
            "CHORA_SMTP_HOST": "127.0.0.1", "CHORA_SMTP_PORT": str(smtp_port),
            "CHORA_AMQP_PREFIX": prefix, "CHORA_DB_PREFIX": prefix, "CHORA_SEED_DEMO": "0",
            "CHORA_REPLICAS": str(replicas), "CHORA_LOG_LEVEL": "WARNING", "CHORA_MAIL_RATE": "1000",
            **({"CHORA_AMQP_URL": amqp_url} if amqp_url else {}),
            **(env or {}),
        })
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 240.0) -> MakeRun:
        self.run_dir.parent.mkdir(parents=True, exist_ok=True)
        offset = self.log_size()
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "embedded.py")], env=self.env,
                                         cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        self.wait_for_log(READY_LINE, timeout, after=offset)
        return self

    # -- its log ------------------------------------------------------------------------------
    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_text(self, after: int = 0) -> str:
        with open(self.log_path, "rb") as fh:
            fh.seek(after)
            return fh.read().decode(errors="replace")

    def wait_for_log(self, pattern: str, timeout: float, after: int = 0) -> re.Match:
        def seen():
            assert self.proc is not None
            found = re.search(pattern, self.log_text(after))
            if not found and self.proc.poll() is not None:
                raise AssertionError(f"make run exited ({self.proc.returncode}):\n{self.log_text()[-3000:]}")
            return found

        return wait_for(seen, timeout, f"make run's log line {pattern!r}")

    # -- its processes --------------------------------------------------------------------------
    def processes(self) -> list[Proc]:
        return processes_of(str(self.run_dir))

    def supervisor_pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def masters(self, service: str) -> list[Proc]:
        """The gunicorn masters of a service's API (children of the supervisor)."""
        app = f"{service}.api:create_app()"
        return [p for p in self.processes() if app in p.argv and p.ppid == self.supervisor_pid()]

    def workers(self, service: str) -> list[Proc]:
        masters = {p.pid for p in self.masters(service)}
        return [p for p in self.processes() if p.ppid in masters]

    def consumers(self, service: str) -> list[Proc]:
        return [p for p in self.processes() if f"{service}.consumer" in p.argv]

    def database(self) -> list[Proc]:
        return [p for p in self.processes() if "secantus" in p.argv]

    def service_url(self, service: str) -> str:
        return self.masters("gateway")[0].env[f"CHORA_{service.upper()}_URL"]

    def mongo_url(self) -> str:
        return self.masters("gateway")[0].env["CHORA_MONGO_URL"]

    def database_name(self, service: str) -> str:
        return f"{self.prefix}_{service}"

    def mails_to(self, emails: list[str]) -> str:
        """What notification's `mails` collection holds for these addresses (for a failure's message)."""
        client = pymongo.MongoClient(self.mongo_url(), serverSelectionTimeoutMS=5000)
        try:
            rows = client[self.database_name("notification")]["mails"].find(
                {"email": {"$in": emails}})
            return "\n" + "\n".join(repr({k: v for k, v in row.items() if k not in ("context",)})[:600]
                                      for row in rows)
        finally:
            client.close()

    # -- stopping -------------------------------------------------------------------------------
    def send(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 90.0) -> int | None:
        """Stop the run; return the supervisor's exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)

    def kill_leftovers(self) -> None:
        """After a test: SIGKILL whatever of this run is still there (the test already failed then)."""
        for proc in self.processes():
            try:
                os.kill(proc.pid, signal.SIGCONT)
                os.kill(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# -- traffic -----------------------------------------------------------------------------------------
def recent_day(days_ago: int = 3) -> str:
    return (dt.date.today() - dt.timedelta(days=days_ago)).isoformat()


@dataclass
class Coordinator:
    email: str
    library_id: str
    headers: dict[str, str]


@dataclass
class Tally:
    """What the gateway answered: accepted (201/200) and uncertain (anything else) operations."""

    registered: dict[str, str] = field(default_factory=dict)  # email -> library_id (201)
    registrations_uncertain: set[str] = field(default_factory=set)  # emails whose answer was not 201
    submitted: dict[str, str] = field(default_factory=dict)  # evidence id -> title (created 201, submitted 200)
    submissions_uncertain: dict[str, str] = field(default_factory=dict)  # created 201, submit not answered 200
    creations_uncertain: set[str] = field(default_factory=set)  # titles whose create was not answered 201
    answers: dict[int, int] = field(default_factory=dict)  # status (0 = no answer) -> count
    failures: list[tuple[float, int]] = field(default_factory=list)  # (monotonic time, status) of each non-2xx
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, status: int) -> None:
        with self.lock:
            self.answers[status] = self.answers.get(status, 0) + 1
            if not 200 <= status < 300:
                self.failures.append((time.monotonic(), status))

    def failures_between(self, start: float, end: float) -> int:
        with self.lock:
            return sum(1 for at, _ in self.failures if start <= at < end)


def registration_body(email: str, isil: str) -> dict:
    return {"library": {"name": f"Skalerup Bibliotek {isil[-5:]}", "isil": isil, "municipality": "Aarhus",
                        "kind": "folkebibliotek", "staff_count": 12},
            "coordinator": {"name": "Karen Koordinator", "email": email, "password": PASSWORD}}


def token_link(smtp, email: str, timeout: float = 60.0) -> str:
    mail = smtp.box.wait_for(lambda m: email in str(m["To"]), timeout=timeout)[0]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"token=([\w-]+)", body).group(1)


class Traffic:
    """Registrations and evidence submissions through the gateway from a few threads."""

    def __init__(self, base: str, smtp, *, isil_start: int = 10000):
        self.base = base
        self.api = f"{base}/api/v1"
        self.smtp = smtp
        self.tally = Tally()
        self.coordinators: list[Coordinator] = []
        self._isil = iter(range(isil_start, 99999))
        self._isil_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.session_timeout = 20.0

    def next_isil(self) -> str:
        with self._isil_lock:
            return f"DK-7{next(self._isil):05d}"

    def add_coordinators(self, n: int) -> None:
        """Register, confirm and sign in n coordinators (before any disruption: must succeed)."""
        for _ in range(n):
            email = f"koord-{uuid.uuid4().hex[:10]}@bibliotek.example"
            answer = requests.post(f"{self.api}/registrations", json=registration_body(email, self.next_isil()),
                                   timeout=30)
            assert answer.status_code == 201, answer.text
            self.tally.registered[email] = answer.json()["library_id"]
            token = token_link(self.smtp, email)
            confirmed = requests.post(f"{self.api}/email-confirmations", json={"token": token}, timeout=30)
            assert confirmed.status_code == 200, confirmed.text
            signed = requests.post(f"{self.api}/auth/token", json={"email": email, "password": PASSWORD}, timeout=30)
            assert signed.status_code == 200, signed.text
            headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}
            self.coordinators.append(Coordinator(email, answer.json()["library_id"], headers))

    # -- one operation each ----------------------------------------------------------------------
    def register_one(self, session: requests.Session) -> None:
        email = f"lib-{uuid.uuid4().hex[:12]}@bibliotek.example"
        try:
            answer = session.post(f"{self.api}/registrations", json=registration_body(email, self.next_isil()),
                                  timeout=self.session_timeout)
            status = answer.status_code
        except requests.RequestException:
            status = 0
        self.tally.count(status)
        with self.tally.lock:
            if status == 201:
                self.tally.registered[email] = answer.json()["library_id"]
            else:
                self.tally.registrations_uncertain.add(email)

    def submit_one(self, session: requests.Session, who: Coordinator) -> None:
        title = f"Udstilling {uuid.uuid4().hex[:12]}"
        item = {"kind": "communication", "title": title, "dimension": "formidling", "sdgs": [4, 5],
                "date": recent_day(), "public": False, "description": "Om verdensmålene i foyeren."}
        try:
            created = session.post(f"{self.api}/libraries/{who.library_id}/evidence", json=item, headers=who.headers,
                                   timeout=self.session_timeout)
            status = created.status_code
        except requests.RequestException:
            status = 0
        self.tally.count(status)
        if status != 201:
            with self.tally.lock:
                self.tally.creations_uncertain.add(title)
            return
        evidence_id = created.json()["id"]
        try:
            submitted = session.post(f"{self.api}/evidence/{evidence_id}/submit", json={}, headers=who.headers,
                                     timeout=self.session_timeout)
            status = submitted.status_code
        except requests.RequestException:
            status = 0
        self.tally.count(status)
        with self.tally.lock:
            if status == 200:
                self.tally.submitted[evidence_id] = title
            else:
                self.tally.submissions_uncertain[evidence_id] = title

    # -- threads --------------------------------------------------------------------------------
    def _loop(self, n: int, limit: int | None) -> None:
        session = requests.Session()
        done = 0
        while not self._stop.is_set() and (limit is None or done < limit):
            if done % 2 == 0:
                self.register_one(session)
            else:
                self.submit_one(session, self.coordinators[(n + done) % len(self.coordinators)])
            done += 1

    def start(self, threads: int = 2, per_thread: int | None = None) -> Traffic:
        for n in range(threads):
            thread = threading.Thread(target=self._loop, args=(n, per_thread), daemon=True, name=f"traffic-{n}")
            thread.start()
            self._threads.append(thread)
        return self

    def operations(self) -> int:
        with self.tally.lock:
            return sum(self.tally.answers.values())

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(120)

    def join(self) -> None:
        for thread in self._threads:
            thread.join()


# -- checks through other doors --------------------------------------------------------------------
def submitted_items(api: str, who: Coordinator) -> list[dict]:
    """Every item of the coordinator's library the evidence service lists as submitted (all pages)."""
    items: list[dict] = []
    for page in range(1, 1000):
        listed = requests.get(f"{api}/libraries/{who.library_id}/evidence", headers=who.headers, timeout=30,
                              params={"status": "submitted", "per_page": 100, "page": page})
        assert listed.status_code == 200, listed.text
        batch = listed.json()["items"]
        items += batch
        if len(batch) < 100:
            return items
    raise AssertionError("more than 1000 pages of evidence")


def check_effects(traffic: Traffic, smtp, *, admin_headers: dict[str, str], timeout: float = 120.0,
                  diagnose: Callable[[list[str]], str] | None = None) -> dict:
    """Check that every accepted effect happened exactly once and every uncertain one at most once."""
    api, tally = traffic.api, traffic.tally
    # Every library the gateway answered 201 for exists (registration's API, as the administrator).
    for email, library_id in tally.registered.items():
        got = requests.get(f"{api}/libraries/{library_id}", headers=admin_headers, timeout=30)
        assert got.status_code == 200, f"registered library of {email} is missing: {got.status_code} {got.text}"

    # One confirmation mail per registration accepted; at most one for an uncertain answer. A mail
    # is counted by its Message-ID: notification's sender re-sends a mail whose outcome it could
    # not record (SMTP has no "did you get it?"), with the same Message-ID; those copies are
    # counted apart (resent) and a second mail with its own Message-ID is a doubled effect.
    resent: dict[str, int] = {}

    def distinct(mails: list, what: str) -> int:
        ids = [str(m["Message-ID"]) for m in mails]
        if len(ids) > len(set(ids)):
            resent[what] = len(ids) - len(set(ids))
        return len(set(ids))

    def confirmations(email: str) -> int:
        return distinct([m for m in smtp.box.to(email)
                         if "/bekraeft?token=" in m.get_body(preferencelist=("plain",)).get_content()], email)

    try:
        wait_for(lambda: all(confirmations(e) >= 1 for e in tally.registered), timeout,
                 "a confirmation mail for every accepted registration")
    except AssertionError as exc:
        missing = [e for e in tally.registered if not confirmations(e)]
        raise AssertionError(f"{exc}; no confirmation mail to {missing[:10]} ({len(missing)} of "
                             f"{len(tally.registered)}){diagnose(missing) if diagnose else ''}") from None
    doubled = {e: confirmations(e) for e in [*tally.registered, *tally.registrations_uncertain] if confirmations(e) > 1}
    assert not doubled, f"confirmation mails sent more than once: {doubled}"

    # Every accepted submission is submitted in evidence; scoring counts each submitted item once.
    by_library = {who.library_id: submitted_items(api, who) for who in traffic.coordinators}
    submitted_ids = {i["id"] for items in by_library.values() for i in items}
    missing = set(tally.submitted) - submitted_ids
    assert not missing, f"accepted submissions not submitted in evidence: {sorted(missing)[:5]}"
    titles = [i["title"] for items in by_library.values() for i in items]
    assert len(titles) == len(set(titles)), "an item was created twice"

    def scored() -> dict[str, tuple[int, int]]:
        counts = {}
        for who in traffic.coordinators:
            progress = requests.get(f"{api}/libraries/{who.library_id}/progress", headers=who.headers, timeout=30)
            if progress.status_code != 200:
                return {}
            f1 = next(r for r in progress.json()["requirements"] if r["id"] == "F1")
            counts[who.library_id] = (int(f1["achieved"]), len(by_library[who.library_id]))
        return counts

    wait_for(lambda: (c := scored()) and all(a == b for a, b in c.values()), timeout,
             "scoring counting every submitted item once (F1 achieved == items submitted)")

    # One receipt per submitted item (its unique title in exactly one mail to its coordinator).
    def receipts(who: Coordinator, title: str) -> int:
        return distinct([m for m in smtp.box.to(who.email)
                         if title in str(m["Subject"]) or title in m.get_body(preferencelist=("plain",)).get_content()],
                        title)

    owners = {i["id"]: (who, i["title"]) for who in traffic.coordinators for i in by_library[who.library_id]}
    wait_for(lambda: all(receipts(w, t) >= 1 for w, t in owners.values()), timeout, "a receipt for every submitted item")
    doubled_receipts = {t: n for w, t in owners.values() if (n := receipts(w, t)) > 1}
    assert not doubled_receipts, f"receipts sent more than once: {doubled_receipts}"
    return {"libraries": len(tally.registered), "registrations_uncertain": len(tally.registrations_uncertain),
            "submitted": len(submitted_ids), "submissions_accepted": len(tally.submitted),
            "submissions_uncertain": len(tally.submissions_uncertain), "answers": dict(tally.answers),
            "mails_resent_with_the_same_message_id": resent}


def dead_letters(amqp_url: str, prefix: str, services=("evidence", "scoring", "notification")) -> dict[str, int]:
    """Messages parked in each service's dead-letter queue (pika, not our own kombu code)."""
    conn = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        counts = {}
        for service in services:
            channel = conn.channel()
            try:
                counts[service] = channel.queue_declare(f"{prefix}.{service}.dead", passive=True).method.message_count
            except pika.exceptions.ChannelClosedByBroker:
                counts[service] = 0
        return counts
    finally:
        conn.close()
