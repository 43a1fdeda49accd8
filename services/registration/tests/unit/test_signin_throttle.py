"""The sign-in throttle's pure rules: keys, limits, the window."""

from datetime import UTC, datetime, timedelta

import pytest

from registration.domain.signin import SignInThrottled, ThrottlePolicy, account_key, address_key

pytestmark = pytest.mark.unit


def test_the_account_key_is_the_normalised_address_known_or_not():
    assert account_key("  Karen@Bib.Example ") == "account:karen@bib.example"
    assert account_key("Not An Address") == "account:not an address"


def test_the_address_key_is_absent_without_an_address_and_never_long():
    assert address_key(None) is None and address_key("  ") is None
    assert address_key("2001:db8::1") == "address:2001:db8::1"
    assert len(address_key("x" * 500)) == len("address:") + 64


def test_the_sixth_attempt_on_an_account_and_the_twenty_first_from_an_address_are_refused():
    policy = ThrottlePolicy()
    account, address = policy.keys("karen@bib.example", "192.0.2.1")
    assert not policy.blocked({account: 5, address: 1})
    assert policy.blocked({account: 6, address: 1})
    assert not policy.blocked({account: 1, address: 20})
    assert policy.blocked({account: 1, address: 21})


def test_a_limit_of_zero_turns_its_counter_off():
    assert ThrottlePolicy(per_address=0).keys("karen@bib.example", "192.0.2.1") == ["account:karen@bib.example"]
    assert ThrottlePolicy(per_account=0).keys("karen@bib.example", "192.0.2.1") == ["address:192.0.2.1"]
    assert ThrottlePolicy().keys("karen@bib.example", None) == ["account:karen@bib.example"]


def test_the_policy_counts_back_one_window():
    policy = ThrottlePolicy(per_account=3, per_address=7, window=timedelta(seconds=60))
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert policy.since(now) == now - timedelta(seconds=60)


def test_the_throttled_error_speaks_danish_first():
    err = SignInThrottled()
    assert err.code == "throttled" and err.message_da.startswith("For mange forsøg")
