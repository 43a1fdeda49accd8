"""`python -m scoring.scheduler`: the scoring service's time-driven work, one process for the whole
platform (a compose service, a Kubernetes CronJob with `--once`), never a loop in every consumer.

Each pass (`run_once`) sends the check-in reminders and lapses the certificates whose day has
come, then re-scores every library whose score is outdated: scored on an earlier day (windows
such as "in the last 12 months" move) or under an older model version, which is how a model
publication interrupted half-way is finished. A pass is idempotent: the certificate remembers
each reminder and lapse it sent, and a library re-scored today is not outdated again.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from scoring.bootstrap import Service, bootstrap
from scoring.domain.commands import RescoreOutdated, TickCertificates
from shared import jsonlog

log = logging.getLogger(__name__)


def run_once(service: Service) -> dict[str, int]:
    """One pass: due certificates ticked, outdated scores re-scored; what it did."""
    ticked = service.bus.handle(TickCertificates())
    rescored = service.bus.handle(RescoreOutdated())
    return {"certificates": ticked["certificates"], "events": ticked["events"],
            "rescored": rescored["libraries"], "changed": rescored["changed"]}


def loop(service: Service, stop: threading.Event) -> None:
    """Run a pass every `scheduler_interval` seconds until stopped (a failed pass is retried next time)."""
    if not service.wait_for_schema(stop):
        return
    while not stop.is_set():
        try:
            log.info("scheduler pass", extra=run_once(service))
        except Exception:
            log.exception("scheduler pass failed")
        stop.wait(service.settings.scheduler_interval)


def start(service: Service) -> None:
    """Run the loop in a thread of this process (make run's one-process mode); it ends with the service."""
    stop = threading.Event()
    thread = threading.Thread(target=loop, args=(service, stop), daemon=True, name="scoring-scheduler")

    def stopped() -> None:
        stop.set()
        thread.join(10)

    service.runtime.on_stop.append(stopped)
    thread.start()


def main(argv: list[str] | None = None) -> int:
    """Loop until SIGTERM or Ctrl-C, or with --once run one pass and exit (0 if it succeeded)."""
    parser = argparse.ArgumentParser(prog="python -m scoring.scheduler", description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="run one pass and exit (for a CronJob)")
    args = parser.parse_args(argv)
    service = bootstrap()
    jsonlog.configure(service.settings.service, service.settings.log_level)
    service.runtime.start_relay()  # the pass's events go out at once (the outbox keeps them if not)
    stop = threading.Event()
    try:
        if args.once:
            problem = service.schema_problem()
            if problem is not None:
                log.error("database not migrated", extra={"schema": problem})
                return 1
            log.info("scheduler pass", extra=run_once(service))
            return 0
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        loop(service, stop)
        return 0
    finally:
        service.stop()


if __name__ == "__main__":
    raise SystemExit(main())
