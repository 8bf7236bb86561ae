"""Pages for project admins: studies, a study, uploads, and the quarantine."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from annotation_platform.core.models import Job
from annotation_platform.core.storage import object_storage
from annotation_platform.errors import ActionableError, NotFoundError
from annotation_platform.projects.selectors import projects_administered_by
from annotation_platform.studies.models import Series, Study
from annotation_platform.studies.selectors import (
    access_series_as_admin,
    access_study_as_admin,
    access_upload_as_admin,
    studies_for_admin,
    study_sequence_overview,
    uploads_for_admin,
)
from annotation_platform.studies.services.deid_summary import method_names
from annotation_platform.studies.services.quarantine import quarantine_listing
from annotation_platform.studies.services.sequences import series_set_sequence


def _guard(error: ActionableError) -> Exception:
    if isinstance(error, NotFoundError):
        return Http404(error.localized())
    return PermissionDenied(error.localized())


@login_required
def study_list(request: HttpRequest) -> HttpResponse:
    project_id = request.GET.get("project", "")
    status = request.GET.get("status", "")
    studies = studies_for_admin(
        request.user, project_id=int(project_id) if project_id.isdigit() else None, status=status
    )
    active = {
        job.group: job
        for job in Job.objects.filter(
            group__in=[f"study:{study.pk}" for study in studies],
            state__in=[Job.State.QUEUED, Job.State.RUNNING],
        ).order_by("created_at")
    }
    rows = [
        {
            "study": study,
            "sequences": study_sequence_overview(study),
            "job": active.get(f"study:{study.pk}"),
        }
        for study in studies
    ]
    return render(
        request,
        "studies/study_list.html",
        {
            "rows": rows,
            "projects": projects_administered_by(request.user),
            "statuses": Study.Status.choices,
            "selected_project": project_id,
            "selected_status": status,
            "any_active": bool(active),
        },
    )


@login_required
def study_detail(request: HttpRequest, study_id: int) -> HttpResponse:
    try:
        study = access_study_as_admin(request.user, study_id)
    except ActionableError as error:
        raise _guard(error) from None
    jobs = Job.objects.filter(group=f"study:{study.pk}").order_by("created_at", "id")
    return render(
        request,
        "studies/study_detail.html",
        {
            "study": study,
            "sequences": study_sequence_overview(study),
            "series_list": study.series.all(),
            "jobs": jobs,
            "any_active": any(job.is_active for job in jobs),
            "sequence_choices": Series.Sequence.choices,
            "protocol": study.project.protocol_version,
            "job_group": f"study:{study.pk}",
            "deid_methods": method_names(study.deidentification or {}),
            "quality_grades": [
                (g["value"], study.project.protocol_version.text(g["name"]))
                for g in study.project.protocol_version.definition["quality_grades"]
            ],
            "quality_reasons": [
                (r["key"], study.project.protocol_version.text(r["name"]))
                for r in study.project.protocol_version.definition.get("quality_reasons", [])
            ],
        },
    )


@login_required
@require_POST
def series_sequence_update(request: HttpRequest, series_id: int) -> HttpResponse:
    try:
        series = access_series_as_admin(request.user, series_id)
        series_set_sequence(
            series=series, sequence=request.POST.get("sequence", ""), user=request.user
        )
    except NotFoundError as error:
        raise Http404(error.localized()) from None
    except ActionableError as error:
        messages.error(request, error.localized())
        return redirect("studies:study-detail", study_id=series.study_id)
    return redirect("studies:study-detail", study_id=series.study_id)


@login_required
@require_POST
def series_quality_update(request: HttpRequest, series_id: int) -> HttpResponse:
    """An admin grades a series' image quality from the study page."""
    from annotation_platform.quality.services import series_grade

    try:
        series = access_series_as_admin(request.user, series_id)
    except ActionableError as error:
        raise _guard(error) from None
    grade = request.POST.get("grade", "")
    try:
        series_grade(
            series=series,
            grade=int(grade) if grade.isdigit() else -1,
            reasons=request.POST.getlist("reasons"),
            user=request.user,
        )
    except ActionableError as error:
        messages.error(request, error.localized())
    return redirect("studies:study-detail", study_id=series.study_id)


@login_required
def series_thumbnail(request: HttpRequest, series_id: int) -> FileResponse:
    try:
        series = access_series_as_admin(request.user, series_id)
    except ActionableError as error:
        raise _guard(error) from None
    if not series.thumbnail_key:
        raise Http404("no thumbnail yet")
    response = FileResponse(
        object_storage().open(series.thumbnail_key, "rb"), content_type="image/png"
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def upload_page(request: HttpRequest) -> HttpResponse:
    projects = [p for p in projects_administered_by(request.user) if p.irb_is_valid()]
    blocked = [p for p in projects_administered_by(request.user) if not p.irb_is_valid()]
    return render(
        request,
        "studies/upload.html",
        {
            "projects": projects,
            "blocked_projects": blocked,
            "uploads": uploads_for_admin(request.user)[:20],
        },
    )


@login_required
def upload_detail(request: HttpRequest, upload_id: int) -> HttpResponse:
    try:
        upload = access_upload_as_admin(request.user, upload_id)
    except ActionableError as error:
        raise _guard(error) from None
    jobs = Job.objects.filter(group=f"upload:{upload.pk}")
    studies = Study.objects.filter(pk__in=upload.summary.get("study_ids", [])).select_related(
        "patient"
    )
    return render(
        request,
        "studies/upload_detail.html",
        {
            "upload": upload,
            "jobs": jobs,
            "studies": studies,
            "any_active": any(job.is_active for job in jobs),
            "job_group": f"upload:{upload.pk}",
        },
    )


@login_required
def quarantine_page(request: HttpRequest) -> HttpResponse:
    """Uploads whose raw files are still in quarantine, with decoded names for their admins."""
    return render(request, "studies/quarantine.html", {"entries": quarantine_listing(request.user)})
