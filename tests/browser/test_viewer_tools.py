"""The viewer's editing tools in Chromium on the glioma case: contour fill and erase, fill of an
enclosed area, interpolation between slices, the threshold brush and the eraser."""

import math

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


def contour(page, sequence: str, radius: float, dx: float = 40, dy: float = -30) -> None:
    """Draw a closed circle of `radius` pixels with the active contour tool."""
    box = page.locator(f'.viewport-frame[data-sequence="{sequence}"]').bounding_box()
    x = box["x"] + box["width"] / 2 + dx
    y = box["y"] + box["height"] / 2 + dy
    page.mouse.move(x + radius, y)
    page.mouse.down()
    for degrees in range(20, 361, 20):
        angle = math.radians(degrees)
        page.mouse.move(x + radius * math.cos(angle), y + radius * math.sin(angle))
    page.mouse.up()


def click(page, sequence: str, dx: float = 40, dy: float = -30) -> None:
    box = page.locator(f'.viewport-frame[data-sequence="{sequence}"]').bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy)


@pytest.fixture
def viewer(page, live_server, glioma_case, annotator):  # noqa: F811 - the imported fixture
    log_in(page, live_server, annotator.username)
    open_viewer(page, live_server, glioma_case)
    page.keyboard.press("1")
    yield page
    go_quiet(page)


def test_contour_erase_and_enclosed_fill(viewer):
    viewer.keyboard.press("d")
    contour(viewer, "FLAIR", radius=30)
    disc = region_voxels(viewer)["WT"]
    viewer.keyboard.press("Shift+D")
    contour(viewer, "FLAIR", radius=15)
    ring = region_voxels(viewer)["WT"]
    assert 0 < ring < disc

    viewer.keyboard.press("f")
    click(viewer, "FLAIR")
    # Cornerstone reports a click after its double-click interval, so wait for the fill.
    viewer.wait_for_function("(n) => window.__viewerProbe.regionVoxels().WT !== n", arg=ring)
    assert region_voxels(viewer)["WT"] == disc


def test_fill_outside_any_ring_changes_nothing(viewer):
    viewer.keyboard.press("f")
    click(viewer, "FLAIR")
    viewer.locator(".toast").filter(has_text="Nothing filled").wait_for()
    assert region_voxels(viewer)["WT"] == 0


def test_interpolation_fills_slices_between_contours(viewer):
    viewer.keyboard.press("d")
    contour(viewer, "FLAIR", radius=25)
    one_slice = region_voxels(viewer)["WT"]
    for _ in range(4):
        viewer.keyboard.press("ArrowUp")
    contour(viewer, "FLAIR", radius=25)
    two_slices = region_voxels(viewer)["WT"]
    assert two_slices == pytest.approx(2 * one_slice, rel=0.1)

    viewer.keyboard.press("i")
    # Three empty slices between the two contours get about one contour's area each.
    assert region_voxels(viewer)["WT"] == pytest.approx(5 * one_slice, rel=0.1)


def test_threshold_brush_paints_only_within_range(viewer):
    viewer.keyboard.press("t")
    viewer.fill('[data-testid="threshold-lower"]', "100000")
    viewer.fill('[data-testid="threshold-upper"]', "100001")
    viewer.keyboard.press("Tab")
    stroke(viewer, "FLAIR", dx=30, dy=20)
    assert region_voxels(viewer)["WT"] == 0

    viewer.fill('[data-testid="threshold-lower"]', "0")
    viewer.keyboard.press("Tab")
    stroke(viewer, "FLAIR", dx=30, dy=20)
    assert region_voxels(viewer)["WT"] > 0


def test_eraser_removes_only_the_active_region(viewer):
    stroke(viewer, "FLAIR", dx=30, dy=20)
    viewer.keyboard.press("2")
    stroke(viewer, "T2", dx=30, dy=20)
    painted = region_voxels(viewer)

    viewer.keyboard.press("e")
    stroke(viewer, "T2", dx=30, dy=20)
    after = region_voxels(viewer)
    assert after["TC"] < painted["TC"]
    assert after["WT"] == painted["WT"]
