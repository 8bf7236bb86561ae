"""Label conventions: BraTS 2017-2021, 2023, 2024 post-treatment and custom maps, both ways."""

import json
from pathlib import Path

import numpy as np
import pytest

from annotation_platform.errors import ActionableError
from annotation_platform.exchange.conventions import (
    BRATS_2017_2021,
    BRATS_2023,
    BRATS_2024_POST_TREATMENT,
    NNUNET_BRATS_REGIONS,
    bitmask_to_label_map,
    choose_convention,
    convention_by_key,
    custom_convention,
    label_counts,
    label_map_to_bitmask,
    protocol_conventions,
)
from annotation_platform.exchange.geometry import Grid
from annotation_platform.exchange.nifti import read_nifti_labels
from annotation_platform.exchange.regions import cns_regions
from tests.exchange.builders import ET, TC, WT, violating_bitmask

C12_FILES = {
    "seg_brats2021_labels_1_2_4.nii.gz": BRATS_2017_2021,
    "seg_brats2023_labels_1_2_3.nii.gz": BRATS_2023,
    "seg_brats2024_posttreatment_labels_1_2_3_4.nii.gz": BRATS_2024_POST_TREATMENT,
    "seg_nnunet_task082_internal_1ED_2NCR_3ET.nii.gz": custom_convention(
        {1: "ED", 2: "NCR", 3: "ET"}
    ),
}


@pytest.fixture(scope="module")
def c12(cases_dir: Path) -> Path:
    return cases_dir / "C12"


@pytest.fixture(scope="module")
def c12_expected(c12: Path) -> dict:
    return json.loads((c12 / "expected.json").read_text())["expected"]


@pytest.fixture(scope="module")
def c12_grid(c12: Path) -> Grid:
    return Grid.of_file(c12 / "image_t1c.nii.gz")


def region_count(bitmask: np.ndarray, bit: int) -> int:
    return int(np.count_nonzero(bitmask & bit))


@pytest.mark.parametrize("file_name", sorted(C12_FILES))
def test_c12_import_counts_parts_exactly(c12, c12_grid, c12_expected, file_name):
    imported = read_nifti_labels(c12 / file_name, c12_grid, convention=C12_FILES[file_name])

    counts = {label.name: label.voxels for label in imported.mapping.labels}
    expected_key = next(
        key for key in c12_expected["import_with_declared_convention"] if key.startswith(file_name)
    )
    for part, voxels in c12_expected["import_with_declared_convention"][expected_key].items():
        assert counts[part] == voxels, part


@pytest.mark.parametrize("file_name", sorted(C12_FILES))
def test_c12_import_gives_nested_region_volumes(c12, c12_grid, c12_expected, file_name):
    imported = read_nifti_labels(c12 / file_name, c12_grid, convention=C12_FILES[file_name])

    composites = c12_expected["composites"]
    assert region_count(imported.bitmask, WT) == composites["WT=NCR+ED+ET"]
    assert region_count(imported.bitmask, TC) == composites["TC=NCR+ET"]
    assert region_count(imported.bitmask, ET) == composites["ET"]
    assert imported.placement == "identical"


def test_c12_resection_cavity_is_left_out_with_count(c12, c12_grid, c12_expected):
    imported = read_nifti_labels(
        c12 / "seg_brats2024_posttreatment_labels_1_2_3_4.nii.gz",
        c12_grid,
        convention=BRATS_2024_POST_TREATMENT,
    )

    left_out = [warning for warning in imported.warnings if warning.code == "LABEL_LEFT_OUT"]
    assert len(left_out) == 1
    assert left_out[0].params["voxels"] == c12_expected["region_voxel_counts"]["RC"]
    assert "64" in left_out[0].message
    rc = next(label for label in imported.mapping.labels if label.name == "RC")
    assert rc.regions == ()
    assert np.count_nonzero(imported.bitmask) == c12_expected["composites"]["WT=NCR+ED+ET"]


def test_c12_resection_cavity_raises_when_strict(c12, c12_grid):
    with pytest.raises(ActionableError) as raised:
        read_nifti_labels(
            c12 / "seg_brats2024_posttreatment_labels_1_2_3_4.nii.gz",
            c12_grid,
            convention=BRATS_2024_POST_TREATMENT,
            strict=True,
        )
    assert raised.value.code == "LABEL_NOT_A_REGION"
    assert raised.value.params["voxels"] == 64


def test_c12_undeclared_values_1_2_4_ambiguous(c12, c12_grid):
    with pytest.raises(ActionableError) as raised:
        read_nifti_labels(c12 / "seg_brats2021_labels_1_2_4.nii.gz", c12_grid)
    assert raised.value.code == "AMBIGUOUS_LABEL_CONVENTION"
    assert "resection cavity" in raised.value.message
    assert "enhancing tumour" in raised.value.message


def test_c12_undeclared_values_1_2_3_4_ambiguous(c12, c12_grid):
    with pytest.raises(ActionableError) as raised:
        read_nifti_labels(c12 / "seg_brats2024_posttreatment_labels_1_2_3_4.nii.gz", c12_grid)
    assert raised.value.code == "AMBIGUOUS_LABEL_CONVENTION"


def test_c12_undeclared_values_1_2_3_default_2023(c12, c12_grid):
    imported = read_nifti_labels(c12 / "seg_brats2023_labels_1_2_3.nii.gz", c12_grid)

    assert imported.mapping.convention == "brats-2023"
    assert imported.mapping.declared is False
    assumed = [w for w in imported.warnings if w.code == "LABEL_CONVENTION_ASSUMED"]
    assert len(assumed) == 1
    assert "1 NCR, 2 ED, 3 ET" in assumed[0].message
    shown = imported.mapping.as_dict()["labels"]
    assert [(label["value"], label["name"]) for label in shown] == [
        (1, "NCR"),
        (2, "ED"),
        (3, "ET"),
    ]
    assert json.dumps(imported.mapping.as_dict())


def test_c12_nnunet_file_without_map_shows_swapped_parts(c12, c12_grid):
    """Reading the 1=ED, 2=NCR file without its map swaps NCR and ED; the mapping shows it."""
    imported = read_nifti_labels(c12 / "seg_nnunet_task082_internal_1ED_2NCR_3ET.nii.gz", c12_grid)

    counts = {label.name: label.voxels for label in imported.mapping.labels}
    assert counts["NCR"] == 1110
    assert imported.mapping.declared is False


@pytest.mark.parametrize(
    ("convention", "expected_key"),
    [(BRATS_2017_2021, "BraTS2021"), (BRATS_2023, "BraTS2023")],
)
def test_c12_export_writes_each_part_with_convention_value(
    c12, c12_grid, c12_expected, convention, expected_key
):
    imported = read_nifti_labels(
        c12 / "seg_brats2021_labels_1_2_4.nii.gz", c12_grid, convention=BRATS_2017_2021
    )

    labels, warnings = bitmask_to_label_map(imported.bitmask, convention)

    values = c12_expected["export_brats_label_map"][expected_key]
    counts = label_counts(labels)
    for part, voxels in c12_expected["region_voxel_counts"].items():
        if part in values:
            assert counts[values[part]] == voxels, part
    assert set(np.flatnonzero(counts)) == {0, *values.values()}
    assert warnings == []


def test_export_to_2024_convention_never_writes_resection_cavity(c12, c12_grid):
    imported = read_nifti_labels(
        c12 / "seg_brats2024_posttreatment_labels_1_2_3_4.nii.gz",
        c12_grid,
        convention=BRATS_2024_POST_TREATMENT,
    )

    labels, _ = bitmask_to_label_map(imported.bitmask, BRATS_2024_POST_TREATMENT)

    counts = label_counts(labels)
    assert counts[4] == 0
    assert (counts[1], counts[2], counts[3]) == (71, 1110, 384)


def test_declared_convention_rejects_values_it_lacks():
    labels = np.array([[[0, 1, 2, 3]]], dtype=np.uint8)

    with pytest.raises(ActionableError) as raised:
        label_map_to_bitmask(labels, BRATS_2017_2021)
    assert raised.value.code == "LABEL_VALUES_NOT_IN_CONVENTION"
    assert raised.value.params["unknown"] == [3]
    assert "3" in raised.value.message


def test_values_above_4_without_convention_are_named():
    with pytest.raises(ActionableError) as raised:
        choose_convention([1, 2, 7, 9], None)
    assert raised.value.code == "LABEL_VALUES_UNKNOWN"
    assert raised.value.params["unknown"] == [7, 9]


def test_empty_label_map_needs_no_declared_convention():
    convention, warnings = choose_convention([], None)

    assert convention is BRATS_2023
    assert warnings == []


def test_brats_2013_five_class_custom_map_converts():
    convention = custom_convention({1: "necrosis", 2: "oedema", 3: "NET", 4: "enhancing"})
    labels = np.array([[[0, 1, 2, 3, 4]]], dtype=np.uint8)

    bitmask, mapping, warnings = label_map_to_bitmask(labels, convention)

    assert bitmask.tolist() == [[[0, WT | TC, WT, WT | TC, WT | TC | ET]]]
    assert [label.name for label in mapping.labels] == ["NCR", "ED", "NET", "ET"]
    assert warnings == []


def test_custom_map_rejects_unknown_name_and_bad_value():
    with pytest.raises(ActionableError) as unknown:
        custom_convention({1: "tumour-ish"})
    assert unknown.value.code == "LABEL_NAME_UNKNOWN"

    for value in (0, 256, "x", "-1", True):
        with pytest.raises(ActionableError) as bad_value:
            custom_convention({value: "ED"})
        assert bad_value.value.code == "LABEL_MAP_INVALID", value


def test_custom_map_accepts_json_string_values():
    convention = custom_convention({"2": "NCR", "10": "ED"})

    assert [(label.value, label.name) for label in convention.labels] == [(2, "NCR"), (10, "ED")]


def test_label_map_conversion_keeps_fortran_order():
    labels = np.asfortranarray(np.random.default_rng(1).integers(0, 4, (6, 5, 4), dtype=np.uint8))

    bitmask, _, _ = label_map_to_bitmask(labels, BRATS_2023)

    assert bitmask.flags.f_contiguous
    assert bitmask[labels == 3].tolist() == [WT | TC | ET] * int((labels == 3).sum())


def test_protocol_conventions_match_builtin_ones():
    from_protocol = protocol_conventions(cns_regions())
    bitmask = violating_bitmask((12, 14, 8))

    for key, builtin in (("brats-2017-2021", BRATS_2017_2021), ("brats-2023", BRATS_2023)):
        assert np.array_equal(
            bitmask_to_label_map(bitmask, from_protocol[key])[0],
            bitmask_to_label_map(bitmask, builtin)[0],
        )
        assert convention_by_key(key) is not None


def test_export_reports_et_outside_tc_overlap():
    bitmask = np.array([[[WT | ET, WT | TC, WT]]], dtype=np.uint8)

    labels, warnings = bitmask_to_label_map(bitmask, BRATS_2023)

    assert labels.tolist() == [[[3, 1, 2]]]
    assert [warning.code for warning in warnings] == ["LABELS_OVERLAP_ON_EXPORT"]
    assert warnings[0].params["voxels"] == 1


def test_export_tc_outside_wt_as_necrosis():
    bitmask = np.array([[[TC, 0]]], dtype=np.uint8)

    labels, _ = bitmask_to_label_map(bitmask, BRATS_2017_2021)

    assert labels.tolist() == [[[1, 0]]]


def test_nnunet_convention_round_trips_nested_mask():
    labels = np.array([[[0, 1, 2, 3]]], dtype=np.uint8)

    bitmask, _, _ = label_map_to_bitmask(labels, NNUNET_BRATS_REGIONS)
    back, _ = bitmask_to_label_map(bitmask, NNUNET_BRATS_REGIONS)

    assert bitmask.tolist() == [[[0, WT, WT | TC, WT | TC | ET]]]
    assert np.array_equal(back, labels)


def test_unknown_convention_key_lists_known_ones():
    with pytest.raises(ActionableError) as raised:
        convention_by_key("brats-1999")
    assert raised.value.code == "LABEL_CONVENTION_UNKNOWN"
    assert "brats-2023" in raised.value.params["known"]
