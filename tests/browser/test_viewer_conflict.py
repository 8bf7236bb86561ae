"""Two browser sessions of one annotator save against the same base version. One save wins and
the other is rejected as stale (HTTP 409). After the merge, the newest version contains both
sets of strokes. Real server, real Chromium, the glioma case from the reference data."""

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


def new_page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
    return context, context.new_page()


def versions_of(page, live_server, case) -> list[dict]:
    return api_json(page, f"{live_server.url}/api/v1/cases/{case.pk}/masks/")


def test_stale_save_rejected_then_merged(
    browser,
    live_server,
    glioma_case,  # noqa: F811 - the imported fixture
    annotator,
    artifacts_dir,
):
    first_context, first = new_page(browser)
    second_context, second = new_page(browser)
    for page in (first, second):
        log_in(page, live_server, annotator.username)
        open_viewer(page, live_server, glioma_case)
        page.keyboard.press("1")
        assert page.evaluate("() => window.__viewerProbe.baseVersionId()") is None

    # The first session paints and saves; autosave may also save while the stroke is drawn.
    stroke(first, "FLAIR", dx=-80, dy=0, length=30)
    first_strokes = region_voxels(first)["WT"]
    first.keyboard.press("Control+s")
    wait_for_save_status(first, "saved")
    saved_by_first = versions_of(first, live_server, glioma_case)
    assert saved_by_first[0]["figures"]["regions"]["WT"]["voxels"] == first_strokes

    # The second session still builds on "no version": its save must be rejected, not stored.
    stroke(second, "FLAIR", dx=60, dy=40, length=30)
    second_strokes = region_voxels(second)["WT"]
    second.keyboard.press("Control+s")
    conflict = second.locator('[data-testid="conflict-bar"]')
    conflict.wait_for()
    assert second.evaluate("() => window.__viewerProbe.saveStatus()") == "conflict"
    assert versions_of(second, live_server, glioma_case) == saved_by_first
    second.screenshot(path=str(artifacts_dir / "viewer-conflict.png"))

    conflict.locator('button[data-choice="merge"]').click()
    wait_for_save_status(second, "saved")

    versions = versions_of(second, live_server, glioma_case)
    assert len(versions) == len(saved_by_first) + 1
    assert versions[0]["base_version"] == saved_by_first[0]["id"]
    newest = api_json(second, f"{live_server.url}/api/v1/masks/{versions[0]['id']}/")
    assert newest["figures"]["regions"]["WT"]["voxels"] == first_strokes + second_strokes
    assert region_voxels(second)["WT"] == first_strokes + second_strokes
    go_quiet(first)
    go_quiet(second)
    first_context.close()
    second_context.close()
