"""A service's refusal as a form shows it: DKFDS's error summary at the top, linking to each
field, and each field's message beside it, in the page's language (the problem+json `errors`
member of shared.validation: `{"dotted.field": {"label", "label_en", "message", "message_en"}}`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gateway.portal.l10n import lang


@dataclass(frozen=True)
class Problem:
    """One thing to correct: the input it concerns (its id on the page) and what to do."""

    input_id: str
    label: str
    message: str

    @property
    def summary(self) -> str:
        return f"{self.label}: {self.message}" if self.label else self.message


@dataclass
class FormErrors:
    """The problems of one submitted form, in the form's order."""

    problems: list[Problem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def of(self, input_id: str) -> str | None:
        """The message beside an input, or None."""
        found = [p.message for p in self.problems if p.input_id == input_id]
        return " ".join(found) if found else None

    def add(self, input_id: str, message: str, label: str = "") -> FormErrors:
        self.problems.append(Problem(input_id, label, message))
        return self

    def without(self, *input_ids: str) -> FormErrors:
        return FormErrors([p for p in self.problems if p.input_id not in input_ids])

    def only(self, *input_ids: str) -> FormErrors:
        return FormErrors([p for p in self.problems if p.input_id in input_ids])


def from_answer(answer: Any, inputs: Mapping[str, str] | None = None, *, default_input: str = "") -> FormErrors:
    """The problems a service's refusal names. `inputs` maps the service's dotted field paths
    (or their last part) to the page's input ids; a refusal without `errors` (a conflict, say)
    becomes one problem about its `field`, or about `default_input`."""
    data = getattr(answer, "data", None)
    if answer is None or getattr(answer, "ok", False) or not isinstance(data, dict):
        return FormErrors()
    inputs = inputs or {}
    english = lang() == "en"
    errors = data.get("errors")
    problems: list[Problem] = []
    if isinstance(errors, Mapping) and errors:
        for path, entry in errors.items():
            entry = entry if isinstance(entry, Mapping) else {"message": str(entry)}
            label = (entry.get("label_en") if english else None) or entry.get("label") or ""
            message = (entry.get("message_en") if english else None) or entry.get("message") or ""
            problems.append(Problem(_input_for(str(path), inputs, default_input), label, message))
        return FormErrors(problems)
    detail = (data.get("detail_en") if english else None) or data.get("detail") or data.get("title") or ""
    where = data.get("field")
    return FormErrors([Problem(_input_for(str(where), inputs, default_input) if where else default_input, "",
                               detail)])


def _input_for(path: str, inputs: Mapping[str, str], default: str) -> str:
    if path in inputs:
        return inputs[path]
    last = path.rsplit(".", 1)[-1]
    if last in inputs:
        return inputs[last]
    # a list item ("sdgs.0") is the list's input
    parts = [p for p in path.split(".") if not p.isdigit()]
    for size in range(len(parts), 0, -1):
        joined = ".".join(parts[:size])
        if joined in inputs:
            return inputs[joined]
    return parts[-1] if parts and parts[-1] != "_" else default
