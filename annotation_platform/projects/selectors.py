"""Which projects a user may see or administer."""

from django.db.models import QuerySet

from annotation_platform.accounts.models import User
from annotation_platform.errors import NotFoundError, PermissionDeniedError, gettext_noop
from annotation_platform.projects.models import Membership, Project


def projects_administered_by(user: User) -> QuerySet[Project]:
    if user.is_superuser:
        return Project.objects.all()
    return Project.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.ADMIN
    ).distinct()


def projects_visible_to(user: User) -> QuerySet[Project]:
    if user.is_superuser:
        return Project.objects.all()
    return Project.objects.filter(memberships__user=user).distinct()


def user_is_project_admin(user: User, project: Project) -> bool:
    return projects_administered_by(user).filter(pk=project.pk).exists()


def access_project_as_admin(user: User, project_id: int) -> Project:
    """Return the project if `user` administers it; raise otherwise (404 hides other projects)."""
    project = (
        projects_visible_to(user)
        .filter(pk=project_id)
        .select_related("protocol_version__protocol")
        .first()
    )
    if project is None:
        raise NotFoundError(
            "PROJECT_NOT_FOUND",
            gettext_noop("Project %(project_id)s does not exist or is not one of yours."),
            project_id=project_id,
        )
    if not user_is_project_admin(user, project):
        raise PermissionDeniedError(
            "PROJECT_ADMIN_REQUIRED",
            gettext_noop(
                "Only an admin of project %(project)s can do this. Ask one of its admins."
            ),
            project=project.name,
        )
    return project


def user_can_create_projects(user: User) -> bool:
    return bool(user.is_superuser or user.is_staff)
