"""Reading headers and grouping DICOM images into series of one geometry each."""

import random
import shutil
from pathlib import Path

import numpy as np
from pydicom.uid import generate_uid

from annotation_platform.imaging.dicom_headers import read_headers
from annotation_platform.imaging.dicom_series import group_series, slice_normal
from tests.imaging.test_series_synthetic import (
    AXIAL,
    CORONAL,
    SAGITTAL,
    stack_positions,
    write_enhanced,
    write_slice,
    write_stack,
)

OBLIQUE = (0.9659258, 0.0, 0.2588190, 0.0, 1.0, 0.0)  # axial rotated 15 degrees about y


def test_two_series_in_one_folder_form_two_groups(tmp_path: Path) -> None:
    write_stack(tmp_path / "a", stack_positions(5), series_number=3)
    write_stack(
        tmp_path / "b",
        stack_positions(7, orientation=SAGITTAL),
        series_number=4,
        orientation=SAGITTAL,
    )

    groups = group_series(read_headers(tmp_path))

    assert [group.series_number for group in groups] == [3, 4]
    assert [group.slice_count for group in groups] == [5, 7]
    assert [group.kind for group in groups] == ["volume", "volume"]
    assert all(group.part_count == 1 for group in groups)


def test_localizer_among_axial_slices_is_flagged(tmp_path: Path) -> None:
    write_stack(tmp_path, stack_positions(12), series_number=2)
    scout_uid = generate_uid()
    for index, orientation in enumerate((AXIAL, SAGITTAL, CORONAL)):
        write_slice(
            tmp_path / f"scout{index}.dcm",
            series_uid=scout_uid,
            series_number=1,
            position=(-8.0, -8.0, 0.0),
            orientation=orientation,
            instance=index + 1,
            image_type=("ORIGINAL", "PRIMARY", "LOCALIZER"),
        )

    groups = group_series(read_headers(tmp_path))
    kinds = {(group.series_number, group.kind) for group in groups}

    assert kinds == {(1, "localizer"), (2, "volume")}
    assert next(group for group in groups if group.series_number == 2).slice_count == 12


def test_three_plane_scout_without_image_type_is_flagged(tmp_path: Path) -> None:
    scout_uid = generate_uid()
    for orientation, folder in ((AXIAL, "ax"), (SAGITTAL, "sag"), (CORONAL, "cor")):
        write_stack(
            tmp_path / folder,
            stack_positions(3, spacing_mm=10.0, orientation=orientation),
            series_uid=scout_uid,
            orientation=orientation,
        )

    groups = group_series(read_headers(tmp_path))

    assert len(groups) == 3
    assert {group.kind for group in groups} == {"localizer"}
    assert groups[0].split_reasons == ("orientation",)


def test_series_mixing_orientations_is_split_with_reason(tmp_path: Path) -> None:
    series_uid = generate_uid()
    write_stack(tmp_path / "ax", stack_positions(20), series_uid=series_uid)
    write_stack(
        tmp_path / "sag",
        stack_positions(2, orientation=SAGITTAL),
        series_uid=series_uid,
        orientation=SAGITTAL,
        first_instance=21,
    )

    groups = group_series(read_headers(tmp_path))

    assert [(group.part_index, group.part_count) for group in groups] == [(0, 2), (1, 2)]
    assert [group.instance_count for group in groups] == [20, 2]
    assert groups[0].orientation == AXIAL
    assert groups[1].orientation == SAGITTAL
    assert groups[0].split_reasons == ("orientation",)
    assert [group.kind for group in groups] == ["volume", "volume"]


def test_series_mixing_matrix_and_spacing_is_split(tmp_path: Path) -> None:
    series_uid = generate_uid()
    write_stack(tmp_path / "a", stack_positions(6), series_uid=series_uid)
    write_stack(
        tmp_path / "b",
        stack_positions(4),
        series_uid=series_uid,
        first_instance=7,
        rows=32,
        columns=32,
    )
    write_stack(
        tmp_path / "c",
        stack_positions(3),
        series_uid=series_uid,
        first_instance=11,
        pixel_spacing=(0.5, 0.5),
    )

    groups = group_series(read_headers(tmp_path))

    assert [group.instance_count for group in groups] == [6, 4, 3]
    assert groups[0].split_reasons == ("matrix size", "pixel spacing")
    assert (groups[1].rows, groups[1].columns) == (32, 32)
    assert groups[2].pixel_spacing_mm == (0.5, 0.5)


def test_files_are_sorted_along_oblique_slice_normal(tmp_path: Path) -> None:
    positions = stack_positions(9, spacing_mm=2.0, orientation=OBLIQUE, origin=(5.0, -3.0, 7.0))
    order = list(range(9))
    random.Random(4).shuffle(order)
    # Instance numbers run against the spatial order, so only positions can sort the files.
    for rank, index in enumerate(order):
        write_slice(
            tmp_path / f"file{rank}.dcm",
            series_uid="1.2.3",
            position=positions[index],
            orientation=OBLIQUE,
            instance=100 - index,
        )

    (group,) = group_series(read_headers(tmp_path))

    normal = slice_normal(OBLIQUE)
    distances = [float(np.dot(header.position, normal)) for header in group.headers]
    assert distances == sorted(distances)
    assert [header.position for header in group.headers] == positions
    assert len(group.files) == 9


def test_single_slice_series_is_flagged(tmp_path: Path) -> None:
    write_stack(tmp_path, stack_positions(1))

    (group,) = group_series(read_headers(tmp_path))

    assert group.kind == "single_slice"
    assert group.slice_count == 1


def test_repeated_sop_instance_is_ignored_once(tmp_path: Path) -> None:
    paths = write_stack(tmp_path, stack_positions(4))
    shutil.copy(paths[1], tmp_path / "copy_of_second.dcm")

    (group,) = group_series(read_headers(tmp_path))

    assert group.instance_count == 4
    assert group.duplicate_files_ignored == 1


def test_non_dicom_files_and_symlinks_are_skipped(tmp_path: Path) -> None:
    write_stack(tmp_path, stack_positions(3))
    (tmp_path / "README.txt").write_text("not an image")
    (tmp_path / "link.dcm").symlink_to(tmp_path / "IM0001.dcm")

    headers = read_headers(tmp_path)

    assert len(headers) == 3
    assert all(not header.path.is_symlink() for header in headers)


def test_enhanced_file_counts_frame_positions(tmp_path: Path) -> None:
    write_enhanced(tmp_path / "enhanced.dcm", stack_positions(6, spacing_mm=1.2))

    (group,) = group_series(read_headers(tmp_path))

    assert group.is_enhanced
    assert group.is_multiframe
    assert group.slice_count == 6
    assert group.instance_count == 1


def test_ge_fmri_series_has_fifteen_positions(data_dir: Path) -> None:
    folder = data_dir / "dicom/ge/nih_discovery_mr750_epi_series4/dicom"

    (group,) = group_series(read_headers(folder))

    assert group.instance_count == 150
    assert group.slice_count == 15
    assert (group.rows, group.columns) == (64, 64)
    assert group.pixel_spacing_mm == (3.75, 3.75)
    assert not group.is_mosaic
    assert not group.is_multiframe


def test_siemens_mosaic_is_recognised(data_dir: Path) -> None:
    folder = data_dir / "dicom/siemens/nih_skyra_epi_mosaic_series3/dicom"

    (group,) = group_series(read_headers(folder))

    assert group.is_mosaic
    assert group.slice_count == 5
    assert group.instance_count == 2


def test_united_imaging_mosaic_is_recognised(data_dir: Path) -> None:
    folder = data_dir / "dicom/uih/umr770_dti_tra_dir16_AP_series9/dicom"

    (group,) = group_series(read_headers(folder))

    assert group.is_mosaic
    assert group.slice_count == 20
    assert group.instance_count == 17


def test_transfer_syntax_copies_split_by_series_number(data_dir: Path) -> None:
    # The nine files share one Series Instance UID but carry Series Numbers 1 to 9. Each is a
    # whole volume, and dcm2niix converts them separately too.
    folder = data_dir / "dicom/siemens/trio_transfer_syntaxes/dicom"

    groups = group_series(read_headers(folder))

    assert [group.series_number for group in groups] == list(range(1, 10))
    assert all(group.instance_count == 1 and group.slice_count == 35 for group in groups)
