"""Two browser sessions of one annotator save against the same base version: one save wins,
the other gets 409 (stale base), and after the merge the newest version holds both sets of
strokes. Real server, real Chromium, the glioma case from the reference data."""

import pytest

from tests.browser.test_viewer_annotate import (
    api_json,
    glioma_case,  # noqa: F401 - the fixture, used by name
    open_viewer,
    region_voxels,
    stroke,
    wait_for_save_status,
)
from tests.conftest import log_in

pytestmark = pytest.mark.browser


def new_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
    return context, context.new_page()


def test_stale_save_is_rejected_and_merged_without_losing_strokes(
    browser, live_server, glioma_case, annotator, artifacts_dir  # noqa: F811
):
    first_context, first = new_page(browser)
    second_context, second = new_page(browser)
    for page in (first, second):
        log_in(page, live_server, annotator.username)
        open_viewer(page, live_server, glioma_case)
        page.keyboard.press("1")

    stroke(first, "FLAIR", dx=-80, dy=0, length=30)
    stroke(second, "FLAIR", dx=60, dy=40, length=30)
    first_strokes = region_voxels(first)["WT"]
    second_strokes = region_voxels(second)["WT"]
    assert first_strokes > 0 and second_strokes > 0

    first.keyboard.press("Control+s")
    wait_for_save_status(first, "saved")
    second.keyboard.press("Control+s")
    conflict = second.locator('[data-testid="conflict-dialog"]')
    conflict.wait_for()
    assert second.evaluate("() => window.__viewerProbe.saveStatus()") == "conflict"
    second.screenshot(path=str(artifacts_dir / "viewer-conflict.png"))

    conflict.locator('button[data-choice="merge"]').click()
    wait_for_save_status(second, "saved")

    versions = api_json(second, f"{live_server.url}/api/v1/cases/{glioma_case.pk}/masks/")
    summary = [(v["number"], v["base_version"], v["id"], v["figures"]["regions"]["WT"]["voxels"]) for v in versions]
    assert [version["number"] for version in versions] == [2, 1], summary
    assert versions[0]["base_version"] == versions[1]["id"]
    newest = api_json(second, f"{live_server.url}/api/v1/masks/{versions[0]['id']}/")
    assert newest["figures"]["regions"]["WT"]["voxels"] == first_strokes + second_strokes
    assert region_voxels(second)["WT"] == first_strokes + second_strokes
    first_context.close()
    second_context.close()
