"""Shared library of the platform: event catalogue, messaging on kombu, outbox and inbox on
pymongo, configuration, JSON logging, HTTP plumbing and the test harness. It has no entry points
of its own except the operator's bus tool."""
