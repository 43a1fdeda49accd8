"""The commands the notification service accepts (from its HTTP API and its scheduler), each
carrying the caller it is decided for."""

from __future__ import annotations

from dataclasses import dataclass

from notification.domain.actions import Actor


@dataclass(frozen=True)
class SetPreferences:
    """Turn a person's non-essential mail (news, reminders, digests) on or off."""

    person_id: str
    non_essential: bool
    actor: Actor


@dataclass(frozen=True)
class Unsubscribe:
    """Turn off non-essential mail for the person a signed unsubscribe link names."""

    token: str


@dataclass(frozen=True)
class ResendMail:
    """Queue a logged mail again."""

    mail_id: str
    actor: Actor


@dataclass(frozen=True)
class RunScheduler:
    """Plan the assessors' digest and the deadline reminders that are due now (idempotent)."""

    actor: Actor
