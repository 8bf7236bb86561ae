"""Co-registration of a study's sequences onto the reference grid."""

import filecmp
import gzip
import json
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
import pytest
import SimpleITK as sitk
from scipy import ndimage

from annotation_platform.errors import ActionableError
from annotation_platform.imaging.registration import (
    AlignmentPlan,
    AlignmentResult,
    align_to_reference,
    choose_reference,
    copy_as_reference,
    plan_alignment,
    run_alignment,
    same_grid,
    write_on_reference_grid,
)

BRATS = "brats-like/BraTS-GLI-00001-000/BraTS-GLI-00001-000-{}.nii.gz"
TCGA_SUFFIXES = {"T1": "_t1", "T1c": "_t1c", "T2": "_t2", "FLAIR": "_fla"}


@pytest.fixture(scope="module")
def brats_paths(data_dir: Path) -> dict[str, Path]:
    names = {"T1": "t1n", "T1c": "t1c", "T2": "t2w", "FLAIR": "t2f"}
    return {sequence: data_dir / BRATS.format(name) for sequence, name in names.items()}


@pytest.fixture(scope="module")
def tcga_paths(data_dir: Path) -> dict[str, Path]:
    folder = data_dir / "brats-like/TCGA-FG-6692"
    return {
        sequence: next(folder.glob(f"*{suffix}.nii.gz"))
        for sequence, suffix in TCGA_SUFFIXES.items()
    }


@pytest.fixture(scope="module")
def tcga_aligned(
    tcga_paths: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[AlignmentPlan, dict[str, AlignmentResult], list[tuple[float, str]]]:
    plan = plan_alignment(tcga_paths)
    events: list[tuple[float, str]] = []
    out_dir = tmp_path_factory.mktemp("tcga_aligned")
    results = run_alignment(plan, out_dir, lambda fraction, stage: events.append((fraction, stage)))
    return plan, results, events


def save(path: Path, data: np.ndarray, affine: np.ndarray | None = None) -> Path:
    nib.save(nib.Nifti1Image(data, np.eye(4) if affine is None else affine), path)
    return path


def voxels(path: Path) -> np.ndarray:
    return np.asanyarray(nib.load(path).dataobj)


def head_mask(volume: np.ndarray) -> np.ndarray:
    """Otsu threshold, largest connected component, holes filled slice by slice."""
    image = sitk.GetImageFromArray(volume.astype(np.float32))
    mask = sitk.GetArrayFromImage(sitk.OtsuThreshold(image, 0, 1)).astype(bool)
    labels, count = ndimage.label(mask)
    sizes = ndimage.sum(mask, labels, range(1, count + 1))
    largest = labels == int(np.argmax(sizes)) + 1
    return np.stack([ndimage.binary_fill_holes(plane) for plane in largest])


def dice(first: np.ndarray, second: np.ndarray) -> float:
    return float(2 * (first & second).sum() / (first.sum() + second.sum()))


def normalized_mutual_information(first: np.ndarray, second: np.ndarray, mask: np.ndarray) -> float:
    """(H(A) + H(B)) / H(A, B): 1 for independent images, 2 for identical ones."""
    joint, _, _ = np.histogram2d(first[mask], second[mask], bins=64)
    joint = joint / joint.sum()

    def entropy(p: np.ndarray) -> float:
        p = p[p > 0]
        return float(-np.sum(p * np.log(p)))

    return (entropy(joint.sum(1)) + entropy(joint.sum(0))) / entropy(joint)


def on_reference_grid_without_registration(moving: Path, reference: Path) -> np.ndarray:
    """Resample through the header geometry alone: what the scanner coordinates give."""
    fixed = sitk.ReadImage(str(reference), sitk.sitkFloat32)
    image = sitk.ReadImage(str(moving), sitk.sitkFloat32)
    resampled = sitk.Resample(image, fixed, sitk.Transform(), sitk.sitkLinear, 0.0)
    return sitk.GetArrayFromImage(resampled).T


# --- grids and plans ---------------------------------------------------------------------------


def test_brats_sequences_share_one_grid(brats_paths: dict[str, Path]) -> None:
    assert same_grid(brats_paths.values())


def test_tcga_sequences_do_not_share_a_grid(tcga_paths: dict[str, Path]) -> None:
    assert not same_grid(tcga_paths.values())
    assert same_grid([tcga_paths["T1"], tcga_paths["T1c"]])


def test_same_grid_tolerance_is_a_thousandth_mm() -> None:
    header = nib.Nifti1Header()
    header.set_data_shape((10, 10, 10))
    header.set_sform(np.eye(4), code=1)
    near, far, other_shape = header.copy(), header.copy(), header.copy()
    near.set_sform(np.eye(4) + np.diag([0, 0, 0, 0]) + _shift(5e-4), code=1)
    far.set_sform(np.eye(4) + _shift(2e-3), code=1)
    other_shape.set_data_shape((10, 10, 11))

    assert same_grid([header, near])
    assert not same_grid([header, far])
    assert not same_grid([header, other_shape])
    assert same_grid([header, far], tol=5e-3)


def _shift(mm: float) -> np.ndarray:
    shift = np.zeros((4, 4))
    shift[0, 3] = mm
    return shift


@pytest.mark.parametrize(
    ("available", "preferred", "expected"),
    [
        (["T1", "T1c", "T2", "FLAIR"], "T1c", "T1c"),
        (["T1", "T2", "FLAIR"], "T1c", "T1"),
        (["T2", "FLAIR"], "T1c", "FLAIR"),
        (["T2", "OTHER"], "T1c", "T2"),
        (["T1", "T1c", "T2"], "T2", "T2"),
        (["T1", "T2"], "FLAIR", "T1"),
    ],
)
def test_reference_falls_back_in_order(available: list[str], preferred: str, expected: str) -> None:
    assert choose_reference(available, preferred) == expected


def test_shared_grid_plan_copies_every_sequence(brats_paths: dict[str, Path]) -> None:
    plan = plan_alignment(brats_paths)

    assert plan.reference == "T1c"
    assert plan.shared_grid
    assert {step.sequence: step.action for step in plan.steps} == {
        "T1": "copy",
        "T1c": "reference",
        "T2": "copy",
        "FLAIR": "copy",
    }


def test_plan_without_t1c_uses_t1(brats_paths: dict[str, Path]) -> None:
    paths = {key: path for key, path in brats_paths.items() if key != "T1c"}
    assert plan_alignment(paths).reference == "T1"


def test_empty_study_is_rejected() -> None:
    with pytest.raises(ActionableError) as raised:
        plan_alignment({})
    assert raised.value.code == "ALIGNMENT_NO_VOLUMES"


def test_four_d_volume_is_rejected(tmp_path: Path) -> None:
    three_d = save(tmp_path / "t1.nii.gz", np.zeros((8, 8, 8), np.int16))
    four_d = save(tmp_path / "dwi.nii.gz", np.zeros((8, 8, 8, 3), np.int16))

    with pytest.raises(ActionableError) as raised:
        plan_alignment({"T1": three_d, "T2": four_d})
    assert raised.value.code == "ALIGNMENT_VOLUME_NOT_3D"
    assert raised.value.params == {"sequence": "T2", "shape": [8, 8, 8, 3]}
    assert "T2" in raised.value.message


def test_single_volume_four_d_file_is_accepted(tmp_path: Path) -> None:
    path = save(tmp_path / "t1.nii.gz", np.zeros((8, 8, 8, 1), np.int16))
    assert plan_alignment({"T1": path}).reference == "T1"


def test_unreadable_volume_is_rejected(tmp_path: Path) -> None:
    broken = tmp_path / "t2.nii.gz"
    broken.write_bytes(gzip.compress(b"not a nifti header" * 40))

    with pytest.raises(ActionableError) as raised:
        plan_alignment({"T2": broken})
    assert raised.value.code == "NIFTI_UNREADABLE"
    assert raised.value.params["sequence"] == "T2"


# --- pass-through ------------------------------------------------------------------------------


def test_shared_grid_study_passes_through_untouched(
    brats_paths: dict[str, Path], tmp_path: Path
) -> None:
    results = run_alignment(plan_alignment(brats_paths), tmp_path)

    for sequence, result in results.items():
        assert filecmp.cmp(result.out_path, brats_paths[sequence], shallow=False)
        assert result.metric is None
        assert not result.resampled
        assert result.transform["parameters"] == [0.0] * 6


def test_copy_changes_only_the_compression(tmp_path: Path) -> None:
    original = save(tmp_path / "t1.nii", np.arange(512, dtype=np.int16).reshape(8, 8, 8))
    compressed = copy_as_reference(original, tmp_path / "copy.nii.gz").out_path
    plain = copy_as_reference(compressed, tmp_path / "back.nii").out_path

    assert gzip.decompress(compressed.read_bytes()) == original.read_bytes()
    assert plain.read_bytes() == original.read_bytes()


def test_unsafe_sequence_key_is_rejected(tmp_path: Path) -> None:
    path = save(tmp_path / "t1.nii.gz", np.zeros((8, 8, 8), np.int16))
    plan = plan_alignment({"../T1": path})

    with pytest.raises(ValueError, match="not a safe file name"):
        run_alignment(plan, tmp_path / "out")


# --- the raw TCGA case: four matrices, patient motion between series ---------------------------


def test_tcga_plan_registers_three_sequences(tcga_aligned: Any) -> None:
    plan, _, _ = tcga_aligned

    assert plan.reference == "T1c"
    assert not plan.shared_grid
    actions = {step.sequence: step.action for step in plan.steps}
    assert actions == {"T1": "register", "T1c": "reference", "T2": "register", "FLAIR": "register"}


@pytest.mark.parametrize("sequence", ["T1", "T2", "FLAIR"])
def test_tcga_output_has_reference_geometry(
    tcga_aligned: Any, tcga_paths: dict[str, Path], sequence: str
) -> None:
    _, results, _ = tcga_aligned
    reference = nib.load(tcga_paths["T1c"]).header
    written = nib.load(results[sequence].out_path).header

    assert written.get_data_shape() == reference.get_data_shape()
    for getter in ("get_qform", "get_sform"):
        matrix, code = getattr(written, getter)(coded=True)
        expected_matrix, expected_code = getattr(reference, getter)(coded=True)
        assert code == expected_code
        assert np.array_equal(matrix, expected_matrix)
    assert written.get_data_dtype() == np.int16


@pytest.mark.parametrize("sequence", ["T1", "T2", "FLAIR"])
def test_tcga_registration_improves_alignment(
    tcga_aligned: Any, tcga_paths: dict[str, Path], sequence: str
) -> None:
    """Scanner coordinates leave a visible offset, which registration must reduce clearly."""
    _, results, _ = tcga_aligned
    reference = voxels(tcga_paths["T1c"]).astype(np.float32)
    before = on_reference_grid_without_registration(tcga_paths[sequence], tcga_paths["T1c"])
    after = voxels(results[sequence].out_path).astype(np.float32)
    reference_head = head_mask(reference)

    nmi_before = normalized_mutual_information(reference, before, reference_head)
    nmi_after = normalized_mutual_information(reference, after, reference_head)
    assert nmi_after > nmi_before + 0.02
    dice_before = dice(reference_head, head_mask(before))
    dice_after = dice(reference_head, head_mask(after))
    assert dice_after > dice_before + 0.04
    # Not higher: the moving slabs, shifted up to 16 mm, no longer cover the end slices.
    assert dice_after > 0.9


def test_tcga_result_reports_transform_as_plain_json(tcga_aligned: Any) -> None:
    _, results, _ = tcga_aligned
    result = results["FLAIR"]

    assert result.resampled
    assert result.metric is not None and result.metric < -0.5
    assert result.iterations > 0
    assert len(result.transform["parameters"]) == 6
    assert len(result.transform["fixed_parameters"]) == 4
    json.dumps({"transform": result.transform, "details": result.details})


def test_tcga_progress_is_monotonic_and_complete(tcga_aligned: Any) -> None:
    _, _, events = tcga_aligned
    fractions = [fraction for fraction, _ in events]

    assert fractions == sorted(fractions)
    assert fractions[0] >= 0.0
    assert fractions[-1] == 1.0
    assert any(stage == "FLAIR: registering" for _, stage in events)


# --- known motion, repeatability, output values ------------------------------------------------


def test_known_rigid_motion_is_recovered(brats_paths: dict[str, Path], tmp_path: Path) -> None:
    """Rotate and shift a BraTS volume by 3-4 degrees and 2-4 mm, then register it back."""
    image = sitk.ReadImage(str(brats_paths["T1c"]))
    centre = image.TransformContinuousIndexToPhysicalPoint([(s - 1) / 2 for s in image.GetSize()])
    known = sitk.Euler3DTransform()
    known.SetCenter(centre)
    known.SetRotation(*np.radians([3.0, -2.0, 4.0]))
    known.SetTranslation((4.0, -3.0, 2.0))
    moved = sitk.Resample(image, image, known, sitk.sitkLinear, 0.0, image.GetPixelID())
    sitk.WriteImage(moved, str(tmp_path / "moved.nii.gz"))

    result = align_to_reference(tmp_path / "moved.nii.gz", brats_paths["T1c"], tmp_path / "out.nii")

    recovered = sitk.Euler3DTransform()
    recovered.SetFixedParameters(result.transform["fixed_parameters"])
    recovered.SetParameters(result.transform["parameters"])
    round_trip = sitk.CompositeTransform([known, recovered])
    corners = [np.add(centre, offset) for offset in _box_corners(60, 60, 50)]
    errors = [np.linalg.norm(np.subtract(round_trip.TransformPoint(p), p)) for p in corners]
    assert max(errors) < 1.0
    rotation = np.reshape(known.GetMatrix(), (3, 3)) @ np.reshape(recovered.GetMatrix(), (3, 3))
    angle = np.degrees(np.arccos(np.clip((np.trace(rotation) - 1) / 2, -1, 1)))
    assert angle < 1.0


def _box_corners(x: float, y: float, z: float) -> list[tuple[float, float, float]]:
    return [(sx * x, sy * y, sz * z) for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)]


def phantom(shape: tuple[int, int, int] = (48, 44, 40)) -> np.ndarray:
    """Two ellipsoids of different brightness, asymmetric so that rotations are visible."""
    grid = np.indices(shape, dtype=np.float32)
    centre = (np.array(shape) - 1) / 2
    outer = sum(((grid[i] - centre[i]) / (0.4 * shape[i])) ** 2 for i in range(3)) <= 1
    inner = sum(((grid[i] - centre[i] - (6, 3, 0)[i]) / 5.0) ** 2 for i in range(3)) <= 1
    return (outer * 300 + inner * 500).astype(np.int16)


def test_registration_is_repeatable(tmp_path: Path) -> None:
    reference = save(tmp_path / "reference.nii.gz", phantom())
    shifted = np.eye(4)
    shifted[:3, 3] = (2.5, -1.5, 1.0)
    moving = save(tmp_path / "moving.nii.gz", phantom(), shifted)

    first = align_to_reference(moving, reference, tmp_path / "first.nii.gz")
    second = align_to_reference(moving, reference, tmp_path / "second.nii.gz")

    assert np.allclose(first.transform["parameters"], second.transform["parameters"], atol=1e-6)
    assert first.transform["fixed_parameters"] == second.transform["fixed_parameters"]
    assert first.metric == pytest.approx(second.metric, abs=1e-6)
    difference = voxels(first.out_path).astype(int) - voxels(second.out_path).astype(int)
    assert np.abs(difference).max() <= 1  # a value at .5 may round either way


def test_integer_output_is_rounded_and_clipped(tmp_path: Path) -> None:
    reference = save(tmp_path / "reference.nii.gz", np.zeros((2, 2, 2), np.float32))
    moving = save(tmp_path / "moving.nii.gz", np.zeros((3, 3, 3), np.int16))
    zyx = np.array([1.6, -1.6, 40000.0, -40000.0, 0.4, 2.5, 3.5, 0], np.float32).reshape(2, 2, 2)

    write_on_reference_grid(zyx, reference, moving, tmp_path / "out.nii.gz")

    written = voxels(tmp_path / "out.nii.gz")
    assert written.dtype == np.int16
    assert np.array_equal(written, np.rint(np.clip(zyx, -32768, 32767)).astype(np.int16).T)


def test_scaled_moving_image_written_as_float(tmp_path: Path) -> None:
    reference = save(tmp_path / "reference.nii.gz", np.zeros((2, 2, 2), np.int16))
    # nibabel stores float data in an int16 file with a scale factor (scl_slope).
    scaled_image = nib.Nifti1Image(np.linspace(0, 1000.5, 27).reshape(3, 3, 3), np.eye(4))
    scaled_image.set_data_dtype(np.int16)
    nib.save(scaled_image, tmp_path / "scaled.nii.gz")
    assert nib.load(tmp_path / "scaled.nii.gz").header.get_slope_inter()[0] != 1
    floating = save(tmp_path / "float.nii.gz", np.zeros((3, 3, 3), np.float32))

    for moving in (tmp_path / "scaled.nii.gz", floating):
        write_on_reference_grid(np.full((2, 2, 2), 1.25), reference, moving, tmp_path / "out.nii")
        written = nib.load(tmp_path / "out.nii")
        assert written.get_data_dtype() == np.float32
        assert np.all(voxels(tmp_path / "out.nii") == np.float32(1.25))


def test_reference_header_text_is_not_copied(tmp_path: Path) -> None:
    reference_image = nib.Nifti1Image(np.zeros((2, 2, 2), np.int16), np.eye(4))
    reference_image.header["descrip"] = b"Testperson 1965"
    reference_image.header["aux_file"] = b"QA-77-1234"
    nib.save(reference_image, tmp_path / "reference.nii.gz")
    moving = save(tmp_path / "moving.nii.gz", np.zeros((3, 3, 3), np.int16))

    write_on_reference_grid(
        np.zeros((2, 2, 2)), tmp_path / "reference.nii.gz", moving, tmp_path / "o.nii"
    )

    header = nib.load(tmp_path / "o.nii").header
    assert header["descrip"].item() == b""
    assert header["aux_file"].item() == b""


def test_empty_moving_image_fails_with_actionable_error(tmp_path: Path) -> None:
    reference = save(tmp_path / "reference.nii.gz", phantom())
    empty = save(tmp_path / "empty.nii.gz", np.zeros((48, 44, 40), np.int16))

    with pytest.raises(ActionableError) as raised:
        align_to_reference(empty, reference, tmp_path / "out.nii.gz")
    assert raised.value.code == "REGISTRATION_FAILED"
    assert not (tmp_path / "out.nii.gz").exists()


def test_distant_scanner_coordinates_fall_back_to_centred_start(tmp_path: Path) -> None:
    reference = save(tmp_path / "reference.nii.gz", phantom())
    far = np.eye(4)
    far[:3, 3] = 5000.0
    moving = save(tmp_path / "moving.nii.gz", phantom(), far)

    result = align_to_reference(moving, reference, tmp_path / "out.nii.gz")

    assert result.details["initialisation"] == "geometry"
    # RAS +5000 mm on every axis is (-5000, -5000, +5000) in ITK's LPS coordinates.
    assert np.allclose(result.transform["translation_mm"], [-5000, -5000, 5000], atol=0.5)
