"""A throw-away platform for benchmarks: a fresh PostgreSQL database, Redis, a temporary data
folder and real solo-pool Celery workers, set up and torn down in the benchmark's own process.

Use:
    with platform(workers=2) as env:
        ...   # Django is configured; env.client is a logged-in test client
"""

import logging
import os
import subprocess
import sys
import time
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))


@dataclass
class Environment:
    client: object
    user: object
    project: object
    data_dir: Path
    shared_dir: Path


def _configure_django() -> None:
    os.environ.setdefault("TEST_RUN_ID", f"bench{uuid.uuid4().hex[:8]}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "annotation_platform.settings.test"
    import django

    django.setup()
    # The services log one INFO line per save or job; the figures are what a benchmark prints.
    logging.getLogger("annotation_platform").setLevel(logging.WARNING)
    # WhiteNoise warns once that the throw-away data folder has no collected static files.
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers")


@contextmanager
def platform(workers: int = 2) -> Iterator[Environment]:
    _configure_django()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    processes = _start_workers(workers, test_name)
    try:
        yield _environment(settings)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def _start_workers(count: int, database: str) -> list[subprocess.Popen[bytes]]:
    from django.conf import settings

    from annotation_platform.core.workers import die_with_parent, worker_command

    environment = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
    }
    processes = []
    for number in range(1, count + 1):
        log_path = Path(settings.DATA_DIR) / f"bench-worker{number}.log"
        log = log_path.open("wb")
        process = subprocess.Popen(
            worker_command(f"bench{number}") + ["--without-heartbeat", "--loglevel", "WARNING"],
            env=environment,
            cwd=REPOSITORY,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
        processes.append(process)
    if processes:
        _wait_until_consuming(processes)
    return processes


def _wait_until_consuming(processes: list[subprocess.Popen[bytes]]) -> None:
    from annotation_platform.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=0.5) or []
        if len(replies) >= len(processes):
            return
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError("a benchmark worker exited at start; see its log")
    raise RuntimeError("the benchmark workers did not answer within 60 s")


def _environment(settings: object) -> Environment:
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    from annotation_platform.accounts.models import User
    from annotation_platform.projects.services import project_create
    from annotation_platform.protocols.services import protocol_latest, sync_builtin_protocols

    sync_builtin_protocols()
    user = User.objects.create_superuser("bench", password="bench-password")
    user.practice_started_on = timezone.localdate() - timedelta(days=365 * 12)
    user.experience_verified_by = user
    user.save()
    project = project_create(
        name="Benchmark",
        protocol_version=protocol_latest("cns-tumour"),
        created_by=user,
        pseudonym_prefix="BEN",
        irb_number="BENCH-1",
        irb_body="Benchmark",
        irb_valid_until=timezone.localdate() + timedelta(days=30),
    )
    client = Client()
    client.force_login(user)
    return Environment(
        client=client,
        user=user,
        project=project,
        data_dir=Path(settings.DATA_DIR),  # type: ignore[attr-defined]
        shared_dir=Path(settings.SHARED_DIR),  # type: ignore[attr-defined]
    )


def wait_for_jobs(timeout_s: float = 600.0, poll_s: float = 0.02) -> None:
    from annotation_platform.core.models import Job

    deadline = time.monotonic() + timeout_s
    active = [Job.State.QUEUED, Job.State.RUNNING]
    while time.monotonic() < deadline:
        if not Job.objects.filter(state__in=active).exists():
            return
        time.sleep(poll_s)
    raise RuntimeError("jobs did not finish in time")
