"""File names of exports: safe on every file system, whatever characters an id holds."""

import pytest

from annotation_platform.errors import ActionableError
from annotation_platform.exchange.naming import export_file_name, safe_component


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GLI0001", "GLI0001"),
        ("BraTS-GLI-00001-000", "BraTS-GLI-00001-000"),
        ("a b", "a_b"),
        ("../../etc/passwd", "__.._etc_passwd"),
        ("C:\\Windows\\x", "C_Windows_x"),
        ("病例 12", "_12"),
        ("name.", "name_"),
        (".hidden", "_hidden"),
        ('x:y*z?<>|"', "x_y_z_"),
        ("tab\there\nnewline", "tab_here_newline"),
        ("v1.2", "v1.2"),
    ],
)
def test_safe_component_replaces_unsafe_characters(text, expected):
    assert safe_component(text) == expected


@pytest.mark.parametrize(
    "text", ["", ".", "..", "CON", "con", "NUL", "Com1", "LPT9", "aux.nii.gz", "PRN.txt"]
)
def test_safe_component_rejects_reserved_names(text):
    with pytest.raises(ActionableError) as raised:
        safe_component(text)
    assert raised.value.code == "FILE_NAME_COMPONENT_INVALID"


def test_safe_component_accepts_reserved_prefixes():
    assert safe_component("CONSENT") == "CONSENT"
    assert safe_component("COM10x") == "COM10x"


def test_long_components_are_bounded_and_stay_distinct():
    first = safe_component("P" * 300 + "1")
    second = safe_component("P" * 300 + "2")

    assert len(first) == 64
    assert first != second
    assert first.startswith("P" * 40)


def test_export_file_name_follows_protocol_pattern():
    name = export_file_name(
        "{patient_id}_{sequence}_{label}", patient_id="GLI0001", sequence="FLAIR", label="WT"
    )

    assert name == "GLI0001_FLAIR_WT.nii.gz"


def test_export_file_name_makes_each_part_safe():
    name = export_file_name(
        "{patient_id}_{sequence}_{label}", patient_id="a/b", sequence="T1c", label="ET"
    )

    assert name == "a_b_T1c_ET.nii.gz"
    assert "/" not in name


def test_export_file_name_rejects_reserved_patient_id():
    with pytest.raises(ActionableError):
        export_file_name(
            "{patient_id}_{sequence}_{label}", patient_id="NUL", sequence="T2", label="TC"
        )
