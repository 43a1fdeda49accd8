from __future__ import annotations

import pytest

from notification.domain.errors import InvalidUnsubscribeToken
from notification.domain.preferences import (
    make_unsubscribe_token,
    read_unsubscribe_token,
    wants_mail,
)

pytestmark = pytest.mark.unit


def test_unsubscribe_token_round_trips():
    token = make_unsubscribe_token("s3cret", "P1")
    assert read_unsubscribe_token("s3cret", token) == "P1"


def test_unsubscribe_token_is_url_safe():
    token = make_unsubscribe_token("s3cret", "P1/+?&")
    assert all(ch.isalnum() or ch in "-_." for ch in token)


@pytest.mark.parametrize("token", ["", "garbage", "eyJwIjoiUDEifQ.forged"])
def test_a_forged_token_is_refused(token):
    with pytest.raises(InvalidUnsubscribeToken):
        read_unsubscribe_token("s3cret", token)


def test_a_token_signed_with_another_secret_is_refused():
    with pytest.raises(InvalidUnsubscribeToken):
        read_unsubscribe_token("s3cret", make_unsubscribe_token("other", "P1"))


def test_a_tampered_token_is_refused():
    token = make_unsubscribe_token("s3cret", "P1")
    payload, signature = token.rsplit(".", 1)
    with pytest.raises(InvalidUnsubscribeToken):
        read_unsubscribe_token("s3cret", payload.replace("A", "B") + "." + signature[::-1])


def test_essential_mail_is_always_wanted():
    assert wants_mail({"non_essential": False}, essential=True)


def test_non_essential_mail_follows_the_opt_out():
    assert wants_mail(None, essential=False)
    assert wants_mail({"non_essential": True}, essential=False)
    assert not wants_mail({"non_essential": False}, essential=False)
