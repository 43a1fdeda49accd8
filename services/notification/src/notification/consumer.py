"""`python -m notification.consumer`: consume the service's queue and send the mail its handlers
write (the mail sender runs in this process only; the scheduler is its own process,
`python -m notification.scheduler`)."""

from __future__ import annotations

import logging
import signal
import threading

from notification.bootstrap import Service, bootstrap
from shared import tracing
from shared.jsonlog import configure as configure_logging

log = logging.getLogger(__name__)


def start(service: Service, *, in_thread: bool = True, stop: threading.Event | None = None) -> None:
    """Consume the queue once the database is migrated, with the sender and this process's relay.

    With `in_thread` the consumer runs in a thread and this returns; otherwise it consumes here
    until the runtime stops.
    """
    if not service.wait_until_migrated(stop or threading.Event()):
        return
    service.sender.start()  # also sends what is pending and what a crashed sender left in `sending`
    service.runtime.start_relay()
    consumer = service.runtime.start_consumer(service.bus.handle_event, in_thread=in_thread)
    if not in_thread:
        consumer.run()


def main() -> None:
    """Consume until SIGTERM or Ctrl-C, answering the probes and /metrics on the metrics port."""
    service = bootstrap()
    configure_logging(service.settings.service, service.settings.log_level)
    tracing.configure(service.settings.service)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    service.runtime.serve_probes()
    start(service, stop=stop)
    if not stop.is_set():
        log.info("consumer started", extra={"queue": service.runtime.topology.queue_name})
        # A timed wait: a signal handed to another thread runs its handler only when this (main)
        # thread next runs Python code.
        while not stop.wait(1.0):
            pass
    service.stop()


if __name__ == "__main__":
    main()
