"""Export layouts: region files, label maps, BraTS case folders, nnU-Net datasets, zip streams."""

import io
import json
import zipfile
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from annotation_platform.errors import ActionableError
from annotation_platform.exchange.conventions import (
    BRATS_2017_2021,
    label_map_to_bitmask,
)
from annotation_platform.exchange.geometry import Grid
from annotation_platform.exchange.layouts import (
    nnunet_dataset_json,
    write_brats_case,
    write_dicom_seg,
    write_label_map_nifti,
    write_nnunet_case,
    write_nnunet_dataset_json,
    write_region_niftis,
    write_seg_nrrd,
)
from annotation_platform.exchange.targets import FolderTarget, ZipTarget
from tests.exchange.builders import (
    AWKWARD_GRIDS,
    ET,
    TC,
    WT,
    save_nifti,
    synthetic_series,
    violating_bitmask,
)

SEQUENCE_FILES = {"T1": "t1n", "T1c": "t1c", "T2": "t2w", "FLAIR": "t2f"}


@pytest.fixture(scope="module")
def brats_images(data_dir: Path) -> dict[str, Path]:
    folder = data_dir / "brats-like" / "BraTS-GLI-00001-000"
    return {
        sequence: folder / f"BraTS-GLI-00001-000-{suffix}.nii.gz"
        for sequence, suffix in SEQUENCE_FILES.items()
    }


@pytest.fixture(scope="module")
def brats_grid(brats_images) -> Grid:
    return Grid.of_file(brats_images["T1c"])


@pytest.fixture(scope="module")
def brats_bitmask(data_dir: Path) -> np.ndarray:
    path = (
        data_dir
        / "brats-like/TCGA-FG-6692/OtherEXampleFromTCIA_brainles/segmentation/isen-20.nii.gz"
    )
    labels = np.asanyarray(nib.load(path).dataobj)
    return label_map_to_bitmask(labels, BRATS_2017_2021)[0]


class UnseekableStream(io.RawIOBase):
    """A write-only stream without seek or tell, like an HTTP response body."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        return self.buffer.write(data)


def test_region_files_follow_naming_pattern_and_grid(tmp_path):
    grid = AWKWARD_GRIDS["oblique"]
    bitmask = violating_bitmask(grid.shape)

    written = write_region_niftis(FolderTarget(tmp_path), bitmask, grid, patient_id="GLI0001")

    assert written.files == [
        "GLI0001_FLAIR_WT.nii.gz",
        "GLI0001_T2_TC.nii.gz",
        "GLI0001_T1c_ET.nii.gz",
        "GLI0001_T1c_NET.nii.gz",
    ]
    expected = {
        "WT": (bitmask & WT) != 0,
        "TC": (bitmask & TC) != 0,
        "ET": (bitmask & ET) != 0,
        "NET": ((bitmask & TC) != 0) & ((bitmask & ET) == 0),
    }
    for name, region in zip(written.files, expected.values(), strict=True):
        image = nib.load(tmp_path / name)
        assert np.array_equal(np.asanyarray(image.dataobj), region), name
        assert np.allclose(image.affine, grid.affine, atol=1e-4)
        assert np.allclose(image.header.get_qform(), image.header.get_sform(), atol=1e-4)


def test_label_map_file_names_its_convention(tmp_path):
    grid = AWKWARD_GRIDS["las"]
    bitmask = violating_bitmask(grid.shape)

    written = write_label_map_nifti(
        FolderTarget(tmp_path), bitmask, grid, patient_id="GLI0001", convention=BRATS_2017_2021
    )

    assert written.files == ["GLI0001_T1c_brats-2017-2021.nii.gz"]
    header = nib.load(tmp_path / written.files[0]).header
    assert header["descrip"].item() == b"labels brats-2017-2021: 1=NCR 2=ED 4=ET"
    assert [warning.code for warning in written.warnings] == ["LABELS_OVERLAP_ON_EXPORT"]


def test_brats_case_layout_copies_images_and_writes_seg(
    tmp_path, brats_images, brats_grid, brats_bitmask
):
    written = write_brats_case(
        FolderTarget(tmp_path), "BraTS-GLI-00001-000", brats_bitmask, brats_grid, brats_images
    )

    case = "BraTS-GLI-00001-000"
    assert written.files == [
        f"{case}/{case}-t1n.nii.gz",
        f"{case}/{case}-t1c.nii.gz",
        f"{case}/{case}-t2w.nii.gz",
        f"{case}/{case}-t2f.nii.gz",
        f"{case}/{case}-seg.nii.gz",
    ]
    for sequence, suffix in SEQUENCE_FILES.items():
        copied = tmp_path / case / f"{case}-{suffix}.nii.gz"
        assert copied.read_bytes() == brats_images[sequence].read_bytes()
    segmentation = nib.load(tmp_path / case / f"{case}-seg.nii.gz")
    values = np.asanyarray(segmentation.dataobj)
    assert values.dtype == np.uint8
    assert set(np.unique(values)) == {0, 1, 2, 3}
    assert np.allclose(segmentation.affine, brats_grid.affine, atol=1e-3)
    assert segmentation.header["qform_code"] == segmentation.header["sform_code"] == 1


def test_brats_case_rejects_image_on_other_grid(tmp_path, data_dir, brats_images, brats_grid):
    images = dict(brats_images)
    images["T2"] = data_dir / "brats-like" / "BraTS-METS-sample-AURORA" / "t2.nii.gz"

    with pytest.raises(ActionableError) as raised:
        write_brats_case(
            FolderTarget(tmp_path), "case", np.zeros(brats_grid.shape, np.uint8), brats_grid, images
        )
    assert raised.value.code == "EXPORT_GRID_MISMATCH"
    assert raised.value.params["sequence"] == "T2"
    assert list(tmp_path.iterdir()) == []


def test_brats_case_requires_all_four_sequences(tmp_path, brats_images, brats_grid):
    images = {key: path for key, path in brats_images.items() if key != "FLAIR"}

    with pytest.raises(ActionableError) as raised:
        write_brats_case(
            FolderTarget(tmp_path), "case", np.zeros(brats_grid.shape, np.uint8), brats_grid, images
        )
    assert raised.value.code == "EXPORT_SEQUENCE_MISSING"
    assert raised.value.params["sequence"] == "FLAIR"


def test_nnunet_case_streams_into_zip(brats_images, brats_grid, brats_bitmask):
    stream = UnseekableStream()
    with zipfile.ZipFile(stream, "w") as archive:
        target = ZipTarget(archive)
        written = write_nnunet_case(target, "GLI_0001", brats_bitmask, brats_grid, brats_images)
        write_nnunet_dataset_json(target, 1, name="Dataset501_Glioma")

    with zipfile.ZipFile(io.BytesIO(stream.buffer.getvalue())) as archive:
        names = archive.namelist()
        assert names == [*written.files, "dataset.json"]
        assert written.files == [
            "imagesTr/GLI_0001_0000.nii.gz",
            "imagesTr/GLI_0001_0001.nii.gz",
            "imagesTr/GLI_0001_0002.nii.gz",
            "imagesTr/GLI_0001_0003.nii.gz",
            "labelsTr/GLI_0001.nii.gz",
        ]
        assert archive.read("imagesTr/GLI_0001_0003.nii.gz") == brats_images["FLAIR"].read_bytes()
        assert archive.getinfo("labelsTr/GLI_0001.nii.gz").compress_type == zipfile.ZIP_STORED
        label_bytes = archive.read("labelsTr/GLI_0001.nii.gz")
        dataset = json.loads(archive.read("dataset.json"))
    labels = np.asanyarray(nib.Nifti1Image.from_bytes(_gunzip(label_bytes)).dataobj)
    assert np.array_equal(labels == 1, brats_bitmask == WT)
    assert np.array_equal(labels == 2, brats_bitmask == (WT | TC))
    assert np.array_equal(labels == 3, brats_bitmask == (WT | TC | ET))
    assert dataset["numTraining"] == 1
    assert dataset["name"] == "Dataset501_Glioma"


def _gunzip(data: bytes) -> bytes:
    import gzip

    return gzip.decompress(data)


def test_nnunet_dataset_json_uses_region_training():
    dataset = nnunet_dataset_json(12)

    assert dataset == {
        "channel_names": {"0": "T1", "1": "T1c", "2": "T2", "3": "FLAIR"},
        "labels": {
            "background": 0,
            "whole tumor": [1, 2, 3],
            "tumor core": [2, 3],
            "enhancing tumor": [3],
        },
        "regions_class_order": [1, 2, 3],
        "numTraining": 12,
        "file_ending": ".nii.gz",
    }


def test_segmentation_files_are_named_by_pattern(tmp_path):
    grid = AWKWARD_GRIDS["ras"]
    bitmask = violating_bitmask(grid.shape)
    target = FolderTarget(tmp_path)

    nrrd_files = write_seg_nrrd(target, bitmask, grid, patient_id="GLI0001", folder="GLI0001")
    seg_files = write_dicom_seg(
        target, bitmask, grid, synthetic_series(grid), patient_id="GLI0001", sequence="T1c"
    )

    assert nrrd_files.files == ["GLI0001/GLI0001_T1c_regions.seg.nrrd"]
    assert seg_files.files == ["GLI0001_T1c_SEG.dcm"]
    assert (tmp_path / "GLI0001" / "GLI0001_T1c_regions.seg.nrrd").stat().st_size > 0


@pytest.mark.parametrize("name", ["/abs.nii.gz", "../up.nii.gz", "a//b", "a/./b", "a\\b", ""])
def test_targets_reject_unsafe_member_names(tmp_path, name):
    with pytest.raises(ValueError):
        FolderTarget(tmp_path).write_bytes(name, b"x")


def test_zip_members_have_fixed_dates_so_archives_repeat():
    def archive_bytes() -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            ZipTarget(archive).write_bytes("dataset.json", b"{}")
        return buffer.getvalue()

    assert archive_bytes() == archive_bytes()


def test_uncompressed_images_are_gzipped_on_copy(tmp_path):
    grid = AWKWARD_GRIDS["oblique"]
    images = {}
    for number, sequence in enumerate(SEQUENCE_FILES, start=1):
        data = np.full(grid.shape, number, dtype=np.int16)
        images[sequence] = save_nifti(tmp_path / f"{sequence}.nii", data, grid.affine)
    out = tmp_path / "out"

    written = write_brats_case(
        FolderTarget(out), "case", violating_bitmask(grid.shape), grid, images
    )

    flair = nib.load(out / written.files[3])
    assert written.files[3] == "case/case-t2f.nii.gz"
    assert (out / written.files[3]).read_bytes()[:2] == b"\x1f\x8b"
    assert np.array_equal(np.asanyarray(flair.dataobj), np.full(grid.shape, 4, np.int16))


def test_c01_exports_keep_image_affine(tmp_path, cases_dir):
    from annotation_platform.exchange.nifti import read_nifti_labels

    c01 = cases_dir / "C01"
    expected = json.loads((c01 / "expected.json").read_text())["expected"]["nifti_export"]
    image = nib.load(c01 / "image_t1_ras.nii.gz")
    grid = Grid.of_file(c01 / "image_t1_ras.nii.gz")
    bitmask = read_nifti_labels(c01 / "mask_las.nii.gz", grid, convention=BRATS_2017_2021).bitmask
    target = FolderTarget(tmp_path)

    files = write_region_niftis(target, bitmask, grid, patient_id="C01").files
    files += write_label_map_nifti(
        target, bitmask, grid, patient_id="C01", convention=BRATS_2017_2021
    ).files

    tolerance = expected["affine_equals_image_affine_tol_mm"]
    for name in files:
        header = nib.load(tmp_path / name).header
        assert np.allclose(header.get_sform(), image.affine, atol=tolerance), name
        assert np.allclose(header.get_qform(), header.get_sform(), atol=tolerance), name
        assert int(header["qform_code"]) == int(image.header["qform_code"]), name
        assert int(header["sform_code"]) == int(image.header["sform_code"]), name
