"""NIfTI label maps: reading as stored (dtype, scaling, dimensions) and exact encoding."""

import gzip
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from annotation_platform.errors import ActionableError
from annotation_platform.exchange.conventions import (
    BRATS_2023,
    bitmask_to_label_map,
    custom_convention,
    label_counts,
)
from annotation_platform.exchange.geometry import Grid
from annotation_platform.exchange.nifti import encode_nifti, read_nifti_labels
from tests.exchange.builders import AWKWARD_GRIDS, nested_bitmask, save_nifti


@pytest.fixture
def grid() -> Grid:
    return AWKWARD_GRIDS["oblique"]


@pytest.fixture
def labels(grid: Grid) -> np.ndarray:
    return bitmask_to_label_map(nested_bitmask(grid.shape), BRATS_2023)[0]


@pytest.fixture
def no_get_fdata(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("get_fdata must not be called on a mask")

    monkeypatch.setattr(nib.Nifti1Image, "get_fdata", refuse)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.uint16, np.int32, np.float32])
def test_label_map_of_any_numeric_dtype_imports(tmp_path, grid, labels, no_get_fdata, dtype):
    path = save_nifti(tmp_path / "mask.nii.gz", labels.astype(dtype), grid.affine)

    imported = read_nifti_labels(path, grid, convention=BRATS_2023)

    assert np.array_equal(imported.labels, labels)
    assert imported.bitmask.dtype == np.uint8
    assert np.array_equal(imported.bitmask, nested_bitmask(grid.shape))


def test_scaled_labels_are_read_through_slope(tmp_path, grid, labels):
    image = nib.Nifti1Image((labels * 2).astype(np.int16), grid.affine)
    image.header.set_slope_inter(0.5, 0.0)
    path = tmp_path / "scaled.nii"
    nib.save(image, str(path))

    imported = read_nifti_labels(path, grid, convention=BRATS_2023)

    assert np.array_equal(imported.labels, labels)


def test_scaled_labels_off_whole_numbers_are_rejected(tmp_path, grid, labels):
    image = nib.Nifti1Image(labels.astype(np.int16), grid.affine)
    image.header.set_slope_inter(0.3, 0.0)
    path = tmp_path / "scaled.nii.gz"
    nib.save(image, str(path))

    with pytest.raises(ActionableError) as raised:
        read_nifti_labels(path, grid, convention=BRATS_2023)
    assert raised.value.code == "MASK_NOT_INTEGER"


def test_probability_map_is_rejected_naming_worst_value(tmp_path, grid, labels):
    data = labels.astype(np.float32)
    data[3, 4, 5] = 0.62
    path = save_nifti(tmp_path / "probability.nii.gz", data, grid.affine)

    with pytest.raises(ActionableError) as raised:
        read_nifti_labels(path, grid, convention=BRATS_2023)
    assert raised.value.code == "MASK_NOT_INTEGER"
    assert raised.value.params["worst"].startswith("0.62")


def test_nifti2_label_map_imports(tmp_path, grid, labels):
    path = tmp_path / "mask.nii.gz"
    nib.save(nib.Nifti2Image(labels, grid.affine), str(path))

    imported = read_nifti_labels(path, grid, convention=BRATS_2023)

    assert np.array_equal(imported.labels, labels)


def test_four_dimensional_label_map_is_rejected(tmp_path, grid, labels):
    path = save_nifti(tmp_path / "mask.nii.gz", np.stack([labels, labels], axis=-1), grid.affine)

    with pytest.raises(ActionableError) as raised:
        read_nifti_labels(path, grid, convention=BRATS_2023)
    assert raised.value.code == "MASK_GRID_MISMATCH"


@pytest.mark.parametrize("content", [b"", b"not a nifti file", gzip.compress(b"x" * 400)])
def test_unreadable_file_is_rejected_without_its_name(tmp_path, grid, content):
    path = tmp_path / "Patient_Name_mask.nii.gz"
    path.write_bytes(content)

    with pytest.raises(ActionableError) as raised:
        read_nifti_labels(path, grid, convention=BRATS_2023)
    assert raised.value.code == "MASK_FILE_UNREADABLE"
    assert "Patient_Name" not in raised.value.message


def test_encoded_nifti_keeps_grid_affine(tmp_path, grid, labels):
    path = tmp_path / "out.nii.gz"
    path.write_bytes(encode_nifti(labels, grid, description="labels brats-2023"))

    image = nib.load(path)
    assert np.allclose(image.affine, grid.affine, atol=1e-4)
    assert np.allclose(image.header.get_qform(), image.header.get_sform(), atol=1e-4)
    assert int(image.header["qform_code"]) == grid.qform_code
    assert int(image.header["sform_code"]) == grid.sform_code
    assert image.header.get_data_dtype() == np.uint8
    assert image.header.get_intent()[0] == "label"
    assert image.header["descrip"].item() == b"labels brats-2023"
    assert np.array_equal(np.asanyarray(image.dataobj), labels)


@pytest.mark.parametrize(("qform", "sform"), [(1, 1), (2, 2), (1, 2), (0, 2), (2, 0), (0, 0)])
def test_encoded_nifti_keeps_reference_codes(grid, labels, tmp_path, qform, sform):
    reference = Grid(grid.shape, grid.affine, qform_code=qform, sform_code=sform)
    path = tmp_path / "out.nii.gz"
    path.write_bytes(encode_nifti(labels, reference))

    header = nib.load(path).header
    assert int(header["qform_code"]) == (qform or sform or 2)
    assert int(header["sform_code"]) == (sform or qform or 2)


def test_equal_masks_encode_to_equal_bytes(grid, labels):
    assert encode_nifti(labels, grid) == encode_nifti(labels.copy(order="C"), grid)


def test_encoding_rejects_array_of_other_shape(grid):
    with pytest.raises(ValueError):
        encode_nifti(np.zeros((2, 2, 2), dtype=np.uint8), grid)


def test_brats_2013_float_labels_import(data_dir: Path):
    folder = data_dir / "brats-like" / "BraTS2015_brats_2013_pat0005_1"
    path = folder / "OTMultiClass.nii.gz"
    grid = Grid.of_file(folder / "T1c_subtrMeanDivStd.nii.gz")
    five_class = custom_convention({1: "NCR", 2: "ED", 3: "NET", 4: "ET"}, key="brats-2013")
    source = np.asanyarray(nib.load(path).dataobj)

    imported = read_nifti_labels(path, grid, convention=five_class)

    assert source.dtype == np.float32
    assert imported.labels is not None
    source_counts = label_counts(source.astype(np.uint8))
    assert np.array_equal(label_counts(imported.labels), source_counts)
    wt = np.count_nonzero(imported.bitmask & 1)
    assert wt == int(source_counts[1:5].sum())
    exported = label_counts(bitmask_to_label_map(imported.bitmask, BRATS_2023)[0])
    assert exported[1] == source_counts[1] + source_counts[3]
    assert exported[2] == source_counts[2]
    assert exported[3] == source_counts[4]
