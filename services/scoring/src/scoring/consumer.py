"""`python -m scoring.consumer`: consume the registration, cohort and evidence events scoring
follows, handing each (or each batch already waiting) to the service's bus. It starts consuming
only once the database has the schema this code needs (scoring.migrate)."""

from __future__ import annotations

import logging
import threading

from scoring.bootstrap import Service, bootstrap
from shared import jsonlog, tracing
from shared.runtime import wait_for_signal

log = logging.getLogger(__name__)


def start(service: Service, *, in_thread: bool = True) -> None:
    """Start the service's outbox relay and consume its queue once the database has its schema:
    in a thread (which first waits for the schema if need be), or, with in_thread False, after
    waiting here, leaving service.runtime.consumer for the caller to run."""
    service.runtime.start_relay()
    stopped = threading.Event()
    service.runtime.on_stop.append(stopped.set)

    def consume() -> None:
        service.runtime.start_consumer(service.bus.handle_event, in_thread=in_thread,
                                       handle_batch=service.bus.handle_events)

    if service.schema_problem() is None or not in_thread:
        if service.wait_for_schema(stopped):
            consume()
        return

    def consume_once_migrated() -> None:
        if service.wait_for_schema(stopped):
            consume()

    threading.Thread(target=consume_once_migrated, daemon=True, name="scoring-consumer-waits-for-schema").start()


def main() -> None:
    """Consume until SIGTERM or Ctrl-C, answering the probes and /metrics on the metrics port."""
    service = bootstrap()
    jsonlog.configure(service.settings.service, service.settings.log_level)
    tracing.configure(service.settings.service)
    start(service)
    service.runtime.serve_probes()
    log.info("consumer started", extra={"queue": service.runtime.topology.queue_name})
    wait_for_signal()
    service.stop()


if __name__ == "__main__":
    main()
