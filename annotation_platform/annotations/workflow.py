"""The state machine of a case, in one place: which change is allowed from which state.

new -> annotating -> submitted -> in_review -> approved, or -> rejected -> annotating again.
A case outside the protocol's scope is excluded with a recorded reason (and can be re-included).
Editing an approved case sends it back to annotating: the approval stays attached to the exact
version reviewed, and the new version needs a new review.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from annotation_platform.annotations.models import Case
from annotation_platform.errors import ConflictError, gettext_noop

S = Case.State


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    label: str


TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            "start", frozenset({S.NEW, S.REJECTED, S.APPROVED}), S.ANNOTATING, _("Start annotating")
        ),
        Transition("submit", frozenset({S.ANNOTATING}), S.SUBMITTED, _("Submit for review")),
        Transition("start_review", frozenset({S.SUBMITTED}), S.IN_REVIEW, _("Start review")),
        Transition("approve", frozenset({S.IN_REVIEW}), S.APPROVED, _("Approve")),
        Transition("reject", frozenset({S.IN_REVIEW}), S.REJECTED, _("Reject")),
        Transition("recall", frozenset({S.SUBMITTED}), S.ANNOTATING, _("Recall submission")),
        Transition(
            "exclude", frozenset({S.NEW, S.ANNOTATING, S.REJECTED}), S.EXCLUDED, _("Exclude")
        ),
        Transition("include", frozenset({S.EXCLUDED}), S.NEW, _("Include again")),
    )
}

# States in which the assignee may save a new mask version (saving starts annotating).
EDITABLE_STATES = frozenset({S.NEW, S.ANNOTATING, S.REJECTED, S.APPROVED})


def check_transition(case: Case, action: str) -> Transition:
    """Return the transition, or raise a conflict naming the current state."""
    transition = TRANSITIONS[action]
    if case.state not in transition.sources:
        raise ConflictError(
            "CASE_STATE_CONFLICT",
            gettext_noop(
                "Case %(case)s is %(state)s, so it cannot be changed by '%(action)s'. Reload the "
                "case to see its current state."
            ),
            case=case.label,
            state=str(Case.State(case.state).label),
            action=str(transition.label),
        )
    return transition


def apply_transition(case: Case, action: str) -> tuple[str, str]:
    """Change the case's state in memory; return (from, to). The caller saves and audits."""
    transition = check_transition(case, action)
    before = case.state
    case.state = transition.target
    return before, transition.target
