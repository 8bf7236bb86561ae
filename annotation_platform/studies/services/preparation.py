"""Preparation of a study (a background job): one series per sequence on one reference grid.

The reference sequence comes from the label protocol (T1c for the CNS tumour protocol). Volumes
already on the reference grid pass through untouched; others are rigidly co-registered to it and
resampled. Every converted series gets a thumbnail of its middle axial slice.
"""

import logging
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from django.db import transaction

from annotation_platform.core.jobs import ProgressReporter
from annotation_platform.core.models import Job
from annotation_platform.core.storage import (
    local_path,
    object_storage,
    put_bytes,
    put_file,
    scratch_folder,
    sha256_file,
)
from annotation_platform.errors import gettext_noop
from annotation_platform.imaging.registration import align_to_reference, plan_alignment
from annotation_platform.imaging.thumbnails import middle_slice_png
from annotation_platform.imaging.volumes import grid_of
from annotation_platform.studies.models import Series, Study
from annotation_platform.studies.services.sequences import study_select_series
from annotation_platform.studies.signals import study_ready

logger = logging.getLogger(__name__)


def study_prepare(job: Job, progress: ProgressReporter) -> None:
    """Align the study's chosen series to its reference grid and make thumbnails."""
    study = Study.objects.select_related("project__protocol_version").get(
        pk=job.payload["study_id"]
    )
    if job.payload.get("revision") != study.preparation_revision:
        logger.info("preparation of study %s superseded by a newer request", study.pk)
        return
    definition = study.project.protocol_version.definition
    chosen = study_select_series(study)
    outcome: dict[str, Any] = {"grid": None, "alignment": {}, "aligned": {}, "reference": None}
    if chosen:
        outcome = _align(chosen, definition["reference_sequence"], progress.span(0.0, 0.85))
    thumbnails = _thumbnails(study, outcome["aligned"], progress.span(0.85, 1.0))
    _record(study, job, chosen, outcome, thumbnails, definition)


def _align(chosen: dict[str, Series], reference: str, progress: Any) -> dict[str, Any]:
    storage = object_storage()
    with ExitStack() as stack, scratch_folder("align-") as work:
        paths = {
            sequence: stack.enter_context(local_path(storage, series.volume_key, ".nii.gz"))
            for sequence, series in chosen.items()
        }
        progress(0.0, gettext_noop("Checking whether the sequences share one grid"))
        plan = plan_alignment(paths, reference)
        alignment: dict[str, Any] = {}
        aligned: dict[int, str] = {}
        registered = [step for step in plan.steps if step.action == "register"]
        for step in plan.steps:
            series = chosen[step.sequence]
            if step.action != "register":
                aligned[series.pk] = series.volume_key
                alignment[str(series.pk)] = {
                    "mode": "reference" if step.action == "reference" else "identity",
                    "sequence": step.sequence,
                }
                continue
            index = registered.index(step)
            report = _step_progress(progress, index, len(registered))
            result = align_to_reference(
                step.path, plan.reference_path, work / f"{series.pk}.nii.gz", report
            )
            key = f"volumes/{sha256_file(result.out_path)}.nii.gz"
            put_file(storage, key, result.out_path)
            aligned[series.pk] = key
            alignment[str(series.pk)] = {
                "mode": "rigid",
                "sequence": step.sequence,
                "transform": result.transform,
                "metric": result.metric,
                "iterations": result.iterations,
            }
        grid = grid_of(plan.reference_path)
    return {
        "grid": grid,
        "alignment": alignment,
        "aligned": aligned,
        "reference": chosen[plan.reference].pk,
    }


def _step_progress(progress: Any, index: int, count: int) -> Any:
    def report(fraction: float, stage: str = "") -> None:
        progress((index + fraction) / max(count, 1), gettext_noop("Co-registering the sequences"))

    return report


def _thumbnails(study: Study, aligned: dict[int, str], progress: Any) -> dict[int, str]:
    storage = object_storage()
    keys: dict[int, str] = {}
    converted = [
        s for s in study.series.all() if s.status == Series.Status.CONVERTED and s.volume_key
    ]
    for index, series in enumerate(converted):
        progress(index / max(len(converted), 1), gettext_noop("Drawing the thumbnails"))
        source_key = aligned.get(series.pk, series.volume_key)
        with local_path(storage, source_key, ".nii.gz") as path:
            png = middle_slice_png(Path(path))
        key = f"thumbnails/{series.pk}-{_short_hash(source_key)}.png"
        put_bytes(storage, key, png)
        keys[series.pk] = key
    return keys


def _short_hash(key: str) -> str:
    return Path(key).name.split(".")[0][:16]


def _record(
    study: Study,
    job: Job,
    chosen: dict[str, Series],
    outcome: dict[str, Any],
    thumbnails: dict[int, str],
    definition: dict[str, Any],
) -> None:
    missing = [key for key in definition["required_sequences"] if key not in chosen]
    with transaction.atomic():
        locked = Study.objects.select_for_update().get(pk=study.pk)
        if locked.preparation_revision != job.payload.get("revision"):
            return
        for series in locked.series.all():
            series.aligned_key = outcome["aligned"].get(series.pk, "")
            series.thumbnail_key = thumbnails.get(series.pk, series.thumbnail_key)
            series.save(update_fields=["aligned_key", "thumbnail_key"])
        locked.grid = outcome["grid"]
        locked.alignment = outcome["alignment"]
        locked.reference_series_id = outcome["reference"]
        locked.missing_sequences = missing
        locked.status = _status(locked, chosen, missing)
        locked.save(
            update_fields=[
                "grid",
                "alignment",
                "reference_series",
                "missing_sequences",
                "status",
                "updated_at",
            ]
        )
    if locked.status == Study.Status.READY:
        study_ready.send(sender=Study, study=locked)
    logger.info("study %s prepared: %s, missing %s", study.pk, locked.status, missing)


def _status(study: Study, chosen: dict[str, Series], missing: list[str]) -> str:
    if chosen and not missing:
        return Study.Status.READY
    converted = study.series.filter(status=Series.Status.CONVERTED).exists()
    failed = study.series.filter(status=Series.Status.FAILED).exists()
    if failed and not converted:
        return Study.Status.FAILED
    return Study.Status.INCOMPLETE
