"""The evidence service: action plans, evidence items, attachments, reviews and clarification threads.

`evidence.domain` holds the pure rules (no database, broker or web imports); the adapters around it
(store, handlers, views, schemas, api, consumer, migrate) are wired together in `bootstrap`.
"""
