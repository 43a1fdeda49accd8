"""`python -m notification.scheduler`: the assessors' digest (Monday to Friday) and the
clarification-deadline reminders, one pass every `scheduler_interval` seconds; `--once` runs one
pass and exits (a Kubernetes CronJob).

A pass (`run_once`) is idempotent: it may run every minute, from several processes and from
`POST /scheduler/run`, and still mails one digest per assessor per day and one reminder per
recipient per deadline (handlers.run_scheduler). One scheduler process per deployment is enough;
it is no longer started inside the consumers.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from notification.bootstrap import Service, bootstrap
from notification.domain.actions import SYSTEM
from notification.domain.commands import RunScheduler
from shared.jsonlog import configure as configure_logging

log = logging.getLogger(__name__)


def run_once(service: Service) -> dict[str, int]:
    """Plan what is due now: the day's digest and the deadline reminders; the mails planned."""
    result: dict[str, int] = service.bus.handle(RunScheduler(SYSTEM))
    return result


def loop(service: Service, stop: threading.Event) -> None:
    """Run a pass every `scheduler_interval` seconds until stopped (a failed pass is logged and retried)."""
    while not stop.is_set():
        try:
            result = run_once(service)
            if any(result.values()):
                log.info("scheduler planned mail", extra=result)
        except Exception:
            log.exception("scheduler pass failed; trying again later")
        stop.wait(service.settings.scheduler_interval)


def start(service: Service) -> threading.Thread:
    """Run the loop in a thread of this process until the service stops (make run's one-process mode)."""
    stop = threading.Event()
    thread = threading.Thread(target=loop, args=(service, stop), name="notification-scheduler", daemon=True)

    def halt() -> None:
        stop.set()
        thread.join(10)

    service.stops.append(halt)
    thread.start()
    return thread


def main(argv: list[str] | None = None) -> None:
    """Loop until SIGTERM or Ctrl-C, or with --once run one pass."""
    parser = argparse.ArgumentParser(prog="python -m notification.scheduler",
                                     description="Plan the assessors' digest and the deadline reminders.")
    parser.add_argument("--once", action="store_true", help="run one pass and exit (for a CronJob)")
    args = parser.parse_args(argv)
    service = bootstrap()
    configure_logging(service.settings.service, service.settings.log_level)
    try:
        if args.once:
            status = service.schema_status()
            if status != "ok":  # a CronJob fails loudly and runs again at its next time
                raise SystemExit(f"notification scheduler: the database is not ready: {status}")
            log.info("scheduler pass", extra=run_once(service))
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        if service.wait_until_migrated(stop):
            loop(service, stop)
    finally:
        service.stop()


if __name__ == "__main__":
    main()
