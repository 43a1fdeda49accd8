"""The programme's vocabulary, defined once: the keys the services, the API and the events use,
with their Danish and English labels for the portal and the mail.

Keys never change meaning; labels may be reworded. Each label table is `key -> (Danish, English)`.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Final

Labels = dict[str, tuple[str, str]]

# -- the model's three dimensions ------------------------------------------------------------------
FORMIDLING, FAELLESSKABER, DRIFT = "formidling", "faellesskaber", "drift"
DIMENSIONS: Final = (FORMIDLING, FAELLESSKABER, DRIFT)
DIMENSION_LABELS: Final[Labels] = {
    FORMIDLING: ("Biblioteket som formidler", "The library as communicator"),
    FAELLESSKABER: ("Biblioteket som facilitator", "The library as facilitator"),
    DRIFT: ("Biblioteket som aktør", "The library as actor"),
}

# -- evidence ----------------------------------------------------------------------------------------
ACTIVITY, COMMUNICATION, OPERATIONS_MEASURE, STAFF_TRAINING, SHARED_CASE = (
    "activity", "communication", "operations_measure", "staff_training", "shared_case")
EVIDENCE_KINDS: Final = (ACTIVITY, COMMUNICATION, OPERATIONS_MEASURE, STAFF_TRAINING, SHARED_CASE)
# The action plan is its own document type; the model counts it like a kind.
ACTION_PLAN: Final = "action_plan"
KIND_LABELS: Final[Labels] = {
    ACTIVITY: ("Aktivitet", "Activity"),
    COMMUNICATION: ("Kommunikation", "Communication"),
    OPERATIONS_MEASURE: ("Driftstiltag", "Operations measure"),
    STAFF_TRAINING: ("Personaleuddannelse", "Staff training"),
    SHARED_CASE: ("Delt case", "Shared case"),
    ACTION_PLAN: ("Handleplan", "Action plan"),
}

DRAFT, SUBMITTED, CLARIFICATION_REQUESTED, APPROVED, REJECTED, WITHDRAWN = (
    "draft", "submitted", "clarification_requested", "approved", "rejected", "withdrawn")
EVIDENCE_STATUSES: Final = (DRAFT, SUBMITTED, CLARIFICATION_REQUESTED, APPROVED, REJECTED, WITHDRAWN)
EVIDENCE_STATUS_LABELS: Final[Labels] = {
    DRAFT: ("Kladde", "Draft"),
    SUBMITTED: ("Indsendt", "Submitted"),
    CLARIFICATION_REQUESTED: ("Uddybning ønsket", "Clarification requested"),
    APPROVED: ("Godkendt", "Approved"),
    REJECTED: ("Afvist", "Rejected"),
    WITHDRAWN: ("Trukket tilbage", "Withdrawn"),
}
# What an assessor may decide about a submitted item or plan.
REVIEW_DECISIONS: Final = (APPROVED, REJECTED, CLARIFICATION_REQUESTED)

CHILDREN, YOUTH, ADULTS, SENIORS = "children", "youth", "adults", "seniors"
AGE_GROUPS: Final = (CHILDREN, YOUTH, ADULTS, SENIORS)
AGE_GROUP_LABELS: Final[Labels] = {
    CHILDREN: ("Børn", "Children"),
    YOUTH: ("Unge", "Young people"),
    ADULTS: ("Voksne", "Adults"),
    SENIORS: ("Ældre", "Seniors"),
}

# -- people --------------------------------------------------------------------------------------------
COORDINATOR, MEMBER, ASSESSOR, ADMINISTRATOR = "coordinator", "member", "assessor", "administrator"
ANONYMOUS: Final = "anonymous"
ROLES: Final = (COORDINATOR, MEMBER, ASSESSOR, ADMINISTRATOR)
STAFF_ROLES: Final = (COORDINATOR, MEMBER)  # a library's own people
PROGRAMME_ROLES: Final = (ASSESSOR, ADMINISTRATOR)  # CHORA 2030's people, for every library
ROLE_LABELS: Final[Labels] = {
    COORDINATOR: ("koordinator", "coordinator"),
    MEMBER: ("medarbejder", "colleague"),
    ASSESSOR: ("bedømmer", "assessor"),
    ADMINISTRATOR: ("administrator", "administrator"),
}

# -- registration: people's accounts, libraries, cohorts, languages --------------------------------------
# A person's account: invited (or pending, after self-registration) until they join, then active.
PERSON_STATUSES: Final = ("invited", "pending", "active", "deactivated", "erased")
PERSON_STATUS_LABELS: Final[Labels] = {
    "invited": ("Inviteret", "Invited"),
    "pending": ("Afventer bekræftelse", "Awaiting confirmation"),
    "active": ("Aktiv", "Active"),
    "deactivated": ("Deaktiveret", "Deactivated"),
    "erased": ("Slettet", "Erased"),
}
LIBRARY_KINDS: Final = ("folkebibliotek", "uddannelsesbibliotek")
LIBRARY_KIND_LABELS: Final[Labels] = {
    "folkebibliotek": ("Folkebibliotek", "Public library"),
    "uddannelsesbibliotek": ("Uddannelsesbibliotek", "Academic library"),
}
# A library's registration (not its certification status above): pending until its coordinator
# confirms the email address.
REGISTRATION_STATUSES: Final = ("pending", "active", "withdrawn")
REGISTRATION_STATUS_LABELS: Final[Labels] = {
    "pending": ("Afventer bekræftelse", "Awaiting confirmation"),
    "active": ("Aktiv", "Active"),
    "withdrawn": ("Udmeldt", "Withdrawn"),
}
COHORT_STATES: Final = ("planned", "open", "closed")
COHORT_STATE_LABELS: Final[Labels] = {
    "planned": ("Planlagt", "Planned"),
    "open": ("Åben for tilmelding", "Open for enrolment"),
    "closed": ("Lukket", "Closed"),
}
LANGUAGES: Final = ("da", "en")

# -- a library's place in the programme (scoring's status) ---------------------------------------------
NOT_STARTED, IN_PROGRESS, READY_FOR_REVIEW, CERTIFIED, CHECKIN_DUE, LAPSED, REVOKED = (
    "not_started", "in_progress", "ready_for_review", "certified", "checkin_due", "lapsed", "revoked")
LIBRARY_STATUSES: Final = (NOT_STARTED, IN_PROGRESS, READY_FOR_REVIEW, CERTIFIED, CHECKIN_DUE, LAPSED, REVOKED)
LIBRARY_STATUS_LABELS: Final[Labels] = {
    NOT_STARTED: ("Ikke startet", "Not started"),
    IN_PROGRESS: ("I gang", "In progress"),
    READY_FOR_REVIEW: ("Klar til vurdering", "Ready for review"),
    CERTIFIED: ("Certificeret", "Certified"),
    CHECKIN_DUE: ("Årlig opfølgning forfalden", "Annual check-in due"),
    LAPSED: ("Udløbet", "Lapsed"),
    REVOKED: ("Tilbagekaldt", "Revoked"),
}

# -- a mail's delivery (notification's delivery log) ----------------------------------------------------
# pending -> sending -> sent | pending (a retry) | failed; cancelled (the recipient was erased) and
# suppressed (the recipient opted out before it went) are final too.
MAIL_PENDING, MAIL_SENDING, MAIL_SENT, MAIL_FAILED, MAIL_CANCELLED, MAIL_SUPPRESSED = (
    "pending", "sending", "sent", "failed", "cancelled", "suppressed")
MAIL_STATUSES: Final = (MAIL_PENDING, MAIL_SENDING, MAIL_SENT, MAIL_FAILED, MAIL_CANCELLED, MAIL_SUPPRESSED)
MAIL_STATUS_LABELS: Final[Labels] = {
    MAIL_PENDING: ("Venter", "Waiting"),
    MAIL_SENDING: ("Sendes", "Sending"),
    MAIL_SENT: ("Sendt", "Sent"),
    MAIL_FAILED: ("Fejlet", "Failed"),
    MAIL_CANCELLED: ("Annulleret", "Cancelled"),
    MAIL_SUPPRESSED: ("Frameldt af modtageren", "Opted out by the recipient"),
}

# -- the Sustainable Development Goals -------------------------------------------------------------------
SDGS: Final = tuple(range(1, 18))
SDG_LABELS: Final[dict[int, tuple[str, str]]] = {
    1: ("Afskaf fattigdom", "No poverty"),
    2: ("Stop sult", "Zero hunger"),
    3: ("Sundhed og trivsel", "Good health and well-being"),
    4: ("Kvalitetsuddannelse", "Quality education"),
    5: ("Ligestilling mellem kønnene", "Gender equality"),
    6: ("Rent vand og sanitet", "Clean water and sanitation"),
    7: ("Bæredygtig energi", "Affordable and clean energy"),
    8: ("Anstændige jobs og økonomisk vækst", "Decent work and economic growth"),
    9: ("Industri, innovation og infrastruktur", "Industry, innovation and infrastructure"),
    10: ("Mindre ulighed", "Reduced inequalities"),
    11: ("Bæredygtige byer og lokalsamfund", "Sustainable cities and communities"),
    12: ("Ansvarligt forbrug og produktion", "Responsible consumption and production"),
    13: ("Klimaindsats", "Climate action"),
    14: ("Livet i havet", "Life below water"),
    15: ("Livet på land", "Life on land"),
    16: ("Fred, retfærdighed og stærke institutioner", "Peace, justice and strong institutions"),
    17: ("Partnerskaber for handling", "Partnerships for the goals"),
}
# The goals' official colours (the UN's SDG brand guide).
SDG_COLOURS: Final = {1: "#E5243B", 2: "#DDA63A", 3: "#4C9F38", 4: "#C5192D", 5: "#FF3A21", 6: "#26BDE2",
                      7: "#FCC30B", 8: "#A21942", 9: "#FD6925", 10: "#DD1367", 11: "#FD9D24", 12: "#BF8B2E",
                      13: "#3F7E44", 14: "#0A97D9", 15: "#56C02B", 16: "#00689D", 17: "#19486A"}


@lru_cache(maxsize=1)
def sdg_targets() -> tuple[str, ...]:
    """The 169 official SDG target ids (`1.1` ... `17.19`) in the UN's order."""
    text = resources.files("shared").joinpath("data/sdg_targets.txt").read_text("utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@lru_cache(maxsize=1)
def _target_set() -> frozenset[str]:
    return frozenset(sdg_targets())


def is_sdg_target(target_id: str) -> bool:
    """Tell whether target_id is an official SDG target id such as `4.7` or `12.a`."""
    return target_id in _target_set()


def goal_of(target_id: str) -> int:
    """The goal a target belongs to: `12.a` -> 12."""
    return int(target_id.split(".", 1)[0])


def label(table: Labels, key: str, language: str = "da") -> str:
    """A key's label in a language (Danish unless `en`); the key itself if the table lacks it."""
    pair = table.get(key)
    if pair is None:
        return key
    return pair[1] if language == "en" else pair[0]
