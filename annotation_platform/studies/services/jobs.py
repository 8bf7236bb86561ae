"""Reading and retrying the ingest jobs of a study or upload."""

from typing import Any

from annotation_platform.core.models import Job
from annotation_platform.errors import ActionableError, NotFoundError, gettext_noop
from annotation_platform.studies.models import Series, Study, Upload
from annotation_platform.studies.selectors import jobs_for_group
from annotation_platform.studies.services.processing import (
    series_request_conversion,
    study_request_preparation,
    upload_request_ingest,
)


def access_job_as_admin(user: Any, job_id: int) -> Job:
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not jobs_for_group(user, job.group).filter(pk=job_id).exists():
        raise NotFoundError(
            "JOB_NOT_FOUND",
            gettext_noop("Job %(job_id)s does not exist or is not in one of your projects."),
            job_id=job_id,
        )
    return job


def job_retry(job: Job, *, user: Any) -> Job:
    """Run a failed job again; a job that is queued, running or succeeded is returned as it is."""
    if job.state != Job.State.FAILED:
        return job
    if job.kind == "ingest":
        upload = Upload.objects.get(pk=job.payload["upload_id"])
        return upload_request_ingest(upload, user=user)
    if job.kind == "convert":
        series = Series.objects.get(pk=job.payload["series_id"])
        Series.objects.filter(pk=series.pk).update(status=Series.Status.RECEIVED, error=None)
        return series_request_conversion(series, user=user)
    if job.kind == "prepare":
        return study_request_preparation(Study.objects.get(pk=job.payload["study_id"]), user=user)
    raise ActionableError(
        "JOB_NOT_RETRYABLE",
        gettext_noop("Jobs of kind %(kind)s cannot be retried from here."),
        kind=job.kind,
    )
