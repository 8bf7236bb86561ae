"""The export page of a project: request an export, follow its progress, download it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from annotation_platform.core.models import Job
from annotation_platform.errors import ActionableError
from annotation_platform.exports.models import Export
from annotation_platform.exports.services import export_request, select_cases
from annotation_platform.projects.selectors import access_project_as_admin


@login_required
def exports_page(request: HttpRequest, project_id: int) -> HttpResponse:
    try:
        project = access_project_as_admin(request.user, project_id)
    except ActionableError as error:
        raise PermissionDenied(error.localized()) from None
    if request.method == "POST":
        try:
            export_request(
                project=project,
                export_format=request.POST.get("format", ""),
                convention=request.POST.get("convention", ""),
                user=request.user,
            )
        except ActionableError as error:
            messages.error(request, error.localized())
        return redirect("exports:exports", project_id=project.pk)
    exports = list(project.exports.all()[:30])
    jobs = {job.group: job for job in Job.objects.filter(group__in=[e.job_group for e in exports])}
    rows = [{"export": export, "job": jobs.get(export.job_group)} for export in exports]
    ready, waiting = select_cases(project, "nifti")
    return render(
        request,
        "exports/exports.html",
        {
            "project": project,
            "rows": rows,
            "formats": Export.Format.choices,
            "conventions": [
                (c["key"], project.protocol_version.text(c["name"]))
                for c in project.protocol_version.definition["export_conventions"]
            ],
            "ready_count": len(ready),
            "waiting": waiting,
            "job_groups": " ".join(export.job_group for export in exports),
        },
    )
