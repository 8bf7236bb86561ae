"""Which cases a user may see and edit."""

from django.db.models import Q, QuerySet

from annotation_platform.accounts.models import User
from annotation_platform.accounts.qualifications import qualification_for
from annotation_platform.annotations.models import Case
from annotation_platform.annotations.workflow import EDITABLE_STATES
from annotation_platform.errors import NotFoundError, PermissionDeniedError, gettext_noop
from annotation_platform.projects.models import Membership

# States in which a case is visible to the project's reviewers.
REVIEWABLE_STATES = (
    Case.State.SUBMITTED,
    Case.State.IN_REVIEW,
    Case.State.APPROVED,
    Case.State.REJECTED,
)


def cases_visible_to(user: User) -> QuerySet[Case]:
    """Project admins see their projects' cases, annotators the cases assigned to them, and
    reviewers the cases submitted for review in their projects, except their own work."""
    cases = Case.objects.select_related(
        "study__patient", "project__protocol_version", "assignee", "latest_version"
    )
    if user.is_superuser:
        return cases
    admin_projects = Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values(
        "project_id"
    )
    review_projects = Membership.objects.filter(user=user, role=Membership.Role.REVIEWER).values(
        "project_id"
    )
    return cases.filter(
        Q(project_id__in=admin_projects)
        | Q(assignee=user)
        | (Q(project_id__in=review_projects, state__in=REVIEWABLE_STATES) & ~Q(assignee=user))
    ).distinct()


def access_case(user: User, case_id: int) -> Case:
    case = cases_visible_to(user).filter(pk=case_id).first()
    if case is None:
        raise NotFoundError(
            "CASE_NOT_FOUND",
            gettext_noop("Case %(case_id)s does not exist or is not assigned to you."),
            case_id=case_id,
        )
    return case


def can_edit_case(user: User, case: Case) -> bool:
    return case.assignee_id == user.pk and case.state in EDITABLE_STATES


def access_case_for_edit(user: User, case_id: int) -> Case:
    """Return the case if `user` may save masks on it now; raise with the reason otherwise."""
    case = access_case(user, case_id)
    if case.assignee_id != user.pk:
        raise PermissionDeniedError(
            "CASE_NOT_ASSIGNED_TO_YOU",
            gettext_noop("Case %(case)s is assigned to someone else, so you can only view it."),
            case=case.label,
        )
    if case.state not in EDITABLE_STATES:
        raise PermissionDeniedError(
            "CASE_NOT_EDITABLE",
            gettext_noop(
                "Case %(case)s is %(state)s and cannot be edited now. It can be edited again "
                "when a reviewer rejects it, or after approval, when the change needs a new "
                "review."
            ),
            case=case.label,
            state=str(Case.State(case.state).label),
        )
    qualification = qualification_for(user, "annotator", case.project.protocol_version.definition)
    if not qualification.qualified:
        raise PermissionDeniedError(
            "ANNOTATOR_NOT_QUALIFIED",
            gettext_noop("You cannot annotate under this protocol: %(reason)s"),
            reason=qualification.reason,
        )
    return case
