"""Keyboard shortcuts and page layout of the viewer in Chromium on the glioma case.

Shortcuts still work after a click on a panel control, and a chosen quality grade keeps its value
when number keys follow. The viewer fits the window, and the Chinese help names every mouse
gesture in Chinese.
"""

import re

import pytest

from tests.browser.test_viewer_annotate import (
    glioma_case,  # noqa: F401 - a fixture, used by name below
    go_quiet,
    open_viewer,
    region_voxels,
    stroke,
)
from tests.conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def viewer(page, live_server, glioma_case, annotator):  # noqa: F811 - the imported fixture
    log_in(page, live_server, annotator.username)
    open_viewer(page, live_server, glioma_case)
    yield page
    go_quiet(page)


def slice_label(page, sequence: str) -> str:
    return page.locator(f'.viewport-frame[data-sequence="{sequence}"] .overlay-slice').inner_text()


def test_shortcuts_work_after_opacity_slider(viewer):
    viewer.keyboard.press("1")
    stroke(viewer, "FLAIR", dx=30, dy=20)
    painted = region_voxels(viewer)["WT"]
    assert painted > 0

    slider = viewer.locator('.region-row[data-region="WT"] input[type="range"]')
    box = slider.bounding_box()
    viewer.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2)
    opacity = slider.input_value()
    before = slice_label(viewer, "FLAIR")
    viewer.keyboard.press("ArrowUp")
    assert slice_label(viewer, "FLAIR") != before
    assert slider.input_value() == opacity

    viewer.keyboard.press("Control+z")
    assert region_voxels(viewer)["WT"] == 0


def test_shortcuts_work_after_outline_checkbox(viewer):
    outline = viewer.locator('[data-testid="outline-only"]')
    outline.click()
    assert outline.is_checked()

    viewer.keyboard.press("o")
    assert not outline.is_checked()


def test_number_key_after_grading_keeps_grade(viewer):
    grade = viewer.locator('[data-testid="quality-grade-FLAIR"]')
    grade.focus()
    with viewer.expect_response(lambda response: "/quality/" in response.url):
        grade.select_option("3")
    viewer.keyboard.press("2")
    viewer.keyboard.press("ArrowDown")

    assert grade.input_value() == "3"
    active = viewer.locator('input[name="active-region"]:checked')
    assert active.get_attribute("value") == "TC"
    viewer.reload()
    viewer.wait_for_function("() => window.__viewerTimings && window.__viewerTimings.readyMs")
    assert viewer.locator('[data-testid="quality-grade-FLAIR"]').input_value() == "3"


def test_quick_grades_all_shown(viewer):
    sequences = ("FLAIR", "T2", "T1c", "T1")
    for sequence in sequences:
        viewer.locator(f'[data-testid="quality-grade-{sequence}"]').select_option("2")
    viewer.locator('[data-testid="quality-summary"].ok').wait_for()

    for sequence in sequences:
        assert viewer.locator(f'[data-testid="quality-grade-{sequence}"]').input_value() == "2"


def test_viewer_fits_window(viewer):
    sizes = viewer.evaluate(
        "() => ({ page: document.scrollingElement.scrollHeight, window: innerHeight,"
        " bottom: document.querySelector('.annotator').getBoundingClientRect().bottom })"
    )
    assert sizes["page"] == sizes["window"]
    assert sizes["bottom"] <= sizes["window"]


def test_chinese_help_names_gestures_in_chinese(browser, live_server, glioma_case, annotator):  # noqa: F811
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server, annotator.username)
    open_viewer(page, live_server, glioma_case)
    page.keyboard.press("?")

    keys = page.locator('[data-testid="help"] dt').all_inner_texts()
    assert "右键拖动" in keys
    assert not [key for key in keys if re.search(r"click|drag|wheel", key, re.IGNORECASE)]
    go_quiet(page)
    context.close()
