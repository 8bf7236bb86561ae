"""De-identify uploaded DICOM files and describe each result, in a process pool when allowed.

The description is read from the de-identified dataset only, so nothing identifying can reach
the caller through it: replaced UIDs, shifted dates, cleaned descriptions. It includes the
image geometry (`InstanceHeader` as a dict), so that conversion never reads the files again.
"""

import io
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import pydicom
from pydicom.errors import InvalidDicomError
from pydicom.filereader import read_partial

from annotation_platform.errors import ActionableError
from annotation_platform.imaging.deid import (
    DeidContext,
    deidentify,
    read_dicom,
    source_identity,
    write_dicom,
)
from annotation_platform.imaging.dicom_headers import InstanceHeader, header_from_dataset
from annotation_platform.imaging.process_pool import map_in_pool
from annotation_platform.imaging.sequences import header_fields

logger = logging.getLogger(__name__)

# Files handed to a pool process at a time: large enough to amortise the hand-over, small
# enough that two processes finish together on a 170-file series.
FILES_PER_TASK = 16
PATIENT_GROUP = 0x0010
# Raw files up to this size are parsed from a copy in memory (a single-frame image is far below).
IN_MEMORY_MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class IngestTask:
    source: Path
    target: Path
    context: DeidContext
    # Also extract the fields that sequence recognition reads.
    with_recognition_fields: bool = False


@dataclass(frozen=True)
class IngestedFile:
    """One de-identified file: its description, its report as a dict, or the error."""

    target: Path
    description: dict[str, Any] | None
    report: dict[str, Any] | None
    error: dict[str, Any] | None


def patient_key_of(path: Path) -> str:
    """The source patient key of a raw file (see `source_identity`), reading only up to the
    patient module: elements are sorted by tag, so nothing after group 0010 is parsed."""
    try:
        with _open_for_read(path) as handle:
            dataset = read_partial(
                handle, stop_when=lambda tag, vr, length: tag.group > PATIENT_GROUP
            )
        return source_identity(dataset).patient_key
    except (InvalidDicomError, EOFError, ValueError, KeyError, TypeError, AttributeError):
        # Files without a preamble, deflated or odd ones: the full reader handles them.
        return source_identity(read_dicom(path.read_bytes())).patient_key


def _open_for_read(path: Path) -> BinaryIO:
    # pydicom parses from io.BytesIO about a fifth faster than from a buffered file.
    if path.stat().st_size <= IN_MEMORY_MAX_BYTES:
        return io.BytesIO(path.read_bytes())
    return path.open("rb")


def patient_keys(paths: Sequence[Path], *, workers: int = 1) -> list[str | None]:
    """Return `patient_key_of` for every path, in order, in the shared pool when allowed.

    An entry is None where `patient_key_of` raised ActionableError (the file is unreadable).
    The keys identify patients: never store or log them (see SourceIdentity).
    """
    return map_in_pool(_patient_key_or_none, paths, workers=workers, chunksize=FILES_PER_TASK)


def _patient_key_or_none(path: Path) -> str | None:
    try:
        return patient_key_of(path)
    except ActionableError:
        return None


def ingest_files(tasks: Sequence[IngestTask], *, workers: int = 1) -> list[IngestedFile]:
    """De-identify every file and describe it; outcomes come back in the order of `tasks`."""
    return map_in_pool(ingest_one, tasks, workers=workers, chunksize=FILES_PER_TASK)


def ingest_one(task: IngestTask) -> IngestedFile:
    try:
        dataset = read_dicom(task.source.read_bytes())
        report = deidentify(dataset, task.context)
        task.target.write_bytes(write_dicom(dataset))
        description = describe(dataset)
        description["header"] = header_to_dict(header_from_dataset(task.target, dataset))
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


def header_to_dict(header: InstanceHeader) -> dict[str, Any]:
    """The header as JSON-compatible data, without the file path."""
    values = asdict(header)
    values.pop("path")
    return values


def header_from_dict(values: dict[str, Any], path: Path) -> InstanceHeader:
    """Rebuild a header stored by `header_to_dict` for the file now at `path`."""

    def as_tuple(value: Any) -> Any:
        if isinstance(value, list):
            return tuple(as_tuple(item) for item in value)
        return value

    return InstanceHeader(path=path, **{key: as_tuple(value) for key, value in values.items()})


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
