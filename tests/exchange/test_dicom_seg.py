"""DICOM SEG: export onto a source series' pixel grid, and import onto the study grid."""

import json
from pathlib import Path

import highdicom as hd
import numpy as np
import pytest
from pydicom.sr.codedict import codes
from pydicom.uid import ExplicitVRLittleEndian, JPEG2000Lossless

from annotation_platform.errors import ActionableError
from annotation_platform.exchange.conventions import BRATS_2023
from annotation_platform.exchange.dicom_seg import encode_dicom_seg, read_dicom_seg
from annotation_platform.exchange.geometry import Grid
from annotation_platform.exchange.nifti import read_nifti_labels
from tests.exchange.builders import (
    AWKWARD_GRIDS,
    ET,
    TC,
    WT,
    affine_of,
    nested_bitmask,
    read_series,
    synthetic_series,
    violating_bitmask,
)


@pytest.fixture(scope="module")
def c01(cases_dir: Path) -> Path:
    return cases_dir / "C01"


@pytest.fixture(scope="module")
def c01_grid(c01: Path) -> Grid:
    return Grid.of_file(c01 / "image_t1_ras.nii.gz")


@pytest.fixture(scope="module")
def c01_bitmask(c01: Path, c01_grid: Grid) -> np.ndarray:
    return read_nifti_labels(c01 / "mask_lps.nii.gz", c01_grid, convention=BRATS_2023).bitmask


@pytest.fixture(scope="module")
def c01_seg(tmp_path_factory, c01, c01_grid, c01_bitmask) -> Path:
    encoded, warnings = encode_dicom_seg(c01_bitmask, c01_grid, read_series(c01 / "dicom"))
    assert warnings == []
    path = tmp_path_factory.mktemp("seg") / "c01_seg.dcm"
    path.write_bytes(encoded)
    return path


def frames_by_segment(path: Path, source_instances: dict[str, int]) -> dict[int, dict]:
    """Read a SEG with highdicom alone: {segment: {instance number: 2D frame}}."""
    segmentation = hd.seg.segread(str(path))
    frames: dict[int, dict] = {}
    for index, group in enumerate(segmentation.PerFrameFunctionalGroupsSequence):
        segment = int(group.SegmentIdentificationSequence[0].ReferencedSegmentNumber)
        source = group.DerivationImageSequence[0].SourceImageSequence[0]
        instance = source_instances[source.ReferencedSOPInstanceUID]
        frames.setdefault(segment, {})[instance] = segmentation.pixel_array[index]
    return frames


def test_c01_necrosis_lands_on_expected_dicom_pixels(c01, c01_seg):
    expected = json.loads((c01 / "expected.json").read_text())["expected"]
    where = expected["dicom_seg_export_for_dicom_series"]
    series = read_series(c01 / "dicom")
    instances = {image.SOPInstanceUID: int(image.InstanceNumber) for image in series}

    tumour_core = frames_by_segment(c01_seg, instances)[2]

    assert sorted(tumour_core) == where["NCR_present_on_slices_instance_numbers"]
    for frame in tumour_core.values():
        rows, columns = np.nonzero(frame)
        assert sorted(set(rows.tolist())) == where["NCR_pixel_rows"]
        assert sorted(set(columns.tolist())) == where["NCR_pixel_cols"]


def test_c01_segmentation_reads_back_onto_image_grid(c01_seg, c01_grid, c01_bitmask):
    imported = read_dicom_seg(c01_seg, c01_grid)

    assert np.array_equal(imported.bitmask, c01_bitmask)
    assert [label.name for label in imported.mapping.labels] == ["WT", "TC", "ET"]
    assert [label.voxels for label in imported.mapping.labels] == [240, 144, 0]


def test_segments_carry_region_labels_and_codes(c01_seg):
    segmentation = hd.seg.segread(str(c01_seg))

    described = segmentation.SegmentSequence
    assert [item.SegmentLabel for item in described] == ["WT", "TC", "ET"]
    assert [item.TrackingID for item in described] == ["WT", "TC", "ET"]
    for item in described:
        assert item.SegmentedPropertyTypeCodeSequence[0].CodeValue == "108369006"
        assert item.SegmentedPropertyCategoryCodeSequence[0].CodeValue == "49755003"
        assert item.SegmentAlgorithmType == "MANUAL"
    assert segmentation.SegmentationType == "BINARY"


def test_segmentation_copies_study_of_source_series(c01, c01_seg):
    source = read_series(c01 / "dicom")[0]
    segmentation = hd.seg.segread(str(c01_seg))

    assert segmentation.StudyInstanceUID == source.StudyInstanceUID
    assert segmentation.FrameOfReferenceUID == source.FrameOfReferenceUID
    assert segmentation.SeriesInstanceUID != source.SeriesInstanceUID


@pytest.mark.parametrize("name", sorted(AWKWARD_GRIDS))
def test_generated_geometries_round_trip_with_violations(tmp_path, name):
    grid = AWKWARD_GRIDS[name]
    bitmask = violating_bitmask(grid.shape)
    encoded, _ = encode_dicom_seg(bitmask, grid, synthetic_series(grid))
    path = tmp_path / "seg.dcm"
    path.write_bytes(encoded)

    imported = read_dicom_seg(path, grid)

    assert np.array_equal(imported.bitmask, bitmask)
    assert imported.warnings == []


def test_series_on_other_grid_gets_nearest_neighbour_frames(tmp_path):
    grid = AWKWARD_GRIDS["ras"]
    bitmask = nested_bitmask(grid.shape)
    # Half the spacing, centres a quarter voxel either side of the original ones.
    origin = grid.affine[:3, 3] - np.array([0.25, 0.25, 0.5])
    fine = Grid((48, 56, 24), affine_of(np.diag([0.5, 0.5, 1.0]), tuple(origin)))
    encoded, _ = encode_dicom_seg(bitmask, grid, synthetic_series(fine))
    path = tmp_path / "fine.dcm"
    path.write_bytes(encoded)

    on_fine = read_dicom_seg(path, fine)
    back = read_dicom_seg(path, grid)

    assert np.count_nonzero(on_fine.bitmask & WT) == 8 * np.count_nonzero(bitmask & WT)
    assert back.placement == "resampled"
    assert np.array_equal(back.bitmask, bitmask)


def test_mask_partly_outside_series_exports_with_warning():
    grid = AWKWARD_GRIDS["ras"]
    bitmask = nested_bitmask(grid.shape)
    series = synthetic_series(grid)[:5]

    _, warnings = encode_dicom_seg(bitmask, grid, series)

    assert [warning.code for warning in warnings] == ["EXPORT_CLIPPED"]
    assert warnings[0].params["outside"] > 0


def test_mask_wholly_outside_series_is_rejected():
    grid = AWKWARD_GRIDS["ras"]
    bitmask = nested_bitmask(grid.shape)
    series = synthetic_series(grid)[-2:]

    with pytest.raises(ActionableError) as raised:
        encode_dicom_seg(bitmask, grid, series)
    assert raised.value.code == "EXPORT_GRID_MISMATCH"


def test_empty_mask_exports_all_frames_empty(tmp_path):
    grid = AWKWARD_GRIDS["ras"]
    encoded, _ = encode_dicom_seg(np.zeros(grid.shape, np.uint8), grid, synthetic_series(grid))
    path = tmp_path / "empty.dcm"
    path.write_bytes(encoded)

    imported = read_dicom_seg(path, grid)

    assert not imported.bitmask.any()


def test_images_of_two_series_are_rejected():
    grid = AWKWARD_GRIDS["ras"]
    mixed = synthetic_series(grid)[:3] + synthetic_series(grid)[3:]

    with pytest.raises(ActionableError) as raised:
        encode_dicom_seg(nested_bitmask(grid.shape), grid, mixed)
    assert raised.value.code == "DICOM_SERIES_INVALID"
    assert raised.value.params["reason"] == "series"


def test_repeated_slice_position_is_rejected():
    grid = AWKWARD_GRIDS["ras"]
    series = synthetic_series(grid)
    series[1].ImagePositionPatient = series[0].ImagePositionPatient

    with pytest.raises(ActionableError) as raised:
        encode_dicom_seg(nested_bitmask(grid.shape), grid, series)
    assert raised.value.code == "DICOM_SERIES_INVALID"
    assert raised.value.params["reason"] == "position"


def test_no_source_images_are_rejected():
    grid = AWKWARD_GRIDS["ras"]

    with pytest.raises(ActionableError) as raised:
        encode_dicom_seg(nested_bitmask(grid.shape), grid, [])
    assert raised.value.code == "DICOM_SERIES_INVALID"
    assert raised.value.params["reason"] == "empty"


def write_foreign_seg(path: Path, grid: Grid, channels: dict[str, np.ndarray], kind: str) -> Path:
    """A SEG as another tool would write it: segments named after BraTS parts, any type."""
    series = synthetic_series(grid)
    pixels = np.stack([np.transpose(channel, (2, 1, 0)) for channel in channels.values()], -1)
    descriptions = [
        hd.seg.SegmentDescription(
            number, name, codes.SCT.MorphologicallyAbnormalStructure, codes.SCT.Neoplasm, "MANUAL"
        )
        for number, name in enumerate(channels, start=1)
    ]
    segmentation = hd.seg.Segmentation(
        series, pixels, kind, descriptions, hd.UID(), 7, hd.UID(), 1, "Other", "Tool", "1", "0"
    )
    segmentation.save_as(str(path))
    return path


def test_brats_part_segments_imply_containing_regions(tmp_path):
    grid = AWKWARD_GRIDS["lps"]
    bitmask = nested_bitmask(grid.shape)
    parts = {
        "ED": (bitmask == WT).astype(np.uint8),
        "NCR": (bitmask == (WT | TC)).astype(np.uint8),
        "ET": (bitmask == (WT | TC | ET)).astype(np.uint8),
    }
    path = write_foreign_seg(tmp_path / "parts.dcm", grid, parts, "BINARY")

    imported = read_dicom_seg(path, grid)

    assert np.array_equal(imported.bitmask, bitmask)


def test_labelmap_segmentation_imports_parts(tmp_path):
    grid = AWKWARD_GRIDS["oblique"]
    bitmask = nested_bitmask(grid.shape)
    labels = np.zeros(grid.shape, dtype=np.uint8)
    labels[bitmask == WT] = 1
    labels[bitmask == (WT | TC)] = 2
    labels[bitmask == (WT | TC | ET)] = 3
    descriptions = [
        hd.seg.SegmentDescription(
            number, name, codes.SCT.MorphologicallyAbnormalStructure, codes.SCT.Neoplasm, "MANUAL"
        )
        for number, name in enumerate(("ED", "NCR", "ET"), start=1)
    ]
    segmentation = hd.seg.Segmentation(
        synthetic_series(grid),
        np.transpose(labels, (2, 1, 0)),
        "LABELMAP",
        descriptions,
        hd.UID(),
        7,
        hd.UID(),
        1,
        "Other",
        "Tool",
        "1",
        "0",
    )
    path = tmp_path / "labelmap.dcm"
    segmentation.save_as(str(path))

    imported = read_dicom_seg(path, grid)

    assert np.array_equal(imported.bitmask, bitmask)
    assert [label.name for label in imported.mapping.labels] == ["ED", "NCR", "ET"]


def test_fractional_segments_count_from_one_half(tmp_path):
    grid = AWKWARD_GRIDS["ras"]
    fraction = np.zeros(grid.shape, dtype=np.float32)
    fraction[3, 4, 5] = 0.5
    fraction[3, 4, 6] = 0.45
    fraction[7, 8, 5] = 0.9
    path = write_foreign_seg(tmp_path / "fractional.dcm", grid, {"WT": fraction}, "FRACTIONAL")

    imported = read_dicom_seg(path, grid)

    assert np.argwhere(imported.bitmask).tolist() == [[3, 4, 5], [7, 8, 5]]


def test_segment_found_by_caller_map(tmp_path):
    grid = AWKWARD_GRIDS["ras"]
    channel = (nested_bitmask(grid.shape) & WT).astype(np.uint8)
    path = write_foreign_seg(tmp_path / "named.dcm", grid, {"Tumor+edema": channel}, "BINARY")

    with pytest.raises(ActionableError) as raised:
        read_dicom_seg(path, grid)
    imported = read_dicom_seg(path, grid, segment_regions={"Tumor+edema": "WT"})

    assert raised.value.code == "SEGMENT_NAMES_UNKNOWN"
    assert np.array_equal(imported.bitmask, channel)


def test_file_that_is_not_a_segmentation_is_rejected(tmp_path, c01):
    with pytest.raises(ActionableError) as raised:
        read_dicom_seg(c01 / "dicom" / "IM0001.dcm", AWKWARD_GRIDS["ras"])
    assert raised.value.code == "MASK_FILE_UNREADABLE"


@pytest.mark.parametrize(
    ("name", "syntax"),
    [("anisotropic", JPEG2000Lossless), ("oblique", ExplicitVRLittleEndian)],
    ids=["compressed", "too-small-to-compress"],
)
def test_jpeg2000_segmentation_round_trips(tmp_path, name, syntax):
    grid = AWKWARD_GRIDS[name]
    bitmask = violating_bitmask(grid.shape)
    encoded, _ = encode_dicom_seg(
        bitmask, grid, synthetic_series(grid), transfer_syntax_uid=JPEG2000Lossless
    )
    path = tmp_path / "j2k.dcm"
    path.write_bytes(encoded)

    imported = read_dicom_seg(path, grid)

    assert hd.seg.segread(str(path)).file_meta.TransferSyntaxUID == syntax
    assert np.array_equal(imported.bitmask, bitmask)


def test_multi_frame_source_is_rejected():
    grid = AWKWARD_GRIDS["ras"]
    series = synthetic_series(grid)
    series[0].NumberOfFrames = 2

    with pytest.raises(ActionableError) as raised:
        encode_dicom_seg(nested_bitmask(grid.shape), grid, series)
    assert raised.value.params["reason"] == "multi-frame"
