"""Keep `make run`'s processes running: restart what exits, stop what hangs, leave nothing behind.

- Every child is started from the supervisor's main thread through a two-line launcher that
  asks the kernel to SIGKILL it when the supervisor dies (prctl PR_SET_PDEATHSIG), then execs the
  real command. So even a SIGKILLed supervisor leaves no SecantusDB, consumer or gunicorn master
  behind (gunicorn workers follow their master: they exit when their parent changes).
- Every child leads its own process group: Ctrl-C in the terminal reaches only the supervisor,
  which stops the children in order; and a child's leftovers (the workers of a killed gunicorn
  master) are found and stopped by their group.
- A child that exits is restarted after a back-off that doubles with each quick failure
  (1 s, 2 s, 4 s ... 30 s) and starts again from 1 s once the child stayed up RESET_AFTER seconds.
- A child that is stopped (SIGSTOP: state T in /proc) or whose health probe has failed for
  `hang_after` seconds is hung: it gets SIGCONT and SIGTERM (so a stopped one can act on it),
  then SIGKILL after `term_grace`, and is restarted. A stopped member of a child's group (a
  gunicorn worker) is SIGKILLed; its master replaces it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

# Runs first in every child: PR_SET_PDEATHSIG (1) = SIGKILL (9), then a check that the supervisor
# did not die before the prctl took effect, then the real command in this same process.
LAUNCHER = (
    "import ctypes, os, sys\n"
    "ctypes.CDLL(None).prctl(1, 9, 0, 0, 0)\n"
    "os.getppid() == int(sys.argv[1]) or os._exit(70)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 30.0
RESET_AFTER = 30.0
PROBE_INTERVAL = 1.0


def backoff(failures: int) -> float:
    """Seconds to wait before the restart after `failures` quick failures in a row (1, 2, 4, ... 30)."""
    return min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** max(0, failures - 1))


@dataclass(frozen=True)
class Program:
    """One entry of the process table: what to run and how to tell that it is well."""

    name: str
    argv: tuple[str, ...]  # the command after the Python interpreter, e.g. ("-m", "evidence.consumer")
    env: Mapping[str, str]
    kind: str  # database, migrate, api, consumer, scheduler
    probe: Callable[[], bool] | None = None  # True when healthy; None: watched by exit and state only
    once: bool = False  # runs to completion (exit 0) before the long-running processes start


@dataclass
class Child:
    program: Program
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0
    restarts: int = 0
    restart_at: float | None = None
    down_since: float | None = None  # when it last stopped working (exit or hang), for "back after"
    last_ok: float | None = None
    probing: Future | None = None
    next_probe: float = 0.0
    kill_at: float | None = None  # SIGTERMed as hung: SIGKILL at this time if still there
    stopped_seen: dict[int, float] = field(default_factory=dict)  # pid -> first seen in state T

    @property
    def name(self) -> str:
        return self.program.name

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def proc_stat(pid: int) -> tuple[str, int] | None:
    """(state letter, process group) of a process from /proc, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            data = fh.read()
    except OSError:
        return None
    fields = data[data.rindex(")") + 2:].split()  # after "pid (comm) "
    return fields[0], int(fields[2])


def process_groups() -> dict[int, list[tuple[int, str]]]:
    """Every live process on the machine by process group: pgid -> [(pid, state letter)]."""
    groups: dict[int, list[tuple[int, str]]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = proc_stat(int(entry))
            if stat is not None and stat[0] != "Z":
                groups.setdefault(stat[1], []).append((int(entry), stat[0]))
    return groups


def group_members(pgid: int) -> list[int]:
    """Pids of the live processes in a process group."""
    return [pid for pid, _ in process_groups().get(pgid, [])]


def signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def resume_and_terminate(pgid: int) -> None:
    """SIGCONT, then SIGTERM, to a process group.

    In this order: while a process is stopped the kernel may hand a SIGTERM to any of its threads,
    and a Python program whose main thread sleeps in a lock then never runs its handler."""
    signal_group(pgid, signal.SIGCONT)
    signal_group(pgid, signal.SIGTERM)


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with status {code}"


class Supervisor:
    """Start, watch and restart the processes of one run."""

    def __init__(self, log: Callable[[str], None], log_dir: Path, *, hang_after: float = 30.0,
                 startup_grace: float = 120.0, term_grace: float = 10.0):
        self.log = log
        self.log_dir = log_dir
        self.hang_after = hang_after
        self.startup_grace = startup_grace
        self.term_grace = term_grace
        self.children: list[Child] = []
        self.stopping = False
        self._leftovers: dict[int, float] = {}  # process group of an exited leader -> SIGKILL time
        self._probes = ThreadPoolExecutor(max_workers=8, thread_name_prefix="probe")
        self._last_scan = 0.0

    # -- starting -----------------------------------------------------------------------------
    def _spawn(self, program: Program) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_dir / f"{program.name}.log", "ab") as logfile:
            return subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", LAUNCHER, str(os.getpid()), sys.executable, *program.argv],
                env=dict(program.env), stdin=subprocess.DEVNULL, stdout=logfile, stderr=subprocess.STDOUT,
                process_group=0, close_fds=True,
            )

    def start(self, program: Program) -> Child:
        """Start a long-running process and keep it running."""
        child = Child(program)
        self.children.append(child)
        self._start(child)
        return child

    def _start(self, child: Child) -> None:
        child.proc = self._spawn(child.program)
        child.started_at = time.monotonic()
        child.restart_at = None
        child.kill_at = None
        child.last_ok = None
        child.stopped_seen.clear()
        child.next_probe = child.started_at + 0.5
        if child.program.probe is None:
            child.down_since = None  # nothing tells when it works again; count it as back

    def run_once(self, program: Program, *, attempts: int = 5, timeout: float = 600.0) -> None:
        """Run a start-up step to completion, retrying with back-off; raise if it keeps failing."""
        for attempt in range(1, attempts + 1):
            proc = self._spawn(program)
            try:
                code = proc.wait(timeout)
            except subprocess.TimeoutExpired:
                signal_group(proc.pid, signal.SIGKILL)
                code = proc.wait()
            if code == 0:
                self.log(f"{program.name} done")
                return
            delay = backoff(attempt)
            self.log(f"{program.name} {describe_exit(code)} (attempt {attempt} of {attempts}; "
                     f"log in {self.log_dir / (program.name + '.log')}); again in {delay:.0f} s")
            time.sleep(delay)
        raise RuntimeError(f"{program.name} failed {attempts} times")

    # -- watching -----------------------------------------------------------------------------
    def tick(self) -> None:
        """One pass over the children: reap, restart what is due, probe, stop what hangs."""
        now = time.monotonic()
        groups: dict[int, list[tuple[int, str]]] | None = None
        if now - self._last_scan >= 1.0:  # reading /proc once a second is enough
            self._last_scan = now
            groups = process_groups()
            for pgid, kill_at in list(self._leftovers.items()):
                if pgid not in groups:
                    del self._leftovers[pgid]
                elif now >= kill_at:
                    signal_group(pgid, signal.SIGKILL)
                    del self._leftovers[pgid]
        for child in self.children:
            if child.proc is None:
                if child.restart_at is not None and now >= child.restart_at and not self.stopping:
                    self._start(child)
                    self.log(f"{child.name} restarted (pid {child.pid}, restart {child.restarts})")
                continue
            code = child.proc.poll()
            if code is not None:
                self._exited(child, code, now)
                continue
            if child.kill_at is not None:
                if now >= child.kill_at:
                    signal_group(child.proc.pid, signal.SIGKILL)
                continue
            self._probe(child, now)
            if groups is not None and child.kill_at is None:
                self._check_stopped(child, groups.get(child.proc.pid, []), now)

    def _exited(self, child: Child, code: int, now: float) -> None:
        assert child.proc is not None
        pid = child.proc.pid
        uptime = now - child.started_at
        child.proc = None
        if child.down_since is None:
            child.down_since = now
        # What the leader left in its group (a killed gunicorn master's workers): let it finish
        # its requests, then make sure it is gone.
        if group_members(pid):
            resume_and_terminate(pid)
            self._leftovers[pid] = now + self.term_grace
        if self.stopping:
            return
        if uptime >= RESET_AFTER:
            child.failures = 0
        child.failures += 1
        child.restarts += 1
        delay = backoff(child.failures)
        child.restart_at = now + delay
        self.log(f"{child.name} (pid {pid}) {describe_exit(code)} after {uptime:.1f} s; "
                 f"restarting in {delay:.0f} s (restart {child.restarts})")

    def _probe(self, child: Child, now: float) -> None:
        probe = child.program.probe
        if probe is None:
            return
        if child.probing is not None and child.probing.done():
            ok = not child.probing.exception() and child.probing.result()
            child.probing = None
            if ok:
                if child.last_ok is None and child.down_since is not None and child.restarts:
                    self.log(f"{child.name} is healthy again, {now - child.down_since:.1f} s after it stopped working")
                child.down_since = None
                child.last_ok = now
        if child.probing is None and now >= child.next_probe:
            child.probing = self._probes.submit(probe)
            child.next_probe = now + PROBE_INTERVAL
        since = child.last_ok if child.last_ok is not None else child.started_at
        limit = self.hang_after if child.last_ok is not None else self.startup_grace
        if now - since > limit:
            what = "has not answered its health check" if child.last_ok is not None else "did not become healthy"
            self._hung(child, f"{what} for {now - since:.0f} s", now)

    def _check_stopped(self, child: Child, members: list[tuple[int, str]], now: float) -> None:
        assert child.proc is not None
        leader = child.proc.pid
        child.stopped_seen = {pid: child.stopped_seen.get(pid, now) for pid, state in members if state == "T"}
        seen = dict(child.stopped_seen)
        for pid, since in seen.items():
            if now - since < self.hang_after:
                continue
            if pid == leader:
                self._hung(child, f"has been stopped (SIGSTOP) for {now - since:.0f} s", now)
                return
            self.log(f"{child.name}: its process {pid} has been stopped (SIGSTOP) for {now - since:.0f} s; "
                     f"killing it (its parent replaces it)")
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            del child.stopped_seen[pid]

    def _hung(self, child: Child, why: str, now: float) -> None:
        assert child.proc is not None
        self.log(f"{child.name} (pid {child.proc.pid}) {why}; stopping it (SIGTERM, SIGKILL after "
                 f"{self.term_grace:.0f} s) to restart it")
        child.down_since = child.down_since or now
        resume_and_terminate(child.proc.pid)
        child.kill_at = now + self.term_grace

    # -- stopping -----------------------------------------------------------------------------
    def stop(self, kinds_in_order: tuple[tuple[str, ...], ...], timeout: float = 25.0) -> None:
        """Stop every child, group by group of kinds (e.g. the gateway first, the database last)."""
        self.stopping = True
        for kinds in kinds_in_order:
            batch = [c for c in self.children if c.program.kind in kinds]
            for child in batch:
                if child.proc is not None and child.running:
                    resume_and_terminate(child.proc.pid)
            deadline = time.monotonic() + timeout
            for child in batch:
                if child.proc is None:
                    continue
                try:
                    child.proc.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    self.log(f"{child.name} (pid {child.proc.pid}) did not stop in {timeout:.0f} s; killing it")
                    signal_group(child.proc.pid, signal.SIGKILL)
                    child.proc.wait(10)
                self._reap_group(child.proc.pid)
                child.proc = None
        for pgid in list(self._leftovers):
            self._reap_group(pgid)
        self._leftovers.clear()
        self._probes.shutdown(wait=False, cancel_futures=True)

    def _reap_group(self, pgid: int, wait: float = 10.0) -> None:
        """Make sure nothing of a process group is left: SIGTERM, wait a little, SIGKILL."""
        if not group_members(pgid):
            return
        signal_group(pgid, signal.SIGTERM)
        deadline = time.monotonic() + wait
        while group_members(pgid) and time.monotonic() < deadline:
            time.sleep(0.1)
        signal_group(pgid, signal.SIGKILL)
