"""The consumer process's background threads: the mail sender and the scheduler.

They start with the consumer (ServiceDefinition.on_consumer_start, in `python -m
notification.consumer` and in deploy/embedded.py's in-process mode alike), so pending mail and
mails a crashed sender left in `sending` go out at start-up, before any new event arrives; once
per store.
The HTTP app (gunicorn) never sends: it only writes mails (resend, POST /scheduler/run) that the
consumer process's sender picks up within `poll_interval`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from notification import handlers
from notification.config import MailConfig, Settings
from notification.scheduler import SchedulerThread
from notification.sender import MailSender
from shared.mongo import ServiceStore

# Tests that start the workers themselves (with short timings) turn the automatic start off.
LAZY_START = True

_lock = threading.Lock()
_running: dict[int, Workers] = {}


@dataclass
class Workers:
    store: ServiceStore
    sender: MailSender
    scheduler: SchedulerThread | None

    def stop(self) -> None:
        with _lock:
            _running.pop(id(self.store), None)
        self.sender.stop()
        if self.scheduler is not None:
            self.scheduler.stop()


def start(store: ServiceStore, settings: Settings, config: MailConfig | None = None, *,
          scheduler: bool = True, clock=None) -> Workers:
    """Start the sender (and the scheduler) for this store, unless they already run."""
    config = config or MailConfig.from_env()
    clock = clock or (lambda: handlers.clock())
    with _lock:
        running = _running.get(id(store))
        if running is not None:
            return running
        sender = MailSender(store, settings, config, clock=clock).start()
        sched = SchedulerThread(store, config, clock).start() if scheduler else None
        workers = _running[id(store)] = Workers(store, sender, sched)
        return workers


def ensure_started(store: ServiceStore, settings: Settings) -> None:
    if LAZY_START and id(store) not in _running:
        start(store, settings)


def running_for(store: ServiceStore) -> Workers | None:
    return _running.get(id(store))
