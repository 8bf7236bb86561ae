"""Celery entry points for ingest. Each takes a job id and calls one service."""

from typing import Any

from celery import shared_task

from annotation_platform.core.jobs import job_execute

# Celery retries are scheduled by job_execute for transient errors only; the job row caps them.
TASK_OPTIONS: dict[str, Any] = {"bind": True, "acks_late": True, "max_retries": None}


@shared_task(**TASK_OPTIONS)
def run_ingest(self: Any, job_id: int) -> None:
    from annotation_platform.studies.services.ingest import upload_ingest

    job_execute(job_id, upload_ingest, retry=self.retry)


@shared_task(**TASK_OPTIONS)
def run_conversion(self: Any, job_id: int) -> None:
    from annotation_platform.studies.services.conversion import series_convert

    job_execute(job_id, series_convert, retry=self.retry)


@shared_task(**TASK_OPTIONS)
def run_study_preparation(self: Any, job_id: int) -> None:
    from annotation_platform.studies.services.preparation import study_prepare

    job_execute(job_id, study_prepare, retry=self.retry)
