"""Fitting imported masks onto the study grid: same grid, reordered axes, sub-grids, other grids,
and grids that do not fit."""

import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from annotation_platform.errors import ActionableError
from annotation_platform.exchange.conventions import BRATS_2017_2021, BRATS_2023, label_counts
from annotation_platform.exchange.geometry import Grid, fit_to_grid
from annotation_platform.exchange.nifti import read_nifti_labels
from annotation_platform.exchange.voxel_values import as_label_array
from tests.exchange.builders import AWKWARD_GRIDS, affine_of, nested_bitmask


@pytest.fixture(scope="module")
def c01(cases_dir: Path) -> Path:
    return cases_dir / "C01"


@pytest.fixture(scope="module")
def c01_expected(c01: Path) -> dict:
    return json.loads((c01 / "expected.json").read_text())["expected"]


@pytest.fixture(scope="module")
def c01_grid(c01: Path) -> Grid:
    return Grid.of_file(c01 / "image_t1_ras.nii.gz")


@pytest.mark.parametrize("file_name", ["mask_las.nii.gz", "mask_lps.nii.gz"])
def test_c01_mask_in_other_voxel_order_equals_truth(c01, c01_grid, c01_expected, file_name):
    truth = np.asanyarray(nib.load(c01 / "truth_mask_in_image_grid.nii.gz").dataobj)

    imported = read_nifti_labels(c01 / file_name, c01_grid, convention=BRATS_2023)

    assert imported.placement == "reoriented"
    assert imported.labels is not None
    assert np.array_equal(imported.labels, truth)
    counts = label_counts(imported.labels)
    expected_counts = c01_expected["import_of_mask_las_or_lps_onto_image"]["label_counts"]
    assert {str(value): int(counts[value]) for value in (1, 2)} == expected_counts
    assert imported.warnings == []


@pytest.mark.parametrize("file_name", ["mask_las.nii.gz", "mask_lps.nii.gz"])
def test_c01_necrosis_lands_on_patient_left(c01, c01_grid, c01_expected, file_name):
    imported = read_nifti_labels(c01 / file_name, c01_grid, convention=BRATS_2023)

    voxels = np.argwhere(imported.labels == 1).mean(axis=0)
    centroid = (c01_grid.affine @ np.array([*voxels, 1.0]))[:3]
    expected = c01_expected["import_of_mask_las_or_lps_onto_image"]["NCR_centroid_ras_mm"]
    assert np.allclose(centroid, expected, atol=1e-6)
    assert centroid[0] < 0


def test_c01_truth_on_its_own_grid_is_identical(c01, c01_grid):
    imported = read_nifti_labels(
        c01 / "truth_mask_in_image_grid.nii.gz", c01_grid, convention=BRATS_2023
    )

    assert imported.placement == "identical"


def test_mask_with_affine_within_tolerance_is_identical():
    grid = AWKWARD_GRIDS["ras"]
    nudged = grid.affine.copy()
    nudged[:3, 3] += 4e-4
    mask = nested_bitmask(grid.shape)

    fit = fit_to_grid(mask, nudged, grid)

    assert fit.placement == "identical"
    assert np.array_equal(fit.array, mask)


def test_mask_shifted_beyond_tolerance_is_not_identical():
    grid = AWKWARD_GRIDS["ras"]
    shifted = grid.affine.copy()
    shifted[:3, 3] += 0.4
    mask = nested_bitmask(grid.shape)

    fit = fit_to_grid(mask, shifted, grid)

    assert fit.placement == "resampled"
    assert fit.warnings[0].code == "MASK_RESAMPLED"


@pytest.mark.parametrize("name", sorted(AWKWARD_GRIDS))
@pytest.mark.parametrize(
    "order", [(0, 1, 2), (1, 0, 2), (2, 0, 1), (2, 1, 0)], ids=["xyz", "yxz", "zxy", "zyx"]
)
@pytest.mark.parametrize("flips", [(), (0,), (0, 1), (2,)], ids=["none", "x", "xy", "z"])
def test_reordered_voxels_are_reoriented_exactly(name, order, flips):
    grid = AWKWARD_GRIDS[name]
    mask = nested_bitmask(grid.shape)
    stored, affine = _reorder(mask, grid.affine, order, flips)

    fit = fit_to_grid(stored, affine, grid)

    assert fit.placement in {"identical", "reoriented"}
    assert np.array_equal(fit.array, mask)
    assert fit.array.flags.f_contiguous
    assert fit.warnings == []


def _reorder(
    array: np.ndarray, affine: np.ndarray, order: tuple[int, ...], flips: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Store `array` with its axes permuted and flipped; return the data and matching affine."""
    index_map = np.eye(4)
    data = array
    for axis in flips:
        data = np.flip(data, axis)
        flip = np.eye(4)
        flip[axis, axis] = -1
        flip[axis, 3] = array.shape[axis] - 1
        index_map = index_map @ flip
    data = np.transpose(data, order)
    permute = np.zeros((4, 4))
    permute[3, 3] = 1
    for new_axis, old_axis in enumerate(order):
        permute[old_axis, new_axis] = 1
    return np.asfortranarray(data), affine @ index_map @ permute


def test_sub_grid_at_voxel_offset_is_placed_exactly():
    grid = AWKWARD_GRIDS["oblique"]
    mask = nested_bitmask(grid.shape)
    crop = mask[2:20, 3:, 1:9]
    crop_affine = grid.affine @ affine_of(np.eye(3), (2, 3, 1))

    fit = fit_to_grid(crop, crop_affine, grid)

    assert fit.placement == "placed"
    assert np.array_equal(fit.array, mask)


def test_finer_grid_mask_is_resampled_by_nearest_neighbour():
    grid = AWKWARD_GRIDS["ras"]
    mask = nested_bitmask(grid.shape)
    fine = np.repeat(np.repeat(np.repeat(mask, 2, 0), 2, 1), 2, 2)
    fine_affine = grid.affine @ affine_of(np.diag([0.5, 0.5, 0.5]), (-0.25, -0.25, -0.25))

    fit = fit_to_grid(fine, fine_affine, grid)

    assert fit.placement == "resampled"
    assert np.array_equal(fit.array, mask)
    assert [warning.code for warning in fit.warnings] == ["MASK_RESAMPLED"]


def test_resampling_copies_bits_without_blending():
    grid = AWKWARD_GRIDS["oblique"]
    source_grid = AWKWARD_GRIDS["ras"]
    mask = nested_bitmask(source_grid.shape)

    fit = fit_to_grid(mask, source_grid.affine, grid)

    assert set(np.unique(fit.array)) <= set(np.unique(mask))
    assert fit.placement == "resampled"


def test_mask_partly_outside_grid_is_clipped_with_warning():
    grid = AWKWARD_GRIDS["ras"]
    mask = np.zeros(grid.shape, dtype=np.uint8)
    mask[5:15, 5:15, 2:8] = 1
    mask[23, 27, 11] = 1
    shifted = grid.affine @ affine_of(np.eye(3), (1, 1, 1))

    fit = fit_to_grid(mask, shifted, grid)

    assert fit.placement == "placed"
    clipped = [warning for warning in fit.warnings if warning.code == "MASK_CLIPPED"]
    assert clipped[0].params == {"outside": 1, "labelled": 601}


def test_mask_mostly_outside_grid_is_rejected():
    grid = AWKWARD_GRIDS["ras"]
    mask = nested_bitmask(grid.shape)
    far = grid.affine @ affine_of(np.eye(3), (20, 0, 0))

    with pytest.raises(ActionableError) as raised:
        fit_to_grid(mask, far, grid)
    assert raised.value.code == "MASK_GRID_MISMATCH"
    assert raised.value.params["reason"] == "outside"
    assert raised.value.params["inside"] < raised.value.params["labelled"]


def test_disjoint_mask_rejected_naming_grids():
    grid = AWKWARD_GRIDS["ras"]
    mask = nested_bitmask(grid.shape)
    elsewhere = grid.affine.copy()
    elsewhere[:3, 3] += 500.3

    with pytest.raises(ActionableError) as raised:
        fit_to_grid(mask, elsewhere, grid)
    error = raised.value
    assert error.code == "MASK_GRID_MISMATCH"
    assert error.params["reason"] in {"disjoint", "outside"}
    assert "24x28x12 voxels, RAS" in error.params["study_grid"]
    assert "origin (488.3" in error.params["mask_grid"]


def test_empty_mask_on_disjoint_grid_is_rejected():
    grid = AWKWARD_GRIDS["ras"]
    elsewhere = grid.affine @ affine_of(np.eye(3), (100, 0, 0))

    with pytest.raises(ActionableError) as raised:
        fit_to_grid(np.zeros(grid.shape, dtype=np.uint8), elsewhere, grid)
    assert raised.value.code == "MASK_GRID_MISMATCH"


@pytest.mark.parametrize("shape", [(24, 28), (24, 28, 12, 2), (24,)])
def test_mask_that_is_not_3d_is_rejected(shape):
    grid = AWKWARD_GRIDS["ras"]

    with pytest.raises(ActionableError) as raised:
        fit_to_grid(np.zeros(shape, dtype=np.uint8), grid.affine, grid)
    assert raised.value.code == "MASK_GRID_MISMATCH"
    assert raised.value.params["dimensions"] == len(shape)
    assert f"{len(shape)} dimensions" in raised.value.message


def test_mask_with_trailing_singleton_axis_is_accepted():
    grid = AWKWARD_GRIDS["ras"]
    mask = nested_bitmask(grid.shape)

    fit = fit_to_grid(mask[..., np.newaxis], grid.affine, grid)

    assert np.array_equal(fit.array, mask)


def test_singular_affine_is_rejected():
    grid = AWKWARD_GRIDS["ras"]

    with pytest.raises(ActionableError) as raised:
        fit_to_grid(nested_bitmask(grid.shape), np.zeros((4, 4)), grid)
    assert raised.value.code == "MASK_GRID_MISMATCH"


def test_float_labels_close_to_integers_are_rounded():
    data = np.array([[[0.0, 0.9995, 2.0004, 3.0]]], dtype=np.float32)

    labels, warnings = as_label_array(data)

    assert labels.tolist() == [[[0, 1, 2, 3]]]
    assert labels.dtype == np.uint8
    assert [warning.code for warning in warnings] == ["MASK_VALUES_ROUNDED"]


def test_exact_float_labels_are_converted_silently():
    labels, warnings = as_label_array(np.array([[[0.0, 4.0]]], dtype=np.float32))

    assert labels.tolist() == [[[0, 4]]]
    assert warnings == []


def test_float_mask_names_worst_value():
    data = np.array([[[0.0, 0.9995, 1.5, 2.3]]])

    with pytest.raises(ActionableError) as raised:
        as_label_array(data)
    assert raised.value.code == "MASK_NOT_INTEGER"
    assert raised.value.params["worst"] == "1.5"


def test_float_mask_with_nan_is_rejected():
    with pytest.raises(ActionableError) as raised:
        as_label_array(np.array([[[0.0, np.nan]]]))
    assert raised.value.code == "MASK_NOT_INTEGER"


@pytest.mark.parametrize("value", [-1, 256, 1000])
def test_integer_mask_out_of_label_range_is_rejected(value):
    with pytest.raises(ActionableError) as raised:
        as_label_array(np.array([[[0, value]]], dtype=np.int16))
    assert raised.value.code == "MASK_VALUES_OUT_OF_RANGE"


def naive_nearest(array: np.ndarray, affine: np.ndarray, grid: Grid) -> np.ndarray:
    """Reference nearest-neighbour sampling, one target voxel at a time."""
    to_source = np.linalg.inv(affine) @ grid.affine
    result = np.zeros(grid.shape, dtype=np.uint8)
    for index in np.ndindex(*grid.shape):
        source = to_source @ np.array([*index, 1.0])
        nearest = np.floor(source[:3] + 0.5 + 1e-6).astype(int)
        if ((nearest >= 0) & (nearest < np.array(array.shape))).all():
            result[index] = array[tuple(nearest)]
    return result


@pytest.mark.parametrize(
    "target",
    [
        Grid((9, 7, 5), affine_of(np.diag([0.7, 1.3, 2.5]), (-4.2, -5.0, -6.1))),
        Grid((7, 5, 9), affine_of(np.array([[0, 0, -0.9], [1.1, 0, 0], [0, 2.0, 0]]), (3, -6, -4))),
        Grid((8, 8, 6), affine_of(np.diag([-1.0, -1.0, 1.0]), (8.0, 3.0, -5.0))),
        AWKWARD_GRIDS["oblique"],
    ],
    ids=["scaled", "permuted-flipped", "partly-outside", "oblique"],
)
def test_resampling_matches_voxel_by_voxel_reference(target):
    from annotation_platform.exchange.geometry import resample_nearest

    source_affine = affine_of(np.diag([1.0, 1.0, 2.0]), (-6.0, -7.0, -9.0))
    rng = np.random.default_rng(7)
    source = rng.integers(0, 8, (12, 14, 9), dtype=np.uint8)

    resampled, covered = resample_nearest(source, source_affine, target)

    assert np.array_equal(resampled, naive_nearest(source, source_affine, target))
    assert resampled.flags.f_contiguous
    assert 0 < covered <= np.prod(target.shape)


def test_atlas_space_mask_on_scanner_grid_is_rejected(data_dir):
    """BraTS-space masks live in SRI24 atlas coordinates, the raw T1c in scanner coordinates."""
    folder = data_dir / "brats-like" / "TCGA-FG-6692"
    raw_t1c = next(folder.glob("MRHR_T1_AX_POST_GAD_*_t1c.nii.gz"))
    mask = folder / "OtherEXampleFromTCIA_brainles" / "segmentation" / "isen-20.nii.gz"

    with pytest.raises(ActionableError) as raised:
        read_nifti_labels(mask, Grid.of_file(raw_t1c), convention=BRATS_2017_2021)
    assert raised.value.code == "MASK_GRID_MISMATCH"
    assert raised.value.params["reason"] == "outside"
    assert raised.value.params["inside"] == 0


def test_grid_of_unreadable_file_names_no_file(tmp_path):
    path = tmp_path / "Doe_John_t1c.nii.gz"
    path.write_bytes(b"not nifti")

    with pytest.raises(ActionableError) as raised:
        Grid.of_file(path)
    assert raised.value.code == "GRID_UNREADABLE"
    assert "Doe" not in raised.value.message
