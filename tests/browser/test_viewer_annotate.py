"""The annotation viewer in Chromium on a real case: painting each region on its prescribed
sequence, the refusal elsewhere, undo and redo, autosave, reload, and the local journal.

The case is BraTS-GLI-00001-000 from the reference data, imported through the real ingest
pipeline (run inline), so the viewer reads the volumes and the grid the pipeline made.
"""

import json
import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import log_in

pytestmark = pytest.mark.browser

# Playwright's synchronous API keeps an asyncio event loop running in the test thread, which
# Django's guard against database calls from async code mistakes for async code. The tests call
# the database only between browser steps, never from the loop itself.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

GLIOMA = "brats-like/BraTS-GLI-00001-000"
# Autosave runs every 10 s while there are unsaved edits; a save itself takes well under 5 s.
AUTOSAVE_WAIT_MS = 25_000


@pytest.fixture
def glioma_case(transactional_db, project, annotator, data_dir, tmp_path):
    """The glioma case, imported through the pipeline and assigned to the annotator Bo."""
    from annotation_platform.annotations.models import Case

    tree = tmp_path / "cohort"
    shutil.copytree(data_dir / GLIOMA, tree / "GLI-0001")
    call_command("import_studies", str(tree), "--project", project.name)
    case = Case.objects.get(project=project)
    case.assignee = annotator
    case.save()
    return case


def open_viewer(page, live_server, case) -> None:
    page.goto(f"{live_server.url}/cases/{case.pk}/annotate/")
    page.wait_for_function(
        "() => window.__viewerTimings && window.__viewerTimings.readyMs", timeout=90_000
    )


def wait_for_regions_shown(page) -> None:
    """Wait until all four viewports draw the regions, before a screenshot."""
    page.wait_for_function("() => window.__viewerTimings.regionsShownMs", timeout=60_000)


def region_voxels(page) -> dict[str, int]:
    return page.evaluate("() => window.__viewerProbe.regionVoxels()")


def stroke(page, sequence: str, dx: float = 0, dy: float = 0, length: float = 40) -> None:
    """Drag the left button across a viewport, from its centre offset by (dx, dy) pixels."""
    box = page.locator(f'.viewport-frame[data-sequence="{sequence}"]').bounding_box()
    x = box["x"] + box["width"] / 2 + dx
    y = box["y"] + box["height"] / 2 + dy
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 9):
        page.mouse.move(x + length * step / 8, y + 4 * step / 8)
    page.mouse.up()


def wait_for_save_status(page, status: str, timeout_ms: int = AUTOSAVE_WAIT_MS) -> None:
    page.wait_for_function(
        "(status) => window.__viewerProbe.saveStatus() === status", arg=status, timeout=timeout_ms
    )


def go_quiet(page) -> None:
    """Wait for a save in flight to finish, then take the page offline. A save still running on
    the live server when a test ends would block the database flush between tests."""
    page.wait_for_function("() => window.__viewerProbe.saveStatus() !== 'saving'")
    page.context.set_offline(True)


def latest_figures(page, live_server, case) -> dict:
    """Figures of the newest saved version, through the API the page uses."""
    versions = api_json(page, f"{live_server.url}/api/v1/cases/{case.pk}/masks/")
    detail = api_json(page, f"{live_server.url}/api/v1/masks/{versions[0]['id']}/")
    return detail["figures"]


def api_json(page, url: str):
    response = page.request.get(url)
    assert response.ok, f"{url} returned HTTP {response.status}"
    return json.loads(response.text())


def test_painted_regions_survive_autosave_and_reload(
    page, live_server, glioma_case, annotator, artifacts_dir: Path
):
    log_in(page, live_server, annotator.username)
    open_viewer(page, live_server, glioma_case)
    wait_for_regions_shown(page)
    page.screenshot(path=str(artifacts_dir / "viewer-opened.png"))
    assert region_voxels(page) == {"WT": 0, "TC": 0, "ET": 0, "NET": 0}

    page.keyboard.press("1")
    stroke(page, "FLAIR", dx=30, dy=20, length=50)
    page.keyboard.press("2")
    stroke(page, "T2", dx=40, dy=20, length=30)
    page.keyboard.press("3")
    stroke(page, "T1c", dx=45, dy=20, length=12)
    painted = region_voxels(page)
    page.screenshot(path=str(artifacts_dir / "viewer-painted.png"))

    assert painted["WT"] > painted["TC"] > painted["ET"] > 0
    assert painted["NET"] > 0  # the TC stroke reaches beyond the shorter ET stroke
    wait_for_save_status(page, "saved")
    figures = latest_figures(page, live_server, glioma_case)
    assert {key: figures["regions"][key]["voxels"] for key in painted} == painted

    for _ in range(5):
        page.keyboard.press("PageUp")
    lesion_k = figures["lesions"][0]["centroid_ijk"][2]
    page.locator('[data-lesion="1"]').click()
    slice_label = page.locator('.viewport-frame[data-sequence="T1"] .overlay-slice')
    assert slice_label.inner_text() == f"Slice {lesion_k + 1} / 155"

    page.reload()
    page.wait_for_function("() => window.__viewerTimings && window.__viewerTimings.readyMs")
    assert region_voxels(page) == painted
    wait_for_regions_shown(page)
    page.screenshot(path=str(artifacts_dir / "viewer-reloaded.png"))
    go_quiet(page)


def test_painting_on_wrong_sequence_is_refused(page, live_server, glioma_case, annotator):
    log_in(page, live_server, annotator.username)
    open_viewer(page, live_server, glioma_case)

    page.keyboard.press("1")
    stroke(page, "T2", dx=30, dy=20)

    assert region_voxels(page)["WT"] == 0
    message = page.locator('.viewport-frame[data-sequence="T2"] .overlay-message')
    assert "drawn on FLAIR, not on T2" in message.inner_text()
    assert page.locator(".toast").filter(has_text="Paint here anyway").count() == 1
    go_quiet(page)


def test_override_reason_allows_painting(page, live_server, glioma_case, annotator):
    log_in(page, live_server, annotator.username)
    open_viewer(page, live_server, glioma_case)

    page.keyboard.press("1")
    stroke(page, "T2", dx=30, dy=20)
    page.locator(".toast button", has_text="Paint here anyway").click()
    page.fill('[data-testid="reason-dialog"] textarea', "FLAIR is degraded by motion")
    page.locator('[data-testid="reason-dialog"] button[type="submit"]').click()
    stroke(page, "T2", dx=30, dy=20)
    assert region_voxels(page)["WT"] > 0

    page.keyboard.press("Control+s")
    wait_for_save_status(page, "saved")
    versions = api_json(page, f"{live_server.url}/api/v1/cases/{glioma_case.pk}/masks/")
    assert versions[0]["overrides"] == [
        {"region": "WT", "sequence": "T2", "reason": "FLAIR is degraded by motion"}
    ]
    go_quiet(page)


def test_undo_and_redo_of_strokes(page, live_server, glioma_case, annotator):
    log_in(page, live_server, annotator.username)
    open_viewer(page, live_server, glioma_case)
    page.keyboard.press("1")
    stroke(page, "FLAIR", dx=30, dy=20)
    first = region_voxels(page)["WT"]
    stroke(page, "FLAIR", dx=30, dy=60)
    both = region_voxels(page)["WT"]
    assert both > first > 0

    page.keyboard.press("Control+z")
    assert region_voxels(page)["WT"] == first
    page.keyboard.press("Control+z")
    assert region_voxels(page)["WT"] == 0
    page.keyboard.press("Control+Shift+z")
    assert region_voxels(page)["WT"] == first
    page.keyboard.press("Control+y")
    assert region_voxels(page)["WT"] == both
    go_quiet(page)


def test_undo_back_to_saved_stores_nothing(page, live_server, glioma_case, annotator, monkeypatch):
    """A stroke undone after its version was saved leaves the mask as saved: no new version."""
    from annotation_platform.annotations import views
    from annotation_platform.annotations.models import MaskVersion

    # Only the explicit saves of the test, no autosave between the stroke and its undo.
    monkeypatch.setattr(views, "AUTOSAVE_INTERVAL_S", 3600)
    log_in(page, live_server, annotator.username)
    open_viewer(page, live_server, glioma_case)
    page.keyboard.press("1")
    stroke(page, "FLAIR", dx=30, dy=20)
    page.keyboard.press("Control+s")
    wait_for_save_status(page, "saved")
    stroke(page, "FLAIR", dx=30, dy=60)
    wait_for_save_status(page, "unsaved", timeout_ms=5_000)

    page.keyboard.press("Control+z")
    page.keyboard.press("Control+s")
    wait_for_save_status(page, "saved")

    assert MaskVersion.objects.filter(case=glioma_case).count() == 1
    go_quiet(page)


def test_journal_restores_unsaved_strokes(
    browser, live_server, glioma_case, annotator, artifacts_dir: Path
):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
    page = context.new_page()
    log_in(page, live_server, annotator.username)
    open_viewer(page, live_server, glioma_case)
    context.set_offline(True)
    page.keyboard.press("1")
    stroke(page, "FLAIR", dx=30, dy=20)
    painted = region_voxels(page)
    page.wait_for_timeout(2_000)  # the journal is written a second after the last edit
    page.close()

    context.set_offline(False)
    page = context.new_page()
    open_viewer(page, live_server, glioma_case)
    dialog = page.locator('[data-testid="draft-dialog"]')
    dialog.wait_for()
    page.screenshot(path=str(artifacts_dir / "viewer-draft-offer.png"))
    dialog.locator('button[data-choice="restore"]').click()
    page.wait_for_function(
        "(wt) => window.__viewerProbe.regionVoxels().WT === wt", arg=painted["WT"]
    )

    page.keyboard.press("Control+s")
    wait_for_save_status(page, "saved")
    assert (
        latest_figures(page, live_server, glioma_case)["regions"]["WT"]["voxels"] == painted["WT"]
    )
    context.close()


def test_project_admin_sees_case_read_only(page, live_server, glioma_case, project_admin):
    log_in(page, live_server, project_admin.username)
    open_viewer(page, live_server, glioma_case)
    assert page.evaluate("() => window.__viewerProbe.saveStatus()") == "readonly"

    page.locator('.tool-button[data-tool="brush"]').wait_for()
    assert page.locator('.tool-button[data-tool="brush"]').is_disabled()
    stroke(page, "FLAIR", dx=30, dy=20)
    assert region_voxels(page)["WT"] == 0
    go_quiet(page)
