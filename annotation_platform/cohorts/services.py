"""Selecting cases into cohorts and assigning them to qualified annotators."""

import logging
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from annotation_platform.accounts.models import User
from annotation_platform.accounts.qualifications import qualification_for
from annotation_platform.annotations.models import Case
from annotation_platform.cohorts.models import Cohort
from annotation_platform.core.audit import audit_record
from annotation_platform.errors import ActionableError, gettext_noop
from annotation_platform.projects.models import Membership, Project
from annotation_platform.studies.models import Study

logger = logging.getLogger(__name__)

OPEN_STATES = (Case.State.NEW, Case.State.ANNOTATING, Case.State.REJECTED)


def cases_matching(
    project: Project,
    *,
    states: list[str] | None = None,
    complete_only: bool = False,
    minimum_quality: int | None = None,
    unassigned_only: bool = False,
    without_cohort: bool = False,
) -> QuerySet[Case]:
    """Cases of a project filtered by state, sequence completeness, image quality, assignment."""
    cases = Case.objects.filter(project=project).select_related("study__patient", "assignee")
    if states:
        cases = cases.filter(state__in=states)
    if complete_only:
        cases = cases.filter(study__status=Study.Status.READY)
    if minimum_quality is not None:
        # A case's quality is its worst selected series; ungraded series do not pass a filter.
        cases = cases.exclude(
            Q(study__series__selected=True)
            & (
                Q(study__series__quality_grade__lt=minimum_quality)
                | Q(study__series__quality_grade__isnull=True)
            )
        )
    if unassigned_only:
        cases = cases.filter(assignee__isnull=True)
    if without_cohort:
        cases = cases.filter(cohort__isnull=True)
    return cases.distinct()


def cohort_create(
    *,
    project: Project,
    name: str,
    cases: list[Case],
    created_by: User,
    selection: dict[str, Any] | None = None,
    due_date: date | None = None,
    description: str = "",
) -> Cohort:
    if not cases:
        raise ActionableError(
            "COHORT_EMPTY",
            gettext_noop("No case matches the filters, so the cohort would be empty. Widen them."),
        )
    foreign = [case.pk for case in cases if case.project_id != project.pk]
    if foreign:
        raise ActionableError(
            "COHORT_FOREIGN_CASES",
            gettext_noop("Cases %(cases)s belong to another project."),
            cases=foreign,
        )
    with transaction.atomic():
        cohort = Cohort.objects.create(
            project=project,
            name=name.strip(),
            description=description,
            selection=selection or {},
            due_date=due_date,
            created_by=created_by,
        )
        Case.objects.filter(pk__in=[case.pk for case in cases]).update(cohort=cohort)
        audit_record(
            actor=created_by,
            action="cohort.created",
            target=f"cohort:{cohort.pk}",
            project=project,
            cases=[case.pk for case in cases],
            selection=selection or {},
        )
    return cohort


def qualified_annotators(project: Project) -> list[User]:
    definition = project.protocol_version.definition
    members = Membership.objects.filter(
        project=project, role=Membership.Role.ANNOTATOR
    ).select_related("user")
    return [m.user for m in members if qualification_for(m.user, "annotator", definition).qualified]


def case_assign_check(project: Project, annotator: User) -> None:
    """Raise unless `annotator` is a qualified annotator of `project`."""
    if not Membership.objects.filter(
        project=project, user=annotator, role=Membership.Role.ANNOTATOR
    ).exists():
        raise ActionableError(
            "NOT_AN_ANNOTATOR",
            gettext_noop("%(user)s is not an annotator of project %(project)s. Add them first."),
            user=annotator.username,
            project=project.name,
        )
    check = qualification_for(annotator, "annotator", project.protocol_version.definition)
    if not check.qualified:
        raise ActionableError(
            "NOT_QUALIFIED_FOR_ROLE",
            gettext_noop("%(user)s cannot be a %(role)s in %(project)s: %(reason)s"),
            user=annotator.username,
            role=str(Membership.Role.ANNOTATOR.label),
            project=project.name,
            reason=check.reason,
        )


def case_assign(
    *, case: Case, annotator: User, assigned_by: User, due_date: date | None = None
) -> Case:
    """Assign (or reassign) a case. Versions already saved stay with the case, so the new
    annotator continues from the latest one."""
    case_assign_check(case.project, annotator)
    if case.state in (Case.State.SUBMITTED, Case.State.IN_REVIEW):
        raise ActionableError(
            "CASE_IN_REVIEW",
            gettext_noop("Case %(case)s is under review; reassign it after the decision."),
            case=case.label,
        )
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        previous = locked.assignee_id
        locked.assignee = annotator
        locked.assigned_at = timezone.now()
        if due_date is not None:
            locked.due_date = due_date
        locked.save(update_fields=["assignee", "assigned_at", "due_date", "updated_at"])
        audit_record(
            actor=assigned_by,
            action="case.assigned",
            target=f"case:{locked.pk}",
            project=locked.project,
            assignee=annotator.pk,
            previous_assignee=previous,
            due_date=str(locked.due_date) if locked.due_date else None,
            latest_version=locked.latest_version.number if locked.latest_version else None,
        )
    return locked


def case_set_due_date(*, case: Case, due_date: date | None, changed_by: User) -> Case:
    """Set or clear a case's due date without touching its assignment."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        previous = locked.due_date
        if previous == due_date:
            return locked
        locked.due_date = due_date
        locked.save(update_fields=["due_date", "updated_at"])
        audit_record(
            actor=changed_by,
            action="case.due_date_changed",
            target=f"case:{locked.pk}",
            project=locked.project,
            due_date=str(due_date) if due_date else None,
            previous_due_date=str(previous) if previous else None,
        )
    return locked


def cohort_assign_balanced(
    *,
    cohort: Cohort,
    annotators: list[User],
    assigned_by: User,
    due_date: date | None = None,
    reassign: bool = False,
) -> dict[int, int]:
    """Spread the cohort's open cases over `annotators`, giving each next case to whoever has the
    fewest open cases; return {case id: annotator id}."""
    if not annotators:
        raise ActionableError(
            "NO_ANNOTATORS", gettext_noop("Choose at least one annotator to assign the cases to.")
        )
    for annotator in annotators:
        case_assign_check(cohort.project, annotator)
    cases = cohort.cases.filter(state__in=OPEN_STATES).order_by("id")
    if not reassign:
        cases = cases.filter(assignee__isnull=True)
    load = {
        row["assignee"]: row["count"]
        for row in Case.objects.filter(assignee__in=annotators, state__in=OPEN_STATES)
        .values("assignee")
        .annotate(count=Count("id"))
    }
    result: dict[int, int] = {}
    for case in cases:
        if reassign and case.assignee_id is not None:
            load[case.assignee_id] = load.get(case.assignee_id, 1) - 1
        chosen = min(annotators, key=lambda user: (load.get(user.pk, 0), user.pk))
        case_assign(
            case=case,
            annotator=chosen,
            assigned_by=assigned_by,
            due_date=due_date or cohort.due_date,
        )
        load[chosen.pk] = load.get(chosen.pk, 0) + 1
        result[case.pk] = chosen.pk
    return result
