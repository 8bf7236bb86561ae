"""A mask made elsewhere, imported on the case's import page, shown in the viewer and exported
from the exports page, in Chromium against the live server and a real Celery worker.

The mask is the C12 BraTS 2017-2021 label map (values 1, 2, 4) on the C12 T1c grid; its expected
counts are NCR 71, ED 1110 and ET 384 voxels. Without a declared convention the value 4 is
ambiguous and the page refuses the file; declared, it becomes version 1, the viewer shows the
same voxels, and a BraTS export in the 2017-2021 convention gives back the same label map.
"""

import gzip
import io
import json
import zipfile
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from tests.browser.test_review_loop import user_page
from tests.browser.test_viewer_annotate import go_quiet, region_voxels, wait_for_regions_shown
from tests.conftest import wait_for_jobs
from tests.exports.helpers import approve

pytestmark = [pytest.mark.browser, pytest.mark.worker]

MASK_NAME = "seg_brats2021_labels_1_2_4.nii.gz"


@pytest.fixture
def c12_case(worker, project, cases_dir, annotator):
    """A ready case on the C12 T1c grid, assigned to the annotator Bo, with no mask yet."""
    from tests.annotations.conftest import assigned_case_on

    return assigned_case_on(
        project, cases_dir, annotator, cases_dir / "C12" / "image_t1c.nii.gz", "GLI0012"
    )


def submit_import(page, mask: Path, convention: str) -> None:
    page.set_input_files("#import-file", str(mask))
    page.select_option("#import-convention", convention)
    with page.expect_navigation():
        page.click("#import-form button[type=submit]")


def test_imported_mask_opens_in_the_viewer_and_exports(
    browser,
    live_server,
    c12_case,
    project,
    project_admin,
    annotator,
    reviewer,
    cases_dir: Path,
    artifacts_dir: Path,
):
    from annotation_platform.annotations.models import MaskVersion

    case = c12_case
    mask = cases_dir / "C12" / MASK_NAME
    bo = user_page(browser, live_server, annotator.username)
    bo.goto(f"{live_server.url}/cases/{case.pk}/import/")

    # Values 1, 2 and 4 with no convention declared: 4 is ET before 2023 and a resection cavity
    # in the 2024 post-treatment data, so the page requires a declared convention.
    submit_import(bo, mask, "")
    error = bo.locator("[data-import-error]")
    assert error.get_attribute("data-import-error") == "AMBIGUOUS_LABEL_CONVENTION"
    assert "4" in error.inner_text()
    assert not MaskVersion.objects.filter(case=case).exists()
    bo.screenshot(path=str(artifacts_dir / "import-ambiguous.png"))

    submit_import(bo, mask, "brats-2017-2021")
    saved = bo.locator("#import-saved")
    saved.wait_for()
    assert "Saved as version 1" in saved.inner_text()
    version = MaskVersion.objects.get(case=case)
    assert version.number == 1
    bo.screenshot(path=str(artifacts_dir / "import-saved.png"))

    # The viewer shows the imported regions: WT = NCR + ED + ET, TC = NCR + ET.
    saved.locator("a").click()
    bo.wait_for_function(
        "() => window.__viewerTimings && window.__viewerTimings.readyMs", timeout=90_000
    )
    wait_for_regions_shown(bo)
    assert bo.evaluate("() => window.__viewerProbe.baseVersionId()") == version.pk
    voxels = region_voxels(bo)
    assert (voxels["WT"], voxels["TC"], voxels["ET"]) == (1565, 455, 384)
    bo.screenshot(path=str(artifacts_dir / "import-viewer.png"))
    go_quiet(bo)
    bo.context.close()

    approve(case, annotator, reviewer)

    # The admin exports the approved case in the BraTS layout, 2017-2021 convention.
    admin = user_page(browser, live_server, project_admin.username)
    admin.goto(f"{live_server.url}/projects/{project.pk}/exports/")
    admin.select_option("#export-format", "brats")
    admin.select_option("#export-convention", "brats-2017-2021")
    with admin.expect_navigation():
        admin.click("#export-form button[type=submit]")
    wait_for_jobs("export:")
    admin.reload()
    download_link = admin.locator("tr[data-export-id] a.button", has_text="Download")
    with admin.expect_download() as download_info:
        download_link.click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    admin.screenshot(path=str(artifacts_dir / "import-exported.png"), full_page=True)
    admin.context.close()

    names = archive.namelist()
    seg_name = next(name for name in names if name.endswith("-seg.nii.gz"))
    exported = nib.Nifti1Image.from_bytes(gzip.decompress(archive.read(seg_name)))
    source = nib.load(str(mask))
    assert np.array_equal(
        np.asanyarray(exported.dataobj).astype(np.uint8),
        np.asanyarray(source.dataobj).astype(np.uint8),
    )
    assert np.allclose(exported.affine, source.affine, atol=1e-3)
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["label_convention"] == "brats-2017-2021"
    assert manifest["cases"][0]["mask_version"] == version.number
