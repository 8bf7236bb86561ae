"""Middle-slice thumbnails in radiological orientation, and the header-only grid summary."""

import io
import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from PIL import Image

from annotation_platform.errors import ActionableError
from annotation_platform.imaging.thumbnails import middle_slice_png, nifti_grid

SHAPE = (20, 24, 16)


def rotation_z(degrees: float) -> np.ndarray:
    angle = np.radians(degrees)
    rotation = np.eye(4)
    rotation[:2, :2] = [[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]
    return rotation


def centred(linear: np.ndarray, shape: tuple[int, ...] = SHAPE) -> np.ndarray:
    """An affine with the given 3x3 part whose volume centre sits at world (0, 0, 0)."""
    affine = np.eye(4)
    affine[:3, :3] = linear
    affine[:3, 3] = -linear @ ((np.array(shape[:3]) - 1) / 2)
    return affine


# Voxel orders seen in practice: RAS (nibabel), LAS (dcm2niix), LPS (BraTS, ITK), permuted
# axes (sagittal acquisitions stored slice-first) and a 10-degree oblique one.
AFFINES = {
    "RAS": centred(np.diag([2.0, 2.0, 2.0])),
    "LAS": centred(np.diag([-2.0, 2.0, 2.0])),
    "LPS": centred(np.diag([-2.0, -2.0, 2.0])),
    "SLA": centred(np.array([[0, -2.0, 0], [0, 0, 2.0], [2.0, 0, 0]])),
    "oblique": centred(rotation_z(10)[:3, :3] @ np.diag([-2.0, 2.0, 2.0])),
}


def world_coordinates(affine: np.ndarray, shape: tuple[int, ...] = SHAPE) -> np.ndarray:
    """RAS+ mm of every voxel centre, shape (3, *shape)."""
    indices = np.indices(shape[:3]).reshape(3, -1)
    world = affine[:3, :3] @ indices + affine[:3, 3:4]
    return world.reshape(3, *shape[:3])


def bright_where(path: Path, affine: np.ndarray, condition: str) -> Path:
    """A volume that is 1000 where the world condition is true and 100 elsewhere."""
    x, y, z = world_coordinates(affine)
    bright = {"left": x < 0, "anterior": y > 0, "superior": z > 0}[condition]
    data = np.where(bright, 1000, 100).astype(np.int16)
    nib.save(nib.Nifti1Image(data, affine), path)
    return path


def decode(png: bytes) -> np.ndarray:
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG"
    assert picture.mode == "L"
    return np.asarray(picture, dtype=float)


def halves(pixels: np.ndarray, split: str) -> tuple[float, float]:
    """Mean of the (left, right) or (top, bottom) half, skipping the middle column or row."""
    rows, columns = pixels.shape
    if split == "columns":
        return pixels[:, : columns // 2 - 1].mean(), pixels[:, columns // 2 + 1 :].mean()
    return pixels[: rows // 2 - 1].mean(), pixels[rows // 2 + 1 :].mean()


# --- orientation -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(AFFINES))
def test_patient_left_appears_on_image_right(tmp_path: Path, name: str) -> None:
    path = bright_where(tmp_path / "left.nii.gz", AFFINES[name], "left")
    left, right = halves(decode(middle_slice_png(path)), "columns")
    assert right > left + 100


@pytest.mark.parametrize("name", sorted(AFFINES))
def test_anterior_appears_at_image_top(tmp_path: Path, name: str) -> None:
    path = bright_where(tmp_path / "anterior.nii.gz", AFFINES[name], "anterior")
    top, bottom = halves(decode(middle_slice_png(path)), "rows")
    assert top > bottom + 100


@pytest.mark.parametrize("name", sorted(AFFINES))
def test_coronal_shows_superior_up_and_patient_left_right(tmp_path: Path, name: str) -> None:
    superior = bright_where(tmp_path / "superior.nii.gz", AFFINES[name], "superior")
    left = bright_where(tmp_path / "left.nii.gz", AFFINES[name], "left")

    top, bottom = halves(decode(middle_slice_png(superior, axis="coronal")), "rows")
    image_left, image_right = halves(decode(middle_slice_png(left, axis="coronal")), "columns")
    assert top > bottom + 100
    assert image_right > image_left + 100


@pytest.mark.parametrize("name", sorted(AFFINES))
def test_sagittal_shows_superior_up_and_anterior_left(tmp_path: Path, name: str) -> None:
    superior = bright_where(tmp_path / "superior.nii.gz", AFFINES[name], "superior")
    anterior = bright_where(tmp_path / "anterior.nii.gz", AFFINES[name], "anterior")

    top, bottom = halves(decode(middle_slice_png(superior, axis="sagittal")), "rows")
    image_left, image_right = halves(decode(middle_slice_png(anterior, axis="sagittal")), "columns")
    assert top > bottom + 100
    assert image_left > image_right + 100


def test_thumbnail_ignores_voxel_order(data_dir: Path, tmp_path: Path) -> None:
    """The BraTS file is LPS, and the same voxels stored as RAS must give the same picture."""
    source = data_dir / "brats-like/BraTS-GLI-00001-000/BraTS-GLI-00001-000-t1c.nii.gz"
    original = nib.load(source)
    ras = original.as_reoriented(nib.io_orientation(original.affine))
    nib.save(ras, tmp_path / "ras.nii")
    assert nib.aff2axcodes(nib.load(tmp_path / "ras.nii").affine) == ("R", "A", "S")

    for axis in ("axial", "coronal", "sagittal"):
        first = decode(middle_slice_png(source, axis=axis))
        second = decode(middle_slice_png(tmp_path / "ras.nii", axis=axis))
        assert np.array_equal(first, second), axis


# --- sizes, windowing and odd data ---------------------------------------------------------------


def test_thick_slices_keep_their_physical_aspect(data_dir: Path) -> None:
    """TCGA FLAIR: 208 x 256 voxels of 0.9 mm in plane, 26 slices of 5.5 mm."""
    path = next((data_dir / "brats-like/TCGA-FG-6692").glob("*_fla.nii.gz"))

    axial = Image.open(io.BytesIO(middle_slice_png(path)))
    coronal = Image.open(io.BytesIO(middle_slice_png(path, axis="coronal", size=128)))

    assert axial.size == (208, 256)  # (width, height): 187 mm wide, 230 mm high
    assert coronal.size == (128, 98)  # 187 mm wide, 143 mm high


def test_window_ignores_outliers_and_background(tmp_path: Path) -> None:
    data = np.zeros((64, 64, 3), np.float32)
    data[8:56, 8:56, :] = np.linspace(1, 100, 48 * 48).reshape(48, 48, 1)
    data[10, 10, :] = 1e6  # one hot voxel must not turn the rest black
    nib.save(nib.Nifti1Image(data, np.eye(4)), tmp_path / "window.nii")

    pixels = decode(middle_slice_png(tmp_path / "window.nii", size=64))
    foreground = pixels[9:55, 9:55]
    assert pixels.max() == 255
    assert 100 < np.median(foreground) < 155
    assert pixels[0, 0] == 0


def test_nan_voxels_are_black(tmp_path: Path) -> None:
    data = np.full((16, 16, 5), 50.0, np.float32)
    data[:, :4, :] = 80.0
    data[:8, :, :] = np.nan
    nib.save(nib.Nifti1Image(data, np.eye(4)), tmp_path / "nan.nii.gz")

    pixels = decode(middle_slice_png(tmp_path / "nan.nii.gz", size=16))
    assert pixels.min() == 0
    assert pixels.max() == 255


@pytest.mark.parametrize(("value", "expected"), [(5, 255), (0, 0)])
def test_constant_volume_gives_a_uniform_image(tmp_path: Path, value: int, expected: int) -> None:
    nib.save(nib.Nifti1Image(np.full((8, 8, 8), value, np.uint8), np.eye(4)), tmp_path / "c.nii")

    pixels = decode(middle_slice_png(tmp_path / "c.nii", size=16))
    assert np.all(pixels == expected)


def test_four_d_volume_shows_its_first_volume(tmp_path: Path) -> None:
    affine = AFFINES["LAS"]
    x = world_coordinates(affine)[0]
    first, second = np.where(x < 0, 1000, 100), np.where(x > 0, 1000, 100)
    data = np.stack([first, second], axis=-1).astype(np.int16)
    nib.save(nib.Nifti1Image(data, affine), tmp_path / "four_d.nii.gz")

    left, right = halves(decode(middle_slice_png(tmp_path / "four_d.nii.gz")), "columns")
    assert right > left + 100


def test_z_scored_float_volume_renders(data_dir: Path) -> None:
    path = data_dir / "brats-like/BraTS2015_brats_2013_pat0005_1/Flair_subtrMeanDivStd.nii.gz"
    pixels = decode(middle_slice_png(path))

    assert pixels.shape == (256, 256)
    assert pixels.std() > 20


def test_invalid_arguments_are_rejected(tmp_path: Path) -> None:
    nib.save(nib.Nifti1Image(np.zeros((8, 8, 8), np.int16), np.eye(4)), tmp_path / "v.nii")

    with pytest.raises(ValueError, match="axis"):
        middle_slice_png(tmp_path / "v.nii", axis="oblique")
    with pytest.raises(ValueError, match="size"):
        middle_slice_png(tmp_path / "v.nii", size=0)


def test_truncated_voxel_data_is_actionable(tmp_path: Path) -> None:
    nib.save(nib.Nifti1Image(np.ones((32, 32, 32), np.int16), np.eye(4)), tmp_path / "full.nii")
    truncated = tmp_path / "truncated.nii"
    truncated.write_bytes((tmp_path / "full.nii").read_bytes()[:2000])

    assert nifti_grid(truncated)["shape"] == [32, 32, 32]  # the header alone is intact
    with pytest.raises(ActionableError) as raised:
        middle_slice_png(truncated)
    assert raised.value.code == "NIFTI_UNREADABLE"


def test_non_nifti_file_is_actionable(tmp_path: Path) -> None:
    path = tmp_path / "notes.nii"
    path.write_bytes(b"plain text, not an image")

    with pytest.raises(ActionableError) as raised:
        middle_slice_png(path)
    assert raised.value.code == "NIFTI_UNREADABLE"


def test_two_dimensional_file_is_not_a_volume(tmp_path: Path) -> None:
    nib.save(nib.Nifti1Image(np.zeros((8, 8), np.int16), np.eye(4)), tmp_path / "flat.nii")

    with pytest.raises(ActionableError) as raised:
        nifti_grid(tmp_path / "flat.nii")
    assert raised.value.code == "NIFTI_NOT_A_VOLUME"


# --- grid summary ------------------------------------------------------------------------------


def test_brats_grid_summary(data_dir: Path) -> None:
    grid = nifti_grid(data_dir / "brats-like/BraTS-GLI-00001-000/BraTS-GLI-00001-000-t1c.nii.gz")

    assert grid["shape"] == [240, 240, 155]
    assert grid["spacing_mm"] == [1.0, 1.0, 1.0]
    assert grid["orientation"] == ["L", "P", "S"]
    assert grid["dtype"] == "int16"
    json.dumps(grid)


def test_thick_slice_grid_summary(data_dir: Path) -> None:
    grid = nifti_grid(next((data_dir / "brats-like/TCGA-FG-6692").glob("*_fla.nii.gz")))

    assert grid["shape"] == [208, 256, 26]
    assert grid["spacing_mm"] == pytest.approx([0.8984, 0.8984, 5.5], abs=1e-3)
    assert grid["orientation"] == ["L", "A", "S"]
    assert np.array(grid["affine"]).shape == (4, 4)


def test_four_d_grid_summary(data_dir: Path) -> None:
    path = data_dir / "dicom/uih/umr770_dti_tra_dir16_AP_series9/reference_nifti"
    grid = nifti_grid(path / "dti_tra_dir16_AP_9_134431.nii")

    assert grid["shape"] == [64, 64, 20, 17]
    assert len(grid["spacing_mm"]) == 3
