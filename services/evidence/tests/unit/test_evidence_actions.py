"""The actions an answer offers are exactly the transitions the domain then accepts: for every
state of an item or plan and every kind of person, each offered action succeeds when tried and
each one not offered is refused (403 or 409)."""

from dataclasses import replace
from itertools import product

import pytest
from evidence_builders import ACTIVITY, ADMINISTRATOR, ASSESSOR, COORDINATOR, MEMBER, NOW, OTHER_LIBRARY

from evidence.domain import (
    CASE_ACTIONS,
    ITEM_ACTIONS,
    PLAN_ACTIONS,
    AcceptedFile,
    Actor,
    Attachment,
    Conflict,
    Forbidden,
    add_attachment,
    answer_clarification,
    answer_plan_clarification,
    case_actions,
    copy_case,
    create_item,
    create_plan,
    delete_item,
    edit_item,
    edit_plan,
    item_actions,
    plan_actions,
    post_message,
    review_item,
    review_plan,
    share_case,
    submit_item,
    submit_plan,
    withdraw_item,
)

pytestmark = pytest.mark.unit

PEOPLE = {"coordinator": COORDINATOR, "member": MEMBER, "other library": OTHER_LIBRARY, "assessor": ASSESSOR,
          "administrator": ADMINISTRATOR}
GOALS = [{"dimension": d, "title": f"Mål i {d}", "sdgs": [4]} for d in ("formidling", "faellesskaber", "drift")]
PDF = AcceptedFile("application/pdf", "program.pdf", 100)


def _items():
    draft = create_item(ACTIVITY, COORDINATOR, item_id="i", now=NOW).new
    submitted = submit_item(draft, MEMBER, based_on=draft.revision, now=NOW).new
    ask = {"comment": "Hvor mange?", "deadline": "2025-04-01"}
    return {
        "draft": draft,
        "draft with a file": replace(draft, attachments=(Attachment("i", "f1", "a.pdf", "application/pdf", 9),)),
        "submitted": submitted,
        "clarification requested": review_item(submitted, ASSESSOR, based_on=submitted.revision, now=NOW,
                                               decision="clarification_requested", **ask).new,
        "approved": review_item(submitted, ASSESSOR, based_on=submitted.revision, now=NOW, decision="approved").new,
        "rejected": review_item(submitted, ASSESSOR, based_on=submitted.revision, now=NOW, decision="rejected",
                                comment="Nej").new,
        "withdrawn before submitting": withdraw_item(draft, MEMBER, based_on=draft.revision, now=NOW).new,
        "withdrawn after submitting": withdraw_item(submitted, MEMBER, based_on=submitted.revision, now=NOW).new,
        "shared": share_case(submitted, MEMBER, case_id="c", based_on=submitted.revision, now=NOW)[1].new,
        "edited after approval": None,  # filled below: a draft that was once submitted
    }


ITEMS = _items()
ITEMS["edited after approval"] = edit_item(ITEMS["approved"], {"participants": 3}, MEMBER,
                                           based_on=ITEMS["approved"].revision, now=NOW).new


def attempt_on_item(action, item, who):
    rev = item.revision
    attempts = {
        "edit": lambda: edit_item(item, {"participants": 99}, who, based_on=rev, now=NOW),
        "submit": lambda: submit_item(item, who, based_on=rev, now=NOW),
        "withdraw": lambda: withdraw_item(item, who, based_on=rev, now=NOW),
        "delete": lambda: delete_item(item, who, based_on=rev),
        "review": lambda: review_item(item, who, based_on=rev, now=NOW, decision="approved"),
        "answer": lambda: answer_clarification(item, who, based_on=rev, now=NOW, message="52 i alt"),
        "message": lambda: post_message(item, who, now=NOW, message="Et spørgsmål"),
        "attach": lambda: add_attachment(item, who, based_on=rev, now=NOW, file_id="f9", accepted=PDF),
        "share": lambda: share_case(item, who, case_id="c2", based_on=rev, now=NOW),
    }
    return attempts[action]()


@pytest.mark.parametrize(("state", "person", "action"), list(product(ITEMS, PEOPLE, ITEM_ACTIONS)))
def test_an_item_offers_an_action_exactly_when_the_domain_accepts_it(state, person, action):
    item, who = ITEMS[state], PEOPLE[person]
    offered = action in item_actions(item, Actor.of(who))
    try:
        attempt_on_item(action, item, who)
        accepted = True
    except (Forbidden, Conflict):
        accepted = False
    assert offered == accepted, f"{action} on a {state} item by the {person}: offered {offered}, accepted {accepted}"


def _plans():
    draft = create_plan({"start_year": 2025, "goals": GOALS}, COORDINATOR, plan_id="p", now=NOW).new
    submitted = submit_plan(draft, MEMBER, based_on=draft.revision, now=NOW).new
    return {
        "draft": draft,
        "submitted": submitted,
        "clarification requested": review_plan(submitted, ASSESSOR, based_on=submitted.revision, now=NOW,
                                               decision="clarification_requested", comment="Hvordan?",
                                               deadline="2025-04-01").new,
        "approved": review_plan(submitted, ASSESSOR, based_on=submitted.revision, now=NOW, decision="approved").new,
    }


PLANS = _plans()


def attempt_on_plan(action, plan, who):
    rev = plan.revision
    attempts = {
        "edit": lambda: edit_plan(plan, {"start_year": 2026}, who, based_on=rev, now=NOW),
        "submit": lambda: submit_plan(plan, who, based_on=rev, now=NOW),
        "review": lambda: review_plan(plan, who, based_on=rev, now=NOW, decision="approved"),
        "answer": lambda: answer_plan_clarification(plan, who, based_on=rev, now=NOW, message="Sådan"),
    }
    return attempts[action]()


@pytest.mark.parametrize(("state", "person", "action"), list(product(PLANS, PEOPLE, PLAN_ACTIONS)))
def test_a_plan_offers_an_action_exactly_when_the_domain_accepts_it(state, person, action):
    plan, who = PLANS[state], PEOPLE[person]
    offered = action in plan_actions(plan, Actor.of(who))
    try:
        attempt_on_plan(action, plan, who)
        accepted = True
    except (Forbidden, Conflict):
        accepted = False
    assert offered == accepted, f"{action} on a {state} plan by the {person}: offered {offered}, accepted {accepted}"


@pytest.mark.parametrize("person", PEOPLE)
def test_a_shared_case_offers_copy_exactly_to_the_people_who_may_copy_it(person):
    case, _ = share_case(ITEMS["submitted"], MEMBER, case_id="c", based_on=ITEMS["submitted"].revision, now=NOW)
    offered = "copy" in case_actions(case, Actor.of(PEOPLE[person]))
    try:
        copy_case(case, PEOPLE[person], item_id="copy", now=NOW)
        accepted = True
    except Forbidden:
        accepted = False
    assert offered == accepted and set(case_actions(case, Actor.of(PEOPLE[person]))) <= set(CASE_ACTIONS)


def test_the_library_sees_what_it_may_do_at_each_step_and_the_assessor_what_is_theirs():
    library, assessor = Actor.of(COORDINATOR), Actor.of(ASSESSOR)
    assert item_actions(ITEMS["draft"], library) == ("edit", "submit", "withdraw", "delete", "attach")
    assert item_actions(ITEMS["submitted"], library) == ("withdraw", "share")
    assert item_actions(ITEMS["submitted"], assessor) == ("review",)
    assert item_actions(ITEMS["clarification requested"], library) == ("edit", "submit", "withdraw", "answer",
                                                                        "message", "attach")
    assert item_actions(ITEMS["clarification requested"], assessor) == ("message",)
    assert item_actions(ITEMS["approved"], library) == ("edit", "attach", "share")
    assert item_actions(ITEMS["shared"], library) == ("withdraw",)
    assert item_actions(ITEMS["approved"], Actor.of(ADMINISTRATOR)) == ()
    assert plan_actions(PLANS["submitted"], assessor) == ("review",)
    assert plan_actions(PLANS["approved"], library) == ("edit",)
