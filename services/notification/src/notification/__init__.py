"""Notification service: turn platform events into the right e-mails for the right people.

It keeps its own projection of recipients (libraries and people, fed by registration events),
routes every event type through one table to recipients and a template, renders Danish or
English mail and hands it to the SMTP relay. `notification.domain` holds the pure rules;
adapters (store, consumer, API, sender) live beside it and import from it, never the reverse.
"""
