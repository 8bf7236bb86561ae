"""Services for background jobs: request, claim, report progress, finish.

Every job follows one shape. A service calls `job_request`, which creates the row (or returns the
existing one for the same key) and enqueues the Celery task after the transaction commits. The
task calls `job_execute`, which claims the row with a conditional update, runs one service
function and records the outcome. Errors a user can act on fail the job at once; transient errors
(database or broker connection, storage timeouts) are retried with exponential back-off up to
`max_attempts`.
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any, Protocol

from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone

from annotation_platform.core.models import Job
from annotation_platform.errors import ActionableError, gettext_noop

logger = logging.getLogger(__name__)

# A running job that has not reported progress for this long is assumed lost with its worker
# and may be claimed again when the broker redelivers its message (tasks are acknowledged late).
STALE_AFTER = timedelta(minutes=15)
# Progress is written at most this often, unless the stage changes.
PROGRESS_INTERVAL_S = 0.5


# Set by `jobs_inline()`: jobs requested meanwhile run in this process instead of a worker.
_run_inline: ContextVar[bool] = ContextVar("run_jobs_inline", default=False)


@contextmanager
def jobs_inline() -> Iterator[None]:
    """Run every job requested inside this block in this process, after its transaction commits.

    For management commands on a machine without a running worker; the job rows, progress and
    errors are recorded exactly as a worker would record them.
    """
    token = _run_inline.set(True)
    try:
        yield
    finally:
        _run_inline.reset(token)


class TransientError(Exception):
    """A failure that may pass on its own (a storage or network hiccup): the job is retried."""


TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientError,
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
)


class Enqueueable(Protocol):
    def apply_async(self, args: list[Any] | None = None, **options: Any) -> Any: ...


class ProgressReporter:
    """Write a job's progress to its row, throttled, with a heartbeat."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._last_write = 0.0
        self._last_stage = ""

    def __call__(self, fraction: float, stage: str = "") -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        now = time.monotonic()
        if stage == self._last_stage and now - self._last_write < PROGRESS_INTERVAL_S:
            return
        self._last_write = now
        self._last_stage = stage
        fields: dict[str, Any] = {"progress": fraction, "heartbeat_at": timezone.now()}
        if stage:
            fields["stage"] = stage
        Job.objects.filter(pk=self.job.pk).update(**fields)

    def span(self, start: float, end: float) -> Callable[[float, str], None]:
        """A callback that maps its own 0..1 onto [start, end] of this job's progress."""

        def report(fraction: float, stage: str = "") -> None:
            self(start + (end - start) * min(max(fraction, 0.0), 1.0), stage)

        return report


def job_request(
    *,
    kind: str,
    key: str,
    group: str,
    task: Enqueueable,
    payload: dict[str, Any] | None = None,
    user: Any = None,
    rerun: bool = False,
) -> Job:
    """Return the job for `key`, creating and enqueuing it when needed.

    A queued or running job is returned as it is. A failed job is reset and enqueued again; so is
    a succeeded one when `rerun` is true. The task is sent after the surrounding transaction
    commits, so the worker never looks for a row it cannot see yet.
    """
    with transaction.atomic():
        job, created = _get_or_create_locked(
            kind=kind, key=key, group=group, payload=payload, user=user
        )
        if created:
            _enqueue(task, job)
            return job
        if job.state == Job.State.FAILED or (rerun and job.state == Job.State.SUCCEEDED):
            _reset(job, payload=payload, user=user)
            _enqueue(task, job)
    return job


def _get_or_create_locked(
    *, kind: str, key: str, group: str, payload: dict[str, Any] | None, user: Any
) -> tuple[Job, bool]:
    defaults = {"kind": kind, "group": group, "payload": payload or {}, "created_by": user}
    try:
        with transaction.atomic():
            return Job.objects.select_for_update().get_or_create(key=key, defaults=defaults)
    except IntegrityError:
        # Another request created the row between our lookup and insert.
        return Job.objects.select_for_update().get(key=key), False


def _reset(job: Job, *, payload: dict[str, Any] | None, user: Any) -> None:
    job.state = Job.State.QUEUED
    job.attempts = 0
    job.progress = 0.0
    job.stage = ""
    job.error = None
    job.warnings = []
    job.started_at = None
    job.finished_at = None
    job.heartbeat_at = None
    if payload is not None:
        job.payload = payload
    if user is not None:
        job.created_by = user
    job.save()


def _enqueue(task: Enqueueable, job: Job) -> None:
    job_id = job.pk
    if _run_inline.get():
        # Celery's apply() runs the task body here, retries included, without the broker.
        transaction.on_commit(lambda: task.apply(args=[job_id]))  # type: ignore[attr-defined]
        return
    transaction.on_commit(lambda: task.apply_async(args=[job_id]))


def job_claim(job_id: int) -> Job | None:
    """Move a job from queued to running; return None when another worker has it or it is done."""
    now = timezone.now()
    claimable = Q(state=Job.State.QUEUED) | Q(
        state=Job.State.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    )
    claimed = (
        Job.objects.filter(pk=job_id)
        .filter(claimable)
        .update(
            state=Job.State.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            heartbeat_at=now,
            error=None,
        )
    )
    if claimed != 1:
        return None
    return Job.objects.get(pk=job_id)


def job_succeed(job: Job, *, warnings: list[dict[str, Any]] | None = None) -> None:
    job.state = Job.State.SUCCEEDED
    job.progress = 1.0
    job.stage = ""
    job.finished_at = timezone.now()
    job.warnings = list(job.warnings) + list(warnings or [])
    job.save(update_fields=["state", "progress", "stage", "finished_at", "warnings"])


def job_fail(job: Job, error: dict[str, Any]) -> None:
    job.state = Job.State.FAILED
    job.error = error
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "error", "finished_at"])


def job_add_warnings(job: Job, warnings: list[dict[str, Any]]) -> None:
    if not warnings:
        return
    job.warnings = list(job.warnings) + list(warnings)
    job.save(update_fields=["warnings"])


def retry_delay_s(attempt: int) -> int:
    """Exponential back-off: 5 s, 20 s, 80 s, ... capped at 10 minutes."""
    return int(min(5 * 4 ** max(attempt - 1, 0), 600))


def job_execute(job_id: int, work: Callable[[Job, ProgressReporter], None], *, retry: Any) -> None:
    """Claim job `job_id`, run `work(job, progress)` and record the outcome.

    `retry(countdown, exc)` schedules the next attempt (a Celery task's `retry`); it raises, as
    Celery's does, so that the current message is acknowledged only after the retry is sent.
    """
    job = job_claim(job_id)
    if job is None:
        logger.info("job %s is done or claimed elsewhere; nothing to do", job_id)
        return

    started = time.monotonic()
    logger.info("job %s (%s) started, attempt %s", job.pk, job.kind, job.attempts)
    try:
        work(job, ProgressReporter(job))
    except ActionableError as error:
        logger.warning("job %s (%s) failed: %s", job.pk, job.kind, error.code)
        job_fail(job, error.as_dict())
        return
    except TRANSIENT_ERRORS as error:
        _handle_transient(job, error, retry)
        return
    except Exception:
        logger.exception("job %s (%s) failed on attempt %s", job.pk, job.kind, job.attempts)
        job_fail(job, internal_error(job))
        return

    job.refresh_from_db()
    job_succeed(job)
    logger.info("job %s (%s) succeeded in %.2f s", job.pk, job.kind, time.monotonic() - started)


def _handle_transient(job: Job, error: BaseException, retry: Any) -> None:
    if job.attempts >= job.max_attempts:
        logger.error(
            "job %s (%s) gave up after %s attempts: %s",
            job.pk,
            job.kind,
            job.attempts,
            type(error).__name__,
        )
        job_fail(
            job,
            {
                "code": "JOB_GAVE_UP",
                "template": gettext_noop(
                    "The job failed %(attempts)s times on a temporary error (%(error)s). "
                    "Check that the database, broker and storage are reachable, then retry it."
                ),
                "params": {"attempts": job.attempts, "error": type(error).__name__},
            },
        )
        return
    delay = retry_delay_s(job.attempts)
    logger.warning(
        "job %s (%s) hit %s on attempt %s; retrying in %s s",
        job.pk,
        job.kind,
        type(error).__name__,
        job.attempts,
        delay,
    )
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)
    retry(countdown=delay, exc=error)


def internal_error(job: Job) -> dict[str, Any]:
    return {
        "code": "INTERNAL_ERROR",
        "template": gettext_noop(
            "An unexpected error stopped this job. An administrator can find the details in "
            "the worker log under job %(job_id)s."
        ),
        "params": {"job_id": job.pk},
    }


def job_run_inline(job_id: int, work: Callable[[Job, ProgressReporter], None]) -> Job:
    """Run a job in this process (management commands); transient errors fail it at once."""

    def no_retry(countdown: int, exc: BaseException) -> None:
        raise exc

    try:
        job_execute(job_id, work, retry=no_retry)
    except TRANSIENT_ERRORS as error:
        job = Job.objects.get(pk=job_id)
        job_fail(
            job,
            {
                "code": "JOB_FAILED",
                "template": gettext_noop(
                    "The job failed on a temporary error (%(error)s). Retry it."
                ),
                "params": {"error": type(error).__name__},
            },
        )
    return Job.objects.get(pk=job_id)
