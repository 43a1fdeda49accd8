"""Commands -> domain -> store + outbox, each in one transaction.

Every state change and the facts the domain recorded for it are written in the same commit
(shared.mongo.ServiceStore.transact). Password hashing, which is slow on purpose, happens before
the transaction. This service consumes no events: EVENT_HANDLERS is empty.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from registration import access, passwords
from registration import store as repo
from registration.domain import (
    Aggregate,
    Cohort,
    EmailInUse,
    Enrolment,
    IsilInUse,
    Library,
    Person,
    TokenUnknown,
    accept_invitation,
    change_role,
    check_password,
    collect_events,
    confirm_email,
    create_cohort,
    deactivate,
    enrol,
    erase,
    export_person,
    invite_person,
    move_enrolment,
    new_id,
    normalize_email,
    reactivate,
    register_library,
    resend_confirmation,
    resend_invitation,
    revoke_invitation,
    seed_id,
    seed_pilot,
    validate_registration,
    withdraw_library,
)
from registration.domain.errors import InvalidField, RegistrationError
from registration.domain.invitations import record_joined
from registration.domain.people import ACTIVE, ADMINISTRATOR, PENDING
from registration.domain.signin import ACCOUNT, SignInThrottled, ThrottlePolicy
from shared.identity import Identity
from shared.mongo import ServiceStore, Tx, is_duplicate_key

log = logging.getLogger(__name__)

# This service consumes no events; the table exists for layout uniformity.
EVENT_HANDLERS: dict[str, Callable[..., None]] = {}


def utcnow() -> datetime:
    return datetime.now(UTC)


def _reactivate_in(tx: Tx, identity: Identity, person: Person, library: Any, now: Any) -> None:
    """Reactivate a person inside a transaction (the address must not have been taken meanwhile)."""
    reactivate(person, repo.people_with_email(tx.db, tx.session, person.email), now,
               reactivated_by=identity.person_id, library_name=library.name if library else None)


def _emit(tx: Tx, *aggregates: Aggregate) -> None:
    for fact in collect_events(*aggregates):
        tx.emit(fact.type, fact.payload)


def _duplicate_to_domain(exc: Exception, *, isil: str | None = None) -> RegistrationError:
    text = str(exc)
    if repo.ISIL_INDEX in text or "isil" in text:
        return IsilInUse(isil or "")
    if repo.LIVE_EMAIL_INDEX in text or "email" in text:
        return EmailInUse()
    return repo.ConcurrentChange()


@dataclass
class LibraryView:
    library: Library
    enrolment: Enrolment | None


class Handlers:
    """The registration service's commands and queries on one store, with an injectable clock."""

    def __init__(self, store: ServiceStore, clock: Callable[[], datetime] = utcnow,
                 throttle: ThrottlePolicy | None = None):
        self.store = store
        self.clock = clock
        self.throttle = throttle or ThrottlePolicy()

    @property
    def db(self):
        return self.store.db

    def now(self) -> datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("the clock must give timezone-aware datetimes")
        return moment

    def _transact(self, fn: Callable[[Tx], Any], *, isil: str | None = None) -> Any:
        try:
            return self.store.transact(fn)
        except Exception as exc:
            if is_duplicate_key(exc):
                raise _duplicate_to_domain(exc, isil=isil) from exc
            raise

    # -- self-registration and email confirmation ---------------------------------------------------

    def register(self, form: Mapping[str, Any], password: str) -> tuple[str, str]:
        """Register a pending library and its pending coordinator; return (library_id, person_id)."""
        values = validate_registration({**form, "password": password})
        password_hash = passwords.hash_password(password)
        now = self.now()

        def fn(tx: Tx) -> tuple[str, str]:
            reg = register_library(
                values,
                password_hash,
                now,
                isil_taken_by=repo.library_id_with_isil(tx.db, tx.session, values["isil"]),
                people_with_email=repo.people_with_email(tx.db, tx.session, values["coordinator_email"]),
            )
            repo.save_library(tx.db, tx.session, reg.library)
            repo.save_person(tx.db, tx.session, reg.coordinator)
            _emit(tx, reg.library, reg.coordinator)
            return reg.library.library_id, reg.coordinator.person_id

        return self._transact(fn, isil=values["isil"])

    def confirm_email(self, token: str) -> tuple[str | None, str]:
        """Consume a confirmation token: the coordinator and their library become active."""
        now = self.now()

        def fn(tx: Tx) -> tuple[str | None, str]:
            person = repo.person_with_token(tx.db, tx.session, token)
            if person is None:
                raise TokenUnknown()
            library = repo.get_library(tx.db, tx.session, person.library_id) if person.library_id else None
            confirm_email(person, library, token, now)
            if library is not None:
                repo.save_library(tx.db, tx.session, library)
            repo.save_person(tx.db, tx.session, person)
            _emit(tx, *([library] if library is not None else []), person)
            return person.library_id, person.person_id

        return self._transact(fn)

    def resend_confirmation(self, email: str) -> None:
        """Send a new confirmation link to a pending coordinator; silently nothing otherwise."""
        address = _email_or_none(email)
        if address is None:
            return
        now = self.now()

        def fn(tx: Tx) -> None:
            person = repo.live_person_with_email(tx.db, tx.session, address)
            if person is None or person.status != PENDING:
                return
            library = repo.get_library(tx.db, tx.session, person.library_id) if person.library_id else None
            resend_confirmation(person, library, now)
            repo.save_person(tx.db, tx.session, person)
            _emit(tx, person)

        self._transact(fn)

    # -- credentials and password resets ---------------------------------------------------------

    def verify_credentials(self, email: str, password: str, client_address: str | None = None) -> Person | None:
        """Return the person if the password is right and they may sign in; the same work otherwise.

        Raise SignInThrottled when the account or the client address has had too many failed
        attempts within the throttle's window (the password is then not checked at all)."""
        now, policy = self.now(), self.throttle
        keys = policy.keys(email, client_address)
        # The attempt is counted before the password is checked and the count read afterwards,
        # so attempts arriving at once (other workers, other replicas) cannot slip past the limit.
        attempt = repo.add_signin_attempt(self.db, keys, now, now + policy.window)
        if policy.blocked(repo.recent_signin_attempts(self.db, keys, policy.since(now))):
            # A refused attempt is not counted: what an attacker keeps sending stays bounded.
            repo.remove_signin_attempts(self.db, attempt)
            raise SignInThrottled()
        address = _email_or_none(email)
        person = repo.live_person_with_email(self.db, None, address) if address else None
        ok = passwords.verify_or_dummy(person.password_hash if person else None, password)
        if ok and person is not None and person.can_sign_in:
            # Success resets the account's counter; the address keeps its earlier failures.
            repo.remove_signin_attempts(self.db, attempt, keys=[k for k in keys if k.startswith(ACCOUNT)])
            if person.password_hash and passwords.needs_rehash(person.password_hash):
                # Made with older argon2 parameters: hash the password again with today's.
                repo.upgrade_password_hash(self.db, person.person_id, person.password_hash,
                                           passwords.hash_password(password))
            return person
        return None

    def request_password_reset(self, email: str) -> None:
        """Mail a reset link to an active person with this address; nothing (and no hint) otherwise."""
        address = _email_or_none(email)
        if address is None:
            return
        now = self.now()

        def fn(tx: Tx) -> None:
            person = repo.live_person_with_email(tx.db, tx.session, address)
            if person is None or person.status != ACTIVE:
                return
            person.request_password_reset(now)
            repo.save_person(tx.db, tx.session, person)
            _emit(tx, person)

        self._transact(fn)

    def complete_password_reset(self, token: str, password: str) -> str:
        """Consume a reset token and set the new password; return the person id."""
        person = repo.person_with_token(self.db, None, token)
        if person is None:
            raise TokenUnknown()
        check_password(password, email=person.email)
        password_hash = passwords.hash_password(password)
        now = self.now()

        def fn(tx: Tx) -> str:
            current = repo.person_with_token(tx.db, tx.session, token)
            if current is None:
                raise TokenUnknown()
            current.reset_password(token, password_hash, now)
            repo.save_person(tx.db, tx.session, current)
            return current.person_id

        return self._transact(fn)

    # -- people ------------------------------------------------------------------------------------

    def get_person(self, identity: Identity, person_id: str) -> Person:
        return access.see_person(identity, repo.get_person(self.db, None, person_id))

    def people_of_library(self, identity: Identity, library_id: str) -> list[Person]:
        access.see_library(identity, repo.get_library(self.db, None, library_id))
        return repo.people_of_library(self.db, None, library_id)

    def update_person(self, identity: Identity, person_id: str, changes: Mapping[str, Any]) -> Person:
        """Change name/language (self or administrator), role and active (coordinator or administrator)."""
        now = self.now()

        def fn(tx: Tx) -> Person:
            person = access.see_person(identity, repo.get_person(tx.db, tx.session, person_id))
            library = repo.get_library(tx.db, tx.session, person.library_id) if person.library_id else None
            if "name" in changes or "language" in changes:
                access.edit_profile(identity, person)
                person.update_profile(now, name=changes.get("name"), language=changes.get("language"))
            if "role" in changes or "active" in changes:
                access.manage_person(identity, person)
                colleagues = repo.people_of_library(tx.db, tx.session, person.library_id) if person.library_id else []
            if "role" in changes:
                change_role(person, changes["role"], colleagues, now, changed_by=identity.person_id,
                            library_name=library.name if library else None)
            if "active" in changes:
                if changes["active"] is False and person.status != "deactivated":
                    deactivate(person, colleagues, now, deactivated_by=identity.person_id)
                elif changes["active"] is True and person.status == "deactivated":
                    _reactivate_in(tx, identity, person, library, now)
            repo.save_person(tx.db, tx.session, person)
            _emit(tx, person)
            return person

        return self._transact(fn)

    def reactivate_person(self, identity: Identity, person_id: str) -> Person:
        """Let a deactivated person sign in again (coordinator of their library, or administrator).

        An erased person is gone for good: their id answers 409 person_erased to whoever could
        have managed them, and 404 to anyone else.
        """
        now = self.now()

        def fn(tx: Tx) -> Person:
            found = repo.get_person(tx.db, tx.session, person_id)
            if found is None:
                access.erased_person(identity, repo.erasure(tx.db, tx.session, person_id))
            person = access.manage_person(identity, found)
            library = repo.get_library(tx.db, tx.session, person.library_id) if person.library_id else None
            _reactivate_in(tx, identity, person, library, now)
            repo.save_person(tx.db, tx.session, person)
            _emit(tx, person)
            return person

        return self._transact(fn)

    def export_person(self, identity: Identity, person_id: str) -> dict[str, Any]:
        """Everything held about a person (GDPR access): the person, or an administrator."""
        person = access.see_person(identity, repo.get_person(self.db, None, person_id))
        if identity.person_id != person.person_id and identity.role != ADMINISTRATOR:
            raise access.Forbidden("eksportere en andens data", "export someone else's data")
        data = export_person(person)
        library = repo.get_library(self.db, None, person.library_id) if person.library_id else None
        data["library_name"] = library.name if library else None
        return data

    def erase_person(self, identity: Identity, person_id: str) -> None:
        """Erase a person (GDPR): the document goes; person.erased tells every consumer."""
        access.administrator(identity, "slette personer", "erase people")
        now = self.now()

        def fn(tx: Tx) -> None:
            person = repo.get_person(tx.db, tx.session, person_id)
            if person is None:
                raise access.Hidden("person")
            erase(person, now)
            repo.delete_person(tx.db, tx.session, person, now)
            _emit(tx, person)

        self._transact(fn)

    # -- invitations -------------------------------------------------------------------------------

    def invite(self, identity: Identity, *, email: Any, role: Any, name: Any = None, library_id: str | None = None,
               language: Any = "da") -> str:
        """Invite someone to a library or to the programme staff; return the new person id."""
        target = access.invite_to(identity, library_id)
        now = self.now()

        def fn(tx: Tx) -> str:
            library = None
            if target is not None:
                library = access.see_library(identity, repo.get_library(tx.db, tx.session, target))
            address = normalize_email(email)
            invitation = invite_person(
                email=address, role=role, library=library,
                inviter=repo.get_person(tx.db, tx.session, identity.person_id),
                people_with_email=repo.people_with_email(tx.db, tx.session, address),
                now=now, name=name, language=language,
            )
            repo.save_person(tx.db, tx.session, invitation.person)
            _emit(tx, invitation.person)
            return invitation.person.person_id

        return self._transact(fn)

    def _invited(self, tx: Tx, identity: Identity, person_id: str) -> tuple[Person, Library | None]:
        person = access.see_person(identity, repo.get_person(tx.db, tx.session, person_id))
        access.invite_to(identity, person.library_id)
        library = repo.get_library(tx.db, tx.session, person.library_id) if person.library_id else None
        return person, library

    def resend_invitation(self, identity: Identity, person_id: str) -> None:
        now = self.now()

        def fn(tx: Tx) -> None:
            person, library = self._invited(tx, identity, person_id)
            resend_invitation(person, library, repo.get_person(tx.db, tx.session, identity.person_id), now)
            repo.save_person(tx.db, tx.session, person)
            _emit(tx, person)

        self._transact(fn)

    def revoke_invitation(self, identity: Identity, person_id: str) -> None:
        now = self.now()

        def fn(tx: Tx) -> None:
            person, _ = self._invited(tx, identity, person_id)
            revoke_invitation(person, now, revoked_by=identity.person_id)
            repo.save_person(tx.db, tx.session, person)
            _emit(tx, person)

        self._transact(fn)

    def accept_invitation(self, token: str, password: str, name: Any = None) -> tuple[str, str | None]:
        """Consume an invitation token, set the password; return (person_id, library_id)."""
        person = repo.person_with_token(self.db, None, token)
        if person is None:
            raise TokenUnknown()
        check_password(password, email=person.email)
        password_hash = passwords.hash_password(password)
        now = self.now()

        def fn(tx: Tx) -> tuple[str, str | None]:
            current = repo.person_with_token(tx.db, tx.session, token)
            if current is None:
                raise TokenUnknown()
            library = repo.get_library(tx.db, tx.session, current.library_id) if current.library_id else None
            accept_invitation(current, library, token, password_hash, now, name=name)
            repo.save_person(tx.db, tx.session, current)
            _emit(tx, current)
            return current.person_id, current.library_id

        return self._transact(fn)

    # -- libraries and branches --------------------------------------------------------------------

    def list_libraries(self, identity: Identity, *, status: str | None = None, municipality: str | None = None,
                       cohort_id: str | None = None) -> list[LibraryView]:
        access.programme_staff(identity)
        ids = repo.library_ids_in_cohort(self.db, None, cohort_id) if cohort_id else None
        libraries = repo.find_libraries(self.db, None, status=status, municipality=municipality, library_ids=ids)
        enrolments = repo.active_enrolments(self.db, None, [lib.library_id for lib in libraries])
        return [LibraryView(lib, enrolments.get(lib.library_id)) for lib in libraries]

    def get_library(self, identity: Identity, library_id: str) -> LibraryView:
        library = access.see_library(identity, repo.get_library(self.db, None, library_id))
        return LibraryView(library, repo.active_enrolment(self.db, None, library_id))

    def _change_library(self, identity: Identity, library_id: str, change: Callable[[Tx, Library, datetime], Any]):
        now = self.now()

        def fn(tx: Tx) -> Any:
            library = access.change_library(identity, repo.get_library(tx.db, tx.session, library_id))
            result = change(tx, library, now)
            repo.save_library(tx.db, tx.session, library)
            _emit(tx, library)
            return result

        return self._transact(fn, isil=None)

    def update_library(self, identity: Identity, library_id: str, changes: Mapping[str, Any]) -> LibraryView:
        def change(tx: Tx, library: Library, now: datetime) -> None:
            isil = changes.get("isil")
            taken_by = repo.library_id_with_isil(tx.db, tx.session, str(isil).strip().upper()) if isil else None
            library.update(changes, now, isil_taken_by=taken_by)

        self._change_library(identity, library_id, change)
        return self.get_library(identity, library_id)

    def withdraw_library(self, identity: Identity, library_id: str, reason: str | None = None) -> LibraryView:
        now = self.now()

        def fn(tx: Tx) -> None:
            library = access.change_library(identity, repo.get_library(tx.db, tx.session, library_id))
            enrolment = repo.active_enrolment(tx.db, tx.session, library_id)
            withdraw_library(library, enrolment, now, reason=reason)
            repo.save_library(tx.db, tx.session, library)
            if enrolment is not None:
                repo.save_enrolment(tx.db, tx.session, enrolment)
            _emit(tx, library, *([enrolment] if enrolment is not None else []))

        self._transact(fn)
        return self.get_library(identity, library_id)

    def add_branch(self, identity: Identity, library_id: str, name: Any) -> dict[str, Any]:
        branch = self._change_library(identity, library_id, lambda tx, lib, now: lib.add_branch(name, now))
        return branch_view(branch)

    def change_branch(self, identity: Identity, library_id: str, branch_id: str, *, name: Any = None,
                      status: str | None = None) -> dict[str, Any]:
        def change(tx: Tx, library: Library, now: datetime):
            branch = library.branch(branch_id)
            if name is not None:
                branch = library.rename_branch(branch_id, name, now)
            if status == "closed":
                branch = library.close_branch(branch_id, now)
            return branch

        return branch_view(self._change_library(identity, library_id, change))

    # -- cohorts and enrolments --------------------------------------------------------------------

    def list_cohorts(self, identity: Identity) -> list[Cohort]:
        access.signed_in(identity)
        return repo.list_cohorts(self.db)

    def create_cohort(self, identity: Identity, *, name: Any, start_year: Any, end_year: Any = None,
                      state: str = "planned") -> Cohort:
        access.administrator(identity, "oprette forløb", "create cohorts")
        cohort = create_cohort(name, start_year, end_year, state=state, now=self.now())

        def fn(tx: Tx) -> None:
            repo.save_cohort(tx.db, tx.session, cohort)
            _emit(tx, cohort)

        self._transact(fn)
        return cohort

    def update_cohort(self, identity: Identity, cohort_id: str, changes: Mapping[str, Any]) -> Cohort:
        access.administrator(identity, "ændre forløb", "change cohorts")
        now = self.now()

        def fn(tx: Tx) -> Cohort:
            cohort = repo.get_cohort(tx.db, tx.session, cohort_id)
            if cohort is None:
                raise access.Hidden("cohort")
            if "name" in changes:
                cohort.rename(changes["name"], now)
            if changes.get("state") == "open" and cohort.state != "open":
                cohort.open(now)
            elif changes.get("state") == "closed" and cohort.state != "closed":
                cohort.close(now)
            if cohort.events:  # an unchanged cohort is neither written nor announced
                repo.save_cohort(tx.db, tx.session, cohort)
                _emit(tx, cohort)
            return cohort

        return self._transact(fn)

    def enrol(self, identity: Identity, library_id: str, cohort_id: str) -> Enrolment:
        """Enrol a library in a cohort, or move it there from its current cohort (administrator)."""
        now = self.now()

        def fn(tx: Tx) -> Enrolment:
            library = access.see_library(identity, repo.get_library(tx.db, tx.session, library_id))
            access.administrator(identity, "tilmelde biblioteker forløb", "enrol libraries")
            cohort = repo.get_cohort(tx.db, tx.session, cohort_id)
            if cohort is None:
                raise InvalidField("cohort_id", "unknown_cohort", "Forløbet findes ikke.", "The cohort does not exist.")
            current = repo.active_enrolment(tx.db, tx.session, library_id)
            if current is not None and current.cohort_id == cohort_id:
                return current  # PUT is idempotent: already there
            if current is None:
                started = enrol(library, cohort, None, now)
            else:
                started = move_enrolment(library, current, cohort, now).started
                repo.save_enrolment(tx.db, tx.session, current)
            repo.save_enrolment(tx.db, tx.session, started)
            _emit(tx, *([current] if current is not None else []), started)
            return started

        return self._transact(fn)

    def withdraw_enrolment(self, identity: Identity, library_id: str) -> None:
        now = self.now()

        def fn(tx: Tx) -> None:
            access.see_library(identity, repo.get_library(tx.db, tx.session, library_id))
            access.administrator(identity, "afmelde biblioteker", "withdraw enrolments")
            current = repo.active_enrolment(tx.db, tx.session, library_id)
            if current is None:
                raise access.Hidden("enrolment")
            current.withdraw(now)
            repo.save_enrolment(tx.db, tx.session, current)
            _emit(tx, current)

        self._transact(fn)

    # -- start-up ----------------------------------------------------------------------------------

    def ensure_bootstrap_admin(self, email: str, password: str) -> bool:
        """Create the first administrator once; True if this call created them."""
        address = _email_or_none(email)
        if address is None or not password:
            log.warning("bootstrap administrator not created: email or password missing or invalid")
            return False
        if repo.live_person_with_email(self.db, None, address) is not None:
            return False
        password_hash = passwords.hash_password(password)
        now = self.now()

        def fn(tx: Tx) -> bool:
            if repo.live_person_with_email(tx.db, tx.session, address) is not None:
                return False
            admin = Person(
                person_id=seed_id("person", address), library_id=None, role=ADMINISTRATOR, status=ACTIVE,
                name="Administrator", email=address, language="da", created_at=now,
                password_hash=password_hash, activated_at=now, updated_at=now,
            )
            record_joined(admin, None, now)
            repo.save_person(tx.db, tx.session, admin)
            _emit(tx, admin)
            return True

        try:
            return self.store.transact(fn)
        except Exception as exc:  # another worker created them at the same moment
            if is_duplicate_key(exc):
                return False
            raise

    def seed(self, *, demo: bool) -> int:
        """Create the shipped cohorts; with demo=True also the pilot libraries and their enrolments.

        Idempotent (stable ids) and safe with several workers starting at once; returns how many
        libraries this call created.
        """
        seed = seed_pilot(self.now())
        for cohort in seed.cohorts:
            def add_cohort(tx: Tx, cohort: Cohort = cohort) -> None:
                if repo.get_cohort(tx.db, tx.session, cohort.cohort_id) is None:
                    repo.save_cohort(tx.db, tx.session, cohort)
                    _emit(tx, cohort)

            self._insert_once(add_cohort)
        if not demo:
            return 0
        created = 0
        for library, enrolment in zip(seed.libraries, seed.enrolments, strict=True):
            def fn(tx: Tx, library=library, enrolment=enrolment) -> bool:
                if repo.library_id_with_isil(tx.db, tx.session, library.isil) is not None:
                    return False
                repo.save_library(tx.db, tx.session, library)
                repo.save_enrolment(tx.db, tx.session, enrolment)
                for fact in [*library.events, *enrolment.events]:
                    tx.emit(fact.type, fact.payload)
                return True

            created += bool(self._insert_once(fn))
        return created

    def _insert_once(self, fn: Callable[[Tx], Any]) -> Any:
        try:
            return self.store.transact(fn)
        except Exception as exc:
            if is_duplicate_key(exc):
                return False
            raise


def branch_view(branch) -> dict[str, Any]:
    return {
        "branch_id": branch.branch_id, "name": branch.name, "status": branch.status,
        "opened_at": branch.opened_at, "closed_at": branch.closed_at,
    }


def _email_or_none(email: Any) -> str | None:
    try:
        return normalize_email(email)
    except RegistrationError:
        return None


__all__ = ["EVENT_HANDLERS", "Handlers", "LibraryView", "branch_view", "new_id", "utcnow"]
