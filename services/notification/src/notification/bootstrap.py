"""Where the notification service is wired together: indexes, errors, HTTP API and event handlers."""

from notification import api, handlers, store
from notification.config import Settings
from notification.domain.errors import InvalidUnsubscribeToken
from shared.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name="notification",
    settings_class=Settings,
    title="Notification service",
    indexes=store.INDEXES,
    mapped_errors={InvalidUnsubscribeToken: 400},
    blueprints=api.blueprints,
    event_handlers=handlers.EVENT_HANDLERS,
    on_consumer_start=lambda store, settings: _start_workers(store, settings),
)


def _start_workers(store, settings):
    """The consumer process sends the mail and runs the scheduler; the HTTP app only writes mail."""
    from notification import workers

    return workers.start(store, settings).stop if workers.LAZY_START else None


def bootstrap(settings: Settings | None = None):
    """Build the service from its settings (the HTTP app and the consumer run on what this gives)."""
    return SERVICE.bootstrap(settings)
