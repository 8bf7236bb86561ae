"""De-identifying bytes and lists of files, optionally in a process pool."""

import atexit
import logging
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from annotation_platform.errors import ActionableError
from annotation_platform.imaging.deid.context import DeidContext, DeidReport
from annotation_platform.imaging.deid.dicomio import read_dicom_for_deid, write_dicom
from annotation_platform.imaging.deid.engine import deidentify

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
    The pool stays alive for the next call (see `_shared_pool`).
    NOTE: a Celery prefork worker process is daemonic and may not start a pool; call this with
    workers=1 there, or from a process that may have children.
    """
    if workers <= 1 or len(jobs) <= 1:
        return [_run_job(job) for job in jobs]
    try:
        return list(_shared_pool(workers).map(_run_job, jobs, chunksize=FILES_PER_TASK))
    except BrokenProcessPool:
        # A pool process died (out of memory, killed): start a new pool next time, and finish
        # this batch here.
        logger.warning("The de-identification pool broke; finishing the batch in one process")
        _drop_shared_pool()
        return [_run_job(job) for job in jobs]


# One pool per process, kept between calls. A new pool process from the fork server took 0.5 to
# 0.8 s before its first file on a 2-CPU machine, because it still imports the parts of pydicom
# that are loaded on first use.
_pool: ProcessPoolExecutor | None = None
_pool_workers = 0
_pool_owner_pid = 0


def _shared_pool(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_workers, _pool_owner_pid
    if _pool is not None and (_pool_workers != workers or _pool_owner_pid != os.getpid()):
        _drop_shared_pool()
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context())
        _pool_workers = workers
        _pool_owner_pid = os.getpid()
        atexit.register(_drop_shared_pool)
    return _pool


def _drop_shared_pool() -> None:
    global _pool
    if _pool is not None and _pool_owner_pid == os.getpid():
        _pool.shutdown(wait=False, cancel_futures=True)
    _pool = None


def _pool_context() -> multiprocessing.context.BaseContext:
    """A fork server, which imports this module once and forks the workers from itself.

    A plain fork would copy the caller's state: broker connections that kombu closes in the child
    with a blocking read, and native thread pools whose locks may be held.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def _run_job(job: DeidJob) -> DeidOutcome:
    try:
        output, report = deidentify_bytes(job.source.read_bytes(), job.context)
    except ActionableError as exc:
        logger.warning("De-identification rejected a file: %s", exc.code)
        return DeidOutcome(target=job.target, report=None, error=exc.as_dict())
    job.target.write_bytes(output)
    return DeidOutcome(target=job.target, report=report, error=None)
