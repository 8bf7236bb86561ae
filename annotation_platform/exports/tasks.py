"""Celery entry point for exports."""

from typing import Any

from celery import shared_task

from annotation_platform.core.jobs import job_execute


@shared_task(bind=True, acks_late=True, max_retries=None)
def run_export(self: Any, job_id: int) -> None:
    from annotation_platform.exports.services import export_run

    job_execute(job_id, export_run, retry=self.retry)
