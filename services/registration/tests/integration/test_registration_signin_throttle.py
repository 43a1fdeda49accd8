"""The sign-in throttle on POST /credentials/verify, counted in the service's database: two app
instances (as two gunicorn workers or two replicas would be) share one count, on a real SecantusDB."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from registration_http import Clock

from registration import store as repo

pytestmark = pytest.mark.integration

PASSWORD = "grøn omstilling på biblioteket"
WRONG = "not the right password"


@pytest.fixture
def two(api, make_api):
    """Two app instances on the same database (and clock), each with its own test client and service."""
    return api, make_api()


@pytest.fixture
def email(api, active_library):
    return api.db.people.find_one({"_id": active_library[1]})["email"]


def verify(instance, email, password, address="192.0.2.1", **headers):
    body = {"email": email, "password": password}
    if address is not None:
        body["client_address"] = address
    return instance.call("POST", "/credentials/verify", body, who=instance.headers(**headers))


def test_an_account_is_throttled_after_five_failures_counted_across_instances(two, email):
    a, b = two
    for n in range(5):  # alternately on each instance, each from its own address
        assert verify((a, b)[n % 2], email, WRONG, address=f"198.51.100.{n}").status_code == 401
    refused = verify(b, email.upper(), PASSWORD, address="198.51.100.99")
    assert refused.status_code == 429, refused.json
    assert refused.json["code"] == "throttled"
    assert refused.json["detail"] == "For mange forsøg. Vent et kvarter og prøv igen."
    assert verify(a, email, PASSWORD, address="198.51.100.98").status_code == 429


def test_an_address_is_throttled_across_accounts_and_instances(two, email):
    a, b = two
    for n in range(20):
        assert verify((a, b)[n % 2], f"nobody{n}@bib.example", WRONG, address="203.0.113.7").status_code == 401
    assert verify(a, email, PASSWORD, address="203.0.113.7").status_code == 429
    assert verify(b, email, PASSWORD, address="203.0.113.8").status_code == 200, "another address is not held up"


def test_a_successful_sign_in_resets_the_accounts_count(two, email):
    a, b = two
    for _ in range(4):
        assert verify(a, email, WRONG).status_code == 401
    assert verify(b, email, PASSWORD).status_code == 200
    for _ in range(4):
        assert verify(b, email, WRONG).status_code == 401
    assert verify(a, email, PASSWORD).status_code == 200, "8 failures in all, but only 4 since the success"
    for _ in range(5):
        assert verify(a, email, WRONG).status_code == 401
    assert verify(b, email, PASSWORD).status_code == 429


def test_an_unknown_email_and_a_known_one_are_counted_and_refused_alike(two, email):
    a, b = two
    unknown = "nobody@bib.example"
    for instance in (a, b, a, b, a):
        first = verify(instance, unknown, WRONG, address="192.0.2.50", **{"X-Request-ID": "fixed"})
        second = verify(instance, email, WRONG, address="192.0.2.51", **{"X-Request-ID": "fixed"})
        assert first.status_code == second.status_code == 401
        assert first.get_data() == second.get_data()
    counted = a.service.uow.repos.signin_failures.counts(["account:" + unknown, "account:" + email],
                                                         a.clock() - timedelta(minutes=15))
    assert list(counted.values()) == [5, 5], "the same work and the same count for both"
    throttled_unknown = verify(b, unknown, PASSWORD, address="192.0.2.52", **{"X-Request-ID": "fixed"})
    throttled_known = verify(b, email, PASSWORD, address="192.0.2.53", **{"X-Request-ID": "fixed"})
    assert throttled_unknown.status_code == throttled_known.status_code == 429
    assert throttled_unknown.get_data() == throttled_known.get_data()


def test_refused_attempts_are_not_counted_and_the_window_slides(two, email):
    a, b = two
    clock: Clock = a.clock
    for _ in range(5):
        verify(a, email, WRONG)
    for _ in range(5):
        assert verify(b, email, WRONG).status_code == 429
    assert a.db[repo.SIGNIN_FAILURES].count_documents({"key": "account:" + email}) == 5
    clock.offset = timedelta(minutes=15, seconds=1)
    assert verify(b, email, PASSWORD).status_code == 200
    assert a.db[repo.SIGNIN_FAILURES].count_documents({"key": "account:" + email}) == 0


def test_the_limits_come_from_the_settings(make_api, active_library):
    api = make_api(login_max_per_account=2, login_max_per_address=0)
    email = api.db.people.find_one({"_id": active_library[1]})["email"]
    for _ in range(2):
        assert verify(api, email, WRONG).status_code == 401
    assert verify(api, email, PASSWORD).status_code == 429
    for n in range(30):  # the address counter is off
        assert verify(api, f"nobody{n}@bib.example", WRONG).status_code == 401


def test_failures_expire_by_themselves_through_a_ttl_index(api):
    indexes = api.db[repo.SIGNIN_FAILURES].index_information()
    assert indexes["signin_failures_ttl"]["expireAfterSeconds"] == 0
    verify(api, "nobody@bib.example", WRONG)
    doc = api.db[repo.SIGNIN_FAILURES].find_one({"key": "account:nobody@bib.example"})
    assert doc["expires_at"] - doc["at"] == timedelta(minutes=15)


def test_a_hash_made_with_older_argon2_parameters_is_replaced_at_the_next_sign_in(api, email):
    passwords = api.service.hasher
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    api.db.people.update_one({"email": email}, {"$set": {"password_hash": weak}})
    assert passwords.needs_rehash(weak)
    assert verify(api, email, WRONG).status_code == 401
    assert api.db.people.find_one({"email": email})["password_hash"] == weak  # a failure changes nothing
    assert verify(api, email, PASSWORD).status_code == 200
    upgraded = api.db.people.find_one({"email": email})["password_hash"]
    assert upgraded != weak and not passwords.needs_rehash(upgraded)
    assert verify(api, email, PASSWORD).status_code == 200  # the new hash verifies the same password
