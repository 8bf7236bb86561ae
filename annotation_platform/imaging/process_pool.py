"""One process pool per process, kept between calls, for CPU-bound work over many files.

Starting pool processes costs several hundred milliseconds (each imports pydicom and the imaging
modules), which a long-lived worker then pays once instead of once per job.
"""

import atexit
import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

logger = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")

_pool: ProcessPoolExecutor | None = None
_pool_workers = 0
_pool_owner_pid = 0


def map_in_pool(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    workers: int,
    chunksize: int,
) -> list[Result]:
    """Return `function` of every item, in order, computed in `workers` pool processes.

    Runs in this process when one worker is requested or the items fill fewer than two chunks.
    It also does in a daemonic process, because a Celery prefork child may not start children
    (the platform's workers use the solo pool so that the pool can run). When a pool process
    dies (out of memory, killed), the pool is dropped and the batch finishes in this process.
    """
    if workers > 1 and multiprocessing.current_process().daemon:
        logger.warning("running in a daemonic process: working in one process, without a pool")
        workers = 1
    if workers <= 1 or len(items) < 2 * chunksize:
        return [function(item) for item in items]
    try:
        return list(_shared_pool(workers).map(function, items, chunksize=chunksize))
    except BrokenProcessPool:
        logger.warning("the process pool broke; finishing %d items in one process", len(items))
        _drop_shared_pool()
        return [function(item) for item in items]


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
    """Return a fork server context, so that pool processes start from a clean process that has
    imported the imaging modules, never from a copy of the caller.

    A plain fork would copy whatever the caller holds: Celery's broker connections (kombu closes
    them in the child with a blocking read) and native thread pools of ITK or BLAS whose locks
    may be held mid-operation.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(
        ["annotation_platform.imaging.dicom_ingest", "annotation_platform.imaging.deid.batch"]
    )
    return context
