"""Notification service: turn platform events into the right e-mails for the right people.

It keeps its own projection of recipients (libraries and people, fed by registration events),
routes every event type through one table to recipients and a template, renders Danish or
English mail, delivers it over SMTP with retries, and plans the assessors' digest and deadline
reminders on a schedule. `notification.domain` holds the pure rules; `bootstrap` wires the
adapters (store, handlers, sender, API, consumer, scheduler) around it.
"""
