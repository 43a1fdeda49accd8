"""The certificate lifecycle as a pure state machine with an injected `now`.

    not_started -> in_progress -> ready_for_review        (follows the provisional score)
    ready_for_review -> certified                          (award: assessor, all requirements verified)
    certified -> checkin_due                               (60 days before each anniversary)
    checkin_due -> certified                               (check-in completed, years 1 and 2)
    checkin_due -> lapsed                                  (due date + 30 days grace passed)
    checkin_due (year 3) | lapsed -> certified             (renewal with an updated approved action plan)
    certified | checkin_due | lapsed -> revoked            (assessor)

A certificate is valid 3 years from award or renewal. The third anniversary is the renewal date:
its "check-in" is a renewal. Every command first ticks, so a late scheduler never lets a command
act on stale state. Emitted reminder and lapse events are remembered by key in `emitted`, so
ticking again at the same or a later time never emits the same event twice; when a tick comes late
it sends only the most urgent reminder and records the skipped earlier ones as handled.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from scoring.domain.certificate import (
    GRACE_DAYS,
    PRE_CERTIFICATION,
    REMINDER_DAYS,
    STATUS_DA,
    VALIDITY_YEARS,
    CertificateState,
    add_years,
    moved,
    new_certificate_state,
    next_due,
)
from scoring.domain.emit import Emit
from scoring.domain.errors import InvalidTransition
from scoring.domain.progress import Score
from shared.vocabulary import CERTIFIED, CHECKIN_DUE, LAPSED, READY_FOR_REVIEW, REVOKED

__all__ = [
    "CertificateState",
    "award",
    "complete_checkin",
    "new_certificate_state",
    "observe_score",
    "renew",
    "revoke",
    "tick",
    "verification_status",
    "add_years",
    "next_due",
    "next_tick_on",
    "ready_since",
    "status_dates",
]


def observe_score(
    state: CertificateState, score: Score, now: datetime, library_name: str | None = None
) -> tuple[CertificateState, list[Emit]]:
    """Follow the provisional score until certification; announce readiness once per arrival."""
    if state.status not in PRE_CERTIFICATION or score.status == state.status:
        return state, []
    new = moved(state, score.status, now, note=f"model {score.model_version}")
    if score.status != READY_FOR_REVIEW:
        return new, []
    return new, [
        Emit(
            "library.ready_for_review",
            {
                "library_id": state.library_id,
                "library_name": library_name,
                "model_version": score.model_version,
                "overall": round(score.overall_provisional, 4),
            },
        )
    ]


def award(
    state: CertificateState, score: Score, *, awarded_by: str, now: datetime, certificate_id: str | None = None
) -> tuple[CertificateState, list[Emit]]:
    """Certify a library that is ready for review and whose requirements are all verified."""
    if state.status != READY_FOR_REVIEW:
        raise InvalidTransition(
            f"Biblioteket kan ikke certificeres i status »{STATUS_DA.get(state.status, state.status)}«",
            f"Cannot award a certificate in status {state.status}",
        )
    if not score.verified_complete:
        raise InvalidTransition(
            "Alle krav skal være opfyldt med godkendt dokumentation før certificering",
            "Every requirement must be met by approved evidence before a certificate is awarded",
        )
    start = now.date()
    cert_id = certificate_id or uuid.uuid4().hex
    valid_until = add_years(start, VALIDITY_YEARS).isoformat()
    new = moved(
        state,
        CERTIFIED,
        now,
        by=awarded_by,
        note="awarded",
        certificate_id=cert_id,
        awarded_at=now.isoformat(),
        awarded_by=awarded_by,
        cycle=1,
        cycle_start=start.isoformat(),
        valid_until=valid_until,
        checkins_done=(),
    )
    return new, [
        Emit(
            "certificate.awarded",
            {
                "certificate_id": cert_id,
                "library_id": state.library_id,
                "awarded_at": now.isoformat(),
                "valid_until": valid_until,
                "awarded_by": awarded_by,
            },
        )
    ]


def tick(state: CertificateState, now: datetime) -> tuple[CertificateState, list[Emit]]:
    """Advance time: send due check-in reminders and lapse overdue certificates, each once."""
    if state.status not in (CERTIFIED, CHECKIN_DUE):
        return state, []
    due = next_due(state)
    assert due is not None  # a certified state always has a cycle start
    k, due_on = due
    today = now.date()
    emitted = set(state.emitted)
    if today > due_on + timedelta(days=GRACE_DAYS):
        key = f"lapsed:{state.cycle}:{k}"
        events = (
            []
            if key in emitted
            else [
                Emit(
                    "certificate.lapsed",
                    {
                        "certificate_id": state.certificate_id,
                        "library_id": state.library_id,
                        "lapsed_at": now.isoformat(),
                        "due_on": due_on.isoformat(),
                    },
                )
            ]
        )
        emitted.add(key)
        return moved(state, LAPSED, now, note=f"check-in {k} overdue", emitted=frozenset(emitted)), events
    passed = [d for d in REMINDER_DAYS if today >= due_on - timedelta(days=d)]
    if not passed:
        return state, []
    events = []
    most_urgent = min(passed)
    key = f"checkin_due:{state.cycle}:{k}:{most_urgent}"
    if key not in emitted:
        events.append(
            Emit(
                "certificate.checkin_due",
                {
                    "certificate_id": state.certificate_id,
                    "library_id": state.library_id,
                    "due_on": due_on.isoformat(),
                    "days_before": most_urgent,
                },
            )
        )
    emitted.update(f"checkin_due:{state.cycle}:{k}:{d}" for d in passed)
    if state.status == CHECKIN_DUE and frozenset(emitted) == state.emitted:
        return state, events
    if state.status == CHECKIN_DUE:
        return replace(state, emitted=frozenset(emitted)), events
    return moved(state, CHECKIN_DUE, now, note=f"check-in {k} due {due_on}", emitted=frozenset(emitted)), events


def complete_checkin(state: CertificateState, *, by: str, now: datetime) -> tuple[CertificateState, list[Emit]]:
    """Record the annual check-in (years 1 and 2) inside its window; the certificate stays valid."""
    state, events = tick(state, now)
    due = next_due(state) if state.status == CHECKIN_DUE else None
    if due is None or due[0] >= VALIDITY_YEARS:
        raise InvalidTransition(
            "Der er ingen årlig opfølgning at gennemføre nu"
            if due is None
            else "Efter tre år skal certifikatet fornyes med en opdateret handleplan",
            "No annual check-in is due now"
            if due is None
            else "After three years the certificate must be renewed with an updated action plan",
        )
    k, due_on = due
    new = moved(state, CERTIFIED, now, by=by, note=f"check-in {k}", checkins_done=(*state.checkins_done, k))
    return new, [
        *events,
        Emit(
            "certificate.checked_in",
            {
                "certificate_id": state.certificate_id,
                "library_id": state.library_id,
                "checked_in_at": now.isoformat(),
                "due_on": due_on.isoformat(),
                "checked_in_by": by,
            },
        ),
    ]


def renew(
    state: CertificateState, *, renewed_by: str, now: datetime, action_plan_approved_at: str | None
) -> tuple[CertificateState, list[Emit]]:
    """Renew for 3 years from now: at the 3-year check-in or after a lapse, with a newer approved plan."""
    state, events = tick(state, now)
    due = next_due(state)
    renewal_window = state.status == CHECKIN_DUE and due is not None and due[0] == VALIDITY_YEARS
    if not (renewal_window or state.status == LAPSED):
        raise InvalidTransition(
            "Certifikatet kan kun fornyes op til treårsdagen eller efter at det er udløbet",
            "A certificate can only be renewed around its third anniversary or after it lapsed",
        )
    if not action_plan_approved_at or action_plan_approved_at[:10] <= (state.cycle_start or ""):
        raise InvalidTransition(
            "Fornyelse kræver en opdateret handleplan, godkendt efter certifikatet blev givet",
            "Renewal needs an updated action plan approved after the certificate was awarded",
        )
    start = now.date()
    valid_until = add_years(start, VALIDITY_YEARS).isoformat()
    new = moved(
        state,
        CERTIFIED,
        now,
        by=renewed_by,
        note="renewed",
        cycle=state.cycle + 1,
        cycle_start=start.isoformat(),
        valid_until=valid_until,
        checkins_done=(),
    )
    return new, [
        *events,
        Emit(
            "certificate.renewed",
            {
                "certificate_id": state.certificate_id,
                "library_id": state.library_id,
                "renewed_at": now.isoformat(),
                "valid_until": valid_until,
                "renewed_by": renewed_by,
            },
        ),
    ]


def revoke(
    state: CertificateState, *, revoked_by: str, reason: str, now: datetime
) -> tuple[CertificateState, list[Emit]]:
    """Withdraw a certificate (assessor decision, with a reason)."""
    if state.status not in (CERTIFIED, CHECKIN_DUE, LAPSED):
        raise InvalidTransition(
            f"Der er intet certifikat at tilbagekalde i status »{STATUS_DA.get(state.status, state.status)}«",
            f"No certificate to revoke in status {state.status}",
        )
    if not reason.strip():
        raise InvalidTransition("Tilbagekaldelse kræver en begrundelse", "Revocation needs a reason")
    new = moved(
        state,
        REVOKED,
        now,
        by=revoked_by,
        note=reason,
        revoked_at=now.isoformat(),
        revoked_by=revoked_by,
        revoke_reason=reason,
    )
    return new, [
        Emit(
            "certificate.revoked",
            {
                "certificate_id": state.certificate_id,
                "library_id": state.library_id,
                "revoked_at": now.isoformat(),
                "revoked_by": revoked_by,
                "reason": reason,
            },
        )
    ]


VERIFICATION = {CERTIFIED: "valid", CHECKIN_DUE: "checkin_due", LAPSED: "lapsed", REVOKED: "revoked"}
# What a public check of a certificate id can answer.
VERIFICATION_STATUSES = (*VERIFICATION.values(), "unknown")


def verification_status(state: CertificateState | None, now: datetime) -> str:
    """What a public badge check answers: valid, checkin_due, lapsed, revoked or unknown."""
    if state is None or state.certificate_id is None:
        return "unknown"
    return VERIFICATION.get(tick(state, now)[0].status, "unknown")


def next_tick_on(state: CertificateState) -> str | None:
    """The first day (ISO) on which `tick` would change this state, None if it never will.

    The scheduler looks only at certificates whose day has come; ticking earlier changes nothing
    (tests hold the two together).
    """
    if state.status not in (CERTIFIED, CHECKIN_DUE):
        return None
    due = next_due(state)
    assert due is not None  # a certified state always has a cycle start
    k, due_on = due
    for days in sorted(REMINDER_DAYS, reverse=True):
        if f"checkin_due:{state.cycle}:{k}:{days}" not in state.emitted:
            return (due_on - timedelta(days=days)).isoformat()
    return (due_on + timedelta(days=GRACE_DAYS + 1)).isoformat()


def ready_since(state: CertificateState) -> str | None:
    """When the library last became ready for review (ISO), None unless it is ready now."""
    if state.status != READY_FOR_REVIEW:
        return None
    return next((str(h["at"]) for h in reversed(state.history) if h.get("to") == READY_FOR_REVIEW), None)


def status_dates(state: CertificateState, now: datetime) -> dict[str, str | None]:
    """The dates that go with the certificate's status now: when it was revoked or lapsed (ISO
    date-times), and the next check-in or renewal date (ISO date) while it is held."""
    ticked = tick(state, now)[0]
    lapsed_at = None
    if state.status == LAPSED:
        lapsed_at = next((str(h["at"]) for h in reversed(state.history) if h.get("to") == LAPSED), None)
    elif ticked.status == LAPSED:  # lapsed today, before the scheduler's pass: the first day past the grace
        due = next_due(state)
        assert due is not None
        lapsed_at = (due[1] + timedelta(days=GRACE_DAYS + 1)).isoformat()
    due = next_due(ticked) if ticked.status in (CERTIFIED, CHECKIN_DUE) else None
    return {"revoked_at": ticked.revoked_at if ticked.status == REVOKED else None, "lapsed_at": lapsed_at,
            "due_on": due[1].isoformat() if due is not None else None}
