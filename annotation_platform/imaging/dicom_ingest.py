"""De-identify uploaded DICOM files and describe each result, in a process pool when allowed.

The description is read from the de-identified dataset only, so nothing identifying can reach
the caller through it: replaced UIDs, shifted dates, cleaned descriptions.
"""

import logging
import multiprocessing
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pydicom

from annotation_platform.errors import ActionableError
from annotation_platform.imaging.deid import DeidContext, deidentify, read_dicom, write_dicom
from annotation_platform.imaging.sequences import header_fields

logger = logging.getLogger(__name__)

# Files handed to a pool process at a time: large enough to amortise the hand-over, small
# enough that two processes finish together on a 170-file series.
FILES_PER_TASK = 16


@dataclass(frozen=True)
class IngestTask:
    source: Path
    target: Path
    context: DeidContext
    # Also extract the fields that sequence recognition reads (once per series is enough).
    with_recognition_fields: bool = False


@dataclass(frozen=True)
class IngestedFile:
    """One de-identified file: its description, its report as a dict, or the error."""

    target: Path
    description: dict[str, Any] | None
    report: dict[str, Any] | None
    error: dict[str, Any] | None


def ingest_files(tasks: Sequence[IngestTask], *, workers: int = 1) -> list[IngestedFile]:
    """De-identify every file and describe it; outcomes come back in the order of `tasks`."""
    if workers > 1 and multiprocessing.current_process().daemon:
        # A daemonic process (a Celery prefork child) may not start children; the platform's
        # workers use the solo pool so that this pool can run.
        logger.warning("running in a daemonic process: de-identifying in one process")
        workers = 1
    if workers <= 1 or len(tasks) < 2 * FILES_PER_TASK:
        return [ingest_one(task) for task in tasks]
    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
        return list(pool.map(ingest_one, tasks, chunksize=FILES_PER_TASK))


def _pool_context() -> multiprocessing.context.BaseContext:
    # Fork is fast and safe while this process runs one thread; otherwise a held lock could be
    # copied into the children, so a fork server starts them instead.
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def ingest_one(task: IngestTask) -> IngestedFile:
    try:
        dataset = read_dicom(task.source.read_bytes())
        report = deidentify(dataset, task.context)
        task.target.write_bytes(write_dicom(dataset))
        description = describe(dataset)
        if task.with_recognition_fields:
            description["recognition_fields"] = header_fields(dataset)
    except ActionableError as error:
        logger.warning("a file could not be de-identified: %s", error.code)
        return IngestedFile(
            target=task.target, description=None, report=None, error=error.as_dict()
        )
    return IngestedFile(
        target=task.target, description=description, report=report.as_dict(), error=None
    )


def describe(dataset: pydicom.Dataset) -> dict[str, Any]:
    """The fields that group a de-identified file into patient, study and series."""
    return {
        # After de-identification the Patient ID is the project pseudonym.
        "patient_pseudonym": str(dataset.get("PatientID", "") or ""),
        "study_uid": str(dataset.get("StudyInstanceUID", "") or ""),
        "series_uid": str(dataset.get("SeriesInstanceUID", "") or ""),
        "sop_uid": str(dataset.get("SOPInstanceUID", "") or ""),
        "sop_class_uid": str(dataset.get("SOPClassUID", "") or ""),
        "instance_number": _int(dataset.get("InstanceNumber")),
        "series_number": _int(dataset.get("SeriesNumber")),
        "modality": str(dataset.get("Modality", "") or ""),
        "series_description": str(dataset.get("SeriesDescription", "") or "")[:200],
        "study_description": str(dataset.get("StudyDescription", "") or "")[:200],
        "study_date": _date(dataset.get("StudyDate") or dataset.get("SeriesDate")),
    }


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> str | None:
    text = str(value or "").strip()
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        return None
