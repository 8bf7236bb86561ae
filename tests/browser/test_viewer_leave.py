"""Leaving the page saves: unsaved strokes go to the server in a keep-alive request as the page
closes, so the next visit finds them as the newest version."""

import pytest

from tests.browser.test_viewer_annotate import (
    api_json,
    glioma_case,  # noqa: F401 - a fixture, used by name below
    open_viewer,
    region_voxels,
    stroke,
)
from tests.conftest import log_in

pytestmark = pytest.mark.browser


def test_closing_page_saves_unsaved_strokes(
    browser,
    live_server,
    glioma_case,  # noqa: F811 - the imported fixture
    annotator,
):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
    page = context.new_page()
    log_in(page, live_server, annotator.username)
    open_viewer(page, live_server, glioma_case)
    page.keyboard.press("1")
    stroke(page, "FLAIR", dx=30, dy=20)
    painted = region_voxels(page)["WT"]
    assert page.evaluate("() => window.__viewerProbe.saveStatus()") == "unsaved"
    page.wait_for_timeout(2_500)  # the keep-alive payload is built 1.5 s after the last edit

    page.close()

    checker = context.new_page()
    url = f"{live_server.url}/api/v1/cases/{glioma_case.pk}/masks/"
    for _ in range(50):
        versions = api_json(checker, url)
        if versions:
            break
        checker.wait_for_timeout(100)
    assert len(versions) == 1
    assert versions[0]["figures"]["regions"]["WT"]["voxels"] == painted
    context.close()
