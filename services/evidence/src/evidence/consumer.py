"""`python -m evidence.consumer`: consume the events the evidence service handles (person.erased,
library.registered, library.updated) through its bus, once its database is migrated."""

from __future__ import annotations

import logging
import threading

from evidence.bootstrap import Service, bootstrap
from shared import jsonlog, tracing
from shared.runtime import wait_for_signal

log = logging.getLogger(__name__)

# How often a consumer started on an unmigrated database looks again.
SCHEMA_POLL_SECONDS = 2.0


def start(service: Service, *, in_thread: bool = True) -> None:
    """Consume the service's queue (and relay its outbox); wait for the migration if it is missing."""
    service.runtime.start_relay()
    if service.schema_state() == "ok":
        service.runtime.start_consumer(service.bus.handle_event, in_thread=in_thread)
        return
    log.warning("not consuming yet", extra={"schema": service.schema_state()})
    if in_thread:
        threading.Thread(target=_consume_once_migrated, args=(service, True), daemon=True,
                         name="evidence-awaits-migration").start()
    else:
        _consume_once_migrated(service, False)


def _consume_once_migrated(service: Service, in_thread: bool) -> None:
    while not service.stopping.wait(SCHEMA_POLL_SECONDS):
        if service.schema_state() == "ok":
            log.info("database migrated: consuming")
            service.runtime.start_consumer(service.bus.handle_event, in_thread=in_thread)
            return


def main() -> None:
    """Consume until SIGTERM or Ctrl-C, answering the probes and /metrics on the metrics port."""
    service = bootstrap()
    jsonlog.configure(service.settings.service, service.settings.log_level)
    tracing.configure(service.settings.service)
    start(service, in_thread=True)
    service.runtime.serve_probes()
    log.info("consumer started", extra={"queue": service.runtime.topology.queue_name})
    wait_for_signal()
    service.stop()


if __name__ == "__main__":
    main()
