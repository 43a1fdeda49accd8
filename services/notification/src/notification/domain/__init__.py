"""Pure rules of the notification service: no pymongo, kombu or flask imports here.

- `recipients`: the projection of libraries and people built from registration events.
- `selectors`: named rules that pick the recipients of one event.
- `routing`: the routing table (event type -> recipients, template, essential) and `plan_messages`.
- `messages`: rendering templates and building safe MIME messages.
- `tokens`: the one-time tokens (confirmation, invitation, reset) mail links carry.
- `preferences`: opt-out of non-essential mail and signed unsubscribe tokens.
- `clarifications`: which events open and end a question's deadline reminder (evidence, action plans).
- `schedule`: which days the assessors' digest goes out.
- `localtime`: the day and hour in Copenhagen, where the libraries read their mail.
- `delivery`: SMTP error classification, retry backoff and a token-bucket rate limiter.
- `actions`: who may do what (the `actions` in answers, and the access rules behind them).
- `commands`, `errors`: what the service is asked to do, and the ways it refuses.
"""
