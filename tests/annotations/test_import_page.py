"""The mask import page and the import's input limits."""

import gzip
import struct

import nibabel as nib
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotation_platform.annotations.models import MaskVersion
from tests.annotations.conftest import assigned_case_on

pytestmark = pytest.mark.django_db

POST_TREATMENT = "seg_brats2024_posttreatment_labels_1_2_3_4.nii.gz"


@pytest.fixture
def c12_case(project, cases_dir, annotator):
    return assigned_case_on(
        project, cases_dir, annotator, cases_dir / "C12" / "image_t1c.nii.gz", "GLI0012"
    )


@pytest.fixture
def annotator_client(client, annotator):
    client.force_login(annotator)
    return client


def _page_post(client, case, path, **fields):
    data = {"file": SimpleUploadedFile(path.name, path.read_bytes()), **fields}
    return client.post(f"/cases/{case.pk}/import/", data)


def test_preview_keeps_chosen_convention(annotator_client, c12_case, cases_dir):
    response = _page_post(
        annotator_client,
        c12_case,
        cases_dir / "C12" / POST_TREATMENT,
        convention="brats-2024-post-treatment",
        segment_map='{"Edema": "WT"}',
    )

    html = response.content.decode()
    assert 'id="import-preview"' in html
    assert '<option value="brats-2024-post-treatment" selected>' in html
    assert 'value="{&quot;Edema&quot;: &quot;WT&quot;}"' in html
    assert "on the study grid as it is" in html
    assert not MaskVersion.objects.filter(case=c12_case).exists()


def test_preview_keeps_custom_map(annotator_client, c12_case, cases_dir):
    custom = '{"1": "ED", "2": "NCR", "3": "ET", "4": "ET"}'

    response = _page_post(
        annotator_client,
        c12_case,
        cases_dir / "C12" / POST_TREATMENT,
        convention="custom",
        custom_map=custom,
    )

    html = response.content.decode()
    assert '<option value="custom" selected>' in html
    assert "&quot;4&quot;: &quot;ET&quot;" in html


def test_confirm_on_stale_version_saves_nothing(annotator_client, c12_case, cases_dir, annotator):
    first = _page_post(
        annotator_client,
        c12_case,
        cases_dir / "C12" / "seg_brats2023_labels_1_2_3.nii.gz",
        convention="brats-2023",
    )
    assert 'id="import-saved"' in first.content.decode()
    saved = MaskVersion.objects.get(case=c12_case)

    # A confirmation whose preview was shown before version 1 existed.
    response = _page_post(
        annotator_client,
        c12_case,
        cases_dir / "C12" / POST_TREATMENT,
        convention="brats-2024-post-treatment",
        confirm="true",
        base_version="999999",
    )

    assert 'data-import-error="STALE_BASE_VERSION"' in response.content.decode()
    assert list(MaskVersion.objects.filter(case=c12_case)) == [saved]


def test_page_pins_base_version(annotator_client, c12_case, cases_dir):
    _page_post(
        annotator_client,
        c12_case,
        cases_dir / "C12" / "seg_brats2023_labels_1_2_3.nii.gz",
        convention="brats-2023",
    )
    version = MaskVersion.objects.get(case=c12_case)

    html = annotator_client.get(f"/cases/{c12_case.pk}/import/").content.decode()

    assert f'name="base_version" value="{version.pk}"' in html


def test_post_without_file_says_so(annotator_client, c12_case):
    response = annotator_client.post(f"/cases/{c12_case.pk}/import/", {"convention": ""})

    assert "Choose a mask file to import." in response.content.decode()


def _huge_header_nifti(tmp_path, *, compressed: bool):
    path = tmp_path / "small.nii"
    nib.save(nib.Nifti1Image(np.zeros((4, 4, 4), np.uint8), np.eye(4)), path)
    block = bytearray(path.read_bytes())
    struct.pack_into("<8h", block, 40, 3, 30000, 30000, 30000, 1, 1, 1, 1)
    if compressed:
        target = tmp_path / "huge.nii.gz"
        target.write_bytes(gzip.compress(bytes(block)))
    else:
        target = tmp_path / "huge.nii"
        target.write_bytes(bytes(block))
    return target


@pytest.mark.parametrize("compressed", [False, True])
def test_huge_header_is_rejected(annotator_client, c12_case, tmp_path, compressed):
    path = _huge_header_nifti(tmp_path, compressed=compressed)

    response = annotator_client.post(
        f"/api/v1/cases/{c12_case.pk}/masks/import/",
        {"file": SimpleUploadedFile(path.name, path.read_bytes())},
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "MASK_TOO_LARGE"
    assert "30000x30000x30000" in body["detail"]


def _huge_header_seg_nrrd(tmp_path):
    """A 3D Slicer segmentation whose header declares 30000^3 voxels over a few gzip bytes."""
    header = (
        "NRRD0004\n"
        "type: unsigned char\n"
        "dimension: 3\n"
        "space: left-posterior-superior\n"
        "sizes: 30000 30000 30000\n"
        "space directions: (1,0,0) (0,1,0) (0,0,1)\n"
        "kinds: domain domain domain\n"
        "encoding: gzip\n"
        "space origin: (0,0,0)\n"
        "Segment0_Name:WT\n"
        "Segment0_LabelValue:1\n"
        "Segment0_Layer:0\n"
        "\n"
    )
    path = tmp_path / "huge.seg.nrrd"
    path.write_bytes(header.encode("ascii") + gzip.compress(bytes(4096)))
    return path


def _huge_header_dicom_seg(tmp_path):
    """A DICOM SEG header declaring 30000 frames of 30000 x 30000, with no pixel data."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, SegmentationStorage, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SegmentationStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset = Dataset()
    dataset.file_meta = meta
    dataset.SOPClassUID = SegmentationStorage
    dataset.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    dataset.Modality = "SEG"
    dataset.Rows = 30000
    dataset.Columns = 30000
    dataset.NumberOfFrames = 30000
    path = tmp_path / "huge.dcm"
    dataset.save_as(path, enforce_file_format=True)
    return path


@pytest.mark.parametrize("make", [_huge_header_seg_nrrd, _huge_header_dicom_seg])
def test_huge_segmentation_header_is_rejected(annotator_client, c12_case, tmp_path, make):
    path = make(tmp_path)

    response = annotator_client.post(
        f"/api/v1/cases/{c12_case.pk}/masks/import/",
        {"file": SimpleUploadedFile(path.name, path.read_bytes())},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "MASK_TOO_LARGE"
    assert not MaskVersion.objects.filter(case=c12_case).exists()
