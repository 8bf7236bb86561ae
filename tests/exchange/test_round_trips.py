"""Import -> export -> import round trips, and exported files checked in nibabel, SimpleITK and
highdicom: the same voxels at the same physical positions."""

from pathlib import Path

import highdicom as hd
import nibabel as nib
import numpy as np
import pytest
import SimpleITK as sitk

from annotation_platform.exchange.conventions import (
    BRATS_2017_2021,
    BRATS_2023,
    bitmask_to_label_map,
    custom_convention,
)
from annotation_platform.exchange.dicom_seg import encode_dicom_seg, read_dicom_seg
from annotation_platform.exchange.geometry import Grid
from annotation_platform.exchange.nifti import encode_nifti, read_nifti_labels
from annotation_platform.exchange.seg_nrrd import encode_seg_nrrd, read_seg_nrrd
from tests.exchange.builders import (
    AWKWARD_GRIDS,
    ET,
    LPS_TO_RAS,
    TC,
    nested_bitmask,
    synthetic_series,
    violating_bitmask,
    world_points,
)

TCGA_MASKS = ["hnfnetv1-20", "isen-20", "sanet0-20", "scan-20", "yixinmpl-20"]


@pytest.fixture(scope="module")
def brats_grid(data_dir: Path) -> Grid:
    folder = data_dir / "brats-like" / "BraTS-GLI-00001-000"
    return Grid.of_file(folder / "BraTS-GLI-00001-000-t1c.nii.gz")


def tcga_mask(data_dir: Path, name: str) -> Path:
    return (
        data_dir
        / f"brats-like/TCGA-FG-6692/OtherEXampleFromTCIA_brainles/segmentation/{name}.nii.gz"
    )


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", TCGA_MASKS)
def test_tcga_mask_round_trips_through_nifti(tmp_path, data_dir, brats_grid, name):
    source = tcga_mask(data_dir, name)
    imported = read_nifti_labels(source, brats_grid, convention=BRATS_2017_2021)
    labels, warnings = bitmask_to_label_map(imported.bitmask, BRATS_2017_2021)
    exported = write(tmp_path / "seg.nii.gz", encode_nifti(labels, brats_grid))

    again = read_nifti_labels(exported, brats_grid, convention=BRATS_2017_2021)

    assert warnings == []
    assert np.array_equal(np.asanyarray(nib.load(exported).dataobj), nib.load(source).dataobj)
    assert np.array_equal(again.bitmask, imported.bitmask)
    assert np.allclose(nib.load(exported).affine, nib.load(source).affine, atol=1e-3)


@pytest.mark.parametrize("name", TCGA_MASKS)
def test_tcga_mask_round_trips_through_seg_nrrd(tmp_path, data_dir, brats_grid, name):
    imported = read_nifti_labels(tcga_mask(data_dir, name), brats_grid, convention=BRATS_2017_2021)
    exported = write(tmp_path / "seg.seg.nrrd", encode_seg_nrrd(imported.bitmask, brats_grid))

    again = read_seg_nrrd(exported, brats_grid)

    assert again.placement == "identical"
    assert np.array_equal(again.bitmask, imported.bitmask)


def test_tcga_mask_round_trips_through_dicom_seg(tmp_path, data_dir, brats_grid):
    imported = read_nifti_labels(
        tcga_mask(data_dir, "isen-20"), brats_grid, convention=BRATS_2017_2021
    )
    encoded, warnings = encode_dicom_seg(imported.bitmask, brats_grid, synthetic_series(brats_grid))
    exported = write(tmp_path / "seg.dcm", encoded)

    again = read_dicom_seg(exported, brats_grid)

    assert warnings == []
    assert np.array_equal(again.bitmask, imported.bitmask)


def test_brats_2013_labels_round_trip(tmp_path, data_dir):
    folder = data_dir / "brats-like" / "BraTS2015_brats_2013_pat0005_1"
    grid = Grid.of_file(folder / "Flair_subtrMeanDivStd.nii.gz")
    five_class = custom_convention({1: "NCR", 2: "ED", 3: "NET", 4: "ET"}, key="brats-2013")
    imported = read_nifti_labels(folder / "OTMultiClass.nii.gz", grid, convention=five_class)
    exported = write(
        tmp_path / "seg.nii.gz", encode_nifti(imported.labels, grid, description="brats-2013")
    )

    again = read_nifti_labels(exported, grid, convention=five_class)

    assert np.array_equal(again.labels, imported.labels)
    assert np.array_equal(again.bitmask, imported.bitmask)
    assert np.allclose(nib.load(exported).affine, grid.affine, atol=1e-3)


def sitk_points(image: sitk.Image, indices_xyz: np.ndarray) -> np.ndarray:
    """RAS positions of voxel indices as SimpleITK places them (ITK works in LPS)."""
    points = np.array(
        [image.TransformIndexToPhysicalPoint([int(v) for v in index]) for index in indices_xyz]
    )
    points[:, :2] *= -1
    rounded = np.round(points, 3)
    return rounded[np.lexsort(rounded.T[::-1])]


@pytest.mark.parametrize("name", sorted(AWKWARD_GRIDS))
def test_label_map_positions_in_nibabel_and_sitk(tmp_path, name):
    grid = AWKWARD_GRIDS[name]
    bitmask = nested_bitmask(grid.shape)
    labels, _ = bitmask_to_label_map(bitmask, BRATS_2023)
    exported = write(tmp_path / "labels.nii.gz", encode_nifti(labels, grid))
    expected = world_points(np.argwhere(labels == 3), grid.affine)

    image = nib.load(exported)
    from_nibabel = world_points(np.argwhere(np.asanyarray(image.dataobj) == 3), image.affine)
    itk_image = sitk.ReadImage(str(exported))
    itk_labels = sitk.GetArrayFromImage(itk_image)  # indexed [k, j, i]
    from_itk = sitk_points(itk_image, np.argwhere(itk_labels == 3)[:, ::-1])

    assert len(expected) > 0
    assert np.allclose(from_nibabel, expected, atol=1e-3)
    assert np.allclose(from_itk, expected, atol=1e-3)
    assert np.array_equal(read_nifti_labels(exported, grid, convention=BRATS_2023).bitmask, bitmask)


@pytest.mark.parametrize("name", sorted(AWKWARD_GRIDS))
def test_seg_nrrd_opens_at_same_positions_in_simpleitk(tmp_path, name):
    grid = AWKWARD_GRIDS[name]
    bitmask = violating_bitmask(grid.shape)
    exported = write(tmp_path / "regions.seg.nrrd", encode_seg_nrrd(bitmask, grid))
    expected = world_points(np.argwhere(bitmask & TC), grid.affine)

    itk_image = sitk.ReadImage(str(exported))
    layers = sitk.GetArrayFromImage(itk_image)  # indexed [k, j, i, layer]
    from_itk = sitk_points(itk_image, np.argwhere(layers[..., 1])[:, ::-1])

    assert itk_image.GetNumberOfComponentsPerPixel() == 3
    assert np.allclose(from_itk, expected, atol=1e-3)
    assert np.array_equal(read_seg_nrrd(exported, grid).bitmask, bitmask)


@pytest.mark.parametrize("name", sorted(AWKWARD_GRIDS))
def test_dicom_seg_opens_at_same_positions_in_highdicom(tmp_path, name):
    grid = AWKWARD_GRIDS[name]
    bitmask = violating_bitmask(grid.shape)
    encoded, _ = encode_dicom_seg(bitmask, grid, synthetic_series(grid))
    exported = write(tmp_path / "seg.dcm", encoded)
    expected = world_points(np.argwhere(bitmask & ET), grid.affine)

    volume = hd.seg.segread(str(exported)).get_volume(segment_numbers=[3])
    from_highdicom = world_points(np.argwhere(volume.array[..., 0]), LPS_TO_RAS @ volume.affine)

    assert np.allclose(from_highdicom, expected, atol=1e-3)
    assert np.array_equal(read_dicom_seg(exported, grid).bitmask, bitmask)


@pytest.mark.parametrize("name", ["las", "oblique", "anisotropic"])
def test_mask_stored_lps_imports_onto_awkward_grid(tmp_path, name):
    grid = AWKWARD_GRIDS[name]
    labels, _ = bitmask_to_label_map(nested_bitmask(grid.shape), BRATS_2023)
    flipped = np.asfortranarray(labels[::-1, :, ::-1])
    index_flip = np.diag([-1.0, 1.0, -1.0, 1.0])
    index_flip[:3, 3] = (grid.shape[0] - 1, 0, grid.shape[2] - 1)
    image = nib.Nifti1Image(flipped, grid.affine @ index_flip)
    path = tmp_path / "flipped.nii.gz"
    nib.save(image, str(path))

    imported = read_nifti_labels(path, grid, convention=BRATS_2023)

    assert imported.placement == "reoriented"
    assert np.array_equal(imported.labels, labels)
