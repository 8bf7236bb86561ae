"""Image quality grades per series, and the gate they put on annotation and export."""

import logging
from typing import Any

from django.utils import timezone

from annotation_platform.accounts.models import User
from annotation_platform.annotations.models import Case
from annotation_platform.core.audit import audit_record
from annotation_platform.errors import ActionableError, PermissionDeniedError, gettext_noop
from annotation_platform.studies.models import Series, Study

logger = logging.getLogger(__name__)


# One message per gated step, so that each translates as a whole sentence.
QUALITY_MESSAGES = {
    "annotated": gettext_noop(
        "This case cannot be annotated: its images must be graded %(minimum)s or better, but "
        "%(details)s. Grade the images again, or exclude the case."
    ),
    "submitted": gettext_noop(
        "This case cannot be submitted: every image must be graded %(minimum)s or better, but "
        "%(details)s. Grade the images, or exclude the case."
    ),
}


# States in which the case's annotator may grade its images. Once it is submitted the grades are
# part of what the reviewer checks, so only a project admin may change them (an approved case
# graded below the minimum leaves the exports).
ANNOTATOR_GRADING_STATES = frozenset({Case.State.NEW, Case.State.ANNOTATING, Case.State.REJECTED})


def may_grade(case: Case, user: User) -> bool:
    """Return whether `user` may grade the images of `case` now: a project admin at any time,
    the assigned annotator while the case is being annotated."""
    from annotation_platform.review.services import is_project_admin

    if is_project_admin(case.project, user):
        return True
    return case.assignee_id == user.pk and case.state in ANNOTATOR_GRADING_STATES


def require_may_grade(case: Case, user: User) -> None:
    """Raise with the reason unless `user` may grade the images of `case` now."""
    from annotation_platform.review.services import require_assignee

    if may_grade(case, user):
        return
    require_assignee(case, user)
    if case.state not in ANNOTATOR_GRADING_STATES:
        raise PermissionDeniedError(
            "QUALITY_GRADE_LOCKED",
            gettext_noop(
                "Case %(case)s is %(state)s, so only a project admin can change its image "
                "quality grades now. Ask a project admin to change them."
            ),
            case=case.label,
            state=str(Case.State(case.state).label),
        )


def series_grade(*, series: Series, grade: int, reasons: list[str], user: User) -> Series:
    """Record a series' quality grade (1 unusable, 2 acceptable, 3 good) with its reasons."""
    definition = series.study.project.protocol_version.definition
    grades = {item["value"] for item in definition["quality_grades"]}
    if grade not in grades:
        raise ActionableError(
            "QUALITY_GRADE_UNKNOWN",
            gettext_noop(
                "%(grade)s is not a quality grade of this protocol; use one of %(grades)s."
            ),
            grade=grade,
            grades=sorted(grades),
        )
    known = {item["key"] for item in definition.get("quality_reasons", [])}
    unknown = [reason for reason in reasons if reason not in known]
    if unknown:
        raise ActionableError(
            "QUALITY_REASON_UNKNOWN",
            gettext_noop("Unknown quality reasons %(reasons)s; use %(known)s."),
            reasons=unknown,
            known=sorted(known),
        )
    if grade < definition["minimum_quality_grade"] and not reasons:
        raise ActionableError(
            "QUALITY_REASON_REQUIRED",
            gettext_noop(
                "A grade below %(minimum)s needs at least one reason (motion, artefact...)."
            ),
            minimum=definition["minimum_quality_grade"],
        )
    previous = series.quality_grade
    series.quality_grade = grade
    series.quality_reasons = reasons
    series.quality_graded_by = user
    series.quality_graded_at = timezone.now()
    series.save(
        update_fields=["quality_grade", "quality_reasons", "quality_graded_by", "quality_graded_at"]
    )
    audit_record(
        actor=user,
        action="quality.graded",
        target=f"series:{series.pk}",
        project=series.study.project,
        study=series.study_id,
        sequence=series.sequence,
        grade=grade,
        previous=previous,
        reasons=reasons,
    )
    return series


def quality_problems(study: Study, *, require_graded: bool) -> list[dict[str, Any]]:
    """Selected series below the protocol's minimum grade (and, if asked, ungraded ones)."""
    minimum = study.project.protocol_version.definition["minimum_quality_grade"]
    problems = []
    for series in study.series.filter(selected=True).order_by("sequence"):
        if series.quality_grade is None:
            if require_graded:
                problems.append({"sequence": series.sequence, "grade": None, "reasons": []})
        elif series.quality_grade < minimum:
            problems.append(
                {
                    "sequence": series.sequence,
                    "grade": series.quality_grade,
                    "reasons": series.quality_reasons,
                }
            )
    return problems


def require_quality(study: Study, *, require_graded: bool, action: str) -> None:
    """Raise when the study's images fall below the protocol's minimum grade."""
    problems = quality_problems(study, require_graded=require_graded)
    if not problems:
        return
    minimum = study.project.protocol_version.definition["minimum_quality_grade"]
    details = "; ".join(
        f"{p['sequence']}: {p['grade'] if p['grade'] is not None else '?'}"
        + (f" ({', '.join(p['reasons'])})" if p["reasons"] else "")
        for p in problems
    )
    raise PermissionDeniedError(
        "QUALITY_BELOW_MINIMUM", QUALITY_MESSAGES[action], minimum=minimum, details=details
    )


def case_quality_summary(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "series": series.pk,
            "sequence": series.sequence,
            "grade": series.quality_grade,
            "reasons": series.quality_reasons,
        }
        for series in case.study.series.filter(selected=True).order_by("sequence")
    ]
