"""Submission, exclusion and review of a case: every step changes state through the workflow,
names the exact mask version, and leaves an audit event."""

import logging
from typing import Any

from django.db import transaction
from django.db.models import F

from annotation_platform.accounts.models import User
from annotation_platform.accounts.qualifications import qualification_for
from annotation_platform.annotations.models import Case, MaskVersion
from annotation_platform.annotations.workflow import EDITABLE_STATES, apply_transition
from annotation_platform.core.audit import audit_record
from annotation_platform.errors import (
    ActionableError,
    ConflictError,
    PermissionDeniedError,
    gettext_noop,
)
from annotation_platform.projects.models import Membership, Project
from annotation_platform.quality.services import require_quality
from annotation_platform.review.models import ReviewComment, ReviewDecision, Submission

logger = logging.getLogger(__name__)


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update().select_related("project__protocol_version").get(pk=case.pk)
    )


def _record_state(case: Case, actor: User, before: str, **details: Any) -> None:
    audit_record(
        actor=actor,
        action="case.state_changed",
        target=f"case:{case.pk}",
        project=case.project,
        before=before,
        after=case.state,
        **details,
    )


def _require_current(case: Case, version_id: int) -> MaskVersion:
    latest = case.latest_version
    if latest is None:
        raise ConflictError(
            "VERSION_NOT_CURRENT",
            gettext_noop(
                "Case %(case)s has no saved version yet, so version %(version)s cannot be used. "
                "Draw or import the regions and save first."
            ),
            version=_number(version_id),
            case=case.label,
            current_version_id=None,
        )
    if latest.pk != version_id:
        raise ConflictError(
            "VERSION_NOT_CURRENT",
            gettext_noop(
                "Version %(version)s is not the current version of case %(case)s (the current is "
                "%(current)s). Reload the case and act on the current version."
            ),
            version=_number(version_id),
            current=latest.number,
            case=case.label,
            current_version_id=latest.pk,
        )
    return latest


def _number(version_id: int) -> Any:
    return (
        MaskVersion.objects.filter(pk=version_id).values_list("number", flat=True).first()
        or version_id
    )


def require_assignee(case: Case, user: User) -> None:
    if case.assignee_id != user.pk:
        raise PermissionDeniedError(
            "CASE_NOT_ASSIGNED_TO_YOU",
            gettext_noop("Case %(case)s is assigned to someone else, so you cannot change it."),
            case=case.label,
        )


def is_project_admin(project: Project, user: User) -> bool:
    return (
        user.is_superuser
        or Membership.objects.filter(
            project=project, user=user, role=Membership.Role.ADMIN
        ).exists()
    )


def require_assignee_or_admin(case: Case, user: User) -> None:
    if not is_project_admin(case.project, user):
        require_assignee(case, user)


def require_reviewer(case: Case, user: User) -> None:
    """Raise unless `user` may review the case: a qualified senior reviewer of its project who
    did not annotate it."""
    _check_reviewer(case, user)


def case_submit(
    *, case: Case, user: User, version_id: int, checklist: dict[str, Any]
) -> Submission:
    """Submit the current version for review with every checklist item of the protocol confirmed."""
    with transaction.atomic():
        case = _locked(case)
        require_assignee(case, user)
        version = _require_current(case, version_id)
        require_quality(case.study, require_graded=True, action="submitted")
        items = case.project.protocol_version.definition["checklist"]
        missing = [item["key"] for item in items if checklist.get(item["key"]) is not True]
        if missing:
            raise ActionableError(
                "CHECKLIST_INCOMPLETE",
                gettext_noop(
                    "Confirm every item of the submission checklist before submitting; not "
                    "confirmed: %(items)s. If the tumour is out of the protocol's scope, exclude "
                    "the case with its reason instead."
                ),
                items=", ".join(missing),
            )
        if version.figures.get("empty_required"):
            raise ActionableError(
                "REQUIRED_REGION_EMPTY",
                gettext_noop(
                    "Required regions are empty: %(regions)s. Draw them before submitting."
                ),
                regions=", ".join(version.figures["empty_required"]),
            )
        before, _ = apply_transition(case, "submit")
        case.submitted_version = version
        case.save(update_fields=["state", "submitted_version", "updated_at"])
        submission = Submission.objects.create(
            case=case, version=version, submitted_by=user, checklist={k["key"]: True for k in items}
        )
        _record_state(case, user, before, version=version.number, version_id=version.pk)
    return submission


def case_recall(*, case: Case, user: User) -> Case:
    """Take a submission back before a reviewer has started on it."""
    with transaction.atomic():
        case = _locked(case)
        require_assignee(case, user)
        before, _ = apply_transition(case, "recall")
        case.save(update_fields=["state", "updated_at"])
        _record_state(case, user, before)
    return case


def case_exclude(*, case: Case, user: User, reason: str, note: str = "") -> Case:
    """Exclude a case whose tumour is outside the protocol's scope, with the recorded reason."""
    with transaction.atomic():
        case = _locked(case)
        is_admin = (
            user.is_superuser
            or Membership.objects.filter(
                project=case.project, user=user, role=Membership.Role.ADMIN
            ).exists()
        )
        if case.assignee_id != user.pk and not is_admin:
            raise PermissionDeniedError(
                "CASE_NOT_ASSIGNED_TO_YOU",
                gettext_noop(
                    "Case %(case)s is assigned to someone else, so you cannot exclude it."
                ),
                case=case.label,
            )
        exclusions = {
            e["key"] for e in case.project.protocol_version.definition["scope_exclusions"]
        }
        if reason not in exclusions:
            raise ActionableError(
                "EXCLUSION_REASON_UNKNOWN",
                gettext_noop(
                    "%(reason)s is not an exclusion of this protocol; choose one of %(choices)s."
                ),
                reason=reason,
                choices=", ".join(sorted(exclusions)),
            )
        before, _ = apply_transition(case, "exclude")
        case.exclusion_key = reason
        case.exclusion_note = note
        case.save(update_fields=["state", "exclusion_key", "exclusion_note", "updated_at"])
        _record_state(case, user, before, reason=reason)
    return case


def case_include(*, case: Case, user: User) -> Case:
    with transaction.atomic():
        case = _locked(case)
        before, _ = apply_transition(case, "include")
        case.exclusion_key = ""
        case.save(update_fields=["state", "exclusion_key", "updated_at"])
        _record_state(case, user, before)
    return case


def _check_reviewer(case: Case, reviewer: User) -> None:
    definition = case.project.protocol_version.definition
    if (
        not reviewer.is_superuser
        and not Membership.objects.filter(
            project=case.project, user=reviewer, role=Membership.Role.REVIEWER
        ).exists()
    ):
        raise PermissionDeniedError(
            "NOT_A_REVIEWER",
            gettext_noop("You are not a senior reviewer of project %(project)s."),
            project=case.project.name,
        )
    qualification = qualification_for(reviewer, "reviewer", definition)
    if not qualification.qualified:
        raise PermissionDeniedError(
            "REVIEWER_NOT_QUALIFIED",
            gettext_noop("You cannot review under this protocol: %(reason)s"),
            reason=qualification.reason,
        )
    own = case.assignee_id == reviewer.pk or case.versions.filter(author=reviewer).exists()
    if own:
        raise PermissionDeniedError(
            "REVIEW_OWN_WORK",
            gettext_noop(
                "You annotated case %(case)s, so you cannot review it. Another senior reviewer "
                "must review it."
            ),
            case=case.label,
        )


def review_start(*, case: Case, reviewer: User) -> Case:
    with transaction.atomic():
        case = _locked(case)
        _check_reviewer(case, reviewer)
        before, _ = apply_transition(case, "start_review")
        case.reviewer = reviewer
        case.save(update_fields=["state", "reviewer", "updated_at"])
        _record_state(
            case,
            reviewer,
            before,
            version=case.submitted_version.number if case.submitted_version else None,
        )
    return case


def review_decide(
    *,
    case: Case,
    reviewer: User,
    decision: str,
    version_id: int,
    summary: str = "",
    comments: list[dict[str, Any]] | None = None,
) -> ReviewDecision:
    """Approve or reject the exact version reviewed; a rejection carries at least one comment."""
    comments = comments or []
    with transaction.atomic():
        case = _locked(case)
        _check_reviewer(case, reviewer)
        if case.state == Case.State.SUBMITTED:
            before, _ = apply_transition(case, "start_review")
            case.reviewer = reviewer
            _record_state(case, reviewer, before)
        version = _require_current(case, version_id)
        if case.submitted_version_id != version.pk:
            raise ConflictError(
                "VERSION_NOT_SUBMITTED",
                gettext_noop(
                    "Version %(version)s of case %(case)s was not submitted for review; only the "
                    "submitted version can be approved or rejected."
                ),
                version=version.number,
                case=case.label,
            )
        if decision == ReviewDecision.Decision.REJECTED and not (comments or summary.strip()):
            raise ActionableError(
                "REJECTION_NEEDS_COMMENT",
                gettext_noop(
                    "A rejection needs at least one comment so the annotator knows what to fix."
                ),
            )
        action = "approve" if decision == ReviewDecision.Decision.APPROVED else "reject"
        before, _ = apply_transition(case, action)
        if action == "approve":
            case.approved_version = version
        case.save(update_fields=["state", "reviewer", "approved_version", "updated_at"])
        record = ReviewDecision.objects.create(
            case=case, version=version, reviewer=reviewer, decision=decision, summary=summary
        )
        _create_comments(case, record, comments)
        _record_state(
            case,
            reviewer,
            before,
            version=version.number,
            version_id=version.pk,
            decision=decision,
            comments=len(comments),
        )
    logger.info(
        "case %s %s by user %s at version %s", case.pk, decision, reviewer.pk, version.number
    )
    return record


def _create_comments(case: Case, decision: ReviewDecision, comments: list[dict[str, Any]]) -> None:
    definition = case.project.protocol_version.definition
    regions = {region["key"] for region in definition["regions"]}
    shape = case.study.grid["shape"][:3] if case.study.grid else None
    for comment in comments:
        point = comment.get("point_ijk")
        valid_point = (
            isinstance(point, list)
            and len(point) == 3
            and all(isinstance(v, int) for v in point)
            and (shape is None or all(0 <= v < n for v, n in zip(point, shape, strict=True)))
        )
        if (
            comment.get("region") not in regions
            or not valid_point
            or not str(comment.get("text", "")).strip()
        ):
            raise ActionableError(
                "COMMENT_INVALID",
                gettext_noop(
                    "Each comment needs a region of the protocol, a point (i, j, k) inside the "
                    "study grid and a text; got region %(region)s at %(point)s."
                ),
                region=str(comment.get("region")),
                point=str(point),
            )
        ReviewComment.objects.create(
            decision=decision,
            case=case,
            region=comment["region"],
            axis=comment.get("axis", ReviewComment.Axis.AXIAL),
            point_ijk=point,
            text=str(comment["text"])[:4000],
        )


def case_record_time(*, case: Case, user: User, seconds: int) -> None:
    """Add the seconds the viewer was open to the annotation or the review time of the case.

    Time counts only while the user can work on the case: its annotator while it is editable,
    its reviewer while it waits for or is in review. A tab left open on a case already handed on
    adds nothing.
    """
    if case.assignee_id == user.pk and case.state in EDITABLE_STATES:
        field = "annotation_seconds"
    elif case.reviewer_id == user.pk and case.state in (Case.State.SUBMITTED, Case.State.IN_REVIEW):
        field = "review_seconds"
    else:
        return
    Case.objects.filter(pk=case.pk).update(**{field: F(field) + seconds})
