"""Template context shared by every page."""

from typing import Any

from django.http import HttpRequest

from annotation_platform.projects.selectors import projects_administered_by


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_project_admin": False}
    return {"is_project_admin": projects_administered_by(user).exists()}
