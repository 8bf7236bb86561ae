"""Geometry checks that run before conversion: missing slices, duplicates, tilt, 4D series."""

import json
import math
from pathlib import Path

import pytest
from pydicom.uid import generate_uid

from annotation_platform.errors import ActionableError
from annotation_platform.imaging.dicom_headers import read_headers
from annotation_platform.imaging.dicom_series import SeriesGroup, group_series
from annotation_platform.imaging.series_geometry import check_geometry
from tests.imaging.test_series_synthetic import (
    AXIAL,
    SAGITTAL,
    stack_positions,
    write_enhanced,
    write_stack,
)

OBLIQUE = (0.9659258, 0.0, 0.2588190, 0.0, 1.0, 0.0)


def only_group(folder: Path) -> SeriesGroup:
    (group,) = group_series(read_headers(folder))
    return group


def test_c05_missing_slice_is_rejected(cases_dir: Path) -> None:
    expected = json.loads((cases_dir / "C05/expected.json").read_text())["expected"]
    group = only_group(cases_dir / "C05/dicom")

    with pytest.raises(ActionableError) as caught:
        check_geometry(group)

    error = caught.value
    assert error.code == "NONUNIFORM_SLICE_SPACING"
    assert expected["detect"].startswith(error.code)
    assert error.params["gap_mm"] == 6.0
    assert error.params["from_mm"] == 0.0
    assert error.params["to_mm"] == 6.0
    assert error.params["spacing_mm"] == 3.0
    assert error.params["present"] == len(expected["slices_present"]) == 11
    assert error.params["expected"] == 12
    assert "6.0 mm" in error.message
    assert "11 of 12" in error.message


def test_generated_missing_slice_in_oblique_stack_is_rejected(tmp_path: Path) -> None:
    positions = stack_positions(16, spacing_mm=2.5, orientation=OBLIQUE)
    del positions[9:11]
    write_stack(tmp_path, positions, orientation=OBLIQUE)

    with pytest.raises(ActionableError) as caught:
        check_geometry(only_group(tmp_path))

    assert caught.value.code == "NONUNIFORM_SLICE_SPACING"
    assert caught.value.params["gap_mm"] == pytest.approx(7.5)
    assert caught.value.params["spacing_mm"] == pytest.approx(2.5)
    assert caught.value.params["present"] == 14
    assert caught.value.params["expected"] == 16


def test_missing_slice_in_three_slice_stack_is_rejected(tmp_path: Path) -> None:
    write_stack(tmp_path, [(0, 0, 0.0), (0, 0, 3.0), (0, 0, 9.0)])

    with pytest.raises(ActionableError) as caught:
        check_geometry(only_group(tmp_path))

    assert caught.value.code == "NONUNIFORM_SLICE_SPACING"
    assert caught.value.params["gap_mm"] == 6.0
    assert caught.value.params["expected"] == 4


def test_spacing_within_tolerance_is_accepted(tmp_path: Path) -> None:
    # Gaps alternate between 3.01 and 2.99 mm, so each differs from the typical gap by 0.02 mm,
    # within the tolerance of 1% of 3 mm.
    positions = [(0.0, 0.0, index * 3.0 + (0.01 if index % 2 else 0.0)) for index in range(8)]
    write_stack(tmp_path, positions)

    report = check_geometry(only_group(tmp_path))

    assert report.slice_count == 8
    assert report.slice_spacing_mm == pytest.approx(3.0, abs=0.01)
    assert report.is_3d
    assert report.warnings == []


def test_spacing_beyond_tolerance_is_rejected(tmp_path: Path) -> None:
    positions = [(0.0, 0.0, index * 3.0) for index in range(8)]
    positions[4] = (0.0, 0.0, 12.1)
    write_stack(tmp_path, positions)

    with pytest.raises(ActionableError) as caught:
        check_geometry(only_group(tmp_path))

    assert caught.value.code == "NONUNIFORM_SLICE_SPACING"


def test_gantry_tilt_beyond_half_pixel_is_rejected(tmp_path: Path) -> None:
    shift_per_slice = 3.0 * math.tan(math.radians(15))
    write_stack(tmp_path, stack_positions(12, sideways_mm_per_slice=(0.0, shift_per_slice, 0.0)))

    with pytest.raises(ActionableError) as caught:
        check_geometry(only_group(tmp_path))

    assert caught.value.code == "GANTRY_TILT_UNSUPPORTED"
    assert caught.value.params["angle_deg"] == pytest.approx(15.0, abs=0.01)
    assert caught.value.params["shift_mm"] == pytest.approx(11 * shift_per_slice, abs=0.01)


def test_small_gantry_tilt_converts_with_warning(tmp_path: Path) -> None:
    # 0.02 mm per slice over 11 gaps shifts the last slice 0.22 mm, under half of a 1 mm pixel.
    write_stack(tmp_path, stack_positions(12, sideways_mm_per_slice=(0.02, 0.0, 0.0)))

    report = check_geometry(only_group(tmp_path))

    (warning,) = report.warnings
    assert warning["code"] == "GANTRY_TILT"
    assert warning["params"]["angle_deg"] == pytest.approx(
        math.degrees(math.atan(0.02 / 3.0)), abs=1e-3
    )
    assert warning["params"]["shift_mm"] == pytest.approx(0.22)
    assert report.slice_spacing_mm == pytest.approx(3.0)


def test_duplicate_slice_position_is_rejected(tmp_path: Path) -> None:
    series_uid = generate_uid()
    write_stack(tmp_path, stack_positions(10), series_uid=series_uid)
    write_stack(tmp_path, [stack_positions(10)[4]], series_uid=series_uid, first_instance=11)

    with pytest.raises(ActionableError) as caught:
        check_geometry(only_group(tmp_path))

    assert caught.value.code == "DUPLICATE_SLICE_POSITION"
    assert caught.value.params["count"] == 2
    assert caught.value.params["position_mm"] == -3.0


def test_series_with_time_points_is_accepted_as_4d(tmp_path: Path) -> None:
    series_uid = generate_uid()
    positions = stack_positions(6)
    for time_point in range(3):
        write_stack(
            tmp_path,
            positions,
            series_uid=series_uid,
            first_instance=1 + time_point * 6,
            attributes={"TemporalPositionIdentifier": time_point + 1},
        )

    report = check_geometry(only_group(tmp_path))

    assert report.slice_count == 6
    assert report.volume_count == 3
    assert not report.is_3d
    assert [warning["code"] for warning in report.warnings] == ["MULTI_VOLUME_SERIES"]


def test_4d_series_missing_one_image_is_rejected(tmp_path: Path) -> None:
    series_uid = generate_uid()
    positions = stack_positions(6)
    write_stack(tmp_path, positions, series_uid=series_uid, attributes={"AcquisitionNumber": 1})
    write_stack(
        tmp_path,
        positions[:5],
        series_uid=series_uid,
        first_instance=7,
        attributes={"AcquisitionNumber": 2},
    )

    with pytest.raises(ActionableError) as caught:
        check_geometry(only_group(tmp_path))

    assert caught.value.code == "INCONSISTENT_VOLUME_COUNT"
    assert caught.value.params == {"min_count": 1, "max_count": 2, "slice_count": 6}


def test_single_slice_series_is_rejected(tmp_path: Path) -> None:
    write_stack(tmp_path, stack_positions(1))

    with pytest.raises(ActionableError) as caught:
        check_geometry(only_group(tmp_path))

    assert caught.value.code == "SINGLE_SLICE_SERIES"


def test_localizer_is_not_converted(tmp_path: Path) -> None:
    write_stack(tmp_path, stack_positions(3), image_type=("ORIGINAL", "PRIMARY", "LOCALIZER"))

    with pytest.raises(ActionableError) as caught:
        check_geometry(only_group(tmp_path))

    assert caught.value.code == "LOCALIZER_SERIES"


def test_split_series_part_carries_warning(tmp_path: Path) -> None:
    series_uid = generate_uid()
    write_stack(tmp_path / "ax", stack_positions(20), series_uid=series_uid)
    write_stack(
        tmp_path / "sag",
        stack_positions(4, orientation=SAGITTAL),
        series_uid=series_uid,
        orientation=SAGITTAL,
        first_instance=21,
    )
    main_part = group_series(read_headers(tmp_path))[0]

    report = check_geometry(main_part)

    (warning,) = report.warnings
    assert warning["code"] == "SERIES_SPLIT"
    assert warning["params"] == {
        "series_number": 1,
        "reasons": "orientation",
        "part_count": 2,
        "part": 1,
    }


def test_enhanced_missing_frame_is_rejected(tmp_path: Path) -> None:
    positions = stack_positions(10, spacing_mm=1.2)
    del positions[3]
    write_enhanced(tmp_path / "enhanced.dcm", positions)

    with pytest.raises(ActionableError) as caught:
        check_geometry(only_group(tmp_path))

    assert caught.value.code == "NONUNIFORM_SLICE_SPACING"
    assert caught.value.params["gap_mm"] == pytest.approx(2.4)


def test_even_enhanced_frames_are_accepted(tmp_path: Path) -> None:
    write_enhanced(
        tmp_path / "enhanced.dcm", stack_positions(10, spacing_mm=1.2), orientation=AXIAL
    )

    report = check_geometry(only_group(tmp_path))

    assert report.checked_by == "frames"
    assert report.slice_count == 10
    assert report.slice_spacing_mm == pytest.approx(1.2)


def test_philips_enhanced_frames_pass(tmp_path: Path, data_dir: Path) -> None:
    import gzip

    source = data_dir / "dicom/philips/ingenia_elition_3dpcasl_series1901/dicom_enhanced"
    (packed,) = source.glob("*.dcm.gz")
    target = tmp_path / "enhanced.dcm"
    target.write_bytes(gzip.decompress(packed.read_bytes()))

    report = check_geometry(only_group(tmp_path))

    assert report.checked_by == "frames"
    assert report.slice_count == 40
    assert report.slice_spacing_mm == pytest.approx(4.0, abs=1e-3)


def test_enhanced_file_without_functional_groups_is_rejected(data_dir: Path) -> None:
    # emri_small.dcm is Enhanced MR Image Storage whose functional groups were stripped, so
    # nothing places its frames in the patient (dcm2niix writes a "bogus spatial matrix").
    group = only_group(data_dir / "dicom/pydicom-data")

    with pytest.raises(ActionableError) as caught:
        check_geometry(group)

    assert caught.value.code == "MISSING_IMAGE_GEOMETRY"


def test_mosaic_positions_are_left_to_dcm2niix(data_dir: Path) -> None:
    group = only_group(data_dir / "dicom/siemens/nih_skyra_epi_mosaic_series3/dicom")

    report = check_geometry(group)

    assert report.checked_by == "converter"
    assert report.slice_count == 5
    assert report.volume_count == 2


def test_ge_fmri_is_accepted_as_4d(data_dir: Path) -> None:
    # GE writes no per-image time point; Number of Temporal Positions (10) explains the repeats.
    group = only_group(data_dir / "dicom/ge/nih_discovery_mr750_epi_series4/dicom")

    report = check_geometry(group)

    assert (report.slice_count, report.volume_count) == (15, 10)
    assert report.slice_spacing_mm == pytest.approx(5.0)
