"""An admin uploads a case in the browser, follows it to ready, and reads the study page, in
English and in Chinese."""

import pytest

from annotation_platform.studies.models import Study
from tests.conftest import log_in, wait_for_jobs

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_upload_in_the_browser_then_study_ready(
    page, live_server, worker, project, data_dir, artifacts_dir
):
    folder = data_dir / "brats-like" / "BraTS-GLI-00001-000"
    log_in(page, live_server, "ada")

    page.goto(f"{live_server.url}/upload/")
    page.set_input_files(
        'input[name="files"]', [str(path) for path in sorted(folder.glob("*.nii.gz"))]
    )
    page.fill("#upload-subject", "GLI-case-1")
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("[data-status] a", timeout=60_000)
    assert "4" in page.inner_text("[data-status]")
    page.screenshot(path=str(artifacts_dir / "upload-accepted.png"))

    wait_for_jobs(timeout_s=180)
    study = Study.objects.get(project=project)
    assert study.status == Study.Status.READY
    page.goto(f"{live_server.url}/studies/")
    row = page.locator(f'tr[data-study-id="{study.pk}"]')
    assert row.locator("[data-study-status]").get_attribute("data-study-status") == "ready"
    assert row.locator(".chip.missing").count() == 0
    loaded_thumbnails = (
        "n => [...document.querySelectorAll('.thumbs img')]"
        ".filter(image => image.complete && image.naturalWidth > 0).length >= n"
    )
    page.wait_for_function(loaded_thumbnails, arg=4)
    page.screenshot(path=str(artifacts_dir / "study-list.png"), full_page=True)

    page.goto(f"{live_server.url}/studies/{study.pk}/")
    assert page.locator("tr[data-series-id]").count() == 4
    page.screenshot(path=str(artifacts_dir / "study-page.png"), full_page=True)

    # The switch posts to /i18n/setlang/, which redirects back: wait for the page it lands on.
    page.select_option("#language-select", "zh-hans")
    page.wait_for_function("() => document.documentElement.lang === 'zh-hans'")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "序列" in page.content()
    page.screenshot(path=str(artifacts_dir / "study-page-zh.png"), full_page=True)


def test_rejected_upload_lists_the_files(page, live_server, project, cases_dir, transactional_db):
    log_in(page, live_server, "ada")
    page.goto(f"{live_server.url}/upload/")

    page.set_input_files(
        'input[name="files"]', str(cases_dir / "C23" / "upload_path_traversal.zip")
    )
    page.click("#upload-form button[type=submit]")

    page.wait_for_selector("[data-problems] li")
    problems = page.inner_text("[data-problems]")
    assert "qa_zip_slip_parent.txt" in problems
    assert "failed" in page.inner_text("[data-status]").lower()
