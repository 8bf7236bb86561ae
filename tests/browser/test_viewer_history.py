"""The version history in the viewer: an earlier version opens read-only, the user's own mask
comes back afterwards, and a restore saves a copy of the earlier version as the newest one."""

import pytest

from tests.browser.test_viewer_annotate import (
    api_json,
    glioma_case,  # noqa: F401 - a fixture, used by name below
    go_quiet,
    open_viewer,
    region_voxels,
    stroke,
    wait_for_save_status,
)
from tests.conftest import log_in

pytestmark = pytest.mark.browser


def stroke_then_save(page, dy: float) -> None:
    """Paint one stroke offline, so no autosave stores half of it, then save it as one version."""
    page.context.set_offline(True)
    stroke(page, "FLAIR", dx=30, dy=dy)
    page.context.set_offline(False)
    page.keyboard.press("Control+s")
    wait_for_save_status(page, "saved")


def test_earlier_version_previews_and_restores(
    page,
    live_server,
    glioma_case,  # noqa: F811 - the imported fixture
    annotator,
    artifacts_dir,
):
    log_in(page, live_server, annotator.username)
    open_viewer(page, live_server, glioma_case)
    page.keyboard.press("1")
    stroke_then_save(page, dy=20)
    first = region_voxels(page)["WT"]
    stroke_then_save(page, dy=70)
    second = region_voxels(page)["WT"]
    assert second > first

    versions = page.locator('[data-testid="versions"]')
    versions.locator('li[data-version="1"] button', has_text="Open").click()
    page.wait_for_function("(n) => window.__viewerProbe.regionVoxels().WT === n", arg=first)
    page.screenshot(path=str(artifacts_dir / "viewer-preview.png"))
    stroke(page, "FLAIR", dx=-60, dy=0)
    assert region_voxels(page)["WT"] == first  # the preview is read-only

    page.locator(".preview-bar button", has_text="Back to my mask").click()
    assert region_voxels(page)["WT"] == second

    versions.locator('li[data-version="1"] button', has_text="Restore").click()
    page.wait_for_function("(n) => window.__viewerProbe.regionVoxels().WT === n", arg=first)
    wait_for_save_status(page, "saved")
    listed = api_json(page, f"{live_server.url}/api/v1/cases/{glioma_case.pk}/masks/")
    assert [version["number"] for version in listed] == [3, 2, 1]
    assert listed[0]["restored_from"] == listed[2]["id"]
    assert listed[0]["figures"]["regions"]["WT"]["voxels"] == first
    go_quiet(page)
