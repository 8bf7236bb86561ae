"""Masks made elsewhere become the starting version of a case, geometry-exact and with their
label convention declared or confirmed."""

import json

import nibabel as nib
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotation_platform.annotations.masks import as_mask
from annotation_platform.annotations.models import MaskVersion
from annotation_platform.annotations.services import case_ensure_for_study, mask_read_raw
from tests.annotations.conftest import make_ready_study

pytestmark = pytest.mark.django_db


def _case_on(project, cases_dir, annotator, image_path, label="GLI0002"):
    case = case_ensure_for_study(make_ready_study(project, cases_dir, label, image_path=image_path))
    case.assignee = annotator
    case.save()
    return case


def _import(client, case, path, **fields):
    data = {"file": SimpleUploadedFile(path.name, path.read_bytes()), **fields}
    return client.post(f"/api/v1/cases/{case.pk}/masks/import/", data)


def _regions(version_id):
    return MaskVersion.objects.get(pk=version_id).figures["regions"]


@pytest.fixture
def annotator_client(client, annotator):
    client.force_login(annotator)
    return client


@pytest.mark.parametrize(
    ("file_name", "fields"),
    [
        ("seg_brats2021_labels_1_2_4.nii.gz", {"convention": "brats-2017-2021"}),
        ("seg_brats2023_labels_1_2_3.nii.gz", {"convention": "brats-2023"}),
        (
            "seg_nnunet_task082_internal_1ED_2NCR_3ET.nii.gz",
            {"convention": "custom", "custom_map": json.dumps({"1": "ED", "2": "NCR", "3": "ET"})},
        ),
    ],
)
def test_label_conventions_give_the_same_regions(
    project, cases_dir, annotator, annotator_client, file_name, fields
):
    """C12: NCR 71, ED 1110, ET 384 whatever the file's convention."""
    case = _case_on(project, cases_dir, annotator, cases_dir / "C12" / "image_t1c.nii.gz")

    response = _import(annotator_client, case, cases_dir / "C12" / file_name, **fields)

    assert response.status_code == 201, response.content
    regions = _regions(response.json()["version"]["id"])
    assert regions["NET"]["voxels"] == 71  # NCR
    assert regions["WT"]["voxels"] - regions["TC"]["voxels"] == 1110  # ED
    assert regions["ET"]["voxels"] == 384
    assert (regions["WT"]["voxels"], regions["TC"]["voxels"]) == (1565, 455)


def test_value_four_without_convention_is_refused(project, cases_dir, annotator, annotator_client):
    case = _case_on(project, cases_dir, annotator, cases_dir / "C12" / "image_t1c.nii.gz")

    response = _import(
        annotator_client, case, cases_dir / "C12" / "seg_brats2021_labels_1_2_4.nii.gz"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "AMBIGUOUS_LABEL_CONVENTION"
    assert not MaskVersion.objects.filter(case=case).exists()


def test_assumed_convention_is_shown_before_saving(project, cases_dir, annotator, annotator_client):
    case = _case_on(project, cases_dir, annotator, cases_dir / "C12" / "image_t1c.nii.gz")
    path = cases_dir / "C12" / "seg_brats2023_labels_1_2_3.nii.gz"

    preview = _import(annotator_client, case, path)

    assert preview.status_code == 200
    body = preview.json()
    assert body["saved"] is False
    assert body["preview"]["mapping"]["convention"] == "brats-2023"
    assert body["preview"]["mapping"]["declared"] is False
    assert not MaskVersion.objects.filter(case=case).exists()

    confirmed = _import(annotator_client, case, path, confirm="true")

    assert confirmed.status_code == 201
    assert confirmed.json()["version"]["source"] == "imported"


def test_resection_cavity_is_left_out_with_a_warning(
    project, cases_dir, annotator, annotator_client
):
    case = _case_on(project, cases_dir, annotator, cases_dir / "C12" / "image_t1c.nii.gz")
    path = cases_dir / "C12" / "seg_brats2024_posttreatment_labels_1_2_3_4.nii.gz"

    preview = _import(annotator_client, case, path, convention="brats-2024-post-treatment").json()

    assert preview["saved"] is False
    assert "LABEL_LEFT_OUT" in {w["code"] for w in preview["preview"]["warnings"]}


@pytest.mark.parametrize("mask_name", ["mask_las.nii.gz", "mask_lps.nii.gz"])
def test_mask_in_another_voxel_order_lands_on_the_same_side(
    project, cases_dir, annotator, annotator_client, mask_name
):
    """C01: reoriented by the affine, equal to the truth voxel for voxel, NCR on the left."""
    image = cases_dir / "C01" / "image_t1_ras.nii.gz"
    case = _case_on(project, cases_dir, annotator, image)

    response = _import(
        annotator_client, case, cases_dir / "C01" / mask_name, convention="brats-2023"
    )

    assert response.status_code == 201, response.content
    version = MaskVersion.objects.get(pk=response.json()["version"]["id"])
    stored = as_mask(mask_read_raw(version)).reshape(version.shape, order="F")
    truth = np.asanyarray(
        nib.load(str(cases_dir / "C01" / "truth_mask_in_image_grid.nii.gz")).dataobj
    )
    assert np.array_equal((stored & 4) == 0, np.ones_like(truth, dtype=bool))  # no ET in C01
    ncr = (stored & 2) != 0
    assert np.array_equal(ncr, truth == 1)
    assert np.array_equal((stored & 1) != 0, truth > 0)
    affine = nib.load(str(image)).affine
    centroid = affine @ np.append(np.argwhere(ncr).mean(axis=0), 1.0)
    assert centroid[0] == pytest.approx(-11.5, abs=0.01)


def test_unknown_format_is_refused(ready_case, annotator_client, tmp_path):
    path = tmp_path / "mask.png"
    path.write_bytes(b"\x89PNG")

    response = _import(annotator_client, ready_case, path)

    assert response.json()["code"] == "MASK_FORMAT_UNSUPPORTED"
