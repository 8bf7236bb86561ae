"""De-identifying bytes and lists of files, optionally in a process pool."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from annotation_platform.errors import ActionableError
from annotation_platform.imaging.deid.context import DeidContext, DeidReport
from annotation_platform.imaging.deid.dicomio import read_dicom_for_deid, write_dicom
from annotation_platform.imaging.deid.engine import deidentify
from annotation_platform.imaging.process_pool import map_in_pool

logger = logging.getLogger(__name__)

FILES_PER_TASK: Final = 8


@dataclass(frozen=True)
class DeidJob:
    """One file to de-identify: where to read it, where to write the result, with which context."""

    source: Path
    target: Path
    context: DeidContext


@dataclass(frozen=True)
class DeidOutcome:
    """The result for one job: a report, or the error as {code, template, params}."""

    target: Path
    report: DeidReport | None
    error: dict[str, Any] | None


def deidentify_bytes(data: bytes, context: DeidContext) -> tuple[bytes, DeidReport]:
    """Read, de-identify and write one DICOM file held in memory.

    Raises ActionableError (DICOM_UNREADABLE, DICOM_TRUNCATED) for input that cannot be read.
    """
    dataset, skipped = read_dicom_for_deid(
        data, skip_private=True, keep_private=context.options.safe_private.offsets_for
    )
    report = deidentify(dataset, context)
    report = replace(report, private_removed=report.private_removed + skipped)
    return write_dicom(dataset), report


def deidentify_files(jobs: Sequence[DeidJob], *, workers: int = 1) -> list[DeidOutcome]:
    """De-identify files, in `workers` processes when more than one, and return outcomes in order.

    A file that cannot be read gets an outcome with its error; the others go on. Writes each
    target file (parent folders must exist). With one worker everything runs in this process.
    The pool stays alive for the next call (see `process_pool`); a daemonic process (a Celery
    prefork child) works alone.
    """
    return map_in_pool(_run_job, jobs, workers=workers, chunksize=FILES_PER_TASK)


def _run_job(job: DeidJob) -> DeidOutcome:
    try:
        output, report = deidentify_bytes(job.source.read_bytes(), job.context)
    except ActionableError as exc:
        logger.warning("De-identification rejected a file: %s", exc.code)
        return DeidOutcome(target=job.target, report=None, error=exc.as_dict())
    job.target.write_bytes(output)
    return DeidOutcome(target=job.target, report=report, error=None)
