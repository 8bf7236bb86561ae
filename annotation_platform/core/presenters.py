"""Job rows as the pages and the API show them."""

from typing import Any

from django.utils.translation import gettext, gettext_lazy

from annotation_platform.core.models import Job
from annotation_platform.errors import localize_problem

JOB_KIND_LABELS = {
    "ingest": gettext_lazy("De-identification and grouping"),
    "convert": gettext_lazy("Conversion to NIfTI"),
    "prepare": gettext_lazy("Alignment and thumbnails"),
    "export": gettext_lazy("Export"),
}


def job_kind_label(kind: str) -> str:
    return str(JOB_KIND_LABELS.get(kind, kind))


def job_as_dict(job: Job) -> dict[str, Any]:
    return {
        "id": job.pk,
        "kind": job.kind,
        "kind_display": job_kind_label(job.kind),
        "group": job.group,
        "state": job.state,
        "state_display": job.get_state_display(),
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "progress": job.progress,
        "stage": job.stage,
        "stage_display": gettext(job.stage) if job.stage else "",
        "error": job.error,
        "error_display": localize_problem(job.error) if job.error else "",
        "warnings": [localize_problem(w) for w in job.warnings],
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }
