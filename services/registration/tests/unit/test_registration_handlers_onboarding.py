"""Self-registration, email confirmation and the sign-in through the handlers, on in-memory
repositories; outcomes read back through the views, the repositories and the committed events."""

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from registration_steps import ANONYMOUS, PASSWORD, active_library, registration, token_of

from registration import views
from registration.domain import commands as c
from registration.domain.errors import (
    Hidden,
    InvalidCredentials,
    InvalidField,
    InvalidInput,
    IsilInUse,
    TokenExpired,
    TokenUsed,
)
from registration.domain.signin import SignInThrottled
from registration.passwords import Argon2Passwords
from shared.identity import Identity

pytestmark = pytest.mark.unit


def test_registering_stores_a_pending_library_and_coordinator_and_mails_the_token_only(service):
    ids = service.bus.handle(registration(isil="dk-654321", email="Mette@Bib.example"))
    coordinator = Identity(ids["person_id"], "coordinator", ids["library_id"])

    library = views.library(ids["library_id"], coordinator, service.uow)
    assert (library["status"], library["isil"], [b["name"] for b in library["branches"]]) == \
        ("pending", "DK-654321", ["Skovlunde Bibliotek"])
    (registered,) = service.uow.emitted("library.registered")
    token = registered.payload["confirmation_token"]
    assert registered.payload["coordinator"]["email"] == "mette@bib.example"
    stored = service.uow.repos.people.get(ids["person_id"])
    assert stored.status == "pending" and stored.password_hash.startswith("$argon2id$")
    assert token not in repr(stored) and PASSWORD not in repr(stored)


def test_a_taken_isil_is_refused_and_nothing_is_written_or_emitted(service):
    service.bus.handle(registration(isil="DK-333333", email="a@bib.example"))
    with pytest.raises(IsilInUse) as err:
        service.bus.handle(registration(isil="dk-333333", email="b@bib.example"))
    assert "DK-333333" in err.value.message_da and err.value.field == "isil"
    assert service.uow.repos.people.with_email("b@bib.example") == []
    assert len(service.uow.emitted("library.registered")) == 1


def test_a_bad_registration_names_every_bad_field_and_changes_nothing(service):
    with pytest.raises(InvalidInput) as err:
        service.bus.handle(registration(isil="SE-1", municipality="Atlantis", password="kort"))
    assert {e.field for e in err.value.errors} == {"isil", "municipality", "password"}
    assert service.uow.commits == 0


def test_confirming_activates_library_and_coordinator_and_works_once(service):
    library_id, coordinator = active_library(service)
    assert views.library(library_id, coordinator, service.uow)["status"] == "active"
    assert [e.type for e in service.uow.outbox[-2:]] == ["library.activated", "person.joined"]
    token = token_of(service, "library.registered", "confirmation_token", library_id=library_id)
    with pytest.raises(TokenUsed):
        service.bus.handle(c.ConfirmEmail(token))
    assert len(service.uow.emitted("library.activated")) == 1


def test_an_expired_link_is_refused_and_a_resent_one_works(service, clock):
    ids = service.bus.handle(registration(email="late@bib.example"))
    old = token_of(service, "library.registered", "confirmation_token")
    clock.advance(timedelta(hours=49))
    with pytest.raises(TokenExpired):
        service.bus.handle(c.ConfirmEmail(old))
    service.bus.handle(c.ResendConfirmation("LATE@bib.example"))
    service.bus.handle(c.ResendConfirmation("nobody@bib.example"))
    service.bus.handle(c.ResendConfirmation("not an address"))
    (resent,) = service.uow.emitted("person.email_confirmation_requested")
    service.bus.handle(c.ConfirmEmail(resent.payload["confirmation_token"]))
    assert service.uow.repos.libraries.get(ids["library_id"]).status == "active"


def test_the_right_password_signs_in_and_every_refusal_is_the_same_error(service):
    library_id, coordinator = active_library(service, email="karen@bib.example")
    person = service.bus.handle(c.VerifyCredentials("Karen@Bib.example", PASSWORD, "192.0.2.1"))
    assert (person.person_id, person.library_id) == (coordinator.person_id, library_id)
    service.bus.handle(registration(email="pending@bib.example"))
    for email, password in [("karen@bib.example", "forkert kodeord"), ("nobody@bib.example", PASSWORD),
                            ("pending@bib.example", PASSWORD), ("not an address", PASSWORD)]:
        with pytest.raises(InvalidCredentials):
            service.bus.handle(c.VerifyCredentials(email, password, "192.0.2.1"))


def test_five_failures_throttle_the_account_and_a_refused_attempt_is_not_counted(service, clock):
    active_library(service, email="karen@bib.example")
    for n in range(5):
        with pytest.raises(InvalidCredentials):
            service.bus.handle(c.VerifyCredentials("karen@bib.example", "forkert kodeord", f"198.51.100.{n}"))
    for _ in range(3):
        with pytest.raises(SignInThrottled):
            service.bus.handle(c.VerifyCredentials("karen@bib.example", PASSWORD, "198.51.100.99"))
    assert service.uow.repos.signin_failures.counts(["account:karen@bib.example"], clock() - timedelta(hours=1)) \
        == {"account:karen@bib.example": 5}
    clock.advance(timedelta(minutes=15, seconds=1))
    assert service.bus.handle(c.VerifyCredentials("karen@bib.example", PASSWORD, "198.51.100.99"))


def test_a_success_resets_the_accounts_count_but_not_the_addresss(service, clock):
    active_library(service, email="karen@bib.example")
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            service.bus.handle(c.VerifyCredentials("karen@bib.example", "forkert kodeord", "203.0.113.7"))
    service.bus.handle(c.VerifyCredentials("karen@bib.example", PASSWORD, "203.0.113.7"))
    counts = service.uow.repos.signin_failures.counts(["account:karen@bib.example", "address:203.0.113.7"],
                                                      clock() - timedelta(hours=1))
    assert counts == {"account:karen@bib.example": 0, "address:203.0.113.7": 4}  # the success is no failure


def test_a_hash_with_older_parameters_is_replaced_at_sign_in_and_still_verifies(service):
    _, coordinator = active_library(service, email="karen@bib.example")
    older = Argon2Passwords(PasswordHasher(time_cost=1, memory_cost=16, parallelism=1)).hash(PASSWORD)
    service.uow.repos.people.docs[coordinator.person_id].password_hash = older
    service.bus.handle(c.VerifyCredentials("karen@bib.example", PASSWORD))
    upgraded = service.uow.repos.people.get(coordinator.person_id).password_hash
    assert upgraded != older and not service.hasher.needs_rehash(upgraded)
    assert service.bus.handle(c.VerifyCredentials("karen@bib.example", PASSWORD))


def test_a_password_reset_link_sets_the_new_password_once(service):
    active_library(service, email="karen@bib.example")
    service.bus.handle(c.RequestPasswordReset("nobody@bib.example"))
    service.bus.handle(c.RequestPasswordReset("karen@bib.example"))
    (reset,) = service.uow.emitted("person.password_reset_requested")
    token = reset.payload["reset_token"]
    with pytest.raises(InvalidField) as weak:
        service.bus.handle(c.CompletePasswordReset(token, "kort"))
    assert weak.value.field == "password"
    new = "en helt ny sætning til biblioteket"
    service.bus.handle(c.CompletePasswordReset(token, new))
    with pytest.raises(TokenUsed):
        service.bus.handle(c.CompletePasswordReset(token, new))
    with pytest.raises(InvalidCredentials):
        service.bus.handle(c.VerifyCredentials("karen@bib.example", PASSWORD))
    assert service.bus.handle(c.VerifyCredentials("karen@bib.example", new))


def test_an_anonymous_caller_sees_no_library(service):
    library_id, _ = active_library(service)
    with pytest.raises(Hidden):
        views.library(library_id, ANONYMOUS, service.uow)
