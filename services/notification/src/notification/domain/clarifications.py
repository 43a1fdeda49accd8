"""Open questions with a deadline, and the reminder the scheduler sends before it.

An assessor's question about an evidence item (`evidence.clarification_requested`) or about an
action plan (`action_plan.clarification_requested`) opens a clarification; the events that answer
or decide it close it again. The store keeps one record per item or plan; the scheduler reminds
the library `CHORA_REMINDER_DAYS` before the deadline of every record still open, once.

`change_for(event_type, payload)` says what an event does to that record, `reminder_for(record)`
which event the reminder is planned as. Both are pure; the revision guards against events that
arrive out of order (an answer delivered before the question it answers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.vocabulary import ACTION_PLAN, APPROVED, REJECTED

EVIDENCE = "evidence"

EVIDENCE_DEADLINE_SOON = "clarification.deadline_soon"
PLAN_DEADLINE_SOON = "action_plan.clarification_deadline_soon"

# What ends a question: the answer (resubmission), a decision, or the item being withdrawn.
EVIDENCE_CLOSERS = frozenset({"evidence.submitted", "evidence.withdrawn", "evidence.clarification_answered"})
EVIDENCE_DECISIONS = (APPROVED, REJECTED)
# An action plan is answered by resubmitting it and decided by approving it (or by a new question,
# which opens the clarification again with its own deadline).
PLAN_CLOSERS = frozenset({"action_plan.submitted", "action_plan.approved"})


def plan_key(plan_id: str) -> str:
    """Return the clarification record's id for an action plan (evidence items use their item_id)."""
    return f"{ACTION_PLAN}:{plan_id}"


@dataclass(frozen=True)
class Open:
    """A question was asked: (re)open the record with this content and no reminder sent yet."""

    record: dict[str, Any]


@dataclass(frozen=True)
class Close:
    """The question was answered or decided at `revision`.

    `remember`: keep the closing revision even where no record exists yet, so a question that
    arrives after its answer does not open again. Action plans do (one record per library);
    evidence items do not (it would keep a record for every submitted item).
    """

    key: str
    revision: int
    remember: bool = False


Change = Open | Close | None


def change_for(event_type: str, payload: Mapping[str, Any]) -> Change:
    """Return what one event does to the open-clarification record, or None."""
    if event_type == "evidence.clarification_requested":
        return Open({
            "_id": payload["item_id"], "kind": EVIDENCE, "library_id": payload["library_id"],
            "library_name": payload.get("library_name"), "title": payload.get("title"),
            "message": payload.get("message"), "deadline": payload["deadline"],
            "submitted_by": payload.get("submitted_by") or payload.get("submitter"),
            "revision": payload["revision"],
        })
    if event_type in EVIDENCE_CLOSERS or (
        event_type == "evidence.reviewed" and payload.get("decision") in EVIDENCE_DECISIONS
    ):
        return Close(payload["item_id"], payload["revision"])
    if event_type == "action_plan.clarification_requested":
        return Open({
            "_id": plan_key(payload["plan_id"]), "kind": ACTION_PLAN, "plan_id": payload["plan_id"],
            "library_id": payload["library_id"], "library_name": payload.get("library_name"),
            "version": payload.get("version"), "message": payload.get("message"), "deadline": payload["deadline"],
            "submitted_by": payload.get("submitted_by") or payload.get("submitter"),
            "revision": payload["revision"],
        })
    if event_type in PLAN_CLOSERS:
        return Close(plan_key(payload["plan_id"]), payload["revision"], remember=True)
    return None


@dataclass(frozen=True)
class Reminder:
    """The scheduler-made event that reminds the library of one deadline."""

    event_type: str
    payload: dict[str, Any]
    event_id: str  # also the prefix of the mails' dedup keys: one reminder per question


def reminder_for(record: Mapping[str, Any], planned_on: str) -> Reminder:
    """Return the reminder of an open clarification record, planned on a (Copenhagen) day."""
    deadline = record["deadline"]
    if record["kind"] == ACTION_PLAN:
        payload = {key: record.get(key) for key in ("plan_id", "library_id", "library_name", "version", "message",
                                                    "deadline", "submitted_by")}
        payload["planned_on"] = planned_on
        # The request's revision tells two questions about the same plan apart, even with one deadline.
        event_id = f"{PLAN_DEADLINE_SOON}:{record['plan_id']}:{record.get('revision')}:{deadline}"
        return Reminder(PLAN_DEADLINE_SOON, payload, event_id)
    payload = {key: record.get(key) for key in ("library_id", "library_name", "title", "message", "deadline",
                                                "submitted_by")}
    payload["item_id"] = record["_id"]
    payload["planned_on"] = planned_on
    return Reminder(EVIDENCE_DEADLINE_SOON, payload, f"{EVIDENCE_DEADLINE_SOON}:{record['_id']}:{deadline}")
