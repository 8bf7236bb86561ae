"""Background jobs: one row per job, idempotent requests, one claimant, retries on transient
errors only, progress on the row."""

from unittest import mock

import pytest
from django.db import OperationalError

from annotation_platform.core.jobs import (
    job_claim,
    job_execute,
    job_request,
    retry_delay_s,
)
from annotation_platform.core.models import Job
from annotation_platform.errors import ActionableError


class RecordingTask:
    """Stands in for a Celery task object at the enqueue boundary: records what would be sent."""

    def __init__(self) -> None:
        self.sent: list[list[int]] = []

    def apply_async(self, args=None, **options):
        self.sent.append(args)


@pytest.fixture
def task():
    return RecordingTask()


def _request(task, key="convert:series:1"):
    return job_request(kind="convert", key=key, group="study:1", task=task, payload={"x": 1})


@pytest.mark.django_db(transaction=True)
def test_repeated_request_returns_the_same_job(task):
    first = _request(task)
    second = _request(task)

    assert first.pk == second.pk
    assert Job.objects.count() == 1
    assert task.sent == [[first.pk]]


@pytest.mark.django_db(transaction=True)
def test_only_one_worker_claims_a_job(task):
    job = _request(task)

    assert job_claim(job.pk) is not None
    assert job_claim(job.pk) is None
    assert Job.objects.get(pk=job.pk).attempts == 1


@pytest.mark.django_db(transaction=True)
def test_failed_job_is_reset_and_sent_again(task):
    job = _request(task)
    job_execute(
        job.pk,
        lambda job, progress: (_ for _ in ()).throw(
            ActionableError("BROKEN", "Broken input %(x)s.", x=1)
        ),
        retry=mock.Mock(),
    )
    assert Job.objects.get(pk=job.pk).state == Job.State.FAILED

    again = _request(task)

    assert again.pk == job.pk
    assert again.state == Job.State.QUEUED
    assert again.error is None
    assert task.sent == [[job.pk], [job.pk]]


@pytest.mark.django_db(transaction=True)
def test_actionable_error_fails_at_once_without_retry(task):
    job = _request(task)
    retry = mock.Mock()

    def work(job, progress):
        raise ActionableError("NONUNIFORM_SLICE_SPACING", "Gap of %(gap)s mm.", gap=6.0)

    job_execute(job.pk, work, retry=retry)

    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.error == {
        "code": "NONUNIFORM_SLICE_SPACING",
        "template": "Gap of %(gap)s mm.",
        "params": {"gap": 6.0},
    }
    retry.assert_not_called()


@pytest.mark.django_db(transaction=True)
def test_transient_error_is_retried_with_backoff(task):
    job = _request(task)
    retry = mock.Mock()

    def work(job, progress):
        raise OperationalError("server closed the connection")

    job_execute(job.pk, work, retry=retry)

    job.refresh_from_db()
    assert job.state == Job.State.QUEUED
    retry.assert_called_once()
    assert retry.call_args.kwargs["countdown"] == retry_delay_s(1)


@pytest.mark.django_db(transaction=True)
def test_transient_error_gives_up_after_max_attempts(task):
    job = _request(task)
    Job.objects.filter(pk=job.pk).update(attempts=job.max_attempts - 1)

    job_execute(
        job.pk,
        lambda job, progress: (_ for _ in ()).throw(OperationalError("down")),
        retry=mock.Mock(),
    )

    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.error["code"] == "JOB_GAVE_UP"


@pytest.mark.django_db(transaction=True)
def test_unexpected_error_fails_with_the_job_id_only(task):
    job = _request(task)

    job_execute(job.pk, lambda job, progress: 1 / 0, retry=mock.Mock())

    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.error["code"] == "INTERNAL_ERROR"
    assert job.error["params"] == {"job_id": job.pk}


@pytest.mark.django_db(transaction=True)
def test_progress_is_written_to_the_row(task):
    job = _request(task)
    seen = []

    def work(job, progress):
        progress(0.5, "Converting")
        row = Job.objects.get(pk=job.pk)
        seen.append((row.progress, row.stage, row.heartbeat_at is not None))

    job_execute(job.pk, work, retry=mock.Mock())

    assert seen == [(0.5, "Converting", True)]
    assert Job.objects.get(pk=job.pk).state == Job.State.SUCCEEDED
    assert Job.objects.get(pk=job.pk).progress == 1.0


@pytest.mark.django_db(transaction=True)
def test_succeeded_job_is_not_run_again_on_redelivery(task):
    job = _request(task)
    runs = []
    job_execute(job.pk, lambda job, progress: runs.append(1), retry=mock.Mock())

    job_execute(job.pk, lambda job, progress: runs.append(1), retry=mock.Mock())

    assert runs == [1]
