"""Requesting the background jobs that take a study from upload to ready.

upload -> ingest (de-identify, group) -> one conversion per DICOM series -> one preparation per
study (choose a series per sequence, co-register to the reference grid, thumbnails) -> ready.
"""

import logging
from typing import Any

from django.db import transaction
from django.db.models import F

from annotation_platform.core.jobs import job_request
from annotation_platform.core.models import Job
from annotation_platform.studies.models import Series, Study, Upload

logger = logging.getLogger(__name__)

PENDING_SERIES = (Series.Status.RECEIVED, Series.Status.CONVERTING)


def upload_request_ingest(upload: Upload, *, user: Any = None) -> Job:
    from annotation_platform.studies.tasks import run_ingest

    return job_request(
        kind="ingest",
        key=f"ingest:upload:{upload.pk}",
        group=f"upload:{upload.pk}",
        task=run_ingest,
        payload={"upload_id": upload.pk},
        user=user,
    )


def series_request_conversion(series: Series, *, user: Any = None, rerun: bool = False) -> Job:
    from annotation_platform.studies.tasks import run_conversion

    return job_request(
        kind="convert",
        key=f"convert:series:{series.pk}",
        group=f"study:{series.study_id}",
        task=run_conversion,
        payload={"series_id": series.pk},
        user=user,
        rerun=rerun,
    )


def study_request_preparation(study: Study, *, user: Any = None) -> Job:
    """Request a fresh preparation of the study; an older one still queued becomes a no-op."""
    from annotation_platform.studies.tasks import run_study_preparation

    with transaction.atomic():
        Study.objects.filter(pk=study.pk).update(
            preparation_revision=F("preparation_revision") + 1, status=Study.Status.PROCESSING
        )
        revision = Study.objects.values_list("preparation_revision", flat=True).get(pk=study.pk)
        return job_request(
            kind="prepare",
            key=f"prepare:study:{study.pk}:{revision}",
            group=f"study:{study.pk}",
            task=run_study_preparation,
            payload={"study_id": study.pk, "revision": revision},
            user=user,
        )


def study_after_series_change(study_id: int) -> Job | None:
    """Request the study's preparation once none of its series waits for conversion."""
    with transaction.atomic():
        study = Study.objects.select_for_update().get(pk=study_id)
        if study.series.filter(status__in=PENDING_SERIES).exists():
            return None
        return study_request_preparation(study)


def study_request_processing(study: Study, *, user: Any = None) -> None:
    """Convert every DICOM series that is not converted yet; prepare the study when none is."""
    waiting = list(
        study.series.filter(source_kind=Series.SourceKind.DICOM, status__in=PENDING_SERIES)
    )
    for series in waiting:
        series_request_conversion(series, user=user)
    if not waiting:
        study_request_preparation(study, user=user)
