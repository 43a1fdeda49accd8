"""Messaging on kombu: the topic exchange and per-service queues, a confirming publisher, the
outbox relay and a consumer with delayed retries and a dead-letter queue."""

from shared.messaging.topology import Topology

__all__ = ["Topology"]
