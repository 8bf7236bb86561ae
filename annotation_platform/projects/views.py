"""Project pages: list, create, edit (with the ethics approval)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from annotation_platform.errors import ActionableError
from annotation_platform.projects.forms import ProjectForm
from annotation_platform.projects.models import Membership
from annotation_platform.projects.selectors import (
    access_project_as_admin,
    projects_visible_to,
    user_can_create_projects,
)
from annotation_platform.projects.services import project_create, project_irb_document_attach


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    projects = projects_visible_to(request.user).select_related("protocol_version__protocol")
    admin_ids = set(
        Membership.objects.filter(user=request.user, role=Membership.Role.ADMIN).values_list(
            "project_id", flat=True
        )
    )
    return render(
        request,
        "projects/project_list.html",
        {
            "projects": projects,
            "admin_ids": admin_ids,
            "can_create": user_can_create_projects(request.user),
        },
    )


@login_required
def project_create_view(request: HttpRequest) -> HttpResponse:
    if not user_can_create_projects(request.user):
        raise PermissionDenied(_("Only site administrators can create projects."))
    form = ProjectForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        project = project_create(
            name=data["name"],
            protocol_version=data["protocol_version"],
            created_by=request.user,
            pseudonym_prefix=data["pseudonym_prefix"],
            description=data["description"],
            retain_patient_characteristics=data["retain_patient_characteristics"],
            irb_number=data["irb_number"],
            irb_body=data["irb_body"],
            irb_valid_until=data["irb_valid_until"],
        )
        if _attach_document(request, form, project):
            messages.success(request, _("Project %(name)s created.") % {"name": project.name})
            return redirect("projects:project-list")
    return render(request, "projects/project_form.html", {"form": form, "creating": True})


@login_required
def project_edit_view(request: HttpRequest, project_id: int) -> HttpResponse:
    try:
        project = access_project_as_admin(request.user, project_id)
    except ActionableError as error:
        raise PermissionDenied(error.localized()) from None
    form = ProjectForm(request.POST or None, request.FILES or None, instance=project)
    if request.method == "POST" and form.is_valid():
        form.save()
        if _attach_document(request, form, project):
            messages.success(request, _("Project %(name)s saved.") % {"name": project.name})
            return redirect("projects:project-list")
    return render(
        request, "projects/project_form.html", {"form": form, "project": project, "creating": False}
    )


def _attach_document(request: HttpRequest, form: ProjectForm, project: object) -> bool:
    document = form.cleaned_data.get("irb_document")
    if not document:
        return True
    try:
        project_irb_document_attach(project=project, name=document.name, stream=document)  # type: ignore[arg-type]
    except ActionableError as error:
        form.add_error("irb_document", error.localized())
        return False
    return True
