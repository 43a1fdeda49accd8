"""Pure domain of the evidence service: validation, review workflow, plans, cases, files, exports.

Functions take plain dicts (the stored documents) and return new dicts plus the events to write to
the outbox in the same database write; rule violations raise an `EvidenceError` subclass.
"""

from .attachments import add_attachment, attachment_sizes, find_attachment, remove_attachment
from .cases import case_draft_data, copy_case, public_case, share_case
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
from .export import CSV_COLUMNS, export_csv, export_item, export_items
from .files import (
    MAX_FILE_BYTES,
    MAX_ITEM_BYTES,
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
from .identity import ROLES, Actor, can_view, is_publicly_visible
from .items import EDITABLE_FIELDS, validate_draft, validate_for_submit
from .lifecycle import STATUSES, DomainEvent, Outcome
from .plans import (
    answer_plan_clarification,
    create_plan,
    edit_plan,
    review_plan,
    submit_plan,
    validate_plan_draft,
    validate_plan_for_submit,
)
from .sdgs import AGE_GROUPS, DIMENSIONS, KINDS, SDGS, goal_of, is_target, targets
from .snapshots import item_snapshot, plan_snapshot
from .workflow import (
    answer_clarification,
    create_item,
    edit_item,
    post_message,
    review_item,
    submit_item,
    withdraw_item,
)

__all__ = [
    "AGE_GROUPS",
    "CSV_COLUMNS",
    "DIMENSIONS",
    "EDITABLE_FIELDS",
    "ERASED_NAME",
    "KINDS",
    "MAX_FILE_BYTES",
    "MAX_ITEM_BYTES",
    "ROLES",
    "SDGS",
    "STATUSES",
    "AcceptedFile",
    "Actor",
    "Conflict",
    "DomainEvent",
    "EvidenceError",
    "Forbidden",
    "InvalidEvidence",
    "InvalidField",
    "NotFound",
    "Outcome",
    "TooLarge",
    "Unsupported",
    "add_attachment",
    "answer_clarification",
    "answer_plan_clarification",
    "attachment_sizes",
    "can_view",
    "case_draft_data",
    "check_file_size",
    "check_item_total",
    "check_upload",
    "content_disposition",
    "copy_case",
    "create_item",
    "create_plan",
    "detect_type",
    "edit_item",
    "edit_plan",
    "erase_person",
    "export_csv",
    "export_item",
    "export_items",
    "find_attachment",
    "goal_of",
    "is_publicly_visible",
    "is_target",
    "item_snapshot",
    "plan_snapshot",
    "post_message",
    "public_case",
    "remove_attachment",
    "review_item",
    "review_plan",
    "safe_filename",
    "share_case",
    "sniff_type",
    "sniff_zip_type",
    "submit_item",
    "submit_plan",
    "targets",
    "validate_draft",
    "validate_for_submit",
    "validate_plan_draft",
    "validate_plan_for_submit",
    "withdraw_item",
]
