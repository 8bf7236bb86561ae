"""The committed attribute table against the reference Table E.1-1, and how rows resolve."""

import json
from pathlib import Path

import pytest

from annotation_platform.imaging.deid import profile
from annotation_platform.imaging.deid.profile import DeidOptions

# Option columns of the reference file and their names in the committed table.
REFERENCE_COLUMNS = {
    "rtnSafePrivOpt": "retain_safe_private",
    "rtnUIDsOpt": "retain_uids",
    "rtnDevIdOpt": "retain_device_identity",
    "rtnInstIdOpt": "retain_institution_identity",
    "rtnPatCharsOpt": "retain_patient_characteristics",
    "rtnLongFullDatesOpt": "retain_longitudinal_full_dates",
    "rtnLongModifDatesOpt": "retain_longitudinal_modified_dates",
    "cleanDescOpt": "clean_descriptors",
    "cleanStructContOpt": "clean_structured_content",
    "cleanGraphOpt": "clean_graphics",
}
VALID_ACTIONS = {"X", "Z", "D", "U", "K", "C", "X/Z", "X/D", "X/Z/D", "Z/D", "X/Z/U*"}


@pytest.fixture(scope="module")
def reference_rows(shared_dir: Path) -> dict[str, dict]:
    rows = json.loads((shared_dir / "standards" / "ps3.15-table-e.1-1.json").read_text())
    return {_normalise(row["tag"]): row for row in rows}


@pytest.fixture(scope="module")
def committed_rows() -> dict[str, profile.TableRow]:
    _, rows = profile.load_table()
    return {_normalise(row.tag): row for row in rows}


def _normalise(tag: str) -> str:
    return tag.upper().replace(" ", "")


def test_table_is_pinned_to_edition_2024b() -> None:
    edition, _ = profile.load_table()
    assert edition == "2024b"
    assert profile.PROFILE_EDITION == "2024b"


def test_table_has_every_reference_row(reference_rows: dict, committed_rows: dict) -> None:
    assert len(reference_rows) == 621
    missing = sorted(set(reference_rows) - set(committed_rows))
    extra = sorted(set(committed_rows) - set(reference_rows))
    assert missing == []
    assert extra == []


def test_table_actions_match_reference_row_by_row(
    reference_rows: dict, committed_rows: dict
) -> None:
    differences = []
    for tag, reference in reference_rows.items():
        committed = committed_rows[tag]
        if committed.basic != reference["basicProfile"]:
            differences.append((tag, "basic", committed.basic, reference["basicProfile"]))
        expected_options = {
            REFERENCE_COLUMNS[key]: value
            for key, value in reference.items()
            if key in REFERENCE_COLUMNS
        }
        if dict(committed.options) != expected_options:
            differences.append((tag, "options", dict(committed.options), expected_options))
    assert differences == []


def test_every_row_resolves_to_one_handled_action(committed_rows: dict) -> None:
    for options in (DeidOptions(), DeidOptions(retain_patient_characteristics=True)):
        for row in committed_rows.values():
            assert row.basic in VALID_ACTIONS, row.tag
            action = profile.resolve_row(row, options.option_columns())
            assert action in {"X", "Z", "D", "U", "K", "C"}, row.tag


def test_every_fixed_tag_row_is_in_resolved_profile(committed_rows: dict) -> None:
    resolved = profile.resolve_profile(DeidOptions())
    fixed = [row for row in committed_rows.values() if "X" not in row.tag and "GGGG" not in row.tag]
    for row in fixed:
        assert resolved.action_for(profile.parse_tag(row.tag)) is not None, row.tag


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        (0x50001234, "X"),
        (0x501E3000, "X"),
        (0x60003000, "X"),
        (0x601E3000, "X"),
        (0x60004000, "X"),
        (0x60000010, None),
        (0x50010000, None),
    ],
)
def test_repeating_group_rows_match_as_patterns(tag: int, expected: str | None) -> None:
    resolved = profile.resolve_profile(DeidOptions())
    assert resolved.action_for(tag) == expected


def test_private_row_resolves_to_clean() -> None:
    _, rows = profile.load_table()
    (private_row,) = [row for row in rows if row.tag == profile.PRIVATE_PATTERN]
    assert private_row.basic == "X"
    assert private_row.options[profile.RETAIN_SAFE_PRIVATE] == "C"
    assert profile.resolve_profile(DeidOptions()).private == "C"


@pytest.mark.parametrize(
    ("combined", "expected"),
    [("X/Z", "Z"), ("X/D", "D"), ("X/Z/D", "D"), ("Z/D", "D"), ("X/Z/U*", "U"), ("X", "X")],
)
def test_combined_actions_collapse_to_valid_action(combined: str, expected: str) -> None:
    assert profile.collapse_combined_action(combined) == expected


def test_modified_dates_option_cleans_study_date() -> None:
    resolved = profile.resolve_profile(DeidOptions())
    assert resolved.action_for(0x00080020) == "C"
    assert resolved.action_for(0x00100030) == "Z"


def test_patient_characteristics_kept_only_with_option() -> None:
    basic = profile.resolve_profile(DeidOptions())
    retained = profile.resolve_profile(DeidOptions(retain_patient_characteristics=True))
    for tag in (0x00101010, 0x00100040, 0x00101020, 0x00101030):
        assert basic.action_for(tag) in {"X", "Z"}
        assert retained.action_for(tag) == "K"


def test_method_codes_follow_options() -> None:
    codes = [code for code, _ in DeidOptions().method_codes()]
    assert codes == ["113100", "113107", "113105", "113111"]
    retained = DeidOptions(retain_patient_characteristics=True).method_codes()
    assert [code for code, _ in retained] == ["113100", "113107", "113105", "113111", "113108"]
