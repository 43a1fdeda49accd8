from __future__ import annotations

import smtplib
import socket

import pytest

from notification.domain.delivery import (
    BACKOFF_CAP_SECONDS,
    RateLimiter,
    backoff,
    classify_smtp_error,
    next_step,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "error",
    [
        421,
        450,
        "451 4.3.0 try again later",
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError("timed out"),
        socket.gaierror(-3, "Temporary failure in name resolution"),
        smtplib.SMTPServerDisconnected("gone"),
        smtplib.SMTPConnectError(421, b"busy"),
        smtplib.SMTPDataError(452, b"insufficient storage"),
        smtplib.SMTPRecipientsRefused({"a@x.dk": (450, b"mailbox busy"), "b@x.dk": (550, b"no")}),
    ],
)
def test_transient_failures(error):
    assert classify_smtp_error(error) == "transient"


@pytest.mark.parametrize(
    "error",
    [
        550,
        554,
        "550 5.1.1 user unknown",
        smtplib.SMTPSenderRefused(553, b"sender rejected", "noreply@example.dk"),
        smtplib.SMTPDataError(554, b"rejected as spam"),
        smtplib.SMTPRecipientsRefused({"a@x.dk": (550, b"no such user")}),
        smtplib.SMTPAuthenticationError(535, b"bad credentials"),
        smtplib.SMTPNotSupportedError("no STARTTLS"),
        ValueError("cannot build"),
    ],
)
def test_permanent_failures(error):
    assert classify_smtp_error(error) == "permanent"


def test_backoff_doubles_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [30.0, 60.0, 120.0, 240.0]
    assert backoff(50) == BACKOFF_CAP_SECONDS
    assert backoff(10_000) == BACKOFF_CAP_SECONDS
    assert backoff(0) == 0.0
    assert backoff(3, base=1, cap=3) == 3


def test_next_step_retries_transient_and_parks_permanent_or_exhausted():
    assert next_step(421, 1) == ("retry", 30.0)
    assert next_step(550, 1) == ("park", 0.0)
    assert next_step(421, 8, max_attempts=8) == ("park", 0.0)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_allows_a_burst_then_refills_over_time():
    clock = FakeClock()
    limiter = RateLimiter(2, clock)
    assert limiter.try_acquire() and limiter.try_acquire()
    assert not limiter.try_acquire()
    assert limiter.wait_time() == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.try_acquire()
    assert not limiter.try_acquire()


def test_rate_limiter_never_holds_more_than_its_burst():
    clock = FakeClock()
    limiter = RateLimiter(1, clock, burst=3)
    clock.now += 3600
    assert [limiter.try_acquire() for _ in range(4)] == [True, True, True, False]


def test_rate_limiter_ignores_a_clock_going_backwards():
    clock = FakeClock()
    limiter = RateLimiter(1, clock)
    assert limiter.try_acquire()
    clock.now -= 10
    assert not limiter.try_acquire()


def test_rate_limiter_refuses_a_nonsense_rate():
    with pytest.raises(ValueError):
        RateLimiter(0, FakeClock())
