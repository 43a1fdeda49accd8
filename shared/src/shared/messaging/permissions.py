"""Each service's RabbitMQ account, derived from the event catalogue: it may configure its own
queues, the queues of its types' consumers (it declares them) and the archive, read its own queues,
and write on the events exchange only the routing keys of the types it produces (a topic permission).

RabbitMQ checks the AMQP `user_id` property of every message against the publishing connection's
user, so together with these permissions a consumer knows which service published a message.
The default exchange is not a topic exchange (a service needs it for its own retries and dead
letters), so a service could still drop a message straight into another's queue: the consumer's
check of `user_id` against the type's producer dead-letters it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.events.base import CATALOGUE, produced_by, subscriptions

SERVICES = ("registration", "evidence", "scoring", "notification")
# Every broker account: the services, and the gateway, which only listens to person.access_changed
# (each of its processes on an exclusive queue of its own, gateway.access.<random>).
ACCOUNTS = (*SERVICES, "gateway")
GATEWAY_TYPES = ("person.access_changed",)


@dataclass(frozen=True)
class Permissions:
    configure: str
    write: str
    read: str
    topic_write: str  # on <prefix>.events
    topic_read: str = ".*"


def _any_of(names: list[str]) -> str:
    return "^(" + "|".join(names) + ")$" if names else "^$"


def service_permissions(prefix: str, service: str) -> Permissions:
    """The permissions of one service's broker account under a prefix."""
    p = re.escape(prefix)
    if service == "gateway":
        queues = rf"{p}\.gateway\.access\..+"
        return Permissions(configure=_any_of([queues]), write=_any_of([queues]),
                           read=_any_of([rf"{p}\.events", queues]), topic_write="^$",
                           topic_read=_any_of([re.escape(t) for t in GATEWAY_TYPES]))
    own = [rf"{p}\.{re.escape(service)}(\..+)?"] if subscriptions(service) else []
    produced = produced_by(service)
    consumers = sorted({c for t in produced for c in CATALOGUE[t].consumers} - {service})
    others = [rf"{p}\.{re.escape(c)}" for c in consumers]
    archive = [rf"{p}\.archive"] if produced else []
    exchange = [rf"{p}\.events"]
    return Permissions(
        configure=_any_of(exchange + own + others + archive),
        # amq.default: retries and dead letters into its own queues; queues: binding them
        write=_any_of([r"amq\.default", *exchange, *own, *others, *archive]),
        read=_any_of(exchange + own),
        topic_write=_any_of([re.escape(t) for t in produced]),
    )


def user_name(user_prefix: str, service: str) -> str:
    return f"{user_prefix}{service}"
