"""Delivery policy: which SMTP failures are worth retrying, how long to wait, how fast to send.

Only stdlib exception classes are inspected here; the sender adapter owns the SMTP connection.
"""

from __future__ import annotations

import re
import smtplib
from collections.abc import Callable
from typing import Literal

Classification = Literal["transient", "permanent"]
TRANSIENT: Classification = "transient"
PERMANENT: Classification = "permanent"

BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0
MAX_ATTEMPTS = 8

_CODE = re.compile(r"^\s*([2-5])\d\d\b")


def classify_smtp_error(error: BaseException | int | str) -> Classification:
    """Classify an SMTP failure: 4xx, refused connections and timeouts are transient, 5xx permanent."""
    if isinstance(error, bool):  # bool is an int; never a reply code
        return PERMANENT
    if isinstance(error, int):
        return _by_code(error)
    if isinstance(error, str):
        match = _CODE.match(error)
        return _by_code(int(error.strip()[:3])) if match else TRANSIENT
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        # Retry if any recipient might still be reached; give up only when all are refused for good.
        if codes and all(_by_code(code) == PERMANENT for code in codes):
            return PERMANENT
        return TRANSIENT
    if isinstance(error, smtplib.SMTPResponseException):  # sender refused, data error, connect error
        return _by_code(error.smtp_code)
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return PERMANENT
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return TRANSIENT
    if isinstance(error, (OSError, TimeoutError)):  # refused, reset, unreachable, DNS, timeouts
        return TRANSIENT
    if isinstance(error, (ValueError, TypeError, UnicodeError)):
        # A message we cannot even build or encode will not get better by waiting.
        return PERMANENT
    return TRANSIENT


def _by_code(code: int) -> Classification:
    if 400 <= code < 500:
        return TRANSIENT
    if 500 <= code < 600:
        return PERMANENT
    # Anything else (a 2xx/3xx surfacing as an error, or -1 from smtplib) is odd; try again.
    return TRANSIENT


def backoff(attempt: int, *, base: float = BACKOFF_BASE_SECONDS, cap: float = BACKOFF_CAP_SECONDS) -> float:
    """Return the delay before retry number `attempt` (1-based): base * 2**(attempt-1), capped."""
    if attempt < 1:
        return 0.0
    # Clamp the exponent so huge attempt numbers cannot overflow a float.
    return float(min(cap, base * 2 ** min(attempt - 1, 62)))


def next_step(
    error: BaseException | int | str,
    attempt: int,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    base: float = BACKOFF_BASE_SECONDS,
    cap: float = BACKOFF_CAP_SECONDS,
) -> tuple[Literal["retry", "park"], float]:
    """Decide after failed attempt number `attempt`: ("retry", delay) or ("park", 0.0)."""
    if classify_smtp_error(error) == PERMANENT or attempt >= max_attempts:
        return "park", 0.0
    return "retry", backoff(attempt, base=base, cap=cap)


class RateLimiter:
    """A token bucket: at most `rate_per_sec` sends per second on average, bursts up to `burst`.

    The clock is injected (a callable returning seconds, e.g. time.monotonic) so it stays pure.
    """

    def __init__(self, rate_per_sec: float, clock: Callable[[], float], burst: float | None = None) -> None:
        if rate_per_sec <= 0:
            raise ValueError("rate_per_sec must be positive")
        self.rate = float(rate_per_sec)
        self.capacity = float(burst if burst is not None else max(1.0, rate_per_sec))
        if self.capacity <= 0:
            raise ValueError("burst must be positive")
        self._clock = clock
        self._tokens = self.capacity
        self._last = clock()

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._last)  # a clock going backwards adds nothing
        self._last = now
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)

    def try_acquire(self, tokens: float = 1.0) -> bool:
        """Take `tokens` if available now and tell whether they were taken."""
        self._refill()
        if self._tokens >= tokens:
            self._tokens -= tokens
            return True
        return False

    def wait_time(self, tokens: float = 1.0) -> float:
        """Return the seconds to wait until `tokens` are available (0.0 if they are now)."""
        if tokens > self.capacity:
            raise ValueError("cannot ever acquire more tokens than the bucket holds")
        self._refill()
        return max(0.0, (tokens - self._tokens) / self.rate)
