"""Reads of studies, series and jobs that check what the user may see."""

from typing import Any

from django.db.models import Prefetch, QuerySet

from annotation_platform.accounts.models import User
from annotation_platform.core.models import Job
from annotation_platform.errors import NotFoundError, gettext_noop
from annotation_platform.projects.selectors import projects_administered_by
from annotation_platform.studies.models import Series, Study, Upload


def studies_for_admin(
    user: User, *, project_id: int | None = None, status: str = ""
) -> QuerySet[Study]:
    studies = (
        Study.objects.filter(project__in=projects_administered_by(user))
        .select_related("patient", "project", "reference_series")
        .prefetch_related(
            Prefetch("series", queryset=Series.objects.order_by("series_number", "id"))
        )
    )
    if project_id:
        studies = studies.filter(project_id=project_id)
    if status:
        studies = studies.filter(status=status)
    return studies


def access_study_as_admin(user: User, study_id: int) -> Study:
    study = studies_for_admin(user).filter(pk=study_id).first()
    if study is None:
        raise NotFoundError(
            "STUDY_NOT_FOUND",
            gettext_noop("Study %(study_id)s does not exist or is not in one of your projects."),
            study_id=study_id,
        )
    return study


def access_series_as_admin(user: User, series_id: int) -> Series:
    series = (
        Series.objects.filter(pk=series_id, study__project__in=projects_administered_by(user))
        .select_related("study__project__protocol_version", "study__patient")
        .first()
    )
    if series is None:
        raise NotFoundError(
            "SERIES_NOT_FOUND",
            gettext_noop("Series %(series_id)s does not exist or is not in one of your projects."),
            series_id=series_id,
        )
    return series


def uploads_for_admin(user: User) -> QuerySet[Upload]:
    return Upload.objects.filter(project__in=projects_administered_by(user)).select_related(
        "project", "created_by"
    )


def access_upload_as_admin(user: User, upload_id: int) -> Upload:
    upload = uploads_for_admin(user).filter(pk=upload_id).first()
    if upload is None:
        raise NotFoundError(
            "UPLOAD_NOT_FOUND",
            gettext_noop("Upload %(upload_id)s does not exist or is not in one of your projects."),
            upload_id=upload_id,
        )
    return upload


def jobs_for_group(user: User, group: str) -> QuerySet[Job]:
    """Jobs of one study ("study:7") or upload ("upload:3") that the user administers."""
    kind, _, raw_id = group.partition(":")
    if not raw_id.isdigit():
        return Job.objects.none()
    if kind == "study":
        allowed = studies_for_admin(user).filter(pk=int(raw_id)).exists()
    elif kind == "upload":
        allowed = uploads_for_admin(user).filter(pk=int(raw_id)).exists()
    elif kind == "export":
        from annotation_platform.exports.models import Export

        allowed = Export.objects.filter(
            pk=int(raw_id), project__in=projects_administered_by(user)
        ).exists()
    else:
        allowed = False
    return Job.objects.filter(group=group) if allowed else Job.objects.none()


def study_sequence_overview(study: Study) -> list[dict[str, Any]]:
    """The protocol's required sequences with the series selected for each (or None)."""
    definition = study.project.protocol_version.definition
    selected = {series.sequence: series for series in study.series.all() if series.selected}
    return [{"key": key, "series": selected.get(key)} for key in definition["required_sequences"]]
