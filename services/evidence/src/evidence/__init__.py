"""The evidence service: action plans, evidence items, attachments, reviews and clarification threads.

`evidence.domain` holds the pure rules (no database, broker or web imports); the service's
adapters (store, handlers, api, consumer) wire them to MongoDB, RabbitMQ and HTTP.
"""
