"""The evidence service's handlers: one function per command and per consumed event, in one table.

A handler loads through the unit of work (`uow`), lets the domain decide, saves and emits the
domain's events in the same commit; the bus injects `uow`, `clock` and `files` by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from evidence.domain import commands as c

from . import attachments, events, items, plans
from .attachments import Attached, file_too_large, spool
from .common import CONSUMER, Clock, Saved, new_id, utc_now
from .items import Shared

COMMAND_HANDLERS: dict[type, Callable[..., Any]] = {
    c.CreateItem: items.create_item,
    c.EditItem: items.edit_item,
    c.SubmitItem: items.submit_item,
    c.WithdrawItem: items.withdraw_item,
    c.DeleteItem: items.delete_item,
    c.ReviewItem: items.review_item,
    c.AnswerClarification: items.answer_clarification,
    c.PostMessage: items.post_message,
    c.AddAttachment: attachments.add_attachment,
    c.RemoveAttachment: attachments.remove_attachment,
    c.ShareItem: items.share_item,
    c.CopyCase: items.copy_case,
    c.SavePlan: plans.save_plan,
    c.SubmitPlan: plans.submit_plan,
    c.ReviewPlan: plans.review_plan,
    c.AnswerPlanClarification: plans.answer_plan_clarification,
}

EVENT_HANDLERS: dict[str, Callable[..., Any]] = {
    "person.erased": events.erase_person,
    "library.registered": events.record_library_name,
    "library.updated": events.record_library_name,
}

__all__ = [
    "COMMAND_HANDLERS", "CONSUMER", "EVENT_HANDLERS", "Attached", "Clock", "Saved", "Shared", "file_too_large",
    "new_id", "spool", "utc_now",
]
