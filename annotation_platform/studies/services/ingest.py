"""Ingest of one upload (a background job): de-identify, group, store, then request conversion.

Only this job reads raw bytes from quarantine. DICOM files are de-identified before anything
else reads them; NIfTI files have their free-text header fields cleared. The quarantine copy is
deleted once every file is stored. A re-run after a crash finds the same UIDs and object keys,
so it completes the work instead of duplicating it.
"""

import logging
import os
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone

from annotation_platform.core.jobs import ProgressReporter, job_add_warnings
from annotation_platform.core.models import Job
from annotation_platform.core.storage import (
    local_path,
    object_storage,
    put_file,
    quarantine_storage,
    scratch_folder,
)
from annotation_platform.errors import gettext_noop
from annotation_platform.imaging.deid import DeidContext, DeidOptions
from annotation_platform.imaging.dicom_ingest import (
    IngestedFile,
    IngestTask,
    ingest_files,
    patient_keys,
)
from annotation_platform.imaging.sequences import recognize_dicom
from annotation_platform.projects.models import Project
from annotation_platform.studies.models import Instance, Patient, Series, Study, Upload
from annotation_platform.studies.pseudonyms import (
    date_shift_days,
    patient_for_source,
    project_key,
)
from annotation_platform.studies.services.deid_summary import merge_deid_summary
from annotation_platform.studies.services.nifti_ingest import ingest_nifti_items
from annotation_platform.studies.services.processing import study_request_processing
from annotation_platform.studies.services.quarantine import (
    QuarantineItem,
    manifest_read,
    quarantine_release,
)

logger = logging.getLogger(__name__)


def deid_workers() -> int:
    return max(1, min(settings.DEID_WORKERS, os.cpu_count() or 1))


def upload_ingest(job: Job, progress: ProgressReporter) -> None:
    """Ingest the job's upload and request the processing of every study it touched."""
    upload = Upload.objects.select_related("project").get(pk=job.payload["upload_id"])
    if upload.state == Upload.State.DONE:
        return
    Upload.objects.filter(pk=upload.pk).update(state=Upload.State.PROCESSING)
    items, subject = manifest_read(upload)
    dicom_items = [item for item in items if item.kind == "dicom"]
    nifti_items = [item for item in items if item.kind == "nifti"]

    summary: dict[str, Any] = {"dicom_files": 0, "nifti_files": 0, "skipped": 0}
    studies: set[int] = set()
    warnings: list[dict[str, Any]] = []
    if dicom_items:
        dicom_end = 0.9 if not nifti_items else 0.7
        studies |= _ingest_dicom(
            upload, dicom_items, progress.span(0.0, dicom_end), summary, warnings
        )
    if nifti_items:
        studies |= ingest_nifti_items(
            upload,
            nifti_items,
            subject,
            progress.span(0.7 if dicom_items else 0.0, 0.9),
            summary,
            warnings,
        )

    progress(0.95, gettext_noop("Deleting the raw files from quarantine"))
    quarantine_release(upload)
    summary["study_ids"] = sorted(studies)
    Upload.objects.filter(pk=upload.pk).update(
        state=Upload.State.DONE, summary=summary, finished_at=timezone.now()
    )
    job_add_warnings(job, warnings)
    for study in Study.objects.filter(pk__in=studies):
        study_request_processing(study)
    logger.info(
        "upload %s ingested: %s DICOM, %s NIfTI, %s skipped, %s studies",
        upload.pk,
        summary["dicom_files"],
        summary["nifti_files"],
        summary["skipped"],
        len(studies),
    )


def _ingest_dicom(
    upload: Upload,
    items: list[QuarantineItem],
    progress: Any,
    summary: dict[str, Any],
    warnings: list[dict[str, Any]],
) -> set[int]:
    project = upload.project
    quarantine = quarantine_storage()
    options = DeidOptions(retain_patient_characteristics=project.retain_patient_characteristics)
    with scratch_folder("ingest-") as work:
        progress(0.02, gettext_noop("Reading patient identities in quarantine"))
        sources = _local_sources(quarantine, items, work / "raw")
        contexts = _contexts_by_file(project, sources, options)
        tasks = _tasks(sources, contexts, work / "deid")
        progress(0.1, gettext_noop("De-identifying the DICOM files"))
        outcomes = ingest_files(tasks, workers=deid_workers())
        progress(0.7, gettext_noop("Storing the de-identified files"))
        return _store_outcomes(project, outcomes, progress, summary, warnings)


def _local_sources(quarantine: Any, items: list[QuarantineItem], folder: Path) -> list[Path]:
    """Local paths of the raw files: the quarantine files themselves when stored locally."""
    if isinstance(quarantine, FileSystemStorage):
        return [Path(quarantine.path(item.key)) for item in items]
    folder.mkdir(parents=True)
    paths = []
    for item in items:
        target = folder / f"{item.index:06d}.dcm"
        with local_path(quarantine, item.key) as path:
            target.write_bytes(path.read_bytes())
        paths.append(target)
    return paths


def _contexts_by_file(
    project: Project, sources: list[Path], options: DeidOptions
) -> list[DeidContext]:
    """One de-identification context per file: the pseudonym and date shift of its patient.

    The source patient keys live only in memory, in the pool processes that read them and here.
    Each is hashed to find the patient and then dropped.
    """
    secret = project_key(project)
    cache: dict[str, DeidContext] = {}
    contexts = []
    keys = patient_keys(sources, workers=deid_workers())
    for path, key in zip(sources, keys, strict=True):
        if not key:
            # No Patient ID, name or birth date: the file stands alone as its own patient.
            key = f"file:{path.name}:{path.stat().st_size}"
        context = cache.get(key)
        if context is None:
            patient = patient_for_source(project, key)
            context = DeidContext(
                uid_secret=secret,
                patient_pseudonym=patient.pseudonym,
                date_shift_days=date_shift_days(project, key),
                options=options,
            )
            cache[key] = context
        contexts.append(context)
    return contexts


def _tasks(sources: list[Path], contexts: list[DeidContext], folder: Path) -> list[IngestTask]:
    folder.mkdir(parents=True)
    return [
        IngestTask(
            source=source,
            target=folder / f"{number:06d}.dcm",
            context=context,
            # Recognition needs one file per series; the first of each is enough, but the
            # series are unknown before de-identification, so every file carries the fields.
            with_recognition_fields=True,
        )
        for number, (source, context) in enumerate(zip(sources, contexts, strict=True))
    ]


def _store_outcomes(
    project: Project,
    outcomes: list[IngestedFile],
    progress: Any,
    summary: dict[str, Any],
    warnings: list[dict[str, Any]],
) -> set[int]:
    storage = object_storage()
    by_series: dict[tuple[str, str], list[IngestedFile]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.error is not None or outcome.description is None:
            summary["skipped"] += 1
            if outcome.error and len(warnings) < 20:
                warnings.append(outcome.error)
            continue
        description = outcome.description
        by_series[(description["study_uid"], description["series_uid"])].append(outcome)

    studies: set[int] = set()
    done = 0
    for (_, series_uid), files in by_series.items():
        study = _study_for(project, files[0])
        series = _series_for(study, series_uid, files[0])
        instances = []
        for outcome in files:
            description = outcome.description or {}
            key = f"{series.dicom_prefix}{description['sop_uid']}.dcm"
            size = outcome.target.stat().st_size
            put_file(storage, key, outcome.target, move=True)
            instances.append(
                Instance(
                    series=series,
                    sop_instance_uid=description["sop_uid"],
                    sop_class_uid=description["sop_class_uid"],
                    instance_number=description["instance_number"],
                    object_key=key,
                    size_bytes=size,
                    header=description.get("header", {}),
                )
            )
        # A repeated upload of the same files replaces their rows instead of failing.
        Instance.objects.bulk_create(
            instances,
            update_conflicts=True,
            unique_fields=["series", "sop_instance_uid"],
            update_fields=[
                "sop_class_uid",
                "instance_number",
                "object_key",
                "size_bytes",
                "header",
            ],
        )
        done += len(files)
        progress(
            0.7 + 0.3 * done / max(len(outcomes), 1),
            gettext_noop("Storing the de-identified files"),
        )
        Series.objects.filter(pk=series.pk).update(file_count=series.instances.count())
        merge_deid_summary(study, [f.report for f in files if f.report])
        studies.add(study.pk)
    summary["dicom_files"] += done
    return studies


def _study_for(project: Project, first: IngestedFile) -> Study:
    description = first.description or {}
    patient = Patient.objects.get(project=project, pseudonym=description["patient_pseudonym"])
    study_date = description.get("study_date")
    study, _ = Study.objects.get_or_create(
        project=project,
        study_uid=description["study_uid"],
        defaults={
            "patient": patient,
            "study_date": date.fromisoformat(study_date) if study_date else None,
            "description": description.get("study_description", ""),
        },
    )
    return study


def _series_for(study: Study, series_uid: str, first: IngestedFile) -> Series:
    description = first.description or {}
    fields = description.get("recognition_fields") or {}
    recognition = recognize_dicom(fields)
    with transaction.atomic():
        series, created = Series.objects.select_for_update().get_or_create(
            study=study,
            series_uid=series_uid,
            defaults={
                "source_kind": Series.SourceKind.DICOM,
                "series_number": description.get("series_number"),
                "modality": description.get("modality", ""),
                "description": description.get("series_description", ""),
                "sequence": _sequence_value(str(recognition.sequence)),
                "sequence_confidence": recognition.confidence,
                "sequence_source": Series.SequenceSource.HEADER,
                "sequence_evidence": recognition.evidence,
                "acquisition": _acquisition(fields),
            },
        )
        if not created and series.status != Series.Status.RECEIVED:
            # New files for a converted series: convert it again with them.
            series.status = Series.Status.RECEIVED
            series.volume_key = ""
            series.save(update_fields=["status", "volume_key"])
    return series


def _sequence_value(value: str) -> str:
    return value if value in Series.Sequence.values else Series.Sequence.OTHER


# Acquisition parameters kept on the series for the study page and for later recognition.
ACQUISITION_KEYS = (
    "RepetitionTime",
    "EchoTime",
    "InversionTime",
    "FlipAngle",
    "MagneticFieldStrength",
    "MRAcquisitionType",
    "ScanningSequence",
    "SequenceVariant",
    "Manufacturer",
)


def _acquisition(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: fields[key] for key in ACQUISITION_KEYS if key in fields}
