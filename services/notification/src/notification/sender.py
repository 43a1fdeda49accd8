"""The sender: delivers pending mails from the `mails` outbox over SMTP, one attempt at a time.

Exactly one mail per (event, recipient), as far as SMTP allows:
- a mail is claimed atomically (status `sending`, attempt time, attempts+1) BEFORE any SMTP, and its
  outcome is recorded AFTER, only by the attempt that claimed it;
- a mail found in `sending` for longer than `mail_stale_sending` seconds belonged to a sender that died
  mid-send and is tried again. Trade-off: if that sender died after the server accepted the DATA
  but before it recorded `sent`, the person gets the mail twice (SMTP has no way to ask "did you get
  it?"); not retrying would instead lose every mail in flight at a crash. We prefer a rare duplicate
  to a lost confirmation link; both copies carry the same Message-ID (derived from the dedup key),
  so mail clients and relays that de-duplicate will show one. The threshold must exceed the
  longest live attempt so a slow but alive sender (another replica) is never doubled.
Transient failures (refused connection, timeouts, 4xx) are retried with exponential backoff; a
permanent one (5xx, a mail that cannot be built) is recorded as failed and announced as mail.failed.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any, Protocol

from notification.config import Settings
from notification.domain.delivery import RateLimiter, next_step
from notification.domain.localtime import local_day
from notification.domain.messages import build_message, message_id_for, render_planned
from notification.domain.preferences import wants_mail
from notification.domain.routing import PlannedMail
from notification.store import Repositories
from shared import keys, tracing
from shared.uow import UnitOfWork, Work
from shared.vocabulary import MAIL_CANCELLED, MAIL_FAILED, MAIL_SUPPRESSED

log = logging.getLogger(__name__)


class Transport(Protocol):
    """Hands one message to the relay; raises smtplib's or the socket's errors."""

    def __call__(self, settings: Settings, message: EmailMessage, *, timeout: float) -> None: ...


class _BuildError(Exception):
    """The mail cannot be rendered or built: waiting will not help."""


def smtp_send(settings: Settings, message: EmailMessage, *, timeout: float) -> None:
    """Hand one message to the configured relay (STARTTLS and login when configured)."""
    sender = parseaddr(str(message["From"]))[1]
    recipient = parseaddr(str(message["To"]))[1]
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout) as smtp:
        smtp.ehlo()
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message, from_addr=sender, to_addrs=[recipient])


class MailSender:
    """Delivers due mails at most `settings.mail_rate_per_second`, in one thread once started.

    Built by bootstrap in every process; only the consumer process starts it (`consumer.start`).
    `wake()` (called after a commit that wrote mail) makes a started sender look at once; the
    poll every `mail_poll_interval` is only the safety net, e.g. for mail the HTTP app wrote.
    """

    def __init__(self, uow: UnitOfWork[Repositories], settings: Settings, clock: Callable[[], datetime],
                 transport: Transport = smtp_send):
        self.uow, self.settings, self.clock, self.transport = uow, settings, clock, transport
        self.limiter = RateLimiter(settings.mail_rate_per_second, time.monotonic)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_recovery = 0.0
        self.domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> MailSender:
        """Release what a crashed predecessor left in `sending`, then send in a thread (once)."""
        if self._thread is None:
            self.recover()
            self._thread = threading.Thread(target=self._run, name="notification-sender", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread after the attempt in hand."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Look for due mail now (new mail was committed)."""
        self._wake.set()

    def _run(self) -> None:
        poll = self.settings.mail_poll_interval
        while not self._stop.is_set():
            try:
                if time.monotonic() - self._last_recovery > max(self.settings.mail_stale_sending / 4, 5.0):
                    self.recover()
                if not self.send_one():
                    self._wake.wait(poll)
                    self._wake.clear()
            except Exception:  # the store may be briefly unreachable; never let the thread die
                log.exception("sender loop failed; retrying")
                self._stop.wait(poll)

    # -- one step -------------------------------------------------------------------------------
    def recover(self) -> int:
        """Put mails stuck in `sending` longer than `mail_stale_sending` back to pending."""
        self._last_recovery = time.monotonic()
        now = self.clock()
        count = self.uow.repos.mails.release_stale(now - timedelta(seconds=self.settings.mail_stale_sending), now)
        if count:
            log.warning("mails left in sending were released for a retry", extra={"count": count})
        return count

    def send_one(self) -> bool:
        """Claim and attempt one due mail; False when nothing is due."""
        wait = self.limiter.wait_time()
        if wait > 0:
            self._stop.wait(wait)
        if not self.limiter.try_acquire():
            return True
        mail = self.uow.repos.mails.claim_next(self.clock())
        if mail is None:
            return False
        self._attempt(mail)
        return True

    def _attempt(self, mail: dict[str, Any]) -> None:
        repos, s = self.uow.repos, self.settings
        if not mail.get("email") or repos.recipients.is_erased(mail["person_id"]):
            repos.mails.mark_final(mail, MAIL_CANCELLED, "recipient erased", self.clock())
            return
        if not wants_mail(repos.preferences.get(mail["person_id"]), essential=mail["essential"]):
            repos.mails.mark_final(mail, MAIL_SUPPRESSED, "recipient opted out", self.clock())
            return
        try:
            message = self._build(mail)
            with tracing.span("notification", "smtp send", kind=tracing.SpanKind.CLIENT,
                              parent=tracing.context_from(mail.get("trace")),
                              attributes={"mail.template": mail.get("template", ""), "mail.id": mail["_id"]}):
                self.transport(s, message, timeout=s.smtp_timeout)
        except _BuildError as exc:
            self._fail(mail, f"cannot build the mail: {exc.__cause__!r}")
        except Exception as exc:
            action, delay = next_step(exc, mail["attempts"], max_attempts=s.mail_max_attempts,
                                      base=s.mail_retry_base, cap=s.mail_retry_cap)
            reason = _describe(exc)
            if action == "retry":
                log.info("mail delivery failed; retrying", extra={"mail_id": mail["_id"], "in_seconds": delay})
                repos.mails.mark_retry(mail, reason, self.clock() + timedelta(seconds=delay))
            else:
                self._fail(mail, reason)
        else:
            repos.mails.mark_sent(mail, self.clock())

    def _build(self, mail: dict[str, Any]) -> EmailMessage:
        try:
            planned = PlannedMail.from_dict(mail)
            # Relative dates ("om 2 dage") are told from the day the mail really goes out, in Denmark.
            rendered = render_planned(planned, self.settings.public_url, self.settings.key(keys.UNSUBSCRIBE),
                                      today=local_day(self.clock()))
            return build_message(
                rendered, mail.get("name") or "", mail["email"], self.settings.mail_from,
                message_id=message_id_for(mail["dedup_key"], self.domain), sent_at=self.clock(),
            )
        except Exception as exc:
            raise _BuildError(str(exc)) from exc

    def _fail(self, mail: dict[str, Any], reason: str) -> None:
        at = self.clock()

        def work(w: Work[Repositories]) -> None:
            if w.repos.mails.mark_final(mail, MAIL_FAILED, reason, at):
                w.emit("mail.failed", {
                    "mail_id": mail["_id"], "person_id": mail.get("person_id"),
                    "library_id": mail.get("library_id"), "template": mail["template"], "reason": reason[:500],
                })

        self.uow.run(work)
        log.warning("mail delivery failed for good", extra={"mail_id": mail["_id"], "reason": reason})


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {msg!r}" for code, msg in exc.recipients.values())
    return f"{exc.__class__.__name__}: {exc}"
