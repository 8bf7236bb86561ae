"""Fixtures shared by the whole suite: reference data, the cast of users, a project, a real
Celery worker and a real browser."""

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

REPOSITORY = Path(__file__).resolve().parent.parent

# Playwright's synchronous API keeps an asyncio event loop running in the test thread, which
# Django's guard against database calls from async code mistakes for async code. Browser tests
# call the database only between browser steps, never from that loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
ARTIFACTS = REPOSITORY / "test-artifacts"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The public reference material: real MRI under data/, failure cases under cases/."""
    path = Path(settings.SHARED_DIR)
    if not (path / "data").is_dir():
        pytest.skip(f"reference data not found at {path}; set SHARED_DIR")
    return path


@pytest.fixture(scope="session")
def cases_dir(shared_dir: Path) -> Path:
    return shared_dir / "cases"


@pytest.fixture(scope="session")
def data_dir(shared_dir: Path) -> Path:
    return shared_dir / "data"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session", autouse=True)
def _remove_data_folder_at_exit() -> Iterator[None]:
    yield
    shutil.rmtree(settings.DATA_DIR, ignore_errors=True)


# The cast. Every permission test uses the same people: Ada administers the project, Bo and Cai
# annotate it, Dana reviews it, and Eli belongs to no project.


def _user(username: str, *, years: float | None, superuser: bool = False, verified: bool = True):
    from annotation_platform.accounts.models import User

    user = User.objects.create_user(
        username=username,
        password=f"{username}-password",
        is_superuser=superuser,
        is_staff=superuser,
    )
    if years is not None:
        user.practice_started_on = timezone.localdate() - timedelta(days=round(365.25 * years))
    if verified:
        user.experience_verified_by = user
    user.save()
    return user


@pytest.fixture
def site_admin(db):
    return _user("root", years=20, superuser=True)


@pytest.fixture
def project_admin(db):
    return _user("ada", years=15)


@pytest.fixture
def annotator(db):
    return _user("bo", years=7)


@pytest.fixture
def second_annotator(db):
    return _user("cai", years=6)


@pytest.fixture
def reviewer(db):
    return _user("dana", years=12)


@pytest.fixture
def outsider(db):
    return _user("eli", years=9)


@pytest.fixture
def cns_protocol(db):
    from annotation_platform.protocols.services import protocol_latest, sync_builtin_protocols

    sync_builtin_protocols()
    return protocol_latest("cns-tumour")


@pytest.fixture
def project(db, cns_protocol, project_admin, annotator, second_annotator, reviewer):
    from annotation_platform.projects.models import Membership
    from annotation_platform.projects.services import project_create

    project = project_create(
        name="Glioma cohort",
        protocol_version=cns_protocol,
        created_by=project_admin,
        pseudonym_prefix="GLI",
        irb_number="IRB-2026-017",
        irb_body="Test Hospital Ethics Committee",
        irb_valid_until=timezone.localdate() + timedelta(days=365),
    )
    for user, role in (
        (annotator, Membership.Role.ANNOTATOR),
        (second_annotator, Membership.Role.ANNOTATOR),
        (reviewer, Membership.Role.REVIEWER),
    ):
        Membership.objects.create(project=project, user=user, role=role)
    return project


@pytest.fixture
def admin_client(client, project_admin):
    client.force_login(project_admin)
    return client


# A real Celery worker in its own process, consuming from Redis and writing to the test database.
# Tests that use it need committed data: mark them django_db(transaction=True).


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup, django_db_blocker
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Two solo-pool workers, as `make run` starts them."""
    import redis
    from django.db import connection

    from annotation_platform.core.workers import worker_command

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"]
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)

    test_database = connection.settings_dict["NAME"]
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "annotation_platform.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{test_database}",
    }
    processes = []
    logs = []
    for number in (1, 2):
        log_path = Path(settings.DATA_DIR) / f"worker{number}.log"
        logs.append(log_path.open("wb"))
        process = subprocess.Popen(
            worker_command(f"test{number}") + ["--without-heartbeat"],
            env=environment,
            cwd=REPOSITORY,
            stdout=logs[-1],
            stderr=subprocess.STDOUT,
        )
        processes.append(process)
        _wait_for_worker(process, log_path)
    yield processes
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    for log in logs:
        log.close()


def _wait_for_worker(process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited early:\n{log_path.read_text()[-4000:]}")
        if b"ready." in log_path.read_bytes():
            return
        time.sleep(0.2)
    raise RuntimeError(f"the Celery worker did not start:\n{log_path.read_text()[-4000:]}")


@pytest.fixture
def worker(celery_worker_process, transactional_db):
    """A running worker, and a database whose rows it can see (committed, truncated afterwards)."""
    return celery_worker_process


def wait_for_jobs(group_prefix: str = "", timeout_s: float = 180.0) -> None:
    """Wait until no job (of groups starting with `group_prefix`) is queued or running."""
    from annotation_platform.core.models import Job

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        active = Job.objects.filter(
            group__startswith=group_prefix, state__in=[Job.State.QUEUED, Job.State.RUNNING]
        )
        if not active.exists():
            return
        time.sleep(0.25)
    states = list(Job.objects.values_list("key", "state", "stage"))
    raise AssertionError(f"jobs still active after {timeout_s} s: {states}")


# Debian's Chromium, driven by Playwright; never a downloaded browser.

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server, artifacts_dir, request):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        page.screenshot(path=str(artifacts_dir / f"failed-{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"{username}-password")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)
