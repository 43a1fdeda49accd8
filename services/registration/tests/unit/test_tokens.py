from datetime import timedelta

import pytest

from registration.domain import (
    CONFIRMATION,
    INVITATION,
    PASSWORD_RESET,
    TokenExpired,
    TokenSuperseded,
    TokenUnknown,
    TokenUsed,
    consume,
    hash_token,
    issue_token,
    supersede,
)
from registration.domain.errors import NotFound, TokenGone

pytestmark = pytest.mark.unit


def test_issued_token_is_random_url_safe_and_stored_only_as_sha256(now):
    first, second = issue_token(CONFIRMATION, now), issue_token(CONFIRMATION, now)
    assert first.token != second.token
    assert len(first.token) >= 40
    assert all(c.isalnum() or c in "-_" for c in first.token)
    assert first.record.token_hash == hash_token(first.token)
    assert first.token not in repr(first.record)
    assert len(first.record.token_hash) == 64


@pytest.mark.parametrize(
    "purpose, lifetime",
    [(CONFIRMATION, timedelta(hours=48)), (INVITATION, timedelta(days=7)), (PASSWORD_RESET, timedelta(hours=1))],
)
def test_token_expires_after_its_purposes_lifetime(now, purpose, lifetime):
    assert issue_token(purpose, now).record.expires_at == now + lifetime


def test_consuming_a_token_marks_it_used(now):
    issued = issue_token(CONFIRMATION, now)
    used = consume(issued.record, issued.token, now + timedelta(hours=1))
    assert used.used_at == now + timedelta(hours=1)
    assert issued.record.used_at is None  # records are values: the caller stores the new one


def test_token_cannot_be_consumed_twice(now):
    issued = issue_token(CONFIRMATION, now)
    used = consume(issued.record, issued.token, now)
    with pytest.raises(TokenUsed) as err:
        consume(used, issued.token, now)
    assert isinstance(err.value, TokenGone)


def test_expired_token_is_refused(now):
    issued = issue_token(PASSWORD_RESET, now)
    consume(issued.record, issued.token, now + timedelta(minutes=59))
    with pytest.raises(TokenExpired):
        consume(issued.record, issued.token, now + timedelta(hours=1))


def test_unknown_or_wrong_token_is_refused(now):
    issued = issue_token(INVITATION, now)
    with pytest.raises(TokenUnknown):
        consume(None, issued.token, now)
    with pytest.raises(TokenUnknown):
        consume(issued.record, "not-the-token", now)
    with pytest.raises(TokenUnknown):
        consume(issued.record, "x" * 500, now)
    with pytest.raises(TokenUnknown) as err:
        consume(issued.record, issued.token, now, purpose=PASSWORD_RESET)
    assert isinstance(err.value, NotFound)


def test_superseded_token_is_refused(now):
    issued = issue_token(INVITATION, now)
    with pytest.raises(TokenSuperseded):
        consume(supersede(issued.record, now), issued.token, now)


def test_token_clock_must_be_timezone_aware(now):
    with pytest.raises(ValueError):
        issue_token(CONFIRMATION, now.replace(tzinfo=None))
