"""Registration's command handlers: load through the unit of work, let the domain decide, save,
emit. One function per command, named after it and listed in COMMAND_HANDLERS below (the one
table); the message bus injects what each asks for by name (`uow`, `clock`, `hasher`, `throttle`).

Every state change and the facts the domain recorded for it are committed together (the outbox).
Password hashing, slow on purpose, happens before the transaction. Registration consumes no events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from registration.domain import commands as c
from registration.handlers.libraries import (
    add_branch,
    change_branch,
    create_cohort,
    end_enrolment,
    enrol_library,
    update_cohort,
    update_library,
    withdraw_library,
)
from registration.handlers.onboarding import (
    complete_password_reset,
    confirm_email,
    register_library,
    request_password_reset,
    resend_confirmation,
    verify_credentials,
)
from registration.handlers.people import (
    accept_invitation,
    erase_person,
    invite_person,
    reactivate_person,
    resend_invitation,
    revoke_invitation,
    update_person,
)
from registration.handlers.startup import (
    add_shipped_cohorts,
    create_first_administrator,
    seed_pilot_libraries,
)

COMMAND_HANDLERS: dict[type, Callable[..., Any]] = {
    c.RegisterLibrary: register_library,
    c.ConfirmEmail: confirm_email,
    c.ResendConfirmation: resend_confirmation,
    c.VerifyCredentials: verify_credentials,
    c.RequestPasswordReset: request_password_reset,
    c.CompletePasswordReset: complete_password_reset,
    c.UpdatePerson: update_person,
    c.ReactivatePerson: reactivate_person,
    c.ErasePerson: erase_person,
    c.InvitePerson: invite_person,
    c.ResendInvitation: resend_invitation,
    c.RevokeInvitation: revoke_invitation,
    c.AcceptInvitation: accept_invitation,
    c.UpdateLibrary: update_library,
    c.WithdrawLibrary: withdraw_library,
    c.AddBranch: add_branch,
    c.ChangeBranch: change_branch,
    c.CreateCohort: create_cohort,
    c.UpdateCohort: update_cohort,
    c.EnrolLibrary: enrol_library,
    c.EndEnrolment: end_enrolment,
    c.AddShippedCohorts: add_shipped_cohorts,
    c.SeedPilotLibraries: seed_pilot_libraries,
    c.CreateFirstAdministrator: create_first_administrator,
}
