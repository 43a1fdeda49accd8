"""Pure domain of the evidence service: the aggregates, their workflow, validation, files, exports.

Aggregates (`model`) are frozen dataclasses; each transition takes one and returns an Outcome (the
new aggregate and the events to write to the outbox in the same commit); rule violations raise an
`EvidenceError` subclass. `commands` are what callers ask for, `actions` what they may ask now.
"""

from .actions import CASE_ACTIONS, ITEM_ACTIONS, PLAN_ACTIONS, Seen, case_actions, item_actions, plan_actions
from .attachments import (
    MAX_ATTACHMENTS,
    add_attachment,
    attachment_sizes,
    check_attachable,
    find_attachment,
    remove_attachment,
)
from .cases import COPIED_FIELDS, case_draft_data, copy_case, copy_case_into_plan, share_case
from .erasure import ERASED_NAME, erase_person
from .errors import (
    Conflict,
    EvidenceError,
    Forbidden,
    InvalidEvidence,
    InvalidField,
    NotFound,
    TooLarge,
    Unsupported,
)
from .export import CSV_COLUMNS, export_csv, in_export_order
from .files import (
    EXTENSIONS,
    IMAGE_TYPES,
    MAX_FILE_BYTES,
    MAX_ITEM_BYTES,
    MB,
    AcceptedFile,
    check_file_size,
    check_item_total,
    check_upload,
    content_disposition,
    detect_type,
    safe_filename,
    sniff_type,
    sniff_zip_type,
)
from .identity import (
    Actor,
    existing_case,
    require_library_visible,
    require_programme_staff,
    require_staff_of,
    visible,
    visible_item,
    visible_plan,
)
from .items import CONTENT_FIELDS, validate_draft, validate_for_submit
from .lifecycle import STATUSES, DomainEvent, Outcome, stale_revision
from .model import (
    ActionPlan,
    Attachment,
    AuditEntry,
    Contact,
    Content,
    CopiedFrom,
    Decision,
    EvidenceItem,
    Goal,
    ItemSummary,
    Message,
    Partner,
    PersonRef,
    PlanVersion,
    Reviewed,
    SharedCase,
)
from .plans import (
    PLAN_DECISIONS,
    PLAN_STATES,
    answer_plan_clarification,
    create_plan,
    edit_plan,
    review_plan,
    submit_plan,
    validate_plan_draft,
    validate_plan_for_submit,
)
from .snapshots import item_snapshot, plan_snapshot
from .thumbnails import make_thumbnail
from .workflow import (
    DECISIONS,
    ITEM_STATES,
    answer_clarification,
    create_item,
    delete_item,
    edit_item,
    post_message,
    review_item,
    submit_item,
    withdraw_item,
)

__all__ = [
    "CASE_ACTIONS", "CONTENT_FIELDS", "COPIED_FIELDS", "CSV_COLUMNS", "DECISIONS", "ERASED_NAME", "EXTENSIONS", "IMAGE_TYPES", "ITEM_ACTIONS", "ITEM_STATES", "MAX_ATTACHMENTS", "MAX_FILE_BYTES",
    "MAX_ITEM_BYTES", "MB", "PLAN_ACTIONS", "PLAN_DECISIONS", "PLAN_STATES", "STATUSES",
    "AcceptedFile", "ActionPlan", "Actor", "Attachment", "AuditEntry", "Conflict", "Contact", "Content", "CopiedFrom",
    "Decision", "DomainEvent", "EvidenceError", "EvidenceItem", "Forbidden", "Goal", "InvalidEvidence",
    "InvalidField", "ItemSummary", "Message", "NotFound", "Outcome", "Partner", "PersonRef", "PlanVersion",
    "Reviewed", "Seen", "SharedCase", "TooLarge", "Unsupported",
    "add_attachment", "answer_clarification", "answer_plan_clarification", "attachment_sizes", "case_actions", "case_draft_data", "check_attachable", "check_file_size", "check_item_total", "check_upload",
    "content_disposition", "copy_case", "copy_case_into_plan", "create_item", "create_plan", "delete_item",
    "detect_type", "edit_item", "edit_plan", "erase_person", "existing_case", "export_csv", "find_attachment", "in_export_order",
    "item_actions", "item_snapshot", "make_thumbnail", "plan_actions", "plan_snapshot", "post_message",
    "remove_attachment", "require_library_visible", "require_programme_staff", "require_staff_of", "review_item",
    "review_plan", "safe_filename", "share_case", "sniff_type", "sniff_zip_type", "stale_revision", "submit_item", "submit_plan",
    "validate_draft", "validate_for_submit", "validate_plan_draft", "validate_plan_for_submit", "visible", "visible_item", "visible_plan",
    "withdraw_item",
]
