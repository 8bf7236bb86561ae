"""3D Slicer .seg.nrrd files: segments, layers, LPS geometry, names and the exported format."""

from pathlib import Path

import nibabel as nib
import nrrd
import numpy as np
import pytest

from annotation_platform.errors import ActionableError
from annotation_platform.exchange.geometry import Grid
from annotation_platform.exchange.seg_nrrd import encode_seg_nrrd, read_seg_nrrd
from tests.exchange.builders import AWKWARD_GRIDS, ET, TC, WT, nested_bitmask, violating_bitmask

LPS = np.diag([-1.0, -1.0, 1.0])


def slicer_header(grid: Grid, segments: list[dict], *, layered: bool) -> dict:
    """A header as 3D Slicer 5 writes it: LPS space, one `list` axis when segments overlap."""
    directions = (LPS @ grid.affine[:3, :3]).T
    header = {
        "space": "left-posterior-superior",
        "space directions": np.vstack([np.full(3, np.nan), directions]) if layered else directions,
        "space origin": LPS @ grid.affine[:3, 3],
        "kinds": ["list", "domain", "domain", "domain"] if layered else ["domain"] * 3,
        "encoding": "gzip",
        "Segmentation_MasterRepresentation": "Binary labelmap",
    }
    for number, segment in enumerate(segments):
        for field, value in segment.items():
            header[f"Segment{number}_{field}"] = str(value)
    return header


def write_nrrd(path: Path, data: np.ndarray, header: dict) -> Path:
    nrrd.write(str(path), data, header, index_order="F")
    return path


def test_single_layer_brats_parts_imply_containing_regions(tmp_path):
    grid = AWKWARD_GRIDS["lps"]
    labels = np.zeros(grid.shape, dtype=np.uint8)
    labels[2:6, 2:6, 2:5] = 2
    labels[3:5, 3:5, 3] = 1
    labels[3, 3, 4] = 3
    segments = [
        {"ID": "Segment_1", "Name": "NCR", "LabelValue": 1, "Layer": 0},
        {"ID": "Segment_2", "Name": "ED", "LabelValue": 2, "Layer": 0},
        {"ID": "Segment_3", "Name": "ET", "LabelValue": 3, "Layer": 0},
    ]
    path = write_nrrd(tmp_path / "a.seg.nrrd", labels, slicer_header(grid, segments, layered=False))

    imported = read_seg_nrrd(path, grid)

    assert imported.placement == "identical"
    assert np.array_equal(imported.bitmask == (WT | TC), labels == 1)
    assert np.array_equal(imported.bitmask == WT, labels == 2)
    assert np.array_equal(imported.bitmask == (WT | TC | ET), labels == 3)
    assert [label.voxels for label in imported.mapping.labels] == [4, 43, 1]


def test_overlapping_region_layers_keep_nesting_violations(tmp_path):
    grid = AWKWARD_GRIDS["oblique"]
    bitmask = violating_bitmask(grid.shape)
    layers = np.stack([(bitmask & bit) != 0 for bit in (WT, TC, ET)]).astype(np.uint8)
    segments = [
        {"Name": name, "LabelValue": 1, "Layer": layer}
        for layer, name in enumerate(("WT", "TC", "ET"))
    ]
    path = write_nrrd(tmp_path / "b.seg.nrrd", layers, slicer_header(grid, segments, layered=True))

    imported = read_seg_nrrd(path, grid)

    assert np.array_equal(imported.bitmask, bitmask)
    assert [label.regions for label in imported.mapping.labels] == [("WT",), ("TC",), ("ET",)]


def test_segment_names_map_through_caller_map(tmp_path):
    grid = AWKWARD_GRIDS["ras"]
    labels = np.zeros(grid.shape, dtype=np.uint8)
    labels[4:8, 4:8, 4:6] = 1
    labels[5, 5, 5] = 2
    segments = [
        {"Name": "Oedema (FLAIR)", "LabelValue": 1},
        {"Name": "Core, enhancing", "LabelValue": 2},
    ]
    path = write_nrrd(tmp_path / "c.seg.nrrd", labels, slicer_header(grid, segments, layered=False))

    imported = read_seg_nrrd(
        path, grid, segment_regions={"Oedema (FLAIR)": "ED", "Core, enhancing": "ET"}
    )

    assert imported.bitmask[5, 5, 5] == WT | TC | ET
    assert imported.bitmask[4, 4, 4] == WT
    assert imported.mapping.labels[0].source_name == "Oedema (FLAIR)"


def test_unknown_segment_names_are_listed(tmp_path):
    grid = AWKWARD_GRIDS["ras"]
    segments = [{"Name": "Tumour", "LabelValue": 1}, {"Name": "Blob", "LabelValue": 2}]
    data = np.zeros(grid.shape, dtype=np.uint8)
    path = write_nrrd(tmp_path / "d.seg.nrrd", data, slicer_header(grid, segments, layered=False))

    with pytest.raises(ActionableError) as raised:
        read_seg_nrrd(path, grid)
    assert raised.value.code == "SEGMENT_NAMES_UNKNOWN"
    assert raised.value.params["segments"] == "Tumour, Blob"


def test_resection_cavity_segment_left_out(tmp_path):
    grid = AWKWARD_GRIDS["ras"]
    labels = np.zeros(grid.shape, dtype=np.uint8)
    labels[2:4, 2:4, 2:4] = 1
    labels[10:12, 10:12, 2:4] = 2
    segments = [{"Name": "ET", "LabelValue": 1}, {"Name": "RC", "LabelValue": 2}]
    path = write_nrrd(tmp_path / "e.seg.nrrd", labels, slicer_header(grid, segments, layered=False))

    imported = read_seg_nrrd(path, grid)
    with pytest.raises(ActionableError) as raised:
        read_seg_nrrd(path, grid, strict=True)

    assert np.count_nonzero(imported.bitmask) == 8
    assert [warning.params["voxels"] for warning in imported.warnings] == [8]
    assert raised.value.code == "LABEL_NOT_A_REGION"


def test_c01_lps_segmentation_on_patient_left(tmp_path, cases_dir):
    c01 = cases_dir / "C01"
    grid = Grid.of_file(c01 / "image_t1_ras.nii.gz")
    truth = np.asanyarray(nib.load(c01 / "truth_mask_in_image_grid.nii.gz").dataobj)
    lps_order = np.asfortranarray(truth[::-1, ::-1, :])
    lps_grid = Grid(grid.shape, grid.affine @ np.diag([-1.0, -1.0, 1.0, 1.0]) + _shift(grid))
    segments = [{"Name": "NCR", "LabelValue": 1}, {"Name": "ED", "LabelValue": 2}]
    header = slicer_header(lps_grid, segments, layered=False)
    path = write_nrrd(tmp_path / "c01.seg.nrrd", lps_order, header)

    imported = read_seg_nrrd(path, grid)

    assert imported.placement == "reoriented"
    assert np.array_equal(imported.bitmask == (WT | TC), truth == 1)
    centroid = grid.affine @ np.array([*np.argwhere(truth == 1).mean(axis=0), 1.0])
    assert centroid[0] == pytest.approx(-11.5)


def _shift(grid: Grid) -> np.ndarray:
    """Translation that keeps voxel centres in place when x and y are stored reversed."""
    shift = np.zeros((4, 4))
    shift[:3, 3] = grid.affine[:3, :3] @ np.array([grid.shape[0] - 1, grid.shape[1] - 1, 0])
    return shift


def test_cropped_segmentation_is_placed_at_its_offset(tmp_path):
    grid = AWKWARD_GRIDS["anisotropic"]
    bitmask = nested_bitmask(grid.shape)
    crop = (bitmask[5:30, 8:40, 1:4] & WT).astype(np.uint8)
    cropped_grid = Grid(crop.shape, grid.affine @ _translation(5, 8, 1))
    header = slicer_header(cropped_grid, [{"Name": "WT", "LabelValue": 1}], layered=False)
    header["Segmentation_ReferenceImageExtentOffset"] = "5 8 1"
    path = write_nrrd(tmp_path / "crop.seg.nrrd", crop, header)

    imported = read_seg_nrrd(path, grid)

    assert imported.placement == "placed"
    assert np.array_equal(imported.bitmask, bitmask & WT)


def _translation(i: int, j: int, k: int) -> np.ndarray:
    matrix = np.eye(4)
    matrix[:3, 3] = (i, j, k)
    return matrix


def test_ras_space_segmentation_imports(tmp_path):
    grid = AWKWARD_GRIDS["las"]
    bitmask = nested_bitmask(grid.shape)
    header = {
        "space": "right-anterior-superior",
        "space directions": grid.affine[:3, :3].T,
        "space origin": grid.affine[:3, 3],
        "Segment0_Name": "WT",
    }
    path = write_nrrd(tmp_path / "ras.seg.nrrd", (bitmask & WT).astype(np.uint8), header)

    imported = read_seg_nrrd(path, grid)

    assert np.array_equal(imported.bitmask, bitmask & WT)


def test_empty_slicer_segmentation_gives_empty_mask(tmp_path):
    grid = AWKWARD_GRIDS["ras"]
    header = slicer_header(Grid((1, 1, 1), np.eye(4)), [{"Name": "WT"}], layered=False)
    path = write_nrrd(tmp_path / "empty.seg.nrrd", np.zeros((1, 1, 1), np.uint8), header)

    imported = read_seg_nrrd(path, grid)

    assert imported.bitmask.shape == grid.shape
    assert not imported.bitmask.any()


def test_fractional_segmentation_is_unsupported(tmp_path):
    grid = AWKWARD_GRIDS["ras"]
    header = slicer_header(grid, [{"Name": "WT"}], layered=False)
    header["Segmentation_MasterRepresentation"] = "Fractional labelmap"
    path = write_nrrd(tmp_path / "f.seg.nrrd", np.zeros(grid.shape, np.uint8), header)

    with pytest.raises(ActionableError) as raised:
        read_seg_nrrd(path, grid)
    assert raised.value.code == "MASK_FORMAT_UNSUPPORTED"
    assert raised.value.params["reason"] == "fractional"


def test_segmentation_without_segments_is_rejected(tmp_path):
    grid = AWKWARD_GRIDS["ras"]
    header = slicer_header(grid, [], layered=False)
    path = write_nrrd(tmp_path / "g.seg.nrrd", np.zeros(grid.shape, np.uint8), header)

    with pytest.raises(ActionableError) as raised:
        read_seg_nrrd(path, grid)
    assert raised.value.code == "SEGMENTS_MISSING"


def test_unreadable_segmentation_is_rejected(tmp_path):
    path = tmp_path / "broken.seg.nrrd"
    path.write_bytes(b"NRRD0004\ntype: what\n\n")

    with pytest.raises(ActionableError) as raised:
        read_seg_nrrd(path, AWKWARD_GRIDS["ras"])
    assert raised.value.code == "MASK_FILE_UNREADABLE"


def test_exported_segmentation_has_slicer_fields_and_lps_geometry(tmp_path):
    grid = AWKWARD_GRIDS["oblique"]
    bitmask = violating_bitmask(grid.shape)
    path = tmp_path / "out.seg.nrrd"
    path.write_bytes(encode_seg_nrrd(bitmask, grid))

    data, header = nrrd.read(str(path), index_order="F")

    assert data.shape == (3, *grid.shape)
    assert header["space"] == "left-posterior-superior"
    assert header["kinds"] == ["list", "domain", "domain", "domain"]
    assert np.allclose(header["space origin"], LPS @ grid.affine[:3, 3])
    assert np.allclose(header["space directions"][1:], (LPS @ grid.affine[:3, :3]).T)
    assert [header[f"Segment{n}_Name"] for n in range(3)] == ["WT", "TC", "ET"]
    assert [header[f"Segment{n}_Layer"] for n in range(3)] == ["0", "1", "2"]
    assert header["Segment0_Color"] == "1 1 0"
    assert np.array_equal(data[1], (bitmask & TC) != 0)


def test_exported_segmentation_bytes_are_deterministic():
    grid = AWKWARD_GRIDS["ras"]
    bitmask = nested_bitmask(grid.shape)

    assert encode_seg_nrrd(bitmask, grid) == encode_seg_nrrd(bitmask, grid)


def test_segmentation_in_unknown_space_is_unsupported(tmp_path):
    grid = AWKWARD_GRIDS["ras"]
    header = slicer_header(grid, [{"Name": "WT"}], layered=False)
    header["space"] = "scanner-xyz"
    path = write_nrrd(tmp_path / "h.seg.nrrd", np.zeros(grid.shape, np.uint8), header)

    with pytest.raises(ActionableError) as raised:
        read_seg_nrrd(path, grid)
    assert raised.value.code == "MASK_FORMAT_UNSUPPORTED"
    assert raised.value.params == {"reason": "space", "space": "scanner-xyz"}
