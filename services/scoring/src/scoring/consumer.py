"""The scoring consumer process: consumes registration and evidence events and runs the
certificate scheduler (check-in reminders, lapses, daily re-score) every hour."""

from __future__ import annotations

import logging
import os
import signal
import threading

from scoring import handlers
from scoring.bootstrap import SERVICE
from shared.config import Settings

log = logging.getLogger(__name__)


def main() -> None:
    settings = Settings.from_env("scoring")
    runtime = SERVICE.start_consumer(settings)
    service_store = runtime.open_store()
    handlers.seed_model_v1(service_store)
    interval = float(os.environ.get("CHORA_SCORING_SCHEDULER_INTERVAL", "3600"))
    scheduler = handlers.Scheduler(service_store, interval=interval).start()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    log.info("consumer and scheduler started", extra={"queue": runtime.topology.queue_name})
    stop.wait()
    scheduler.stop()
    runtime.stop()


if __name__ == "__main__":
    main()
